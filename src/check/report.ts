// What the check found, for a person (tables per role, strangers, the fix), for a workflow (annotations
// and a job summary) and for tools (--json, a shape kept stable). Pure: text in, text out.
import type { Claims } from '../github/claims.ts';
import type { FoundPolicy } from '../policies/found.ts';
import { asCloudFormation, asTerraform, type Fix } from './fix.ts';
import { dependsOn, isUnnamed, STAND_IN_ACCOUNT, type JudgedRun, type JudgedStranger, type Judgement } from './judge.ts';

export interface InputError {
  file: string;
  line?: number;
  message: string;
}

export interface CheckResult {
  judgement: Judgement;
  fixes: Fix[];
  /** Files that could not be read as what they should be: workflows, policies. */
  errors: InputError[];
  assumed: string[];
}

export interface JsonReport {
  runs: {
    workflow: string;
    line: number;
    job: string;
    event: string;
    ref: string;
    environment: string | null;
    role: string;
    policy: string;
    claims: Claims;
    admitted: boolean;
    why: string;
  }[];
  strangers: { policy: string; role: string; claims: Claims; why: string }[];
  assumed: string[];
}

/** 0: every run admitted and no stranger; 1: findings; 2: some input could not be read. */
export function exitCode(result: CheckResult): 0 | 1 | 2 {
  if (result.errors.length > 0) return 2;
  const { refused, undetermined, strangers } = result.judgement;
  return refused.length + undetermined.length + strangers.length > 0 ? 1 : 0;
}

export const jobName = (run: JudgedRun): string => [run.job.job, ...run.job.called.map((c) => c.job)].join(' / ');

/** Why a stranger got in: the condition on `sub` of the statement that admitted it, or its absence. */
export function letIn(finding: JudgedStranger): string {
  const index = finding.verdict.deciding?.statement;
  const statement = index === undefined ? undefined : finding.policy.document.Statement[index];
  const sub = String(finding.stranger.claims.sub);
  const on = Object.entries(statement?.Condition ?? {}).flatMap(([operator, keys]) =>
    Object.entries(keys)
      .filter(([key]) => key.toLowerCase().endsWith(':sub'))
      .map(([, values]) => `${operator} sub ${[values].flat().map((v) => `'${String(v)}'`).join(' or ')}`),
  );
  const label = index === undefined ? 'the policy' : `statement ${index + 1}`;
  const door = on.length > 0 ? `${label} admits it: ${on.join(' and ')} lets in '${sub}'` : `${label} admits it: it has no condition on sub, so any repository's token gets in`;
  return `${finding.stranger.who}: ${door}`;
}

export function keepOut(finding: JudgedStranger, fixes: Fix[]): string {
  const fix = fixes.find((f) => f.policy === finding.policy && !f.failed);
  const subs = fix ? [fix.condition.StringLike?.[Object.keys(fix.condition.StringLike).find((k) => k.toLowerCase().endsWith(':sub')) ?? ''] ?? []].flat() : [];
  return subs.length > 0 ? `keep it out: pin sub to ${subs.map((s) => `'${s}'`).join(', ')} (the fix below)` : 'keep it out: pin sub to this repository (repo:OWNER/REPO:...)';
}

export function toJson(result: CheckResult): JsonReport {
  return {
    runs: result.judgement.runs.map((run) => ({
      workflow: run.job.workflow,
      line: run.job.line,
      job: jobName(run),
      event: run.predicted.event,
      ref: run.predicted.run.ref,
      environment: run.predicted.run.environment ?? null,
      role: run.use.role,
      policy: run.policy.where,
      claims: run.claims,
      admitted: run.verdict.allowed,
      why: run.verdict.why,
    })),
    strangers: result.judgement.strangers.map((s) => ({
      policy: s.policy.where,
      role: s.role,
      claims: s.stranger.claims,
      why: strangerWhy(s, result.fixes),
    })),
    assumed: result.assumed,
  };
}

/** The widest a line of the text report gets: a terminal of 100 columns shows it without wrapping. */
export const WIDTH = 100;

/**
 * `text` after `first`, in lines of at most WIDTH columns: broken at spaces; a word longer than a whole line
 * (an ARN, a quoted expression) is cut where the line ends. A continuation line starts with `hang` spaces
 * (at least 2), so no line the report wraps can start with `::`.
 */
export function wrap(text: string, first: string, hang: number): string[] {
  const indent = ' '.repeat(Math.max(2, hang));
  const out: string[] = [];
  let line = first;
  let bare = true; // nothing of text on this line yet
  for (let word of text.replace(/\s*\n\s*/g, ' ').split(' ')) {
    for (;;) {
      const joined = bare ? word : ` ${word}`;
      if (line.length + joined.length <= WIDTH) {
        line += joined;
        bare = false;
        break;
      }
      if (!bare) {
        out.push(line);
        [line, bare] = [indent, true];
        continue;
      }
      const room = Math.max(1, WIDTH - line.length);
      out.push(line + word.slice(0, room));
      [line, word] = [indent, word.slice(room)];
      if (word === '') break;
    }
  }
  return [...out, line];
}

