// The STS emulator behaves as AWS documents: SigV4 with IAM users' long-term keys and the region scope
// STS's host names fix, sts:ExternalId in
// trust policies, and session tags along a role chain (only listed keys are transitive; an inherited
// transitive tag can be neither overridden nor dropped). Driven with the AWS SDK, as any client would.
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSts, type PolicyDocument, type Sts } from '../standins/sts-emulator.ts';

const ACCOUNT = '111111111111';
const USER = { name: 'ci', accessKeyId: 'AKIAEMULATORUSER0001', secretAccessKey: 'user-secret/with+special=chars' };
const userArn = `arn:aws:iam::${ACCOUNT}:user/ci`;
const arn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

function trust(principal: string, condition?: PolicyDocument['Statement'][number]['Condition']): PolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: ['sts:AssumeRole', 'sts:TagSession'], ...(condition ? { Condition: condition } : {}) }] };
}

let sts: Sts;
beforeAll(async () => {
  sts = await startSts({
    jwks: {},
    accounts: [
      {
        id: ACCOUNT,
        oidcProviders: [],
        users: [USER],
        roles: [
          { name: 'a', trustPolicy: trust(userArn) },
          { name: 'b', trustPolicy: trust(arn('a')) },
          // Admits only sessions that carry the Team tag inherited along the chain.
          { name: 'c', trustPolicy: trust(arn('b'), { StringEquals: { 'aws:PrincipalTag/Team': 'payments' } }) },
          { name: 'partner', trustPolicy: trust(userArn, { StringEquals: { 'sts:ExternalId': 'Unique-ID-42' } }) },
        ],
      },
    ],
  });
});
afterAll(() => sts.close());

type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const client = (credentials: Keys) => new STSClient({ region: 'us-east-1', endpoint: sts.url, credentials, maxAttempts: 1 });

async function assume(credentials: Keys, input: Partial<AssumeRoleCommandInput> & { RoleArn: string }): Promise<Keys> {
  const c = client(credentials);
  try {
    const out = await c.send(new AssumeRoleCommand({ RoleSessionName: 'emulator', ...input }));
    return { accessKeyId: out.Credentials?.AccessKeyId ?? '', secretAccessKey: out.Credentials?.SecretAccessKey ?? '', sessionToken: out.Credentials?.SessionToken ?? '' };
  } finally {
    c.destroy();
  }
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return `${(error as { Code?: string }).Code}: ${(error as Error).message}`;
  }
  return 'succeeded';
}

describe('SigV4 with an IAM user', () => {
  it('GetCallerIdentity names the user', async () => {
    const c = client(USER);
    const identity = await c.send(new GetCallerIdentityCommand({}));
    c.destroy();
    expect(identity.Arn).toBe(userArn);
    expect(identity.Account).toBe(ACCOUNT);
  });

  it('refuses a wrong secret and an unknown key', async () => {
    expect(await refusal(client({ ...USER, secretAccessKey: 'wrong' }).send(new GetCallerIdentityCommand({})))).toMatch(/^SignatureDoesNotMatch/);
    expect(await refusal(client({ ...USER, accessKeyId: 'AKIAUNKNOWN000000000' }).send(new GetCallerIdentityCommand({})))).toMatch(/^InvalidClientTokenId/);
  });

  it('a user may assume a role for longer than an hour: not role chaining', async () => {
    sts.accounts[0]!.roles.find((r) => r.name === 'a')!.maxSessionDuration = 7200;
    await expect(assume(USER, { RoleArn: arn('a'), DurationSeconds: 7200 })).resolves.toHaveProperty('sessionToken');
  });
});

describe('SigV4 region scope', () => {
  /** A client that names `host` (as one reaching STS's own host names through a proxy would), signing for `region`. */
  function naming(host: string, region: string): STSClient {
    const c = new STSClient({ region, endpoint: sts.url, credentials: USER, maxAttempts: 1 });
    c.middlewareStack.add(
      (next) => (args) => {
        (args.request as { headers: Record<string, string> }).headers.host = host;
        return next(args);
      },
      { step: 'build', priority: 'low' },
    );
    return c;
  }
  const identity = async (c: STSClient) => {
    try {
      return await refusal(c.send(new GetCallerIdentityCommand({})));
    } finally {
      c.destroy();
    }
  };

  it("STS's host names fix the region a call must be signed for (the global one's is us-east-1); the loopback's fixes none", async () => {
    expect(await identity(naming('sts.eu-west-1.amazonaws.com', 'eu-west-1'))).toBe('succeeded');
    expect(await identity(naming('sts.amazonaws.com', 'us-east-1'))).toBe('succeeded');
    expect(await identity(client(USER))).toBe('succeeded');
    expect(await identity(naming('sts.eu-west-1.amazonaws.com', 'us-east-1'))).toBe('SignatureDoesNotMatch: Credential should be scoped to a valid region. ');
    expect(await identity(naming('sts.amazonaws.com', 'eu-west-1'))).toBe('SignatureDoesNotMatch: Credential should be scoped to a valid region. ');
    expect(sts.calls.slice(-5).map((c) => c.host)).toEqual(['sts.eu-west-1.amazonaws.com', 'sts.amazonaws.com', new URL(sts.url).host, 'sts.eu-west-1.amazonaws.com', 'sts.amazonaws.com']);
  });
});

describe('sts:ExternalId', () => {
  it('admits the right external ID and refuses a wrong or missing one', async () => {
    await expect(assume(USER, { RoleArn: arn('partner'), ExternalId: 'Unique-ID-42' })).resolves.toHaveProperty('accessKeyId');
    expect(await refusal(assume(USER, { RoleArn: arn('partner'), ExternalId: 'other' }))).toBe(`AccessDenied: User: ${userArn} is not authorized to perform: sts:AssumeRole on resource: ${arn('partner')}`);
    expect(await refusal(assume(USER, { RoleArn: arn('partner') }))).toMatch(/^AccessDenied/);
  });
});

describe('session tags along a chain', () => {
  const tags = [
    { Key: 'Team', Value: 'payments' },
    { Key: 'Repository', Value: 'acme/webapp' },
  ];

  it('transitive tags reach the next hop; the others do not', async () => {
    const a = await assume(USER, { RoleArn: arn('a'), Tags: tags, TransitiveTagKeys: ['Team'] });
    const b = await assume(a, { RoleArn: arn('b'), Tags: [{ Key: 'Repository', Value: 'acme/webapp' }] });
    await expect(assume(b, { RoleArn: arn('c') })).resolves.toHaveProperty('accessKeyId');
    const untagged = await assume(USER, { RoleArn: arn('a'), Tags: tags });
    const b2 = await assume(untagged, { RoleArn: arn('b') });
    expect(await refusal(assume(b2, { RoleArn: arn('c') }))).toMatch(/^AccessDenied/);
  });

  it('refuses a hop that sets a tag whose key, in any case, its caller made transitive', async () => {
    const a = await assume(USER, { RoleArn: arn('a'), Tags: tags, TransitiveTagKeys: ['Team'] });
    expect(await refusal(assume(a, { RoleArn: arn('b'), Tags: [{ Key: 'team', Value: 'other' }] }))).toBe(
      "InvalidParameterValue: One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
    );
  });

  it('refuses transitive tag keys that are not among the tags', async () => {
    expect(await refusal(assume(USER, { RoleArn: arn('a'), Tags: tags, TransitiveTagKeys: ['Owner'] }))).toBe(
      'InvalidParameterValue: The specified transitive tag key must be included in the requested tags.',
    );
  });
});
