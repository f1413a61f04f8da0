// The built CLI on hostile repositories, with 512 MiB of heap (--max-old-space-size=512: past it Node
// aborts, which would be a crash here, not an exit 2). Each input past a cap ends in exit 2 and one line
// naming the file and the limit; hostile patterns, which no cap stops, end in a verdict.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { ROOT } from '../standins/runner.ts';

const CLI = path.join(ROOT, 'dist', 'trust-check.js');
const PROVIDER = 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com';
const ROLE = 'arn:aws:iam::111111111111:role/deploy';
const STEP = `      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: ${ROLE}
          aws-region: us-east-1`;
const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A repository of these files, checked with `infra` (or the policies given) as its policies, on 512 MiB of heap. */
function check(files: Record<string, string>, policies = ['infra']): Promise<Result> {
  const root = mkdtempSync(path.join(tmpdir(), 'bounded-'));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(GITHUB_|INPUT_|AWS_|RUNNER_|GIT_|NODE_OPTIONS)/.test(k))), GIT_CEILING_DIRECTORIES: root };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=512', CLI, '--repository', 'acme/webapp', ...policies], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const trust = (sub: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: PROVIDER }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': sub } } }] });
const POLICY = { 'infra/deploy.json': trust('repo:acme/webapp:ref:refs/heads/main') };
const PUSH = `on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n${STEP}\n`;
const laughs = (indent: string) => [`${indent}l0: &l0 "lol"`, ...Array.from({ length: 30 }, (_, i) => `${indent}l${i + 1}: &l${i + 1} [${Array(10).fill(`*l${i}`).join(', ')}]`)].join('\n');
const calling = (next: string | undefined, on: string) => `on: ${on}\njobs:\n${Array.from({ length: 30 }, (_, i) => (next ? `  j${i}:\n    uses: ./.github/workflows/${next}\n` : `  j${i}:\n    runs-on: ubuntu-latest\n    steps:\n${STEP}\n`)).join('')}`;

/**
 * Exit 2, and the one error (no other, no stack trace, no "unexpected failure"), as one logical line: the
 * text report wraps it at 100 columns under a two-space indent, so its continuation lines are joined back.
 * No printed line starts with `::`, which a runner would take for a workflow command.
 */
