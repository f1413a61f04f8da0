// The STS connection is opened while the OIDC token is on its way, and the first STS request takes it
// over; one that STS closes before then costs nothing. The issuer holds the token until the test has seen
// what happened to the connection, so nothing here depends on how fast the machine is.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { findLeaks } from '../standins/leaks.ts';
import { startProxy } from '../standins/proxy.ts';
import { DIST, type StepResult } from '../standins/runner.ts';
import { FAILS_FAST_MS, makeDue, roleArn, startWorld, type World } from '../standins/world.ts';

const base = { 'aws-region': 'us-east-1', 'role-to-assume': roleArn('deploy') };

let world: World;
const results: StepResult[] = [];

beforeEach(async () => {
  world = await startWorld();
  results.length = 0;
});

afterEach(async () => {
  world.issuer.hold = undefined;
  expect(findLeaks(results, world.issuer, world.sts)).toEqual([]);
  await world.close();
});

/** Waits until `condition` holds; a bound only so that a missing connection fails with its name, not a timeout. */
async function until(what: string, condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 30_000) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Holds every token request until `release` is called. */
function holdTokens(): () => void {
  let release = () => {};
  world.issuer.hold = new Promise<void>((resolve) => (release = resolve));
  return release;
}

async function step(run: Promise<StepResult>): Promise<StepResult> {
  const result = await run;
  results.push(result);
  return result;
}

describe('pre-connect', () => {
  it('opens the STS connection while the token is in flight, and the first STS request uses it', async () => {
    const release = holdTokens();
    const job = await world.job();
    const running = step(job.main(base));
    await until('a TLS connection to STS while the token was held', () => world.sts.handshakes === 1);
    expect(world.issuer.stats.tokenRequests).toBe(1);
    expect(world.issuer.stats.tokensIssued).toBe(0);
    release();
    const result = await running;
    expect(result.exitCode).toBe(0);
    expect(world.sts.calls.map((c) => c.connection)).toEqual([1]);
    expect(world.sts.handshakes).toBe(1);
  });

  it('a pre-opened connection that STS closes costs no attempt: the request opens its own', async () => {
    world.sts.closeAfterHandshake = 1;
    const release = holdTokens();
    const job = await world.job();
    const running = step(job.main(base));
    await until('the pre-opened connection closed by STS, and seen closed by the step', () => world.sts.closedAfterHandshake === 1);
    release();
    const result = await running;
    expect(result.exitCode).toBe(0);
    expect(result.log.filter((line) => line.startsWith('Attempt '))).toEqual([]);
    expect(world.sts.calls.map((c) => ({ connection: c.connection, result: c.result }))).toEqual([{ connection: 2, result: 'OK' }]);
    expect(world.sts.handshakes).toBe(2);
  });

  it('a step whose token is refused closes the connection it opened for STS, and ends at once', async () => {
    world.issuer.faults.tokenStatuses.push(403);
    const release = holdTokens();
    const job = await world.job();
    const running = step(job.main(base));
    await until('a TLS connection to STS while the token was held', () => world.sts.handshakes === 1);
    release();
    const result = await running;
    expect(result.exitCode).toBe(1);
    expect(world.sts.calls).toEqual([]);
    // An open connection would keep the step alive until STS dropped it (90 s here).
    expect(result.durationMs).toBeLessThan(FAILS_FAST_MS);
  });

  it('through a proxy, opens the CONNECT tunnel to STS while the token is in flight', async () => {
    const proxy = await startProxy();
    try {
      const stsHost = new URL(world.sts.url).host;
      const release = holdTokens();
      const job = await world.job();
      const running = step(job.main({ ...base, 'http-proxy': proxy.url }));
      await until('a tunnel and a TLS connection to STS while the token was held', () => world.sts.handshakes === 1);
      expect(proxy.seen.filter((host) => host === stsHost)).toHaveLength(1);
      expect(world.issuer.stats.tokensIssued).toBe(0);
      release();
      const result = await running;
      expect(result.exitCode).toBe(0);
      expect(proxy.seen.filter((host) => host === stsHost)).toHaveLength(1);
      expect(world.sts.calls.map((c) => c.connection)).toEqual([1]);
    } finally {
      await proxy.close();
    }
  });

  it("the profiles' helper, when it refreshes, opens its STS connection while its token is in flight", async () => {
    const job = await world.job();
    expect((await step(job.main({ 'aws-region': 'us-east-1', profiles: `deploy: ${roleArn('deploy')}` }))).exitCode).toBe(0);
    makeDue(job, 'deploy');
    const opened = world.sts.handshakes;
    const release = holdTokens();
    const settings = path.join(path.dirname(job.env.AWS_CONFIG_FILE ?? ''), 'settings.json');
    // Not scanned: the helper's stdout is the credentials, for the tool that ran it.
    const running = job.node([path.join(DIST, 'credential-process.cjs'), settings, 'deploy']);
    await until("the helper's TLS connection to STS while its token was held", () => world.sts.handshakes === opened + 1);
    const tokens = world.issuer.stats.tokensIssued;
    release();
    const result = await running;
    expect(result.exitCode).toBe(0);
    expect(world.issuer.stats.tokensIssued).toBe(tokens + 1);
    expect(world.sts.calls.at(-1)?.connection).toBe(opened + 1);
    expect(world.sts.handshakes).toBe(opened + 1);
  });
});
