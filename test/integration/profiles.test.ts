// Several roles by profile name, and credentials that refresh themselves, through the built helper.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { findLeaks } from '../standins/leaks.ts';
import { REFRESH_MARGIN_MS } from '../../src/profiles.ts';
import { DIST, ROOT, type Job, type StepResult } from '../standins/runner.ts';
import { githubTrustPolicy } from '../standins/sts-emulator.ts';
import { ACCOUNT, FAILS_FAST_MS, OTHER_ACCOUNT, makeDue, roleArn, startWorld, twoAccounts, type World } from '../standins/world.ts';

const WHOAMI = path.join(ROOT, 'test/standins/whoami.ts');
// A session the helper serves from its cache long after it was written, whatever the margin is.
const OUTSIDE_MARGIN_S = REFRESH_MARGIN_MS / 1000 + 3600;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const PROFILES = `deploy: ${roleArn('deploy')}\n# read-only in the audit account\naudit: ${roleArn('audit', OTHER_ACCOUNT)}\n`;

let world: World;
const scanned: StepResult[] = [];

beforeEach(async () => {
  world = await startWorld({ accounts: twoAccounts() });
  scanned.length = 0;
});

afterEach(async () => {
  expect(findLeaks(scanned, world.issuer, world.sts)).toEqual([]);
  await world.close();
});

async function setUp(inputs: Record<string, string> = {}, env: Record<string, string> = {}): Promise<{ job: Job; result: StepResult }> {
  const job = await world.job(env);
  const result = await job.main({ 'aws-region': 'us-east-1', profiles: PROFILES, ...inputs });
  scanned.push(result);
  expect(result.errors).toEqual([]);
  expect(result.exitCode).toBe(0);
  return { job, result };
}

async function whoami(job: Job, ...profiles: string[]): Promise<Record<string, string>> {
  const step = await job.node([WHOAMI, ...profiles]);
  scanned.push(step);
  return JSON.parse(step.stdout) as Record<string, string>;
}

function helper(job: Job, profile: string): Promise<StepResult> {
  const settings = path.join(path.dirname(job.env.AWS_CONFIG_FILE ?? ''), 'settings.json');
  return job.node([path.join(DIST, 'credential-process.cjs'), settings, profile]);
}

const assumeCalls = () => world.sts.calls.filter((c) => c.action === 'AssumeRoleWithWebIdentity').length;

