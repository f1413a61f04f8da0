import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createAgents } from '../../src/http.ts';
import { createSts } from '../../src/sts.ts';
import { roleArn, startWorld, type World } from '../standins/world.ts';

let world: World;
beforeEach(async () => {
  world = await startWorld();
});
afterEach(async () => {
  await world.close();
});

describe('prepare', () => {
  it('sends nothing to STS, and the client then makes its call as usual', async () => {
    const sts = createSts({ region: 'us-east-1', endpoint: world.sts.url, agents: createAgents(undefined) });
    try {
      await sts.prepare();
      expect(world.sts.calls).toEqual([]);
      const request = { roleArn: roleArn('deploy'), sessionName: 'session', durationSeconds: 900, policy: undefined, policyArns: [] };
      const credentials = await sts.assumeRoleWithWebIdentity(request, await world.issuer.mint('sts.amazonaws.com'));
      expect(credentials.arn).toBe('arn:aws:sts::111111111111:assumed-role/deploy/session');
      expect(world.sts.calls.map((c) => c.result)).toEqual(['OK']);
    } finally {
      sts.destroy();
    }
  });
});
