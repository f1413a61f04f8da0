// Every cause of refusal, reproduced against the STS emulator (which refuses for the real reason: it is
// never told what to answer), and the one annotation that must name the cause and the values.
import { afterEach, describe, expect, it } from '@jest/globals';
import { claimsFor, type Claims, type SubjectShape } from '../../src/github/claims.ts';
import { strangersOf } from '../../src/github/strangers.ts';
import { evaluate, webIdentityRequest } from '../../src/iam/evaluate.ts';
import { findLeaks } from '../standins/leaks.ts';
import { DEFAULT_RUN, type RunContext } from '../standins/oidc-issuer.ts';
import type { StepResult } from '../standins/runner.ts';
import { githubTrustPolicy, type Role } from '../standins/sts-emulator.ts';
import { ACCOUNT, FAILS_FAST_MS, defaultAccounts, defaultRoles, roleArn, startWorld, type World } from '../standins/world.ts';

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

/** Every Condition the diagnosis advises, as the JSON it prints. */
function advisedConditions(error: string): Record<string, Record<string, string>>[] {
  return error
    .split('\n')
    .filter((line) => line.trim().startsWith('"Condition"'))
    .map((line) => (JSON.parse(`{${line}}`) as { Condition: Record<string, Record<string, string>> }).Condition);
}

const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const admits = (Condition: Record<string, Record<string, string>>, claims: Claims) =>
  evaluate({ Statement: [{ Effect: 'Allow', Principal: { Federated: PROVIDER }, Action: 'sts:AssumeRoleWithWebIdentity', Condition }] }, webIdentityRequest(claims, ACCOUNT)).allowed;

describe('advice never admits a token someone else can mint', () => {
  const reusable = 'octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main';
  it.each<[string, Partial<RunContext>, string]>([
    ['the default subject', {}, 'repo:acme/webapp:ref:refs/heads/main'],
    ['the immutable subject', { shape: { useDefault: true, includeClaimKeys: [], immutable: true } }, 'repo:acme@1001/webapp@2002:ref:refs/heads/main'],
    ['a template of the environment alone', { environment: 'production', shape: { useDefault: false, includeClaimKeys: ['environment'] } }, 'environment:production'],
    ['a template of job_workflow_ref alone', { jobWorkflowRef: reusable, shape: { useDefault: false, includeClaimKeys: ['job_workflow_ref'] } }, `job_workflow_ref:${reusable}`],
    ['a template of the owner alone', { shape: { useDefault: false, includeClaimKeys: ['repository_owner', 'context'] } }, 'repository_owner:acme:ref:refs/heads/main'],
    ['a reusable workflow, default subject', { jobWorkflowRef: reusable }, 'repo:acme/webapp:ref:refs/heads/main'],
  ])('%s: every advised Condition admits this run and refuses every stranger', async (_, run, sub) => {
    const { error } = await refusal({ run, roles: deployTrusting('repo:acme/nothing:*') });
    expect(error).toContain(`sub '${sub}'`);
    const claims = claimsFor({ ...DEFAULT_RUN, workflowRef: `acme/webapp/.github/workflows/deploy.yml@refs/heads/main`, ...run }, 'sts.amazonaws.com', run.shape as SubjectShape | undefined);
    expect(claims.sub).toBe(sub);
    const conditions = advisedConditions(error);
    expect(conditions.length).toBeGreaterThanOrEqual(1);
    for (const condition of conditions) {
      expect(admits(condition, claims)).toBe(true);
      for (const stranger of strangersOf(claims, run.shape)) expect([stranger.who, admits(condition, stranger.claims)]).toEqual([stranger.who, false]);
    }
  });

  it('a sub that names no repository: the advice pins repository_owner_id, and STS then admits the run and not another owner', async () => {
    const shape: SubjectShape = { useDefault: false, includeClaimKeys: ['environment'] };
    const { error } = await refusal({ run: { environment: 'production', shape }, roles: deployTrusting('repo:acme/webapp:*') });
    expect(error).toContain('"token.actions.githubusercontent.com:repository_owner_id": "1001"');
    expect(error).toContain('another owner can set the same template');
    const [Condition] = advisedConditions(error);
    world!.sts.accounts[0]!.roles[0]!.trustPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: PROVIDER }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: Condition! }] };
    const inputs = { 'aws-region': 'us-east-1', 'role-to-assume': roleArn('deploy') };
    expect((await (await world!.job()).main(inputs)).exitCode).toBe(0);
    world!.issuer.run = { ...world!.issuer.run, owner: 'intruder', ownerId: '9009', repoId: '9010' };
    const intruder = await (await world!.job()).main(inputs);
    expect(intruder.exitCode).toBe(1);
    expect(intruder.errors[0]).toContain("sub 'environment:production'");
  });

  it('a job_workflow_ref template: the advice pins the caller, never contradicting "never job_workflow_ref alone"', async () => {
    const { error } = await refusal({ run: { jobWorkflowRef: reusable, shape: { useDefault: false, includeClaimKeys: ['job_workflow_ref'] } }, roles: deployTrusting('repo:acme/webapp:*') });
    expect(error).toContain('Never condition on job_workflow_ref alone');
    for (const condition of advisedConditions(error)) {
      const keys = Object.values(condition).flatMap((entries) => Object.keys(entries).map((k) => k.split(':').pop()));
      expect(keys.some((k) => k === 'repository_owner_id' || k === 'repository_id' || k === 'repository' || k === 'sub')).toBe(true);
      if (keys.includes('sub')) expect(keys.some((k) => k === 'repository_owner_id' || k === 'repository_id' || k === 'repository')).toBe(true);
    }
  });
});

