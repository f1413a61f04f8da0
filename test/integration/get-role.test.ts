// --from-aws: readFromAws with the real IAM client (@aws-sdk/client-iam, reaching the emulator through
// AWS_ENDPOINT_URL_IAM as the entry point's client would), which verifies SigV4 for the iam service and
// answers GetRole as IAM does: the URL-encoded document, NoSuchEntity for a role it does not hold.
import { IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { readFromAws } from '../../src/policies/read-aws.ts';
import { getRoleWith } from '../../src/policies/get-role.ts';
import { githubTrustPolicy, startSts, type Sts } from '../standins/sts-emulator.ts';

const ACCOUNT = '111111111111';
const USER = { name: 'auditor', accessKeyId: 'AKIAEMULATORAUDITOR1', secretAccessKey: 'auditor-secret/+=' };
const deployTrust = githubTrustPolicy(ACCOUNT, 'repo:acme/webapp:ref:refs/heads/main', {}, 'StringEquals');

let sts: Sts;
let saved: string | undefined;
beforeAll(async () => {
  sts = await startSts({ jwks: {}, accounts: [{ id: ACCOUNT, oidcProviders: [], users: [USER], roles: [{ name: 'deploy', trustPolicy: deployTrust }] }] });
  saved = process.env.AWS_ENDPOINT_URL_IAM;
  process.env.AWS_ENDPOINT_URL_IAM = sts.url;
});
afterAll(async () => {
  if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_IAM;
  else process.env.AWS_ENDPOINT_URL_IAM = saved;
  await sts.close();
});

const iam = (credentials: { accessKeyId: string; secretAccessKey: string }) => new IAMClient({ region: 'us-east-1', credentials, maxAttempts: 1 });

it('reads each role by ARN or name; a role IAM does not hold, or of another account, is an error of its own', async () => {
  const result = await readFromAws(
    [`arn:aws:iam::${ACCOUNT}:role/deploy`, 'deploy', 'missing', 'arn:aws:iam::222222222222:role/deploy'],
    getRoleWith(iam(USER)),
  );
  expect(result.policies).toEqual([
    { where: `aws:arn:aws:iam::${ACCOUNT}:role/deploy`, file: `aws:arn:aws:iam::${ACCOUNT}:role/deploy`, roleArn: `arn:aws:iam::${ACCOUNT}:role/deploy`, roleName: 'deploy', document: deployTrust, assumed: [] },
    { where: `aws:arn:aws:iam::${ACCOUNT}:role/deploy`, file: 'aws:deploy', roleArn: `arn:aws:iam::${ACCOUNT}:role/deploy`, roleName: 'deploy', document: deployTrust, assumed: [] },
  ]);
  expect(result.errors).toEqual([
    { file: 'aws:missing', message: 'iam:GetRole missing: The role with name missing cannot be found.' },
    { file: 'aws:arn:aws:iam::222222222222:role/deploy', message: 'the credentials read account 111111111111, not 222222222222: iam:GetRole reads only the caller\'s own account' },
  ]);
  expect(sts.calls.filter((c) => c.action === 'GetRole').map((c) => c.result)).toEqual(['OK', 'OK', 'NoSuchEntity', 'OK']);
});

it('is refused with keys IAM does not know, as a signed call is', async () => {
  const result = await readFromAws(['deploy'], getRoleWith(iam({ ...USER, secretAccessKey: 'wrong' })));
  expect(result.policies).toEqual([]);
  expect(result.errors).toEqual([{ file: 'aws:deploy', message: expect.stringMatching(/^iam:GetRole deploy: The request signature we calculated does not match/) }]);
});
