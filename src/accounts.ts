// Where mask-aws-account-id finds the accounts to hide: in the inputs (config.ts reads them before any
// line), and in every STS answer and error message, handed over before the caller can print a word of
// it. Signing keys, a bare role name, role chaining and use-existing-credentials tell an account only
// through STS (GetCallerIdentity, or "User: arn:aws:iam::ACCOUNT:user/ci is not authorized …").
import type { Sts } from './sts.ts';

/**
 * The account IDs a text names: in ARNs (arn:PARTITION:SERVICE:REGION:ACCOUNT:…), and bare after the word
 * "account", as STS's RegionDisabledException does ("STS is not activated in this region for
 * account:123456789012"), which is a signer's account no input told.
 */
export function accountsIn(text: string): string[] {
  const found = [...text.matchAll(/arn:[\w-]+:[\w-]*:[\w-]*:(\d{12}):|\baccount[:\s]\s*(\d{12})(?!\d)/gi)].map((m) => m[1] ?? m[2] ?? '');
  return [...new Set(found)];
}

/** `sts`, telling `learn` the accounts of each answer and each failure before its caller gets them. */
export function reportingAccounts(sts: Sts, learn: (accounts: string[]) => void): Sts {
  const watched =
    <A extends unknown[], T extends { arn: string; accountId: string }>(call: (...args: A) => Promise<T>) =>
    async (...args: A): Promise<T> => {
      let answer: T;
      try {
        answer = await call(...args);
      } catch (error) {
        learn(accountsIn(error instanceof Error ? error.message : String(error)));
        throw error;
      }
      learn([...new Set([answer.accountId, ...accountsIn(answer.arn)])]);
      return answer;
    };
  return {
    ...sts,
    assumeRoleWithWebIdentity: watched(sts.assumeRoleWithWebIdentity),
    assumeRole: watched(sts.assumeRole),
    callerIdentity: watched(sts.callerIdentity),
  };
}
