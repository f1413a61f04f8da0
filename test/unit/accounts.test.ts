// accounts.ts: the accounts STS names reach mask-aws-account-id before the caller gets the answer.
import { describe, expect, it } from '@jest/globals';
import { accountsIn, reportingAccounts } from '../../src/accounts.ts';
import { accountsToMask, type InputName } from '../../src/config.ts';
import { AwsError } from '../../src/errors.ts';
import type { Credentials, Sts } from '../../src/sts.ts';

const credentials = (arn: string): Credentials => ({ arn, accountId: arn.split(':')[4] ?? '', accessKeyId: 'ASIA', secretAccessKey: 's', sessionToken: 't', expiration: undefined });

describe('accountsIn', () => {
  it('finds the account of every ARN, whatever its service and region, and nothing else', () => {
    const message = 'User: arn:aws:iam::222222222222:user/ci is not authorized to perform: sts:AssumeRole on resource: arn:aws-cn:iam::333333333333:role/deploy-202612011234';
    expect(accountsIn(message)).toEqual(['222222222222', '333333333333']);
    expect(accountsIn('arn:aws:sts::444444444444:assumed-role/a/b arn:aws:iam::aws:policy/ReadOnlyAccess request 1234567890123')).toEqual(['444444444444']);
  });

  it('finds an account named bare after the word account, as RegionDisabledException names it', () => {
    expect(accountsIn('STS is not activated in this region for account:555555555555. Your account administrator can activate STS')).toEqual(['555555555555']);
    expect(accountsIn('for Account 666666666666 only; account:1234567890123 is no account ID')).toEqual(['666666666666']);
  });
});

describe('reportingAccounts', () => {
  it('tells the accounts of answers and of failures before the caller gets them', async () => {
    const learned: string[][] = [];
    const sts = {
      callerIdentity: () => Promise.resolve(credentials('arn:aws:iam::222222222222:user/ci')),
      assumeRole: () => Promise.reject(new AwsError('AccessDenied', 'User: arn:aws:sts::333333333333:assumed-role/src/s is not authorized')),
      assumeRoleWithWebIdentity: () => Promise.resolve(credentials('arn:aws:sts::444444444444:assumed-role/deploy/GitHubActions')),
      prepare: () => Promise.resolve(),
      destroy: () => undefined,
    } as unknown as Sts;
    const watched = reportingAccounts(sts, (accounts) => learned.push(accounts));
    const seen = (value: unknown) => {
      learned.push(['caller saw it']);
      return value;
    };
    await watched.callerIdentity('default-chain').then(seen);
    await watched.assumeRole('default-chain', { roleArn: '', sessionName: '', durationSeconds: 900, policy: undefined, policyArns: [] }, { tags: [], transitiveTagKeys: [], externalId: undefined }).catch(seen);
    await watched.assumeRoleWithWebIdentity({ roleArn: '', sessionName: '', durationSeconds: 900, policy: undefined, policyArns: [] }, 'jwt').then(seen);
    expect(learned).toEqual([['222222222222'], ['caller saw it'], ['333333333333'], ['caller saw it'], ['444444444444'], ['caller saw it']]);
  });
});

describe('accountsToMask', () => {
  const inputs = (values: Partial<Record<InputName, string>>) => (name: InputName) => values[name] ?? '';
  it('with mask-aws-account-id, the accounts of role-to-assume, profiles, managed-session-policies and allowed-account-ids', () => {
    const given = {
      'role-to-assume': 'arn:aws:iam::111111111111:role/deploy',
      profiles: 'audit: arn:aws:iam::222222222222:role/audit',
      'managed-session-policies': 'arn:aws:iam::333333333333:policy/limits\narn:aws:iam::aws:policy/ReadOnlyAccess',
      'allowed-account-ids': '111111111111, 444444444444',
    };
    expect(accountsToMask(inputs({ ...given, 'mask-aws-account-id': 'true' }), {})).toEqual(['111111111111', '222222222222', '333333333333', '444444444444']);
    expect(accountsToMask(inputs(given), {})).toEqual([]);
  });
});
