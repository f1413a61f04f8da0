// Named profiles in an AWS shared config file, and what the credential helper needs to refresh them.
// Pure: text in, text out; main and the helper do the reading and writing.
import path from 'node:path';
import type { Config, Profile } from './config.ts';
import type { Credentials } from './sts.ts';

/** What the credential helper reads (settings.json beside the config file) to refresh a profile. */
export type HelperSettings = Pick<
  Config,
  | 'region'
  | 'sessionName'
  | 'durationSeconds'
  | 'audience'
  | 'tokenFile'
  | 'stsEndpoint'
  | 'proxy'
  | 'inlineSessionPolicy'
  | 'managedSessionPolicies'
  | 'allowedAccountIds'
  | 'maxAttempts'
> & {
  /** Profile name → role ARN. */
  roles: Record<string, string>;
};

export function helperSettings(config: Config): HelperSettings {
  return {
    region: config.region,
    sessionName: config.sessionName,
    durationSeconds: config.durationSeconds,
    audience: config.audience,
    tokenFile: config.tokenFile,
    stsEndpoint: config.stsEndpoint,
    proxy: config.proxy,
    inlineSessionPolicy: config.inlineSessionPolicy,
    managedSessionPolicies: config.managedSessionPolicies,
    allowedAccountIds: config.allowedAccountIds,
    maxAttempts: config.maxAttempts,
    roles: Object.fromEntries(config.profiles.map((p) => [p.name, p.roleArn])),
  };
}

/** The helper's settings, written once per step into the action's private folder. */
export function helperSettingsFile(dir: string): string {
  return path.join(dir, 'settings.json');
}

/** Where the helper keeps each profile's cache and lock, beside its settings. */
export function helperPaths(dir: string, profile: string) {
  return {
    cache: path.join(dir, `${profile}.credentials.json`),
    lock: path.join(dir, `${profile}.lock`),
  };
}

// Refresh while this much validity is left, so a long command never starts with nearly dead credentials.
export const REFRESH_MARGIN_MS = 5 * 60_000;

/** Whether a cached credential_process JSON is still good to hand out. */
export function isFresh(json: string | undefined, now: number, marginMs = REFRESH_MARGIN_MS): json is string {
  if (!json) return false;
  const expiration = Date.parse((JSON.parse(json) as { Expiration?: string }).Expiration ?? '');
  return expiration - now > marginMs;
}

/** The credential_process JSON: what the helper prints, and what its cache holds. */
export function processCredentials(c: Credentials): string {
  return JSON.stringify({
    Version: 1,
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    SessionToken: c.sessionToken,
    Expiration: c.expiration.toISOString(),
  });
}

function sectionName(profile: string): string {
  return profile === 'default' ? 'default' : `profile ${profile}`;
}

// credential_process splits on spaces, honouring double quotes.
const quote = (arg: string) => `"${arg.replace(/"/g, '\\"')}"`;

export type ProfileSource = { kind: 'refresh'; node: string; helper: string; settings: string } | { kind: 'static'; credentials: Map<string, Credentials> };

/**
 * The new config file: the user's existing config with the sections we define removed, then one section
 * per profile. Returns the names of the user's sections that were replaced, to warn about.
 */
export function renderConfig(existing: string, profiles: Profile[], region: string, source: ProfileSource): { text: string; replaced: string[] } {
  const ours = new Set(profiles.map((p) => sectionName(p.name)));
  const kept: string[] = [];
  const replaced: string[] = [];
  let dropping = false;
  for (const line of existing.split(/\r?\n/)) {
    const header = /^\s*\[\s*([^\]]+?)\s*\]\s*$/.exec(line);
    if (header) {
      dropping = ours.has(header[1] ?? '');
      if (dropping) replaced.push(header[1] ?? '');
    }
    if (!dropping) kept.push(line);
  }
  const sections = profiles.map((p) => {
    const lines = [`[${sectionName(p.name)}]`, `region = ${region}`];
    if (source.kind === 'refresh') {
      lines.push(`credential_process = ${[source.node, source.helper, source.settings, p.name].map(quote).join(' ')}`);
    } else {
      const c = source.credentials.get(p.name);
      if (!c) throw new Error(`no credentials for profile ${p.name}`);
      lines.push(`aws_access_key_id = ${c.accessKeyId}`, `aws_secret_access_key = ${c.secretAccessKey}`, `aws_session_token = ${c.sessionToken}`);
    }
    return lines.join('\n');
  });
  const head = kept.join('\n').trim();
  return { text: `${head ? `${head}\n\n` : ''}${sections.join('\n\n')}\n`, replaced };
}
