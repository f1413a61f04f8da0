// profiles-file: a config file in the repository, read as botocore reads it, whose profiles work as
// written for every client: the AWS CLI v2 and v1, boto3 and the JS SDK resolve each web identity
// profile to its role, its region and its audience, a chained profile through their own chaining, and a
// profile without a role carried through with its keys. A key the file may not hold fails the step, and no
// endpoint but the one the step chose ever receives the token: from the step, a later invocation or the helper.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { findClients, run } from '../standins/clients.ts';
import { findLeaks } from '../standins/leaks.ts';
import { GITHUB_ISSUER } from '../standins/oidc-issuer.ts';
import { startProxy, type Proxy } from '../standins/proxy.ts';
import { DIST, ROOT, type Job, type StepResult } from '../standins/runner.ts';
import { githubTrustPolicy, type Account } from '../standins/sts-emulator.ts';
import { ACCOUNT, OTHER_ACCOUNT, makeDue, roleArn, startWorld, type World } from '../standins/world.ts';

jest.setTimeout(240_000);

const clients = findClients();
const WHOAMI = path.join(ROOT, 'test/standins/whoami.ts');
const PROFILE_CONFIG = path.join(ROOT, 'test/standins/profile-config.ts');

/** deploy (audience sts.amazonaws.com) and chained (trusting deploy's sessions) here; Other (audience sigstore) there. */
function accounts(): Account[] {
  return [
    {
      id: ACCOUNT,
      oidcProviders: [{ url: GITHUB_ISSUER, clientIds: ['sts.amazonaws.com'] }],
      roles: [
        { name: 'deploy', trustPolicy: githubTrustPolicy(ACCOUNT, 'repo:acme/webapp:*') },
        { name: 'chained', trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: roleArn('deploy') }, Action: 'sts:AssumeRole' }] } },
      ],
    },
    { id: OTHER_ACCOUNT, oidcProviders: [{ url: GITHUB_ISSUER, clientIds: ['sigstore'] }], roles: [{ name: 'Other', trustPolicy: githubTrustPolicy(OTHER_ACCOUNT, 'repo:acme/webapp:*', {}, 'StringLike', 'sigstore') }] },
  ];
}

// The design's file, as written, with a chained profile and one without a role, carried through.
const FILE = `# Roles of this repository's jobs
[default]
role_arn = ${roleArn('deploy')}
web_identity_token_server = GitHub
region = us-east-2

[profile sigstore-audience]
role_arn = ${roleArn('Other', OTHER_ACCOUNT)}
web_identity_token_server = GitHub,sigstore
role_session_name = other
region = eu-west-1
output = json

[profile chained]
role_arn = ${roleArn('chained')}
source_profile = default
region = ap-southeast-2

[profile untouched]
region = ap-south-1
output = text
`;

