// One role's credentials, end to end: token (or chained credentials) → STS, under the retry policy, then
// the account check. Shared by the main step and the credential helper, so both behave alike.
import type { STSClient } from '@aws-sdk/client-sts';
import { AccountError } from './errors.ts';
import type { Config } from './config.ts';
import { DEFAULT_POLICY, withRetry, type Attempted, type RetryEvent } from './retry.ts';
import { assumeRole, assumeRoleWithWebIdentity, type Credentials, type SessionRequest, type Tag } from './sts.ts';
import type { TokenSource } from './token.ts';

export type Via = { kind: 'web-identity'; tokens: TokenSource } | { kind: 'chaining'; tags: Tag[] };

/** The inputs that shape every session; the main step's Config and the helper's settings both carry them. */
export type SessionSettings = Pick<Config, 'sessionName' | 'durationSeconds' | 'inlineSessionPolicy' | 'managedSessionPolicies' | 'allowedAccountIds' | 'maxAttempts'>;

export interface ExchangeOptions {
  roleArn: string;
  settings: SessionSettings;
  client: STSClient;
  via: Via;
  onRetry?: (event: RetryEvent) => void;
  /** Abandons the retries, e.g. once another role of the same step has failed. */
  signal?: AbortSignal;
}

export async function exchange({ roleArn, settings, client, via, onRetry, signal }: ExchangeOptions): Promise<Attempted<Credentials>> {
  const request: SessionRequest = {
    roleArn,
    sessionName: settings.sessionName,
    durationSeconds: settings.durationSeconds,
    policy: settings.inlineSessionPolicy,
    policyArns: settings.managedSessionPolicies,
  };
  const result = await withRetry(
    async (freshToken) => {
      if (via.kind === 'chaining') return assumeRole(client, request, via.tags);
      const token = await via.tokens.get(freshToken);
      return assumeRoleWithWebIdentity(client, request, token.jwt);
    },
    { policy: { ...DEFAULT_POLICY, maxAttempts: settings.maxAttempts }, ...(onRetry ? { onRetry } : {}), ...(signal ? { signal } : {}) },
  );
  const { accountId } = result.value;
  const allowed = settings.allowedAccountIds;
  if (allowed.length > 0 && !allowed.includes(accountId)) throw new AccountError(accountId, allowed);
  return result;
}

// STS tag values: letters, digits, spaces and _.:/=+-@, at most 256 characters.
function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '*').slice(0, 256);
}

/** The session tags configure-aws-credentials sends when chaining, so that trust policies written for it keep working. */
export function sessionTags(env: Readonly<Record<string, string | undefined>>): Tag[] {
  const source: [string, string | undefined][] = [
    ['GitHub', 'Actions'],
    ['Repository', env.GITHUB_REPOSITORY],
    ['Workflow', env.GITHUB_WORKFLOW],
    ['Action', env.GITHUB_ACTION],
    ['Actor', env.GITHUB_ACTOR],
    ['Commit', env.GITHUB_SHA],
    ['Branch', env.GITHUB_REF],
  ];
  return source.filter((entry): entry is [string, string] => Boolean(entry[1])).map(([Key, value]) => ({ Key, Value: tagValue(value) }));
}