/** A line of the report as it is, or wrapped under its own indentation. */
const fit = (line: string): string[] => {
  if (line.length <= WIDTH) return [line];
  const lead = /^ */.exec(line)![0];
  return wrap(line.slice(lead.length), lead, lead.length + 2);
};

// A block per run or stranger: the verdict, what it is about on the next lines, then why, all under column 12.
const HANG = 12;
const block = (verdict: string, lines: string[]): string[] =>
  lines.flatMap((text, i) => wrap(text, i === 0 ? `  ${verdict.padEnd(HANG - 2)}` : ' '.repeat(HANG), HANG));

const groups = (runs: JudgedRun[]): Map<string, JudgedRun[]> => {
  const byRole = new Map<string, JudgedRun[]>();
  for (const run of runs) {
    const key = `${run.use.role}\n${run.policy.where}`;
    byRole.set(key, [...(byRole.get(key) ?? []), run]);
  }
  return byRole;
};

// A verdict resting on a value the source left unresolved says what to give rather than guessing.
function runBlock(run: JudgedRun): string[] {
  const what = `${run.job.workflow}:${run.job.line} ${jobName(run)}: ${run.predicted.trigger}${run.use.profile ? ` (profile ${run.use.profile})` : ''}`;
  const sub = `sub ${String(run.claims.sub)}`;
  if (run.unresolved) return block('UNKNOWN', [what, sub, dependsOn(run.unresolved)]);
  return run.verdict.allowed ? block('admitted', [what, sub]) : block('REFUSED', [what, sub, run.verdict.why]);
}

const strangerBlock = (s: JudgedStranger, fixes: Fix[]): string[] =>
  block(s.unresolved ? 'UNKNOWN' : 'ADMITTED', [`sub ${String(s.stranger.claims.sub)}`, `by ${s.policy.where}`, s.unresolved ? dependsOn(s.unresolved) : `${letIn(s)}; ${keepOut(s, fixes)}`]);

const strangerWhy = (s: JudgedStranger, fixes: Fix[]): string => (s.unresolved ? s.verdict.why : `${letIn(s)}; ${keepOut(s, fixes)}`);

/** Terraform files and plans name Terraform resources (`#aws_iam_role.x`); templates name logical IDs; a bare document is JSON. */
function sourceFormat(policy: FoundPolicy): 'terraform' | 'cloudformation' | 'json' {
  if (policy.file.endsWith('.tf') || policy.where.includes('#aws_') || policy.where.includes('#data.aws_')) return 'terraform';
  return policy.where.includes('#') && !policy.where.startsWith('aws:') ? 'cloudformation' : 'json';
}

function fixText(fix: Fix, policy: FoundPolicy): string {
  if (fix.failed) return `No change found for ${policy.where}: ${fix.failed}`;
  const statement = fix.document.Statement.at(-1);
  const parts = [`Change the GitHub statement of ${policy.where} to (re-checked: admits every run above, and no stranger):`, JSON.stringify(statement, null, 2)];
  // No source named the account: the provider's ARN shows the stand-in, which is not the reader's to copy.
  if (JSON.stringify(statement).includes(`::${STAND_IN_ACCOUNT}:`)) parts.push(`(${STAND_IN_ACCOUNT} stands for the role's account, which neither the workflows nor the policy name: keep your own provider ARN)`);
  const format = sourceFormat(policy);
  if (format === 'terraform') parts.push('As Terraform (condition blocks of an aws_iam_policy_document):', asTerraform(fix.condition));
  if (format === 'cloudformation') parts.push('As CloudFormation (the statement\'s Condition):', asCloudFormation(fix.condition));
  return parts.join('\n');
}

/** For a person: a block per run under its role, then the strangers, then the fix, then what was assumed. */
export function toText(result: CheckResult): string {
  const out: string[] = [];
  for (const error of result.errors) out.push(`error: ${error.file}${error.line ? `:${error.line}` : ''}: ${error.message}`);
  for (const [key, runs] of groups(result.judgement.runs)) {
    const [role, where] = key.split('\n');
    out.push('', `Role ${role}, trust policy ${where}${isUnnamed(role!) ? ' (the role is known only to the run: tried against this policy)' : ''}`);
    out.push(...runs.flatMap(runBlock));
  }
  if (result.judgement.runs.length === 0) out.push('', 'No run of a job that obtains AWS credentials was matched with a trust policy.');
  // A role only the run knows: which of the policies given would admit all of its runs.
  for (const role of new Set(result.judgement.runs.map((r) => r.use.role).filter(isUnnamed))) {
    const runs = result.judgement.runs.filter((r) => r.use.role === role);
    const policies = [...new Set(runs.map((r) => r.policy.where))];
    const admitting = policies.filter((where) => runs.filter((r) => r.policy.where === where).every((r) => r.verdict.allowed));
    out.push('', `${role}: ${admitting.length > 0 ? `every run is admitted by ${admitting.join(', ')}` : 'no policy given admits every run'}${admitting.length < policies.length ? `; not by ${policies.filter((p) => !admitting.includes(p)).join(', ')}` : ''}`);
  }
  if (result.judgement.strangers.length > 0) {
    out.push('', `Strangers: tokens that are not this repository's, admitted${result.judgement.strangers.some((s) => s.unresolved) ? ' (or UNKNOWN: they may be)' : ''}`);
    out.push(...result.judgement.strangers.flatMap((s) => strangerBlock(s, result.fixes)));
  }
  for (const fix of result.fixes) out.push('', fixText(fix, fix.policy));
  if (result.assumed.length > 0) out.push('', 'Assumed:', ...result.assumed.map((a) => `  - ${a.replace(/\s*\n\s*/g, ' ')}`));
  out.push('', summaryLine(result));
  return out.join('\n').replace(/^\n/, '').split('\n').flatMap(fit).join('\n');
}