const EXPECTED = {
  default: { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/GitHubActions`, region: 'us-east-2', audience: 'sts.amazonaws.com' },
  'sigstore-audience': { arn: `arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/Other/other`, region: 'eu-west-1', audience: 'sigstore' },
};
const CHAINED = new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/chained/`);

let world: World;
/** Carries STS's own host names to the emulator: clients that are not pointed at it go where they would on a runner. */
let aws: Proxy;
const scanned: StepResult[] = [];

beforeEach(async () => {
  world = await startWorld({ accounts: accounts() });
  aws = await startProxy({ sts: world.sts.url });
  scanned.length = 0;
});

afterEach(async () => {
  try {
    expect(findLeaks(scanned, world.issuer, world.sts)).toEqual([]);
    // Nothing asked for a host off this machine.
    expect(aws.forbidden).toEqual([]);
  } finally {
    await Promise.all([world.close(), aws.close()]);
  }
});

/** A step's environment with no endpoint override, through the proxy that carries STS's host names. */
const onAwsNames = (env: Record<string, string | undefined>) => ({ ...env, AWS_ENDPOINT_URL_STS: undefined, HTTPS_PROXY: aws.url });

/** The STS host each call of this action named, in order. */
const hostsOf = (action: string) => world.sts.calls.filter((c) => c.action === action).map((c) => c.host);

async function setUp(inputs: Record<string, string> = {}, file = FILE, env: Record<string, string | undefined> = {}): Promise<Job> {
  const job = await world.job();
  mkdirSync(path.join(job.workspace, '.github'));
  writeFileSync(path.join(job.workspace, '.github', 'aws-config'), file);
  const result = await job.main({ 'aws-region': 'us-east-1', 'profiles-file': '.github/aws-config', ...inputs }, env);
  scanned.push(result);
  expect(result.errors).toEqual([]);
  expect(result.exitCode).toBe(0);
  return job;
}

const webIdentityCalls = (role: string) => world.sts.calls.filter((c) => c.action === 'AssumeRoleWithWebIdentity' && c.roleArn === role);

describe('the step', () => {
  it("assumes each web identity profile once, with its own audience and session name, and checks the chain with sts:AssumeRole from its source's credentials", async () => {
    await setUp();
    expect(webIdentityCalls(roleArn('deploy')).map((c) => [c.audience, c.sessionName, c.result])).toEqual([['sts.amazonaws.com', 'GitHubActions', 'OK']]);
    expect(webIdentityCalls(roleArn('Other', OTHER_ACCOUNT)).map((c) => [c.audience, c.sessionName, c.result])).toEqual([['sigstore', 'other', 'OK']]);
    // chained trusts only deploy's sessions: the check succeeds only when signed with the source's credentials.
    const check = world.sts.calls.filter((c) => c.action === 'AssumeRole');
    expect(check.map((c) => [c.roleArn, c.result])).toEqual([[roleArn('chained'), 'OK']]);
  });

  it('writes each profile with its region, the chained and the carried profile as they are, and post removes it all', async () => {
    const job = await setUp();
    // Clients would prefer them to each profile's own region.
    expect(job.env.AWS_REGION).toBeUndefined();
    expect(job.env.AWS_DEFAULT_REGION).toBeUndefined();
    const config = readFileSync(job.env.AWS_CONFIG_FILE ?? '', 'utf8');
    expect(config).toMatch(/\[default\]\nregion = us-east-2\ncredential_process = /);
    expect(config).toMatch(/\[profile sigstore-audience\]\nregion = eu-west-1\noutput = json\ncredential_process = /);
    expect(config).toContain(`[profile chained]\nrole_arn = ${roleArn('chained')}\nsource_profile = default\nregion = ap-southeast-2\n`);
    expect(config).toContain('[profile untouched]\nregion = ap-south-1\noutput = text\n');
    expect(config).not.toContain('web_identity_token_server');
    const post = await job.post();
    scanned.push(post);
    expect(post.exitCode).toBe(0);
    expect(readdirSync(job.temp)).toEqual([]);
  });

  it("explains a refused web identity profile with its own audience", async () => {
    world.sts.accounts[1]!.oidcProviders[0]!.clientIds = ['sts.amazonaws.com'];
    const job = await world.job();
    mkdirSync(path.join(job.workspace, '.github'));
    writeFileSync(path.join(job.workspace, '.github', 'aws-config'), FILE);
    const result = await job.main({ 'aws-region': 'us-east-1', 'profiles-file': '.github/aws-config' });
    scanned.push(result);
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain(`The OIDC provider in account ${OTHER_ACCOUNT} does not accept the audience 'sigstore'`);
    expect(result.exported).toEqual({});
  });

  it('a chain that cannot work fails the step, with the chaining diagnosis, exporting nothing', async () => {
    world.sts.accounts[0]!.roles[1]!.trustPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: roleArn('someone-else') }, Action: 'sts:AssumeRole' }] };
    const job = await world.job();
    mkdirSync(path.join(job.workspace, '.github'));
    writeFileSync(path.join(job.workspace, '.github', 'aws-config'), FILE);
    const result = await job.main({ 'aws-region': 'us-east-1', 'profiles-file': '.github/aws-config' });
    scanned.push(result);
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain(roleArn('chained'));
    expect(result.errors[0]).toContain('sts:AssumeRole');
    expect(result.exported).toEqual({});
    expect(world.sts.calls.filter((c) => c.action === 'AssumeRole').map((c) => c.result)).toEqual(['AccessDenied']);
  });
});

