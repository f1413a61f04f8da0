// What the check found, for a person (tables per role, strangers, the fix), for a workflow (annotations
// and a job summary) and for tools (--json, a shape kept stable). Pure: text in, text out.
import type { Claims } from '../github/claims.ts';
import { OWN_TEMPLATE } from '../github/strangers.ts';
import type { FoundPolicy } from '../policies/found.ts';
import { asCloudFormation, asTerraform, type Fix } from './fix.ts';
import { dependsOn, isUnnamed, notOffered, STAND_IN_ACCOUNT, type JudgedRun, type JudgedStranger, type Judgement, type Unoffered } from './judge.ts';
import { markdownText, oneLine, printable } from './one-line.ts';

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
  /** Runs that present no token because an `if:` is false for them. */
  excluded: { workflow: string; line: number; job: string; event: string; trigger: string; why: string }[];
  assumed: string[];
  /** Conditions on claims STS does not offer: a Deny's that never holds is a finding. */
  unoffered: { policy: string; statement: number; effect: string; operator: string; key: string; holds: string }[];
}

/** A Deny whose condition tests a key STS does not offer, and so never applies: the author believes it keeps runs out. */
const deadDenies = (judgement: Judgement): Unoffered[] => judgement.unoffered.filter((u) => u.effect === 'Deny' && u.holds === 'never');

/** 0: every run admitted and no stranger; 1: findings; 2: some input could not be read. */
export function exitCode(result: CheckResult): 0 | 1 | 2 {
  if (result.errors.length > 0) return 2;
  const { refused, undetermined, strangers } = result.judgement;
  return refused.length + undetermined.length + strangers.length + deadDenies(result.judgement).length > 0 ? 1 : 0;
}

/** The finding for a Deny that never applies. */
export function deadDenyText(u: Unoffered): string {
  // The key and operator are the policy's own text: one line, whatever they hold.
  return `${u.policy.where} statement ${u.statement + 1} (Deny): ${u.operator} ${notOffered(u.key)}: this Deny never applies, and admits what it was meant to keep out`.replace(/\s*\n\s*/g, ' ');
}

/** A run's sub as printed: a run GitHub issues no token for has none. */
const subOf = (run: JudgedRun): string => (run.noToken ? '(no token)' : String(run.claims.sub));

const excludedWhy = (e: Judgement['excluded'][number]): string => `the ${e.of}'s if: ${e.condition} is false for this run`;

export const jobName = (run: Pick<JudgedRun, 'job'>): string => [run.job.job, ...run.job.called.map((c) => c.job)].join(' / ');

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
  const id = fix ? Object.entries(fix.condition.StringEquals ?? {}).find(([k]) => k.toLowerCase().endsWith(':repository_id'))?.[1] : undefined;
  // A stranger with its own template needs a sub that names the repository, which no value can forge (':' is written %3A).
  const own = finding.stranger.who.startsWith(OWN_TEMPLATE);
  if (subs.length > 0) return `keep it out: pin sub to ${subs.map((s) => `'${s}'`).join(', ')}${id ? ` and repository_id to '${String(id)}'` : ''} (the fix below)`;
  return own ? 'keep it out: pin repo: first in sub (a subject template that starts with repo), pin repository_id, or both' : 'keep it out: pin sub to this repository (repo:OWNER/REPO:...)';
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
      why: standIn(run.verdict.why),
    })),
    strangers: result.judgement.strangers.map((s) => ({
      policy: s.policy.where,
      role: s.role,
      claims: s.stranger.claims,
      why: strangerWhy(s, result.fixes),
    })),
    excluded: result.judgement.excluded.map((e) => ({ workflow: e.job.workflow, line: e.job.line, job: jobName(e), event: e.event, trigger: e.trigger, why: excludedWhy(e) })),
    assumed: onceEach(result.assumed).map(standIn),
    unoffered: result.judgement.unoffered.map((u) => ({ policy: u.policy.where, statement: u.statement + 1, effect: u.effect, operator: u.operator, key: u.key, holds: u.holds })),
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
const verdictText = (run: JudgedRun): string =>
  run.unresolved ? `UNKNOWN (${dependsOn(run.unresolved, run.policy)})` : run.verdict.allowed ? 'admitted' : `REFUSED: ${standIn(run.verdict.why)}`;

const runLabel = (run: JudgedRun): string => `${run.job.workflow}:${run.job.line} ${jobName(run)}: ${run.predicted.trigger}${run.use.profile ? ` (profile ${run.use.profile})` : ''}`;

