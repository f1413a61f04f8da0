// Errors say what to do next, and the advice works: run from the wrong folder, the check says where to run
// it or which --workflows to give; a verdict resting on an unresolved value advises --var only where --var
// reaches (Terraform variables, CloudFormation parameters), and following that advice resolves it.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ROOT } from '../standins/runner.ts';

const CLI = path.join(ROOT, 'dist', 'trust-check.js');
const PROVIDER = 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com';
const DEPLOY = 'arn:aws:iam::111111111111:role/deploy';

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
          role-to-assume: ${DEPLOY}
`;

/** An IAM trust policy whose sub names the repository's owner as `owner` (a placeholder, or the text). */
const document = (owner: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Federated: PROVIDER }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': `repo:${owner}/webapp:*` } } }],
  });

const TERRAFORM = `variable "github_org" {}
resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "${PROVIDER}" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = "repo:\${var.github_org}/webapp:*" } }
    }]
  })
}
`;

const CLOUDFORMATION = `Parameters:
  GitHubOrg:
    Type: String
Resources:
  DeployRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: deploy
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              Federated: ${PROVIDER}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringLike:
                token.actions.githubusercontent.com:sub: !Sub 'repo:\${GitHubOrg}/webapp:*'
`;

let base: string;
let repo: string;
beforeAll(() => {
  base = mkdtempSync(path.join(tmpdir(), 'trust-check-advice-'));
  repo = path.join(base, 'repo');
  const files: Record<string, string> = {
    '.github/workflows/deploy.yml': WORKFLOW,
    'terraform/main.tf': TERRAFORM,
    'cloudformation/template.yaml': CLOUDFORMATION,
    'templates/trust.json.tpl': document('${org}'),
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(repo, name)), { recursive: true });
    writeFileSync(path.join(repo, name), text);
  }
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

function run(cwd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(GITHUB_|INPUT_|AWS_|RUNNER_|GIT_)/.test(k)));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, '--repository', 'acme/webapp', ...args], { cwd, env: { ...clean, GIT_CEILING_DIRECTORIES: base }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The `--var NAME=VALUE` the report advises, with VALUE filled in. */
const advisedVar = (stdout: string, value: string): string[] => {
  const names = [...new Set([...stdout.matchAll(/give --var (\w+)=VALUE/g)].map((m) => m[1]!))];
  return names.flatMap((name) => ['--var', `${name}=${value}`]);
};

describe('--var advice works for the file it names', () => {
  test.each([
    ['Terraform: a variable with no value', 'terraform', 'github_org'],
    ["CloudFormation: a parameter with no default", `${DEPLOY}=cloudformation/template.yaml`, 'GitHubOrg'],
  ])('%s: the advised --var resolves the verdict', async (_, policy, variable) => {
    const first = await run(repo, [policy]);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/deploy: push to main\s+repo:acme\/webapp:ref:refs\/heads\/main\s+UNKNOWN/);
    const advised = advisedVar(first.stdout, 'acme');
    expect(advised).toEqual(['--var', `${variable}=acme`]);
    const second = await run(repo, [...advised, policy]);
    expect(second.stdout).not.toContain('UNKNOWN');
    expect(second.stdout).toMatch(/deploy: push to main\s+repo:acme\/webapp:ref:refs\/heads\/main\s+admitted/);
    expect(second.code).toBe(0);
  });

  test('a template read as it is (.json.tpl) gets no --var advice, which would change nothing', async () => {
    const policy = `${DEPLOY}=templates/trust.json.tpl`;
    const first = await run(repo, [policy]);
    expect(first.code).toBe(1);
    expect(first.stdout).not.toMatch(/give --var/);
    expect(first.stdout).toContain('UNKNOWN (depends on org, not resolved: templates/trust.json.tpl is read as it is, so --var does not fill it: give the Terraform or CloudFormation that fills it (a folder), or the rendered policy)');
    // What the advice would have said does nothing indeed.
    const anyway = await run(repo, ['--var', 'org=acme', policy]);
    expect(anyway.stdout).toContain('UNKNOWN (depends on org');
  });
});

describe('run outside the repository root', () => {
  test('in a subfolder of a git repository: the --workflows to give, which works', async () => {
    const git = path.join(base, 'git-repo');
    execFileSync('cp', ['-r', repo, git]);
    execFileSync('git', ['init', '-q', git], { env: { ...process.env, GIT_CEILING_DIRECTORIES: base } });
    const sub = path.join(git, 'terraform');
    const first = await run(sub, ['--var', 'github_org=acme', '.']);
    expect(first.code).toBe(2);
    expect(first.stdout).toContain(`error: .github/workflows: cannot read the workflows folder (.github/workflows: no such file or folder): run the check at the repository root (${git}), or give --workflows ../.github/workflows`);
    const second = await run(sub, ['--var', 'github_org=acme', '--workflows', '../.github/workflows', '.']);
    expect(second.stderr).toBe('');
    expect(second.stdout).toMatch(/deploy: push to main\s+repo:acme\/webapp:ref:refs\/heads\/main\s+admitted/);
    expect(second.code).toBe(0);
  });

  test('in a folder outside the repository: where to run it, for the workflows and for a policy', async () => {
    const elsewhere = path.join(base, 'elsewhere');
    mkdirSync(elsewhere, { recursive: true });
    const result = await run(elsewhere, [path.join(repo, 'templates', 'trust.json.tpl')]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('cannot read the workflows folder (.github/workflows: no such file or folder): run the check at the root of the repository, or give --workflows DIR');
    expect(result.stdout).toContain(`error: ${path.join(repo, 'templates', 'trust.json.tpl')}: lies outside the repository root ${elsewhere}, and the check reads only inside it: run it in the repository that holds it`);
  });
});
