// Entry point of the trust check (`node dist/trust-check.js`, the `trust-check` bin and action): reads the
// workflows and trust policies, predicts every token the workflows will present and judges it. The only
// module of the check that touches files, the environment and the network.
import { execFileSync } from 'node:child_process';
import { appendFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { accountAnnotations, accountExitCode, accountJson, accountSummary, accountText } from './check/account-report.ts';
import { accountSarif } from './check/account-sarif.ts';
import { judgeAccount, providerHost, type AccountJudgement } from './check/account.ts';
import { fixesFor } from './check/fix.ts';
import { isExpression, isPolicyOf, isUnnamed, judge, roleName, rolesOf } from './check/judge.ts';
import { jsonText } from './check/one-line.ts';
import { annotations, errorLine, exitCode, fatalLine, summary, toJson, toText, type CheckResult, type InputError, wrap } from './check/report.ts';
import { toSarif, type SarifLog, type SarifSources } from './check/sarif.ts';
import { resolveRepository, RepositoryError, type RepositorySources } from './check/repository.ts';
import { parseWorkflowSource, remoteReader, type WorkflowSources } from './check/workflow-sources.ts';
import { readWorkflows } from './check/workflows.ts';
import { readFromAws } from './policies/read-aws.ts';
import { readPolicies, type ReadResult } from './policies/read.ts';
import { RepositoryFileError, repositoryFiles, type RepositoryFiles } from './repository-files.ts';

const USAGE = 'usage: trust-check [OPTION]... POLICY...   (trust-check --help tells everything)';

// --help: one line per flag. A new flag adds its line here, in the order the flags are best read.
const FLAGS: [string, string][] = [
  ['--repository OWNER/REPO', "whose tokens are predicted (default: git's origin, or GITHUB_REPOSITORY)"],
  ['--workflows DIR', 'the folder of workflows to read (default: .github/workflows)'],
  ['--subject-claims KEYS', 'the subject template: default, immutable, or claim keys (repo,context)'],
  ['--immutable', 'subjects name the owner and repository with their IDs (OWNER@ID/REPO@ID)'],
  ['--visibility VALUE', 'the repository_visibility a template renders: public, private or internal'],
  ['--repository-id N', 'the repository_id claim (default: from GitHub with GITHUB_TOKEN)'],
  ['--owner-id N', 'the repository_owner_id claim (default: from GitHub with GITHUB_TOKEN)'],
  ['--workflow-source O/R=DIR', "read reusable workflows of repository O/R from DIR, that repository's checkout"],
  ['--var NAME=VALUE', 'a Terraform variable, and a CloudFormation parameter (repeatable)'],
  ['--var-file FILE', 'a .tfvars file, applied after the root module\'s own (repeatable)'],
  ['--from-aws', "also check the workflows' roles as IAM has them (iam:GetRole)"],
  ['--all-roles', 'with --from-aws: judge every role of the account (iam:ListRoles), no POLICY'],
  ['--org OWNER', 'with --all-roles: the owner whose repositories are yours (breadth, not findings)'],
  ['--issuer URL', 'with --all-roles: a GitHub Enterprise Server issuer whose providers count (repeatable)'],
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
  // A description past 100 columns goes on under itself, as the report wraps.
  ...FLAGS.flatMap(([flag, what]) => wrap(what, `  ${flag.padEnd(26)}`, 28)),
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
  '  trust-check --from-aws --all-roles --org acme --sarif roles.sarif',
].join('\n');

class UsageError extends Error {}

interface Options {
  repository?: string;
  workflows: string;
  subjectClaims?: string;
  immutable?: boolean;
  visibility?: string;
  repositoryId?: string;
  ownerId?: string;
  vars: Record<string, string>;
  varFiles: string[];
  fromAws: boolean;
  /** --all-roles: every role of the account (iam:ListRoles) instead of POLICY arguments. */
  allRoles: boolean;
  org?: string;
  /** GitHub Enterprise Server issuers, as IAM names their providers. */
  issuers: string[];
  json: boolean;
  sarif?: string;
  policies: string[];
  token?: string;
  /** OWNER/REPO=DIR: a checkout of a repository whose reusable workflows the workflows call. */
  workflowSources: string[];
}

const env = process.env;
// As an action, the runner gives inputs as INPUT_<NAME>, hyphens kept, and no arguments.
const input = (name: string) => env[`INPUT_${name.toUpperCase()}`]?.trim() || undefined;
const asAction = process.argv.length <= 2 && (input('policies') !== undefined || input('all-roles') === 'true');
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
      fromAws: input('all-roles') === 'true',
      allRoles: input('all-roles') === 'true',
      org: input('org'),
      issuers: (input('issuer') ?? '').split(/\s*[\n,]\s*|\s+/).filter(Boolean).map(providerHost),
      json: false,
      sarif: input('sarif'),
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
        immutable: { type: 'boolean', default: false },
        visibility: { type: 'string' },
        'repository-id': { type: 'string' },
        'owner-id': { type: 'string' },
        var: { type: 'string', multiple: true, default: [] },
        'var-file': { type: 'string', multiple: true, default: [] },
        'workflow-source': { type: 'string', multiple: true, default: [] },
        'from-aws': { type: 'boolean', default: false },
        'all-roles': { type: 'boolean', default: false },
        org: { type: 'string' },
        issuer: { type: 'string', multiple: true, default: [] },
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
  if (positionals.length === 0 && !values['from-aws'] && !values['all-roles']) throw new UsageError('give at least one POLICY (or --from-aws)');
  if (values['all-roles'] && positionals.length > 0) throw new UsageError(`--all-roles reads every trust policy from the account: give no POLICY (got '${positionals[0]}')`);
  if (!values['all-roles'] && (values.org !== undefined || values.issuer.length > 0)) throw new UsageError('--org and --issuer go with --all-roles');
  if (values.org !== undefined && !/^[\w.-]+$/.test(values.org)) throw new UsageError(`--org must be a GitHub owner (user or organization) name, got '${values.org}'`);
  const bad = values.issuer.find((issuer) => !/^(?:https:\/\/)?[\w.-]+(?::\d+)?(?:\/[\w.~-]+)*\/?$/.test(issuer));
  if (bad !== undefined) throw new UsageError(`--issuer must be an issuer URL such as https://ghes.example.com/_services/token, got '${bad}'`);
  return {
    repository: values.repository,
    workflows: values.workflows,
    subjectClaims: values['subject-claims'],
    immutable: values.immutable,
    visibility: values.visibility,
    repositoryId: values['repository-id'],
    ownerId: values['owner-id'],
    vars,
    varFiles: values['var-file'],
    fromAws: values['from-aws'] || values['all-roles'],
    allRoles: values['all-roles'],
    org: values.org,
    issuers: values.issuer.map(providerHost),
    json: values.json,
    sarif: values.sarif,
    policies: positionals,
    token: env.GITHUB_TOKEN || undefined,
    workflowSources: values['workflow-source'],
  };
}

