// What the action learns as it runs and must never show: accounts learned from STS (mask-aws-account-id),
// the OIDC token, a proxy's user and password. Through dist/ with the stand-in runner's masking, which is
// line by line from the ::add-mask:: on: a value printed before its mask shows in clear, as on GitHub.
import { readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { findLeaks } from '../standins/leaks.ts';
import { startProxy } from '../standins/proxy.ts';
import { DIST, type Job, type StepResult } from '../standins/runner.ts';
import { githubTrustPolicy, type Account } from '../standins/sts-emulator.ts';
import { ACCOUNT, OTHER_ACCOUNT, defaultRoles, makeDue, roleArn, startWorld, type World } from '../standins/world.ts';
import { GITHUB_ISSUER } from '../standins/oidc-issuer.ts';

// An IAM user of the other account, whose keys sign AssumeRole or are used as they are.
const USER = { name: 'ci', accessKeyId: 'AKIAEXAMPLEOTHER0001', secretAccessKey: 'OtherSecretKey/with+special/characters0' };
const KEYS = { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };
const MASK = { 'mask-aws-account-id': 'true' };

let world: World;
const results: StepResult[] = [];

function accounts(): Account[] {
  return [
    {
      id: ACCOUNT,
      oidcProviders: [{ url: GITHUB_ISSUER, clientIds: ['sts.amazonaws.com'] }],
      roles: [...defaultRoles(), { name: 'target', trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: roleArn('someone-else') }, Action: 'sts:AssumeRole' }] } }],
    },
    {
      id: OTHER_ACCOUNT,
      oidcProviders: [{ url: GITHUB_ISSUER, clientIds: ['sts.amazonaws.com'] }],
      roles: [{ name: 'audit', trustPolicy: githubTrustPolicy(OTHER_ACCOUNT, 'repo:acme/webapp:*') }],
      users: [USER],
    },
  ];
}

async function start(): Promise<World> {
  world = await startWorld({ accounts: accounts() });
  results.length = 0;
  return world;
}

afterEach(async () => {
  expect(findLeaks(results, world.issuer, world.sts)).toEqual([]);
  await world.close();
});

async function step(job: Job, inputs: Record<string, string>): Promise<StepResult> {
  const result = await job.main({ 'aws-region': 'us-east-1', ...inputs });
  results.push(result);
  return result;
}

/**
 * The step printed `value` (so the test would see a leak), but only after its ::add-mask::, so the log
 * never shows it; nor does the job summary, which the runner does not mask.
 */
function expectMaskedBeforePrinted(result: StepResult, value: string) {
  const lines = result.stdout.split('\n');
  const mentioned = lines.findIndex((line) => line.includes(value) && line !== `::add-mask::${value}`);
  expect(mentioned).toBeGreaterThan(-1);
  expect(lines.indexOf(`::add-mask::${value}`)).toBeGreaterThan(-1);
  expect(lines.indexOf(`::add-mask::${value}`)).toBeLessThan(mentioned);
  expect(result.log.filter((line) => line.includes(value))).toEqual([]);
  expect(result.summary).not.toContain(value);
}

