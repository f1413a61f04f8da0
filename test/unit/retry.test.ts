import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { AwsError, InputError, NetworkError, TokenError } from '../../src/errors.ts';
import { backoffDelay, classify, DEFAULT_POLICY, RetryFailure, withRetry, type RetryEvent } from '../../src/retry.ts';

describe('classify', () => {
  it.each([
    [new AwsError('Throttling', 'Rate exceeded', 400), 'retry'],
    [new AwsError('IDPCommunicationError', 'could not be reached', 400), 'retry'],
    [new AwsError('InvalidIdentityToken', "Couldn't retrieve verification key from your identity provider", 400), 'retry'],
    [new AwsError('InternalFailure', 'oops', 500), 'retry'],
    [new AwsError('Unknown', '', 503), 'retry'],
    [new AwsError('UnreadableResponse', 'html', 502), 'retry'],
    [new NetworkError('ECONNRESET', 'socket hang up'), 'retry'],
    [new NetworkError('ETIMEDOUT', 'no answer'), 'retry'],
    [new TokenError('unavailable', 'HTTP 503', 503), 'retry'],
    [new AwsError('ExpiredTokenException', 'Token expired', 400), 'refresh-token'],
    [new AwsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403), 'stop'],
    [new AwsError('ValidationError', 'exceeds the MaxSessionDuration', 400), 'stop'],
    [new AwsError('MalformedPolicyDocument', 'Syntax errors in policy.', 400), 'stop'],
    [new AwsError('PackedPolicyTooLarge', 'Packed policy consumes 110%', 400), 'stop'],
    [new AwsError('InvalidIdentityToken', 'Incorrect token audience', 400), 'stop'],
    [new AwsError('InvalidIdentityToken', 'No OpenIDConnect provider found in your account for https://x', 400), 'stop'],
    [new NetworkError('ENOTFOUND', 'getaddrinfo ENOTFOUND sts.nowhere', { typedHost: true }), 'stop'],
    [new NetworkError('ENOTFOUND', 'getaddrinfo ENOTFOUND sts.eu-west-1.amazonaws.com'), 'retry'],
    [new NetworkError('ERR_PROXY_TUNNEL', 'Failed to establish tunnel: HTTP/1.1 407', { proxyStatus: 407 }), 'stop'],
    [new NetworkError('ERR_PROXY_TUNNEL', 'Failed to establish tunnel: HTTP/1.1 403', { proxyStatus: 403 }), 'stop'],
    [new NetworkError('ERR_PROXY_TUNNEL', 'Failed to establish tunnel: HTTP/1.1 502', { proxyStatus: 502 }), 'retry'],
    [new TokenError('no-permission', 'no URL'), 'stop'],
    [new TokenError('refused', 'HTTP 403', 403), 'stop'],
    [new InputError('web-identity-token-file', 'names /x, which does not exist'), 'stop'],
    [new TypeError('bug'), 'stop'],
  ])('%s → %s', (error, verdict) => {
    expect(classify(error)).toBe(verdict);
  });
});

describe('backoffDelay', () => {
  it('is full jitter: uniform in [0, min(cap, base·2^(n-1))]', () => {
    expect(backoffDelay(1, 200, 10_000, () => 0)).toBe(0);
    expect(backoffDelay(1, 200, 10_000, () => 0.999)).toBe(199);
    expect(backoffDelay(3, 200, 10_000, () => 0.5)).toBe(400);
    expect(backoffDelay(10, 200, 10_000, () => 0.999)).toBe(9_990);
  });
});

