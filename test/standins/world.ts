// The issuer and STS together, with one AWS account set up the way AWS's GitHub guide sets it up.
// Tests, the demo and the benchmark start one of these and run jobs against it.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GITHUB_ISSUER, startIssuer, type Issuer, type RunContext } from './oidc-issuer.ts';
import { startRelay, type Relay } from './latency.ts';
import { Job } from './runner.ts';
import { githubTrustPolicy, startSts, type Account, type Role, type Sts } from './sts-emulator.ts';
import { standinTls } from './tls.ts';

/**
 * The product promises a refusal in under 2 s. Tests bound it generously, because on a loaded 2-core
 * machine starting Node alone can take seconds; what proves that no time went to waiting is that
 * they also count the attempts. The bound still tells "stopped at once" from the minute of retries.
 */
export const FAILS_FAST_MS = 15_000;

export const ACCOUNT = '111111111111';
export const OTHER_ACCOUNT = '222222222222';
export const roleArn = (name: string, account = ACCOUNT) => `arn:aws:iam::${account}:role/${name}`;

/** Roles of the default account: `deploy` trusts every run of acme/webapp. */
export function defaultRoles(): Role[] {
  return [{ name: 'deploy', trustPolicy: githubTrustPolicy(ACCOUNT, 'repo:acme/webapp:*'), maxSessionDuration: 3600 }];
}

export function defaultAccounts(roles: Role[] = defaultRoles()): Account[] {
  return [{ id: ACCOUNT, oidcProviders: [{ url: GITHUB_ISSUER, clientIds: ['sts.amazonaws.com'] }], roles }];
}

/** The default account, and a second one whose `audit` role also trusts acme/webapp: roles for profiles. */
export function twoAccounts(): Account[] {
  return [
    ...defaultAccounts(),
    { id: OTHER_ACCOUNT, oidcProviders: [{ url: GITHUB_ISSUER, clientIds: ['sts.amazonaws.com'] }], roles: [{ name: 'audit', trustPolicy: githubTrustPolicy(OTHER_ACCOUNT, 'repo:acme/webapp:*') }] },
  ];
}

/** Makes a profile's cached credentials due for refresh, as time would: its refresh time becomes 0. */
export function makeDue(job: Job, profile: string): void {
  const cache = path.join(path.dirname(job.env.AWS_CONFIG_FILE ?? ''), `${profile}.credentials.json`);
  const entry = readFileSync(cache, 'utf8');
  writeFileSync(cache, `0${entry.slice(entry.indexOf('\n'))}`);
}

export interface World {
  issuer: Issuer;
  sts: Sts;
  /** A new job whose steps may request OIDC tokens and reach the STS emulator. */
  job(env?: Record<string, string | undefined>): Promise<Job>;
  close(): Promise<void>;
}

export interface WorldOptions {
  run?: Partial<RunContext>;
  accounts?: Account[];
  rateLimit?: number;
  /** Round trips (ms) to GitHub's token endpoint and to STS, as jobs see them (a relay each; 0: direct). */
  latency?: { github: number; sts: number };
}

/** `url` with its host replaced by a relay's. */
function through(relay: Relay | undefined, url: string): string {
  if (!relay) return url;
  const u = new URL(url);
  u.host = relay.host;
  return u.toString().replace(/\/$/, '');
}

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const issuer = await startIssuer(options.run);
  const sts = await startSts({
    accounts: options.accounts ?? defaultAccounts(),
    jwks: { [GITHUB_ISSUER]: issuer.jwksUri },
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
  });
  const hostOf = (url: string) => new URL(url).host;
  const githubRelay = options.latency?.github ? await startRelay(hostOf(issuer.requestUrl), options.latency.github) : undefined;
  const stsRelay = options.latency?.sts ? await startRelay(hostOf(sts.url), options.latency.sts) : undefined;
  const jobs: Job[] = [];
  return {
    issuer,
    sts,
    async job(env = {}) {
      const job = await Job.create({
        env: {
          ACTIONS_ID_TOKEN_REQUEST_URL: through(githubRelay, issuer.requestUrl),
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: issuer.requestToken,
          AWS_ENDPOINT_URL_STS: through(stsRelay, sts.url),
          ...(await standinTls()).env,
          ...env,
        },
      });
      jobs.push(job);
      return job;
    },
    async close() {
      await Promise.all(jobs.map((j) => j.dispose()));
      await Promise.all([issuer.close(), sts.close(), githubRelay?.close(), stsRelay?.close()]);
    },
  };
}