describe('mask-aws-account-id', () => {
  it("masks the accounts of the file's roles before any line", async () => {
    const job = await setUp({ 'mask-aws-account-id': 'true' });
    expect(job.masks).toEqual(expect.arrayContaining([ACCOUNT, OTHER_ACCOUNT]));
    expect(scanned[0]?.log.join('\n')).not.toContain(OTHER_ACCOUNT);
  });
});

describe('bad input', () => {
  it.each([
    ['a file that does not exist', undefined, 'cannot be read'],
    ['a file that is not readable (a folder)', 'folder', 'cannot be read: EISDIR'],
    ['a section that is not [default] or [profile NAME]', `[deploy]\nrole_arn = ${roleArn('deploy')}\n`, 'line 1: [deploy] is not [default] or [profile NAME]'],
    ['web_identity_token_server without role_arn', '[default]\nweb_identity_token_server = GitHub\n', "line 2: profile 'default' has web_identity_token_server but no role_arn"],
    ['a source_profile naming a missing profile', `[profile c]\nrole_arn = ${roleArn('chained')}\nsource_profile = gone\n`, "line 1: source_profile 'gone' of profile 'c' names no profile"],
    ['a cycle', `[profile a]\nrole_arn = ${roleArn('chained')}\nsource_profile = b\n[profile b]\nrole_arn = ${roleArn('chained')}\nsource_profile = a\n`, 'line 1: source_profile goes round in a circle: a → b → a'],
    ['a region that is not a region', `[default]\nrole_arn = ${roleArn('deploy')}\nregion = us-east\n`, "line 3: region 'us-east' of profile 'default' is not a region name"],
    ['a duration outside 900–43200', `[default]\nrole_arn = ${roleArn('deploy')}\nduration_seconds = 86400\n`, "line 3: duration_seconds '86400' of profile 'default' must be a whole number from 900 to 43200"],
    ['a token server other than GitHub', `[default]\nrole_arn = ${roleArn('deploy')}\nweb_identity_token_server = Okta\n`, "line 3: web_identity_token_server of profile 'default' is 'Okta'"],
  ])('%s: one error naming the file and the line, before any call, nothing exported', async (_, file, problem) => {
    const job = await world.job();
    if (file === 'folder') mkdirSync(path.join(job.workspace, 'aws-config'));
    else if (file !== undefined) writeFileSync(path.join(job.workspace, 'aws-config'), file);
    const result = await job.main({ 'aws-region': 'us-east-1', 'profiles-file': 'aws-config' });
    scanned.push(result);
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/^Input 'profiles-file' /);
    expect(result.errors[0]).toContain(problem);
    expect(result.exported).toEqual({});
    expect(world.sts.calls).toEqual([]);
    expect(world.issuer.stats.tokenRequests).toBe(0);
  });
});

