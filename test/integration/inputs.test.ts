// Every input configure-aws-credentials v6 has and this action once lacked, input by input, through the
// built dist/ against the stand-ins: a workflow written for the incumbent works unchanged.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { findLeaks } from '../standins/leaks.ts';
import { startProxy } from '../standins/proxy.ts';
import { ROOT, type Job, type StepResult } from '../standins/runner.ts';
import type { PolicyDocument } from '../standins/sts-emulator.ts';
import { ACCOUNT, FAILS_FAST_MS, defaultAccounts, roleArn, startWorld, type World } from '../standins/world.ts';

const WHOAMI = path.join(ROOT, 'test/standins/whoami.ts');
// Base64 secrets, like AWS's: about three in four hold a '+' or '/'.
const USER = { name: 'ci', accessKeyId: 'AKIAEXAMPLEUSER00001', secretAccessKey: 'UserSecretKey/with+special/characters0' };
const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/ci`;
const KEYS = { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };
const NO_OIDC = { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined };

function trusts(principal: string, condition?: PolicyDocument['Statement'][number]['Condition']): PolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: ['sts:AssumeRole', 'sts:TagSession'], ...(condition ? { Condition: condition } : {}) }] };
}

let world: World;
const results: StepResult[] = [];

beforeEach(async () => {
  const accounts = defaultAccounts();
  accounts[0]!.users = [USER];
  accounts[0]!.roles.push(
    { name: 'ci-deploy', trustPolicy: trusts(USER_ARN) },
    { name: 'partner', trustPolicy: trusts(USER_ARN, { StringEquals: { 'sts:ExternalId': 'Unique-ID-42' } }) },
    { name: 'tagged', trustPolicy: trusts(roleArn('ci-deploy')) },
    // Admits only sessions that inherited the Team tag along the chain.
    { name: 'payments', trustPolicy: trusts(roleArn('tagged'), { StringEquals: { 'aws:PrincipalTag/Team': 'payments' } }) },
  );
  world = await startWorld({ accounts });
  results.length = 0;
});

afterEach(async () => {
  expect(findLeaks(results, world.issuer, world.sts)).toEqual([]);
  await world.close();
});

async function step(job: Job, inputs: Record<string, string>): Promise<StepResult> {
  const result = await job.main({ 'aws-region': 'us-east-1', ...inputs });
  results.push(result);
  return result;
}

async function run(inputs: Record<string, string>, env: Record<string, string | undefined> = {}) {
  const job = await world.job(env);
  return { job, result: await step(job, inputs) };
}

function expectNothingExported(result: StepResult) {
  expect(result.exitCode).toBe(1);
  expect(result.errors).toHaveLength(1);
  expect(Object.entries(result.exported).filter(([k, v]) => /^AWS_(ACCESS|SECRET|SESSION|PROFILE|CONFIG)/.test(k) && v !== '')).toEqual([]);
  expect(result.outputs).toEqual({});
}

const actions = () => world.sts.calls.map((c) => `${c.action} ${c.result}`);

describe('aws-access-key-id, aws-secret-access-key, aws-session-token', () => {
  it('without role-to-assume: checked with GetCallerIdentity, masked, exported as they are', async () => {
    const { job, result } = await run(KEYS);
    expect(result.errors).toEqual([]);
    expect(actions()).toEqual(['GetCallerIdentity OK']);
    expect(world.issuer.stats.tokenRequests).toBe(0);
    expect(result.exported).toMatchObject({ AWS_ACCESS_KEY_ID: USER.accessKeyId, AWS_SECRET_ACCESS_KEY: USER.secretAccessKey, AWS_SESSION_TOKEN: '' });
    expect(result.outputs).toMatchObject({ 'aws-account-id': ACCOUNT, 'authenticated-arn': USER_ARN });
    expect(result.outputs).not.toHaveProperty('aws-expiration');
    expect(job.masks).toEqual(expect.arrayContaining([USER.accessKeyId, USER.secretAccessKey]));
    expect(JSON.parse((await job.node([WHOAMI])).stdout)).toEqual({ '(environment)': USER_ARN });
  });

  it('are refused, exporting nothing, when STS does not accept them or allowed-account-ids excludes them', async () => {
    const wrong = await run({ ...KEYS, 'aws-secret-access-key': 'not-the-secret' });
    expectNothingExported(wrong.result);
    expect(wrong.result.errors[0]).toContain('SignatureDoesNotMatch');
    const other = await run({ ...KEYS, 'allowed-account-ids': '222222222222' });
    expectNothingExported(other.result);
    expect(other.result.errors[0]).toContain('allowed-account-ids');
  });

  it('with role-to-assume: they sign sts:AssumeRole, with the default session tags', async () => {
    const { result } = await run({ ...KEYS, 'role-to-assume': roleArn('ci-deploy') });
    expect(result.errors).toEqual([]);
    expect(actions()).toEqual(['AssumeRole OK']);
    expect(result.outputs['authenticated-arn']).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/ci-deploy/GitHubActions`);
    expect(result.exported.AWS_ACCESS_KEY_ID).toBe(world.sts.issued[0]?.accessKeyId);
  });
});

