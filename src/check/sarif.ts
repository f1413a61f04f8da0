// What the check found as SARIF 2.1.0, for GitHub code scanning (github/codeql-action/upload-sarif): one
// rule per kind of finding, each result on the line that causes it, with a fingerprint that does not move
// with line numbers, so an alert stays one alert across runs and pushes. Pure: the result and the files'
// text in, a SARIF log out.
import type { FoundPolicy } from '../policies/found.ts';
import type { Fix } from './fix.ts';
import { dependsOn, type JudgedRun, type JudgedStranger, type Unoffered } from './judge.ts';
import { jobName, keepOut, letIn, type CheckResult } from './report.ts';

export type RuleId = 'refused-run' | 'stranger-admitted' | 'key-never-offered' | 'undetermined';

interface Rule {
  id: RuleId;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  defaultConfiguration: { level: 'error' | 'warning' };
  properties: { 'security-severity': string; precision: string; tags: string[] };
}

const rule = (id: RuleId, name: string, level: 'error' | 'warning', severity: string, short: string, full: string, help: string): Rule => ({
  id,
  name,
  shortDescription: { text: short },
  fullDescription: { text: full },
  help: { text: help, markdown: help },
  defaultConfiguration: { level },
  properties: { 'security-severity': severity, precision: 'high', tags: ['security', 'aws', 'oidc', 'github-actions'] },
});

// Severity on GitHub's scale (9.0+ critical, 7.0+ high, 4.0+ medium): a stranger holds the role's
// permissions; a condition no token can meet is a door nobody checked; a refused run breaks a deployment.
export const RULES: Rule[] = [
  rule(
    'refused-run',
    'RunWillBeRefused',
    'error',
    '4.0',
    "A workflow's run will be refused by the role's trust policy.",
    "A job of this repository obtains AWS credentials with its OIDC token, and the trust policy of the role it assumes refuses the token that one of the job's runs (a trigger, a branch, an environment) will present: that run fails at sts:AssumeRoleWithWebIdentity, often only after the merge.",
    "Change the trust policy's GitHub statement so that its condition on sub admits the run's subject: the result's message gives the condition, re-checked to admit every run of this repository and no other repository's token. If the run should not get the role, remove the step or restrict the job's triggers instead.",
  ),
  rule(
    'stranger-admitted',
    'StrangerAdmitted',
    'error',
    '9.1',
    "The trust policy admits another repository's token.",
    "The trust policy lets in a token that no workflow of this repository presents: another owner's, a sibling repository's, a look-alike name's (acme/webapp-fork against repo:acme/webapp*), or any repository's. Whoever controls that repository's workflows gets the role's permissions.",
    "Pin the statement's condition on token.actions.githubusercontent.com:sub to this repository's subjects (repo:OWNER/REPO:...), with StringEquals or a StringLike whose wildcards stay inside this repository: the result's message gives the condition, re-checked to admit every run of this repository and no stranger.",
  ),
  rule(
    'key-never-offered',
    'ConditionOnKeyNeverOffered',
    'error',
    '7.5',
    'A condition tests a key that STS never offers for a GitHub token.',
    'The trust policy has a condition on a context key that AssumeRoleWithWebIdentity never sets for a token of GitHub\'s OIDC provider (a misspelt claim, or a claim STS does not map to a key). Such a condition never holds, or, with IfExists or a negated operator, always holds: it does not do what it says.',
    "Use a key STS sets for GitHub's tokens (token.actions.githubusercontent.com:sub, :aud, :actor, :repository, ...) or remove the condition; pin sub to this repository either way.",
  ),
  rule(
    'undetermined',
    'VerdictUndetermined',
    'warning',
    '5.0',
    'Whether the trust policy admits the token depends on a value the source does not give.',
    'The verdict rests on a value the policy source leaves unresolved (a Terraform variable without a value, a CloudFormation parameter, a data source only AWS knows): nothing proves the run admitted, or the stranger refused.',
    'Give the value to the check (--var NAME=VALUE, --var-file FILE, or the action\'s vars and var-files inputs), check a terraform show -json plan, or check the role itself with --from-aws: the result\'s message names what is missing.',
  ),
];

