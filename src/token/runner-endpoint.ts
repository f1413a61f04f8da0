// The workflow's GitHub OIDC token, from the runner's ID-token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL).
// The toolkit's getIDToken is not used: it has no per-request timeout (a stalled endpoint hangs the job)
// and retries 5xx by itself, which would stack a second retry layer under ours.
import { NetworkError, TokenError } from '../errors.ts';
import { get, type Agents } from '../http.ts';

const TOKEN_TIMEOUT_MS = 5_000;

export async function fetchRunnerToken(env: Readonly<Record<string, string | undefined>>, audience: string, agents: Agents): Promise<string> {
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
