// One role's credentials, end to end: token (or chained credentials) → STS, under the retry policy, then
// the account check. Shared by the main step and the credential helper, so both behave alike.
import type { STSClient } from '@aws-sdk/client-sts';
import { AccountError } from './errors.ts';
import { withRetry, type Attempted, type RetryEvent, type RetryPolicy } from './retry.ts';
import { assumeRole, assumeRoleWithWebIdentity, type Credentials, type SessionRequest, type Tag } from './sts.ts';
import type { TokenSource } from './token.ts';

export type Via = { kind: 'web-identity'; tokens: TokenSource } | { kind: 'chaining'; tags: Tag[] };

export interface ExchangeOptions {
  request: SessionRequest;
  client: STSClient;
  via: Via;
  allowedAccountIds: string[];
  policy: RetryPolicy;
  onRetry?: (event: RetryEvent) => void;
}

export async function exchange({ request, client, via, allowedAccountIds, policy, onRetry }: ExchangeOptions): Promise<Attempted<Credentials>> {
  const result = await withRetry(
    async (freshToken) => {
      if (via.kind === 'chaining') return assumeRole(client, request, via.tags);
      const token = await via.tokens.get(freshToken);
      return assumeRoleWithWebIdentity(client, request, token.jwt);
    },
    { policy, ...(onRetry ? { onRetry } : {}) },
  );
  const { accountId } = result.value;
  if (allowedAccountIds.length > 0 && !allowedAccountIds.includes(accountId)) throw new AccountError(accountId, allowedAccountIds);
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
