import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { createAgents, get, requestsLeave } from '../../src/http.ts';

describe('requestsLeave', () => {
  it('lets a request just made connect and write before the caller goes on', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const agents = createAgents(undefined);
      const sockets = () => Object.values(agents.httpAgent.sockets).flat();
      const response = get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {}, 5_000, agents);
      response.catch(() => undefined);

      // Connected and written takes a turn of the event loop: microtasks and nextTicks alone leave the socket connecting.
      await requestsLeave();
      expect(sockets()).toHaveLength(1);
      expect(sockets()[0]?.connecting).toBe(false);
      expect(sockets()[0]?.bytesWritten).toBeGreaterThan(0);
      expect((await response).body).toBe('ok');
    } finally {
      server.close();
    }
  });
});
