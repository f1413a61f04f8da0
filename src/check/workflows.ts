// The workflows, as GitHub parses them: every job that obtains AWS credentials, the roles its steps
// assume, and the triggers that start it. Local reusable workflows are followed, so a called job is
// listed once per caller, with the caller's triggers. Pure: the caller supplies the files' text.
import { convertWorkflowTemplate, isBasicExpression, isMapping, isSequence, isString, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import type { EventsConfig, ReusableWorkflowJob, WorkflowJob } from '@actions/workflow-parser/model/workflow-template';
import type { MappingToken } from '@actions/workflow-parser/templates/tokens/mapping-token';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import { parse as parseYaml, parseDocument } from 'yaml';
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

export interface CredentialJob {
  /** The workflow whose triggers start the job, and the job there (the caller, for a reusable workflow). */
  workflow: string;
  /** That workflow's `name:` (its path when it has none): the token's `workflow` claim. */
  name: string;
  job: string;
  line: number;
  events: EventsConfig;
  /** The reusable workflows the job runs in, outermost first; their last file holds the steps. */
  called: { workflow: string; job: string; line: number }[];
  environment?: Environment;
  /** The `if:` of the job and of each job that calls it: all must hold for it to run. */
  conditions: string[];
  steps: CredentialStep[];
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

interface Parsed {
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

async function parse(file: WorkflowFile): Promise<Parsed | WorkflowError> {
  // The parser's own word for an empty file ("Expected a scalar value, a sequence, or a mapping") hides what is wrong.
  if (file.text.trim() === '') return { file: file.path, line: 1, message: 'is empty: expected a workflow with on: and jobs:' };
  const aliases = aliasesTooCostly(file.text);
  if (aliases) return { file: file.path, message: aliases };
  const result = parseWorkflow({ name: file.path, content: file.text }, new NoOperationTraceWriter());
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
  return { file, events: template.events, jobs: template.jobs, raw: result.value };
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

/** The called workflow's inputs: its defaults, then what the caller's `with:` gives (through the caller's own inputs). */
function inputsOf(job: ReusableWorkflowJob, target: Parsed, outer: Inputs): Inputs {
  const inputs: Inputs = {};
  for (const [name, definition] of Object.entries(target.events.workflow_call?.inputs ?? {})) {
    const value = definition.default;
    if (value !== undefined) inputs[`inputs.${name}`] = typeof value === 'object' ? (text(value) ?? '') : String(value);
  }
  for (const { key, value } of job['input-values'] ?? []) {
    const given = withInputs(text(value), outer);
    if (given !== undefined) inputs[`inputs.${key.toString()}`] = given;
  }
  return inputs;
}

/** GitHub runs at most 256 jobs of one matrix, and connects at most ten levels of workflows (a caller and nine reusable ones). */
const MAX_COMBINATIONS = 256;
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
 * credential steps' inputs or its reusable workflow's `with:` name, and only those the matrix lists
 * literally (include, exclude and fromJSON are for the run to expand: what they give stays unresolved).
 */
function matrixOf(raw: MappingToken, path: string, jobId: string, decisive: (string | undefined)[]): { label: string; values: Inputs }[] {
  const job = jobMapping(raw, jobId);
  const strategy = job && isMapping(job) ? job.find('strategy') : undefined;
  const matrix = strategy && isMapping(strategy) ? strategy.find('matrix') : undefined;
  if (!matrix || !isMapping(matrix)) return [{ label: '', values: {} }];
  const named = new Set(decisive.flatMap((t) => [...(t ?? '').matchAll(/\bmatrix\.([\w-]+)/g)].map((m) => m[1]!)));
  let combos: { label: string[]; values: Inputs }[] = [{ label: [], values: {} }];
  for (const { key, value } of matrix) {
    const name = key.toString();
    if (!named.has(name) || !isSequence(value)) continue;
    const options = [...value].map(text).filter((v): v is string => v !== undefined && !v.includes('${{'));
    // Counted before it is built: 256 × 256 × … is refused, not expanded.
    if (combos.length * options.length > MAX_COMBINATIONS) throw new TooLarge(`job ${jobId} in ${path}: its matrix gives more than ${MAX_COMBINATIONS} combinations of ${[...named].join(', ')}, and GitHub runs at most ${MAX_COMBINATIONS} jobs of a matrix`);
    combos = combos.flatMap((c) => options.map((o) => ({ label: [...c.label, o], values: { ...c.values, [`matrix.${name}`]: o } })));
  }
  return combos.map((c) => ({ label: c.label.length > 0 ? ` (${c.label.join(', ')})` : '', values: c.values }));
}

/** Every job that obtains credentials, in file order; a file that does not parse is an error, the others are still read. */
export async function readWorkflows(files: WorkflowFile[], readAction?: ReadAction): Promise<ReadWorkflows> {
  const errors: WorkflowError[] = [];
  const assumed: string[] = [];
  const parsed: Parsed[] = [];
  for (const file of files) {
    const result = await parse(file);
    if ('message' in result) errors.push(result);
    else parsed.push(result);
  }
  const byName = new Map(parsed.map((p) => [p.file.path.split('/').pop()!, p]));

  const jobs: CredentialJob[] = [];
  type Origin = Omit<CredentialJob, 'called' | 'environment' | 'steps' | 'conditions'>;
  // origin: the caller's job, once inside a reusable workflow; called: the called jobs on the way down.
  // Runs predicted so far from the workflow being read, and per job visited.
  let visited = 0;
  let weight = 1;
  const tooMany = () => new TooLarge(`expands to more than ${MAX_RUNS} runs (its jobs through reusable workflows and matrices, times the events and branch and tag patterns of its triggers), the limit of this check`);
  const visit = (workflow: Parsed, events: EventsConfig, origin: Origin | undefined, called: CredentialJob['called'], seen: Set<Parsed>, inputs: Inputs, outer: string[]) => {
    for (const job of workflow.jobs) {
      if ((visited += weight) > MAX_RUNS) throw tooMany();
      const here = { workflow: workflow.file.path, job: job.id.value, line: lineOf(job.id) };
      const condition = withInputs(jobCondition(workflow.raw, job.id.value), inputs);
      const conditions = condition === undefined ? outer : [...outer, condition];
      const start = origin ?? { ...here, name: text(workflow.raw.find('name')) ?? `.github/workflows/${workflow.file.path.split('/').pop()}`, events };
      const chain = origin ? [...called, here] : [];
      if (job.type === 'reusableWorkflowJob') {
        const target = callee(job);
        if (target === undefined) assumed.push(`${here.workflow} job ${here.job} calls ${job.ref.value}, which is ${LOCAL_WORKFLOW.test(job.ref.value) ? 'not among the workflows read' : 'in another repository'}: its jobs are not checked`);
        // GitHub refuses a cycle of calls; the check need not follow one.
        else if (seen.size >= MAX_LEVELS) throw new TooLarge(`job ${here.job} in ${here.workflow} calls ${job.ref.value} more than ${MAX_LEVELS} levels of workflows deep, and GitHub connects at most ${MAX_LEVELS}`);
        else if (!seen.has(target)) visit(target, events, start, chain, new Set([...seen, target]), inputsOf(job, target, inputs), conditions);
        continue;
      }
      const said = (note: string) => {
        if (!assumed.includes(`${workflow.file.path} ${note}`)) assumed.push(`${workflow.file.path} ${note}`);
      };
      const steps = credentialSteps(workflow.raw, job.id.value, inputs, readAction, said);
      if (steps.length === 0) continue;
      const decisive = [text(job.environment && isMapping(job.environment) ? job.environment.find('name') : job.environment), ...steps.flatMap((st) => [st.roleToAssume, st.profiles, st.audience])];
      for (const { label, values } of matrixOf(workflow.raw, workflow.file.path, job.id.value, decisive)) {
        const scope = { ...inputs, ...values };
        // GitHub names each combination's job after its values: "deploy (production)".
        const named = label === '' ? {} : origin ? {} : { job: `${start.job}${label}` };
        const inner = label !== '' && origin ? [...called, { ...here, job: `${here.job}${label}` }] : chain;
        jobs.push({ ...start, ...named, called: inner, environment: environmentOf(job.environment, scope), conditions, steps: credentialSteps(workflow.raw, job.id.value, scope, readAction, said) });
        if ((visited += weight) > MAX_RUNS) throw tooMany();
      }
    }
  };
  const callee = (job: ReusableWorkflowJob): Parsed | undefined => {
    const local = LOCAL_WORKFLOW.exec(job.ref.value);
    return local ? byName.get(local[1]!) : undefined;
  };

  for (const workflow of parsed) {
    const triggers = Object.keys(workflow.events).filter((event) => event !== 'workflow_call');
    // A workflow that only runs when called is checked through its callers.
    if (triggers.length === 0) {
      if (!parsed.some((other) => other.jobs.some((j) => j.type === 'reusableWorkflowJob' && callee(j) === workflow))) {
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
