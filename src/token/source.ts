// The web identity token, from GitHub's runner endpoint (runner-endpoint.ts) or a token file (file.ts):
// obtained once for every role that needs it, reused while young, and decoded (never trusted: STS
// decides) so that its claims can explain a refusal. The token itself is never logged. Where the token
// comes from is a lower layer than how credentials are obtained: sources/ import this, never the reverse.
import { decodeJwt } from 'jose';
import { TokenError } from '../errors.ts';
import type { Claims } from '../github/claims.ts';
import type { Agents } from '../http.ts';
import { readTokenFile } from './file.ts';
import { fetchRunnerToken } from './runner-endpoint.ts';

export interface IdToken {
  jwt: string;
  claims: Claims;
  obtainedAt: number;
}

// GitHub's tokens live five minutes; a retry never sends one obtained longer ago than this.
export const TOKEN_REUSE_MS = 4 * 60_000;

export function decodeClaims(jwt: string): Claims {
  try {
    return decodeJwt(jwt) as Claims;
  } catch {
    throw new TokenError('malformed', 'the web identity token is not a JWT');
  }
}

export interface TokenSourceOptions {
  audience: string;
  file: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  agents: Agents;
  now?: () => number;
  /** Told each token as soon as it is read, before anything else sees it: the main step masks it there. */
  onToken?: ((jwt: string) => void) | undefined;
}

export interface TokenSource {
  /** A token young enough to send; `fresh` forces a new one (after STS said the last one expired). */
  get(fresh: boolean): Promise<IdToken>;
  /** The last token obtained, for diagnosis. */
  readonly last: IdToken | undefined;
}

export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const now = options.now ?? Date.now;
  let last: IdToken | undefined;
  // Roles assumed side by side share one token request.
  let pending: Promise<IdToken> | undefined;
  const obtain = async (): Promise<IdToken> => {
    const jwt = options.file ? await readTokenFile(options.file) : await fetchRunnerToken(options.env, options.audience, options.agents);
    options.onToken?.(jwt);
    last = { jwt, claims: decodeClaims(jwt), obtainedAt: now() };
    return last;
  };
  return {
    get last() {
      return last;
    },
    get(fresh) {
      if (!fresh && last && now() - last.obtainedAt < TOKEN_REUSE_MS) return Promise.resolve(last);
      pending ??= obtain().finally(() => {
        pending = undefined;
      });
      return pending;
    },
  };
}
