// IAM calls (the trust check's ListRoles) retried with the project's one backoff: the SDK's error becomes
// the AwsError that retry.ts classifies, so IAM's Throttling waits as STS's does and a refusal stops at once.
import { AwsError, NetworkError } from './errors.ts';
import { DEFAULT_POLICY, withRetry, type RetryPolicy } from './retry.ts';
import type { Retry } from './policies/list-roles.ts';

interface SdkError {
  /** Node's errno-style code when IAM was never reached (ECONNRESET, ETIMEDOUT ...). */
  code?: string;
  Code?: string;
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** An error IAM answered (it has the SDK's metadata) as an AwsError with IAM's code, a connection that failed as a NetworkError; anything else as it is. */
export function fromIam(error: unknown): unknown {
  const e = (error ?? {}) as SdkError;
  if (e.code && /^E[A-Z_]+$/.test(e.code)) return new NetworkError(e.code, e.message ?? e.code);
  if (e.name === 'TimeoutError') return new NetworkError('ETIMEDOUT', e.message ?? 'request timed out');
  if (!e.$metadata) return error;
  return new AwsError(e.Code ?? e.name ?? 'UnreadableResponse', e.message ?? '', e.$metadata.httpStatusCode, e.$metadata.requestId);
}

export function iamRetry(policy: RetryPolicy = DEFAULT_POLICY): Retry {
  return async (attempt) => {
    const done = await withRetry(
      async () => {
        try {
          return await attempt();
        } catch (error) {
          throw fromIam(error);
        }
      },
      { policy },
    );
    return { value: done.value, attempts: done.attempts };
  };
}