describe('role-to-assume as a bare role name', () => {
  it("is the role of that name in the signing keys' account", async () => {
    const { result } = await run({ ...KEYS, 'role-to-assume': 'ci-deploy' });
    expect(result.errors).toEqual([]);
    expect(actions()).toEqual(['GetCallerIdentity OK', 'AssumeRole OK']);
    expect(result.outputs['authenticated-arn']).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/ci-deploy/GitHubActions`);
  });
});

describe('role-external-id', () => {
  it('is sent with AssumeRole; a trust policy requiring it refuses without it', async () => {
    const without = await run({ ...KEYS, 'role-to-assume': roleArn('partner') });
    expectNothingExported(without.result);
    expect(without.result.errors[0]).toContain('AccessDenied');
    const withId = await run({ ...KEYS, 'role-to-assume': roleArn('partner'), 'role-external-id': 'Unique-ID-42' });
    expect(withId.result.errors).toEqual([]);
  });
});

describe('custom-tags and transitive-tag-keys', () => {
  it('a listed key passes along the chain to a role whose trust policy requires it', async () => {
    const { job, result } = await run({ ...KEYS, 'role-to-assume': roleArn('ci-deploy'), 'custom-tags': '{"Team": "payments"}', 'transitive-tag-keys': 'Team' });
    expect(result.errors).toEqual([]);
    for (const role of ['tagged', 'payments']) {
      const hop = await step(job, { 'role-to-assume': roleArn(role), 'role-chaining': 'true' });
      expect(hop.errors).toEqual([]);
    }
  });

  it('without transitive-tag-keys, no tag passes on', async () => {
    const { job } = await run({ ...KEYS, 'role-to-assume': roleArn('ci-deploy'), 'custom-tags': '{"Team": "payments"}' });
    await step(job, { 'role-to-assume': roleArn('tagged'), 'role-chaining': 'true' });
    const refused = await step(job, { 'role-to-assume': roleArn('payments'), 'role-chaining': 'true' });
    expectNothingExported(refused);
  });

  it('a bad tag is an input error before any call', async () => {
    const { result } = await run({ ...KEYS, 'role-to-assume': roleArn('ci-deploy'), 'custom-tags': '{"Repository": "x"}' });
    expectNothingExported(result);
    expect(result.errors[0]).toContain("Input 'custom-tags'");
    expect(world.sts.calls).toEqual([]);
  });

  it('with a web identity role they do not apply, and say so', async () => {
    const { result } = await run({ 'role-to-assume': roleArn('deploy'), 'custom-tags': '{"Team": "payments"}' });
    expect(result.exitCode).toBe(0);
    expect(result.warnings.join('\n')).toContain('custom-tags applies to sts:AssumeRole only');
  });
});

describe('self-hosted runners without an OIDC token', () => {
  function shareCredentials(job: Job) {
    mkdirSync(path.join(job.env.HOME ?? '', '.aws'), { recursive: true });
    writeFileSync(path.join(job.env.HOME ?? '', '.aws', 'credentials'), `[default]\naws_access_key_id = ${USER.accessKeyId}\naws_secret_access_key = ${USER.secretAccessKey}\n`);
  }

  it("sign AssumeRole with the SDK's default credential chain", async () => {
    const job = await world.job(NO_OIDC);
    shareCredentials(job);
    const result = await step(job, { 'role-to-assume': roleArn('ci-deploy') });
    expect(result.errors).toEqual([]);
    expect(actions()).toEqual(['AssumeRole OK']);
  });

  it('without role-to-assume, prove the runner’s own credentials work and report whose they are, exporting none', async () => {
    const job = await world.job(NO_OIDC);
    shareCredentials(job);
    const result = await step(job, {});
    expect(result.errors).toEqual([]);
    expect(result.outputs).toEqual({ 'aws-account-id': ACCOUNT, 'authenticated-arn': USER_ARN });
    expect(result.exported).toEqual({ AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1' });
  });
});

describe('no credentials at all', () => {
  it('with role-to-assume, explains the missing id-token permission; without, names role-to-assume; both fail fast', async () => {
    const withRole = await run({ 'role-to-assume': roleArn('deploy') }, NO_OIDC);
    expectNothingExported(withRole.result);
    expect(withRole.result.errors[0]).toContain('id-token: write');
    const without = await run({}, NO_OIDC);
    expectNothingExported(without.result);
    expect(without.result.errors[0]).toContain("Input 'role-to-assume' is not set");
    expect(world.sts.calls).toEqual([]);
    // The product promise is 2 s; bounded generously for a loaded machine, yet far below a hung chain.
    for (const { result } of [withRole, without]) expect(result.durationMs).toBeLessThan(FAILS_FAST_MS);
  });
});

describe('force-skip-oidc', () => {
  it('never asks GitHub for a token, even when the job may', async () => {
    const { result } = await run({ ...KEYS, 'role-to-assume': roleArn('ci-deploy'), 'force-skip-oidc': 'true' });
    expect(result.errors).toEqual([]);
    expect(world.issuer.stats.tokenRequests).toBe(0);
  });

  it('without another source of credentials is an input error, before any call', async () => {
    const { result } = await run({ 'role-to-assume': roleArn('deploy'), 'force-skip-oidc': 'true' });
    expectNothingExported(result);
    expect(result.errors[0]).toContain("Input 'force-skip-oidc'");
    expect(world.issuer.stats.tokenRequests + world.sts.calls.length).toBe(0);
  });
});

describe('aws-profile and overwrite-aws-profile', () => {
  it('writes a refreshing profile that later steps resolve by name; no environment credentials; post removes it', async () => {
    const { job, result } = await run({ 'role-to-assume': roleArn('deploy'), 'aws-profile': 'deploy' });
    expect(result.errors).toEqual([]);
    expect(result.exported).not.toHaveProperty('AWS_ACCESS_KEY_ID');
    expect(result.exported).not.toHaveProperty('AWS_PROFILE');
    const config = readFileSync(result.exported.AWS_CONFIG_FILE ?? '', 'utf8');
    expect(config).toContain('[profile deploy]');
    expect(config).toContain('credential_process');
    expect(JSON.parse((await job.node([WHOAMI, 'deploy'])).stdout)).toEqual({ deploy: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/GitHubActions` });
    const post = await job.post();
    results.push(post);
    expect(() => readFileSync(result.exported.AWS_CONFIG_FILE ?? '')).toThrow();
  });

  it('with output-env-credentials, also exports the credentials and AWS_PROFILE, as configure-aws-credentials does', async () => {
    const { result } = await run({ 'role-to-assume': roleArn('deploy'), 'aws-profile': 'deploy', 'output-env-credentials': 'true' });
    expect(result.exported).toMatchObject({ AWS_PROFILE: 'deploy', AWS_ACCESS_KEY_ID: world.sts.issued[0]?.accessKeyId });
  });

  it('static keys without a role are written into the profile as they are', async () => {
    const { job, result } = await run({ ...KEYS, 'aws-profile': 'ci' });
    expect(result.errors).toEqual([]);
    expect(JSON.parse((await job.node([WHOAMI, 'ci'])).stdout)).toEqual({ ci: USER_ARN });
  });

  it('refuses a profile that already exists, before any call, unless overwrite-aws-profile', async () => {
    const job = await world.job();
    mkdirSync(path.join(job.env.HOME ?? '', '.aws'), { recursive: true });
    writeFileSync(path.join(job.env.HOME ?? '', '.aws', 'config'), '[profile deploy]\nregion = eu-west-1\n');
    const refused = await step(job, { 'role-to-assume': roleArn('deploy'), 'aws-profile': 'deploy' });
    expectNothingExported(refused);
    expect(refused.errors[0]).toContain('overwrite-aws-profile');
    expect(world.sts.calls).toEqual([]);
    // Keys for the profile in the shared credentials file would win over a config file's section.
    writeFileSync(path.join(job.env.HOME ?? '', '.aws', 'credentials'), `[deploy]\naws_access_key_id = ${USER.accessKeyId}\naws_secret_access_key = ${USER.secretAccessKey}\n[other]\naws_access_key_id = AKIAOTHER\n`);
    const replaced = await step(job, { 'role-to-assume': roleArn('deploy'), 'aws-profile': 'deploy', 'overwrite-aws-profile': 'true' });
    expect(replaced.exitCode).toBe(0);
    expect(replaced.warnings).toEqual(expect.arrayContaining([expect.stringContaining('[profile deploy]'), expect.stringContaining('[deploy]')]));
    expect(readFileSync(replaced.exported.AWS_SHARED_CREDENTIALS_FILE ?? '', 'utf8')).toContain('[other]');
    expect(JSON.parse((await job.node([WHOAMI, 'deploy'])).stdout).deploy).toContain('assumed-role/deploy');
    // The copy goes with the post step: later post steps find the credentials file the job had.
    const post = await job.post();
    results.push(post);
    expect(post.exported.AWS_SHARED_CREDENTIALS_FILE).toBe(path.join(job.env.HOME ?? '', '.aws', 'credentials'));
    expect(() => readFileSync(replaced.exported.AWS_SHARED_CREDENTIALS_FILE ?? '')).toThrow();
  });
});

