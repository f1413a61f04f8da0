// A web identity token from a file (token/file.ts), exchanged with AssumeRoleWithWebIdentity.
import type { SessionRequest } from '../sts.ts';
import type { TokenSource } from '../token/source.ts';
import type { Source } from './source.ts';
import { webIdentity } from './web-identity.ts';

export function tokenFile(tokens: TokenSource, request: SessionRequest): Source {
  return webIdentity('web-identity-token-file', tokens, request);
}
