// What GitHub's OIDC token and a token file have in common: AssumeRoleWithWebIdentity with the token,
// a fresh one when STS says the last had expired.
import type { SessionRequest } from '../sts.ts';
import type { TokenSource } from '../token/source.ts';
import type { Source } from './source.ts';

/** One AssumeRoleWithWebIdentity per attempt, with a fresh token when STS asks. */
export function webIdentity(label: string, tokens: TokenSource, request: SessionRequest): Source {
  return {
    label,
    issuesNew: true,
    call: 'AssumeRoleWithWebIdentity',
    async attempt(sts, freshToken) {
      const token = await tokens.get(freshToken);
      return sts.assumeRoleWithWebIdentity(request, token.jwt);
    },
  };
}