/** The last line: what was found, and how much was judged to find it (nothing judged is no all-clear). */
function summaryLine(result: CheckResult): string {
  const { runs, tried, refused, undetermined, strangers } = result.judgement;
  const judged = `${runs.length} run(s) judged, ${tried.length} stranger token(s) tried`;
  const admitted = strangers.filter((s) => !s.unresolved).length;
  const unknown = undetermined.length + strangers.length - admitted;
  if (refused.length + strangers.length + undetermined.length > 0)
    return `${refused.length} refused run(s), ${admitted} stranger(s) admitted${unknown > 0 ? `, ${unknown} verdict(s) UNKNOWN (unresolved values)` : ''}.`;
  if (runs.length === 0) return `Nothing was judged: no run was matched with a trust policy${result.errors.length > 0 ? `, and ${result.errors.length} file(s) could not be read` : ''}.`;
  return `Every predicted run is admitted, and no stranger (${judged}).`;
}

// Workflow commands: properties escape %, CR, LF, ':' and ','; messages %, CR and LF.
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
// A policy read from AWS (`aws:ARN`) has no file in the repository to annotate.
const command = (file: string, line: number | undefined, message: string) =>
  file.startsWith('aws:') ? `::error::${escapeData(message)}` : `::error file=${escapeProperty(file)}${line ? `,line=${line}` : ''}::${escapeData(message)}`;

/** One `::error` per refused run (on its job), per admitted stranger (on the policy) and per unreadable file. */
export function annotations(result: CheckResult): string[] {
  const lines = result.errors.map((e) => command(e.file, e.line, e.message));
  const seen = new Set<string>();
  for (const run of result.judgement.refused) {
    const message = `${jobName(run)}: ${run.predicted.trigger} presents sub ${String(run.claims.sub)}, which the trust policy of ${run.use.role} (${run.policy.where}) refuses: ${run.verdict.why}`;
    if (seen.has(message)) continue;
    seen.add(message);
    lines.push(command(run.job.workflow, run.job.line, message));
  }
  for (const run of result.judgement.undetermined) {
    const message = `${jobName(run)}: ${run.predicted.trigger} presents sub ${String(run.claims.sub)}; whether the trust policy of ${run.use.role} (${run.policy.where}) admits it is unknown: ${dependsOn(run.unresolved ?? [])}`;
    if (seen.has(message)) continue;
    seen.add(message);
    lines.push(command(run.job.workflow, run.job.line, message));
  }
  for (const s of result.judgement.strangers)
    lines.push(command(s.policy.file, s.policy.line, s.unresolved ? `${s.policy.where}: whether it admits ${String(s.stranger.claims.sub)} is unknown: ${dependsOn(s.unresolved)}` : `${s.policy.where} admits ${letIn(s)}; ${keepOut(s, result.fixes)}`));
  return lines;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The job summary: a table of every run and verdict, then the strangers. */
export function summary(result: CheckResult): string {
  const rows = result.judgement.runs.map(
    (run) => `| ${cell(`${run.job.workflow} ${jobName(run)}`)} | ${cell(run.predicted.trigger)} | \`${cell(String(run.claims.sub))}\` | ${cell(run.use.role)} | ${run.unresolved ? `❔ unknown: ${cell(dependsOn(run.unresolved))}` : run.verdict.allowed ? '✅ admitted' : `❌ refused: ${cell(run.verdict.why)}`} |`,
  );
  const out = ['## Trust check', '', '| Job | Run | sub | Role | Verdict |', '| --- | --- | --- | --- | --- |', ...rows];
  if (result.judgement.strangers.length > 0) {
    out.push('', '### Strangers admitted', '', '| Policy | sub | Why |', '| --- | --- | --- |');
    for (const s of result.judgement.strangers) out.push(`| ${cell(s.policy.where)} | \`${cell(String(s.stranger.claims.sub))}\` | ${cell(s.unresolved ? `unknown: ${dependsOn(s.unresolved)}` : letIn(s))} |`);
  }
  for (const fix of result.fixes.filter((f) => !f.failed)) out.push('', `### Fix for ${fix.policy.where}`, '', '```json', JSON.stringify(fix.condition, null, 2), '```');
  return `${out.join('\n')}\n`;
}
