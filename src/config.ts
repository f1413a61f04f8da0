// Inputs → one typed, validated Config. Pure: the caller supplies the input reader and the environment,
// so every rule here is tested without a runner. Every refusal is an InputError naming the input.
import path from 'node:path';
import { InputError } from './errors.ts';
import { defaultSessionTags, parseCustomTags, parseTransitiveTagKeys } from './session-tags.ts';
import type { Keys, Tag } from './sts.ts';
import { noProxyFrom, parseNoProxy, proxyUrlFrom, type Proxy } from './proxy.ts';

export interface Profile {
  name: string;
  roleArn: string;
}

export interface Config {
  region: string;
  /** Exported as environment credentials (or written as aws-profile). */
  roleArn: string | undefined;
  /** aws-access-key-id and friends: they sign AssumeRole, or without role-to-assume are exported as they are. */
  staticKeys: Keys | undefined;
  /** Never ask GitHub for a token. */
  forceSkipOidc: boolean;
  /** Valid credentials already in the environment end the step without a new exchange. */
  useExistingCredentials: boolean;
  /** Sent with AssumeRole: the default tags and custom-tags, unless role-skip-session-tagging. */
  sessionTags: Tag[];
  /** The part of sessionTags that custom-tags added. */
  customTags: Tag[];
  transitiveTagKeys: string[];
  externalId: string | undefined;
  /** Obtain again until the secret access key has no special characters. */
  specialCharactersWorkaround: boolean;
  /** One deadline for the whole step, in seconds. */
  timeoutSeconds: number | undefined;
  /** The profile role-to-assume (or the static keys) is written as. */
  awsProfile: string | undefined;
  overwriteAwsProfile: boolean;
  sessionName: string;
  durationSeconds: number;
  audience: string;
  /** Absolute path of a token file to use instead of GitHub's token endpoint. */
  tokenFile: string | undefined;
  roleChaining: boolean;
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
  'aws-access-key-id',
  'aws-secret-access-key',
  'aws-session-token',
  'aws-profile',
  'overwrite-aws-profile',
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
  'no-proxy',
  'role-external-id',
  'custom-tags',
  'transitive-tag-keys',
  'force-skip-oidc',
  'use-existing-credentials',
  'special-characters-workaround',
  'action-timeout-s',
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
// The JS SDK keeps profiles in plain objects: it refuses a file with a section named __proto__ (and then
// reads no profile at all), and cannot resolve a profile named like another property of every object.
const NOT_A_PROFILE_NAME = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Why `name` cannot be a profile every client reads, or undefined when it can. */
export function badProfileName(name: string): string | undefined {
  if (!PROFILE_NAME.test(name)) return "use letters, digits, '.', '_' or '-' (at most 64)";
  if (NOT_A_PROFILE_NAME.has(name)) return `'${name}' is a property of every JavaScript object, which the JS SDK (CDK, every JS tool) cannot hold as a profile`;
  return undefined;
}
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
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
    const bad = badProfileName(name);
    if (bad) throw new InputError('profiles', `${where} has an invalid profile name: ${bad}`);
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

// configure-aws-credentials reads these inputs from environment variables of the same name in capitals
// (AWS_REGION, ROLE_TO_ASSUME, …) when the with: block leaves them out; workflows rely on it. The proxy
// variables are read as proxies (HTTPS_PROXY, NO_PROXY), not as inputs.
const FROM_ENVIRONMENT: readonly InputName[] = [
  'aws-region',
  'role-to-assume',
  'web-identity-token-file',
  'role-chaining',
  'audience',
  'mask-aws-account-id',
  'role-duration-seconds',
  'role-external-id',
  'role-session-name',
  'role-skip-session-tagging',
  'transitive-tag-keys',
  'inline-session-policy',
  'managed-session-policies',
  'output-credentials',
  'unset-current-credentials',
  'disable-retry',
  'retry-max-attempts',
  'special-characters-workaround',
  'use-existing-credentials',
  'overwrite-aws-profile',
];

/** An input as given, or else from its capitalised environment variable where the incumbent reads one. */
function inputWithFallback(read: InputReader, env: Readonly<Record<string, string | undefined>>): InputReader {
  return (name) => read(name) || (FROM_ENVIRONMENT.includes(name) ? (env[name.toUpperCase().replace(/-/g, '_')] ?? '') : '');
}

export function parseConfig(read: InputReader, env: Readonly<Record<string, string | undefined>>): Parsed {
  const input = inputWithFallback(read, env);
  const warnings: string[] = [];
  const get = (name: InputName) => input(name).trim();

  const region = get('aws-region');
  if (region === '') throw new InputError('aws-region', 'is required');
  if (!REGION.test(region)) throw new InputError('aws-region', `is not a region name like us-east-1, got '${region}'`);

  const profiles = parseProfiles(input('profiles'));
  const roleInput = get('role-to-assume');

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

  const staticKeys = parseStaticKeys(get);
  if (staticKeys && roleChaining) throw new InputError('aws-access-key-id', 'cannot be given with role-chaining, which signs with the credentials already in the environment');
  if (staticKeys && tokenFile) throw new InputError('aws-access-key-id', 'cannot be given with web-identity-token-file: choose one source of credentials');

  // A bare role name, as configure-aws-credentials allows, when the signing credentials tell the account.
  if (roleInput !== '' && !ROLE_ARN.test(roleInput) && !(ROLE_NAME.test(roleInput) && (staticKeys || roleChaining))) {
    throw new InputError('role-to-assume', `is not a role ARN like arn:aws:iam::123456789012:role/NAME, got '${roleInput}' (a bare role name needs aws-access-key-id or role-chaining, whose account it is in)`);
  }

  const forceSkipOidc = parseBoolean('force-skip-oidc', get('force-skip-oidc'), false);
  if (forceSkipOidc && !tokenFile) {
    if (roleInput !== '' && !staticKeys && !roleChaining) {
      throw new InputError('force-skip-oidc', 'is true, so role-to-assume needs another source of credentials: aws-access-key-id, web-identity-token-file or role-chaining');
    }
    if (profiles.length > 0) throw new InputError('force-skip-oidc', 'is true, but profiles are assumed with the OIDC token: give web-identity-token-file, or drop profiles');
  }

  const skipSessionTagging = parseBoolean('role-skip-session-tagging', get('role-skip-session-tagging'), false);
  const customTagsInput = get('custom-tags');
  const transitiveInput = input('transitive-tag-keys')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (skipSessionTagging && customTagsInput !== '') throw new InputError('custom-tags', 'cannot be given with role-skip-session-tagging, which sends no session tags');
  if (skipSessionTagging && transitiveInput.length > 0) throw new InputError('transitive-tag-keys', 'cannot be given with role-skip-session-tagging, which sends no session tags');
  const defaults = skipSessionTagging ? [] : defaultSessionTags(env);
  const customTags = parseCustomTags(customTagsInput, defaults);
  const sessionTags = [...defaults, ...customTags];
  const transitiveTagKeys = parseTransitiveTagKeys(transitiveInput, sessionTags, warnings);

  const externalId = get('role-external-id') || undefined;
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
    throw new InputError('role-external-id', 'must be 2 to 1224 characters of letters, digits and +=,.@:/-');
  }

