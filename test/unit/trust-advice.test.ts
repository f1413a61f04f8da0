// Every piece of trust advice that names job_workflow_ref also pins the caller: a reusable workflow runs
// what its caller passes it, so job_workflow_ref alone admits every repository that may call it. The
// documentation (the README and docs/), the reusable workflow's header comment and the diagnosis must all
// say so, as parseable policy.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { diagnose, render } from '../../src/diagnose.ts';
import { AwsError } from '../../src/errors.ts';

const docs = new URL('../../docs/', import.meta.url);
const documentation = [readFileSync(new URL('../../README.md', import.meta.url), 'utf8'), ...readdirSync(docs).map((name) => readFileSync(new URL(name, docs), 'utf8'))].join('\n\n');
const workflow = readFileSync(new URL('../../.github/workflows/aws-role.yml', import.meta.url), 'utf8');

type Condition = Record<string, Record<string, string | string[]>>;
const CALLER_KEYS = ['sub', 'repository', 'repository_owner_id', 'repository_id'];

/** The condition keys (without the issuer prefix) a Condition block tests. */
function keys(condition: Condition): string[] {
  return Object.values(condition).flatMap((entries) => Object.keys(entries).map((key) => key.split(':').pop() ?? ''));
}

function expectPinsWorkflowAndCaller(condition: Condition): void {
  const tested = keys(condition);
  expect(tested).toContain('job_workflow_ref');
  expect(tested.filter((key) => CALLER_KEYS.includes(key))).not.toEqual([]);
}

/** Paragraphs, table rows and code blocks: the pieces a reader takes as one piece of advice. */
function documentationPieces(): string[] {
  return documentation.split(/^```/m).flatMap((part, i) => (i % 2 === 1 ? [part] : part.split(/\n\s*\n/).flatMap((p) => (p.trimStart().startsWith('|') ? p.split('\n') : [p]))));
}

const reusableClaims = {
  iss: 'https://token.actions.githubusercontent.com',
  sub: 'repo:acme/webapp:ref:refs/heads/main',
  aud: 'sts.amazonaws.com',
  repository: 'acme/webapp',
  repository_owner_id: '1001',
  workflow_ref: 'acme/webapp/.github/workflows/deploy.yml@refs/heads/main',
  job_workflow_ref: 'acme/platform/.github/workflows/aws-role.yml@refs/tags/v1',
};

function diagnosisFor(claims: Record<string, string>): string {
  return render(
    diagnose(new AwsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403), {
      roleArn: 'arn:aws:iam::111111111111:role/deploy',
      audience: 'sts.amazonaws.com',
      durationSeconds: 3600,
      roleChaining: false,
      claims,
      now: 0,
      proxy: undefined,
      tokenFromFile: false,
    }),
  );
}

describe('trust advice for reusable workflows pins the caller too', () => {
  it('the README and docs/: every piece that names job_workflow_ref names sub, repository or repository_owner_id', () => {
    const pieces = documentationPieces().filter((piece) => piece.includes('job_workflow_ref'));
    expect(pieces.length).toBeGreaterThanOrEqual(3);
    for (const piece of pieces) expect(piece).toMatch(/[:`"](?:sub|repository|repository_owner_id)[`"]/);
  });

  it("the documentation's policy recipe conditions on both", () => {
    const json = /--policy-document '([^']+)'/.exec(documentation)?.[1] ?? '';
    const policy = JSON.parse(json) as { Statement: { Condition: Condition }[] };
    expectPinsWorkflowAndCaller(policy.Statement[0]!.Condition);
  });

  it("the reusable workflow's header comment conditions on both", () => {
    const header = workflow.split('\n').filter((line) => line.startsWith('#')).map((line) => line.slice(1));
    const start = header.findIndex((line) => line.includes('"Condition"'));
    const end = header.findIndex((line, i) => i > start && line.trim() === '}');
    expect(start).toBeGreaterThan(-1);
    const block = JSON.parse(`{${header.slice(start, end + 1).join('\n')}}`) as { Condition: Condition };
    expectPinsWorkflowAndCaller(block.Condition);
    expect(header.join('\n')).toContain('never job_workflow_ref alone');
  });

  it.each([
    ['a default subject', reusableClaims],
    ['a custom subject template', { ...reusableClaims, sub: 'repository_owner_id:1001:context:ref:refs/heads/main' }],
  ])('the diagnosis, with %s: every line naming job_workflow_ref pins the caller, and its Condition parses', (_, claims) => {
    const text = diagnosisFor(claims);
    const advice = text.split('\n').filter((line) => line.includes('job_workflow_ref') && !line.startsWith('  job_workflow_ref:'));
    expect(advice.length).toBeGreaterThanOrEqual(2);
    for (const line of advice) expect(line).toMatch(/\b(?:sub|repository|repository_owner_id)\b/);
    const conditionLine = advice.find((line) => line.trim().startsWith('"Condition"')) ?? '';
    expectPinsWorkflowAndCaller((JSON.parse(`{${conditionLine}}`) as { Condition: Condition }).Condition);
  });
});
