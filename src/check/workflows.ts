// The workflows, as GitHub parses them: every job that obtains AWS credentials, the roles its steps
// assume, and the triggers that start it. Local reusable workflows are followed, so a called job is
// listed once per caller, with the caller's triggers. Pure: the caller supplies the files' text.
import { convertWorkflowTemplate, isBasicExpression, isBoolean, isMapping, isNumber, isSequence, isString, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import type { EventsConfig, ReusableWorkflowJob, WorkflowJob } from '@actions/workflow-parser/model/workflow-template';
import type { MappingToken } from '@actions/workflow-parser/templates/tokens/mapping-token';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import { isMap, isScalar, LineCounter, parse as parseYaml, parseDocument } from 'yaml';
import { aliasProblem } from '../policies/yaml-aliases.ts';

export interface WorkflowFile {
  /** As shown in reports and annotations, e.g. '.github/workflows/deploy.yml'. */
  path: string;
  text: string;
}

/** A step that obtains credentials: this action or aws-actions/configure-aws-credentials. */
export interface CredentialStep {
  uses: string;
  line: number;
  /** The step's `with:` values as written (an expression stays `${{ … }}`). */
  roleToAssume?: string;
  profiles?: string;
  audience?: string;
  awsProfile?: string;
  profilesFile?: string;
  /** The input that makes the step obtain credentials some way other than the workflow's OIDC token. */
  notOidc?: string;
  /** The step's `if:`, as written. */
  if?: string;
}

/** A job's `environment:`: a name, or an expression only a run can resolve. */
export type Environment = { name: string } | { expression: string };

/** An input a workflow declares (`on.workflow_dispatch.inputs`, `on.workflow_call.inputs`), typed as GitHub types it. */
export interface DeclaredInput {
  type: 'boolean' | 'number' | 'choice' | 'string' | 'environment';
  /** What the input is when the run gives none: the default, else GitHub's false, 0, '' (a choice's first option). */
  value: boolean | number | string;
  options?: string[];
}

/**
 * A value in a reusable workflow's inputs context: typed, or text with `${{ … }}` of the caller's run
 * (resolved for each run), or undefined when only the run knows it.
 */
export type CalledInput = string | number | boolean | undefined;

/** An `if:` of the job or of a job that calls it, with the inputs context it reads (a reusable workflow's; none: the run's own). */
export interface Condition {
  if: string;
  inputs?: Record<string, { type: DeclaredInput['type']; value: CalledInput }>;
}

export interface CredentialJob {
  /** The workflow whose triggers start the job, and the job there (the caller, for a reusable workflow). */
  workflow: string;
  /** That workflow's `name:` (its path when it has none): the token's `workflow` claim. */
  name: string;
  job: string;
  line: number;
  events: EventsConfig;
  /** The inputs the starting workflow's workflow_dispatch declares. */
  dispatchInputs?: Record<string, DeclaredInput>;
  /** In a reusable workflow: the inputs context its steps and environment read. */
  calledInputs?: Condition['inputs'];
  /** The reusable workflows the job runs in, outermost first; their last file holds the steps. */
  called: { workflow: string; job: string; line: number; jobWorkflowRef?: string }[];
  environment?: Environment;
  /** The `if:` of the job and of each job that calls it: all must hold for it to run. */
  conditions: Condition[];
  steps: CredentialStep[];
  /** The file that holds the steps has `workflow_call`: other repositories may call it (and present its job_workflow_ref). */
  callable?: boolean;
}

export interface WorkflowError {
  file: string;
  line?: number;
  message: string;
}

/** A local action's metadata (`action.yml` or `action.yaml`) by its folder as `uses: ./FOLDER` names it; undefined when there is none. */
export type ReadAction = (folder: string) => string | undefined;

export interface ReadWorkflows {
  jobs: CredentialJob[];
  errors: WorkflowError[];
  assumed: string[];
}

// configure-aws-credentials, and this action under any owner (a fork, a mirror) or as the checkout itself.
const CREDENTIAL_ACTIONS = [/^aws-actions\/configure-aws-credentials@/i, /^[\w.-]+\/oidc-aws-credentials@/i, /^\.\/?$/];
// With these, role-to-assume is assumed with keys, a token file or the credentials already there.
const NOT_OIDC = ['aws-access-key-id', 'web-identity-token-file', 'role-chaining'];
const LOCAL_WORKFLOW = /^\.\/\.github\/workflows\/([^/@]+\.ya?ml)$/;
// `uses: OWNER/REPO/.github/workflows/FILE@REF`: a reusable workflow in another repository (or this one, by name).
const REMOTE_WORKFLOW = /^([\w.-]+)\/([\w.-]+)\/(\.github\/workflows\/[\w.-]+\.ya?ml)@([\w./-]+)$/;

/** A reusable workflow in another repository, as a `uses:` names it. */
export interface RemoteWorkflow {
  owner: string;
  repo: string;
  /** '.github/workflows/deploy.yml' */
  path: string;
  ref: string;
}

/** Its text and where it was read (said with the verdicts), or why it could not be read. */
export type ReadRemoteWorkflow = (workflow: RemoteWorkflow) => Promise<{ text: string; from: string } | { unread: string }>;

// Enough for any run GitHub allows (it bounds how many reusable workflows one run calls); more is not read.
const MAX_REMOTE_WORKFLOWS = 50;
// Calls followed in all (each caller, each matrix combination, each level): a bound on hostile nesting, far above real ones.
const MAX_CALLS = 500;
const remoteKey = (w: RemoteWorkflow) => `${w.owner}/${w.repo}/${w.path}@${w.ref}`;

/**
 * job_workflow_ref names the called file at the full ref GitHub resolved `@REF` to (refs/heads/main,
 * refs/tags/v2) or at the commit SHA. A name alone does not say whether it is a branch or a tag: one that
 * looks like a version is taken as a tag, any other as a branch, and that is said.
 */
function jobWorkflowRefOf(w: RemoteWorkflow): { ref: string; assumed?: string } {
  if (/^[0-9a-f]{40}$/.test(w.ref) || w.ref.startsWith('refs/')) return { ref: remoteKey(w) };
  const tag = /^v?\d/.test(w.ref);
  const full = `${w.owner}/${w.repo}/${w.path}@refs/${tag ? 'tags' : 'heads'}/${w.ref}`;
  return { ref: full, assumed: `${remoteKey(w)}: job_workflow_ref predicted as ${full} (${w.ref} taken as a ${tag ? 'tag, as it looks like a version' : 'branch'}; GitHub writes the full ref of a ${tag ? 'branch' : 'tag'} of that name as refs/${tag ? 'heads' : 'tags'}/${w.ref})` };
}

interface Parsed {
  /** Read from another repository: its file at its ref, the job_workflow_ref of its jobs. */
  remote?: RemoteWorkflow;
  /** What GitHub runs but the parser flags: said, and the workflow checked without it. */
  warnings?: string[];
  file: WorkflowFile;
  events: EventsConfig;
  jobs: WorkflowJob[];
  raw: MappingToken;
}

// An expression as the workflow writes it (the parser turns `a-${{ x }}` into `${{ format('a-{0}', x) }}`).
const text = (token: TemplateToken | undefined): string | undefined => {
  if (token === undefined) return undefined;
  if (isString(token)) return token.value;
  return (isBasicExpression(token) ? token.source?.trim() : undefined) || token.toString();
};

/**
 * What `${{ inputs.X }}` and `${{ matrix.X }}` are in a job, keyed 'inputs.X' and 'matrix.X': a reusable
 * workflow's inputs as its caller gives them (or their defaults), one combination of a job's matrix.
 */
type Inputs = Record<string, string>;
const INPUT = /\$\{\{\s*((?:inputs|matrix)\.[\w-]+)\s*\}\}/g;
const withInputs = (value: string | undefined, inputs: Inputs): string | undefined => value?.replace(INPUT, (whole, name: string) => inputs[name] ?? whole);
const lineOf = (token: TemplateToken | undefined): number => token?.range?.start.line ?? 1;

/**
 * The keys under a trigger (`on.merge_group.paths`) by their position, 'line:column' as the parser gives it.
 * GitHub ignores a key a trigger does not use, while the parser flags it: such a flag is no reason to drop
 * the workflow GitHub runs.
 */
function triggerKeys(source: string): Map<string, string> {
  const keys = new Map<string, string>();
  const lines = new LineCounter();
  const on = parseDocument(source, { lineCounter: lines }).get('on', true);
  if (!isMap(on)) return keys;
  for (const event of on.items) {
    if (!isScalar(event.key) || !isMap(event.value)) continue;
    for (const item of event.value.items) {
      if (!isScalar(item.key) || !item.key.range) continue;
      const { line, col } = lines.linePos(item.key.range[0]);
      keys.set(`${line}:${col}`, `${String(event.key.value)}.${String(item.key.value)}`);
    }
  }
  return keys;
}

async function parse(file: WorkflowFile): Promise<Parsed | WorkflowError> {
  // The parser's own word for an empty file ("Expected a scalar value, a sequence, or a mapping") hides what is wrong.
  if (file.text.trim() === '') return { file: file.path, line: 1, message: 'is empty: expected a workflow with on: and jobs:' };
  const aliases = aliasesTooCostly(file.text);
  if (aliases) return { file: file.path, message: aliases };
  const result = parseWorkflow({ name: file.path, content: file.text }, new NoOperationTraceWriter());
  const warnings: string[] = [];
  const flagged = result.context.errors.getErrors();
  if (flagged.length > 0 && flagged.some((e) => e.rawMessage.startsWith('Unexpected value '))) {
    const keys = triggerKeys(file.text);
    const ignored = (e: (typeof flagged)[number]) => e.rawMessage.startsWith('Unexpected value ') && keys.has(`${e.range?.start.line}:${e.range?.start.column}`);
    result.context.errors.clear();
    for (const error of flagged) {
      if (!ignored(error)) result.context.errors.add(error);
      else warnings.push(`${file.path}:${error.range!.start.line}: on.${keys.get(`${error.range!.start.line}:${error.range!.start.column}`)} is not a setting of that trigger (@actions/workflow-parser flags it; GitHub ignores it and runs the workflow): checked without it`);
    }
  }
  const firstError = (): WorkflowError | undefined => {
    const [error] = result.context.errors.getErrors();
    if (error === undefined) return undefined;
    // The YAML library's message repeats the position and quotes the source: the first line says it all.
    const message = error.rawMessage.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return { file: file.path, line: error.range?.start.line, message };
  };
  if (result.value === undefined || !isMapping(result.value)) return firstError() ?? { file: file.path, line: 1, message: 'is not a workflow: expected a mapping with on: and jobs:' };
  const before = firstError();
  if (before) return before;
  const template = await convertWorkflowTemplate(result.context, result.value);
  const after = firstError() ?? (template.errors?.[0] ? { file: file.path, line: 1, message: template.errors[0].Message } : undefined);
  if (after) return after;
  return { file, events: template.events, jobs: template.jobs, raw: result.value, ...(warnings.length > 0 ? { warnings } : {}) };
}

/** The workflow parser expands YAML aliases without limit: a file whose aliases cost too much is refused first (an alias needs an anchor, `&`). */
function aliasesTooCostly(text: string): string | undefined {
  return text.includes('&') && text.includes('*') ? aliasProblem(parseDocument(text)) : undefined;
}

function environmentOf(token: TemplateToken | undefined, inputs: Inputs): Environment | undefined {
  if (token === undefined) return undefined;
  const name = isMapping(token) ? token.find('name') : token;
  if (name === undefined) return undefined;
  if (isString(name)) return { name: name.value };
  const resolved = withInputs(text(name), inputs)!;
  return resolved.includes('${{') ? { expression: resolved } : { name: resolved };
}

function jobMapping(raw: MappingToken, jobId: string): TemplateToken | undefined {
  const jobs = raw.find('jobs');
  return jobs && isMapping(jobs) ? jobs.find(jobId) : undefined;
}

function jobCondition(raw: MappingToken, jobId: string): string | undefined {
  const job = jobMapping(raw, jobId);
  return job && isMapping(job) ? text(job.find('if')) : undefined;
}

const INPUT_TYPES: DeclaredInput['type'][] = ['boolean', 'number', 'choice', 'string', 'environment'];

/** A value as the input's type makes it: what GitHub gives the run for `true`, `'3'`, `prod`. */
export function typed(type: DeclaredInput['type'], value: string | number | boolean): string | number | boolean {
  if (type === 'boolean') return value === true || String(value).toLowerCase() === 'true';
  if (type === 'number') return typeof value === 'number' ? value : Number(value);
  return String(value);
}

/**
 * The inputs a trigger declares, read from the workflow as written (the parser's model drops a number
 * input's type and default). An input with no type is a string, as GitHub takes it.
 */
function declaredInputs(raw: MappingToken, event: 'workflow_dispatch' | 'workflow_call'): Record<string, DeclaredInput> {
  const on = raw.find('on');
  const trigger = on && isMapping(on) ? on.find(event) : undefined;
  const inputs = trigger && isMapping(trigger) ? trigger.find('inputs') : undefined;
  const declared: Record<string, DeclaredInput> = {};
  if (!inputs || !isMapping(inputs)) return declared;
  for (const { key, value: definition } of inputs) {
    if (!isMapping(definition)) continue;
    const typeText = text(definition.find('type'));
    const type = INPUT_TYPES.find((t) => t === typeText) ?? 'string';
    const optionsToken = definition.find('options');
    const options = optionsToken && isSequence(optionsToken) ? [...optionsToken].map(text).filter((o): o is string => o !== undefined) : undefined;
    const given = definition.find('default');
    const literal = given === undefined ? undefined : isBoolean(given) || isNumber(given) ? given.value : text(given);
    const fallback = type === 'boolean' ? false : type === 'number' ? 0 : type === 'choice' ? (options?.[0] ?? '') : '';
    declared[key.toString()] = { type, value: literal === undefined ? fallback : literal.toString().includes('${{') ? literal : typed(type, literal), ...(options ? { options } : {}) };
  }
  return declared;
}

/** `env:` entries written as plain text; one written as an expression hides an outer one of its name. */
function literalEnv(token: TemplateToken | undefined, outer: Record<string, string>): Record<string, string> {
  const env = { ...outer };
  if (!token || !isMapping(token)) return env;
  for (let i = 0; i < token.count; i++) {
    const { key, value } = token.get(i);
    if (isString(value)) env[key.toString()] = value.value;
    else delete env[key.toString()];
  }
  return env;
}

const ENV_REFERENCE = /\$\{\{\s*env\.([\w-]+)\s*\}\}/g;

function credentialSteps(raw: MappingToken, jobId: string, inputs: Inputs = {}, readAction?: ReadAction, said: (note: string) => void = () => {}): CredentialStep[] {
  const jobMap = jobMapping(raw, jobId);
  const steps = jobMap && isMapping(jobMap) ? jobMap.find('steps') : undefined;
  if (!steps || !isSequence(steps)) return [];
  const jobEnv = literalEnv(jobMap && isMapping(jobMap) ? jobMap.find('env') : undefined, literalEnv(raw.find('env'), {}));
  const found: CredentialStep[] = [];
  for (const step of steps) {
    if (!isMapping(step)) continue;
    const uses = text(step.find('uses'));
    if (uses === undefined) continue;
    const withToken = step.find('with');
    const env = literalEnv(step.find('env'), jobEnv);
    // `${{ env.X }}` of an env: the workflow writes out is that text; a step before could still change it through $GITHUB_ENV, which is said.
    const withEnv = (value: string | undefined) =>
      value?.replace(ENV_REFERENCE, (whole, name: string) => {
        if (env[name] === undefined) return whole;
        said(`line ${lineOf(step)}: env.${name} = ${JSON.stringify(env[name])} (the workflow's env:; a step before could change it through $GITHUB_ENV)`);
        return env[name];
      });
    const get = (name: string) => (withToken && isMapping(withToken) ? withEnv(withInputs(text(withToken.find(name))?.trim() || undefined, inputs)) : undefined);
    const local = LOCAL_ACTION.exec(uses);
    if (local && readAction && !CREDENTIAL_ACTIONS.some((pattern) => pattern.test(uses))) {
      found.push(...compositeSteps(local[1]!, uses, lineOf(step), text(step.find('if')), get, readAction, new Set()));
      continue;
    }
    if (!CREDENTIAL_ACTIONS.some((pattern) => pattern.test(uses))) continue;
    found.push({
      uses,
      line: lineOf(step),
      roleToAssume: get('role-to-assume'),
      profiles: get('profiles'),
      audience: get('audience'),
      awsProfile: get('aws-profile'),
      profilesFile: get('profiles-file'),
      notOidc: NOT_OIDC.find((name) => get(name) !== undefined && (name !== 'role-chaining' || get(name) === 'true')),
      if: text(step.find('if')),
    });
  }
  return found;
}

// `uses: ./path/to/action`: an action in this repository (`./` alone is this action, checked out).
const LOCAL_ACTION = /^\.\/((?:[^/@]+\/)*[^/@]+)\/?$/;
const ACTION_INPUT = /\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g;

/**
 * The credential steps inside a local composite action, as the calling step runs them: `${{ inputs.X }}`
 * is what the caller's `with:` gives (or the action's default). They are reported at the calling step.
 */
function compositeSteps(folder: string, uses: string, line: number, condition: string | undefined, callerWith: (name: string) => string | undefined, readAction: ReadAction, seen: Set<string>): CredentialStep[] {
  const source = seen.has(folder) ? undefined : readAction(folder);
  if (source === undefined) return [];
  let action: unknown;
  try {
    action = parseYaml(source);
  } catch {
    return [];
  }
  const runs = (action as { runs?: { using?: unknown; steps?: unknown } } | null)?.runs;
  if (runs?.using !== 'composite' || !Array.isArray(runs.steps)) return [];
  const declared = ((action as { inputs?: Record<string, { default?: unknown }> }).inputs ?? {}) as Record<string, { default?: unknown } | null>;
  const input = (name: string) => callerWith(name) ?? (declared[name]?.default === undefined ? undefined : String(declared[name]?.default));
  const resolve = (value: unknown) => (value === undefined || value === null ? undefined : String(value).replace(ACTION_INPUT, (whole, name: string) => input(name) ?? whole).trim() || undefined);
  const found: CredentialStep[] = [];
  for (const step of runs.steps as Record<string, unknown>[]) {
    const inner = typeof step?.uses === 'string' ? step.uses : undefined;
    if (inner === undefined) continue;
    const given = (step.with ?? {}) as Record<string, unknown>;
    const get = (name: string) => resolve(given[name]);
    const nested = LOCAL_ACTION.exec(inner);
    if (nested && !CREDENTIAL_ACTIONS.some((pattern) => pattern.test(inner))) {
      found.push(...compositeSteps(nested[1]!, `${uses} > ${inner}`, line, condition, get, readAction, new Set([...seen, folder])));
      continue;
    }
    if (!CREDENTIAL_ACTIONS.some((pattern) => pattern.test(inner))) continue;
    found.push({
      uses: `${uses} > ${inner}`,
      line,
      roleToAssume: get('role-to-assume'),
      profiles: get('profiles'),
      audience: get('audience'),
      awsProfile: get('aws-profile'),
      notOidc: NOT_OIDC.find((name) => get(name) !== undefined && (name !== 'role-chaining' || get(name) === 'true')),
      ...(condition === undefined ? {} : { if: condition }),
    });
  }
  return found;
}

/**
 * The called workflow's inputs context, typed: what the caller's `with:` gives, else the default. A value
 * that still reads the caller's inputs, inside a workflow that is itself called, is one only the run knows.
 */
function calledInputs(job: ReusableWorkflowJob, target: Parsed, outer: Inputs, nested: boolean): NonNullable<Condition['inputs']> {
  const given = new Map<string, TemplateToken>([...(job['input-values'] ?? [])].map(({ key, value }) => [key.toString(), value]));
  const context: NonNullable<Condition['inputs']> = {};
  for (const [name, declared] of Object.entries(declaredInputs(target.raw, 'workflow_call'))) {
    const token = given.get(name);
    let value: CalledInput = declared.value;
    if (token !== undefined) {
      const written = isBoolean(token) || isNumber(token) ? token.value : withInputs(text(token), outer);
      value = written === undefined ? undefined : typeof written === 'string' && written.includes('${{') ? written : typed(declared.type, written);
    }
    if (nested && typeof value === 'string' && /\binputs\s*[.[]/.test(value)) value = undefined;
    context[name] = { type: declared.type, value };
  }
  return context;
}

/** The called workflow's inputs: its defaults, then what the caller's `with:` gives (through the caller's own inputs). */
function inputsOf(job: ReusableWorkflowJob, target: Parsed, outer: Inputs): Inputs {
  const inputs: Inputs = {};
  // What GitHub gives an input the caller leaves out: its default, else false, 0 or ''.
  for (const [name, declared] of Object.entries(declaredInputs(target.raw, 'workflow_call'))) inputs[`inputs.${name}`] = String(declared.value);
  for (const { key, value } of job['input-values'] ?? []) {
    const given = withInputs(text(value), outer);
    if (given !== undefined) inputs[`inputs.${key.toString()}`] = given;
  }
  return inputs;
}

// GitHub runs at most 256 jobs of one matrix; expanding further would only grow memory.
const MAX_MATRIX = 256;

/** A matrix value as data (a string, number, boolean, list or mapping); UNKNOWN for a `${{ … }}` only the run expands. */
const UNKNOWN = Symbol('unknown');
function literal(token: TemplateToken): unknown {
  if (isString(token)) return token.value;
  if (isNumber(token) || isBoolean(token)) return token.value;
  if (isSequence(token)) {
    const items = [...token].map(literal);
    return items.includes(UNKNOWN) ? UNKNOWN : items;
  }
  if (isMapping(token)) {
    const entries = [...token].map(({ key, value }) => [key.toString(), literal(value)] as const);
    return entries.some(([, v]) => v === UNKNOWN) ? UNKNOWN : Object.fromEntries(entries);
  }
  return token.toString() === 'null' ? null : UNKNOWN;
}

type Combination = Record<string, unknown>;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The combinations GitHub runs, as its documentation gives them: the product of the matrix's keys; then
 * `exclude` removes each combination all of an entry's pairs match; then each `include` entry, in order,
 * is added to every original combination whose original values it does not change (values an include
 * added may be changed), or becomes a combination of its own when it fits none. A matrix of `include:`
 * alone is its entries. A key, `include` or `exclude` given as an expression is for the run to expand: said.
 */
function expandMatrix(matrix: MappingToken, decisive: string[], said: (note: string) => void): Combination[] {
  const dimensions: [string, unknown[]][] = [];
  let include: unknown = [];
  let exclude: unknown = [];
  for (const { key, value } of matrix) {
    const name = key.toString();
    const data = literal(value);
    if (name === 'include') include = data;
    else if (name === 'exclude') exclude = data;
    else if (Array.isArray(data)) dimensions.push([name, data]);
    else if (decisive.includes(name)) said(`matrix.${name} is ${text(value) ?? 'not a list'}, which only the run expands: what reads it is not resolved`);
  }
  if (include === UNKNOWN) said(`matrix include ${text(matrix.find('include'))} is an expression only the run expands: its combinations are not predicted`);
  if (exclude === UNKNOWN) said(`matrix exclude ${text(matrix.find('exclude'))} is an expression only the run expands: every combination is predicted`);
  // Counted before it is built: 256 × 256 × … is refused, not expanded.
  const size = dimensions.reduce((n, [, values]) => n * values.length, 1);
  if (size > MAX_MATRIX) throw new TooLarge(`its matrix gives ${size} combinations, and GitHub runs at most ${MAX_MATRIX} jobs of a matrix`);
  let product: Combination[] = dimensions.length === 0 ? [] : [{}];
  for (const [name, values] of dimensions) product = product.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  const excluded = Array.isArray(exclude) ? (exclude as unknown[]).filter((e): e is Combination => typeof e === 'object' && e !== null && !Array.isArray(e)) : [];
  const original = product.filter((c) => !excluded.some((e) => Object.entries(e).every(([k, v]) => same(c[k], v))));
  const originalKeys = new Set(dimensions.map(([name]) => name));
  const combinations = original.map((c) => ({ ...c }));
  for (const entry of Array.isArray(include) ? (include as unknown[]) : []) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
    let fitted = false;
    combinations.slice(0, original.length).forEach((c, i) => {
      const fits = Object.entries(entry).every(([k, v]) => !originalKeys.has(k) || same(original[i]![k], v));
      if (fits) {
        Object.assign(c, entry);
        fitted = true;
      }
    });
    if (fitted) continue;
    if (combinations.length >= MAX_MATRIX) throw new TooLarge(`its matrix include adds combinations past ${MAX_MATRIX}, and GitHub runs at most ${MAX_MATRIX} jobs of a matrix`);
    combinations.push({ ...entry });
  }
  return combinations;
}

/** GitHub connects at most ten levels of workflows (a caller and nine reusable ones). */
const MAX_LEVELS = 10;
/**
 * Runs predicted from one workflow: each job visited (reusable workflows' jobs and matrix combinations
 * counted) times the runs its triggers give (one per event, one per branch or tag pattern). Fan-out (20
 * jobs each calling 20, ten levels down) stops here, and so does a long pattern list under many jobs.
 */
const MAX_RUNS = 10_000;
/** Patterns in one branch or tag filter list: each names a run, weighed against the list's other patterns. */
const MAX_PATTERNS = 256;

/** A workflow past one of the limits above: it becomes one error, naming the limit. */
class TooLarge extends Error {}

/** The runs one job of these triggers is predicted for, at most: one per event, one per branch or tag pattern. */
function runsPerJob(events: EventsConfig): number {
  let runs = 0;
  for (const [event, config] of Object.entries(events)) {
    runs++;
    for (const list of ['branches', 'branches-ignore', 'tags', 'tags-ignore']) {
      const patterns = (config as Record<string, unknown> | null)?.[list];
      if (!Array.isArray(patterns)) continue;
      if (patterns.length > MAX_PATTERNS) throw new TooLarge(`on.${event}.${list} lists ${patterns.length} patterns, more than the ${MAX_PATTERNS} this check takes`);
      runs += patterns.length;
    }
  }
  return runs;
}

/**
 * The combinations of the job's matrix that decide its token: only the keys its environment, its
 * credential steps' inputs or its reusable workflow's `with:` name, each distinct set of their values once.
 */
function matrixOf(raw: MappingToken, jobId: string, decisive: (string | undefined)[], said: (note: string) => void): { label: string; values: Inputs }[] {
  const job = jobMapping(raw, jobId);
  const strategy = job && isMapping(job) ? job.find('strategy') : undefined;
  const matrix = strategy && isMapping(strategy) ? strategy.find('matrix') : undefined;
  if (!matrix) return [{ label: '', values: {} }];
  if (!isMapping(matrix)) {
    said(`job ${jobId}: its matrix ${text(matrix)} is an expression only the run expands: what reads it is not resolved`);
    return [{ label: '', values: {} }];
  }
  const named = [...new Set(decisive.flatMap((t) => [...(t ?? '').matchAll(/\bmatrix\.([\w-]+)/g)].map((m) => m[1]!)))];
  if (named.length === 0) return [{ label: '', values: {} }];
  const seen = new Set<string>();
  const found: { label: string; values: Inputs }[] = [];
  let combinations: Combination[];
  try {
    combinations = expandMatrix(matrix, named, (note) => said(`job ${jobId}: ${note}`));
  } catch (error) {
    throw error instanceof TooLarge ? new TooLarge(`job ${jobId}: ${error.message}`) : error;
  }
  for (const combination of combinations) {
    const values: Inputs = {};
    const label: string[] = [];
    for (const name of named) {
      const value = combination[name];
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue;
      values[`matrix.${name}`] = String(value);
      label.push(String(value));
    }
    const key = JSON.stringify(values);
    if (seen.has(key)) continue;
    seen.add(key);
    found.push({ label: label.length > 0 ? ` (${label.join(', ')})` : '', values });
  }
  return found.length > 0 ? found : [{ label: '', values: {} }];
}

/**
 * The reusable workflow a job calls: `./.github/workflows/x.yml` in the repository of the calling
 * workflow (at its ref, for one read from another repository), or OWNER/REPO/.github/workflows/x.yml@REF.
 */
function calledWorkflow(job: ReusableWorkflowJob, caller: Parsed): RemoteWorkflow | { local: string } | undefined {
  const local = LOCAL_WORKFLOW.exec(job.ref.value);
  if (local) return caller.remote ? { ...caller.remote, path: `.github/workflows/${local[1]!}` } : { local: local[1]! };
  const remote = REMOTE_WORKFLOW.exec(job.ref.value);
  return remote ? { owner: remote[1]!, repo: remote[2]!, path: remote[3]!, ref: remote[4]! } : undefined;
}

/** Every job that obtains credentials, in file order; a file that does not parse is an error, the others are still read. */
export async function readWorkflows(files: WorkflowFile[], readAction?: ReadAction, readRemote?: ReadRemoteWorkflow): Promise<ReadWorkflows> {
  const errors: WorkflowError[] = [];
  const assumed: string[] = [];
  const parsed: Parsed[] = [];
  for (const file of files) {
    const result = await parse(file);
    if ('message' in result) errors.push(result);
    else {
      parsed.push(result);
      assumed.push(...(result.warnings ?? []));
    }
  }
  const byName = new Map(parsed.map((p) => [p.file.path.split('/').pop()!, p]));

  // Reusable workflows in other repositories, read before the walk: each once, the ones they call too.
  const remotes = new Map<string, Parsed | string>();
  const pending = parsed.slice();
  for (let workflow = pending.shift(); workflow; workflow = pending.shift()) {
    for (const job of workflow.jobs) {
      const target = job.type === 'reusableWorkflowJob' ? calledWorkflow(job, workflow) : undefined;
      if (!target || 'local' in target || remotes.has(remoteKey(target))) continue;
      const key = remoteKey(target);
      if (!readRemote) {
        remotes.set(key, 'no source given');
        continue;
      }
      if (remotes.size >= MAX_REMOTE_WORKFLOWS) {
        remotes.set(key, `more than ${MAX_REMOTE_WORKFLOWS} reusable workflows in other repositories: the rest are not read`);
        continue;
      }
      const read = await readRemote(target);
      if ('unread' in read) {
        remotes.set(key, read.unread);
        continue;
      }
      const result = await parse({ path: key, text: read.text });
      if ('message' in result) {
        remotes.set(key, `read from ${read.from}, it is not a workflow GitHub runs: line ${result.line ?? 1}: ${result.message}`);
        continue;
      }
      const called = { ...result, remote: target };
      remotes.set(key, called);
      const resolved = jobWorkflowRefOf(target).assumed;
      assumed.push(`${key}: read from ${read.from}`, ...(resolved ? [resolved] : []), ...(result.warnings ?? []));
      pending.push(called);
    }
  }

  const jobs: CredentialJob[] = [];
  let calls = 0;
  // Runs predicted so far from the workflow being read, and per job visited.
  let visited = 0;
  let weight = 1;
  const tooMany = () => new TooLarge(`expands to more than ${MAX_RUNS} runs (its jobs through reusable workflows and matrices, times the events and branch and tag patterns of its triggers), the limit of this check`);
  type Origin = Omit<CredentialJob, 'called' | 'environment' | 'steps' | 'conditions'>;
  // origin: the caller's job, once inside a reusable workflow; called: the called jobs on the way down.
  const visit = (workflow: Parsed, events: EventsConfig, origin: Origin | undefined, called: CredentialJob['called'], seen: Set<Parsed>, inputs: Inputs, outer: Condition[], context?: Condition['inputs']) => {
    for (const job of workflow.jobs) {
      if ((visited += weight) > MAX_RUNS) throw tooMany();
      const here = { workflow: workflow.file.path, job: job.id.value, line: lineOf(job.id), ...(workflow.remote ? { jobWorkflowRef: jobWorkflowRefOf(workflow.remote).ref } : {}) };
      // A job's if: reads the inputs context typed (a substituted `false` would be the truthy 'false').
      const condition = jobCondition(workflow.raw, job.id.value);
      const conditions = condition === undefined ? outer : [...outer, { if: condition, ...(context ? { inputs: context } : {}) }];
      const start = origin ?? { ...here, name: text(workflow.raw.find('name')) ?? `.github/workflows/${workflow.file.path.split('/').pop()}`, events, dispatchInputs: declaredInputs(workflow.raw, 'workflow_dispatch') };
      const chain = origin ? [...called, here] : [];
      const said = (note: string) => {
        if (!assumed.includes(`${workflow.file.path} ${note}`)) assumed.push(`${workflow.file.path} ${note}`);
      };
      if (job.type === 'reusableWorkflowJob') {
        const target = callee(job, workflow);
        if (typeof target === 'string' || target === undefined) {
          const how = 'give --workflow-source OWNER/REPO=DIR (the root of a checkout of it) or a GITHUB_TOKEN that can read its contents';
          assumed.push(`${here.workflow} job ${here.job} calls ${job.ref.value}, which is ${target === undefined ? 'not among the workflows read' : `in another repository (${target})`}: its jobs are not checked${target === undefined ? '' : `; ${how}`}`);
          continue;
        }
        // GitHub refuses a cycle of calls; the check need not follow one.
        if (seen.has(target)) continue;
        if (seen.size >= MAX_LEVELS) throw new TooLarge(`job ${here.job} in ${here.workflow} calls ${job.ref.value} more than ${MAX_LEVELS} levels of workflows deep, and GitHub connects at most ${MAX_LEVELS}`);
        // A matrix on the calling job calls the workflow once per combination, each with its own `with:`.
        const decisive = [...(job['input-values'] ?? [])].map(({ value }) => text(value));
        for (const { label, values } of matrixOf(workflow.raw, job.id.value, decisive, (note) => said(`line ${here.line}: ${note}`))) {
          if (++calls > MAX_CALLS) {
            said(`line ${here.line}: more than ${MAX_CALLS} calls of reusable workflows in all: the rest are not checked`);
            break;
          }
          const scope = { ...inputs, ...values };
          const labelled = { ...here, job: `${here.job}${label}` };
          visit(target, events, origin ?? { ...start, job: labelled.job }, origin ? [...called, labelled] : [], new Set([...seen, target]), inputsOf(job, target, scope), conditions, calledInputs(job, target, scope, origin !== undefined));
        }
        continue;
      }
      const steps = credentialSteps(workflow.raw, job.id.value, inputs, readAction, said);
      if (steps.length === 0) continue;
      const decisive = [text(job.environment && isMapping(job.environment) ? job.environment.find('name') : job.environment), ...steps.flatMap((st) => [st.roleToAssume, st.profiles, st.audience])];
      for (const { label, values } of matrixOf(workflow.raw, job.id.value, decisive, (note) => said(`line ${here.line}: ${note}`))) {
        const scope = { ...inputs, ...values };
        // GitHub names each combination's job after its values: "deploy (production)".
        const named = label === '' ? {} : origin ? {} : { job: `${start.job}${label}` };
        const inner = label !== '' && origin ? [...called, { ...here, job: `${here.job}${label}` }] : chain;
        jobs.push({ ...start, ...named, called: inner, environment: environmentOf(job.environment, scope), conditions, steps: credentialSteps(workflow.raw, job.id.value, scope, readAction, said), callable: 'workflow_call' in workflow.events, ...(context ? { calledInputs: context } : {}) });
        if ((visited += weight) > MAX_RUNS) throw tooMany();
      }
    }
  };
  // A workflow, or why a remote one is not at hand; undefined for a local file that is not there.
  const callee = (job: ReusableWorkflowJob, caller: Parsed): Parsed | string | undefined => {
    const target = calledWorkflow(job, caller);
    if (target === undefined) return undefined;
    return 'local' in target ? byName.get(target.local) : remotes.get(remoteKey(target));
  };

  for (const workflow of parsed) {
    const triggers = Object.keys(workflow.events).filter((event) => event !== 'workflow_call');
    // A workflow that only runs when called is checked through its callers.
    if (triggers.length === 0) {
      if (!parsed.some((other) => other.jobs.some((j) => j.type === 'reusableWorkflowJob' && callee(j, other) === workflow))) {
        const hasCredentials = workflow.jobs.some((j) => j.type === 'job' && credentialSteps(workflow.raw, j.id.value, {}, readAction).length > 0);
        if (hasCredentials) assumed.push(`${workflow.file.path} runs only on workflow_call and no workflow read calls it: its callers (perhaps in other repositories) are not known, so its jobs are not checked`);
      }
      continue;
    }
    const events = Object.fromEntries(Object.entries(workflow.events).filter(([event]) => event !== 'workflow_call')) as EventsConfig;
    const before = jobs.length;
    try {
      visited = 0;
      weight = runsPerJob(events);
      visit(workflow, events, undefined, [], new Set([workflow]), {}, []);
    } catch (error) {
      if (!(error instanceof TooLarge)) throw error;
      // Its jobs so far are dropped: a workflow read in part would be judged as if it were whole.
      jobs.length = before;
      errors.push({ file: workflow.file.path, message: error.message });
    }
  }
  return { jobs, errors, assumed };
}