export interface SarifSources {
  /** The path as a URI relative to the repository root, or undefined for what has no file there (a role read from AWS). */
  uri(file: string): string | undefined;
  /** A file's text, to find the line of the condition that decides (undefined when not read). */
  text(file: string): string | undefined;
}

interface Location {
  physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number } };
  message?: { text: string };
}

interface Result {
  ruleId: RuleId;
  ruleIndex: number;
  level: 'error' | 'warning';
  message: { text: string };
  locations: Location[];
  relatedLocations?: (Location & { id: number })[];
  partialFingerprints: Record<string, string>;
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: { tool: { driver: { name: string; informationUri: string; rules: Rule[] } }; columnKind: 'utf16CodeUnits'; results: Result[] }[];
}

// Bump the name if what goes into the hash changes: GitHub compares fingerprints of one name only.
const FINGERPRINT = 'trustCheckFinding/v1';
/** FNV-1a, 64 bits, of the finding's parts: stable, and pure (the check imports nothing of node's). */
function fingerprint(parts: string[]): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(JSON.stringify(parts))) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return hash.toString(16).padStart(16, '0');
}

function location(sources: SarifSources, file: string, line: number | undefined, text?: string): Location | undefined {
  const uri = sources.uri(file);
  if (uri === undefined) return undefined;
  return { physicalLocation: { artifactLocation: { uri, uriBaseId: '%SRCROOT%' }, region: { startLine: Math.max(1, line ?? 1) } }, ...(text ? { message: { text } } : {}) };
}

/**
 * The line of the condition that let a stranger in: the first line that holds one of the values of the
 * deciding statement's condition on sub as the source writes them, else its key (a source that builds the
 * value: `"repo:${local.repo}*"`), looked for from the policy's own line on, then from the file's start
 * (Terraform's policy document often comes before its role); the policy's line when neither is there.
 */
function conditionLine(finding: JudgedStranger, sources: SarifSources): number | undefined {
  const { policy } = finding;
  const index = finding.verdict.deciding?.statement;
  const statement = index === undefined ? undefined : policy.document.Statement[index];
  const conditions = Object.values(statement?.Condition ?? {}).flatMap((keys) => Object.entries(keys).filter(([key]) => key.toLowerCase().endsWith(':sub')));
  return lineOf(policy, sources, [conditions.flatMap(([, v]) => [v as unknown].flat().map(String)), conditions.map(([key]) => key)]);
}

/** The first line that holds one of the first texts wanted, else of the next; the policy's line when none. */
function lineOf(policy: FoundPolicy, sources: SarifSources, wanted: string[][]): number | undefined {
  const text = sources.text(policy.file);
  if (text === undefined) return policy.line;
  const lines = text.split('\n');
  const from = Math.max(0, (policy.line ?? 1) - 1);
  const order = [...lines.keys()].slice(from).concat([...lines.keys()].slice(0, from));
  for (const texts of wanted) {
    const at = order.find((i) => texts.some((w) => w !== '' && lines[i]!.includes(w)));
    if (at !== undefined) return at + 1;
  }
  return policy.line;
}

/** The proposed change to the policy, as the message's last sentence. */
function proposal(policy: FoundPolicy, fixes: Fix[]): string {
  const fix = fixes.find((f) => f.policy === policy);
  if (!fix) return '';
  if (fix.failed) return ` No change found for ${policy.where}: ${fix.failed}.`;
  return ` Proposed change: give the GitHub statement of ${policy.where} the Condition ${JSON.stringify(fix.condition)} (re-checked: admits every run of this repository, and no stranger).`;
}

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ');

