// One set of credentials, end to end: a source's attempts under the retry policy, then the account
// check. Shared by the main step and the credential helper, so both behave alike.
import type { Config } from './config.ts';
import { AccountError } from './errors.ts';
import { DEFAULT_POLICY, withRetry, type Attempted, type RetryEvent } from './retry.ts';
import type { Source } from './sources/source.ts';
import type { Credentials, Identity, Sts } from './sts.ts';

/** The inputs that shape every exchange; the main step's Config and the helper's settings both carry them. */
export type ExchangeSettings = Pick<Config, 'allowedAccountIds' | 'maxAttempts'>;

export interface ExchangeOptions {
  source: Source;
  sts: Sts;
  settings: ExchangeSettings;
  onRetry?: (event: RetryEvent) => void;
  /** Abandons the retries, e.g. once another role of the same step has failed. */
  signal?: AbortSignal;
}

export async function exchange({ source, sts, settings, onRetry, signal }: ExchangeOptions): Promise<Attempted<Credentials | Identity>> {
  const result = await withRetry((freshToken) => source.attempt(sts, freshToken), {
    policy: { ...DEFAULT_POLICY, maxAttempts: settings.maxAttempts },
    ...(onRetry ? { onRetry } : {}),
    ...(signal ? { signal } : {}),
  });
  const { accountId } = result.value;
  const allowed = settings.allowedAccountIds;
  if (allowed.length > 0 && !allowed.includes(accountId)) throw new AccountError(accountId, allowed);
  return result;
}
