// --all-roles as SARIF, for GitHub code scanning: each admitted stranger, each UNKNOWN verdict and each
// unreadable role, on the role it concerns, with the repository check's rules; the repository's own runs,
// when judged too, in the same log. Pure: the account's judgement (and the runs' result) in, a SARIF log out.
import { doorOf, type AccountJudgement, type JudgedRole } from './account.ts';
import { dependsOn, type JudgedStranger } from './judge.ts';
import type { UnreadableRole } from '../policies/list-roles.ts';
import { keepOut, letIn, type CheckResult } from './report.ts';
import { FINGERPRINT, fingerprint, oneLine, RULES, sarifLog, toSarif, type Location, type Result, type RuleId, type SarifLog, type SarifSources } from './sarif.ts';

const ROLE_ARN = /^arn:[\w-]+:iam::(\d{12}):role\/(.+)$/;

/**
 * A role is named by its ARN, a logical location. GitHub's code scanning rejects the whole upload when a
 * result's location has no physical location with an artifactLocation.uri ("locationFromSarifResult:
 * expected artifact location"), though Microsoft's validator with GitHub's rules lets a logical-only one
 * pass. So each role also gets a pseudo-path that stays the same from scan to scan, for the alert to stay
 * one alert: aws-iam/<account>/role/<path/name>, line 1. It has no uriBaseId: it is no repository file.
 */
function roleLocation(arn: string): Location {
  const named = ROLE_ARN.exec(arn);
  const uri = named ? `aws-iam/${named[1]}/role/${named[2]!.split('/').map(encodeURIComponent).join('/')}` : `aws-iam/unlisted/${encodeURIComponent(arn)}`;
  return { physicalLocation: { artifactLocation: { uri }, region: { startLine: 1 } }, logicalLocations: [{ fullyQualifiedName: arn, kind: 'resource' }] };
}

function result(id: RuleId, text: string, arn: string, parts: string[]): Result {
  const rule = RULES.findIndex((r) => r.id === id);
  return {
    ruleId: id,
    ruleIndex: rule,
    level: RULES[rule]!.defaultConfiguration.level,
    message: { text: oneLine(text) },
    locations: [roleLocation(arn)],
    // What the finding is, never where it comes in IAM's listing: an alert stays one alert across scans.
    partialFingerprints: { [FINGERPRINT]: fingerprint([id, arn, ...parts]) },
  };
}

function strangerResult(role: JudgedRole, s: JudgedStranger): Result {
  const parts = [s.stranger.who, doorOf(s)];
  if (s.unresolved) return result('undetermined', `${role.arn}: whether it admits ${String(s.stranger.claims.sub)} (${s.stranger.who}) is unknown: ${dependsOn(s.unresolved, s.policy)}.`, role.arn, parts);
  return result('stranger-admitted', `${role.arn} admits ${letIn(s)}; ${keepOut(s, [])}.`, role.arn, parts);
}

const unreadableResult = (u: UnreadableRole): Result => result('role-unreadable', `${u.arn} (${u.name}): ${u.message}: no token was judged against it.`, u.arn, []);

/** The account's findings, after the repository's own runs' when they were judged (`own`). */
export function accountSarif(account: AccountJudgement, own?: { result: CheckResult; sources: SarifSources }): SarifLog {
  return sarifLog([
    ...(own ? toSarif(own.result, own.sources).runs[0]!.results : []),
    ...account.roles.flatMap((role) => role.admitted.map((s) => strangerResult(role, s))),
    ...account.unreadable.map(unreadableResult),
  ]);
}
