// The main step: inputs → token → STS (the environment role and every profile) → mask → export →
// outputs → summary. Nothing is exported unless every part succeeded; a failure ends in one ::error::
// that says why and what to change.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { parseConfig, type Config } from './config.ts';
import { diagnose, render } from './diagnose.ts';
import type { Via } from './exchange.ts';
import { CREDENTIAL_VARIABLES, planExport } from './export.ts';
import { createPrivateDir, writeSecretFile } from './files.ts';
import { createAgents, requestsLeave } from './http.ts';
import { helperPaths, helperSettings, helperSettingsFile, processCredentials, renderConfig, type ProfileSource } from './profiles.ts';
import type { RetryEvent } from './retry.ts';
import { STATE } from './state.ts';
import type { Credentials } from './sts.ts';
import { failureSummary, successSummary } from './summary.ts';
import { createTokenSource, type TokenSource } from './token.ts';

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.code ? `${e.code}: ${e.message ?? ''}` : (e.message ?? String(error));
}

function logRetry({ error, attempt, delayMs }: RetryEvent): void {
  core.info(`Attempt ${attempt} failed (${describe(error)}); retrying in ${delayMs} ms`);
}

/** The shared config file the user had, whose profiles must stay usable. */
function existingConfig(env: NodeJS.ProcessEnv): string {
  const file = env.AWS_CONFIG_FILE || path.join(os.homedir(), '.aws', 'config');
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Writes the profiles' config file (and, for refresh, the helper's settings and warm cache). Returns its path. */
function writeProfiles(config: Config, credentials: Map<string, Credentials>): string {
  const dir = createPrivateDir(process.env.RUNNER_TEMP);
  // Recorded before anything is written, so the post step removes it whatever happens next.
  core.saveState(STATE.files, JSON.stringify([dir]));
  let source: ProfileSource = { kind: 'static', credentials };
  if (config.profileCredentials === 'refresh') {
    const settings = helperSettingsFile(dir);
    writeSecretFile(settings, JSON.stringify(helperSettings(config)));
    for (const [name, c] of credentials) writeSecretFile(helperPaths(dir, name).cache, processCredentials(c));
    const helper = path.join(path.dirname(fileURLToPath(import.meta.url)), 'credential-process.cjs');
    source = { kind: 'refresh', node: process.execPath, helper, settings };
  }
  const { text, replaced } = renderConfig(existingConfig(process.env), config.profiles, config.region, source);
  for (const section of replaced) core.warning(`profiles replaces the section [${section}] of your existing AWS config`);
  const file = path.join(dir, 'config');
  writeSecretFile(file, text);
  return file;
}

