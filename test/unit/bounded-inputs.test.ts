// A pull request writes the workflows and templates the check reads, so what they may cost is capped:
// YAML aliases (the billion laughs), reusable workflows that fan out, matrices. Past a cap the file is one
// error naming it and the limit. Each hostile case here would run for hours (or exhaust memory) without
// its cap, which is why it ends here in an error.
import { describe, expect, test } from '@jest/globals';
import { readWorkflows, type WorkflowFile } from '../../src/check/workflows.ts';
import { readPolicies, type PolicyFiles } from '../../src/policies/read.ts';
import { ALIAS_STEPS } from '../../src/policies/yaml-aliases.ts';

const STEP = `      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::111111111111:role/deploy
          aws-region: us-east-1`;

/** Ten anchors, each a list of ten aliases of the one before: 10^(levels) strings once expanded. */
const laughs = (levels: number, indent = '') =>
  [`${indent}l0: &l0 "lol"`, ...Array.from({ length: levels }, (_, i) => `${indent}l${i + 1}: &l${i + 1} [${Array(10).fill(`*l${i}`).join(', ')}]`)].join('\n');

const wf = (name: string, text: string): WorkflowFile => ({ path: `.github/workflows/${name}`, text });

describe('YAML aliases', () => {
  test('a billion-laughs workflow is one error naming the file and the limit', async () => {
    const text = `${laughs(30)}\non: push\njobs:\n  deploy:\n    runs-on: *l30\n    steps:\n${STEP}\n`;
    const read = await readWorkflows([wf('laughs.yml', text)]);
    expect(read.jobs).toEqual([]);
    expect(read.errors).toHaveLength(1);
    expect(read.errors[0]!.file).toBe('.github/workflows/laughs.yml');
    expect(read.errors[0]!.message).toMatch(new RegExp(`YAML aliases expand too far: .* more than the ${ALIAS_STEPS} steps`));
  });

  test("many aliases of a large node: the parser's pass over the file for each alias is counted too", async () => {
    const big = Array.from({ length: 5_000 }, (_, i) => `  k${i}: v`).join('\n');
    const text = `x: &big\n${big}\nrefs: [${Array(300).fill('*big').join(', ')}]\non: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n${STEP}\n`;
    const read = await readWorkflows([wf('wide.yml', text)]);
    expect(read.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^its YAML aliases expand too far: 300 aliases/)]);
  });

  test('an alias inside the node it names is refused, not followed', async () => {
    const read = await readWorkflows([wf('loop.yml', `x: &a [1, *a]\non: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n${STEP}\n`)]);
    expect(read.errors.map((e) => e.message)).toEqual(['a YAML alias names the node that holds it, which would expand without end']);
  });

  test('an alias without its anchor is one error, in a workflow and in a template', async () => {
    const read = await readWorkflows([wf('lost.yml', `x: &a 1\non: push\njobs:\n  deploy:\n    runs-on: *b\n    steps:\n${STEP}\n`)]);
    expect(read.errors.map((e) => e.message)).toEqual(['the YAML alias *b names no anchor before it']);
    const template = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Deploy:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: *l12\n';
    const policies = await readPolicies(['infra/template.yml'], { read: () => template, isDirectory: () => false, list: () => [] });
    expect(policies.errors).toEqual([{ file: 'infra/template.yml', message: 'the YAML alias *l12 names no anchor before it' }]);
  });

  test('a workflow that reuses steps through a few aliases is read, the aliased step found in each job', async () => {
    const text = `on: push
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - &credentials
        uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::111111111111:role/deploy
          aws-region: us-east-1
  two:
    runs-on: ubuntu-latest
    steps:
      - *credentials
  three:
    runs-on: ubuntu-latest
    steps:
      - *credentials
`;
    const read = await readWorkflows([wf('reuse.yml', text)]);
    expect(read.errors).toEqual([]);
    expect(read.jobs.map((j) => `${j.job} ${j.steps[0]?.roleToAssume}`)).toEqual(['one arn:aws:iam::111111111111:role/deploy', 'two arn:aws:iam::111111111111:role/deploy', 'three arn:aws:iam::111111111111:role/deploy']);
  });

  test('a billion-laughs CloudFormation template is one error naming the file and the limit', async () => {
    const template = `AWSTemplateFormatVersion: "2010-09-09"
Metadata:
${laughs(30, '  ')}
Resources:
  Deploy:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: { Federated: arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com }
            Action: sts:AssumeRoleWithWebIdentity
            Condition: { StringLike: { "token.actions.githubusercontent.com:sub": *l30 } }
`;
    const files: PolicyFiles = { read: () => template, isDirectory: (p) => p === 'infra', list: () => ['template.yml'] };
    const error = { file: 'infra/template.yml', message: expect.stringMatching(new RegExp(`^its YAML aliases expand too far: .* more than the ${ALIAS_STEPS} steps`)) };
    const given = await readPolicies(['infra/template.yml'], files);
    expect(given.policies).toEqual([]);
    expect(given.errors).toEqual([error]);
    // Found in a folder, where a YAML file that is no template is passed over, it is still an error: it may hold the role.
    const found = await readPolicies(['infra'], files);
    expect(found.errors).toEqual([error]);
  });
});

