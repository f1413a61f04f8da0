// One set of credentials, end to end: a source's attempts under the retry policy, then the account
// check. Shared by the main step and the credential helper, so both behave alike.
import type { Config } from './config.ts';
import { AccountError } from './errors.ts';
import { DEFAULT_POLICY, withRetry, type Attempted, type RetryEvent } from './retry.ts';
import type { Source } from './sources/source.ts';
import type { Credentials, Identity, Sts } from './sts.ts';

/** The inputs that shape every exchange; the main step's Config and the helper's settings both carry them. */
export type ExchangeSettings = Pick<Config, 'allowedAccountIds' | 'maxAttempts'> & Partial<Pick<Config, 'specialCharactersWorkaround'>>;

// What configure-aws-credentials' special-characters-workaround avoids in a secret access key.
const SPECIAL_CHARACTERS = /[!@#$%^&*()_+\-=[\]{};':"\\|,.<>/?]/;
// A 40-character base64 secret is free of them about one time in four: 100 tries fail once in 10^14.
const MAX_DRAWS = 100;

export interface ExchangeOptions {
  source: Source;
  sts: Sts;
  settings: ExchangeSettings;
  onRetry?: (event: RetryEvent) => void;
  /** Abandons the retries, e.g. once another role of the same step has failed. */
  signal?: AbortSignal;
}

export async function exchange({ source, sts, settings, onRetry, signal }: ExchangeOptions): Promise<Attempted<Credentials | Identity>> {
  const once = () =>
    withRetry((freshToken) => source.attempt(sts, freshToken), {
      policy: { ...DEFAULT_POLICY, maxAttempts: settings.maxAttempts },
      ...(onRetry ? { onRetry } : {}),
      ...(signal ? { signal } : {}),
    });
  let result = await once();
  let attempts = result.attempts;
  if (settings.specialCharactersWorkaround && source.issuesNew) {
    for (let draw = 1; hasSpecialCharacters(result.value); draw++) {
      if (draw >= MAX_DRAWS) throw new Error(`special-characters-workaround: ${MAX_DRAWS} sets of credentials all had special characters in the secret access key`);
      result = await once();
      attempts += result.attempts;
    }
  }
  const { accountId } = result.value;
  const allowed = settings.allowedAccountIds;
  if (allowed.length > 0 && !allowed.includes(accountId)) throw new AccountError(accountId, allowed);
  return { ...result, attempts };
}

function hasSpecialCharacters(obtained: Credentials | Identity): boolean {
  return 'secretAccessKey' in obtained && (SPECIAL_CHARACTERS.test(obtained.secretAccessKey) || SPECIAL_CHARACTERS.test(obtained.accessKeyId));
}
