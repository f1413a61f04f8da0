// Entry point of the trust check (`node dist/trust-check.js`, the `trust-check` bin and action): reads the
// workflows and trust policies, predicts every token the workflows will present and judges it. The only
// module of the check that touches files, the environment and the network.
import { execFileSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fixesFor } from './check/fix.ts';
import { isExpression, judge, roleName, rolesOf } from './check/judge.ts';
import { annotations, exitCode, summary, toJson, toText, type CheckResult, type InputError } from './check/report.ts';
import { resolveRepository, RepositoryError, type RepositorySources } from './check/repository.ts';
import { parseWorkflowSource, remoteReader, type WorkflowSources } from './check/workflow-sources.ts';
import { readWorkflows } from './check/workflows.ts';
import { readFromAws } from './policies/read-aws.ts';
import { readPolicies, type PolicyFiles, type ReadResult } from './policies/read.ts';

const USAGE =
  'usage: trust-check [--repository OWNER/REPO] [--workflows DIR] [--subject-claims KEYS] [--var NAME=VALUE]... [--var-file FILE]... [--workflow-source OWNER/REPO=DIR]... [--from-aws] [--json] POLICY...\n' +
  '  POLICY: a policy file (IAM JSON, CloudFormation/SAM/CDK template, Terraform .tf, terraform show -json plan), a folder, or ROLE_ARN=PATH';

class UsageError extends Error {}

interface Options {
  repository?: string;
  workflows: string;
  subjectClaims?: string;
  vars: Record<string, string>;
  varFiles: string[];
  fromAws: boolean;
  json: boolean;
  policies: string[];
  token?: string;
  /** OWNER/REPO=DIR: a checkout of a repository whose reusable workflows the workflows call. */
  workflowSources: string[];
}

const env = process.env;
// As an action, the runner gives inputs as INPUT_<NAME>, hyphens kept, and no arguments.
const input = (name: string) => env[`INPUT_${name.toUpperCase()}`]?.trim() || undefined;
const asAction = process.argv.length <= 2 && input('policies') !== undefined;

function options(): Options {
  if (asAction) {
    return {
      repository: input('repository'),
      workflows: input('workflows') ?? '.github/workflows',
      subjectClaims: input('subject-claims'),
      vars: {},
      varFiles: [],
      fromAws: false,
      json: false,
      policies: (input('policies') ?? '').split(/\s*[\n,]\s*|\s+/).filter(Boolean),
      token: input('github-token'),
      workflowSources: [],
    };
  }
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        repository: { type: 'string' },
        workflows: { type: 'string', default: '.github/workflows' },
        'subject-claims': { type: 'string' },
        var: { type: 'string', multiple: true, default: [] },
        'var-file': { type: 'string', multiple: true, default: [] },
        'workflow-source': { type: 'string', multiple: true, default: [] },
        'from-aws': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const vars: Record<string, string> = {};
  for (const pair of values.var) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--var must be NAME=VALUE, got '${pair}'`);
    vars[pair.slice(0, at)] = pair.slice(at + 1);
  }
  if (positionals.length === 0 && !values['from-aws']) throw new UsageError('give at least one POLICY (or --from-aws)');
  return {
    repository: values.repository,
    workflows: values.workflows,
    subjectClaims: values['subject-claims'],
    vars,
    varFiles: values['var-file'],
    fromAws: values['from-aws'],
    json: values.json,
    policies: positionals,
    token: env.GITHUB_TOKEN || undefined,
    workflowSources: values['workflow-source'],
  };
}

const files: PolicyFiles = {
  read: (file) => readFileSync(file, 'utf8'),
  list: (dir) => readdirSync(dir).sort(),
  isDirectory: (p) => statSync(p).isDirectory(),
};

function git(...args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function workflowFiles(dir: string, errors: InputError[]) {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).sort();
  } catch (error) {
    errors.push({ file: dir, message: `cannot read the workflows folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` });
    return [];
  }
  return names.map((name) => {
    const file = path.join(dir, name);
    return { path: path.relative(process.cwd(), path.resolve(file)) || file, text: readFileSync(file, 'utf8') };
  });
}

/** `uses: ./FOLDER` names a folder of the repository the workflows folder (.github/workflows) is in. */
function localActions(workflows: string) {
  const resolved = path.resolve(workflows);
  const root = path.basename(resolved) === 'workflows' && path.basename(path.dirname(resolved)) === '.github' ? path.dirname(path.dirname(resolved)) : process.cwd();
  return (folder: string): string | undefined => {
    for (const name of ['action.yml', 'action.yaml']) {
      try {
        return readFileSync(path.join(root, folder, name), 'utf8');
      } catch {
        // the other name, or no action there
      }
    }
    return undefined;
  };
}

// A workflow file is small; one larger than this is not read (nor is anything that is not a file).
const MAX_WORKFLOW_BYTES = 1 << 20;

/** `--workflow-source OWNER/REPO=DIR`: reads under DIR's real path only, so no `..` or symlink leads out of it. */
function checkouts(values: string[]): WorkflowSources['checkouts'] {
  const found: WorkflowSources['checkouts'] = new Map();
  for (const value of values) {
    const source = parseWorkflowSource(value);
    if (!source) throw new UsageError(`--workflow-source must be OWNER/REPO=DIR, got '${value}'`);
    let root: string;
    try {
      root = realpathSync(source.dir);
      if (!statSync(root).isDirectory()) throw new Error('not a folder');
    } catch (error) {
      throw new UsageError(`--workflow-source ${source.repository}: cannot read the folder ${source.dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    const read = (file: string): string | undefined => {
      try {
        const real = realpathSync(path.join(root, file));
        if (!real.startsWith(`${root}${path.sep}`)) return undefined;
        const stat = statSync(real);
        return stat.isFile() && stat.size <= MAX_WORKFLOW_BYTES ? readFileSync(real, 'utf8') : undefined;
      } catch {
        return undefined;
      }
    };
    found.set(source.repository, { dir: source.dir, read });
  }
  return found;
}