function runBlock(run: JudgedRun): string[] {
  const what = runLabel(run);
  const sub = `sub ${subOf(run)}`;
  if (run.unresolved) return block('UNKNOWN', [what, sub, dependsOn(run.unresolved, run.policy)]);
  return run.verdict.allowed ? block('admitted', [what, sub]) : block('REFUSED', [what, sub, standIn(run.verdict.why)]);
}

/** A run of a role only the run knows: admitted by the policies that admit it, else as the judgement counted it. */
function unnamedBlock(run: JudgedRun, judged: JudgedRun[], judgement: Judgement): string[] {
  const verdict = unnamedVerdict(judged, judgement);
  const label = verdict.startsWith('admitted') ? 'admitted' : verdict.startsWith('UNKNOWN') ? 'UNKNOWN' : 'REFUSED';
  // The block's verdict is said once: beneath it, only what follows it.
  const why = label === 'REFUSED' ? verdict.replace(/^REFUSED: /, '') : label === 'UNKNOWN' ? verdict.replace(/^UNKNOWN \((.*)\)$/s, '$1') : verdict;
  return block(label, [runLabel(run), `sub ${subOf(run)}`, why]);
}

const strangerBlock = (s: JudgedStranger, fixes: Fix[]): string[] =>
  block(s.unresolved ? 'UNKNOWN' : 'ADMITTED', [`sub ${String(s.stranger.claims.sub)}`, `by ${s.policy.where}`, s.unresolved ? dependsOn(s.unresolved, s.policy) : strangerWhy(s, fixes)]);

/** A text that shows the stand-in account says it is one: a reader must not take it for theirs. */
export const standIn = (text: string): string =>
  text.includes(STAND_IN_ACCOUNT) && !text.includes('stand-in') ? `${text} (${STAND_IN_ACCOUNT} is a stand-in account: no source names the role's account)` : text;

/**
 * Each fact once: the same note about several jobs or policies ("WHERE: FACT") becomes one line naming
 * them all; a note made twice is listed once.
 */
