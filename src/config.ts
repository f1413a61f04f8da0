// Inputs → one typed, validated Config. Pure: the caller supplies the input reader and the environment,
// so every rule here is tested without a runner. Every refusal is an InputError naming the input.
import path from 'node:path';
import { InputError } from './errors.ts';
import { noProxyFrom, parseNoProxy, proxyUrlFrom, type Proxy } from './proxy.ts';

export interface Profile {
  name: string;
  roleArn: string;
}

export interface Config {
  region: string;
  /** Exported as environment credentials; optional only when `profiles` is given. */
  roleArn: string | undefined;
  sessionName: string;
  durationSeconds: number;
  audience: string;
  /** Absolute path of a token file to use instead of GitHub's token endpoint. */
  tokenFile: string | undefined;
  roleChaining: boolean;
  skipSessionTagging: boolean;
  inlineSessionPolicy: string | undefined;
  managedSessionPolicies: string[];
  maskAccountId: boolean;
  outputCredentials: boolean;
  outputEnvCredentials: boolean;
  allowedAccountIds: string[];
  maxAttempts: number;
  stsEndpoint: string | undefined;
  /** The proxy for STS and the token endpoint, with the hosts that bypass it. */
  proxy: Proxy | undefined;
  unsetCurrentCredentials: boolean;
  profiles: Profile[];
  profileCredentials: 'refresh' | 'static';
}

/** Every input action.yml declares; main reads exactly these. */
export const INPUT_NAMES = [
  'aws-region',
  'role-to-assume',
  'role-session-name',
  'role-duration-seconds',
  'audience',
  'web-identity-token-file',
  'role-chaining',
  'role-skip-session-tagging',
  'inline-session-policy',
  'managed-session-policies',
  'mask-aws-account-id',
  'output-credentials',
  'output-env-credentials',
  'allowed-account-ids',
  'retry-max-attempts',
  'disable-retry',
  'sts-endpoint',
  'http-proxy',
  'unset-current-credentials',
  'profiles',
  'profile-credentials',
] as const;

export type InputName = (typeof INPUT_NAMES)[number];
export type InputReader = (name: InputName) => string;

// AWS's partitions: commercial, China, GovCloud, the ISO clouds and the European Sovereign Cloud.
const PARTITION = '(?:aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc)';
export const ROLE_ARN = new RegExp(`^arn:${PARTITION}:iam::(\\d{12}):role\\/[\\w+=,.@/-]{1,512}$`);
const POLICY_ARN = new RegExp(`^arn:${PARTITION}:iam::(?:\\d{12}|aws):policy\\/[\\w+=,.@/-]{1,512}$`);
// Every partition's names: us-east-1, cn-northwest-1, us-gov-west-1, us-isob-east-1, eu-isoe-west-1,
// us-isof-south-1, eusc-de-east-1. A prefix of two to four letters leaves room for regions yet to come.
const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;
const ACCOUNT_ID = /^\d{12}$/;
const PROFILE_NAME = /^[\w.-]{1,64}$/;
// STS refuses an inline policy over 2,048 characters before it even packs it.
const MAX_INLINE_POLICY = 2048;
const MAX_MANAGED_POLICIES = 10;
const MAX_ATTEMPTS = 100;

export const DEFAULTS = {
  sessionName: 'GitHubActions',
  durationSeconds: 3600,
  audience: 'sts.amazonaws.com',
  maxAttempts: 12,
} as const;

/** YAML 1.2 core schema booleans, as the runner passes them through untouched. */
export function parseBoolean(name: string, raw: string, fallback: boolean): boolean {
  if (raw === '') return fallback;
  if (/^(?:true|True|TRUE)$/.test(raw)) return true;
  if (/^(?:false|False|FALSE)$/.test(raw)) return false;
  throw new InputError(name, `must be true or false, got '${raw}'`);
}