describe('a refusal of sts:AssumeRole gets advice for the credentials that signed it, never OIDC advice', () => {
  const USER = { name: 'ci', accessKeyId: 'AKIAEXAMPLEUSER00001', secretAccessKey: 'UserSecretKey/with+special/characters0' };
  const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/ci`;
  const NO_OIDC = { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined };
  const others: Role[] = [
    { name: 'strict', trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: roleArn('someone-else') }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] } },
    { name: 'untagged', trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: USER_ARN }, Action: 'sts:AssumeRole' }] } },
    { name: 'partner', trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: USER_ARN }, Action: ['sts:AssumeRole', 'sts:TagSession'], Condition: { StringEquals: { 'sts:ExternalId': 'Unique-ID-42' } } }] } },
  ];
  async function refused(inputs: Record<string, string>, env: Record<string, string | undefined> = {}): Promise<string> {
    const accounts = defaultAccounts([...defaultRoles(), ...others]);
    accounts[0]!.users = [USER];
    world = await startWorld({ accounts });
    const result = await (await world.job(env)).main({ 'aws-region': 'us-east-1', ...inputs });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(findLeaks([result], world.issuer, world.sts)).toEqual([]);
    const error = result.errors[0] ?? '';
    expect(error).not.toMatch(/\bsub\b|OIDC|token\.actions|subject/);
    return error;
  }
  const KEYS = { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };

  it('static keys: the principal to trust is the IAM user', async () => {
    const error = await refused({ ...KEYS, 'role-to-assume': roleArn('strict') });
    expect(error).toContain(`arn:aws:iam::111111111111:role/strict does not trust ${USER_ARN} for sts:AssumeRole (signed with aws-access-key-id;`);
    expect(error).toContain(`"Principal": { "AWS": "${USER_ARN}" }`);
    expect(error).toContain('"Action": ["sts:AssumeRole", "sts:TagSession"]');
    expect(error).toContain('role-external-id');
  });

  it("the SDK's default credential chain: the same, for whoever it found", async () => {
    const error = await refused({ 'role-to-assume': roleArn('strict') }, { ...NO_OIDC, AWS_ACCESS_KEY_ID: USER.accessKeyId, AWS_SECRET_ACCESS_KEY: USER.secretAccessKey });
    expect(error).toContain(`does not trust ${USER_ARN} for sts:AssumeRole (signed by the SDK's default credential chain;`);
    expect(error).toContain(`"Principal": { "AWS": "${USER_ARN}" }`);
  });

  it('session tags need sts:TagSession', async () => {
    const error = await refused({ ...KEYS, 'role-to-assume': roleArn('untagged') });
    expect(error).toContain(`does not trust ${USER_ARN} for sts:TagSession`);
    expect(error).toContain('role-skip-session-tagging: true');
  });

  it('an external ID the trust policy requires', async () => {
    const missing = await refused({ ...KEYS, 'role-to-assume': roleArn('partner') });
    expect(missing).toContain('This step sent no external ID: if the trust policy requires one (a Condition on sts:ExternalId), set role-external-id to it.');
    await world!.close();
    const wrong = await refused({ ...KEYS, 'role-to-assume': roleArn('partner'), 'role-external-id': 'Unique-ID-43' });
    expect(wrong).toContain('This step sent an external ID (role-external-id): it must equal, case included, the value the trust policy tests with sts:ExternalId.');
    expect(wrong).not.toContain('Unique-ID-43');
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
