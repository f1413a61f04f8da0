// The proxy: where its URL came from, what of it may be printed, and which hosts bypass it. Pure: config.ts
// hands it the inputs and the environment, http.ts gives the result to Node's agents.
//
// Bypass rules are curl's, which the AWS CLI and SDKs follow too (curl, botocore, the AWS CRT): a name
// matches itself and its subdomains, a leading "." or "*." changes nothing, "*" matches every host, an IP
// address matches itself, an IPv4 CIDR range its addresses, and "host:port" that host on that port only.
// Node's agents read NO_PROXY in a dialect of their own ("example.com" there is that host only, and there
// is no CIDR), so the rules are handed to Node rewritten in its dialect, which says the same thing.
import { isIP } from 'node:net';
import { InputError } from './errors.ts';

export type ProxySource = 'http-proxy' | 'HTTPS_PROXY' | 'https_proxy';

export interface Proxy {
  /** The proxy URL, `http://` added when the value had no scheme (as curl reads it). May hold a password: print `redactProxyUrl(url)`. */
  url: string;
  /** Where the URL came from: the input, or the environment variable. */
  source: ProxySource;
  /** Hosts that reach their endpoint directly, in the NO_PROXY dialect of Node's agents. */
  noProxy: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `user:***@` for a password, `***@` for user info without one (it may be a token). Everything up to the
 * last "@" counts as user info, so a password holding "@" or "/" is hidden even in a value that is no URL.
 */
export function redactProxyUrl(value: string): string {
  return value.replace(/^((?:[a-z][a-z\d+.-]*:)?\/\/)?(.*)@/is, (_, scheme: string | undefined, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return `${scheme ?? ''}${colon >= 0 ? `${userinfo.slice(0, colon)}:***` : '***'}@`;
  });
}

/** The proxy URL of the `http-proxy` input, else of HTTPS_PROXY, else of https_proxy; undefined without one. */
export function proxyUrlFrom(input: string, env: Env): { url: string; source: ProxySource } | undefined {
  const [source, raw] = ([['http-proxy', input], ['HTTPS_PROXY', env.HTTPS_PROXY], ['https_proxy', env.https_proxy]] as const).find(([, value]) => value?.trim()) ?? [];
  if (!source || !raw) return undefined;
  const value = raw.trim();
  const refuse = (problem = 'must be an http(s) proxy URL like http://proxy.corp:3128') => {
    const message = `${problem}, got '${redactProxyUrl(value)}'`;
    return source === 'http-proxy' ? new InputError(source, message) : new InputError(source, message, 'environment');
  };
  // curl's reading of a value without a scheme (user:pass@proxy.corp:3128): an HTTP proxy.
  const withScheme = /^[a-z][a-z\d+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  // The host part ends at the first "/", "?", "#" or "\": such a character left unencoded in a password
  // puts the rest of it, and the proxy's real host, after that end. curl then asks the wrong host (the
  // user's name) and Python's clients read a password: neither is what was meant.
  const afterScheme = withScheme.slice(withScheme.indexOf('//') + 2);
  const end = afterScheme.search(/[/?#\\]/);
  if (end >= 0 && afterScheme.slice(end).includes('@')) throw refuse('has an "@" after a "/", "?", "#" or "\\": in the user or password write them as %2F, %3F, %23 and %5C');
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw refuse();
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') throw refuse();
  // curl decodes %XX in the user and password and takes any other "%" as itself (p%zz is sent as p%zz);
  // Node's agents decode them strictly and throw on such a "%", so it is handed to them escaped. Escapes
  // that decode to no UTF-8 text (curl sends the raw bytes) are beyond Node, which sends UTF-8 only.
  for (const part of ['username', 'password'] as const) {
    const escaped = url[part].replace(/%(?![\da-f]{2})/gi, '%25');
    try {
      decodeURIComponent(escaped);
    } catch {
      throw refuse('has a user or password whose %-escapes are not UTF-8 text, which Node cannot send to the proxy');
    }
    if (escaped !== url[part]) url[part] = escaped;
  }
  // Node's agents take only a lowercase http:// or https:// and ignore anything else: hand them the normal form.
  return { url: url.href, source };
}

/** NO_PROXY, else no_proxy. */
export function noProxyFrom(env: Env): string {
  return env.NO_PROXY?.trim() || env.no_proxy?.trim() || '';
}

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** One curl-style entry in Node's dialect, or undefined when Node cannot express it (an IPv6 range). */
function toNodeEntry(entry: string): string | undefined {
  if (entry === '*') return '*';
  const cidr = /^([\d.]+)\/(\d{1,2})$/.exec(entry);
  if (cidr) {
    const [, address = '', bits = ''] = cidr;
    if (isIP(address) !== 4 || Number(bits) > 32) return undefined;
    const size = 2 ** (32 - Number(bits));
    const first = Math.floor(ipv4ToInt(address) / size) * size;
    return `${intToIpv4(first)}-${intToIpv4(first + size - 1)}`;
  }
  if (entry.includes('/')) return undefined;
  const bracketed = /^\[([\da-f:.]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return bracketed[2] ? `${bracketed[1]}:${bracketed[2]}` : bracketed[1];
  if (isIP(entry)) return entry;
  const hostPort = /^([^:]+):(\d+)$/.exec(entry);
  // host:port names one host on one port: Node matches exactly that.
  if (hostPort) return `${(hostPort[1] ?? '').replace(/^\*?\./, '').replace(/\.$/, '')}:${hostPort[2]}`;
  // A name matches itself and its subdomains, which is what Node's leading dot means.
  const name = entry.replace(/^\*?\./, '').replace(/\.$/, '');
  return name === '' ? undefined : `.${name}`;
}

export interface NoProxy {
  /** The rules in the dialect of Node's agents (their `proxyEnv.NO_PROXY`). */
  node: string;
  /** Entries that cannot be honoured, to warn about. */
  ignored: string[];
}

/** A NO_PROXY list as curl reads it (commas or blanks between entries, any case) → Node's dialect. */
export function parseNoProxy(list: string): NoProxy {
  const node: string[] = [];
  const ignored: string[] = [];
  for (const entry of list.toLowerCase().split(/[\s,]+/).filter((e) => e !== '')) {
    const translated = toNodeEntry(entry);
    if (translated === undefined) ignored.push(entry);
    else node.push(translated);
  }
  return { node: node.join(','), ignored };
}

/**
 * What must be masked: the password as written and as sent (in the Basic Proxy-Authorization header); a
 * user without a password likewise, since it is then often a token.
 */
export function proxySecrets(proxy: Proxy | undefined): string[] {
  if (!proxy) return [];
  const url = new URL(proxy.url);
  const secret = url.password ? url.password : url.username;
  if (!secret) return [];
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const basic = Buffer.from(`${username}:${password}`).toString('base64');
  return [...new Set([decodeURIComponent(secret), secret, basic])];
}