describe('profiles lines with their own settings', () => {
  it('take region, audience, duration-seconds and session-name; the step inputs are the defaults', async () => {
    const job = await world.job();
    const result = await job.main({
      'aws-region': 'us-east-1',
      'role-duration-seconds': '1800',
      profiles: `deploy: ${roleArn('deploy')} region=eu-west-1\nother: ${roleArn('Other', OTHER_ACCOUNT)} audience=sigstore duration-seconds=900 session-name=short`,
    });
    scanned.push(result);
    expect(result.errors).toEqual([]);
    const config = readFileSync(job.env.AWS_CONFIG_FILE ?? '', 'utf8');
    expect(config).toMatch(/\[profile deploy\]\nregion = eu-west-1\n/);
    expect(config).toMatch(/\[profile other\]\nregion = us-east-1\n/);
    expect(webIdentityCalls(roleArn('deploy')).map((c) => [c.audience, c.sessionName])).toEqual([['sts.amazonaws.com', 'GitHubActions']]);
    expect(webIdentityCalls(roleArn('Other', OTHER_ACCOUNT)).map((c) => [c.audience, c.sessionName])).toEqual([['sigstore', 'short']]);
    const settings = JSON.parse(readFileSync(path.join(path.dirname(job.env.AWS_CONFIG_FILE ?? ''), 'settings.json'), 'utf8')) as { profiles: Record<string, { durationSeconds: number }> };
    expect([settings.profiles.deploy?.durationSeconds, settings.profiles.other?.durationSeconds]).toEqual([1800, 900]);
  });
});

describe("each profile's region", () => {
  it('is the STS regional endpoint the step asks', async () => {
    // Without AWS_ENDPOINT_URL_STS the SDK asks each region's own endpoint, which the proxy carries to the emulator.
    const job = await world.job();
    const result = await job.main(
      { 'aws-region': 'us-east-1', profiles: `deploy: ${roleArn('deploy')} region=eu-west-1\nother: ${roleArn('Other', OTHER_ACCOUNT)} audience=sigstore` },
      onAwsNames({}),
    );
    scanned.push(result);
    expect(result.errors).toEqual([]);
    // The profiles are assumed together: in whichever order they arrive.
    expect(world.sts.calls.map((c) => [c.action, c.roleArn, c.result, c.host]).sort()).toEqual([
      ['AssumeRoleWithWebIdentity', roleArn('deploy'), 'OK', 'sts.eu-west-1.amazonaws.com'],
      ['AssumeRoleWithWebIdentity', roleArn('Other', OTHER_ACCOUNT), 'OK', 'sts.us-east-1.amazonaws.com'],
    ]);
  });
});

describe('the credential helper', () => {
  function helper(job: Job, profile: string, env: Record<string, string | undefined> = {}): Promise<StepResult> {
    const settings = path.join(path.dirname(job.env.AWS_CONFIG_FILE ?? ''), 'settings.json');
    return job.node([path.join(DIST, 'credential-process.cjs'), settings, profile], env);
  }

  it('refreshes a profile past its refresh time with its own audience, role and session name', async () => {
    const job = await setUp();
    makeDue(job, 'sigstore-audience');
    const before = webIdentityCalls(roleArn('Other', OTHER_ACCOUNT)).length;
    // Its stdout is the credentials, for the client that ran it: not scanned.
    const step = await helper(job, 'sigstore-audience');
    expect(step.stderr).toBe('');
    expect(step.exitCode).toBe(0);
    const calls = webIdentityCalls(roleArn('Other', OTHER_ACCOUNT));
    expect(calls).toHaveLength(before + 1);
    expect([calls.at(-1)?.audience, calls.at(-1)?.sessionName]).toEqual(['sigstore', 'other']);
    expect((JSON.parse(step.stdout) as { AccessKeyId: string }).AccessKeyId).toBe(calls.at(-1)?.accessKeyId);
  });

  it("refreshes with its own region's STS endpoint", async () => {
    // The helper uses the step's proxy. The step had no AWS_ENDPOINT_URL_STS, so the helper asks the
    // region's own endpoint, which the proxy carries to the emulator.
    const job = await setUp({}, FILE, onAwsNames({}));
    makeDue(job, 'sigstore-audience');
    makeDue(job, 'default');
    const step = world.sts.calls.length;
    // Their stdout is the credentials, for the client that ran them: not scanned.
    for (const profile of ['sigstore-audience', 'default']) expect((await helper(job, profile)).exitCode).toBe(0);
    expect(world.sts.calls.slice(step).map((c) => [c.roleArn, c.audience, c.result, c.host])).toEqual([
      [roleArn('Other', OTHER_ACCOUNT), 'sigstore', 'OK', 'sts.eu-west-1.amazonaws.com'],
      [roleArn('deploy'), 'sts.amazonaws.com', 'OK', 'sts.us-east-2.amazonaws.com'],
    ]);
  });
});

