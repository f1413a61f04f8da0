// The workflow's GitHub OIDC token (token/runner-endpoint.ts), exchanged with AssumeRoleWithWebIdentity.
import type { SessionRequest } from '../sts.ts';
import type { TokenSource } from '../token/source.ts';
import type { Source } from './source.ts';
import { webIdentity } from './web-identity.ts';

export function githubOidc(tokens: TokenSource, request: SessionRequest): Source {
  return webIdentity("GitHub's OIDC token", tokens, request);
}
