// Every cause of refusal, reproduced against the STS emulator (which refuses for the real reason: it is
// never told what to answer), and the one annotation that must name the cause and the values.
import { afterEach, describe, expect, it } from '@jest/globals';
import { findLeaks } from '../standins/leaks.ts';
import type { RunContext } from '../standins/oidc-issuer.ts';
import type { StepResult } from '../standins/runner.ts';
import { githubTrustPolicy, type Role } from '../standins/sts-emulator.ts';
import { ACCOUNT, FAILS_FAST_MS, defaultAccounts, roleArn, startWorld, type World } from '../standins/world.ts';

let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

interface Scenario {
  run?: Partial<RunContext>;
  roles?: Role[];
  inputs?: Record<string, string>;
  setup?: (w: World) => void;
}

async function refusal({ run, roles, inputs = {}, setup }: Scenario): Promise<{ error: string; result: StepResult }> {
  world = await startWorld({ ...(run ? { run } : {}), accounts: defaultAccounts(roles) });
  setup?.(world);
  const job = await world.job();
  const result = await job.main({ 'aws-region': 'us-east-1', 'role-to-assume': roleArn('deploy'), ...inputs });
  expect(result.exitCode).toBe(1);
  expect(result.errors).toHaveLength(1);
  expect(result.exported).toEqual({});
  expect(result.summary).toContain('### AWS credentials: failed');
  expect(findLeaks([result], world.issuer, world.sts)).toEqual([]);
  return { error: result.errors[0] ?? '', result };
}

const deployTrusting = (sub: string | string[], extra: Record<string, string | string[]> = {}): Role[] => [
  { name: 'deploy', trustPolicy: githubTrustPolicy(ACCOUNT, sub, extra) },
];

describe('the trust policy does not admit the token', () => {
  it('after a merge: the role trusts pull_request, the run is a push to main', async () => {
    const { error, result } = await refusal({ roles: deployTrusting('repo:acme/webapp:pull_request') });
    expect(world!.sts.calls).toHaveLength(1);
    expect(result.durationMs).toBeLessThan(FAILS_FAST_MS);
    expect(error).toContain("The trust policy of arn:aws:iam::111111111111:role/deploy does not admit this workflow's token (sub 'repo:acme/webapp:ref:refs/heads/main')");
    expect(error).toContain('Not authorized to perform sts:AssumeRoleWithWebIdentity');
    expect(error).toContain('  event_name: push');
    expect(error).toContain('GitHub used the ref form');
    expect(error).toContain('"token.actions.githubusercontent.com:sub": "repo:acme/webapp:ref:refs/heads/main"');
    expect(error).toContain('"StringLike": { "token.actions.githubusercontent.com:sub": "repo:acme/webapp:*" }');
    expect(error).toContain('does not exist: check the ARN');
  });

  it('a job with an environment gets the environment subject, not the branch', async () => {
    const { error } = await refusal({ run: { environment: 'production' }, roles: deployTrusting('repo:acme/webapp:ref:refs/heads/main') });
    expect(error).toContain("sub 'repo:acme/webapp:environment:production'");
    expect(error).toContain("the job declares environment 'production'");
    expect(error).toContain('  environment: production');
  });

  it('a pull request run gets the pull_request subject', async () => {
    const { error } = await refusal({ run: { eventName: 'pull_request', ref: 'refs/pull/7/merge' }, roles: deployTrusting('repo:acme/webapp:ref:refs/heads/*') });
    expect(error).toContain("sub 'repo:acme/webapp:pull_request'");
    expect(error).toContain('GitHub used the pull_request form');
  });

  it('the immutable subject form no longer matches repo:OWNER/REPO:*', async () => {
    const { error } = await refusal({ run: { shape: { useDefault: true, includeClaimKeys: [], immutable: true } }, roles: deployTrusting('repo:acme/webapp:*') });
    expect(error).toContain("sub 'repo:acme@1001/webapp@2002:ref:refs/heads/main'");
    expect(error).toContain('immutable subject form');
    expect(error).toContain('2026-07-15');
    expect(error).toContain('use repo:acme@1001/webapp@2002:*');
  });

  it('a reusable workflow: the subject is the caller’s; pin the role with job_workflow_ref and the caller', async () => {
    const { error } = await refusal({
      run: { jobWorkflowRef: 'acme/platform/.github/workflows/deploy.yml@refs/heads/main' },
      roles: deployTrusting('repo:acme/*', { 'token.actions.githubusercontent.com:job_workflow_ref': 'acme/platform/.github/workflows/deploy.yml@refs/tags/v2' }),
    });
    expect(error).toContain('reusable workflow acme/platform/.github/workflows/deploy.yml@refs/heads/main, called by acme/webapp/.github/workflows/deploy.yml@refs/heads/main');
    expect(error).toContain('"token.actions.githubusercontent.com:job_workflow_ref": "acme/platform/.github/workflows/deploy.yml@refs/heads/main"');

    // The advised Condition admits this caller, and not another repository calling the same workflow.
    const line = error.split('\n').find((l) => l.trim().startsWith('"Condition"')) ?? '';
    const { Condition } = JSON.parse(`{${line}}`) as { Condition: Record<string, Record<string, string>> };
    world!.sts.accounts[0]!.roles[0]!.trustPolicy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition }],
    };
    const inputs = { 'aws-region': 'us-east-1', 'role-to-assume': roleArn('deploy') };
    expect((await (await world!.job()).main(inputs)).exitCode).toBe(0);
    world!.issuer.run.owner = 'intruder';
    world!.issuer.run.workflowRef = 'intruder/webapp/.github/workflows/deploy.yml@refs/heads/main';
    const intruder = await (await world!.job()).main(inputs);
    expect(intruder.exitCode).toBe(1);
    expect(intruder.errors[0]).toContain("sub 'repo:intruder/webapp:ref:refs/heads/main'");
  });

  it('a custom subject template', async () => {
    const custom = 'repository_owner_id:1001:repository_id:2002:ref:refs/heads/main';
    const { error } = await refusal({ run: { shape: { useDefault: false, includeClaimKeys: ['repository_owner_id', 'repository_id', 'context'] } }, roles: deployTrusting('repo:acme/webapp:*') });
    expect(error).toContain(`The sub '${custom}' is not one of GitHub's default forms`);
    expect(error).toContain('customised its OIDC subject template');
  });

  it('a role that does not exist gets the same answer, and the same hint', async () => {
    const { error } = await refusal({ inputs: { 'role-to-assume': roleArn('deploy-typo') } });
    expect(error).toContain('arn:aws:iam::111111111111:role/deploy-typo does not exist: check the ARN for typos');
  });
});

