// --all-roles as SARIF, the renderer on its own (pure: the account's judgement in, a SARIF log out): each
// role's findings on the role, named by its ARN, under the repository check's rules and the one for an
// unreadable role; fingerprints made of what the finding is, not of where IAM lists it.
import { describe, expect, test } from '@jest/globals';
import { accountSarif } from '../../src/check/account-sarif.ts';
import { judgeAccount, type AccountJudgement } from '../../src/check/account.ts';
import { RULES } from '../../src/check/sarif.ts';
import type { PolicyDocument } from '../../src/iam/policy.ts';
import type { FoundPolicy } from '../../src/policies/found.ts';
import type { UnreadableRole } from '../../src/policies/list-roles.ts';

const ACCOUNT = '111111111111';
const GITHUB = 'token.actions.githubusercontent.com';
const arn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

function trust(sub?: string): PolicyDocument {
  const conditions: Record<string, Record<string, string>> = { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' } };
  if (sub) conditions.StringLike = { [`${GITHUB}:sub`]: sub };
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${GITHUB}` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: conditions }] };
}
const role = (name: string, document: PolicyDocument): FoundPolicy => ({ where: `aws:${arn(name)}`, file: `aws:${arn(name)}`, roleArn: arn(name), roleName: name, document, assumed: [] });

const ROLES = [role('deploy', trust('repo:acme/webapp:ref:refs/heads/main')), role('ci/no-sub', trust()), role('org-wide', trust('repo:acme/*')), role('templated', trust('repo:${org}/webapp:*'))];
const GARBLED: UnreadableRole = { arn: arn('garbled'), name: 'garbled', message: 'its trust policy cannot be decoded (URI malformed)' };
const account = (policies: FoundPolicy[], unreadable: UnreadableRole[] = []): AccountJudgement => judgeAccount({ policies, unreadable, listed: policies.length + unreadable.length, calls: 1 }, { issuers: [] });

describe('accountSarif', () => {
  const log = accountSarif(account(ROLES, [GARBLED]));
  const results = log.runs[0]!.results;
  const on = (name: string) => results.filter((r) => r.locations[0]!.logicalLocations![0]!.fullyQualifiedName === arn(name));

  test("each admitted stranger is a stranger-admitted result on its role: the ARN as a logical location, a pseudo-path GitHub's upload takes", () => {
    const judged = account(ROLES);
    const noSub = judged.roles.find((r) => r.arn === arn('ci/no-sub'))!;
    expect(on('ci/no-sub').map((r) => r.ruleId)).toEqual(noSub.admitted.map(() => 'stranger-admitted'));
    expect(on('ci/no-sub').length).toBeGreaterThan(1);
    expect(on('ci/no-sub')[0]!.locations).toEqual([
      {
        physicalLocation: { artifactLocation: { uri: `aws-iam/${ACCOUNT}/role/ci/no-sub` }, region: { startLine: 1 } },
        logicalLocations: [{ fullyQualifiedName: arn('ci/no-sub'), kind: 'resource' }],
      },
    ]);
    expect(on('ci/no-sub')[0]!.message.text).toBe(
      `${arn('ci/no-sub')} admits a repository of another owner (intruder/repository): statement 1 admits it: it has no condition on sub, so any repository's token gets in; keep it out: pin sub to this repository (repo:OWNER/REPO:...).`,
    );
    expect(on('org-wide').map((r) => r.message.text)).toContain(`${arn('org-wide')} admits a sibling repository (acme/other): statement 1 admits it: StringLike sub 'repo:acme/*' lets in 'repo:acme/other:ref:refs/heads/main'; keep it out: pin sub to this repository (repo:OWNER/REPO:...).`);
    expect(on('deploy')).toEqual([]);
    for (const r of results) expect([r.ruleId, RULES[r.ruleIndex]!.id, r.level]).toEqual([r.ruleId, r.ruleId, RULES[r.ruleIndex]!.defaultConfiguration.level]);
  });

  test('an UNKNOWN stranger is an undetermined warning naming what it depends on; an unreadable role is a role-unreadable error', () => {
    expect(on('templated').map((r) => [r.ruleId, r.level])).toContainEqual(['undetermined', 'warning']);
    expect(on('templated').find((r) => r.ruleId === 'undetermined')!.message.text).toMatch(/^arn:aws:iam::111111111111:role\/templated: whether it admits .* is unknown: depends on org, not resolved/);
    expect(on('garbled')).toEqual([expect.objectContaining({ ruleId: 'role-unreadable', level: 'error', message: { text: `${arn('garbled')} (garbled): its trust policy cannot be decoded (URI malformed): no token was judged against it.` } })]);
    const rule = log.runs[0]!.tool.driver.rules.find((r) => r.id === 'role-unreadable')!;
    expect(Number(rule.properties['security-severity'])).toBeGreaterThan(0);
    expect(rule.help.text).toMatch(/^Use aws iam get-role/);
  });

  test('fingerprints: the same whatever order IAM lists the roles in; different for each role and each kind of stranger', () => {
    const prints = (l: typeof log) => l.runs[0]!.results.map((r) => `${r.ruleId} ${r.locations[0]!.logicalLocations![0]!.fullyQualifiedName} ${Object.values(r.partialFingerprints).join()}`).sort();
    const reversed = accountSarif(account([...ROLES].reverse(), [GARBLED]));
    expect(reversed.runs[0]!.results.map((r) => r.locations[0]!.logicalLocations![0]!.fullyQualifiedName)).not.toEqual(results.map((r) => r.locations[0]!.logicalLocations![0]!.fullyQualifiedName));
    expect(prints(reversed)).toEqual(prints(log));
    const fingerprints = results.map((r) => Object.values(r.partialFingerprints).join());
    expect(new Set(fingerprints).size).toBe(results.length);
  });

  test("a role's pseudo-path keeps its IAM path, and a name IAM would never give is escaped into one path segment", () => {
    const odd = accountSarif(account([], [{ arn: '(not a role ARN: "x/../y")', name: '"x/../y"', message: 'IAM listed a role without a role ARN' }])).runs[0]!.results[0]!;
    expect(odd.locations[0]!.physicalLocation.artifactLocation.uri).toBe(`aws-iam/unlisted/${encodeURIComponent('(not a role ARN: "x/../y")')}`);
    expect(odd.locations[0]!.logicalLocations).toEqual([{ fullyQualifiedName: '(not a role ARN: "x/../y")', kind: 'resource' }]);
  });
});
