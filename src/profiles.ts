// Named profiles in an AWS shared config file, and what the credential helper needs to refresh them.
// Pure: text in, text out; main and the helper do the reading and writing.
import path from 'node:path';
import type { Config, Profile } from './config.ts';
import { configHeader, profilesOf, withoutProfiles, type Section } from './aws-config-file.ts';
import { badProfileName } from './aws-names.ts';
import type { Credentials } from './sts.ts';

/** What the credential helper reads (settings.json beside the config file) to refresh a profile. */
export type HelperSettings = Pick<
  Config,
  | 'tokenFile'
  | 'stsEndpoint'
  | 'proxy'
  | 'inlineSessionPolicy'
  | 'managedSessionPolicies'
  | 'allowedAccountIds'
  | 'maxAttempts'
  | 'specialCharactersWorkaround'
> & {
  /** Profile name → its role and its own settings. */
  profiles: Record<string, HelperProfile>;
};

/** What the helper refreshes a profile with: its role, its region's STS endpoint, its audience and session. */
export type HelperProfile = Pick<Profile, 'roleArn' | 'region' | 'audience' | 'durationSeconds' | 'sessionName'>;

/** A profile's own settings; aws-profile (no line or section of its own) has the step's. */
export function ownSettings(config: Config, name: string): HelperProfile & { input: ProfileSection['input']; carried: string[] } {
  const p = config.profiles.find((profile) => profile.name === name);
  if (!p) return { roleArn: config.roleArn ?? '', region: config.region, audience: config.audience, durationSeconds: config.durationSeconds, sessionName: config.sessionName, input: 'aws-profile', carried: [] };
  const { roleArn, region, audience, durationSeconds, sessionName, carried } = p;
  return { roleArn, region, audience, durationSeconds, sessionName, input: p.definedAt.startsWith('profiles-file') ? 'profiles-file' : 'profiles', carried };
}

/**
 * The helper's settings for these profiles: the step's inputs that shape every refresh, each profile's
 * own, and the STS endpoint the step chose (sts-endpoint.ts), the only one the helper sends the token to.
 */
export function helperSettings(config: Config, names: string[], stsEndpoint: string | undefined): HelperSettings {
  const profiles = Object.fromEntries(
    names.map((name) => {
      const { roleArn, region, audience, durationSeconds, sessionName } = ownSettings(config, name);
      return [name, { roleArn, region, audience, durationSeconds, sessionName }];
    }),
  );
  return {
    tokenFile: config.tokenFile,
    stsEndpoint,
    proxy: config.proxy,
    inlineSessionPolicy: config.inlineSessionPolicy,
    managedSessionPolicies: config.managedSessionPolicies,
    allowedAccountIds: config.allowedAccountIds,
    maxAttempts: config.maxAttempts,
    specialCharactersWorkaround: config.specialCharactersWorkaround,
    profiles,
  };
}

/** The helper's settings, written once per step into the action's private folder. */
export function helperSettingsFile(dir: string): string {
  return path.join(dir, 'settings.json');
}

/**
 * Where the helper keeps each profile's cache and lock, beside its settings. The helper gets the name
 * from its command line: one that is no profile name (`../x`, `constructor`) has no files, in the folder
 * or out of it.
 */
export function helperPaths(dir: string, profile: string) {
  const bad = badProfileName(profile);
  if (bad) throw new Error(`'${profile}' is not a profile this helper serves: ${bad}`);
  return {
    cache: path.join(dir, `${profile}.credentials.json`),
    lock: path.join(dir, `${profile}.lock`),
  };
}

// Clients run credential_process again by how long the credentials it printed have left; if the helper
// hands back the same credentials, they run it on every call until the helper refreshes. Their windows:
// - botocore (AWS CLI v1 and v2, boto3): 15 minutes, advisory; it blocks on the refresh from 10 minutes
//   (_DEFAULT_ADVISORY_REFRESH_TIMEOUT, _DEFAULT_MANDATORY_REFRESH_TIMEOUT in botocore/credentials.py);
// - JS SDK v3: 5 minutes (EXPIRATION_MS = 300_000 in @smithy/core's memoizeIdentityProvider);
// - Java SDK v2: 15 seconds (ProcessCredentialsProvider's credentialRefreshThreshold);
// - Go SDK v2: none; process credentials keep the legacy cache, whose ExpiryWindow defaults to 0.
// So the helper refreshes 16 minutes before expiry: the largest window, botocore's, plus a minute for the
// client to use what it was handed before its own window opens.
export const REFRESH_MARGIN_MS = 16 * 60_000;

/**
 * The margin for a session of this length. A session shorter than twice the margin (32 minutes; STS issues
 * sessions from 15) is refreshed halfway: with the full margin, role-duration-seconds 900 would make the
 * helper call STS on every invocation.
 */
export function refreshMargin(lifetimeMs: number): number {
  return Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2);
}