describe('the OIDC provider', () => {
  it('does not list the audience', async () => {
    const { error } = await refusal({ inputs: { audience: 'api://deployer' } });
    expect(error).toContain("does not accept the audience 'api://deployer'");
    expect(error).toContain('Incorrect token audience');
    expect(error).toContain('client IDs of the IAM OIDC provider https://token.actions.githubusercontent.com in account 111111111111');
  });

  it('is missing from the role’s account', async () => {
    const { error } = await refusal({ inputs: { 'role-to-assume': 'arn:aws:iam::333333333333:role/deploy' } });
    expect(error).toContain('Account 333333333333 has no IAM OIDC provider for https://token.actions.githubusercontent.com');
    expect(error).toContain('aws iam create-open-id-connect-provider --url https://token.actions.githubusercontent.com --client-id-list sts.amazonaws.com');
  });
});

describe('the session', () => {
  it('is longer than the role allows', async () => {
    const { error } = await refusal({ inputs: { 'role-duration-seconds': '7200' } });
    expect(error).toContain('role-duration-seconds is 7200, longer than arn:aws:iam::111111111111:role/deploy allows');
    expect(error).toContain('MaxSessionDuration');
    expect(error).toContain('aws iam update-role --role-name deploy --max-session-duration 7200');
  });

  it('has a malformed session policy', async () => {
    const { error } = await refusal({ inputs: { 'inline-session-policy': '{"Version":"2012-10-17"}' } });
    expect(error).toContain('STS rejected the session policy in inline-session-policy');
    expect(error).toContain('MalformedPolicyDocument');
  });

  it('has session policies too large to pack', async () => {
    const statement = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket-with-a-long-name/some/prefix/*' };
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: Array.from({ length: 18 }, () => statement) });
    expect(policy.length).toBeLessThan(2048);
    const { error } = await refusal({ inputs: { 'inline-session-policy': policy, 'managed-session-policies': 'arn:aws:iam::aws:policy/ReadOnlyAccess' } });
    expect(error).toContain('The session policies are too large for STS');
    expect(error).toContain('inline-session-policy and managed-session-policies');
    expect(error).toMatch(/Packed policy consumes \d+% of allotted space/);
  });
});

describe('retries that did not help', () => {
  it('a token STS keeps calling expired: the runner’s clock, with the times', async () => {
    const { error } = await refusal({ inputs: { 'retry-max-attempts': '3' }, setup: (w) => (w.issuer.clockSkewSeconds = -3600) });
    expect(world!.issuer.stats.tokensIssued).toBe(3);
    expect(error).toContain('STS keeps calling the token expired (3 attempts over');
    expect(error).toMatch(/issued at \d{4}-.*and expires at \d{4}-.*this runner's clock says \d{4}-/);
    expect(error).toContain('timedatectl set-ntp true');
  });

  it('STS throttling that never clears: attempts, time and what to change', async () => {
    const { error } = await refusal({ inputs: { 'retry-max-attempts': '3' }, setup: (w) => w.sts.faults.push('throttle', 'throttle', 'throttle') });
    expect(error).toMatch(/STS kept throttling: 3 attempts over \d+\.\d s were all refused with Throttling/);
    expect(error).toContain('strategy.max-parallel');
  });
});

describe('role chaining', () => {
  it('the target role does not trust the source role', async () => {
    world = await startWorld({
      accounts: defaultAccounts([
        ...deployTrusting('repo:acme/webapp:*'),
        { name: 'target', trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: roleArn('someone-else') }, Action: 'sts:AssumeRole' }] } },
      ]),
    });
    const job = await world.job();
    expect((await job.main({ 'aws-region': 'us-east-1', 'role-to-assume': roleArn('deploy') })).exitCode).toBe(0);
    const result = await job.main({ 'aws-region': 'us-east-1', 'role-to-assume': roleArn('target'), 'role-chaining': 'true' });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toContain('arn:aws:iam::111111111111:role/target does not trust arn:aws:sts::111111111111:assumed-role/deploy/GitHubActions for sts:AssumeRole');
    expect(result.errors[0]).toContain('"Principal": { "AWS": "arn:aws:iam::111111111111:role/deploy" }');
    expect(findLeaks([result], world.issuer, world.sts)).toEqual([]);
  });
});