const CLIS: [string, string[] | undefined][] = [
  ['AWS CLI v2', clients.awsV2],
  ['AWS CLI v1', clients.awsV1],
];

describe.each(CLIS)('%s', (_, argv) => {
  const test = argv ? it : it.skip;
  // Neither CLI is pointed at the emulator: each goes to STS's host for the profile's region, as it would on
  // a runner, and the proxy carries it there. The AWS CLI 2.9 could not be pointed for its own chaining anyway
  // (it reads AWS_ENDPOINT_URL_STS only from 2.13, and --endpoint-url does not reach its source-profile client).
  const cli = (job: Job, ...args: string[]) => run([...(argv ?? []), ...args], onAwsNames(job.env));
  const identity = async (job: Job, profile: string) => {
    const ran = await cli(job, 'sts', 'get-caller-identity', '--output', 'json', '--profile', profile);
    return ran.code === 0 ? (JSON.parse(ran.stdout) as { Arn: string }).Arn : `exit ${ran.code}: ${ran.stderr}`;
  };

  test('resolves each web identity profile to its role and its region, and the carried profile as it was', async () => {
    const job = await setUp();
    for (const [profile, expected] of Object.entries(EXPECTED)) {
      expect(await identity(job, profile)).toBe(expected.arn);
      expect((await cli(job, 'configure', 'get', 'region', '--profile', profile)).stdout.trim()).toBe(expected.region);
    }
    expect((await cli(job, 'configure', 'get', 'output', '--profile', 'untouched')).stdout.trim()).toBe('text');
    expect((await cli(job, 'configure', 'get', 'region', '--profile', 'untouched')).stdout.trim()).toBe('ap-south-1');
    // Each call went to its profile's regional host, signed for that region (the emulator checks the scope).
    expect(hostsOf('GetCallerIdentity')).toEqual(['sts.us-east-2.amazonaws.com', 'sts.eu-west-1.amazonaws.com']);
  });

  test('resolves the chained profile through its own chaining', async () => {
    const job = await setUp();
    const step = world.sts.calls.length;
    expect(await identity(job, 'chained')).toMatch(CHAINED);
    // Its own sts:AssumeRole, signed with the source profile's credentials (chained trusts only deploy's sessions).
    const own = world.sts.calls.slice(step);
    expect(own.map((c) => [c.action, c.roleArn, c.result, c.host])).toEqual([
      ['AssumeRole', roleArn('chained'), 'OK', 'sts.ap-southeast-2.amazonaws.com'],
      ['GetCallerIdentity', undefined, 'OK', 'sts.ap-southeast-2.amazonaws.com'],
    ]);
  });
});

