// Which source obtains each set of credentials the step hands out: the environment's (role-to-assume)
// and each named profile's. Decided once from the Config; nothing here calls the network.
import type { Config } from '../config.ts';
import type { Agents } from '../http.ts';
import type { Keys, Tag } from '../sts.ts';
import { createTokenSource, type TokenSource } from '../token.ts';
import { assumeRole } from './assume-role.ts';
import { githubOidc } from './github-oidc.ts';
import { sessionRequest, type Source } from './source.ts';
import { tokenFile } from './token-file.ts';

export interface Target {
  /** Profile name, or undefined for the credentials exported to the environment. */
  profile: string | undefined;
  roleArn: string | undefined;
  source: Source;
}

export interface Picked {
  targets: Target[];
  /** The web identity token, when a source needs one: main requests it early, diagnosis reads its claims. */
  tokens: TokenSource | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

export function pickSources(config: Config, env: Env, agents: Agents): Picked {
  let tokens: TokenSource | undefined;
  const webIdentity = (roleArn: string): Source => {
    tokens ??= createTokenSource({ audience: config.audience, file: config.tokenFile, env, agents });
    return webIdentitySource(config, tokens, roleArn);
  };
  const request = (roleArn: string) => sessionRequest(config, roleArn);

  const targets: Target[] = [];
  if (config.roleArn) {
    const source = config.roleChaining
      ? assumeRole('the AWS credentials in the environment', environmentKeys(env), request(config.roleArn), {
          tags: config.skipSessionTagging ? [] : sessionTags(env),
          transitiveTagKeys: [],
          externalId: undefined,
        })
      : webIdentity(config.roleArn);
    targets.push({ profile: undefined, roleArn: config.roleArn, source });
  }
  for (const p of config.profiles) targets.push({ profile: p.name, roleArn: p.roleArn, source: webIdentity(p.roleArn) });
  return { targets, tokens };
}

/** The token file when one is named, else GitHub's OIDC token. The credential helper refreshes with the same. */
export function webIdentitySource(settings: Pick<Config, 'tokenFile' | 'sessionName' | 'durationSeconds' | 'inlineSessionPolicy' | 'managedSessionPolicies'>, tokens: TokenSource, roleArn: string): Source {
  const request = sessionRequest(settings, roleArn);
  return settings.tokenFile ? tokenFile(tokens, request) : githubOidc(tokens, request);
}

function environmentKeys(env: Env): Keys {
  return { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '', sessionToken: env.AWS_SESSION_TOKEN || undefined };
}

// STS tag values: letters, digits, spaces and _.:/=+-@, at most 256 characters.
function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '*').slice(0, 256);
}

/** The session tags configure-aws-credentials sends with AssumeRole, so that trust policies written for it keep working. */
export function sessionTags(env: Env): Tag[] {
  const source: [string, string | undefined][] = [
    ['GitHub', 'Actions'],
    ['Repository', env.GITHUB_REPOSITORY],
    ['Workflow', env.GITHUB_WORKFLOW],
    ['Action', env.GITHUB_ACTION],
    ['Actor', env.GITHUB_ACTOR],
    ['Commit', env.GITHUB_SHA],
    ['Branch', env.GITHUB_REF],
  ];
  return source.filter((entry): entry is [string, string] => Boolean(entry[1])).map(([Key, value]) => ({ Key, Value: tagValue(value) }));
}
