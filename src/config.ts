// Inputs → one typed, validated Config. Pure: the caller supplies the input reader and the environment,
// so every rule here is tested without a runner. Every refusal is an InputError naming the input.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { accountsIn } from './accounts.ts';
import { InputError } from './errors.ts';
import { badProfileName, durationOf, EXTERNAL_ID, POLICY_ARN, REGION, ROLE_ARN, SESSION_NAME } from './aws-names.ts';
import { parseProfilesFile, type ProfilesFile } from './profiles-file.ts';
import { defaultSessionTags, parseCustomTags, parseTransitiveTagKeys } from './session-tags.ts';
import type { Keys, Tag } from './sts.ts';
import { noProxyFrom, parseNoProxy, proxyUrlFrom, type Proxy } from './proxy.ts';

export { accountOf, ROLE_ARN } from './aws-names.ts';

/** A web identity profile the helper refreshes: from a profiles line or the profiles file. */
export interface Profile {
  name: string;
  roleArn: string;
  /** Its STS regional endpoint, and written into the profile. */
  region: string;
  audience: string;
  durationSeconds: number;
  sessionName: string;
  /** Where it is defined, for errors: "profiles line 2", "aws/profiles line 4". */
  definedAt: string;
  /** From the profiles file: the section's other lines, carried into the profile as written. */
  carried: string[];
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
  /** profiles, then the profiles file's web identity profiles. */
  profiles: Profile[];
  profileCredentials: 'refresh' | 'static';
  /** profiles-file: its chained profiles (checked with sts:AssumeRole) and the sections written as they are. */
  profilesFile: ProfilesFile | undefined;
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
  'profiles-file',
] as const;

export type InputName = (typeof INPUT_NAMES)[number];
export type InputReader = (name: InputName) => string;

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
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

/** What a profile takes from the step's inputs unless it says otherwise. */
export type ProfileDefaults = Pick<Profile, 'region' | 'audience' | 'durationSeconds' | 'sessionName'>;

// A profiles line's settings, KEY=VALUE after the role ARN.
const LINE_SETTINGS: Record<string, (value: string) => Partial<ProfileDefaults> | string> = {
  region: (value) => (REGION.test(value) ? { region: value } : `is not a region name like us-east-1`),
  audience: (value) => ({ audience: value }),
  'duration-seconds': (value) => {
    const seconds = durationOf(value);
    return seconds === undefined ? 'must be a whole number from 900 to 43200' : { durationSeconds: seconds };
  },
  'session-name': (value) => (SESSION_NAME.test(value) ? { sessionName: value } : 'must be 2 to 64 characters of letters, digits and +=,.@-'),
};

