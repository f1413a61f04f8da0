// Which source obtains each set of credentials the step hands out: the environment's (role-to-assume)
// and each named profile's. Decided once from the Config; nothing here calls the network.
import type { Config } from '../config.ts';
import type { ChainedProfile } from '../profiles-file.ts';
import { InputError, TokenError } from '../errors.ts';
import type { Agents } from '../http.ts';
import type { Keys, Signer } from '../sts.ts';
import { createTokenSource, type TokenSource } from '../token/source.ts';
import { assumeRole } from './assume-role.ts';
import { existing } from './existing.ts';
import { githubOidc } from './github-oidc.ts';
import { sessionRequest, type Source } from './source.ts';
import { tokenFile } from './token-file.ts';

export interface Target {
  /** The profile these credentials are written to: a name of `profiles`, or aws-profile. */
  profile: string | undefined;
  /** The credentials of role-to-assume (or the static keys): environment variables and step outputs. */
  environment: boolean;
  roleArn: string | undefined;
  source: Source;
  /** Tried once before `source` (use-existing-credentials); if it fails, `source` runs. */
  first?: Source | undefined;
  /** The credential helper can obtain these again by itself (web identity); else a profile holds them as written. */
  refreshable: boolean;
  /** The region of the STS endpoint asked: the step's, or the profile's own. */
  region: string;
  /** The token this target's source presents, for diagnosis. */
  tokens?: TokenSource | undefined;
  /** Credentials obtained only to prove a profile's chain works (profiles-file's chained profiles), never delivered. */
  checkOnly?: true;
}

export interface Picked {
  targets: Target[];
  /** The web identity token, when a source needs one: main requests it early, diagnosis reads its claims. */
  tokens: TokenSource | undefined;
  warnings: string[];
}

type Env = Readonly<Record<string, string | undefined>>;

/** `onToken`: told each web identity token as soon as it is read (to mask it). */
export function pickSources(config: Config, env: Env, agents: Agents, onToken?: (jwt: string) => void): Picked {
  const warnings: string[] = [];
  // One token source per audience, each asked once for every role that presents it; a token file has one.
  const byAudience = new Map<string, TokenSource>();
  const tokensFor = (audience: string): TokenSource => {
    const key = config.tokenFile ? '' : audience;
    const found = byAudience.get(key) ?? createTokenSource({ audience, file: config.tokenFile, env, agents, onToken });
    byAudience.set(key, found);
    return found;
  };
  let callsAssumeRole = false;
  const chained = (label: string, signer: Signer, roleArn: string): Source => {
    callsAssumeRole = true;
    return assumeRole(label, signer, sessionRequest(config, roleArn), { tags: config.sessionTags, transitiveTagKeys: config.transitiveTagKeys, externalId: config.externalId });
  };
  const envKeys = environmentKeys(env);

  const targets: Target[] = [];
  const environment = (roleArn: string | undefined, source: Source, refreshable: boolean, tokens?: TokenSource) =>
    targets.push({
      profile: config.awsProfile,
      environment: true,
      roleArn,
      source,
      first: config.useExistingCredentials && envKeys ? existing('the AWS credentials already in the environment', envKeys, false) : undefined,
      refreshable,
      region: config.region,
      tokens,
    });
  const { roleArn } = config;
  if (roleArn) {
    if (config.staticKeys) environment(roleArn, chained('aws-access-key-id', config.staticKeys, roleArn), false);
    else if (config.roleChaining && envKeys) environment(roleArn, chained('the AWS credentials in the environment (role-chaining)', envKeys, roleArn), false);
    else if (config.tokenFile || env.ACTIONS_ID_TOKEN_REQUEST_URL) {
      const tokens = tokensFor(config.audience);
      environment(roleArn, webIdentitySource(config, tokens, roleArn), true, tokens);
    }
    // A self-hosted runner without an OIDC token: its instance, container or pod credentials sign AssumeRole.
    else environment(roleArn, chained("the SDK's default credential chain", 'default-chain', roleArn), false);
  } else if (config.staticKeys) {
    environment(undefined, existing('aws-access-key-id', config.staticKeys, true), false);
    if (config.specialCharactersWorkaround) warnings.push('special-characters-workaround has no effect on keys exported as they are: it needs role-to-assume, whose credentials can be obtained again');
  } else if (config.profiles.length === 0) {
    // No role and no keys: prove the runner's own credentials work and report whose they are.
    environment(undefined, orNothingToDo(existing("the SDK's default credential chain", 'default-chain', false)), false);
  }
  if (!callsAssumeRole) unusedWithoutAssumeRole(config, warnings);
  for (const p of config.profiles) {
    const tokens = tokensFor(p.audience);
    targets.push({ profile: p.name, environment: false, roleArn: p.roleArn, source: webIdentitySource({ ...config, ...p }, tokens, p.roleArn), refreshable: true, region: p.region, tokens });
  }
  return { targets, tokens: byAudience.values().next().value, warnings };
}

