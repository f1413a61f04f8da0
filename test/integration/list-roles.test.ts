// --all-roles: readAllRoles with the real IAM client (@aws-sdk/client-iam, reaching the stand-in through
// AWS_ENDPOINT_URL_IAM) and the project's backoff. The stand-in verifies SigV4, pages ListRoles with an
// opaque Marker, throttles on demand and refuses a user denied iam:ListRoles with IAM's own message.
import { IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, beforeEach, expect, it } from '@jest/globals';
import { iamRetry } from '../../src/iam-retry.ts';
import { ListRolesError, listRolesWith, readAllRoles } from '../../src/policies/list-roles.ts';
import { DEFAULT_POLICY } from '../../src/retry.ts';
import { githubTrustPolicy, startSts, type Role, type Sts } from '../standins/sts-emulator.ts';

const ACCOUNT = '111111111111';
const AUDITOR = { name: 'auditor', accessKeyId: 'AKIAEMULATORAUDITOR1', secretAccessKey: 'auditor-secret/+=' };
const BLIND = { name: 'blind', accessKeyId: 'AKIAEMULATORBLIND001', secretAccessKey: 'blind-secret', denied: ['iam:ListRoles'] };
const ROLES = 2_345;
const PAGE = 250;
// The project's backoff with waits of a millisecond: what is retried, not how long it waits, is under test.
const QUICK = { ...DEFAULT_POLICY, baseDelayMs: 1, throttleBaseDelayMs: 1, maxDelayMs: 1 };

const roles: Role[] = Array.from({ length: ROLES }, (_, i) => ({ name: `role-${i}`, trustPolicy: githubTrustPolicy(ACCOUNT, `repo:acme/app-${i}:*`) }));
roles[1_234] = { name: 'garbled', trustPolicy: roles[0]!.trustPolicy, rawTrustPolicy: '%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%E0%A4%A' };

let sts: Sts;
let saved: string | undefined;
beforeAll(async () => {
  sts = await startSts({ jwks: {}, listRolesPageSize: PAGE, accounts: [{ id: ACCOUNT, oidcProviders: [], users: [AUDITOR, BLIND], roles }] });
  saved = process.env.AWS_ENDPOINT_URL_IAM;
  process.env.AWS_ENDPOINT_URL_IAM = sts.url;
});
afterAll(async () => {
  if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_IAM;
  else process.env.AWS_ENDPOINT_URL_IAM = saved;
  await sts.close();
});
beforeEach(() => {
  sts.calls.length = 0;
  sts.throttleIam = 0;
});

const iam = (credentials: { accessKeyId: string; secretAccessKey: string }) => new IAMClient({ region: 'us-east-1', credentials, maxAttempts: 1 });
const listCalls = () => sts.calls.filter((c) => c.action === 'ListRoles').map((c) => c.result);

it('follows Marker across every page: each role once, in order, its trust policy decoded from the page', async () => {
  const result = await readAllRoles(listRolesWith(iam(AUDITOR)), iamRetry(QUICK));
  expect(result.listed).toBe(ROLES);
  expect(listCalls()).toEqual(Array(Math.ceil(ROLES / PAGE)).fill('OK'));
  expect(result.calls).toBe(Math.ceil(ROLES / PAGE));
  expect(result.policies.map((p) => p.roleName)).toEqual(roles.filter((r) => r.name !== 'garbled').map((r) => r.name));
  expect(result.policies[7]).toEqual({ where: `aws:arn:aws:iam::${ACCOUNT}:role/role-7`, file: `aws:arn:aws:iam::${ACCOUNT}:role/role-7`, roleArn: `arn:aws:iam::${ACCOUNT}:role/role-7`, roleName: 'role-7', document: roles[7]!.trustPolicy, assumed: [] });
});

it('lists a trust policy that cannot be decoded as unreadable, and reads the roles after it', async () => {
  const result = await readAllRoles(listRolesWith(iam(AUDITOR)), iamRetry(QUICK));
  expect(result.unreadable).toEqual([{ arn: `arn:aws:iam::${ACCOUNT}:role/garbled`, name: 'garbled', message: 'its trust policy cannot be decoded (URI malformed)' }]);
  expect(result.policies.at(-1)?.roleName).toBe(`role-${ROLES - 1}`);
});

it('retries Throttling with the backoff, and still reads every page', async () => {
  sts.throttleIam = 3;
  const result = await readAllRoles(listRolesWith(iam(AUDITOR)), iamRetry(QUICK));
  expect(listCalls().slice(0, 4)).toEqual(['Throttling', 'Throttling', 'Throttling', 'OK']);
  expect(result.calls).toBe(Math.ceil(ROLES / PAGE) + 3);
  expect(result.listed).toBe(ROLES);
});

it('gives up once the attempts run out, in one line saying it was throttled', async () => {
  sts.throttleIam = QUICK.maxAttempts;
  const failure = readAllRoles(listRolesWith(iam(AUDITOR)), iamRetry(QUICK));
  await expect(failure).rejects.toThrow(ListRolesError);
  await expect(failure).rejects.toThrow(`iam:ListRoles is still throttled after ${QUICK.maxAttempts} attempts: run it again later (IAM said: Rate exceeded)`);
});

it('a refused iam:ListRoles is one error naming the permission and the principal, not retried', async () => {
  const failure = readAllRoles(listRolesWith(iam(BLIND)), iamRetry(QUICK));
  await expect(failure).rejects.toThrow(ListRolesError);
  await expect(failure).rejects.toThrow(
    `iam:ListRoles was refused: grant iam:ListRoles to arn:aws:iam::${ACCOUNT}:user/blind (IAM said: User: arn:aws:iam::${ACCOUNT}:user/blind is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::${ACCOUNT}:role/ because no identity-based policy allows the iam:ListRoles action)`,
  );
  expect(listCalls()).toEqual(['AccessDenied']);
});

it('is refused with keys IAM does not know, as a signed call is', async () => {
  await expect(readAllRoles(listRolesWith(iam({ ...AUDITOR, secretAccessKey: 'wrong' })), iamRetry(QUICK))).rejects.toThrow(/^iam:ListRoles failed: The request signature we calculated does not match/);
});