function refused(result: Result): string {
  expect(result.code).toBe(2);
  const output = `${result.stdout}${result.stderr}`;
  expect(output).not.toMatch(/unexpected failure|\n\s+at [\w.<>]+ \(|node:internal|heap out of memory/);
  const lines = output.split('\n');
  expect(lines.filter((line) => line.startsWith('::'))).toEqual([]);
  const starts = lines.flatMap((line, i) => (line.startsWith('error:') ? [i] : []));
  expect(starts).toHaveLength(1);
  const error = [lines[starts[0]!]!];
  for (let i = starts[0]! + 1; lines[i]?.startsWith('  '); i++) error.push(lines[i]!.trimStart());
  return error.join(' ');
}

describe('past a cap: exit 2, one line naming the file and the limit, within 512 MiB of heap', () => {
  test('a billion-laughs workflow', async () => {
    const result = await check({ ...POLICY, '.github/workflows/laughs.yml': `${laughs('')}\n${PUSH}` });
    expect(refused(result)).toMatch(/^error: \.github\/workflows\/laughs\.yml: its YAML aliases expand too far: .* more than the 1000000 steps this check takes$/);
  }, 120_000);

  test('a billion-laughs CloudFormation template', async () => {
    const template = `AWSTemplateFormatVersion: "2010-09-09"\nMetadata:\n${laughs('  ')}\nResources:\n  Deploy:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: "2012-10-17"\n        Statement:\n          - Effect: Allow\n            Principal: { Federated: ${PROVIDER} }\n            Action: sts:AssumeRoleWithWebIdentity\n            Condition: { StringLike: { "token.actions.githubusercontent.com:sub": *l30 } }\n`;
    const result = await check({ 'infra/template.yml': template, '.github/workflows/deploy.yml': PUSH });
    expect(refused(result)).toMatch(/^error: infra\/template\.yml: its YAML aliases expand too far: .* more than the 1000000 steps this check takes$/);
  }, 120_000);

  test('reusable workflows fanning out: 30 jobs each calling 30, six levels down', async () => {
    const files: Record<string, string> = { ...POLICY };
    for (let i = 0; i < 6; i++) files[`.github/workflows/w${i}.yml`] = calling(i < 5 ? `w${i + 1}.yml` : undefined, i === 0 ? 'push' : 'workflow_call');
    expect(refused(await check(files))).toBe('error: .github/workflows/w0.yml: expands to more than 10000 runs (its jobs through reusable workflows and matrices, times the events and branch and tag patterns of its triggers), the limit of this check');
  }, 120_000);

  test('a matrix of 256 × 256 × 256', async () => {
    const keys = [0, 1, 2].map((k) => `        k${k}: [${Array.from({ length: 256 }, (_, i) => `v${i}`).join(', ')}]`).join('\n');
    const text = `on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n${keys}\n    steps:\n${STEP.replace(ROLE, `${ROLE}-\${{ matrix.k0 }}-\${{ matrix.k1 }}-\${{ matrix.k2 }}`)}\n`;
    expect(refused(await check({ ...POLICY, '.github/workflows/matrix.yml': text }))).toBe('error: .github/workflows/matrix.yml: job deploy: its matrix gives 16777216 combinations, and GitHub runs at most 256 jobs of a matrix');
  }, 120_000);

  test('a branch filter of 3,000 patterns', async () => {
    const list = Array.from({ length: 3000 }, (_, i) => `'b${i}/*'`).join(', ');
    const result = await check({ ...POLICY, '.github/workflows/long.yml': `on:\n  push:\n    branches: [${list}]\n${PUSH.slice(PUSH.indexOf('jobs:'))}` });
    expect(refused(result)).toBe('error: .github/workflows/long.yml: on.push.branches lists 3000 patterns, more than the 256 this check takes');
  }, 120_000);
});

describe('Terraform past the evaluator\'s budget: exit 2, one line naming the file, line and limit, within 512 MiB of heap', () => {
  const role = (locals: string) => `locals {\n${locals}\n}\nresource "aws_iam_role" "deploy" {\n  name = "deploy"\n  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity", Principal = { Federated = "${PROVIDER}" }, Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = length(local.x) > 0 ? "*" : "none" } } }] })\n}\n`;
  test.each([
    ['setproduct of big lists', '  x = setproduct(range(1000), range(1000), range(1000))'],
    ['a format width', '  x = format("%0999999999d", 1)'],
    ['replace chains', `  a = replace("${'a'.repeat(500)}", "/./", "${'a'.repeat(500)}")\n  x = replace(local.a, "/./", local.a)`],
  ])('%s', async (_, locals) => {
    const result = await check({ 'infra/main.tf': role(locals), '.github/workflows/deploy.yml': PUSH });
    expect(refused(result)).toMatch(/^error: infra\/main\.tf:[23]: builds more than 2 MiB of values, the limit per expression: not read$/);
  }, 120_000);
});

describe('hostile patterns: a verdict, not a hang', () => {
  test('a StringLike and a branch filter built to make a backtracking matcher explode', async () => {
    const hostile = `${'*a'.repeat(10)}*b`;
    const branch = 'a'.repeat(10_000);
    const workflow = `on:\n  push:\n    branches: ['${hostile}', '${branch}']\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n${STEP}\n`;
    const result = await check({ 'infra/deploy.json': trust(`repo:acme/webapp:ref:refs/heads/${hostile}`), '.github/workflows/deploy.yml': workflow }, [`${ROLE}=infra/deploy.json`, '--json']);
    expect(result.stderr).toBe('');
    // The 10,000-a branch is no match for the pattern that wants a b: its run is refused, and says so
    // (read from --json: the text report wraps that 10,000-character value over many lines).
    expect(result.code).toBe(1);
    const runs = (JSON.parse(result.stdout) as { runs: { admitted: boolean; why: string }[] }).runs;
    expect(runs.map((r) => r.admitted)).toEqual([true, false]);
    expect(runs[1]!.why).toBe(`statement 1 (Allow): StringLike token.actions.githubusercontent.com:sub 'repo:acme/webapp:ref:refs/heads/${hostile}' does not match 'repo:acme/webapp:ref:refs/heads/${branch}'`);
  }, 120_000);
});
