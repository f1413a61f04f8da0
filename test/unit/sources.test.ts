// The AssumeRole source's two behaviours that no stand-in provokes on demand: the incumbent's retry
// without context tags when STS finds the tags too large, and a bare role name resolved in the signing
// credentials' account.
import { describe, expect, it } from '@jest/globals';
import { AwsError } from '../../src/errors.ts';
import { DROPPABLE_TAG_KEYS, defaultSessionTags } from '../../src/session-tags.ts';
import { assumeRole } from '../../src/sources/assume-role.ts';
import type { Chaining, Credentials, SessionRequest, Sts } from '../../src/sts.ts';

const KEYS = { accessKeyId: 'AKIAEXAMPLE000000001', secretAccessKey: 'secret' };
const REQUEST: SessionRequest = { roleArn: 'arn:aws:iam::111111111111:role/deploy', sessionName: 'GitHubActions', durationSeconds: 3600, policy: undefined, policyArns: [] };
const ENV = { GITHUB_REPOSITORY: 'acme/webapp', GITHUB_SHA: 'abc', GITHUB_RUN_ID: '7001', GITHUB_EVENT_NAME: 'push' };

function fakeSts(answer: (request: SessionRequest, chaining: Chaining) => void): Sts & { calls: { request: SessionRequest; chaining: Chaining }[] } {
  const calls: { request: SessionRequest; chaining: Chaining }[] = [];
  const credentials: Credentials = { accessKeyId: 'ASIA', secretAccessKey: 's', sessionToken: 't', expiration: new Date(), arn: 'arn:aws:iam::222222222222:user/ci', accountId: '222222222222' };
  return {
    calls,
    assumeRoleWithWebIdentity: () => Promise.reject(new Error('not expected')),
    assumeRole: (_signer, request, chaining) => {
      calls.push({ request, chaining });
      answer(request, chaining);
      return Promise.resolve(credentials);
    },
    callerIdentity: () => Promise.resolve(credentials),
    prepare: () => Promise.resolve(),
    destroy: () => undefined,
  };
}

describe('assumeRole source', () => {
  it('drops only the context tags, and their transitive keys, when STS says the packed tags are too large', async () => {
    const tags = [...defaultSessionTags(ENV), { Key: 'Team', Value: 'payments' }];
    const sts = fakeSts((_r, chaining) => {
      if (chaining.tags.some((t) => DROPPABLE_TAG_KEYS.includes(t.Key))) throw new AwsError('PackedPolicyTooLarge', 'Packed policy consumes 104% of allotted space', 400);
    });
    await assumeRole('keys', KEYS, REQUEST, { tags, transitiveTagKeys: ['RunId', 'Team'], externalId: undefined }).attempt(sts, false);
    expect(sts.calls.map((c) => c.chaining.tags.map((t) => t.Key))).toEqual([
      ['GitHub', 'Repository', 'Commit', 'EventName', 'RunId', 'Team'],
      ['GitHub', 'Repository', 'Commit', 'Team'],
    ]);
    expect(sts.calls[1]?.chaining.transitiveTagKeys).toEqual(['Team']);
  });

  it('passes any other refusal on at once', async () => {
    const sts = fakeSts(() => {
      throw new AwsError('AccessDenied', 'no', 403);
    });
    await expect(assumeRole('keys', KEYS, REQUEST, { tags: defaultSessionTags(ENV), transitiveTagKeys: [], externalId: undefined }).attempt(sts, false)).rejects.toThrow('no');
    expect(sts.calls).toHaveLength(1);
  });

  it("resolves a bare role name in the signing credentials' account", async () => {
    const sts = fakeSts(() => undefined);
    await assumeRole('keys', KEYS, { ...REQUEST, roleArn: 'deploy' }, { tags: [], transitiveTagKeys: [], externalId: 'x-1' }).attempt(sts, false);
    expect(sts.calls[0]?.request.roleArn).toBe('arn:aws:iam::222222222222:role/deploy');
    expect(sts.calls[0]?.chaining.externalId).toBe('x-1');
  });
});
