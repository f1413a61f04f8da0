import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { startRelay } from '../standins/latency.ts';
import { standinTls } from '../standins/tls.ts';

const ROUND_TRIP_MS = 100;

describe('latency relay', () => {
  it('costs a round trip to connect and one per exchange, and keeps the bytes in order', async () => {
    // Echoes the request body: a large one proves that chunks arrive whole and in order.
    const server = http.createServer((req, res) => req.pipe(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const relay = await startRelay(`127.0.0.1:${(server.address() as AddressInfo).port}`, ROUND_TRIP_MS);
    const agent = new http.Agent({ keepAlive: true });
    const body = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i.toString(36)).join(','));
    const post = () =>
      new Promise<{ echoed: Buffer; ms: number }>((resolve, reject) => {
        const started = performance.now();
        const req = http.request(`http://${relay.host}/`, { method: 'POST', agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ echoed: Buffer.concat(chunks), ms: performance.now() - started }));
        });
        req.on('error', reject);
        req.end(body);
      });
    try {
      const first = await post();
      expect(first.echoed.equals(body)).toBe(true);
      // Lower bounds only: a busy machine may add time, never remove it.
      expect(first.ms).toBeGreaterThanOrEqual(2 * ROUND_TRIP_MS - 1);
      const reused = await post();
      expect(reused.echoed.equals(body)).toBe(true);
      expect(reused.ms).toBeGreaterThanOrEqual(ROUND_TRIP_MS - 1);
    } finally {
      agent.destroy();
      await relay.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('charges every round trip of a TLS handshake: a fresh HTTPS request costs three, one on a connection already open', async () => {
    const { key, cert } = await standinTls();
    const server = https.createServer({ key, cert }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const relay = await startRelay(`127.0.0.1:${(server.address() as AddressInfo).port}`, ROUND_TRIP_MS);
    const agent = new https.Agent({ keepAlive: true });
    const get = () =>
      new Promise<number>((resolve, reject) => {
        const started = performance.now();
        https
          .get(`https://${relay.host}/`, { agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(performance.now() - started));
          })
          .on('error', reject);
      });
    try {
      // TCP, the TLS 1.3 handshake, the request. Lower bounds only, as above.
      expect(await get()).toBeGreaterThanOrEqual(3 * ROUND_TRIP_MS - 1);
      expect(await get()).toBeGreaterThanOrEqual(ROUND_TRIP_MS - 1);
    } finally {
      agent.destroy();
      await relay.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