describe('mask-aws-account-id masks each account the moment it is learned', () => {
  it('from a GetCallerIdentity answer: static keys of an account allowed-account-ids does not list', async () => {
    await start();
    const result = await step(await world.job(), { ...KEYS, ...MASK, 'allowed-account-ids': ACCOUNT });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toContain(`the credentials are for account ${OTHER_ACCOUNT}`);
    expectMaskedBeforePrinted(result, OTHER_ACCOUNT);
  });

  it("from an STS error message: the signing user's account in an AccessDenied", async () => {
    await start();
    const result = await step(await world.job(), { ...KEYS, ...MASK, 'role-to-assume': roleArn('deploy') });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toContain(`User: arn:aws:iam::${OTHER_ACCOUNT}:user/ci is not authorized to perform: sts:AssumeRole`);
    expectMaskedBeforePrinted(result, OTHER_ACCOUNT);
  });

  it('from an STS error message that names the account bare, in no ARN: RegionDisabledException', async () => {
    await start();
    world.sts.faults.push('region-disabled');
    const result = await step(await world.job(), { ...KEYS, ...MASK, 'role-to-assume': 'deploy' });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toContain(`STS is not activated in this region for account:${OTHER_ACCOUNT}`);
    expectMaskedBeforePrinted(result, OTHER_ACCOUNT);
  });

  it('from the chaining source: the account of the credentials an earlier step exported', async () => {
    await start();
    const job = await world.job();
    // The earlier step did not ask for masking: only this step's refusal tells the source's account.
    expect((await step(job, { 'role-to-assume': roleArn('audit', OTHER_ACCOUNT) })).exitCode).toBe(0);
    const result = await step(job, { ...MASK, 'role-to-assume': roleArn('target'), 'role-chaining': 'true' });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toContain(`does not trust arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/audit/GitHubActions`);
    expectMaskedBeforePrinted(result, OTHER_ACCOUNT);
  });

  it('in the notice use-existing-credentials prints when the credentials in the environment are not used', async () => {
    await start();
    const job = await world.job({ AWS_ACCESS_KEY_ID: USER.accessKeyId, AWS_SECRET_ACCESS_KEY: USER.secretAccessKey });
    const result = await step(job, { ...MASK, 'role-to-assume': roleArn('deploy'), 'use-existing-credentials': 'true', 'allowed-account-ids': ACCOUNT });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`::notice::the AWS credentials already in the environment are not valid \\(.*${OTHER_ACCOUNT}`));
    expectMaskedBeforePrinted(result, OTHER_ACCOUNT);
  });

  it('in the success summary, which names role-to-assume beside credentials used as they are', async () => {
    await start();
    const job = await world.job({ AWS_ACCESS_KEY_ID: USER.accessKeyId, AWS_SECRET_ACCESS_KEY: USER.secretAccessKey });
    const result = await step(job, { ...MASK, 'role-to-assume': roleArn('deploy'), 'use-existing-credentials': 'true' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs['authenticated-arn']).toBe(`arn:aws:iam::${OTHER_ACCOUNT}:user/ci`);
    expect(result.summary).toContain('### AWS credentials');
    for (const account of [ACCOUNT, OTHER_ACCOUNT]) expect(result.summary).not.toContain(account);
  });

  it('from the inputs: allowed-account-ids and managed-session-policies name accounts too', async () => {
    await start();
    const allowed = await step(await world.job(), { ...MASK, 'role-to-assume': roleArn('deploy'), 'allowed-account-ids': '444444444444' });
    expect(allowed.exitCode).toBe(1);
    expect(allowed.errors[0]).toContain('444444444444');
    expectMaskedBeforePrinted(allowed, '444444444444');
    const policies = await step(await world.job(), { ...MASK, 'role-to-assume': roleArn('deploy'), 'managed-session-policies': 'arn:aws:iam::555555555555:policy/no spaces' });
    expect(policies.exitCode).toBe(1);
    expect(policies.errors[0]).toContain("managed-session-policies' has a malformed policy ARN");
    expectMaskedBeforePrinted(policies, '555555555555');
  });
});

describe('the OIDC token', () => {
  it('is registered as a secret as soon as it is obtained, from GitHub or from a token file', async () => {
    await start();
    const job = await world.job();
    expect((await step(job, { 'role-to-assume': roleArn('deploy') })).exitCode).toBe(0);
    expect(job.masks).toContain(world.issuer.issued[0]);
    const fromFile = await world.job({ ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined });
    const jwt = await world.issuer.mint('sts.amazonaws.com');
    await writeFile(path.join(fromFile.workspace, 'token.jwt'), jwt);
    expect((await step(fromFile, { 'role-to-assume': roleArn('deploy'), 'web-identity-token-file': 'token.jwt' })).exitCode).toBe(0);
    expect(fromFile.masks).toContain(jwt);
  });
});

describe('the job summary shows what it quotes as text', () => {
  // Git allows backticks and angle brackets in branch names; a custom subject template may quote one.
  const BRANCH = 'refs/heads/x`<img/src=//evil.example/p>`';

  it('a claim value cannot close its code span', async () => {
    world = await startWorld({ accounts: accounts(), run: { ref: BRANCH } });
    results.length = 0;
    const result = await step(await world.job(), { 'role-to-assume': roleArn('deploy') });
    expect(result.exitCode).toBe(0);
    expect(result.summary).toContain(`| \`ref\` | \`\` ${BRANCH} \`\` |`);
  });

  it('a refusal quoting it renders no HTML in the headline, and cannot close the fence of the details', async () => {
    // A custom subject template of the ref alone quotes the branch in the sub, and so in the headline.
    world = await startWorld({ accounts: accounts(), run: { ref: 'refs/heads/a```b<img/src=//evil.example/p>', shape: { useDefault: false, includeClaimKeys: ['ref'] } } });
    results.length = 0;
    const result = await step(await world.job(), { 'role-to-assume': roleArn('deploy') });
    expect(result.exitCode).toBe(1);
    expect(result.summary).toContain("(sub 'ref:refs/heads/a\\`\\`\\`b\\<img/src=//evil.example/p\\>')");
    // The claims table: code spans fenced longer than the run of backticks they hold.
    expect(result.summary).toContain('| `ref` | ````refs/heads/a```b<img/src=//evil.example/p>```` |');
    expect(result.summary).toContain('````text\n');
    expect(result.summary).toContain('  ref: refs/heads/a```b<img/src=//evil.example/p>\n');
  });
});