describe('use-existing-credentials', () => {
  it('valid credentials in the environment end the step without a new exchange; invalid ones are replaced', async () => {
    const { job } = await run({ 'role-to-assume': roleArn('deploy') });
    const tokenRequests = world.issuer.stats.tokenRequests;
    const kept = await step(job, { 'role-to-assume': roleArn('deploy'), 'use-existing-credentials': 'true' });
    expect(kept.errors).toEqual([]);
    expect(actions()).toEqual(['AssumeRoleWithWebIdentity OK', 'GetCallerIdentity OK']);
    expect(kept.exported).not.toHaveProperty('AWS_ACCESS_KEY_ID');
    const arn = kept.outputs['authenticated-arn'] ?? '';
    expect(arn).toContain('assumed-role/deploy');
    // As configure-aws-credentials does: usable credentials end the step before any token is requested.
    expect(world.issuer.stats.tokenRequests).toBe(tokenRequests);
    // The log and the summary report the source that won, not role-to-assume's.
    expect(kept.log).toContain(`Using ${arn} (from the AWS credentials already in the environment)`);
    expect(kept.log.join('\n')).not.toMatch(/Assumed|OIDC token/);
    expect(kept.summary).toContain(arn);
    expect(kept.summary).not.toContain(roleArn('deploy'));
    expect(kept.summary).not.toContain('Token claim');

    job.env.AWS_SECRET_ACCESS_KEY = 'stale';
    const renewed = await step(job, { 'role-to-assume': roleArn('deploy'), 'use-existing-credentials': 'true' });
    expect(renewed.errors).toEqual([]);
    expect(actions().slice(2)).toEqual(['GetCallerIdentity SignatureDoesNotMatch', 'AssumeRoleWithWebIdentity OK']);
    expect(renewed.exported.AWS_ACCESS_KEY_ID).toBe(world.sts.issued[1]?.accessKeyId);
    expect(renewed.log.join('\n')).toContain(`Assumed ${renewed.outputs['authenticated-arn'] ?? ''} (from GitHub's OIDC token)`);
    expect(renewed.summary).toContain(roleArn('deploy'));
    expect(renewed.summary).toContain('Token claim');
  });
});