function parseInteger(name: string, raw: string, fallback: number, min: number, max: number): number {
  if (raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new InputError(name, `must be a whole number from ${min} to ${max}, got '${raw}'`);
  const value = Number(raw);
  if (value < min || value > max) throw new InputError(name, `must be from ${min} to ${max}, got ${value}`);
  return value;
}

function parseUrl(name: string, raw: string): string | undefined {
  if (raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError(name, `must be an http(s) URL, got '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InputError(name, `must be an http(s) URL, got '${raw}'`);
  return raw;
}

/** STS accepts `[\w+=,.@-]{2,64}`; anything else is replaced rather than refused, as users expect. */
export function sanitizeSessionName(raw: string): string {
  const cleaned = raw.replace(/[^\w+=,.@-]/g, '_').slice(0, 64);
  return cleaned.length >= 2 ? cleaned : cleaned.padEnd(2, '_');
}

export function parseProfiles(raw: string): Profile[] {
  const profiles: Profile[] = [];
  raw.split(/\r?\n/).forEach((text, index) => {
    const line = text.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^([^:\s]+)\s*:\s*(\S+)$/.exec(line);
    const where = `line ${index + 1} ('${line}')`;
    if (!match) throw new InputError('profiles', `${where} must be 'NAME: ROLE_ARN'`);
    const [, name = '', roleArn = ''] = match;
    if (!PROFILE_NAME.test(name)) throw new InputError('profiles', `${where} has an invalid profile name: use letters, digits, '.', '_' or '-'`);
    if (!ROLE_ARN.test(roleArn)) throw new InputError('profiles', `${where} has a malformed role ARN: expected arn:aws:iam::123456789012:role/NAME`);
    if (profiles.some((p) => p.name === name)) throw new InputError('profiles', `${where} repeats profile '${name}'`);
    profiles.push({ name, roleArn });
  });
  return profiles;
}

export interface Parsed {
  config: Config;
  warnings: string[];
}

export function parseConfig(input: InputReader, env: Readonly<Record<string, string | undefined>>): Parsed {
  const warnings: string[] = [];
  const get = (name: InputName) => input(name).trim();

  const region = get('aws-region');
  if (region === '') throw new InputError('aws-region', 'is required');
  if (!REGION.test(region)) throw new InputError('aws-region', `is not a region name like us-east-1, got '${region}'`);

  const profiles = parseProfiles(input('profiles'));
  const roleInput = get('role-to-assume');
  if (roleInput === '' && profiles.length === 0) throw new InputError('role-to-assume', 'is required (or give profiles)');
  if (roleInput !== '' && !ROLE_ARN.test(roleInput)) {
    throw new InputError('role-to-assume', `is not a role ARN like arn:aws:iam::123456789012:role/NAME, got '${roleInput}'`);
  }

  const rawSessionName = get('role-session-name') || DEFAULTS.sessionName;
  const sessionName = sanitizeSessionName(rawSessionName);
  if (sessionName !== rawSessionName) {
    warnings.push(`role-session-name '${rawSessionName}' does not match [\\w+=,.@-]{2,64}; using '${sessionName}'`);
  }

  const roleChaining = parseBoolean('role-chaining', get('role-chaining'), false);
  const durationSeconds = parseInteger('role-duration-seconds', get('role-duration-seconds'), DEFAULTS.durationSeconds, 900, 43200);

  const audience = get('audience') || DEFAULTS.audience;

  const tokenFileInput = get('web-identity-token-file');
  const tokenFile = tokenFileInput === '' ? undefined : path.resolve(env.GITHUB_WORKSPACE ?? process.cwd(), tokenFileInput);

  const inlineSessionPolicy = get('inline-session-policy') || undefined;
  if (inlineSessionPolicy !== undefined) {
    let doc: unknown;
    try {
      doc = JSON.parse(inlineSessionPolicy);
    } catch (error) {
      throw new InputError('inline-session-policy', `is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new InputError('inline-session-policy', 'must be a JSON policy object');
    if (inlineSessionPolicy.length > MAX_INLINE_POLICY) {
      throw new InputError('inline-session-policy', `is ${inlineSessionPolicy.length} characters; STS accepts at most ${MAX_INLINE_POLICY}`);
    }
  }

  const managedSessionPolicies = input('managed-session-policies')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  for (const arn of managedSessionPolicies) {
    if (!POLICY_ARN.test(arn)) throw new InputError('managed-session-policies', `has a malformed policy ARN '${arn}'`);
  }
  if (managedSessionPolicies.length > MAX_MANAGED_POLICIES) {
    throw new InputError('managed-session-policies', `lists ${managedSessionPolicies.length} policies; STS accepts at most ${MAX_MANAGED_POLICIES}`);
  }

  const allowedAccountIds = get('allowed-account-ids')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  for (const id of allowedAccountIds) {
    if (!ACCOUNT_ID.test(id)) throw new InputError('allowed-account-ids', `has '${id}', which is not a 12-digit account ID`);
  }

  const disableRetry = parseBoolean('disable-retry', get('disable-retry'), false);
  const attempts = parseInteger('retry-max-attempts', get('retry-max-attempts'), DEFAULTS.maxAttempts, 1, MAX_ATTEMPTS);

  const unsetCurrentCredentials = parseBoolean('unset-current-credentials', get('unset-current-credentials'), false);
  if (roleChaining && roleInput === '') {
    throw new InputError('role-chaining', 'applies to role-to-assume, which is not given: profiles always use the OIDC token');
  }
  if (roleChaining && unsetCurrentCredentials) {
    throw new InputError('unset-current-credentials', 'cannot be true with role-chaining, which assumes the role with the current credentials');
  }
  if (roleChaining && (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY)) {
    throw new InputError('role-chaining', 'needs AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) from an earlier step');
  }
  if (roleChaining && durationSeconds > 3600) {
    throw new InputError('role-duration-seconds', `is ${durationSeconds}, but STS caps role chaining at 3600 seconds`);
  }

  const profileCredentials = get('profile-credentials') || 'refresh';
  if (profileCredentials !== 'refresh' && profileCredentials !== 'static') {
    throw new InputError('profile-credentials', `must be 'refresh' or 'static', got '${profileCredentials}'`);
  }

  const proxyUrl = proxyUrlFrom(get('http-proxy'), env);
  const noProxy = parseNoProxy(noProxyFrom(env));
  for (const entry of noProxy.ignored) warnings.push(`NO_PROXY entry '${entry}' is not a host, domain, IP address or IPv4 range; it is ignored`);
  const proxy = proxyUrl ? { ...proxyUrl, noProxy: noProxy.node } : undefined;

  return {
    warnings,
    config: {
      region,
      roleArn: roleInput || undefined,
      sessionName,
      durationSeconds,
      audience,
      tokenFile,
      roleChaining,
      skipSessionTagging: parseBoolean('role-skip-session-tagging', get('role-skip-session-tagging'), false),
      inlineSessionPolicy,
      managedSessionPolicies,
      maskAccountId: parseBoolean('mask-aws-account-id', get('mask-aws-account-id'), false),
      outputCredentials: parseBoolean('output-credentials', get('output-credentials'), false),
      outputEnvCredentials: parseBoolean('output-env-credentials', get('output-env-credentials'), true),
      allowedAccountIds,
      maxAttempts: disableRetry ? 1 : attempts,
      stsEndpoint: parseUrl('sts-endpoint', get('sts-endpoint')),
      proxy,
      unsetCurrentCredentials,
      profiles,
      profileCredentials,
    },
  };
}

export function accountOf(roleArn: string): string | undefined {
  return ROLE_ARN.exec(roleArn)?.[1];
}

/** The accounts mask-aws-account-id hides: known from the role ARNs before any call, whatever the outcome. */
export function accountsToMask(config: Pick<Config, 'maskAccountId' | 'roleArn' | 'profiles'>): string[] {
  if (!config.maskAccountId) return [];
  const arns = [...(config.roleArn ? [config.roleArn] : []), ...config.profiles.map((p) => p.roleArn)];
  return [...new Set(arns.map(accountOf).filter((id): id is string => id !== undefined))];
}