describe('withRetry', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  const policy = { ...DEFAULT_POLICY, maxAttempts: 5, baseDelayMs: 100, throttleBaseDelayMs: 1000, maxDelayMs: 5000, maxElapsedMs: 20_000 };

  it('retries transient errors with jittered, growing delays, then succeeds', async () => {
    const events: RetryEvent[] = [];
    const failures = [new AwsError('Throttling', 'Rate exceeded', 400), new NetworkError('ECONNRESET', 'reset')];
    const attempt = jest.fn(async () => {
      const next = failures.shift();
      if (next) throw next;
      return 'credentials';
    });
    const result = withRetry(attempt, { policy, onRetry: (e) => events.push(e), random: () => 0.5 });
    await jest.advanceTimersByTimeAsync(10_000);
    await expect(result).resolves.toMatchObject({ value: 'credentials', attempts: 3 });
    // Throttling waits on the throttle base (1000 → 500 with random 0.5); the reset on the normal base, second retry (200 → 100).
    expect(events.map((e) => e.delayMs)).toEqual([500, 100]);
  });

  it('stops at once on a permanent error, without waiting', async () => {
    const attempt = jest.fn(async () => {
      throw new AwsError('AccessDenied', 'Not authorized', 403);
    });
    const failure = withRetry(attempt, { policy }).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(0);
    const error = (await failure) as RetryFailure;
    expect(error).toBeInstanceOf(RetryFailure);
    expect(error.verdict).toBe('stop');
    expect(error.attempts).toBe(1);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('gives up after maxAttempts', async () => {
    const attempt = jest.fn(async () => {
      throw new AwsError('InternalFailure', 'oops', 500);
    });
    const failure = withRetry(attempt, { policy, random: () => 0.99 }).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(60_000);
    const error = (await failure) as RetryFailure;
    expect(error.attempts).toBe(5);
    expect(error.verdict).toBe('retry');
    expect(attempt).toHaveBeenCalledTimes(5);
  });

  it('never waits past maxElapsedMs', async () => {
    const attempt = jest.fn(async () => {
      throw new AwsError('Throttling', 'Rate exceeded', 400);
    });
    const tight = { ...policy, maxAttempts: 100, maxDelayMs: 5000, maxElapsedMs: 12_000 };
    const failure = withRetry(attempt, { policy: tight, random: () => 0.99 }).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(13_000);
    const error = (await failure) as RetryFailure;
    expect(error.elapsedMs).toBeLessThanOrEqual(12_000 + 1);
    expect(error.attempts).toBeLessThan(10);
  });

  it('announces no retry once an attempt has used up the time budget', async () => {
    const events: RetryEvent[] = [];
    const attempt = jest.fn(async () => {
      // One slow attempt outlives the whole budget, then fails transiently.
      await new Promise((resolve) => setTimeout(resolve, 13_000));
      throw new AwsError('Throttling', 'Rate exceeded', 400);
    });
    const tight = { ...policy, maxAttempts: 100, maxElapsedMs: 12_000 };
    const failure = withRetry(attempt, { policy: tight, onRetry: (e) => events.push(e) }).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(14_000);
    expect(((await failure) as RetryFailure).attempts).toBe(1);
    expect(events).toEqual([]);
  });

  it('asks for a fresh token after ExpiredTokenException, and only then', async () => {
    const asked: boolean[] = [];
    const failures = [new AwsError('ExpiredTokenException', 'Token expired', 400), new AwsError('Throttling', 'Rate exceeded', 400)];
    const result = withRetry(
      async (fresh) => {
        asked.push(fresh);
        const next = failures.shift();
        if (next) throw next;
        return 'ok';
      },
      { policy, random: () => 0 },
    );
    await jest.advanceTimersByTimeAsync(1000);
    await expect(result).resolves.toMatchObject({ value: 'ok' });
    expect(asked).toEqual([false, true, false]);
  });
});

describe('withRetry with a signal', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('stops waiting and retrying once aborted', async () => {
    const controller = new AbortController();
    const attempt = jest.fn(async () => {
      throw new AwsError('Throttling', 'Rate exceeded', 400);
    });
    const policy = { ...DEFAULT_POLICY, maxAttempts: 12, throttleBaseDelayMs: 10_000, maxDelayMs: 10_000 };
    const failure = withRetry(attempt, { policy, random: () => 0.99, signal: controller.signal }).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(100);
    controller.abort();
    await jest.advanceTimersByTimeAsync(0);
    expect(await failure).toBeInstanceOf(RetryFailure);
    expect(attempt).toHaveBeenCalledTimes(1);
  });
});
