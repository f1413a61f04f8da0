// A hostile pull request cannot make the trust check read outside the repository. Each test writes a
// minimal repository into a temporary folder, with a secret beside it (outside the repository), runs the
// real CLI on it as the action runs it (annotations, job summary) and with --json, and looks for the
// secret in everything the check wrote. Each repository is one that, unconfined, prints the secret.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ROOT } from '../standins/runner.ts';

const CLI = path.join(ROOT, 'dist', 'trust-check.js');
const SECRET = 'MARKER-SECRET-5f3c9a';
const PROVIDER = 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com';

const WORKFLOW = `on:
  push:
    branches: [main]
permissions:
  id-token: write
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: acme/oidc-aws-credentials@v1
        with:
          role-to-assume: arn:aws:iam::111111111111:role/deploy
`;

/** A Terraform role whose `sub` condition is `values`, an expression (what a hostile policy reads through). */
const terraformRole = (values: string) => `data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["${PROVIDER}"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ${values}
    }
  }
}
resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
`;

/** An IAM trust policy that admits `sub`: the secret, when it is the file outside. */
const iamPolicy = (sub: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Federated: PROVIDER }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': sub } } }],
  });

interface Run {
  code: number | null;
  /** stdout, stderr and the job summary of the action-like run, then stdout and stderr of the --json run. */
  everything: string;
  stderrs: string;
  outputs: string;
}

let base: string;
let outside: string;
beforeAll(() => {
  base = mkdtempSync(path.join(tmpdir(), 'trust-check-confined-'));
  outside = path.join(base, 'outside');
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'secret.txt'), `${SECRET}\n`);
  writeFileSync(path.join(outside, 'trust.json'), iamPolicy(`repo:${SECRET}:*`));
  writeFileSync(path.join(outside, 'action.yml'), `runs:\n  using: composite\n  steps:\n    - uses: acme/oidc-aws-credentials@v1\n      with:\n        role-to-assume: arn:aws:iam::111111111111:role/${SECRET}\n`);
  writeFileSync(path.join(outside, 'secret.tfvars'), `org = "${SECRET}"\n`);
  writeFileSync(path.join(outside, 'called.yml'), WORKFLOW.replace('on:\n  push:\n    branches: [main]', 'on: workflow_call').replace('role/deploy', `role/${SECRET}`));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

let count = 0;
/** A repository of `files` (path → text, or { link } for a symlink), with a workflow that assumes the deploy role. */
function repository(files: Record<string, string | { link: string }>): string {
  const repo = path.join(base, `repo-${++count}`);
  mkdirSync(path.join(repo, '.github', 'workflows'), { recursive: true });
  writeFileSync(path.join(repo, '.github', 'workflows', 'deploy.yml'), WORKFLOW);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(repo, name);
    mkdirSync(path.dirname(file), { recursive: true });
    if (typeof content === 'string') writeFileSync(file, content);
    else symlinkSync(content.link, file);
  }
  return repo;
}

