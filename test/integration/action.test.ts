// The built action (dist/), run as the runner runs it, against the loopback issuer and STS emulator.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { findLeaks } from '../standins/leaks.ts';
import { startProxy } from '../standins/proxy.ts';
import type { Job, StepResult } from '../standins/runner.ts';
import { githubTrustPolicy, type Fault } from '../standins/sts-emulator.ts';
import { ACCOUNT, FAILS_FAST_MS, roleArn, startWorld, type World } from '../standins/world.ts';

const DEPLOY = roleArn('deploy');
const base = { 'aws-region': 'us-east-1', 'role-to-assume': DEPLOY };

let world: World;
const results: StepResult[] = [];

async function main(inputs: Record<string, string>, env: Record<string, string | undefined> = {}) {
  const job = await world.job(env);
  const result = await job.main(inputs);
  results.push(result);
  return { job, result };
}

function expectFailedWithNothingExported(result: StepResult) {
  expect(result.exitCode).toBe(1);
  expect(result.errors).toHaveLength(1);
  expect(Object.keys(result.exported).filter((k) => k.startsWith('AWS_') && result.exported[k] !== '')).toEqual([]);
  expect(result.outputs).toEqual({});
}

beforeEach(async () => {
  world = await startWorld();
  results.length = 0;
});

afterEach(async () => {
  expect(findLeaks(results, world.issuer, world.sts)).toEqual([]);
  await world.close();
});