/** profiles: `NAME: ROLE_ARN [region=… audience=… duration-seconds=… session-name=…]`, one per line. */
export function parseProfiles(raw: string, defaults: ProfileDefaults): Profile[] {
  const profiles: Profile[] = [];
  raw.split(/\r?\n/).forEach((text, index) => {
    const line = text.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^([^:\s]+)\s*:\s*(\S+)((?:\s+\S+)*)$/.exec(line);
    const where = `line ${index + 1} ('${line}')`;
    if (!match) throw new InputError('profiles', `${where} must be 'NAME: ROLE_ARN', optionally followed by region=, audience=, duration-seconds=, session-name=`);
    const [, name = '', roleArn = '', rest = ''] = match;
    const bad = badProfileName(name);
    if (bad) throw new InputError('profiles', `${where} has an invalid profile name: ${bad}`);
    if (!ROLE_ARN.test(roleArn)) throw new InputError('profiles', `${where} has a malformed role ARN: expected arn:aws:iam::123456789012:role/NAME`);
    if (profiles.some((p) => p.name === name)) throw new InputError('profiles', `${where} repeats profile '${name}'`);
    const profile: Profile = { name, roleArn, ...defaults, definedAt: `profiles line ${index + 1}`, carried: [] };
    const seen = new Set<string>();
    for (const setting of rest.trim().split(/\s+/).filter(Boolean)) {
      const [key = '', value] = setting.split(/=(.*)/s);
      const parse = Object.hasOwn(LINE_SETTINGS, key) ? LINE_SETTINGS[key] : undefined;
      if (!parse || value === undefined) throw new InputError('profiles', `${where} has '${setting}': the settings are ${Object.keys(LINE_SETTINGS).map((k) => `${k}=`).join(', ')}`);
      if (seen.has(key)) throw new InputError('profiles', `${where} gives ${key} twice`);
      seen.add(key);
      const parsed = parse(value);
      if (typeof parsed === 'string') throw new InputError('profiles', `${where} has ${key} '${value}', which ${parsed}`);
      Object.assign(profile, parsed);
    }
    profiles.push(profile);
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

const BOOLEAN_INPUTS: ReadonlySet<InputName> = new Set([
  'overwrite-aws-profile',
  'role-chaining',
  'role-skip-session-tagging',
  'mask-aws-account-id',
  'output-credentials',
  'output-env-credentials',
  'disable-retry',
  'unset-current-credentials',
  'force-skip-oidc',
  'use-existing-credentials',
  'special-characters-workaround',
]);

export interface Exclusion {
  input: InputName;
  with: InputName;
  /** Why, as a clause after the other input's name. */
  because: string;
}

/**
 * The inputs that exclude each other: `input` cannot be given (or true) with `with`. Checked before
 * anything else is parsed; the README's "Inputs that exclude each other" lists exactly these.
 */
export const EXCLUSIONS: readonly Exclusion[] = [
  { input: 'unset-current-credentials', with: 'role-chaining', because: 'which assumes the role with the current credentials' },
  { input: 'aws-access-key-id', with: 'role-chaining', because: 'which signs with the credentials already in the environment' },
  { input: 'aws-access-key-id', with: 'web-identity-token-file', because: 'which is another source of credentials: choose one' },
  { input: 'custom-tags', with: 'role-skip-session-tagging', because: 'which sends no session tags' },
  { input: 'transitive-tag-keys', with: 'role-skip-session-tagging', because: 'which sends no session tags' },
  { input: 'use-existing-credentials', with: 'unset-current-credentials', because: 'which discards the credentials it would use' },
  { input: 'use-existing-credentials', with: 'aws-profile', because: 'which needs new credentials to write into its profile' },
];

function checkExclusions(input: InputReader): void {
  const given = (name: InputName) => (BOOLEAN_INPUTS.has(name) ? parseBoolean(name, input(name).trim(), false) : input(name).trim() !== '');
  for (const rule of EXCLUSIONS) {
    if (given(rule.input) && given(rule.with)) throw new InputError(rule.input, `cannot be ${BOOLEAN_INPUTS.has(rule.input) ? 'true' : 'given'} with ${rule.with}, ${rule.because}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;
type Get = (name: InputName) => string;

/** Where STS is and how to reach it: aws-region, sts-endpoint, http-proxy, no-proxy. */
function parseEndpoint(get: Get, env: Env, warnings: string[]): Pick<Config, 'region' | 'stsEndpoint' | 'proxy'> {
  const region = get('aws-region');
  if (region === '') throw new InputError('aws-region', 'is required');
  if (!REGION.test(region)) throw new InputError('aws-region', `is not a region name like us-east-1, got '${region}'`);
  const proxyUrl = proxyUrlFrom(get('http-proxy'), env);
  // no-proxy adds to NO_PROXY / no_proxy, as the incumbent's input does.
  const noProxy = parseNoProxy([get('no-proxy'), noProxyFrom(env)].filter((list) => list !== '').join(','));
  for (const entry of noProxy.ignored) warnings.push(`NO_PROXY entry '${entry}' is not a host, domain, IP address or IPv4 range; it is ignored`);
  const stsEndpoint = parseUrl('sts-endpoint', get('sts-endpoint'));
  const cleartext = cleartextEndpoint(stsEndpoint, env);
  if (cleartext) warnings.push(cleartext);
  return { region, stsEndpoint, proxy: proxyUrl ? { ...proxyUrl, noProxy: noProxy.node } : undefined };
}

/**
 * The endpoint STS is asked at (the input, else the variables the SDK reads), when it is plain HTTP to a
 * host other than this one. Not refused: a VPC endpoint or a local double is a legitimate endpoint; but
 * the warning names what sends the token and the credentials STS returns readable on the way.
 */
function cleartextEndpoint(input: string | undefined, env: Env): string | undefined {
  const configured = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true' ? [] : [['AWS_ENDPOINT_URL_STS', env.AWS_ENDPOINT_URL_STS], ['AWS_ENDPOINT_URL', env.AWS_ENDPOINT_URL]];
  const [name, raw] = [['sts-endpoint', input], ...configured].find(([, value]) => value) ?? [];
  if (!name || !raw || !URL.canParse(raw)) return undefined;
  const url = new URL(raw);
  if (url.protocol !== 'http:' || /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/.test(url.hostname)) return undefined;
  return `${name} is ${url.origin}: plain HTTP to a host that is not loopback, so this step sends the OIDC token and the credentials STS returns in clear; use https:// unless every network on the way is trusted`;
}

type Sources = Pick<Config, 'roleArn' | 'staticKeys' | 'forceSkipOidc' | 'useExistingCredentials' | 'audience' | 'tokenFile' | 'roleChaining' | 'unsetCurrentCredentials'>;

/** Sources of credentials: role-to-assume, the keys, the token (audience, file), role chaining, the environment's. */
function parseSources(get: Get, env: Env): Sources {
  const roleInput = get('role-to-assume');
  const roleChaining = parseBoolean('role-chaining', get('role-chaining'), false);
  const tokenFileInput = get('web-identity-token-file');
  const tokenFile = tokenFileInput === '' ? undefined : path.resolve(env.GITHUB_WORKSPACE ?? process.cwd(), tokenFileInput);
  if (roleChaining && roleInput === '') {
    throw new InputError('role-chaining', 'applies to role-to-assume, which is not given: profiles always use the OIDC token');
  }
  if (roleChaining && (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY)) {
    throw new InputError('role-chaining', 'needs AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) from an earlier step');
  }
  const staticKeys = parseStaticKeys(get);
  // A bare role name, as configure-aws-credentials allows, when the signing credentials tell the account.
  if (roleInput !== '' && !ROLE_ARN.test(roleInput) && !(ROLE_NAME.test(roleInput) && (staticKeys || roleChaining))) {
    throw new InputError('role-to-assume', `is not a role ARN like arn:aws:iam::123456789012:role/NAME, got '${roleInput}' (a bare role name needs aws-access-key-id or role-chaining, whose account it is in)`);
  }
  const forceSkipOidc = parseBoolean('force-skip-oidc', get('force-skip-oidc'), false);
  if (forceSkipOidc && !tokenFile && roleInput !== '' && !staticKeys && !roleChaining) {
    throw new InputError('force-skip-oidc', 'is true, so role-to-assume needs another source of credentials: aws-access-key-id, web-identity-token-file or role-chaining');
  }
  return {
    roleArn: roleInput || undefined,
    staticKeys,
    forceSkipOidc,
    useExistingCredentials: parseBoolean('use-existing-credentials', get('use-existing-credentials'), false),
    audience: get('audience') || DEFAULTS.audience,
    tokenFile,
    roleChaining,
    unsetCurrentCredentials: parseBoolean('unset-current-credentials', get('unset-current-credentials'), false),
  };
}

type Session = Pick<Config, 'sessionName' | 'durationSeconds' | 'sessionTags' | 'customTags' | 'transitiveTagKeys' | 'externalId' | 'inlineSessionPolicy' | 'managedSessionPolicies'>;

/** Session shaping: name, duration, tags, external ID, policies. */
function parseSession(get: Get, input: InputReader, env: Env, roleChaining: boolean, warnings: string[]): Session {
  const rawSessionName = get('role-session-name') || DEFAULTS.sessionName;
  const sessionName = sanitizeSessionName(rawSessionName);
  if (sessionName !== rawSessionName) {
    warnings.push(`role-session-name '${rawSessionName}' does not match [\\w+=,.@-]{2,64}; using '${sessionName}'`);
  }
  const durationSeconds = parseInteger('role-duration-seconds', get('role-duration-seconds'), DEFAULTS.durationSeconds, 900, 43200);
  if (roleChaining && durationSeconds > 3600) {
    throw new InputError('role-duration-seconds', `is ${durationSeconds}, but STS caps role chaining at 3600 seconds`);
  }

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
  const managedSessionPolicies = lines(input('managed-session-policies'));
  for (const arn of managedSessionPolicies) {
    if (!POLICY_ARN.test(arn)) throw new InputError('managed-session-policies', `has a malformed policy ARN '${arn}'`);
  }
  if (managedSessionPolicies.length > MAX_MANAGED_POLICIES) {
    throw new InputError('managed-session-policies', `lists ${managedSessionPolicies.length} policies; STS accepts at most ${MAX_MANAGED_POLICIES}`);
  }

  const skipSessionTagging = parseBoolean('role-skip-session-tagging', get('role-skip-session-tagging'), false);
  const defaults = skipSessionTagging ? [] : defaultSessionTags(env);
  const customTags = parseCustomTags(get('custom-tags'), defaults);
  const sessionTags = [...defaults, ...customTags];
  const transitiveTagKeys = parseTransitiveTagKeys(lines(input('transitive-tag-keys')), sessionTags, warnings);

  const externalId = get('role-external-id') || undefined;
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
    throw new InputError('role-external-id', 'must be 2 to 1224 characters of letters, digits and +=,.@:/-');
  }
  return { sessionName, durationSeconds, sessionTags, customTags, transitiveTagKeys, externalId, inlineSessionPolicy, managedSessionPolicies };
}

/** Retries and deadlines: retry-max-attempts, disable-retry, action-timeout-s, special-characters-workaround. */
function parseRetries(get: Get): Pick<Config, 'maxAttempts' | 'timeoutSeconds' | 'specialCharactersWorkaround'> {
  const disableRetry = parseBoolean('disable-retry', get('disable-retry'), false);
  const attempts = parseInteger('retry-max-attempts', get('retry-max-attempts'), DEFAULTS.maxAttempts, 1, MAX_ATTEMPTS);
  return {
    maxAttempts: disableRetry ? 1 : attempts,
    // 0 is the incumbent's "no timeout".
    timeoutSeconds: parseInteger('action-timeout-s', get('action-timeout-s'), 0, 0, 86400) || undefined,
    specialCharactersWorkaround: parseBoolean('special-characters-workaround', get('special-characters-workaround'), false),
  };
}

type Delivery = Pick<Config, 'awsProfile' | 'overwriteAwsProfile' | 'maskAccountId' | 'outputCredentials' | 'outputEnvCredentials' | 'allowedAccountIds' | 'profiles' | 'profileCredentials'>;

/** Delivery: environment, outputs, profiles (aws-profile and profiles), and which accounts may be delivered. */
function parseDelivery(get: Get, input: InputReader, sources: Sources, defaults: ProfileDefaults): Delivery {
  const profiles = parseProfiles(input('profiles'), defaults);
  const awsProfile = get('aws-profile') || undefined;
  if (awsProfile !== undefined) {
    const bad = badProfileName(awsProfile);
    if (bad) throw new InputError('aws-profile', `is not a profile name every client reads: ${bad}, got '${awsProfile}'`);
    if (!sources.roleArn && !sources.staticKeys) throw new InputError('aws-profile', 'needs role-to-assume or aws-access-key-id: it names the profile their credentials are written to');
    const twice = profiles.find((p) => p.name === awsProfile);
    if (twice) throw new InputError('aws-profile', `names '${awsProfile}', which ${twice.definedAt} also defines`);
  }
  const allowedAccountIds = get('allowed-account-ids')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  for (const id of allowedAccountIds) {
    if (!ACCOUNT_ID.test(id)) throw new InputError('allowed-account-ids', `has '${id}', which is not a 12-digit account ID`);
  }
  const profileCredentials = get('profile-credentials') || 'refresh';
  if (profileCredentials !== 'refresh' && profileCredentials !== 'static') {
    throw new InputError('profile-credentials', `must be 'refresh' or 'static', got '${profileCredentials}'`);
  }
  return {
    awsProfile,
    overwriteAwsProfile: parseBoolean('overwrite-aws-profile', get('overwrite-aws-profile'), false),
    maskAccountId: parseBoolean('mask-aws-account-id', get('mask-aws-account-id'), false),
    outputCredentials: parseBoolean('output-credentials', get('output-credentials'), false),
    // As configure-aws-credentials decides: with aws-profile, the environment stays clean unless asked.
    outputEnvCredentials: parseBoolean('output-env-credentials', get('output-env-credentials'), awsProfile === undefined),
    allowedAccountIds,
    profiles,
    profileCredentials,
  };
}

/** Reads the profiles file; main passes the file system, tests a map. */
export type FileReader = (file: string) => string;

/** The profiles file: its web identity profiles join `profiles`; a name defined twice is refused. */
function parseProfilesFileInput(get: Get, env: Env, readFile: FileReader, delivery: Delivery, defaults: ProfileDefaults, warnings: string[]): { profiles: Profile[]; profilesFile: ProfilesFile | undefined } {
  const given = get('profiles-file');
  if (given === '') return { profiles: delivery.profiles, profilesFile: undefined };
  const file = path.resolve(env.GITHUB_WORKSPACE ?? process.cwd(), given);
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    throw new InputError('profiles-file', `cannot be read: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? `${file} does not exist` : (error as Error).message}`);
  }
  const elsewhere = new Map(delivery.profiles.map((p) => [p.name, p.definedAt]));
  if (delivery.awsProfile) elsewhere.set(delivery.awsProfile, 'aws-profile');
  const profilesFile = parseProfilesFile(text, given, defaults, elsewhere, warnings);
  return { profiles: [...delivery.profiles, ...profilesFile.webIdentity], profilesFile };
}

export function parseConfig(read: InputReader, env: Env, readFile: FileReader = (file) => readFileSync(file, 'utf8')): Parsed {
  const input = inputWithFallback(read, env);
  const warnings: string[] = [];
  const get = (name: InputName) => input(name).trim();
  checkExclusions(input);
  const endpoint = parseEndpoint(get, env, warnings);
  const sources = parseSources(get, env);
  const session = parseSession(get, input, env, sources.roleChaining, warnings);
  const retries = parseRetries(get);
  const defaults: ProfileDefaults = { region: endpoint.region, audience: sources.audience, durationSeconds: session.durationSeconds, sessionName: session.sessionName };
  const delivery = parseDelivery(get, input, sources, defaults);
  const { profiles, profilesFile } = parseProfilesFileInput(get, env, readFile, delivery, defaults, warnings);
  if (sources.forceSkipOidc && !sources.tokenFile && profiles.length > 0) {
    throw new InputError('force-skip-oidc', 'is true, but profiles are assumed with the OIDC token: give web-identity-token-file, or drop profiles');
  }
  return { warnings, config: { ...endpoint, ...sources, ...session, ...retries, ...delivery, profiles, profilesFile } };
}

const lines = (raw: string) =>
  raw
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');

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


/**
 * With mask-aws-account-id, the accounts the inputs name (the role and policy ARNs, allowed-account-ids)
 * and the profiles file's roles, read from the raw inputs: they are masked before parsing, since an input
 * error may quote the line that holds one. Accounts that only STS tells are masked as they arrive
 * (accounts.ts).
 */
export function accountsToMask(read: InputReader, env: Env, readFile: FileReader = (file) => readFileSync(file, 'utf8')): string[] {
  const input = inputWithFallback(read, env);
  if (!/^(?:true|True|TRUE)$/.test(input('mask-aws-account-id').trim())) return [];
  let file = '';
  if (input('profiles-file').trim() !== '') {
    try {
      file = readFile(path.resolve(env.GITHUB_WORKSPACE ?? process.cwd(), input('profiles-file').trim()));
    } catch {
      // Parsing says why, with the accounts of the inputs masked.
    }
  }
  const allowed = input('allowed-account-ids').match(/\d{12}/g) ?? [];
  return [...new Set([...accountsIn([...(['role-to-assume', 'profiles', 'managed-session-policies'] as const).map(input), file].join('\n')), ...allowed])];
}
