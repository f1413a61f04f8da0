// `npm run bench`, the trust check's section: a repository of 50 workflows and 20 trust policies (IAM JSON,
// Terraform, CloudFormation), checked by dist/trust-check.js as users run it, start to exit. Target: < 3 s.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DIST } from '../test/standins/runner.ts';

const WORKFLOWS = 50;
const POLICIES = 20;
const ACCOUNT = '111111111111';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

function workflow(i: number): string {
  const role = `arn:aws:iam::${ACCOUNT}:role/role-${i % POLICIES}`;
  const step = (indent: string) => `${indent}- uses: actions/checkout@v4\n${indent}- uses: aws-actions/configure-aws-credentials@v4\n${indent}  with:\n${indent}    role-to-assume: ${role}\n${indent}    aws-region: us-east-1\n`;
  return `name: Workflow ${i}
on:
  push:
    branches: [main, 'release/**']
    tags: ['v*']
  pull_request:
    branches: [main]
  workflow_dispatch:
  schedule:
    - cron: '0 ${i % 24} * * *'
permissions:
  id-token: write
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
${step('      ')}  staging:
    runs-on: ubuntu-latest
    environment: staging
    steps:
${step('      ')}  production:
    needs: staging
    runs-on: ubuntu-latest
    environment:
      name: production
      url: https://example.com/${i}
    steps:
${step('      ')}`;
}

const statement = (repo: string) => ({
  Effect: 'Allow',
  Principal: { Federated: PROVIDER },
  Action: 'sts:AssumeRoleWithWebIdentity',
  Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' }, StringLike: { 'token.actions.githubusercontent.com:sub': [`repo:${repo}:pull_request`, `repo:${repo}:environment:*`] } },
});

/** Writes the repository; returns its folder and the policy arguments. */
function repository(): { dir: string; args: string[] } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-trust-check-'));
  mkdirSync(path.join(dir, '.github/workflows'), { recursive: true });
  for (let i = 0; i < WORKFLOWS; i++) writeFileSync(path.join(dir, `.github/workflows/w${i}.yml`), workflow(i));
  const args: string[] = [];
  for (let i = 0; i < POLICIES; i++) {
    const arn = `arn:aws:iam::${ACCOUNT}:role/role-${i}`;
    const document = { Version: '2012-10-17', Statement: [statement(i % 5 === 0 ? 'acme/webapp*' : 'acme/webapp')] };
    if (i % 3 === 0) {
      mkdirSync(path.join(dir, `tf/role-${i}`), { recursive: true });
      writeFileSync(
        path.join(dir, `tf/role-${i}/main.tf`),
        `locals {\n  repo = "acme/webapp"\n}\nresource "aws_iam_role" "r" {\n  name = "role-${i}"\n  assume_role_policy = jsonencode(${JSON.stringify(document).replaceAll('acme/webapp', '${local.repo}')})\n}\n`,
      );
      args.push(`tf/role-${i}`);
    } else if (i % 3 === 1) {
      mkdirSync(path.join(dir, 'cfn'), { recursive: true });
      writeFileSync(path.join(dir, `cfn/role-${i}.json`), JSON.stringify({ Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: `role-${i}`, AssumeRolePolicyDocument: document } } } }, null, 2));
      args.push(`cfn/role-${i}.json`);
    } else {
      writeFileSync(path.join(dir, `role-${i}.json`), JSON.stringify(document, null, 2));
      args.push(`${arn}=role-${i}.json`);
    }
  }
  return { dir, args };
}

function check(dir: string, args: string[]): Promise<{ ms: number; code: number | null; runs: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [path.join(DIST, 'trust-check.js'), '--repository', 'acme/webapp', '--json', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      let runs: number;
      try {
        runs = (JSON.parse(out) as { runs: unknown[] }).runs.length;
      } catch {
        runs = -1;
      }
      resolve({ ms, code, runs });
    });
  });
}

/** Prints its lines in bench.ts's format; returns the median time (ms) of a check of 50 workflows and 20 policies, start to exit. */
export async function benchTrustCheck(samples: number, line: (name: string, unit: string, xs: number[], floor: number[] | undefined, target: string) => void): Promise<number> {
  const { dir, args } = repository();
  try {
    const times: number[] = [];
    let last = { code: 0 as number | null, runs: 0 };
    for (let i = 0; i < samples; i++) {
      const result = await check(dir, args);
      times.push(result.ms);
      last = result;
    }
    if (last.code !== 1 || last.runs <= 0) console.log(`# trust check: unexpected result (exit ${last.code}, ${last.runs} runs)`);
    console.log(`# trust check: ${WORKFLOWS} workflows, ${POLICIES} policies, ${last.runs} run×policy verdicts per check`);
    line(`trust check (${WORKFLOWS} workflows, ${POLICIES} policies)`, 'ms', times, undefined, '< 3000');
    line('bundle trust-check.js', 'kB', [readFileSync(path.join(DIST, 'trust-check.js')).length / 1024], undefined, '');
    return [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