describe('success', () => {
  it('exports masked credentials, region and outputs, writes a summary, and post blanks them', async () => {
    const { job, result } = await main(base);
    expect(result.exitCode).toBe(0);
    const [issued] = world.sts.issued;
    expect(issued).toBeDefined();
    expect(result.exported).toEqual({
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: issued?.accessKeyId,
      AWS_SECRET_ACCESS_KEY: issued?.secretAccessKey,
      AWS_SESSION_TOKEN: issued?.sessionToken,
    });
    for (const secret of [issued?.accessKeyId, issued?.secretAccessKey, issued?.sessionToken]) expect(job.masks).toContain(secret);
    expect(result.outputs['aws-account-id']).toBe(ACCOUNT);
    expect(result.outputs['authenticated-arn']).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/deploy/GitHubActions`);
    expect(result.outputs['aws-expiration']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(result.outputs).not.toHaveProperty('aws-access-key-id');
    expect(result.summary).toContain('`arn:aws:iam::111111111111:role/deploy`');
    expect(result.summary).toContain('| `sub` | `repo:acme/webapp:ref:refs/heads/main` |');
    expect(result.summary).toContain('1 STS attempt');
    expect(world.sts.calls.map((c) => c.action)).toEqual(['AssumeRoleWithWebIdentity']);

    const post = await job.post();
    results.push(post);
    expect(post.exitCode).toBe(0);
    expect(post.exported).toEqual({ AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '' });
  });

  it('outputs the credentials only when output-credentials is true, and can skip the environment', async () => {
    const { result } = await main({ ...base, 'output-credentials': 'true', 'output-env-credentials': 'false' });
    expect(result.exitCode).toBe(0);
    const [issued] = world.sts.issued;
    expect(result.outputs['aws-access-key-id']).toBe(issued?.accessKeyId);
    expect(result.outputs['aws-session-token']).toBe(issued?.sessionToken);
    expect(result.exported).toEqual({ AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1' });
  });

  it('masks the account ID when asked, in the log and the summary', async () => {
    const { job, result } = await main({ ...base, 'mask-aws-account-id': 'true' });
    expect(result.exitCode).toBe(0);
    expect(job.masks).toContain(ACCOUNT);
    expect(result.summary).not.toContain(ACCOUNT);
    expect(result.log.join('\n')).not.toContain(ACCOUNT);
  });

  it('sends the session name, duration and session policies to STS', async () => {
    world.sts.accounts[0]!.roles[0]!.maxSessionDuration = 7200;
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
    const { result } = await main({
      ...base,
      'role-session-name': 'release v1.2 (main)',
      'role-duration-seconds': '7200',
      'inline-session-policy': policy,
      'managed-session-policies': 'arn:aws:iam::aws:policy/ReadOnlyAccess\narn:aws:iam::111111111111:policy/limits',
    });
    expect(result.exitCode).toBe(0);
    expect(result.warnings[0]).toContain("using 'release_v1.2__main_'");
    expect(result.outputs['authenticated-arn']).toMatch(/\/release_v1\.2__main_$/);
    const expires = Date.parse(result.outputs['aws-expiration'] ?? '');
    expect(expires - Date.now()).toBeGreaterThan(7000 * 1000);
    expect(world.sts.calls).toHaveLength(1);
    expect(world.sts.calls[0]).toMatchObject({ policy, policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::111111111111:policy/limits'] });
  });

  it('sends no session policy when none is given', async () => {
    const { result } = await main(base);
    expect(result.exitCode).toBe(0);
    expect(world.sts.calls[0]).toMatchObject({ policy: undefined, policyArns: [] });
  });

  it('reads the token from web-identity-token-file, relative to the workspace', async () => {
    const job = await world.job({ ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined });
    await writeFile(path.join(job.workspace, 'token.jwt'), `${await world.issuer.mint('sts.amazonaws.com')}\n`);
    const result = await job.main({ ...base, 'web-identity-token-file': 'token.jwt' });
    results.push(result);
    expect(result.exitCode).toBe(0);
    expect(world.issuer.stats.tokenRequests).toBe(0);
    expect(result.exported.AWS_ACCESS_KEY_ID).toBe(world.sts.issued[0]?.accessKeyId);
  });

  it('unset-current-credentials blanks earlier credentials before starting, so a failed step leaves none', async () => {
    const earlier = { AWS_ACCESS_KEY_ID: 'AKIAOLD', AWS_SECRET_ACCESS_KEY: 'old-secret', AWS_SESSION_TOKEN: 'old-token' };
    world.sts.accounts[0]!.roles[0]!.trustPolicy = githubTrustPolicy(ACCOUNT, 'repo:acme/other:*');
    const { job, result } = await main({ ...base, 'unset-current-credentials': 'true', 'aws-region': 'eu-west-1' }, earlier);
    expectFailedWithNothingExported(result);
    expect(result.exported).toEqual({ AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '' });
    expect(job.env).toMatchObject({ AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '' });
    expect(result.stdout).not.toContain('AKIAOLD');

    // Without the input, the earlier credentials are left as they were.
    const kept = await main({ ...base, 'aws-region': 'eu-west-1' }, earlier);
    expect(kept.result.exported).toEqual({});
    expect(kept.job.env).toMatchObject(earlier);
  });

  it('routes STS and the token endpoint through http-proxy', async () => {
    const proxy = await startProxy();
    try {
      const { result } = await main({ ...base, 'http-proxy': proxy.url });
      expect(result.exitCode).toBe(0);
      const stsHost = new URL(world.sts.url).host;
      const issuerHost = new URL(world.issuer.requestUrl).host;
      expect(proxy.seen).toEqual(expect.arrayContaining([stsHost, issuerHost]));
    } finally {
      await proxy.close();
    }
  });
});

describe('startup', () => {
  it('asks for the token before loading the SDK: its TLS hello has reached GitHub when the SDK starts to load', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'import-order-'));
    const arrived = path.join(dir, 'token-request-arrived');
    const verdict = path.join(dir, 'verdict');
    // This process sees the request arrive while the step is held at the start of the SDK's load.
    const watch = setInterval(() => {
      if (world.issuer.stats.clientHellos > 0) void writeFile(arrived, '');
    }, 5);
    try {
      const hook = path.resolve('test/standins/import-order.ts');
      const { result } = await main(base, { NODE_OPTIONS: `--import=${hook}`, IMPORT_ORDER_ARRIVED: arrived, IMPORT_ORDER_VERDICT: verdict });
      expect(result.exitCode).toBe(0);
      expect(await readFile(verdict, 'utf8')).toBe('arrived');
    } finally {
      clearInterval(watch);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('endpoints', () => {
  it('without an endpoint override, goes to the regional endpoint, or the FIPS one, over HTTPS through the proxy', async () => {
    const proxy = await startProxy();
    try {
      const noOverride = { AWS_ENDPOINT_URL_STS: undefined };
      const regional = await main({ ...base, 'aws-region': 'eu-west-1', 'http-proxy': proxy.url, 'disable-retry': 'true' }, noOverride);
      expectFailedWithNothingExported(regional.result);
      expect(proxy.seen).toContain('sts.eu-west-1.amazonaws.com:443');
      const fips = await main({ ...base, 'http-proxy': proxy.url, 'disable-retry': 'true' }, { ...noOverride, AWS_USE_FIPS_ENDPOINT: 'true' });
      expectFailedWithNothingExported(fips.result);
      expect(proxy.seen).toContain('sts-fips.us-east-1.amazonaws.com:443');
      expect(fips.result.errors[0]).toContain(`The proxy ${proxy.url}/ (from the input http-proxy) refused to carry the request`);
      expect(fips.result.errors[0]).toContain('403 Forbidden');
    } finally {
      await proxy.close();
    }
  });

  it('sts-endpoint wins over AWS_ENDPOINT_URL_STS, and NO_PROXY bypasses the proxy', async () => {
    const proxy = await startProxy();
    try {
      const { result } = await main({ ...base, 'sts-endpoint': world.sts.url, 'http-proxy': proxy.url }, { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9', NO_PROXY: '127.0.0.1' });
      expect(result.exitCode).toBe(0);
      expect(proxy.seen).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe('proxies', () => {
  const PASSWORD = 's3cr3t-pw';
  const CREDENTIALS = `deployer:${PASSWORD}`;
  const BASIC = Buffer.from(CREDENTIALS).toString('base64');

  /** The password, raw or as sent, nowhere a person could read it: log, annotation, summary, stdout. */
  function expectPasswordHidden(job: Job, result: StepResult, password = PASSWORD) {
    const basic = Buffer.from(`deployer:${password}`).toString('base64');
    for (const secret of [password, basic]) {
      expect(result.log.filter((line) => line.includes(secret))).toEqual([]);
      expect(result.errors.filter((line) => line.includes(secret))).toEqual([]);
      expect(result.summary).not.toContain(secret);
      expect(result.stdout.split('\n').filter((line) => line.includes(secret) && line !== `::add-mask::${secret}`)).toEqual([]);
      expect(job.mask(result.stderr)).not.toContain(secret);
    }
  }

  it('a scheme-less HTTPS_PROXY with user:password is an HTTP proxy, as curl reads it; the password never shows, even in debug output', async () => {
    const proxy = await startProxy({ credentials: CREDENTIALS });
    try {
      const address = proxy.url.replace('http://', '');
      // Not in the common secret scan: NODE_DEBUG also prints the runner's request token, which the real
      // runner registers as a secret itself (the stand-in runner does not).
      const job = await world.job({ HTTPS_PROXY: `${CREDENTIALS}@${address}`, NODE_DEBUG: 'http,https,net' });
      const result = await job.main(base);
      expect(result.errors).toEqual([]);
      expect(result.exitCode).toBe(0);
      expect(proxy.seen).toEqual(expect.arrayContaining([new URL(world.sts.url).host, new URL(world.issuer.requestUrl).host]));
      expect(proxy.refused).toEqual([]);
      // Node's debug output prints the proxy's Authorization header; the runner hides it once registered.
      expect(result.stderr).toContain(BASIC);
      expect(job.masks).toEqual(expect.arrayContaining([PASSWORD, BASIC]));
      expectPasswordHidden(job, result);
    } finally {
      await proxy.close();
    }
  });

  it('a wrong proxy password fails at once, naming the variable it came from and hiding the password', async () => {
    const proxy = await startProxy({ credentials: CREDENTIALS });
    try {
      const { job, result } = await main(base, { https_proxy: `http://deployer:wr0ng-pw@${proxy.url.replace('http://', '')}` });
      expectFailedWithNothingExported(result);
      expect(result.errors[0]).toContain(`The proxy http://deployer:***@${proxy.url.replace('http://', '')}/ (from the environment variable https_proxy) refused to carry the request`);
      expect(result.errors[0]).toContain('check the user and password in https_proxy');
      // Not retried: one attempt, so no wait; the time bound is generous for a loaded machine.
      expect(result.log.join('\n')).not.toContain('retrying');
      expect(result.durationMs).toBeLessThan(FAILS_FAST_MS);
      expect(proxy.seen).toEqual([]);
      expectPasswordHidden(job, result, 'wr0ng-pw');
    } finally {
      await proxy.close();
    }
  });

  it('a proxy that refuses the HTTPS tunnel (CONNECT) for want of credentials is not retried', async () => {
    const proxy = await startProxy({ credentials: CREDENTIALS });
    try {
      const job = await world.job({ AWS_ENDPOINT_URL_STS: undefined, ACTIONS_ID_TOKEN_REQUEST_URL: undefined });
      await writeFile(path.join(job.workspace, 'token.jwt'), await world.issuer.mint('sts.amazonaws.com'));
      const result = await job.main({ ...base, 'aws-region': 'eu-west-1', 'web-identity-token-file': 'token.jwt', 'http-proxy': `http://deployer:wr0ng-pw@${proxy.url.replace('http://', '')}` });
      results.push(result);
      expectFailedWithNothingExported(result);
      // One attempt. The tunnel opened early, while the token was read, is refused too; when that happened
      // before the request needed it, the request asked for its own (a dead pre-connect costs no attempt).
      expect(result.log.join('\n')).not.toContain('retrying');
      expect(proxy.refused.length).toBeLessThanOrEqual(2);
      expect(new Set(proxy.refused)).toEqual(new Set(['sts.eu-west-1.amazonaws.com:443']));
      expect(result.errors[0]).toContain('(from the input http-proxy) refused to carry the request');
      expect(result.errors[0]).toContain('407 Proxy Authentication Required');
      expectPasswordHidden(job, result, 'wr0ng-pw');
    } finally {
      await proxy.close();
    }
  });

  it('a malformed HTTPS_PROXY is refused before any network call, naming HTTPS_PROXY, not the input', async () => {
    const { job, result } = await main(base, { HTTPS_PROXY: 'socks5://deployer:s3cr3t-pw@proxy.corp:1080' });
    expectFailedWithNothingExported(result);
    expect(result.errors[0]).toBe("Environment variable 'HTTPS_PROXY' must be an http(s) proxy URL like http://proxy.corp:3128, got 'socks5://deployer:***@proxy.corp:1080'");
    expect(world.issuer.stats.tokenRequests).toBe(0);
    expectPasswordHidden(job, result);
  });

  it.each([
    ['NO_PROXY', '127.0.0.0/8', 'none'],
    ['no_proxy', '*', 'none'],
    ['NO_PROXY', 'localhost, 127.0.0.1', 'none'],
    ['NO_PROXY', 'STS_HOST', 'issuer'],
  ])('%s=%j sends %s of the traffic through the proxy', async (variable, list, proxied) => {
    const proxy = await startProxy();
    try {
      const stsHost = new URL(world.sts.url).host;
      const issuerHost = new URL(world.issuer.requestUrl).host;
      const { result } = await main({ ...base, 'http-proxy': proxy.url }, { [variable]: list.replace('STS_HOST', stsHost) });
      expect(result.exitCode).toBe(0);
      expect(proxy.seen).toEqual(proxied === 'none' ? [] : [issuerHost]);
    } finally {
      await proxy.close();
    }
  });
});