function git(...args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

// The repository root, the only tree the check reads (README, "What it reads"): the checkout for the
// action, else git's top level of the working folder (the check may run in a subfolder), else the working
// folder. Its reader is made first thing in main(), where a root that cannot be read is one error.
let files: RepositoryFiles;
const repositoryRoot = () => (asAction ? env.GITHUB_WORKSPACE || process.cwd() : (git('rev-parse', '--show-toplevel') ?? process.cwd()));

const isFolder = (dir: string) => {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
};

/**
 * Where the workflows are when the folder given is not there: the nearest .github/workflows at or above the
 * working folder, as a --workflows to give when it is inside the repository root, else where to run.
 */
function workflowsAdvice(dir: string): string {
  if (path.normalize(dir) !== path.normalize('.github/workflows')) return '';
  for (let at = process.cwd(); ; at = path.dirname(at)) {
    const candidate = path.join(at, '.github', 'workflows');
    if (isFolder(candidate)) {
      const give = files.outside(candidate) ? '' : `, or give --workflows ${path.relative(process.cwd(), candidate)}`;
      return `: run the check at the repository root (${at})${give}`;
    }
    if (path.dirname(at) === at) return ': run the check at the root of the repository, or give --workflows DIR';
  }
}

/** A path the user gave outside the repository root: the check was run from another folder than the repository's. */
function outsideAdvice(given: string): InputError | undefined {
  if (!files.outside(given)) return undefined;
  const top = git('-C', path.dirname(path.resolve(given)), 'rev-parse', '--show-toplevel');
  return { file: given, message: `lies outside the repository root ${files.root}, and the check reads only inside it: run it in ${top ? `the repository that holds it (${top})` : 'the repository that holds it'}` };
}

function workflowFiles(dir: string, errors: InputError[]) {
  let names: string[];
  try {
    names = files.list(dir).filter((name) => /\.ya?ml$/.test(name));
  } catch (error) {
    const missing = error instanceof RepositoryFileError && error.missing;
    errors.push({ file: dir, message: `cannot read the workflows folder (${(error as Error).message})${missing ? workflowsAdvice(dir) : ''}` });
    return [];
  }
  return names.flatMap((name) => {
    const file = path.join(dir, name);
    try {
      return [{ path: path.relative(process.cwd(), path.resolve(file)) || file, text: files.read(file) }];
    } catch (error) {
      errors.push({ file, message: (error as Error).message });
      return [];
    }
  });
}

/** `uses: ./FOLDER` names a folder of the repository the workflows folder (.github/workflows) is in. */
function localActions(workflows: string, errors: InputError[]) {
  const resolved = path.resolve(workflows);
  const root = path.basename(resolved) === 'workflows' && path.basename(path.dirname(resolved)) === '.github' ? path.dirname(path.dirname(resolved)) : process.cwd();
  return (folder: string): string | undefined => {
    for (const name of ['action.yml', 'action.yaml']) {
      const file = path.join(root, folder, name);
      try {
        return files.read(file);
      } catch (error) {
        // The other name, or no action there; an action the check may not read is said once.
        if (error instanceof RepositoryFileError && error.missing) continue;
        const shown = path.relative(process.cwd(), file) || file;
        if (!errors.some((e) => e.file === shown)) errors.push({ file: shown, message: `uses: ./${folder}: ${(error as Error).message}` });
        return undefined;
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
    // The confined reader, rooted at DIR: links followed, regular files only, the size read and not trusted.
    const checkout = repositoryFiles(root, MAX_WORKFLOW_BYTES);
    const read = (file: string): string | undefined => {
      try {
        return checkout.read(path.join(root, file));
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

/**
 * --all-roles: every role of the account, listed with iam:ListRoles and judged against the strangers; with a
 * repository whose workflows are here, its runs too, against the roles they assume.
 */
async function allRoles(opts: Options): Promise<number> {
  const [{ IAMClient }, { listRolesWith, readAllRoles }, { iamRetry }] = await Promise.all([import('@aws-sdk/client-iam'), import('./policies/list-roles.ts'), import('./iam-retry.ts')]);
  // The SDK retries nothing: the project's backoff (retry.ts) is the one retry layer, Throttling included.
  const client = new IAMClient({ region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1', maxAttempts: 1 });
  const listing = await readAllRoles(listRolesWith(client), iamRetry());
  const account = judgeAccount(listing, { issuers: opts.issuers, ...(opts.org ? { org: opts.org } : {}) });

  let own: CheckResult | undefined;
  const notes: string[] = [];
  if (opts.repository && !isFolder(opts.workflows)) notes.push(`${opts.workflows}: no workflows folder here: the runs of ${opts.repository} are not judged`);
  else if (opts.repository) {
    const errors: InputError[] = [];
    const repository = await resolveRepository({ repository: opts.repository, env, remote: () => undefined, gitDefaultBranch: () => git('symbolic-ref', '--short', 'refs/remotes/origin/HEAD')?.replace(/^origin\//, ''), subjectClaims: opts.subjectClaims, github: opts.token ? await githubApi(opts.token) : undefined });
    const workflows = await readWorkflows(workflowFiles(opts.workflows, errors), localActions(opts.workflows, errors));
    errors.push(...workflows.errors);
    // Each run against the role it assumes; a role only the run knows against every role that trusts GitHub.
    const uses = workflows.jobs.flatMap((job) => job.steps.flatMap((step) => rolesOf(job, step, [])));
    const policies = uses.some((use) => isUnnamed(use.role)) ? account.roles.map((r) => r.policy) : listing.policies.filter((p) => uses.some((use) => isPolicyOf(p, use.role)));
    const judgement = judge(workflows.jobs, policies, repository);
    own = { judgement, fixes: fixesFor(judgement, repository), errors, assumed: [...repository.assumed, ...workflows.assumed, ...judgement.assumed] };
  }
  const assumed = [...notes, ...account.assumed];

  const inWorkflow = env.GITHUB_ACTIONS === 'true';
  const commands = [...(own ? annotations(own) : []), ...accountAnnotations(account)];
  if (opts.json) {
    const runs = own ? toJson(own) : { runs: [], strangers: [], assumed: [] };
    process.stdout.write(`${jsonText({ ...accountJson(account), runs: runs.runs, strangers: runs.strangers, assumed: [...runs.assumed, ...assumed] }, 2)}\n`);
    if (inWorkflow) for (const line of commands) process.stderr.write(`${line}\n`);
  } else {
    if (inWorkflow) for (const line of commands) process.stdout.write(`${line}\n`);
    const withNotes = { ...account, assumed };
    process.stdout.write(`${own ? `${toText(own)}\n\n` : ''}${accountText(withNotes)}\n`);
  }
  if (inWorkflow && env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `${own ? summary(own) : ''}${accountSummary(account)}`);
  // One log for code scanning: the repository's runs (on its files) and the account's roles (by ARN).
  if (opts.sarif) writeSarif(opts.sarif, accountSarif(account, own && { result: own, sources: sarifSources(files.root) }));
  if (asAction && env.GITHUB_OUTPUT) await setOutputs(own, opts.sarif, account);
  return Math.max(own ? exitCode(own) : 0, accountExitCode(account));
}

// SARIF locations are relative to the repository root, and the lines are found in the files as the
// check read them: through the same confined reader.
const sarifSources = (root: string): SarifSources => ({
  uri: (file) => {
    if (file.startsWith('aws:')) return undefined;
    const relative = path.relative(root, path.resolve(file));
    return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? undefined : relative.split(path.sep).join('/');
  },
  text: (file) => {
    try {
      return files.read(file);
    } catch {
      return undefined;
    }
  },
});

function writeSarif(file: string, log: SarifLog) {
  try {
    writeFileSync(file, `${JSON.stringify(log, null, 2)}\n`);
  } catch (error) {
    throw new UsageError(`the SARIF file ${file} cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * The action's outputs, for the next step: counts of what was judged and found, and the SARIF file. With
 * all-roles, the runs are the repository's own (none when not judged) and the account's strangers count too.
 */
async function setOutputs(result: CheckResult | undefined, sarif: string | undefined, account?: AccountJudgement) {
  const core = await import('@actions/core');
  const judgement = result?.judgement;
  const strangers = [...(judgement?.strangers ?? []), ...(account?.roles.flatMap((r) => r.admitted) ?? [])];
  const admitted = strangers.filter((s) => !s.unresolved).length;
  core.setOutput('runs', judgement?.runs.length ?? 0);
  core.setOutput('refused', judgement?.refused.length ?? 0);
  core.setOutput('strangers', admitted);
  core.setOutput('undetermined', (judgement?.undetermined.length ?? 0) + strangers.length - admitted);
  core.setOutput('sarif', sarif ?? '');
}

async function main(): Promise<number> {
  const opts = options();
  files = repositoryFiles(repositoryRoot());
  if (opts.allRoles) return allRoles(opts);
  const errors: InputError[] = [];
  const repository = await resolveRepository({
    repository: opts.repository,
    env,
    remote: () => git('remote', 'get-url', 'origin'),
    gitDefaultBranch: () => git('symbolic-ref', '--short', 'refs/remotes/origin/HEAD')?.replace(/^origin\//, ''),
    subjectClaims: opts.subjectClaims,
    immutable: opts.immutable,
    visibility: opts.visibility,
    repositoryId: opts.repositoryId,
    ownerId: opts.ownerId,
    github: opts.token ? await githubApi(opts.token) : undefined,
  });
  const sources: WorkflowSources = { checkouts: checkouts(opts.workflowSources), ...(opts.token ? { contents: await contentsApi(opts.token) } : {}) };
  const workflows = await readWorkflows(workflowFiles(opts.workflows, errors), localActions(opts.workflows, errors), remoteReader(sources));
  errors.push(...workflows.errors);

  // A policy or var-file named outside the root is said with where to run instead, and not read.
  const given = (list: string[], pathOf: (p: string) => string) =>
    list.filter((p) => {
      const outside = outsideAdvice(pathOf(p));
      if (outside) errors.push(outside);
      return !outside;
    });
  const policyPaths = given(opts.policies, (p) => (p.startsWith('arn:') && p.includes('=') ? p.slice(p.indexOf('=') + 1) : p));
  const varFiles = given(opts.varFiles, (p) => p);
  const read = policyPaths.length > 0 ? await readPolicies(policyPaths, files, { vars: opts.vars, varFiles }) : { policies: [], errors: [], assumed: [] };
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
    process.stdout.write(`${jsonText(toJson(result), 2)}\n`);
    if (inWorkflow) for (const line of annotations(result)) process.stderr.write(`${line}\n`);
    else for (const e of errors) process.stderr.write(`${errorLine(e)}\n`);
  } else {
    if (inWorkflow) for (const line of annotations(result)) process.stdout.write(`${line}\n`);
    process.stdout.write(`${toText(result)}\n`);
  }
  if (inWorkflow && env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, summary(result));
  if (opts.sarif) writeSarif(opts.sarif, toSarif(result, sarifSources(files.root)));
  if (asAction && env.GITHUB_OUTPUT) await setOutputs(result, opts.sarif);
  return exitCode(result);
}

try {
  process.exitCode = await main();
} catch (error) {
  // Bad input is one line naming what is wrong; anything else is a bug, still without a stack trace.
  // A refused or exhausted iam:ListRoles (--all-roles) is said in one line too.
  const known = error instanceof UsageError || error instanceof RepositoryError || error instanceof RepositoryFileError || (error as Error).name === 'ListRolesError';
  const message = known ? (error as Error).message : `unexpected failure: ${(error as Error).message}`;
  if (env.GITHUB_ACTIONS === 'true') process.stdout.write(`${fatalLine(message, true)}\n`);
  else process.stderr.write(`${fatalLine(message, false)}\n${error instanceof UsageError ? `${USAGE}\n` : ''}`);
  process.exitCode = 2;
}
