// readAllRoles against listings no IAM would send: it stays bounded, and prints nothing it was not meant to.
import { expect, it } from '@jest/globals';
import { accountText } from '../../src/check/account-report.ts';
import { judgeAccount } from '../../src/check/account.ts';
import { readAllRoles, type RolePage, type Retry } from '../../src/policies/list-roles.ts';

const once: Retry = async (attempt) => ({ value: await attempt(), attempts: 1 });
const document = encodeURIComponent(JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }));

it('a role listed without a role ARN is unreadable, shown quoted on one line', async () => {
  const page = async (): Promise<RolePage> => ({ roles: [{ arn: '::error::owned\n::set-env name=X::1', name: 'x', document }] });
  const listing = await readAllRoles(page, once);
  expect(listing.unreadable).toEqual([{ arn: '(not a role ARN: "::error::owned\\n::set-env name=X::1")', name: '"x"', message: 'IAM listed a role without a role ARN' }]);
  const text = accountText(judgeAccount(listing, { issuers: [] }));
  expect(text.split('\n').filter((line) => line.startsWith('::'))).toEqual([]);
});

it('a Marker given twice ends the listing with an error, not a loop', async () => {
  const page = async (): Promise<RolePage> => ({ roles: [], marker: 'same' });
  await expect(readAllRoles(page, once)).rejects.toThrow('iam:ListRoles answered a Marker it had already given: the listing would never end');
});

it('an endpoint that never stops listing is stopped past twice what IAM can hold', async () => {
  let n = 0;
  const page = async (): Promise<RolePage> => ({ roles: Array.from({ length: 1000 }, () => ({ arn: `arn:aws:iam::111111111111:role/r${n}`, name: `r${n}`, document })), marker: `m${n++}` });
  await expect(readAllRoles(page, once)).rejects.toThrow('iam:ListRoles listed more than 20000 roles, more than IAM holds in one account: stopped');
  expect(n).toBe(21);
});