  const awsProfile = get('aws-profile') || undefined;
  if (awsProfile !== undefined) {
    const bad = badProfileName(awsProfile);
    if (bad) throw new InputError('aws-profile', `is not a profile name every client reads: ${bad}, got '${awsProfile}'`);
    if (roleInput === '' && !staticKeys) throw new InputError('aws-profile', 'needs role-to-assume or aws-access-key-id: it names the profile their credentials are written to');
    if (profiles.some((p) => p.name === awsProfile)) throw new InputError('aws-profile', `names '${awsProfile}', which profiles also defines`);
  }

  const useExistingCredentials = parseBoolean('use-existing-credentials', get('use-existing-credentials'), false);
  if (useExistingCredentials && unsetCurrentCredentials) {
    throw new InputError('use-existing-credentials', 'cannot be true with unset-current-credentials, which discards the credentials it would use');
  }
  if (useExistingCredentials && awsProfile !== undefined) {
    // Credentials used as they are stay in the environment: there would be nothing to write into the profile.
    throw new InputError('use-existing-credentials', `cannot be true with aws-profile ('${awsProfile}'), which needs new credentials to write into that profile`);
  }

  const timeoutInput = get('action-timeout-s');
  // 0 is the incumbent's "no timeout".
  const timeoutSeconds = parseInteger('action-timeout-s', timeoutInput, 0, 0, 86400) || undefined;

