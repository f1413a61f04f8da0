// --all-roles: every role of the account, read with iam:ListRoles page after page (Marker). Each page
// carries the roles' trust policies, URL-encoded, so no iam:GetRole per role is needed. The reader takes
// the page call and the retry from the entry point, and never touches the network itself.
import { ListRolesCommand, type IAMClient } from '@aws-sdk/client-iam';
import { decodeDocument, trustPolicy } from './iam-json.ts';
import { ROLE_ARN, type FoundPolicy } from './found.ts';

/** A role as ListRoles lists it: the trust policy as IAM sends it (URL-encoded JSON). */
export interface ListedRole {
  arn: string;
  name: string;
  document: string;
}

export interface RolePage {
  roles: ListedRole[];
  /** Where the next page starts; absent on the last page. */
  marker?: string;
}

/** A role whose trust policy could not be decoded: listed, never skipped, since nothing can be said about who it admits. */
export interface UnreadableRole {
  arn: string;
  name: string;
  message: string;
}

export interface AccountRoles {
  /** Every role whose trust policy was read, in IAM's order. */
  policies: FoundPolicy[];
  unreadable: UnreadableRole[];
  /** Roles listed in all: read and unreadable. */
  listed: number;
  /** ListRoles calls made, retries included. */
  calls: number;
}

/** ListRoles failed for good: refused, or still throttled once the retries ran out. One line, for the user. */
export class ListRolesError extends Error {
  override name = 'ListRolesError';
}

// IAM's largest page: the fewest calls against its low rate limit.
const MAX_ITEMS = 1000;
// Twice IAM's highest quota of roles per account (10,000): an endpoint that lists more is not IAM, and the
// check stays bounded in time and memory.
const MAX_ROLES = 20_000;

/** One ListRoles page through the real client. */
export function listRolesWith(client: IAMClient): (marker: string | undefined) => Promise<RolePage> {
  return async (marker) => {
    const answer = await client.send(new ListRolesCommand({ MaxItems: MAX_ITEMS, ...(marker ? { Marker: marker } : {}) }));
    return {
      roles: (answer.Roles ?? []).map((role) => ({ arn: role.Arn ?? '', name: role.RoleName ?? '', document: role.AssumeRolePolicyDocument ?? '' })),
      ...(answer.IsTruncated && answer.Marker ? { marker: answer.Marker } : {}),
    };
  };
}

/** Retries one call as the project's backoff does; returns its value and the attempts it took. */
export type Retry = <T>(attempt: () => Promise<T>) => Promise<{ value: T; attempts: number }>;

/**
 * Every role of the account, following Marker to the last page. A page that still fails after the retries
 * ends the listing with one error (an account read in part would be a scan that looks complete).
 */
export async function readAllRoles(page: (marker: string | undefined) => Promise<RolePage>, retry: Retry): Promise<AccountRoles> {
  const result: AccountRoles = { policies: [], unreadable: [], listed: 0, calls: 0 };
  const seen = new Set<string>();
  let marker: string | undefined;
  let pages = 0;
  do {
    pages += 1;
    if (result.listed > MAX_ROLES || pages > MAX_ROLES) throw new ListRolesError(`iam:ListRoles listed more than ${MAX_ROLES} roles, more than IAM holds in one account: stopped`);
    let answer: { value: RolePage; attempts: number };
    try {
      answer = await retry(() => page(marker));
    } catch (error) {
      throw new ListRolesError(refusal(error), { cause: error });
    }
    result.calls += answer.attempts;
    for (const role of answer.value.roles) {
      result.listed += 1;
      const read = readRole(role);
      if ('document' in read) result.policies.push(read);
      else result.unreadable.push(read);
    }
    marker = answer.value.marker;
    // A marker met twice would page forever: an endpoint that is not IAM.
    if (marker !== undefined && seen.has(marker)) throw new ListRolesError('iam:ListRoles answered a Marker it had already given: the listing would never end');
    if (marker !== undefined) seen.add(marker);
  } while (marker !== undefined);
  return result;
}

function readRole(role: ListedRole): FoundPolicy | UnreadableRole {
  // Only what IAM would list is printed as a role: anything else is shown quoted, on one line.
  if (!ROLE_ARN.test(role.arn)) return { arn: `(not a role ARN: ${JSON.stringify(role.arn)})`, name: JSON.stringify(role.name), message: 'IAM listed a role without a role ARN' };
  const where = `aws:${role.arn}`;
  try {
    return { where, file: where, roleArn: role.arn, roleName: role.name, document: trustPolicy(where, decodeDocument(role.document)), assumed: [] };
  } catch (error) {
    return { arn: role.arn, name: role.name, message: `its trust policy cannot be decoded (${(error as Error).message})` };
  }
}

/** What failed, in one line: a refusal names the permission to grant and the principal IAM refused. */
export function refusal(error: unknown): string {
  const e = error as { code?: string; name?: string; message?: string; cause?: { code?: string; name?: string; message?: string }; attempts?: number };
  const code = e.cause?.code ?? e.code ?? e.cause?.name ?? e.name ?? '';
  const message = (e.cause?.message ?? e.message ?? String(error)).replace(/\s+/g, ' ');
  if (/^AccessDenied/.test(code)) {
    const principal = /^(?:User|Role): (\S+) is not authorized/.exec(message)?.[1] ?? 'the principal of these credentials';
    return `iam:ListRoles was refused: grant iam:ListRoles to ${principal} (IAM said: ${message})`;
  }
  if (/^Throttling|RequestLimitExceeded/.test(code)) return `iam:ListRoles is still throttled after ${e.attempts ?? 'several'} attempts: run it again later (IAM said: ${message})`;
  return `iam:ListRoles failed: ${message}`;
}