describe('an STS endpoint over plain HTTP', () => {
  // Hosts that do not resolve: the warning comes before any call, and no traffic leaves the machine.
  it('to a host that is not loopback is used, with one warning naming where it came from; loopback is silent', async () => {
    const once = { ...base, 'retry-max-attempts': '1' };
    const cases: { inputs: Record<string, string>; env: Record<string, string | undefined>; warned: string | undefined }[] = [
      { inputs: { 'sts-endpoint': 'http://sts.invalid:8080/' }, env: {}, warned: 'sts-endpoint' },
      { inputs: {}, env: { AWS_ENDPOINT_URL_STS: 'http://sts.invalid' }, warned: 'AWS_ENDPOINT_URL_STS' },
      { inputs: {}, env: { AWS_ENDPOINT_URL_STS: undefined, AWS_ENDPOINT_URL: 'http://sts.invalid' }, warned: 'AWS_ENDPOINT_URL' },
      // The input wins over the variable, so only the input is named.
      { inputs: { 'sts-endpoint': 'https://sts.invalid' }, env: { AWS_ENDPOINT_URL_STS: 'http://sts.invalid' }, warned: undefined },
      { inputs: { 'sts-endpoint': 'http://127.0.0.1:9' }, env: {}, warned: undefined },
      { inputs: { 'sts-endpoint': 'http://localhost:9' }, env: {}, warned: undefined },
      { inputs: { 'sts-endpoint': 'http://[::1]:9' }, env: {}, warned: undefined },
    ];
    for (const { inputs, env, warned } of cases) {
      const { result } = await main({ ...once, ...inputs }, env);
      expect(result.exitCode).toBe(1);
      const cleartext = result.warnings.filter((w) => w.includes('in clear'));
      if (!warned) {
        expect({ inputs, cleartext }).toEqual({ inputs, cleartext: [] });
        continue;
      }
      expect(cleartext).toHaveLength(1);
      expect(cleartext[0]).toMatch(new RegExp(`^${warned} is http://sts\\.invalid(:8080)?/?: `));
      expect(cleartext[0]).toContain('the OIDC token and the credentials');
    }
  });
});