/** A workflow whose `width` jobs each call `next` (or, at the bottom, obtain credentials). */
function calling(next: string | undefined, width: number, on = 'workflow_call'): string {
  const jobs = Array.from({ length: width }, (_, i) => (next ? `  j${i}:\n    uses: ./.github/workflows/${next}\n` : `  j${i}:\n    runs-on: ubuntu-latest\n    steps:\n${STEP}\n`));
  return `on: ${on}\njobs:\n${jobs.join('')}`;
}

describe('reusable workflows and matrices', () => {
  test('fan-out (30 jobs each calling 30, six levels down: 7×10^8 jobs) is one error naming the caller and the limit', async () => {
    const levels = 6;
    const files = Array.from({ length: levels }, (_, i) => wf(`w${i}.yml`, calling(i + 1 < levels ? `w${i + 1}.yml` : undefined, 30, i === 0 ? 'push' : 'workflow_call')));
    const read = await readWorkflows(files);
    expect(read.jobs).toEqual([]);
    expect(read.errors).toEqual([{ file: '.github/workflows/w0.yml', message: 'expands to more than 10000 runs (its jobs through reusable workflows and matrices, times the events and branch and tag patterns of its triggers), the limit of this check' }]);
  });

  test("ten levels of workflows are read, as GitHub connects them; an eleventh is GitHub's limit, one error", async () => {
    const chain = (levels: number) => Array.from({ length: levels }, (_, i) => wf(`c${i}.yml`, calling(i + 1 < levels ? `c${i + 1}.yml` : undefined, 1, i === 0 ? 'push' : 'workflow_call')));
    const ten = await readWorkflows(chain(10));
    expect(ten.errors).toEqual([]);
    expect(ten.jobs).toHaveLength(1);
    expect(ten.jobs[0]!.called).toHaveLength(9);
    const eleven = await readWorkflows(chain(11));
    expect(eleven.jobs).toEqual([]);
    expect(eleven.errors).toEqual([{ file: '.github/workflows/c0.yml', message: 'job j0 in .github/workflows/c9.yml calls ./.github/workflows/c10.yml more than 10 levels of workflows deep, and GitHub connects at most 10' }]);
  });

  const branches = (n: number) => `[${Array.from({ length: n }, (_, i) => `'b${i}/*'`).join(', ')}]`;

  test('a branch list of 3,000 patterns (each weighed against the others) is one error; 256 under one job are read', async () => {
    const read = await readWorkflows([wf('long.yml', calling(undefined, 1, `\n  push:\n    branches: ${branches(3000)}`))]);
    expect(read.errors).toEqual([{ file: '.github/workflows/long.yml', message: 'on.push.branches lists 3000 patterns, more than the 256 this check takes' }]);
    const fine = await readWorkflows([wf('long.yml', calling(undefined, 1, `\n  push:\n    branches: ${branches(256)}`))]);
    expect(fine.errors).toEqual([]);
    expect(fine.jobs).toHaveLength(1);
  });

  test('200 patterns under 60 jobs predict more runs than the limit: one error', async () => {
    const read = await readWorkflows([wf('many.yml', calling(undefined, 60, `\n  push:\n    branches: ${branches(200)}`))]);
    expect(read.jobs).toEqual([]);
    expect(read.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^expands to more than 10000 runs/)]);
  });

  const matrixWorkflow = (sizes: number[]) => {
    const keys = sizes.map((n, k) => `        k${k}: [${Array.from({ length: n }, (_, i) => `v${i}`).join(', ')}]`).join('\n');
    const role = `arn:aws:iam::111111111111:role/${sizes.map((_, k) => `\${{ matrix.k${k} }}`).join('-')}`;
    return wf('matrix.yml', `on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n${keys}\n    steps:\n${STEP.replace('arn:aws:iam::111111111111:role/deploy', role)}\n`);
  };

  test('a matrix of 16 × 16 gives its 256 jobs, each with its role', async () => {
    const read = await readWorkflows([matrixWorkflow([16, 16])]);
    expect(read.errors).toEqual([]);
    expect(read.jobs).toHaveLength(256);
    expect(new Set(read.jobs.map((j) => j.steps[0]!.roleToAssume)).size).toBe(256);
    expect(read.jobs[255]!.steps[0]!.roleToAssume).toBe('arn:aws:iam::111111111111:role/v15-v15');
  });

  test("a matrix of 256 × 256 × 256 is refused before it is built: GitHub's limit, one error", async () => {
    const read = await readWorkflows([matrixWorkflow([256, 256, 256])]);
    expect(read.jobs).toEqual([]);
    expect(read.errors).toEqual([{ file: '.github/workflows/matrix.yml', message: 'job deploy: its matrix gives 16777216 combinations, and GitHub runs at most 256 jobs of a matrix' }]);
  });
});
