// Real clients nobody here wrote, as later steps of a job: the AWS CLI v2, the AWS CLI v1 and boto3
// resolve the environment's credentials and every profile, sign with them (the STS emulator verifies
// SigV4), refresh through the helper, and share one STS call when they start together on a cold profile.
// A client that is missing is skipped; globalSetup says so in one line.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { findClients, run, runningHelpers } from '../standins/clients.ts';
import { ROOT, type Job } from '../standins/runner.ts';
import { ACCOUNT, OTHER_ACCOUNT, makeDue, roleArn, startWorld, twoAccounts, type World } from '../standins/world.ts';

// Each call starts a Python client (and, through a profile, the helper): seconds apiece on a busy machine.
jest.setTimeout(180_000);

const clients = findClients();
const PROFILES = `deploy: ${roleArn('deploy')}\naudit: ${roleArn('audit', OTHER_ACCOUNT)}\n`;
const EXPECTED: Record<string, string> = {
  deploy: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/GitHubActions`,
  audit: `arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/audit/GitHubActions`,
};
const ENVIRONMENT = `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/GitHubActions`;

let world: World;

beforeEach(async () => {
  world = await startWorld({ accounts: twoAccounts() });
});

afterEach(() => world.close());

async function setUp(inputs: Record<string, string> = {}): Promise<Job> {
  const job = await world.job();
  const result = await job.main({ 'aws-region': 'us-east-1', profiles: PROFILES, ...inputs });
  expect(result.errors).toEqual([]);
  expect(result.exitCode).toBe(0);
  return job;
}

const assumeCalls = () => world.sts.calls.filter((c) => c.action === 'AssumeRoleWithWebIdentity').length;
const settingsOf = (job: Job) => path.join(path.dirname(job.env.AWS_CONFIG_FILE ?? ''), 'settings.json');

/** `aws sts get-caller-identity`; the CLI 2.9 does not read AWS_ENDPOINT_URL_STS, so the endpoint is passed. */
async function callerIdentity(aws: string[], job: Job, profile?: string): Promise<string> {
  const ran = await run([...aws, 'sts', 'get-caller-identity', '--endpoint-url', world.sts.url, '--output', 'json', ...(profile ? ['--profile', profile] : [])], job.env);
  if (ran.code !== 0) return `exit ${ran.code}: ${ran.stderr}`;
  return (JSON.parse(ran.stdout) as { Arn: string }).Arn;
}

const CLIS: [string, string[] | undefined][] = [
  ['AWS CLI v2', clients.awsV2],
  ['AWS CLI v1', clients.awsV1],
];

describe.each(CLIS)('%s', (_, aws) => {
  const test = aws ? it : it.skip;

  test('resolves the environment credentials', async () => {
    const job = await setUp({ 'role-to-assume': roleArn('deploy'), profiles: '' });
    expect(await callerIdentity(aws ?? [], job)).toBe(ENVIRONMENT);
  });

  test('resolves every profile with --profile, beside environment credentials', async () => {
    const job = await setUp({ 'role-to-assume': roleArn('deploy') });
    for (const profile of Object.keys(EXPECTED)) expect(await callerIdentity(aws ?? [], job, profile)).toBe(EXPECTED[profile]);
    expect(await callerIdentity(aws ?? [], job)).toBe(ENVIRONMENT);
    // Served from the helper's cache: only main called STS.
    expect(assumeCalls()).toBe(3);
  });
});

describe('boto3', () => {
  const test = clients.boto3 ? it : it.skip;
  const SCRIPT = path.join(ROOT, 'test/standins/boto3-session.py');

  test('resolves every profile with Session(profile_name=...)', async () => {
    const job = await setUp();
    for (const profile of Object.keys(EXPECTED)) {
      const code = `import boto3; print(boto3.Session(profile_name='${profile}').client('sts', endpoint_url='${world.sts.url}').get_caller_identity()['Arn'])`;
      const ran = await run([...(clients.boto3 ?? []), '-c', code], job.env);
      expect(ran.stderr).toBe('');
      expect(ran.stdout.trim()).toBe(EXPECTED[profile]);
    }
  });

  test('a session making many calls across its refresh point refreshes exactly once', async () => {
    // Ten minutes: inside botocore's 15-minute window, so botocore runs the helper before every call, and
    // the helper refreshes at half the session (5 minutes), before and after this test's calls whatever
    // the machine's load. The crossing itself is the test's doing: it makes the cache due between the two
    // halves, as 5 minutes would.
    world.sts.credentialLifetimeSeconds = 600;
    const job = await setUp();
    const before = assumeCalls();
    const ran = await run([...(clients.boto3 ?? []), SCRIPT, 'deploy', world.sts.url, '10', '10'], job.env, (child) => {
      child.stdout?.on('data', (d: Buffer) => {
        if (!d.toString().startsWith('ready')) return;
        expect(assumeCalls()).toBe(before);
        makeDue(job, 'deploy');
        child.stdin?.end('go\n');
      });
    });
    expect(ran.stderr).toBe('');
    const { keys, arns } = JSON.parse(ran.stdout.slice(ran.stdout.indexOf('{'))) as { keys: string[]; arns: string[] };
    expect(arns).toEqual(Array(20).fill(EXPECTED.deploy));
    expect(assumeCalls()).toBe(before + 1);
    const [first, second] = [keys.slice(0, 10), keys.slice(10)];
    expect(new Set(first).size).toBe(1);
    expect(new Set(second).size).toBe(1);
    expect(second[0]).not.toBe(first[0]);
  });
});

describe('concurrent AWS CLI calls', () => {
  const aws = clients.awsV2 ?? clients.awsV1;
  const test = aws ? it : it.skip;

  test('on a cold profile share one STS call', async () => {
    const job = await setUp();
    makeDue(job, 'audit');
    const before = assumeCalls();
    // The first helper's STS call is held until every CLI has started its helper: all of them find the
    // cache cold, and all but one wait on the lock.
    let letGo = () => {};
    world.sts.hold = new Promise<void>((resolve) => (letGo = resolve));
    const CALLS = 4;
    const calls = Array.from({ length: CALLS }, () => callerIdentity(aws ?? [], job, 'audit'));
    while (runningHelpers(settingsOf(job)) < CALLS) await new Promise((resolve) => setTimeout(resolve, 50));
    letGo();
    expect(await Promise.all(calls)).toEqual(Array(CALLS).fill(EXPECTED.audit));
    expect(assumeCalls()).toBe(before + 1);
  });
});