async function contentsApi(token: string): Promise<NonNullable<WorkflowSources['contents']>> {
  const { getOctokit } = await import('@actions/github');
  const octokit = getOctokit(token);
  return async (owner, repo, file, ref) => {
    const { data } = await octokit.rest.repos.getContent({ owner, repo, path: file, ref });
    if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) throw new Error(`${file} is not a file`);
    if (data.size > MAX_WORKFLOW_BYTES) throw new Error(`${file} is larger than ${MAX_WORKFLOW_BYTES} bytes`);
    return Buffer.from(data.content, 'base64').toString('utf8');
  };
}

async function githubApi(token: string): Promise<RepositorySources['github']> {
  const { getOctokit } = await import('@actions/github');
  const octokit = getOctokit(token);
  return {
    repository: async (owner, repo) => (await octokit.rest.repos.get({ owner, repo })).data,
    subjectCustomization: async (owner, repo) => (await octokit.request('GET /repos/{owner}/{repo}/actions/oidc/customization/sub', { owner, repo })).data as { use_default: boolean; include_claim_keys?: string[] },
  };
}

async function fromAws(roles: string[]): Promise<ReadResult> {
  const [{ IAMClient }, { getRoleWith }] = await Promise.all([import('@aws-sdk/client-iam'), import('./policies/get-role.ts')]);
  return readFromAws(roles, getRoleWith(new IAMClient({ region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1' })));
}

async function main(): Promise<number> {
  const opts = options();
  const errors: InputError[] = [];
  const repository = await resolveRepository({
    repository: opts.repository,
    env,
    remote: () => git('remote', 'get-url', 'origin'),
    gitDefaultBranch: () => git('symbolic-ref', '--short', 'refs/remotes/origin/HEAD')?.replace(/^origin\//, ''),
    subjectClaims: opts.subjectClaims,
    github: opts.token ? await githubApi(opts.token) : undefined,
  });
  const sources: WorkflowSources = { checkouts: checkouts(opts.workflowSources), ...(opts.token ? { contents: await contentsApi(opts.token) } : {}) };
  const workflows = await readWorkflows(workflowFiles(opts.workflows, errors), localActions(opts.workflows), remoteReader(sources));
  errors.push(...workflows.errors);

  const read = opts.policies.length > 0 ? await readPolicies(opts.policies, files, { vars: opts.vars, varFiles: opts.varFiles }) : { policies: [], errors: [], assumed: [] };
  const policies = [...read.policies];
  errors.push(...read.errors);
  // Each policy's own assumptions come with the judgement, once its account is known.
  const assumed = [...repository.assumed, ...workflows.assumed];
  if (opts.fromAws) {
    const roles = [...new Set(workflows.jobs.flatMap((job) => job.steps.flatMap((step) => rolesOf(job, step, []).map((use) => (isExpression(use.role) ? roleName(use.role) : use.role)))).filter((role): role is string => role !== undefined))];
    const aws = await fromAws(roles);
    policies.push(...aws.policies);
    errors.push(...aws.errors);
  }

  const judgement = judge(workflows.jobs, policies, repository);
  const result: CheckResult = { judgement, fixes: fixesFor(judgement, repository), errors, assumed: [...assumed, ...judgement.assumed] };
  const inWorkflow = env.GITHUB_ACTIONS === 'true';
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(toJson(result), null, 2)}\n`);
    if (inWorkflow) for (const line of annotations(result)) process.stderr.write(`${line}\n`);
    else for (const e of errors) process.stderr.write(`error: ${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}\n`);
  } else {
    if (inWorkflow) for (const line of annotations(result)) process.stdout.write(`${line}\n`);
    process.stdout.write(`${toText(result)}\n`);
  }
  if (inWorkflow && env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, summary(result));
  return exitCode(result);
}

try {
  process.exitCode = await main();
} catch (error) {
  // Bad input is one line naming what is wrong; anything else is a bug, still without a stack trace.
  const known = error instanceof UsageError || error instanceof RepositoryError;
  const message = known ? (error as Error).message : `unexpected failure: ${(error as Error).message}`;
  if (env.GITHUB_ACTIONS === 'true') process.stdout.write(`::error::${message}\n`);
  else process.stderr.write(`error: ${message}\n${error instanceof UsageError ? `${USAGE}\n` : ''}`);
  process.exitCode = 2;
}