export function onceEach(assumed: string[]): string[] {
  const facts = new Map<string, string[]>();
  const split = (note: string): [string, string] => {
    // WHERE is a file, optionally with "#resource" or " job NAME": never a sentence.
    const match = /^([^\s:]+(?:#[^\s:]+)?(?: job [^\s:]+)?): (.+)$/s.exec(note);
    return match ? [match[2]!, match[1]!] : [note, ''];
  };
  for (const note of assumed) {
    const [fact, where] = split(note);
    const places = facts.get(fact) ?? [];
    if (!places.includes(where)) places.push(where);
    facts.set(fact, places);
  }
  return [...facts].map(([fact, places]) => {
    const named = places.filter(Boolean);
    if (named.length === 0) return fact;
    if (named.length === 1 && places.length === 1) return `${named[0]}: ${fact}`;
    // Several jobs of one workflow: "deploy.yml jobs a, b".
    const byFile = new Map<string, string[]>();
    for (const place of named) {
      const [file, job] = place.split(' job ');
      byFile.set(file!, [...(byFile.get(file!) ?? []), ...(job === undefined ? [] : [job])]);
    }
    const said = [...byFile].map(([file, jobs]) => (jobs.length === 0 ? file : `${file} job${jobs.length > 1 ? 's' : ''} ${jobs.join(', ')}`));
    return `${fact} (${said.join('; ')})`;
  });
}

/** One run of a role only the run knows, judged by every policy: admitted by those that admit it, else as the judgement counted it. */
function unnamedVerdict(judged: JudgedRun[], judgement: Judgement): string {
  const admitting = judged.filter((r) => r.verdict.allowed).map((r) => r.policy.where);
  if (admitting.length > 0) return `admitted by ${admitting.join(', ')}`;
  const counted = [...judgement.refused, ...judgement.undetermined].find((r) => r.predicted === judged[0]!.predicted && r.use === judged[0]!.use);
  return counted ? verdictText(counted) : verdictText(judged[0]!);
}

const strangerWhy = (s: JudgedStranger, fixes: Fix[]): string => standIn(s.unresolved ? s.verdict.why : `${letIn(s)}; ${keepOut(s, fixes)}`);

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
  if (JSON.stringify(statement).includes(`::${STAND_IN_ACCOUNT}:`)) parts.push(`(${STAND_IN_ACCOUNT} is a stand-in account for the role's, which neither the workflows nor the policy name: keep your own provider ARN)`);
  const format = sourceFormat(policy);
  if (format === 'terraform') parts.push('As Terraform (condition blocks of an aws_iam_policy_document):', asTerraform(fix.condition));
  if (format === 'cloudformation') parts.push('As CloudFormation (the statement\'s Condition):', asCloudFormation(fix.condition));
  return parts.join('\n');
}

/** For a person: a block per run under its role, then the strangers, then the fix, then what was assumed. */
export function toText(found: CheckResult): string {
  const result = printable(found);
  const out: string[] = [];
  for (const error of result.errors) out.push(errorLine(error));
  for (const [key, runs] of groups(result.judgement.runs.filter((r) => !isUnnamed(r.use.role)))) {
    const [role, where] = key.split('\n');
    out.push('', `Role ${role}, trust policy ${where}`);
    out.push(...runs.flatMap(runBlock));
  }
  // A role only the run knows: one block per run, with the policies given that admit it (it is one run, whichever role it is).
  for (const role of new Set(result.judgement.runs.map((r) => r.use.role).filter(isUnnamed))) {
    const runs = result.judgement.runs.filter((r) => r.use.role === role);
    const once = [...new Map(runs.map((r) => [r.predicted, r] as const)).values()];
    out.push('', `Role ${role} (known only to the run: tried against every policy given that trusts GitHub)`);
    out.push(...once.flatMap((run) => unnamedBlock(run, runs.filter((r) => r.predicted === run.predicted), result.judgement)));
  }
  if (result.judgement.runs.length === 0) out.push('', 'No run of a job that obtains AWS credentials was matched with a trust policy.');
  // A role only the run knows: which of the policies given would admit all of its runs.
  for (const role of new Set(result.judgement.runs.map((r) => r.use.role).filter(isUnnamed))) {
    const runs = result.judgement.runs.filter((r) => r.use.role === role);
    const policies = [...new Set(runs.map((r) => r.policy.where))];
    const admitting = policies.filter((where) => runs.filter((r) => r.policy.where === where).every((r) => r.verdict.allowed));
    out.push('', `${role}: ${admitting.length > 0 ? `every run is admitted by ${admitting.join(', ')}` : 'no policy given admits every run'}${admitting.length < policies.length ? `; not by ${policies.filter((p) => !admitting.includes(p)).join(', ')}` : ''}`);
  }
  const dead = deadDenies(result.judgement);
  if (dead.length > 0) out.push('', 'Deny conditions that never apply:', ...dead.map((u) => `  - ${deadDenyText(u)}`));
  if (result.judgement.strangers.length > 0) {
    out.push('', `Strangers: tokens that are not this repository's, admitted${result.judgement.strangers.some((s) => s.unresolved) ? ' (or UNKNOWN: they may be)' : ''}`);
    out.push(...result.judgement.strangers.flatMap((s) => strangerBlock(s, result.fixes)));
  }
  for (const fix of result.fixes) out.push('', fixText(fix, fix.policy));
  if (result.judgement.excluded.length > 0) {
    out.push('', 'Not run: no token, because an if: is false for the run');
    out.push(...result.judgement.excluded.flatMap((e) => block('NOT RUN', [`${e.job.workflow}:${e.job.line} ${jobName(e)}: ${e.trigger}`, excludedWhy(e)])));
  }
  if (result.assumed.length > 0) out.push('', 'Assumed:', ...onceEach(result.assumed).map((a) => `  - ${standIn(a.replace(/\s*\n\s*/g, ' '))}`));
  out.push('', summaryLine(result));
  return out.join('\n').replace(/^\n/, '').split('\n').flatMap(fit).join('\n');
}

/** The last line: what was found, and how much was judged to find it (nothing judged is no all-clear). */
function summaryLine(result: CheckResult): string {
  const { runs, tried, refused, undetermined, strangers } = result.judgement;
  const judged = `${runs.length} run(s) judged, ${tried.length} stranger token(s) tried`;
  const admitted = strangers.filter((s) => !s.unresolved).length;
  const unknown = undetermined.length + strangers.length - admitted;
  const dead = deadDenies(result.judgement).length;
  if (refused.length + strangers.length + undetermined.length + dead > 0)
    return `${refused.length} refused run(s), ${admitted} stranger(s) admitted${unknown > 0 ? `, ${unknown} verdict(s) UNKNOWN (unresolved values)` : ''}${dead > 0 ? `, ${dead} Deny condition(s) that never apply` : ''}.`;
  if (runs.length === 0) return `Nothing was judged: no run was matched with a trust policy${result.errors.length > 0 ? `, and ${result.errors.length} file(s) could not be read` : ''}.`;
  return `Every predicted run is admitted, and no stranger (${judged}).`;
}

// Workflow commands: properties escape %, CR, LF, ':' and ','; messages %, CR and LF.
export const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
/** An input error as a line of a terminal's report or stderr. */
export const errorLine = (e: InputError): string => `error: ${oneLine(e.file)}${e.line ? `:${e.line}` : ''}: ${oneLine(e.message)}`;

/** An error the check stops at: an annotation in a workflow, a line of stderr elsewhere. */
export const fatalLine = (message: string, inWorkflow: boolean): string => (inWorkflow ? `::error::${escapeData(oneLine(message))}` : `error: ${oneLine(message)}`);

// A policy read from AWS (`aws:ARN`) has no file in the repository to annotate.
const command = (file: string, line: number | undefined, message: string) =>
  file.startsWith('aws:') ? `::error::${escapeData(message)}` : `::error file=${escapeProperty(file)}${line ? `,line=${line}` : ''}::${escapeData(message)}`;

/** One `::error` per refused run (on its job), per admitted stranger (on the policy) and per unreadable file. */
export function annotations(found: CheckResult): string[] {
  const result = printable(found);
  const lines = result.errors.map((e) => command(e.file, e.line, e.message));
  const seen = new Set<string>();
  for (const run of result.judgement.refused) {
    const policy = isUnnamed(run.use.role) ? `no trust policy given admits (${run.use.role} is known only to the run)` : `the trust policy of ${run.use.role} (${run.policy.where}) refuses`;
    const message = run.noToken ? `${jobName(run)}: ${run.predicted.trigger}: ${run.noToken}` : `${jobName(run)}: ${run.predicted.trigger} presents sub ${String(run.claims.sub)}, which ${policy}: ${run.verdict.why}`;
    if (seen.has(message)) continue;
    seen.add(message);
    lines.push(command(run.job.workflow, run.job.line, standIn(message)));
  }
  for (const run of result.judgement.undetermined) {
    const message = `${jobName(run)}: ${run.predicted.trigger} presents sub ${String(run.claims.sub)}; whether the trust policy of ${run.use.role} (${run.policy.where}) admits it is unknown: ${dependsOn(run.unresolved ?? [], run.policy)}`;
    if (seen.has(message)) continue;
    seen.add(message);
    lines.push(command(run.job.workflow, run.job.line, message));
  }
  for (const u of deadDenies(result.judgement)) lines.push(command(u.policy.file, u.policy.line, deadDenyText(u)));
  for (const s of result.judgement.strangers)
    lines.push(command(s.policy.file, s.policy.line, s.unresolved ? `${s.policy.where}: whether it admits ${String(s.stranger.claims.sub)} is unknown: ${dependsOn(s.unresolved, s.policy)}` : `${s.policy.where} admits ${letIn(s)}; ${keepOut(s, result.fixes)}`));
  return lines;
}

const cell = markdownText;

/** The job summary: a table of every run and verdict, then the strangers. */
export function summary(found: CheckResult): string {
  const result = printable(found);
  const { runs } = result.judgement;
  // A role only the run knows is one row per run, with the policies that admit it.
  const once = runs.filter((run) => !isUnnamed(run.use.role) || runs.find((r) => r.predicted === run.predicted && r.use === run.use) === run);
  const verdict = (run: JudgedRun) => {
    if (isUnnamed(run.use.role)) {
      const text = unnamedVerdict(runs.filter((r) => r.predicted === run.predicted && r.use === run.use), result.judgement);
      return text.startsWith('admitted') ? `✅ ${cell(text)}` : text.startsWith('UNKNOWN') ? `❔ ${cell(text)}` : `❌ ${cell(text)}`;
    }
    return run.unresolved ? `❔ unknown: ${cell(dependsOn(run.unresolved, run.policy))}` : run.verdict.allowed ? '✅ admitted' : `❌ refused: ${cell(standIn(run.verdict.why))}`;
  };
  const rows = once.map((run) => `| ${cell(`${run.job.workflow} ${jobName(run)}`)} | ${cell(run.predicted.trigger)} | <code>${cell(subOf(run))}</code> | ${cell(run.use.role)} | ${verdict(run)} |`);
  const out = ['## Trust check', '', '| Job | Run | sub | Role | Verdict |', '| --- | --- | --- | --- | --- |', ...rows];
  if (result.judgement.strangers.length > 0) {
    out.push('', '### Strangers admitted', '', '| Policy | sub | Why |', '| --- | --- | --- |');
    for (const s of result.judgement.strangers) out.push(`| ${cell(s.policy.where)} | <code>${cell(String(s.stranger.claims.sub))}</code> | ${cell(s.unresolved ? `unknown: ${dependsOn(s.unresolved, s.policy)}` : letIn(s))} |`);
  }
  for (const fix of result.fixes.filter((f) => !f.failed)) out.push('', `### Fix for ${cell(fix.policy.where)}`, '', '```json', JSON.stringify(fix.condition, null, 2), '```');
  return `${out.join('\n')}\n`;
}
