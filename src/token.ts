// The web identity token: from GitHub's runner endpoint or a token file, decoded (never trusted: STS
// decides) so that its claims can explain a refusal. The token itself is never logged.
//
// The toolkit's getIDToken is not used: it has no per-request timeout (a stalled endpoint hangs the job)
// and retries 5xx by itself, which would stack a second retry layer under ours.
import { readFile } from 'node:fs/promises';
import { decodeJwt } from 'jose';
import { InputError, NetworkError, TokenError } from './errors.ts';
import { get, type Agents } from './http.ts';

/** The claims that decide trust; GitHub sends more, all kept. */
export interface Claims {
  [claim: string]: unknown;
  iss?: string;
  sub?: string;
  aud?: string | string[];
  ref?: string;
  event_name?: string;
  environment?: string;
  repository?: string;
  workflow_ref?: string;
  job_workflow_ref?: string;
  iat?: number;
  exp?: number;
}

export interface IdToken {
  jwt: string;
  claims: Claims;
  obtainedAt: number;
}

export const TOKEN_TIMEOUT_MS = 5_000;
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
    const jwt = options.file ? await readTokenFile(options.file) : await fetchRunnerToken(options);
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

async function readTokenFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError('web-identity-token-file', code === 'ENOENT' ? `names ${file}, which does not exist` : `names ${file}, which cannot be read (${code})`);
  }
  const jwt = text.trim();
  if (jwt === '') throw new InputError('web-identity-token-file', `names ${file}, which is empty`);
  return jwt;
}

async function fetchRunnerToken({ env, audience, agents }: TokenSourceOptions): Promise<string> {
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!url || !bearer) {
    throw new TokenError('no-permission', 'ACTIONS_ID_TOKEN_REQUEST_URL is not set: this job may not request an OIDC token');
  }
  // The runner's URL already carries a query (?api-version=…); the audience joins it.
  const target = `${url}${url.includes('?') ? '&' : '?'}audience=${encodeURIComponent(audience)}`;
  const res = await get(target, { Authorization: `Bearer ${bearer}`, Accept: 'application/json', 'User-Agent': 'oidc-aws-credentials' }, TOKEN_TIMEOUT_MS, agents);
  // Over plain HTTP a proxy that wants credentials answers in the endpoint's place.
  if (res.status === 407) throw new NetworkError('ERR_PROXY_AUTH', 'the proxy answered HTTP 407 Proxy Authentication Required', { proxyStatus: 407 });
  if (res.status !== 200) {
    const transient = res.status >= 500 || res.status === 429 || res.status === 408;
    throw new TokenError(transient ? 'unavailable' : 'refused', `GitHub's token endpoint answered HTTP ${res.status}`, res.status);
  }
  let value: unknown;
  try {
    value = (JSON.parse(res.body) as { value?: unknown }).value;
  } catch {
    value = undefined;
  }
  if (typeof value !== 'string' || value === '') throw new TokenError('unavailable', "GitHub's token endpoint answered without a token");
  return value;
}