describe('a host name that does not resolve', () => {
  it('in an endpoint the user typed is a typo: one attempt, and the diagnosis says so', async () => {
    const { result } = await main({ ...base, 'sts-endpoint': 'https://sts.invalid' });
    expectFailedWithNothingExported(result);
    expect(result.errors[0]).toContain('ENOTFOUND sts.invalid');
    expect(result.errors[0]).toContain('for typos');
    expect(result.log.join('\n')).not.toContain('retrying');
  });

  it("in the SDK's own regional host is the resolver failing: retried, within the attempts allowed", async () => {
    // A region no resolver knows: the SDK's host for it resolves nowhere, so no traffic leaves the machine.
    const { result } = await main({ ...base, 'aws-region': 'xx-nowhere-1', 'retry-max-attempts': '3' }, { AWS_ENDPOINT_URL_STS: undefined });
    expectFailedWithNothingExported(result);
    expect(result.log.join('\n')).toContain('Attempt 1 failed (ENOTFOUND');
    expect(result.errors[0]).toContain('ENOTFOUND sts.xx-nowhere-1.amazonaws.com (3 attempts over');
    expect(result.errors[0]).toContain("check the runner's DNS");
  });
});

describe('role chaining', () => {
  beforeEach(() => {
    world.sts.accounts[0]!.roles.push({
      name: 'target',
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: DEPLOY }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
      },
    });
    world.sts.accounts[0]!.roles.push({
      name: 'untagged',
      trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: DEPLOY }, Action: 'sts:AssumeRole' }] },
    });
  });

  it('assumes a second role with the credentials of the first, sending session tags', async () => {
    const { job, result } = await main(base);
    expect(result.exitCode).toBe(0);
    const chained = await job.main({ 'aws-region': 'us-east-1', 'role-to-assume': roleArn('target'), 'role-chaining': 'true' });
    results.push(chained);
    expect(chained.exitCode).toBe(0);
    expect(chained.outputs['authenticated-arn']).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/target/GitHubActions`);
    expect(world.sts.calls.map((c) => c.action)).toEqual(['AssumeRoleWithWebIdentity', 'AssumeRole']);
    expect(chained.exported.AWS_ACCESS_KEY_ID).toBe(world.sts.issued[1]?.accessKeyId);
  });

  it('needs sts:TagSession unless role-skip-session-tagging', async () => {
    const { job } = await main(base);
    const refused = await job.main({ 'aws-region': 'us-east-1', 'role-to-assume': roleArn('untagged'), 'role-chaining': 'true' });
    results.push(refused);
    expectFailedWithNothingExported(refused);
    expect(refused.errors[0]).toContain('sts:TagSession');
    expect(refused.errors[0]).toContain('role-skip-session-tagging');
    const skipped = await job.main({ 'aws-region': 'us-east-1', 'role-to-assume': roleArn('untagged'), 'role-chaining': 'true', 'role-skip-session-tagging': 'true' });
    results.push(skipped);
    expect(skipped.exitCode).toBe(0);
  });
});

describe('bad input', () => {
  it.each([
    [{ 'role-to-assume': 'arn:aws:iam::12:role/x' }, "Input 'role-to-assume' is not a role ARN"],
    [{ 'role-duration-seconds': '1h' }, "Input 'role-duration-seconds' must be a whole number"],
    [{ 'aws-region': 'US East' }, "Input 'aws-region' is not a region name"],
    [{ 'inline-session-policy': '{not json' }, "Input 'inline-session-policy' is not valid JSON"],
    [{ 'web-identity-token-file': 'missing.jwt' }, "Input 'web-identity-token-file' names"],
    [{ 'disable-retry': 'yes' }, "Input 'disable-retry' must be true or false"],
  ])('%o fails with one error before any network call', async (inputs, message) => {
    const { result } = await main({ ...base, ...inputs });
    expectFailedWithNothingExported(result);
    expect(result.errors[0]).toContain(message);
    expect(world.sts.calls).toHaveLength(0);
    expect(world.issuer.stats.tokenRequests).toBe(0);
    expect(result.durationMs).toBeLessThan(FAILS_FAST_MS);
  });

  it('explains a missing id-token: write permission', async () => {
    const { result } = await main(base, { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined });
    expectFailedWithNothingExported(result);
    expect(result.errors[0]).toContain('id-token: write');
    expect(world.sts.calls).toHaveLength(0);
  });
});

describe('transient failures are retried', () => {
  const faultCases: [Fault[], string][] = [
    [['throttle', 'throttle'], 'Throttling'],
    [['server-error'], 'InternalFailure'],
    [['reset'], 'ECONNRESET'],
    [['garbage'], 'UnreadableResponse'],
    [['idp-error'], 'IDPCommunicationError'],
  ];
  it.each(faultCases)('%j', async (faults, logged) => {
    world.sts.faults.push(...faults);
    const { result } = await main(base);
    expect(result.exitCode).toBe(0);
    expect(result.log.join('\n')).toContain(logged);
    expect(world.sts.calls).toHaveLength(faults.length + 1);
    expect(result.summary).toContain(`${faults.length + 1} STS attempts`);
  });

  it('when STS cannot fetch the verification key', async () => {
    world.issuer.faults.jwksFailures = 2;
    const { result } = await main(base);
    expect(result.exitCode).toBe(0);
    expect(world.sts.calls.map((c) => c.result)).toEqual(['InvalidIdentityToken', 'InvalidIdentityToken', 'OK']);
    expect(result.log.join('\n')).toContain("Couldn't retrieve verification key");
  });

  it('when the token endpoint answers 5xx', async () => {
    world.issuer.faults.tokenStatuses.push(503, 502);
    const { result } = await main(base);
    expect(result.exitCode).toBe(0);
    expect(world.issuer.stats.tokenRequests).toBe(3);
    expect(world.sts.calls).toHaveLength(1);
  });

  it('with a fresh token when STS says the token expired', async () => {
    world.issuer.faults.expiredTokens = 1;
    const { result } = await main(base);
    expect(result.exitCode).toBe(0);
    expect(world.sts.calls.map((c) => c.result)).toEqual(['ExpiredTokenException', 'OK']);
    expect(world.issuer.stats.tokensIssued).toBe(2);
  });

  it('abandons an STS call that never answers, and retries it', async () => {
    world.sts.faults.push('hang');
    const { result } = await main(base);
    expect(result.exitCode).toBe(0);
    expect(result.log.join('\n')).toContain('ETIMEDOUT');
    expect(world.sts.calls).toHaveLength(2);
  });

  it('abandons a token request that never answers, and retries it', async () => {
    world.issuer.faults.tokenHangs = 1;
    const { result } = await main(base);
    expect(result.exitCode).toBe(0);
    expect(world.issuer.stats.tokenRequests).toBe(2);
    expect(result.log.join('\n')).toContain('ETIMEDOUT');
  });
});

describe('permanent failures end the step at once', () => {
  it('a trust policy that does not admit the token: one STS call, under 2 s', async () => {
    world.sts.accounts[0]!.roles[0]!.trustPolicy = githubTrustPolicy(ACCOUNT, 'repo:acme/webapp:pull_request');
    const { result } = await main(base);
    expectFailedWithNothingExported(result);
    expect(world.sts.calls).toHaveLength(1);
    expect(result.log.join('\n')).not.toContain('retrying');
    expect(result.durationMs).toBeLessThan(FAILS_FAST_MS);
    expect(result.errors[0]).toContain('AccessDenied');
    expect(result.summary).toContain('failed');
  });

  it('mask-aws-account-id hides the account on a refusal too: masked before the first line, absent from the summary', async () => {
    world.sts.accounts[0]!.roles[0]!.trustPolicy = githubTrustPolicy(ACCOUNT, 'repo:acme/webapp:pull_request');
    const { result } = await main({ ...base, 'mask-aws-account-id': 'true', profiles: `audit: ${roleArn('audit', '333333333333')}` });
    expectFailedWithNothingExported(result);
    const lines = result.stdout.split('\n');
    expect(lines.filter((line) => /(?:111111111111|333333333333)/.test(line) && !line.startsWith('::add-mask::'))).not.toEqual([]);
    for (const account of [ACCOUNT, '333333333333']) {
      const masked = lines.indexOf(`::add-mask::${account}`);
      expect(masked).toBeGreaterThan(-1);
      const mentioned = lines.findIndex((line) => line.includes(account) && !line.startsWith('::add-mask::'));
      if (mentioned >= 0) expect(mentioned).toBeGreaterThan(masked);
      expect(result.log.join('\n')).not.toContain(account);
      expect(result.summary).not.toContain(account);
    }
    expect(result.summary).toContain('### AWS credentials: failed');
  });

  it('mask-aws-account-id hides the account even in an input error that quotes its line', async () => {
    const profiles = `audit: ${roleArn('audit', '333333333333')}\naudit: ${roleArn('audit', '333333333333')}`;
    const { result } = await main({ ...base, 'mask-aws-account-id': 'true', profiles });
    expectFailedWithNothingExported(result);
    expect(result.stdout).toContain("repeats profile 'audit'");
    expect(result.stdout).toMatch(/::error::.*333333333333/);
    expect(result.log.join('\n')).not.toContain('333333333333');
    expect(result.summary).not.toContain('333333333333');
  });

  it('disable-retry makes one attempt even for transient errors', async () => {
    world.sts.faults.push('throttle');
    const { result } = await main({ ...base, 'disable-retry': 'true' });
    expectFailedWithNothingExported(result);
    expect(world.sts.calls).toHaveLength(1);
  });

  it('allowed-account-ids refuses credentials of another account and exports nothing', async () => {
    const { result } = await main({ ...base, 'allowed-account-ids': '222222222222' });
    expectFailedWithNothingExported(result);
    expect(result.errors[0]).toContain('111111111111');
    expect(result.errors[0]).toContain('222222222222');
  });

  it('gives up on persistent 5xx within the retry budget', async () => {
    world.sts.faults.push(...Array<'server-error'>(10).fill('server-error'));
    const { result } = await main({ ...base, 'retry-max-attempts': '3' });
    expectFailedWithNothingExported(result);
    expect(world.sts.calls).toHaveLength(3);
    expect(result.errors[0]).toContain('3 attempts');
  });
});