// What the clients ask for when a chained profile gives no duration_seconds: STS's default.
const CLIENT_DURATION_SECONDS = 3600;

/**
 * The check of a profiles-file chained profile: sts:AssumeRole signed with its source profile's
 * credentials, as the clients will chain, with its own session settings and no session tags (the
 * clients send none).
 */
export function chainCheck(config: Pick<Config, 'region' | 'sessionName'>, profile: ChainedProfile, source: Keys): Target {
  const request = { roleArn: profile.roleArn, sessionName: profile.sessionName ?? config.sessionName, durationSeconds: profile.durationSeconds ?? CLIENT_DURATION_SECONDS, policy: undefined, policyArns: [] };
  return {
    profile: profile.name,
    environment: false,
    roleArn: profile.roleArn,
    source: assumeRole(`profile ${profile.sourceProfile}'s credentials (source_profile)`, source, request, { tags: [], transitiveTagKeys: [], externalId: profile.externalId }),
    refreshable: false,
    region: profile.region ?? config.region,
    checkOnly: true,
  };
}

/** Without role-to-assume, finding no credentials at all means the with: block is missing something. */
function orNothingToDo(source: Source): Source {
  return {
    ...source,
    attempt: (sts, freshToken) =>
      source.attempt(sts, freshToken).catch((error: unknown) => {
        if (!(error instanceof TokenError)) throw error;
        throw new InputError('role-to-assume', "is not set, and there are no other credentials: no aws-access-key-id, and the SDK's default credential chain found none");
      }),
  };
}

/** Inputs that only AssumeRole sends: a web identity session takes its tags from the token's claims. */
function unusedWithoutAssumeRole(config: Config, warnings: string[]): void {
  const unused = [config.customTags.length > 0 ? 'custom-tags' : '', config.transitiveTagKeys.length > 0 ? 'transitive-tag-keys' : '', config.externalId ? 'role-external-id' : ''].filter(Boolean);
  if (unused.length > 0) warnings.push(`${unused.join(', ')} ${unused.length > 1 ? 'apply' : 'applies'} to sts:AssumeRole only and ${unused.length > 1 ? 'are' : 'is'} ignored: this step does not call it (a web identity session takes its tags from the token's claims)`);
}

function environmentKeys(env: Env): Keys | undefined {
  if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) return undefined;
  return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined };
}

/** The token file when one is named, else GitHub's OIDC token. The credential helper refreshes with the same. */
export function webIdentitySource(settings: Pick<Config, 'tokenFile' | 'sessionName' | 'durationSeconds' | 'inlineSessionPolicy' | 'managedSessionPolicies'>, tokens: TokenSource, roleArn: string): Source {
  const request = sessionRequest(settings, roleArn);
  return settings.tokenFile ? tokenFile(tokens, request) : githubOidc(tokens, request);
}
