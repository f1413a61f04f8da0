// Which source obtains each set of credentials the step hands out: the environment's (role-to-assume)
// and each named profile's. Decided once from the Config; nothing here calls the network.
import type { Config } from '../config.ts';
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
  let tokens: TokenSource | undefined;
  const warnings: string[] = [];
  const webIdentity = (roleArn: string): Source => {
    tokens ??= createTokenSource({ audience: config.audience, file: config.tokenFile, env, agents, onToken });
    return webIdentitySource(config, tokens, roleArn);
  };
  let callsAssumeRole = false;
  const chained = (label: string, signer: Signer, roleArn: string): Source => {
    callsAssumeRole = true;
    return assumeRole(label, signer, sessionRequest(config, roleArn), { tags: config.sessionTags, transitiveTagKeys: config.transitiveTagKeys, externalId: config.externalId });
  };
  const envKeys = environmentKeys(env);

  const targets: Target[] = [];
  const environment = (roleArn: string | undefined, source: Source, refreshable: boolean) =>
    targets.push({
      profile: config.awsProfile,
      environment: true,
      roleArn,
      source,
      first: config.useExistingCredentials && envKeys ? existing('the AWS credentials already in the environment', envKeys, false) : undefined,
      refreshable,
    });
  const { roleArn } = config;
  if (roleArn) {
    if (config.staticKeys) environment(roleArn, chained('aws-access-key-id', config.staticKeys, roleArn), false);
    else if (config.roleChaining && envKeys) environment(roleArn, chained('the AWS credentials in the environment (role-chaining)', envKeys, roleArn), false);
    else if (config.tokenFile || env.ACTIONS_ID_TOKEN_REQUEST_URL) environment(roleArn, webIdentity(roleArn), true);
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
  for (const p of config.profiles) targets.push({ profile: p.name, environment: false, roleArn: p.roleArn, source: webIdentity(p.roleArn), refreshable: true });
  return { targets, tokens, warnings };
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