describe('boto3', () => {
  const test = clients.boto3 ? it : it.skip;

  test('resolves every profile: web identity with its region, chained through its own chaining, carried as it was', async () => {
    const job = await setUp();
    const code = [
      'import json, sys, boto3',
      'out = {}',
      'for p in sys.argv[1:]:',
      '    s = boto3.Session(profile_name=p)',
      '    out[p] = [s.client("sts").get_caller_identity()["Arn"] if p != "untouched" else None, s.region_name]',
      'print(json.dumps(out))',
    ].join('\n');
    // Not pointed at the emulator: each client goes to its profile's regional host, as it would on a runner.
    const ran = await run([...(clients.boto3 ?? []), '-c', code, 'default', 'sigstore-audience', 'chained', 'untouched'], onAwsNames(job.env));
    expect(ran.stderr).toBe('');
    const seen = JSON.parse(ran.stdout) as Record<string, [string, string]>;
    expect(seen.default).toEqual([EXPECTED.default.arn, EXPECTED.default.region]);
    expect(seen['sigstore-audience']).toEqual([EXPECTED['sigstore-audience'].arn, EXPECTED['sigstore-audience'].region]);
    expect(seen.chained?.[0]).toMatch(CHAINED);
    expect(seen.untouched).toEqual([null, 'ap-south-1']);
    // Signed for those regions (the emulator checks the scope), the chain's own sts:AssumeRole too.
    expect(hostsOf('GetCallerIdentity')).toEqual(['sts.us-east-2.amazonaws.com', 'sts.eu-west-1.amazonaws.com', 'sts.ap-southeast-2.amazonaws.com']);
    expect(world.sts.calls.filter((c) => c.action === 'AssumeRole').map((c) => c.host)).toEqual([new URL(world.sts.url).host, 'sts.ap-southeast-2.amazonaws.com']);
  });
});

describe('the JS SDK', () => {
  it('resolves every profile: web identity with its region, chained through its own chaining, carried as it was', async () => {
    const job = await setUp();
    const step = await job.node([WHOAMI, 'default', 'sigstore-audience', 'chained']);
    scanned.push(step);
    const seen = JSON.parse(step.stdout) as Record<string, string>;
    expect(seen.default).toBe(EXPECTED.default.arn);
    expect(seen['sigstore-audience']).toBe(EXPECTED['sigstore-audience'].arn);
    expect(seen.chained).toMatch(CHAINED);
    const config = await job.node([PROFILE_CONFIG, 'default', 'sigstore-audience', 'untouched']);
    scanned.push(config);
    expect(JSON.parse(config.stdout)).toMatchObject({ default: { region: 'us-east-2' }, 'sigstore-audience': { region: 'eu-west-1' }, untouched: { region: 'ap-south-1', output: 'text' } });
  });
});

