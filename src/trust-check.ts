// Entry point of the trust check (`node dist/trust-check.js`, the `trust-check` bin and action): reads the
// workflows and trust policies, predicts every token the workflows will present and judges it. The only
// module of the check that touches files, the environment and the network.
import { execFileSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fixesFor } from './check/fix.ts';
import { isExpression, judge, roleName, rolesOf } from './check/judge.ts';
import { annotations, exitCode, summary, toJson, toText, type CheckResult, type InputError } from './check/report.ts';
import { toSarif, type SarifSources } from './check/sarif.ts';
import { resolveRepository, RepositoryError, type RepositorySources } from './check/repository.ts';
import { readWorkflows } from './check/workflows.ts';
import { readFromAws } from './policies/read-aws.ts';
import { readPolicies, type PolicyFiles, type ReadResult } from './policies/read.ts';

const USAGE = 'usage: trust-check [OPTION]... POLICY...   (trust-check --help tells everything)';

// --help: one line per flag. A new flag adds its line here, in the order the flags are best read.
const FLAGS: [string, string][] = [
  ['--repository OWNER/REPO', "whose tokens are predicted (default: git's origin, or GITHUB_REPOSITORY)"],
  ['--workflows DIR', 'the folder of workflows to read (default: .github/workflows)'],
  ['--subject-claims KEYS', 'the subject template: default, immutable, or claim keys (repo,context)'],
  ['--var NAME=VALUE', 'a Terraform variable, and a CloudFormation parameter (repeatable)'],
  ['--var-file FILE', 'a .tfvars file, applied after the root module\'s own (repeatable)'],
  ['--from-aws', "also check the workflows' roles as IAM has them (iam:GetRole)"],
  ['--json', 'print the findings as JSON (a shape kept stable) instead of text'],
  ['--sarif FILE', 'also write the findings as SARIF 2.1.0 for GitHub code scanning'],
  ['--help', 'print this help'],
];

const HELP = [
  USAGE,
  '',
  "Predicts every OIDC token the repository's workflows present to AWS and judges each against the",
  "roles' trust policies; tries other repositories' tokens (strangers) too. Offline.",
  '',
  'POLICY is a file, a folder, or ROLE_ARN=PATH (the file is the trust policy of that role).',
  '  A file: IAM JSON, a CloudFormation/SAM/CDK template, Terraform .tf, a terraform show -json plan.',
  '  A folder is walked (not node_modules, not hidden folders): each folder in it that holds .tf',
  '  files is read as one Terraform root module, except a module another one calls (read with the',
  "  caller's arguments); its other .json, .yaml, .yml and .template files are read as policies,",
  '  templates or plans.',
  '',
  'Options:',
  ...FLAGS.map(([flag, what]) => `  ${flag.padEnd(26)}${what}`),
  '',
  "GITHUB_TOKEN, when set, reads the subject template, the IDs and the default branch from GitHub.",
  '',
  'Exit status: 0 every predicted run is admitted and no stranger is; 1 findings (a refused run,',
  'an admitted stranger, an UNKNOWN verdict); 2 bad input (a file that cannot be read as it should).',
  '',
  'Examples:',
  '  trust-check infra/',
  '  trust-check --var org=acme --var-file prod.tfvars --sarif trust-check.sarif infra/',
  '  trust-check --json arn:aws:iam::111111111111:role/deploy=policies/deploy-trust.json',
].join('\n');

class UsageError extends Error {}

interface Options {
  repository?: string;
  workflows: string;
  subjectClaims?: string;
  vars: Record<string, string>;
  varFiles: string[];
  fromAws: boolean;
  json: boolean;
  sarif?: string;
  policies: string[];
  token?: string;
}

const env = process.env;
// As an action, the runner gives inputs as INPUT_<NAME>, hyphens kept, and no arguments.
const input = (name: string) => env[`INPUT_${name.toUpperCase()}`]?.trim() || undefined;
const asAction = process.argv.length <= 2 && input('policies') !== undefined;
const lines = (value: string | undefined) => (value ?? '').split('\n').map((l) => l.trim()).filter(Boolean);

/** `--var` and the action's `vars` lines: NAME=VALUE, the value taken as written (it may hold `=`). */
function parseVars(pairs: string[], what: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`${what} must be NAME=VALUE, got '${pair}'`);
    vars[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  return vars;
}

function options(): Options {
  if (asAction) {
    return {
      repository: input('repository'),
      workflows: input('workflows') ?? '.github/workflows',
      subjectClaims: input('subject-claims'),
      vars: parseVars(lines(input('vars')), 'each line of the input vars'),
      varFiles: lines(input('var-files')),
      fromAws: false,
      json: false,
      sarif: input('sarif'),
      policies: (input('policies') ?? '').split(/\s*[\n,]\s*|\s+/).filter(Boolean),
      token: input('github-token'),
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
        'from-aws': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        sarif: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  const vars = parseVars(values.var, '--var');
  if (positionals.length === 0 && !values['from-aws']) throw new UsageError('give at least one POLICY (or --from-aws)');
  return {
    repository: values.repository,
    workflows: values.workflows,
    subjectClaims: values['subject-claims'],
    vars,
    varFiles: values['var-file'],
    fromAws: values['from-aws'],
    json: values.json,
    sarif: values.sarif,
    policies: positionals,
    token: env.GITHUB_TOKEN || undefined,
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

// SARIF locations are relative to the repository root: for the CLI and the action, the folder it runs in.
const sarifSources: SarifSources = {
  uri: (file) => {
    if (file.startsWith('aws:')) return undefined;
    const relative = path.relative(process.cwd(), path.resolve(file));
    return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? undefined : relative.split(path.sep).join('/');
  },
  text: (file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
};

function writeSarif(file: string, result: CheckResult) {
  try {
    writeFileSync(file, `${JSON.stringify(toSarif(result, sarifSources), null, 2)}\n`);
  } catch (error) {
    throw new UsageError(`the SARIF file ${file} cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** The action's outputs, for the next step: counts of what was judged and found, and the SARIF file. */
async function setOutputs(result: CheckResult, sarif: string | undefined) {
  const core = await import('@actions/core');
  const { runs, refused, undetermined, strangers } = result.judgement;
  const admitted = strangers.filter((s) => !s.unresolved).length;
  core.setOutput('runs', runs.length);
  core.setOutput('refused', refused.length);
  core.setOutput('strangers', admitted);
  core.setOutput('undetermined', undetermined.length + strangers.length - admitted);
  core.setOutput('sarif', sarif ?? '');
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
  const workflows = await readWorkflows(workflowFiles(opts.workflows, errors), localActions(opts.workflows));
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
  if (opts.sarif) writeSarif(opts.sarif, result);
  if (asAction && env.GITHUB_OUTPUT) await setOutputs(result, opts.sarif);
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