/** An STS-compatible endpoint (sts-endpoint) that answers every call with this error, message as XML text. */
async function forgedSts(code: string, message: string): Promise<{ url: string; close: () => Promise<unknown> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(400, { 'content-type': 'text/xml' }).end(`<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>1</RequestId></ErrorResponse>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('STS answers are not workflow commands', () => {
  it('a line break in an error message the main step logs cannot start a command', async () => {
    await start();
    const forged = await forgedSts('Throttling', 'Rate exceeded\n::warning::forged by the endpoint');
    try {
      const result = await step(await world.job(), { 'role-to-assume': roleArn('deploy'), 'sts-endpoint': forged.url, 'retry-max-attempts': '2' });
      expect(result.exitCode).toBe(1);
      expect(result.log.join('\n')).toContain('Attempt 1 failed (Throttling: Rate exceeded');
      expect(result.warnings).toEqual([]);
    } finally {
      await forged.close();
    }
  });

  it("a carriage return in the credential helper's one line of explanation cannot start a command", async () => {
    await start();
    const job = await world.job();
    expect((await step(job, { profiles: `deploy: ${roleArn('deploy')}` })).exitCode).toBe(0);
    const forged = await forgedSts('AccessDenied', 'Not authorized&#13;::warning::forged by the endpoint');
    try {
      const settings = path.join(path.dirname(job.env.AWS_CONFIG_FILE ?? ''), 'settings.json');
      writeFileSync(settings, JSON.stringify({ ...JSON.parse(readFileSync(settings, 'utf8')), stsEndpoint: forged.url }));
      makeDue(job, 'deploy');
      const helper = await job.node([path.join(DIST, 'credential-process.cjs'), settings, 'deploy']);
      results.push(helper);
      expect(helper.exitCode).toBe(1);
      expect(helper.stderr).toMatch(/Not authorized\s::warning::forged/);
      expect(helper.warnings).toEqual([]);
    } finally {
      await forged.close();
    }
  });
});

describe('a proxy URL', () => {
  it.each([
    ['http-proxy', 'input'],
    ['HTTPS_PROXY', 'environment'],
    ['https_proxy', 'environment'],
  ])('from %s: a %% that starts no escape is a literal %%, as curl reads it', async (source, kind) => {
    await start();
    const proxy = await startProxy({ credentials: 'deployer:p%zz' });
    try {
      const url = `http://deployer:p%zz@${proxy.url.replace('http://', '')}`;
      const job = await world.job(kind === 'environment' ? { [source]: url } : {});
      const result = await step(job, { 'role-to-assume': roleArn('deploy'), ...(kind === 'input' ? { [source]: url } : {}) });
      expect(result.errors).toEqual([]);
      expect(result.exitCode).toBe(0);
      expect(proxy.refused).toEqual([]);
      expect(proxy.seen).toContain(new URL(world.sts.url).host);
      expect(job.masks).toEqual(expect.arrayContaining(['p%zz', Buffer.from('deployer:p%zz').toString('base64')]));
    } finally {
      await proxy.close();
    }
  });

  it('whose escapes decode to no UTF-8 text is one input error naming its source, the password hidden, before any call', async () => {
    await start();
    const job = await world.job({ HTTPS_PROXY: 'http://deployer:s3cr3t%FF@proxy.corp:3128' });
    const result = await step(job, { 'role-to-assume': roleArn('deploy') });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual(["Environment variable 'HTTPS_PROXY' has a user or password whose %-escapes are not UTF-8 text, which Node cannot send to the proxy, got 'http://deployer:***@proxy.corp:3128'"]);
    expect(result.stdout).not.toContain('s3cr3t');
    expect(world.issuer.stats.tokenRequests).toBe(0);
    expect(world.sts.calls).toEqual([]);
  });

  it.each([['12/s3cr3t'], ['s3?cr3t'], ['s3cr3t#1']])('with an unencoded / ? or # in the password (%s) is one input error, not a call to the wrong host', async (password) => {
    await start();
    const job = await world.job({ https_proxy: `http://deployer:${password}@127.0.0.1:9` });
    const result = await step(job, { 'role-to-assume': roleArn('deploy') });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([`Environment variable 'https_proxy' has an "@" after a "/", "?", "#" or "\\": in the user or password write them as %2F, %3F, %23 and %5C, got 'http://deployer:***@127.0.0.1:9'`]);
    expect(result.stdout).not.toContain(password);
    expect(world.issuer.stats.tokenRequests).toBe(0);
  });

  it('with a user and no password: the user is masked, as written and as sent, since it is often a token', async () => {
    await start();
    const TOKEN = 'ghp0proxytoken0000000001';
    const proxy = await startProxy({ credentials: `${TOKEN}:` });
    try {
      const address = proxy.url.replace('http://', '');
      const job = await world.job({ HTTPS_PROXY: `http://${TOKEN}@${address}` });
      const result = await step(job, { 'role-to-assume': roleArn('deploy') });
      expect(result.exitCode).toBe(0);
      expect(job.masks).toEqual(expect.arrayContaining([TOKEN, Buffer.from(`${TOKEN}:`).toString('base64')]));
      const refused = await step(await world.job({ HTTPS_PROXY: `http://wrong${TOKEN}@${address}` }), { 'role-to-assume': roleArn('deploy') });
      expect(refused.exitCode).toBe(1);
      expect(refused.errors[0]).toContain(`The proxy http://***@${address}/`);
      expect(refused.log.filter((line) => line.includes(TOKEN))).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