describe('profiles', () => {
  it('two profiles resolve to their own identities in a later step, served from the cache', async () => {
    const { job, result } = await setUp();
    expect(assumeCalls()).toBe(2);
    expect(world.issuer.stats.tokensIssued).toBe(1);
    const config = readFileSync(job.env.AWS_CONFIG_FILE ?? '', 'utf8');
    expect(config).toContain('[profile deploy]');
    expect(config).toContain('[profile audit]');
    expect(config).toMatch(/credential_process = (['"]).*node[^'"]*\1 \1.*credential-process\.cjs\1 \1.*settings\.json\1 \1audit\1/);
    expect(result.exported).not.toHaveProperty('AWS_ACCESS_KEY_ID');
    expect(result.exported.AWS_REGION).toBe('us-east-1');
    expect(result.summary).toContain('profile `audit`');

    expect(await whoami(job, 'deploy', 'audit')).toEqual({
      deploy: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/GitHubActions`,
      audit: `arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/audit/GitHubActions`,
    });
    expect(assumeCalls()).toBe(2);
  });

  it('writes every file 0600 inside a private folder under RUNNER_TEMP, and post removes them all', async () => {
    const { job } = await setUp();
    const dir = path.dirname(job.env.AWS_CONFIG_FILE ?? '');
    expect(dir.startsWith(job.temp)).toBe(true);
    const files = readdirSync(dir);
    expect(files.sort()).toEqual(['audit.credentials.json', 'config', 'deploy.credentials.json', 'settings.json']);
    // Windows ignores POSIX modes: there the ACL of RUNNER_TEMP keeps them private (src/files.ts).
    if (process.platform !== 'win32') {
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      for (const f of files) expect(statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
    }

    const post = await job.post();
    scanned.push(post);
    expect(post.exitCode).toBe(0);
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(job.temp)).toEqual([]);
    // Later post steps find the config the job had: unset, that was the default path.
    expect(post.exported.AWS_CONFIG_FILE).toBe(path.join(job.env.HOME ?? '', '.aws', 'config'));
    expect(job.env.AWS_CONFIG_FILE).toBe(path.join(job.env.HOME ?? '', '.aws', 'config'));
  });

  it('post removes nothing outside the folder the action created', async () => {
    const { job } = await setUp();
    const outside = path.join(job.workspace, 'keep');
    writeFileSync(outside, 'user data');
    const post = await job.post({ STATE_files: JSON.stringify([outside, path.dirname(job.env.AWS_CONFIG_FILE ?? '')]) });
    scanned.push(post);
    expect(post.exitCode).toBe(0);
    expect(post.warnings).toEqual([`Not removing ${outside}: it is not a folder this action created under RUNNER_TEMP`]);
    expect(readFileSync(outside, 'utf8')).toBe('user data');
    expect(readdirSync(job.temp)).toEqual([]);
  });

  it("keeps the user's existing profiles, and warns when one is replaced", async () => {
    const job = await world.job();
    const userConfig = path.join(job.workspace, 'aws-config');
    writeFileSync(userConfig, '[default]\nregion = eu-west-2\n\n[profile legacy]\nregion = eu-west-1\noutput = json\n\n[profile deploy]\nregion = ap-south-1\n');
    const result = await job.main({ 'aws-region': 'us-east-1', profiles: PROFILES }, { AWS_CONFIG_FILE: userConfig });
    scanned.push(result);
    expect(result.exitCode).toBe(0);
    expect(result.warnings).toEqual(['profiles replaces the section [profile deploy] of your existing AWS config']);
    const config = readFileSync(job.env.AWS_CONFIG_FILE ?? '', 'utf8');
    expect(config).toContain('[default]\nregion = eu-west-2');
    expect(config).toContain('[profile legacy]\nregion = eu-west-1\noutput = json');
    expect(config).not.toContain('ap-south-1');
    expect(config.match(/\[profile deploy\]/g)).toHaveLength(1);

    const post = await job.post();
    scanned.push(post);
    expect(post.exported.AWS_CONFIG_FILE).toBe(userConfig);
    expect(readFileSync(userConfig, 'utf8')).toContain('[profile deploy]\nregion = ap-south-1');
  });

  it('masks the accounts of profiles too with mask-aws-account-id', async () => {
    const { job, result } = await setUp({ 'mask-aws-account-id': 'true' });
    expect(job.masks).toEqual(expect.arrayContaining([ACCOUNT, OTHER_ACCOUNT]));
    expect(result.summary).not.toContain(OTHER_ACCOUNT);
    expect(result.log.join('\n')).not.toContain(OTHER_ACCOUNT);
  });

  it('exports role-to-assume as environment credentials beside the profiles', async () => {
    const { job, result } = await setUp({ 'role-to-assume': roleArn('deploy'), profiles: `audit: ${roleArn('audit', OTHER_ACCOUNT)}` });
    expect(result.exported.AWS_ACCESS_KEY_ID).toBeTruthy();
    expect(result.outputs['aws-account-id']).toBe(ACCOUNT);
    expect(await whoami(job)).toEqual({ '(environment)': `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/GitHubActions` });
    expect(await whoami(job, 'audit')).toEqual({ audit: `arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/audit/GitHubActions` });
  });

  it('static mode writes the credentials into the profiles, no helper', async () => {
    const { job } = await setUp({ 'profile-credentials': 'static' });
    const dir = path.dirname(job.env.AWS_CONFIG_FILE ?? '');
    expect(readdirSync(dir)).toEqual(['config']);
    const config = readFileSync(path.join(dir, 'config'), 'utf8');
    expect(config).not.toContain('credential_process');
    // Every key written into the profiles was masked, though no line of this step prints it.
    const keys = [...config.matchAll(/^aws_(?:access_key_id|secret_access_key|session_token) = (.+)$/gm)].map((m) => m[1]);
    expect(keys).toHaveLength(6);
    expect(job.masks).toEqual(expect.arrayContaining(keys));
    expect(await whoami(job, 'audit')).toEqual({ audit: `arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/audit/GitHubActions` });
    const post = await job.post();
    expect(existsSync(dir)).toBe(false);
    scanned.push(post);
  });

  it('fails as soon as one role is refused, without waiting for the others to stop retrying', async () => {
    world.sts.accounts[1]!.oidcProviders = [];
    // Every call finds GitHub's keys unreachable: transient, retried for up to a minute.
    world.issuer.faults.jwksFailEvery = 1;
    const job = await world.job();
    const result = await job.main({ 'aws-region': 'us-east-1', profiles: PROFILES });
    scanned.push(result);
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain('Account 222222222222 has no IAM OIDC provider');
    // The duration alone depends on the jitter drawn. What does not: once audit is refused, deploy stops.
    // Its attempts already under way (one, or two on a busy machine, as STS answers audit) still finish;
    // left to retry, it would make all 12.
    const refused = world.sts.calls.findIndex((c) => c.roleArn === roleArn('audit', OTHER_ACCOUNT));
    const deployAfter = world.sts.calls.slice(refused + 1).filter((c) => c.roleArn === roleArn('deploy'));
    expect(refused).toBeGreaterThanOrEqual(0);
    expect(deployAfter.length).toBeLessThanOrEqual(2);
    expect(result.durationMs).toBeLessThan(FAILS_FAST_MS);
  });

  it('fails the step, exporting nothing, when one profile is refused', async () => {
    world.sts.accounts[1]!.roles[0]!.trustPolicy = githubTrustPolicy(OTHER_ACCOUNT, 'repo:acme/other:*');
    const job = await world.job();
    const result = await job.main({ 'aws-region': 'us-east-1', profiles: PROFILES });
    scanned.push(result);
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain(roleArn('audit', OTHER_ACCOUNT));
    expect(result.exported).toEqual({});
    expect(readdirSync(job.temp)).toEqual([]);
  });
});

describe('the credential helper', () => {
  it('refreshes credentials inside the refresh margin with a fresh OIDC token', async () => {
    const { job } = await setUp();
    const cache = path.join(path.dirname(job.env.AWS_CONFIG_FILE ?? ''), 'deploy.credentials.json');
    const before = readFileSync(cache, 'utf8');
    makeDue(job, 'deploy');
    const tokens = world.issuer.stats.tokensIssued;
    const step = await helper(job, 'deploy');
    expect(step.exitCode).toBe(0);
    expect(step.stderr).toBe('');
    const handed = JSON.parse(step.stdout) as { Version: number; AccessKeyId: string; Expiration: string };
    expect(handed.Version).toBe(1);
    expect(before).not.toContain(handed.AccessKeyId);
    expect(handed.AccessKeyId).toBe(world.sts.calls.at(-1)?.accessKeyId);
    expect(readFileSync(cache, 'utf8').endsWith(`\n${step.stdout}`)).toBe(true);
    expect(world.issuer.stats.tokensIssued).toBe(tokens + 1);
    expect(assumeCalls()).toBe(3);
  });

  it('serves a cache hit without calling STS or GitHub', async () => {
    const { job } = await setUp();
    const calls = world.sts.calls.length;
    const tokenRequests = world.issuer.stats.tokenRequests;
    const issued = world.sts.calls.find((c) => c.roleArn === roleArn('audit', OTHER_ACCOUNT))?.accessKeyId;
    expect(issued).toMatch(/^ASIA/);
    const step = await helper(job, 'audit');
    expect(step.exitCode).toBe(0);
    expect(JSON.parse(step.stdout)).toMatchObject({ Version: 1, AccessKeyId: issued });
    expect(world.sts.calls.length).toBe(calls);
    expect(world.issuer.stats.tokenRequests).toBe(tokenRequests);
  });

  it('loads only its own file on a cache hit: no SDK, no refresh code', async () => {
    const { job } = await setUp();
    const hook = path.join(job.temp, 'hook.mjs');
    const loaded = path.join(job.temp, 'loaded.txt');
    writeFileSync(loaded, '');
    writeFileSync(hook, `import { registerHooks } from 'node:module';\nimport { appendFileSync } from 'node:fs';\nregisterHooks({ load(url, context, next) { appendFileSync(${JSON.stringify(loaded)}, url + '\\n'); return next(url, context); } });\n`);
    const settings = path.join(path.dirname(job.env.AWS_CONFIG_FILE ?? ''), 'settings.json');
    const step = await job.node(['--import', hook, path.join(DIST, 'credential-process.cjs'), settings, 'deploy']);
    expect(step.exitCode).toBe(0);
    const files = readFileSync(loaded, 'utf8').split('\n').filter((url) => url.startsWith('file:'));
    expect(files.map((url) => path.basename(url))).toEqual(['credential-process.cjs']);

    writeFileSync(loaded, '');
    makeDue(job, 'deploy');
    expect((await job.node(['--import', hook, path.join(DIST, 'credential-process.cjs'), settings, 'deploy'])).exitCode).toBe(0);
    expect(readFileSync(loaded, 'utf8')).toContain('/dist/refresh.js');
  });

  it('ten concurrent helpers for one cold profile make one STS call', async () => {
    const { job } = await setUp();
    makeDue(job, 'deploy');
    const before = assumeCalls();
    // What the refresh writes is good for longer than the margin, so a helper that comes late is served
    // from the cache; the barrier below makes sure none comes late: all ten are in their refresh path
    // (having found the cache stale) before STS answers the first of them.
    world.sts.credentialLifetimeSeconds = OUTSIDE_MARGIN_S;
    let release = () => {};
    world.sts.hold = new Promise<void>((resolve) => (release = resolve));
    const loaded = path.join(job.temp, 'refreshing.txt');
    const hook = path.join(job.temp, 'hook.mjs');
    writeFileSync(loaded, '');
    writeFileSync(hook, `import { registerHooks } from 'node:module';\nimport { appendFileSync } from 'node:fs';\nregisterHooks({ load(url, context, next) { if (url.endsWith('/refresh.js')) appendFileSync(${JSON.stringify(loaded)}, 'x'); return next(url, context); } });\n`);
    const settings = path.join(path.dirname(job.env.AWS_CONFIG_FILE ?? ''), 'settings.json');
    const running = Array.from({ length: 10 }, () => job.node(['--import', hook, path.join(DIST, 'credential-process.cjs'), settings, 'deploy']));
    while (readFileSync(loaded, 'utf8').length < 10 || assumeCalls() === before) await sleep(20);
    release();
    const steps = await Promise.all(running);
    for (const s of steps) expect(s.exitCode).toBe(0);
    expect(assumeCalls()).toBe(before + 1);
    expect(new Set(steps.map((s) => s.stdout)).size).toBe(1);
    expect((JSON.parse(steps[0]?.stdout ?? '{}') as { AccessKeyId?: string }).AccessKeyId).toBe(world.sts.calls.at(-1)?.accessKeyId);
  });

  it('breaks a lock abandoned by a helper that died', async () => {
    const { job } = await setUp();
    makeDue(job, 'deploy');
    // A generation of the lock taken long ago and never released: its owner died mid-refresh.
    const abandoned = path.join(path.dirname(job.env.AWS_CONFIG_FILE ?? ''), 'deploy.lock.1');
    mkdirSync(abandoned);
    const longAgo = new Date(Date.now() - 10 * 60_000);
    utimesSync(abandoned, longAgo, longAgo);
    const step = await helper(job, 'deploy');
    expect(step.exitCode).toBe(0);
    expect(JSON.parse(step.stdout)).toMatchObject({ AccessKeyId: world.sts.calls.at(-1)?.accessKeyId });
    expect(existsSync(`${abandoned.slice(0, -2)}.2/released`)).toBe(true);
    expect(assumeCalls()).toBe(3);
  });

  it('keeps a long job working after the first session has expired', async () => {
    world.sts.credentialLifetimeSeconds = 1;
    const { job, result } = await setUp({ 'role-to-assume': roleArn('deploy'), profiles: `deploy: ${roleArn('deploy')}` });
    await sleep(Date.parse(result.outputs['aws-expiration'] ?? '') - Date.now() + 100);
    // The static environment credentials have expired, as they would 60 minutes into a 90-minute job …
    expect((await whoami(job))['(environment)']).toContain('ExpiredToken');
    // … while the profile refreshes itself when it is used, and serves the new session from then on.
    world.sts.credentialLifetimeSeconds = OUTSIDE_MARGIN_S;
    const before = assumeCalls();
    for (let i = 0; i < 2; i++) expect((await whoami(job, 'deploy')).deploy).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/deploy/GitHubActions`);
    expect(assumeCalls()).toBe(before + 1);
  });

  it('never prints the credentials it mints, not even when it refuses them after STS issued them', async () => {
    const { job } = await setUp();
    makeDue(job, 'deploy');
    const settings = path.join(path.dirname(job.env.AWS_CONFIG_FILE ?? ''), 'settings.json');
    writeFileSync(settings, JSON.stringify({ ...JSON.parse(readFileSync(settings, 'utf8')), allowedAccountIds: ['999999999999'] }));
    const issued = world.sts.issued.length;
    const step = await helper(job, 'deploy');
    expect(world.sts.issued.length).toBe(issued + 1);
    expect(step.exitCode).toBe(1);
    expect(step.stdout).toBe('');
    expect(step.stderr).toContain('allowed-account-ids is 999999999999');
    scanned.push(step);
  });

  it('refuses a profile its settings do not hold, reading and writing nothing outside its folder', async () => {
    const { job } = await setUp();
    const dir = path.dirname(job.env.AWS_CONFIG_FILE ?? '');
    // A fresh cache entry one folder up: a name that joined into a path would be served it.
    writeFileSync(path.join(dir, '..', 'victim.credentials.json'), readFileSync(path.join(dir, 'deploy.credentials.json')), { mode: 0o600 });
    const outside = readdirSync(path.dirname(dir)).sort();
    const calls = world.sts.calls.length;
    for (const profile of ['../victim', 'constructor', '__proto__', 'missing']) {
      const step = await helper(job, profile);
      scanned.push(step);
      expect({ profile, exitCode: step.exitCode, stdout: step.stdout }).toEqual({ profile, exitCode: 1, stdout: '' });
      expect(step.stderr).toContain(`oidc-aws-credentials (profile ${profile}): `);
    }
    expect(readdirSync(path.dirname(dir)).sort()).toEqual(outside);
    expect(readdirSync(dir).sort()).toEqual(['audit.credentials.json', 'config', 'deploy.credentials.json', 'settings.json']);
    expect(world.sts.calls.length).toBe(calls);
  });

  it('explains a refusal in one line on stderr and prints nothing on stdout', async () => {
    const { job } = await setUp();
    makeDue(job, 'deploy');
    world.sts.accounts[0]!.roles[0]!.trustPolicy = githubTrustPolicy(ACCOUNT, 'repo:acme/webapp:environment:production');
    const step = await helper(job, 'deploy');
    expect(step.exitCode).toBe(1);
    expect(step.stdout).toBe('');
    expect(step.stderr.trim().split('\n')).toHaveLength(1);
    expect(step.stderr).toContain('oidc-aws-credentials (profile deploy): The trust policy of arn:aws:iam::111111111111:role/deploy');
    scanned.push(step);
  });
});
