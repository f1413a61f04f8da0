// The credential helper's slow path: new credentials for one profile, with the same token handling,
// classified retries and diagnosis as the main step, under the profile's lock (lock.ts).
import { diagnose, render } from './diagnose.ts';
import { exchange } from './exchange.ts';
import { readPrivateFile, writeSecretFile } from './files.ts';
import { createAgents } from './http.ts';
import { withLock } from './lock.ts';
import { cacheEntry, freshCredentials, processCredentials, type HelperSettings, type helperPaths } from './profiles.ts';
import { webIdentitySource } from './sources/pick.ts';
import { isCredentials } from './sources/source.ts';
import { createSts } from './sts.ts';
import { createTokenSource } from './token/source.ts';

/** New credentials for the profile, unless another helper refreshed them while this one waited for the lock. */
export async function refresh(settingsFile: string, profile: string, paths: ReturnType<typeof helperPaths>): Promise<string> {
  const raw = readPrivateFile(settingsFile);
  if (!raw) throw new Error(`settings file ${settingsFile} is missing: was the post step of oidc-aws-credentials already run?`);
  const settings = JSON.parse(raw) as HelperSettings;
  const own = Object.hasOwn(settings.profiles, profile) ? settings.profiles[profile] : undefined;
  if (!own) throw new Error(`no profile '${profile}' in ${settingsFile}`);
  const { roleArn } = own;

  return withLock(paths.lock, async () => {
    const cached = freshCredentials(readPrivateFile(paths.cache), Date.now());
    if (cached) return cached;

    const agents = createAgents(settings.proxy);
    const tokens = createTokenSource({ audience: own.audience, file: settings.tokenFile, env: process.env, agents });
    const sts = createSts({ region: own.region, endpoint: settings.stsEndpoint, agents });
    const source = webIdentitySource({ ...settings, ...own }, tokens, roleArn);
    // As the main step does: the token is asked for at once, and the STS connection opened while it is on its way.
    tokens.get(false).catch(() => undefined);
    void sts.prepare();
    try {
      const { value } = await exchange({ source, sts, settings });
      if (!isCredentials(value)) throw new Error('web identity answered without credentials');
      writeSecretFile(paths.cache, cacheEntry(value, Date.now()));
      return processCredentials(value);
    } catch (error) {
      const diagnosis = diagnose(error, {
        roleArn,
        audience: own.audience,
        durationSeconds: own.durationSeconds,
        roleChaining: false,
        claims: tokens.last?.claims,
        now: Date.now(),
        proxy: settings.proxy,
        tokenFromFile: settings.tokenFile !== undefined,
      });
      throw new Error(render(diagnosis), { cause: error });
    } finally {
      sts.destroy();
    }
  });
}