describe('special-characters-workaround', () => {
  it('obtains credentials until the secret access key has no special characters', async () => {
    const { result } = await run({ 'role-to-assume': roleArn('deploy'), 'special-characters-workaround': 'true' });
    expect(result.errors).toEqual([]);
    const secrets = world.sts.issued.map((c) => c.secretAccessKey);
    expect(result.exported.AWS_SECRET_ACCESS_KEY).toBe(secrets.at(-1));
    expect(secrets.at(-1)).toMatch(/^[A-Za-z0-9]+$/);
    for (const discarded of secrets.slice(0, -1)) expect(discarded).toMatch(/[^A-Za-z0-9]/);
  });
});

describe('action-timeout-s', () => {
  it('one deadline for the whole step: at it the step fails with a clear error and exports nothing', async () => {
    // Without the deadline, ten calls that never answer would take ten 5-second request timeouts.
    world.sts.faults.push(...Array<'hang'>(10).fill('hang'));
    const { result } = await run({ 'role-to-assume': roleArn('deploy'), 'action-timeout-s': '1' });
    expectNothingExported(result);
    expect(result.errors[0]).toContain("Input 'action-timeout-s' is 1");
    expect(result.durationMs).toBeLessThan(FAILS_FAST_MS);
  });
});

describe('no-proxy', () => {
  it('lists hosts that bypass http-proxy, beside NO_PROXY', async () => {
    const proxy = await startProxy();
    try {
      const { result } = await run({ 'role-to-assume': roleArn('deploy'), 'http-proxy': proxy.url, 'no-proxy': '127.0.0.1' });
      expect(result.errors).toEqual([]);
      expect(proxy.seen).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe('AWS_SKIP_CLEANUP_STEP', () => {
  it('skips the post step, leaving the credentials in place; otherwise post blanks them', async () => {
    const { job } = await run({ 'role-to-assume': roleArn('deploy') });
    const skipped = await job.post({ AWS_SKIP_CLEANUP_STEP: 'true' });
    expect(skipped.skipped).toBe(true);
    expect(job.env.AWS_ACCESS_KEY_ID).toBe(world.sts.issued[0]?.accessKeyId);
    const post = await job.post();
    results.push(post);
    expect(post.exported.AWS_ACCESS_KEY_ID).toBe('');
  });
});
