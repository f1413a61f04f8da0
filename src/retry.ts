// Which failures are worth another attempt, and how long to wait before it. This is the action's only
// retry layer: the SDK and the token fetch retry nothing themselves.
import pRetry, { AbortError } from 'p-retry';
import { AwsError, NetworkError, TokenError } from './errors.ts';

/** retry: transient; refresh-token: retry with a new OIDC token; stop: permanent, fail now. */
export type Verdict = 'retry' | 'refresh-token' | 'stop';

const TRANSIENT_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'IDPCommunicationError',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalError',
  'RequestTimeout',
  'UnreadableResponse',
]);

const THROTTLING_CODES = new Set(['Throttling', 'ThrottlingException', 'RequestLimitExceeded']);

export function classify(error: unknown): Verdict {
  if (error instanceof AwsError) {
    if (error.code === 'ExpiredTokenException') return 'refresh-token';
    if (TRANSIENT_CODES.has(error.code)) return 'retry';
    // STS could not fetch GitHub's signing keys: their side, not the user's configuration.
    if (error.code === 'InvalidIdentityToken' && /verification key/i.test(error.message)) return 'retry';
    return error.status !== undefined && error.status >= 500 ? 'retry' : 'stop';
  }
  if (error instanceof NetworkError) {
    // A proxy that refuses us (wrong credentials, a policy) refuses again; its own 5xx may pass.
    if (error.proxyStatus !== undefined) return error.proxyStatus >= 500 ? 'retry' : 'stop';
    // A host the user typed that does not resolve is a typo. The SDK's own regional host always exists,
    // so there ENOTFOUND is the resolver failing for a moment: retried within the policy's bounds.
    return error.code === 'ENOTFOUND' && error.typedHost ? 'stop' : 'retry';
  }
  if (error instanceof TokenError) return error.failure === 'unavailable' ? 'retry' : 'stop';
  return 'stop';
}

export function isThrottling(error: unknown): boolean {
  return error instanceof AwsError && THROTTLING_CODES.has(error.code);
}

export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** The n-th retry waits a random time in [0, min(maxDelayMs, base·2^(n-1))] ("full jitter"). */
  baseDelayMs: number;
  /** The base after a throttling answer: a crowd of jobs must spread out further than after a blip. */
  throttleBaseDelayMs: number;
  maxDelayMs: number;
  /** No retry starts once this long has passed since the first attempt. */
  maxElapsedMs: number;
}

export const DEFAULT_POLICY: RetryPolicy = {
  maxAttempts: 12,
  baseDelayMs: 200,
  // A throttled account serves a crowd at its own rate: retries spread over [0, 4 s] let 40 jobs through an
  // 8 req/s limit in about two calls each (the bench's crowd: 2.0 calls per job with 2 s, 1.8 with 4 s).
  throttleBaseDelayMs: 4_000,
  maxDelayMs: 5_000,
  maxElapsedMs: 60_000,
};

export function backoffDelay(retry: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** (retry - 1)));
}

export interface RetryEvent {
  error: unknown;
  attempt: number;
  delayMs: number;
}

export interface Attempted<T> {
  value: T;
  attempts: number;
  elapsedMs: number;
}

/** Waits, or less if `signal` aborts first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The last error, with how far the retries got before giving up (or stopping at a permanent error). */
export class RetryFailure extends Error {
  override readonly cause: unknown;
  readonly attempts: number;
  readonly elapsedMs: number;
  readonly verdict: Verdict;
  constructor(cause: unknown, attempts: number, elapsedMs: number) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'RetryFailure';
    this.cause = cause;
    this.attempts = attempts;
    this.elapsedMs = elapsedMs;
    this.verdict = classify(cause);
  }
}

export interface RetryOptions {
  policy: RetryPolicy;
  onRetry?: (event: RetryEvent) => void;
  random?: () => number;
  /** Stops retrying (and any wait) once aborted; the attempt under way still finishes. */
  signal?: AbortSignal;
}

/**
 * Runs `attempt` until it succeeds, a permanent error occurs, or the policy's attempts or time run out.
 * `attempt` is told whether the previous failure asked for a fresh token.
 */
export async function withRetry<T>(attempt: (freshToken: boolean) => Promise<T>, { policy, onRetry, random = Math.random, signal }: RetryOptions): Promise<Attempted<T>> {
  const started = performance.now();
  let attempts = 0;
  let freshToken = false;
  try {
    const value = await pRetry(
      async () => {
        attempts += 1;
        try {
          return await attempt(freshToken);
        } catch (error) {
          const verdict = classify(error);
          if (verdict === 'stop') throw new AbortError(error as Error);
          freshToken = verdict === 'refresh-token';
          throw error;
        }
      },
      {
        retries: policy.maxAttempts - 1,
        ...(signal ? { signal } : {}),
        // p-retry counts and bounds; the full-jitter wait is ours, taken in onFailedAttempt.
        minTimeout: 0,
        maxRetryTime: policy.maxElapsedMs,
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          const remaining = policy.maxElapsedMs - (performance.now() - started);
          if (retriesLeft === 0 || remaining <= 0) return;
          const base = isThrottling(error) ? policy.throttleBaseDelayMs : policy.baseDelayMs;
          const delayMs = Math.min(remaining, backoffDelay(attemptNumber, base, policy.maxDelayMs, random));
          onRetry?.({ error, attempt: attemptNumber, delayMs });
          await sleep(delayMs, signal);
        },
      },
    );
    return { value, attempts, elapsedMs: performance.now() - started };
  } catch (error) {
    throw new RetryFailure(error, attempts, performance.now() - started);
  }
}