  const profileCredentials = get('profile-credentials') || 'refresh';
  if (profileCredentials !== 'refresh' && profileCredentials !== 'static') {
    throw new InputError('profile-credentials', `must be 'refresh' or 'static', got '${profileCredentials}'`);
  }

  const proxyUrl = proxyUrlFrom(get('http-proxy'), env);
  // no-proxy adds to NO_PROXY / no_proxy, as the incumbent's input does.
  const noProxy = parseNoProxy([get('no-proxy'), noProxyFrom(env)].filter((list) => list !== '').join(','));
  for (const entry of noProxy.ignored) warnings.push(`NO_PROXY entry '${entry}' is not a host, domain, IP address or IPv4 range; it is ignored`);
  const proxy = proxyUrl ? { ...proxyUrl, noProxy: noProxy.node } : undefined;

  return {
    warnings,
    config: {
      region,
      roleArn: roleInput || undefined,
      staticKeys,
      forceSkipOidc,
      useExistingCredentials,
      sessionTags,
      customTags,
      transitiveTagKeys,
      externalId,
      specialCharactersWorkaround: parseBoolean('special-characters-workaround', get('special-characters-workaround'), false),
      timeoutSeconds,
      awsProfile,
      overwriteAwsProfile: parseBoolean('overwrite-aws-profile', get('overwrite-aws-profile'), false),
      sessionName,
      durationSeconds,
      audience,
      tokenFile,
      roleChaining,
      inlineSessionPolicy,
      managedSessionPolicies,
      maskAccountId: parseBoolean('mask-aws-account-id', get('mask-aws-account-id'), false),
      outputCredentials: parseBoolean('output-credentials', get('output-credentials'), false),
      // As configure-aws-credentials decides: with aws-profile, the environment stays clean unless asked.
      outputEnvCredentials: parseBoolean('output-env-credentials', get('output-env-credentials'), awsProfile === undefined),
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

export const STATIC_KEY_INPUTS = ['aws-access-key-id', 'aws-secret-access-key', 'aws-session-token'] as const;

/** aws-access-key-id, aws-secret-access-key, aws-session-token: all or nothing, never echoed. */
function parseStaticKeys(get: (name: InputName) => string): Keys | undefined {
  const accessKeyId = get('aws-access-key-id');
  const secretAccessKey = get('aws-secret-access-key');
  const sessionToken = get('aws-session-token');
  if (accessKeyId === '' && secretAccessKey === '') {
    if (sessionToken !== '') throw new InputError('aws-session-token', 'needs aws-access-key-id and aws-secret-access-key');
    return undefined;
  }
  if (accessKeyId === '') throw new InputError('aws-access-key-id', 'is required with aws-secret-access-key');
  if (secretAccessKey === '') throw new InputError('aws-secret-access-key', 'is required with aws-access-key-id');
  if (!ACCESS_KEY_ID.test(accessKeyId)) throw new InputError('aws-access-key-id', 'is not an access key ID (16 to 128 capital letters and digits, like AKIA…)');
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

export function accountOf(roleArn: string): string | undefined {
  return ROLE_ARN.exec(roleArn)?.[1];
}

/** The accounts mask-aws-account-id hides: known from the role ARNs before any call, whatever the outcome. */
/**
 * With mask-aws-account-id, the accounts that the role ARNs given name, read from the raw inputs: they are
 * masked before parsing, since an input error may quote the line that holds one.
 */
export function accountsToMask(read: InputReader, env: Readonly<Record<string, string | undefined>>): string[] {
  const input = inputWithFallback(read, env);
  if (!/^(?:true|True|TRUE)$/.test(input('mask-aws-account-id').trim())) return [];
  const arns = `${input('role-to-assume')}\n${input('profiles')}`;
  return [...new Set([...arns.matchAll(/arn:[\w-]+:iam::(\d{12}):/g)].map((m) => m[1] ?? ''))];
}