function spawnCli(repo: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // No git above the repository: its root is the working folder. The secret is in the environment too, for /proc/self/environ.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(GITHUB_|INPUT_|AWS_|RUNNER_|GIT_)/.test(k)));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: repo, env: { ...clean, GIT_CEILING_DIRECTORIES: base, LEAKED_TOKEN: SECRET, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The check on `repo`, in a workflow (annotations and job summary) and with --json. */
async function check(repo: string, args: string[]): Promise<Run> {
  const summary = path.join(repo, '..', `summary-${path.basename(repo)}.md`);
  writeFileSync(summary, '');
  const inWorkflow = await spawnCli(repo, ['--repository', 'acme/webapp', ...args], { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
  const json = await spawnCli(repo, ['--repository', 'acme/webapp', '--json', ...args], {});
  expect(json.code).toBe(inWorkflow.code);
  const outputs = [inWorkflow.stdout, inWorkflow.stderr, readFileSync(summary, 'utf8'), json.stdout, json.stderr].join('\n');
  return { code: inWorkflow.code, everything: outputs, stderrs: `${inWorkflow.stdout}\n${json.stderr}`, outputs };
}

/** Refused with one error that names `path`, and not a byte of the secret anywhere. */
function refused(run: Run, named: string | RegExp) {
  expect(run.everything).not.toContain(SECRET);
  expect(run.code).toBe(2);
  const errors = run.stderrs.split('\n').filter((l) => /^(::error|error:)/.test(l));
  expect(errors.some((l) => (typeof named === 'string' ? l.includes(named) : named.test(l)))).toBe(true);
}

describe('files stay inside the repository', () => {
  test("an absolute path in Terraform's file()", async () => {
    const repo = repository({ 'infra/main.tf': terraformRole(`[file("${path.join(outside, 'secret.txt')}")]`) });
    refused(await check(repo, ['infra/']), path.join(outside, 'secret.txt'));
  });

  test("a ../ path in templatefile()", async () => {
    const repo = repository({ 'infra/main.tf': terraformRole('[templatefile("../../outside/secret.txt", {})]') });
    refused(await check(repo, ['infra/']), 'outside/secret.txt');
  });

  test('a committed symlink to a file outside, read by file() and given as a policy', async () => {
    const repo = repository({
      'infra/main.tf': terraformRole('[file("${path.module}/../notes.txt")]'),
      'notes.txt': { link: path.join(outside, 'secret.txt') },
      'policies/trust.json': { link: '../../outside/trust.json' },
    });
    refused(await check(repo, ['infra/']), 'notes.txt');
    const given = await check(repo, ['arn:aws:iam::111111111111:role/deploy=policies/trust.json']);
    refused(given, /policies\/trust\.json.*outside the repository root/);
  });

  test('a symlinked folder that leads outside, in a folder the check walks', async () => {
    const repo = repository({ 'infra/shared': { link: outside } });
    const run = await check(repo, ['infra/']);
    refused(run, /infra\/shared.*outside the repository root/);
  });

  test('/proc/self/environ, through file() and through a symlink', async () => {
    const repo = repository({ 'infra/main.tf': terraformRole('[file("/proc/self/environ")]') });
    refused(await check(repo, ['infra/']), '/proc/self/environ');
    const linked = repository({ 'infra/env.json': { link: '/proc/self/environ' } });
    refused(await check(linked, ['arn:aws:iam::111111111111:role/deploy=infra/env.json']), 'infra/env.json');
  });

  test('a policy, a --var-file and a workflows folder given outside the repository are refused too', async () => {
    const repo = repository({ 'infra/main.tf': terraformRole('["repo:${var.org}/*"]') + 'variable "org" {}\n' });
    refused(await check(repo, [path.join(outside, 'trust.json')]), /outside\/trust\.json: lies outside the repository root .*: run it in the repository that holds it/);
    refused(await check(repo, ['--var-file', '../outside/secret.tfvars', 'infra/']), /outside\/secret\.tfvars: lies outside the repository root/);
    refused(await check(repo, ['--workflows', outside, 'infra/']), /outside.*is outside the repository root/);
  });

  test('a local action (uses: ./…) outside the repository', async () => {
    const repo = repository({
      '.github/workflows/deploy.yml': WORKFLOW.replace('acme/oidc-aws-credentials@v1\n        with:\n          role-to-assume: arn:aws:iam::111111111111:role/deploy', './escape'),
      escape: { link: outside },
      'infra/trust.json': iamPolicy('repo:acme/webapp:*'),
    });
    refused(await check(repo, ['infra/trust.json']), /escape.*action\.yml is outside the repository root/);
  });

  test('a reusable workflow that is a symlink to a file outside', async () => {
    const caller = `on:\n  push:\n    branches: [main]\njobs:\n  call:\n    uses: ./.github/workflows/called.yml\n`;
    const repo = repository({
      '.github/workflows/deploy.yml': caller,
      '.github/workflows/called.yml': { link: path.join(outside, 'called.yml') },
      'infra/trust.json': iamPolicy('repo:acme/webapp:*'),
    });
    refused(await check(repo, ['infra/trust.json']), /called\.yml is outside the repository root/);
  });

  test('a FIFO is refused at once, not waited on', async () => {
    const repo = repository({ 'infra/main.tf': terraformRole('[file("pipe")]') });
    execFileSync('mkfifo', [path.join(repo, 'infra', 'pipe')]);
    const run = await check(repo, ['infra/']);
    expect(run.code).toBe(2);
    expect(run.stderrs).toMatch(/pipe/);
  });

  test('a file past the size limit is one error naming it and the limit', async () => {
    const big = `${' '.repeat(8 * 1024 * 1024)}${iamPolicy(`repo:${SECRET}:*`)}`;
    const repo = repository({ 'infra/big.json': big });
    const run = await check(repo, ['arn:aws:iam::111111111111:role/deploy=infra/big.json']);
    refused(run, /infra\/big\.json is larger than the limit of 8388608 bytes/);
  });

  test('a folder linked back to itself is read once, and the check ends', async () => {
    const repo = repository({ 'infra/trust.json': iamPolicy('repo:acme/webapp:*'), 'infra/loop': { link: '.' }, 'infra/again': { link: '..' } });
    const run = await check(repo, ['infra/']);
    expect(run.code).toBe(2);
    expect(run.stderrs).toMatch(/infra\/loop is the folder infra again, reached through a link/);
  });
});
