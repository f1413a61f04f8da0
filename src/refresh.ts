// The credential helper's slow path: new credentials for one profile, with the same token handling,
// classified retries and diagnosis as the main step. A lock makes concurrent helpers for one profile
// (Terraform runs providers in parallel) share a single STS call.
import { mkdirSync, rmdirSync, statSync } from 'node:fs';
import { diagnose, render } from './diagnose.ts';
import { exchange } from './exchange.ts';
import { readPrivateFile, writeSecretFile } from './files.ts';
import { createAgents } from './http.ts';
import { isFresh, processCredentials, type HelperSettings, type helperPaths } from './profiles.ts';
import { createStsClient } from './sts.ts';
import { createTokenSource } from './token.ts';

// Longer than one refresh can take (60 s of retries plus a last attempt): a lock this old was abandoned.
const STALE_LOCK_MS = 90_000;
const LOCK_POLL_MS = 25;

async function withLock<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(lock, { mode: 0o700 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmdirSync(lock);
      } catch {
        // Released between our two looks: try again.
      }
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }
  try {
    return await fn();
  } finally {
    rmdirSync(lock);
  }
}

/**
 * `stale` is the cache as the caller found it. If another helper rewrote the cache while this one waited
 * for the lock, its fresh credentials are taken as they are, even when they live shorter than the margin.
 */
export async function refresh(settingsFile: string, profile: string, paths: ReturnType<typeof helperPaths>, stale: string | undefined): Promise<string> {
  const raw = readPrivateFile(settingsFile);
  if (!raw) throw new Error(`settings file ${settingsFile} is missing: was the post step of oidc-aws-credentials already run?`);
  const settings = JSON.parse(raw) as HelperSettings;
  const roleArn = settings.roles[profile];
  if (!roleArn) throw new Error(`no profile '${profile}' in ${settingsFile}`);

  return withLock(paths.lock, async () => {
    const cached = readPrivateFile(paths.cache);
    if (isFresh(cached, Date.now()) || (cached !== undefined && cached !== stale && isFresh(cached, Date.now(), 0))) return cached;

    const agents = createAgents(settings.proxy);
    const tokens = createTokenSource({ audience: settings.audience, file: settings.tokenFile, env: process.env, agents });
    const client = createStsClient({ region: settings.region, endpoint: settings.stsEndpoint, agents, signWithEnvironmentCredentials: false });
    try {
      const { value } = await exchange({ roleArn, settings, client, via: { kind: 'web-identity', tokens } });
      const json = processCredentials(value);
      writeSecretFile(paths.cache, json);
      return json;
    } catch (error) {
      const diagnosis = diagnose(error, {
        roleArn,
        audience: settings.audience,
        durationSeconds: settings.durationSeconds,
        roleChaining: false,
        claims: tokens.last?.claims,
        now: Date.now(),
        proxy: settings.proxy,
        tokenFromFile: settings.tokenFile !== undefined,
      });
      throw new Error(render(diagnosis), { cause: error });
    } finally {
      client.destroy();
    }
  });
}