async function run(): Promise<void> {
  let config: Config | undefined;
  let tokens: TokenSource | undefined;
  let failedRole: string | undefined;
  try {
    const parsed = parseConfig((name) => core.getInput(name), process.env);
    config = parsed.config;
    for (const warning of parsed.warnings) core.warning(warning);

    if (config.unsetCurrentCredentials) {
      for (const name of CREDENTIAL_VARIABLES) core.exportVariable(name, '');
    }

    const agents = createAgents({ url: config.proxy, noProxy: config.noProxy });
    tokens = createTokenSource({ audience: config.audience, file: config.tokenFile, env: process.env, agents });
    // Ask for the token while the SDK loads; a failure here resurfaces, classified, in the first attempt.
    const tokenInFlight = config.profiles.length > 0 || !config.roleChaining;
    if (tokenInFlight) {
      tokens.get(false).catch(() => undefined);
      await requestsLeave();
    }
    const [{ exchange, sessionTags }, { createStsClient, prepare }] = await Promise.all([import('./exchange.ts'), import('./sts.ts')]);
    const webIdentity: Via = { kind: 'web-identity', tokens };
    const client = createStsClient({ region: config.region, endpoint: config.stsEndpoint, agents, signWithEnvironmentCredentials: config.roleChaining });
    // The SDK's first-use work, done while the token is on its way rather than after it arrives.
    if (tokenInFlight) void prepare(client);
    const settings = config;
    // The step fails with the first role that fails: the others stop retrying.
    const firstFailure = new AbortController();
    const assume = async (roleArn: string, via: Via) => {
      try {
        return await exchange({ roleArn, settings, client, via, onRetry: logRetry, signal: firstFailure.signal });
      } catch (error) {
        if (!firstFailure.signal.aborted) {
          failedRole = roleArn;
          firstFailure.abort();
        }
        throw error;
      }
    };

    // Role chaining signs with the environment's credentials; profiles always use the OIDC token.
    const [environment, ...profiled] = await Promise.all([
      config.roleArn ? assume(config.roleArn, config.roleChaining ? { kind: 'chaining', tags: config.skipSessionTagging ? [] : sessionTags(process.env) } : webIdentity) : undefined,
      ...config.profiles.map((p) => assume(p.roleArn, webIdentity)),
    ]);
    client.destroy();
    const profileCredentials = new Map(config.profiles.map((p, i) => [p.name, profiled[i]!.value]));

    // Everything succeeded: mask first, then hand out.
    for (const c of profileCredentials.values()) {
      for (const secret of [c.accessKeyId, c.secretAccessKey, c.sessionToken, ...(config.maskAccountId ? [c.accountId] : [])]) core.setSecret(secret);
    }
    const plan = environment ? planExport(environment.value, config) : undefined;
    for (const secret of plan?.secrets ?? []) core.setSecret(secret);
    if (profileCredentials.size > 0) core.exportVariable('AWS_CONFIG_FILE', writeProfiles(config, profileCredentials));
    if (plan) {
      for (const [name, value] of Object.entries(plan.env)) core.exportVariable(name, value);
      for (const [name, value] of Object.entries(plan.outputs)) core.setOutput(name, value);
      core.saveState(STATE.exported, JSON.stringify(Object.keys(plan.env).filter((name) => (CREDENTIAL_VARIABLES as readonly string[]).includes(name))));
    } else {
      core.exportVariable('AWS_REGION', config.region);
      core.exportVariable('AWS_DEFAULT_REGION', config.region);
    }

    const assumed = [
      ...(environment && config.roleArn ? [{ profile: undefined, roleArn: config.roleArn, credentials: environment.value }] : []),
      ...config.profiles.map((p) => ({ profile: p.name, roleArn: p.roleArn, credentials: profileCredentials.get(p.name)! })),
    ];
    for (const a of assumed) {
      core.info(`Assumed ${a.credentials.arn}${a.profile ? ` as profile ${a.profile}` : ''}, valid until ${a.credentials.expiration.toISOString()}`);
    }
    const attempts = [environment, ...profiled].reduce((sum, r) => sum + (r?.attempts ?? 0), 0);
    await writeSummary(
      successSummary({
        assumed: assumed.map((a) => ({
          profile: a.profile,
          roleArn: a.roleArn,
          accountId: a.credentials.accountId,
          expiration: a.profile && config?.profileCredentials === 'refresh' ? undefined : a.credentials.expiration,
        })),
        sessionName: config.sessionName,
        claims: tokens.last?.claims,
        attempts,
        maskAccountId: config.maskAccountId,
      }),
    );
  } catch (error) {
    const diagnosis = diagnose(error, {
      roleArn: failedRole ?? config?.roleArn,
      audience: config?.audience ?? 'sts.amazonaws.com',
      durationSeconds: config?.durationSeconds ?? 3600,
      roleChaining: failedRole !== undefined && failedRole === config?.roleArn && config.roleChaining,
      claims: tokens?.last?.claims,
      now: Date.now(),
    });
    core.setFailed(render(diagnosis));
    await writeSummary(failureSummary(diagnosis, tokens?.last?.claims));
  }
}

async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(markdown).write();
  } catch (error) {
    core.warning(`Could not write the job summary: ${describe(error)}`);
  }
}

await run();