/** A loopback listener that plays whoever a hostile file points at: it counts every connection, whatever it carries. */
async function startAttacker(): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  let connections = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(500).end();
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the token goes only where the step decided', () => {
  let attacker: Awaited<ReturnType<typeof startAttacker>>;
  beforeEach(async () => {
    attacker = await startAttacker();
  });
  afterEach(() => attacker.close());

  const ALLOWED = 'only role_arn, web_identity_token_server, source_profile, external_id, region, duration_seconds, role_session_name, output';

  it.each([
    ['endpoint_url', (url: string) => `[default]\nrole_arn = ${roleArn('deploy')}\nregion = us-east-2\nendpoint_url = ${url}\n`, `line 4: profile 'default' has the key endpoint_url, which a profiles-file may not hold: ${ALLOWED}`],
    ['a services section', (url: string) => `[default]\nrole_arn = ${roleArn('deploy')}\nservices = local\n\n[services local]\nsts =\n  endpoint_url = ${url}\n`, `line 3: profile 'default' has the key services, which a profiles-file may not hold: ${ALLOWED}`],
  ])('a profiles-file with %s pointing at a listener fails the step with one line naming file, line and key; nothing reaches the listener', async (_, file, problem) => {
    const job = await world.job();
    mkdirSync(path.join(job.workspace, '.github'));
    writeFileSync(path.join(job.workspace, '.github', 'aws-config'), file(attacker.url));
    const result = await job.main({ 'aws-region': 'us-east-1', 'profiles-file': '.github/aws-config' });
    scanned.push(result);
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([`Input 'profiles-file' .github/aws-config ${problem}`]);
    expect(result.exported).toEqual({});
    expect(world.issuer.stats.tokenRequests).toBe(0);
    expect(world.sts.calls).toEqual([]);
    expect(attacker.connections()).toBe(0);
  });

  it("an endpoint in a config file draws no token: not the step's, not a later invocation's, not the helper's refresh", async () => {
    // The runner's own ~/.aws/config points its default profile elsewhere, and the step carries it into
    // the AWS_CONFIG_FILE it exports. No endpoint is chosen: each token goes to its region's STS host,
    // which the proxy carries to the emulator; loopback bypasses the proxy, so the listener is reachable.
    const job = await world.job(onAwsNames({ NO_PROXY: '127.0.0.1' }));
    mkdirSync(path.join(job.env.HOME ?? '', '.aws'));
    writeFileSync(path.join(job.env.HOME ?? '', '.aws', 'config'), `[default]\nregion = us-east-1\nendpoint_url = ${attacker.url}\nservices = local\n\n[services local]\nsts =\n  endpoint_url = ${attacker.url}\n`);
    mkdirSync(path.join(job.workspace, '.github'));
    writeFileSync(path.join(job.workspace, '.github', 'aws-config'), `[profile deploy]\nrole_arn = ${roleArn('deploy')}\nregion = us-east-2\n`);
    const first = await job.main({ 'aws-region': 'us-east-1', 'profiles-file': '.github/aws-config' });
    scanned.push(first);
    expect(first.errors).toEqual([]);
    expect(readFileSync(job.env.AWS_CONFIG_FILE ?? '', 'utf8')).toContain(`endpoint_url = ${attacker.url}`);
    // A later invocation in the same job reads the exported AWS_CONFIG_FILE, whose default profile has the endpoint.
    const later = await job.main({ 'aws-region': 'us-east-1', 'role-to-assume': roleArn('deploy') });
    scanned.push(later);
    expect(later.errors).toEqual([]);
    // The helper runs with that file too, as its clients do.
    makeDue(job, 'deploy');
    const refresh = await job.node([path.join(DIST, 'credential-process.cjs'), path.join(path.dirname(first.exported.AWS_CONFIG_FILE ?? ''), 'settings.json'), 'deploy']);
    expect(refresh.stderr).toBe('');
    expect(refresh.exitCode).toBe(0);
    expect(attacker.connections()).toBe(0);
    expect(webIdentityCalls(roleArn('deploy')).map((c) => [c.result, c.host])).toEqual([
      ['OK', 'sts.us-east-2.amazonaws.com'],
      ['OK', 'sts.us-east-1.amazonaws.com'],
      ['OK', 'sts.us-east-2.amazonaws.com'],
    ]);
  });

  it("the helper's refresh goes to the endpoint the step chose, not to one its client's environment or config names", async () => {
    // The step chose the emulator (the job's AWS_ENDPOINT_URL_STS); a later step points everything elsewhere.
    const job = await setUp();
    const chosen = new URL(world.sts.url).host;
    writeFileSync(job.env.AWS_CONFIG_FILE ?? '', `${readFileSync(job.env.AWS_CONFIG_FILE ?? '', 'utf8')}\n[profile elsewhere]\nendpoint_url = ${attacker.url}\n`);
    makeDue(job, 'sigstore-audience');
    const before = world.sts.calls.length;
    const settings = path.join(path.dirname(job.env.AWS_CONFIG_FILE ?? ''), 'settings.json');
    const refresh = await job.node([path.join(DIST, 'credential-process.cjs'), settings, 'sigstore-audience'], { AWS_ENDPOINT_URL_STS: attacker.url, AWS_ENDPOINT_URL: attacker.url, AWS_PROFILE: 'elsewhere' });
    expect(refresh.stderr).toBe('');
    expect(refresh.exitCode).toBe(0);
    expect(attacker.connections()).toBe(0);
    expect(world.sts.calls.slice(before).map((c) => [c.action, c.roleArn, c.result, c.host])).toEqual([['AssumeRoleWithWebIdentity', roleArn('Other', OTHER_ACCOUNT), 'OK', chosen]]);
  });
});