/**
 * The helper's cache entry: the time to refresh at (ms since the epoch), a newline, then the
 * credential_process JSON to print. The session's length is known only when it is issued, so the refresh
 * time is fixed then; and a cache hit compares one number, with no JSON or date to parse.
 */
export function cacheEntry(c: Credentials, issuedAt: number): string {
  // Credentials that do not expire (none the helper refreshes today) would never be due.
  const expires = c.expiration?.getTime() ?? Infinity;
  return `${expires - refreshMargin(expires - issuedAt)}\n${processCredentials(c)}`;
}

/** The JSON to hand out from a cache entry before its refresh time; undefined if missing, malformed or due. */
export function freshCredentials(entry: string | undefined, now: number): string | undefined {
  if (!entry) return undefined;
  const newline = entry.indexOf('\n');
  return newline > 0 && now < Number(entry.slice(0, newline)) ? entry.slice(newline + 1) : undefined;
}

/** The credential_process JSON: what the helper prints. */
export function processCredentials(c: Credentials): string {
  return JSON.stringify({
    Version: 1,
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    ...(c.sessionToken ? { SessionToken: c.sessionToken } : {}),
    ...(c.expiration ? { Expiration: c.expiration.toISOString() } : {}),
  });
}

/**
 * One argument of a credential_process line, quoted so that every client gets it back as it was. The line
 * is read twice. First as a config value: the JS SDK ends a value at whitespace followed by '#' or ';'
 * (botocore does not). Then as a command line: botocore splits it with shlex.split on POSIX and with
 * CommandLineToArgvW's rules on Windows; the JS SDK hands it to a shell, /bin/sh -c on POSIX and
 * cmd.exe /d /s /c on Windows (where the program then splits its command line by those same rules).
 */
export function quoteArgument(arg: string, platform: NodeJS.Platform): string {
  if (/[\r\n\0]/.test(arg)) throw new Error(`cannot pass ${JSON.stringify(arg)} to credential_process: a config value is one line`);
  if (platform !== 'win32') {
    // Nothing is special between single quotes for sh or shlex; a quote closes, is escaped, and reopens.
    // Adjacent quoted pieces join into one argument, so '' can part whitespace from a '#' or ';'.
    return `'${arg.replace(/'/g, `'\\''`).replace(/(\s)([#;])/g, "$1''$2")}'`;
  }
  // cmd.exe expands %NAME% even between double quotes, and a double quote would end the quoting that
  // keeps & | < > ^ literal. Neither can be escaped there; a Windows file name never holds a double quote.
  if (/["%]/.test(arg)) throw new Error(`cannot pass ${arg} to credential_process on Windows: cmd.exe would rewrite its " or %`);
  // '#' or ';' after whitespace is stepped out of the quotes for; backslashes are literal except in a
  // run that ends at a double quote, so only a trailing run (before the closing quote) is doubled.
  return `"${arg.replace(/(\s)([#;])/g, '$1"$2"').replace(/(\\+)$/, '$1$1')}"`;
}

export type ProfileSource = { kind: 'refresh'; node: string; helper: string; settings: string } | { kind: 'static'; credentials: Map<string, Credentials> };

/** A section the action writes: the profile, the input that defined it, and its lines after the header. */
export interface ProfileSection {
  profile: string;
  input: 'profiles' | 'aws-profile' | 'profiles-file';
  body: string[];
}

/** The lines that give a profile its credentials: the helper's credential_process line, or the keys. */
export function credentialLines(profile: string, source: ProfileSource, platform: NodeJS.Platform = process.platform): string[] {
  if (source.kind === 'refresh') {
    return [`credential_process = ${[source.node, source.helper, source.settings, profile].map((arg) => quoteArgument(arg, platform)).join(' ')}`];
  }
  const c = source.credentials.get(profile);
  if (!c) throw new Error(`no credentials for profile ${profile}`);
  return [`aws_access_key_id = ${c.accessKeyId}`, `aws_secret_access_key = ${c.secretAccessKey}`, ...(c.sessionToken ? [`aws_session_token = ${c.sessionToken}`] : [])];
}

/**
 * The new config file: the user's existing config without every section any client reads as one of
 * ours, then ours. Returns the user's sections that were replaced, to warn about.
 */
export function renderConfig(existing: string, sections: ProfileSection[]): { text: string; replaced: { section: Section; by: ProfileSection }[] } {
  const { text, removed } = withoutProfiles(existing, 'config', new Set(sections.map((s) => s.profile)));
  const replaced = removed.map((section) => ({ section, by: sections.find((s) => profilesOf(section).includes(s.profile)) ?? (sections[0] as ProfileSection) }));
  const head = text.trim();
  const ours = sections.map((s) => [configHeader(s.profile), ...s.body].join('\n'));
  return { text: `${head ? `${head}\n\n` : ''}${ours.join('\n\n')}\n`, replaced };
}
