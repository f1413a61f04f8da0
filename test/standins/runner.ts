// Runs the built action the way the GitHub runner does: inputs as INPUT_* variables, the GITHUB_ENV /
// GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY command files, workflow commands on stdout, masking,
// exported variables carried into later steps, and the post step with STATE_*. Shared by the
// integration tests, `npm run demo` and `npm run bench`.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = path.join(ROOT, 'dist');

export interface StepResult {
  exitCode: number | null;
  /** The runner did not run the step (post-if was false). */
  skipped?: boolean;
  stdout: string;
  stderr: string;
  /** What the workflow log shows: commands rendered, secrets masked. */
  log: string[];
  /** Messages of ::error:: commands, unescaped. */
  errors: string[];
  warnings: string[];
  /** Variables this step exported through GITHUB_ENV. */
  exported: Record<string, string>;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  durationMs: number;
}

/** GitHub's file command format: `name<<DELIM\nvalue\nDELIM` (or the older `name=value`). */
export function parseFileCommands(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name = '', delimiter = ''] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
      result[name] = value.join('\n');
    } else if (line.includes('=')) {
      result[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return result;
}

/**
 * action.yml's post-if, evaluated as the runner does for the forms it uses: clauses joined by &&, each
 * always() or env.NAME == / != 'literal'. Anything else fails loudly rather than guess.
 */
async function postIf(env: Record<string, string | undefined>): Promise<boolean> {
  const yml = await readFile(path.join(ROOT, 'action.yml'), 'utf8');
  const raw = /^\s*post-if:\s*(.+)$/m.exec(yml)?.[1]?.trim() ?? 'always()';
  const expression = raw.replace(/^(['"])(.*)\1$/, '$2');
  return expression.split('&&').every((clause) => {
    const c = clause.trim();
    if (c === 'always()') return true;
    const m = /^env\.(\w+)\s*(==|!=)\s*'([^']*)'$/.exec(c);
    if (!m) throw new Error(`runner stand-in: cannot evaluate post-if clause ${c}`);
    const [, name = '', op, literal] = m;
    // The runner compares strings without case; an unset variable is ''.
    const equal = (env[name] ?? '').toLowerCase() === (literal ?? '').toLowerCase();
    return op === '==' ? equal : !equal;
  });
}

function unescapeData(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

export interface JobOptions {
  /** Job-level environment: the issuer's request URL and token, AWS_ENDPOINT_URL_STS, … */
  env: Record<string, string | undefined>;
}

export class Job {
  readonly temp: string;
  readonly workspace: string;
  /** The job's environment as later steps see it (job env + everything exported so far). */
  readonly env: Record<string, string | undefined>;
  readonly masks: string[] = [];
  private readonly root: string;
  private state: Record<string, string> = {};
  private inputs: Record<string, string> = {};
  private steps = 0;

  private constructor(root: string, env: Record<string, string | undefined>) {
    this.root = root;
    this.temp = path.join(root, 'runner-temp');
    this.workspace = path.join(root, 'workspace');
    this.env = env;
  }

  static async create({ env }: JobOptions): Promise<Job> {
    const root = await mkdtemp(path.join(os.tmpdir(), 'job-'));
    const job = new Job(root, {
      PATH: process.env.PATH,
      HOME: path.join(root, 'home'),
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'acme/webapp',
      GITHUB_WORKFLOW: 'Deploy',
      GITHUB_ACTION: '__run',
      GITHUB_ACTOR: 'octocat',
      GITHUB_SHA: 'e1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5e',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_RUN_ID: '7001',
      ...env,
    });
    for (const dir of [job.temp, job.workspace, job.env.HOME ?? '']) await mkdir(dir, { recursive: true });
    job.env.RUNNER_TEMP = job.temp;
    job.env.GITHUB_WORKSPACE = job.workspace;
    return job;
  }

  /** The action's main step (`uses:`), with its inputs. */
  main(inputs: Record<string, string>, env: Record<string, string | undefined> = {}): Promise<StepResult> {
    this.inputs = inputs;
    return this.runNode([path.join(DIST, 'main.js')], inputs, env, {});
  }

  /** The action's post step: same inputs, plus the state main saved; skipped when action.yml's post-if says so. */
  async post(env: Record<string, string | undefined> = {}): Promise<StepResult> {
    if (!(await postIf({ ...this.env, ...env }))) {
      return { exitCode: null, skipped: true, stdout: '', stderr: '', log: [], errors: [], warnings: [], exported: {}, outputs: {}, state: {}, summary: '', durationMs: 0 };
    }
    const state = Object.fromEntries(Object.entries(this.state).map(([k, v]) => [`STATE_${k}`, v]));
    return this.runNode([path.join(DIST, 'post.js')], this.inputs, env, state);
  }

  /** A later `run:` step of the job running a Node program. */
  node(args: string[], env: Record<string, string | undefined> = {}): Promise<StepResult> {
    return this.runNode(args, {}, env, {});
  }

  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }

  private async runNode(args: string[], inputs: Record<string, string>, extraEnv: Record<string, string | undefined>, state: Record<string, string>): Promise<StepResult> {
    const step = ++this.steps;
    const files = {
      GITHUB_ENV: path.join(this.root, `env-${step}`),
      GITHUB_OUTPUT: path.join(this.root, `output-${step}`),
      GITHUB_STATE: path.join(this.root, `state-${step}`),
      GITHUB_STEP_SUMMARY: path.join(this.root, `summary-${step}`),
      GITHUB_PATH: path.join(this.root, `path-${step}`),
    };
    for (const file of Object.values(files)) await writeFile(file, '');
    const env: Record<string, string> = {};
    const inputEnv = Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]));
    for (const [name, value] of Object.entries({ ...this.env, ...inputEnv, ...state, ...extraEnv, ...files })) {
      if (value !== undefined) env[name] = value;
    }

    const started = performance.now();
    // Node is spawned directly: a shell would drop INPUT_ variables whose names hold hyphens.
    const child = spawn(process.execPath, args, { env, cwd: this.workspace, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    // The runner reads both pipes as lines arrive and handles each line the same way, whichever pipe it
    // came from: a workflow command is run, anything else is masked and shown. So lines are taken in the
    // order they reach us. Across the two pipes that order is only arrival order, as on GitHub: a line on
    // stderr written just after an ::add-mask:: on stdout may be shown before the mask is registered.
    // A line ends at "\n", "\r\n" or a lone "\r", as .NET's StreamReader.ReadLine (the runner's reader) ends it.
    const arrived: string[] = [];
    const pending = { stdout: '', stderr: '' };
    const take = (stream: 'stdout' | 'stderr', text: string, end = false) => {
      const lines = (pending[stream] + text).split(/\r\n|\r(?!$)|\n/);
      pending[stream] = end ? '' : (lines.pop() ?? '');
      arrived.push(...lines.map((line) => line.replace(/\r$/, '')));
    };
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      stdout += d;
      take('stdout', d);
    });
    child.stderr.on('data', (d: string) => {
      stderr += d;
      take('stderr', d);
    });
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    take('stdout', '', true);
    take('stderr', '', true);
    const durationMs = performance.now() - started;

    const log: string[] = [];
    const errors: string[] = [];
    const warnings: string[] = [];
    // Masking is line by line with the masks registered so far (in this step or an earlier one of the
    // job): a secret printed before its ::add-mask:: shows in clear, exactly as it would on GitHub.
    const show = (line: string) => log.push(this.mask(line));
    for (const line of arrived) {
      // The runner trims leading whitespace before it looks for a command (ActionCommand.TryParseV2).
      const command = /^\s*::([\w-]+)(?: [^:]*)?::(.*)$/.exec(line);
      if (!command) {
        if (line !== '') show(line);
        continue;
      }
      const [, name, raw = ''] = command;
      const message = unescapeData(raw);
      if (name === 'add-mask') this.masks.push(message);
      else if (name === 'error') {
        errors.push(message);
        show(`Error: ${message}`);
      } else if (name === 'warning') {
        warnings.push(message);
        show(`Warning: ${message}`);
      } else if (name === 'notice') show(`Notice: ${message}`);
    }

    const exported = parseFileCommands(await readFile(files.GITHUB_ENV, 'utf8'));
    Object.assign(this.env, exported);
    const stepState = parseFileCommands(await readFile(files.GITHUB_STATE, 'utf8'));
    if (args[0]?.endsWith('main.js')) this.state = stepState;

    return {
      exitCode,
      stdout,
      stderr,
      log,
      errors,
      warnings,
      exported,
      outputs: parseFileCommands(await readFile(files.GITHUB_OUTPUT, 'utf8')),
      state: stepState,
      summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'),
      durationMs,
    };
  }

  /** The runner replaces every secret registered so far with *** in what it shows. */
  mask(text: string): string {
    return this.masks.filter((m) => m !== '').reduce((out, secret) => out.split(secret).join('***'), text);
  }
}