function runResult(run: JudgedRun, id: 'refused-run' | 'undetermined', result: CheckResult, sources: SarifSources): Result | undefined {
  const job = location(sources, run.job.workflow, run.job.line);
  if (!job) return undefined;
  const sub = String(run.claims.sub);
  const text =
    id === 'refused-run'
      ? `${jobName(run)}: ${run.predicted.trigger} presents sub ${sub}, which the trust policy of ${run.use.role} (${run.policy.where}) refuses: ${run.verdict.why}.${proposal(run.policy, result.fixes)}`
      : `${jobName(run)}: ${run.predicted.trigger} presents sub ${sub}; whether the trust policy of ${run.use.role} (${run.policy.where}) admits it is unknown: ${dependsOn(run.unresolved ?? [], run.policy)}.`;
  const policy = location(sources, run.policy.file, run.policy.line, `the trust policy ${run.policy.where}`);
  return {
    ruleId: id,
    ruleIndex: RULES.findIndex((r) => r.id === id),
    level: id === 'refused-run' ? 'error' : 'warning',
    message: { text: oneLine(text) },
    locations: [job],
    ...(policy ? { relatedLocations: [{ id: 1, ...policy }] } : {}),
    partialFingerprints: { [FINGERPRINT]: fingerprint([id, run.job.workflow, jobName(run), run.predicted.event, sub, run.use.role, run.policy.where]) },
  };
}

function strangerResult(finding: JudgedStranger, result: CheckResult, sources: SarifSources): Result | undefined {
  const id = finding.unresolved ? 'undetermined' : 'stranger-admitted';
  // A policy read from AWS has no file here: the finding goes on the job that assumes the role.
  const run = result.judgement.runs.find((r) => r.policy === finding.policy);
  const at = location(sources, finding.policy.file, conditionLine(finding, sources)) ?? (run && location(sources, run.job.workflow, run.job.line));
  if (!at) return undefined;
  const sub = String(finding.stranger.claims.sub);
  const text = finding.unresolved
    ? `${finding.policy.where}: whether it admits ${sub} (${finding.stranger.who}) is unknown: ${dependsOn(finding.unresolved, finding.policy)}.`
    : `${finding.policy.where} admits ${letIn(finding)}; ${keepOut(finding, result.fixes).replace(' (the fix below)', '')}.${proposal(finding.policy, result.fixes)}`;
  return {
    ruleId: id,
    ruleIndex: RULES.findIndex((r) => r.id === id),
    level: finding.unresolved ? 'warning' : 'error',
    message: { text: oneLine(text) },
    locations: [at],
    partialFingerprints: { [FINGERPRINT]: fingerprint([id, finding.policy.where, finding.role, finding.stranger.who, sub]) },
  };
}

function unofferedResult(u: Unoffered, sources: SarifSources): Result | undefined {
  const at = location(sources, u.policy.file, lineOf(u.policy, sources, [[`"${u.key}"`, u.key]]));
  if (!at) return undefined;
  const effect = u.holds === 'never' ? (u.effect === 'Allow' ? 'so the statement admits no token' : 'so the Deny never applies') : u.effect === 'Allow' ? 'so it does not restrict the statement' : 'so the Deny applies to every token';
  const text = `${u.policy.where}: statement ${u.statement + 1} (${u.effect}) tests ${u.key} with ${u.operator}, a key STS never sets for a GitHub token: the condition ${u.holds} holds, ${effect}. Use a key STS sets (token.actions.githubusercontent.com:sub, :aud, ...) or remove the condition.`;
  return {
    ruleId: 'key-never-offered',
    ruleIndex: RULES.findIndex((r) => r.id === 'key-never-offered'),
    level: 'error',
    message: { text: oneLine(text) },
    locations: [at],
    partialFingerprints: { [FINGERPRINT]: fingerprint(['key-never-offered', u.policy.where, u.effect, u.operator, u.key]) },
  };
}

export function toSarif(result: CheckResult, sources: SarifSources): SarifLog {
  const { judgement } = result;
  const found = [
    ...judgement.refused.map((run) => runResult(run, 'refused-run', result, sources)),
    ...judgement.undetermined.map((run) => runResult(run, 'undetermined', result, sources)),
    ...judgement.strangers.map((s) => strangerResult(s, result, sources)),
    ...judgement.unoffered.map((u) => unofferedResult(u, sources)),
  ].filter((r) => r !== undefined);
  // Two runs that differ only in what no fingerprint holds (a matrix leg) are one alert.
  const seen = new Set<string>();
  const results = found.filter((r) => {
    const key = r.partialFingerprints[FINGERPRINT]!;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'trust-check', informationUri: 'https://github.com/oidc-aws-credentials/oidc-aws-credentials#trust-check-know-before-the-merge', rules: RULES } }, columnKind: 'utf16CodeUnits', results }],
  };
}
