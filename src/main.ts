// The main step: parse the inputs, pick a source for each set of credentials, obtain them all, deliver
// them (mask, environment, outputs, profiles), report. Nothing is delivered unless every part succeeded;
// a failure ends in one ::error:: that says why and what to change.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { parseConfig, type Config } from './config.ts';
import { diagnose, render } from './diagnose.ts';
import { CREDENTIAL_VARIABLES, planExport } from './export.ts';
import { createPrivateDir, writeSecretFile } from './files.ts';
import { createAgents, type Agents } from './http.ts';
import { TargetFailure, type Obtained } from './obtain.ts';
import { helperPaths, helperSettings, helperSettingsFile, processCredentials, renderConfig, type ProfileSource } from './profiles.ts';
import type { RetryEvent } from './retry.ts';
import { pickSources, type Picked } from './sources/pick.ts';
import { isCredentials } from './sources/source.ts';
import { STATE } from './state.ts';
import type { Credentials } from './sts.ts';
import { failureSummary, successSummary } from './summary.ts';

async function run(): Promise<void> {
  let config: Config | undefined;
  let picked: Picked | undefined;
  try {
    config = parse();
    const agents = createAgents({ url: config.proxy, noProxy: config.noProxy });
    picked = pickSources(config, process.env, agents);
    const obtained = await obtainAll(config, picked, agents);
    deliver(config, obtained);
    await report(config, obtained, picked);
  } catch (error) {
    await fail(error, config, picked);
  }
}

function parse(): Config {
  const { config, warnings } = parseConfig((name) => core.getInput(name), process.env);
  for (const warning of warnings) core.warning(warning);
  if (config.unsetCurrentCredentials) {
    for (const name of CREDENTIAL_VARIABLES) core.exportVariable(name, '');
  }
  return config;
}

async function obtainAll(config: Config, { targets, tokens }: Picked, agents: Agents): Promise<Obtained[]> {
  // Ask for the token while the SDK loads; a failure here resurfaces, classified, in the first attempt.
  tokens?.get(false).catch(() => undefined);
  const [{ obtain }, { createSts }] = await Promise.all([import('./obtain.ts'), import('./sts.ts')]);
  const sts = createSts({ region: config.region, endpoint: config.stsEndpoint, agents });
  try {
    return await obtain(targets, { sts, settings: config, onRetry: logRetry });
  } finally {
    sts.destroy();
  }
}

/** Mask first, then hand out: environment, outputs, profiles. */
function deliver(config: Config, obtained: Obtained[]): void {
  const environment = obtained.find((o) => o.target.profile === undefined);
  const profiles = new Map(obtained.flatMap((o) => (o.target.profile && isCredentials(o.value) ? [[o.target.profile, o.value] as const] : [])));
  for (const c of profiles.values()) {
    for (const secret of [c.accessKeyId, c.secretAccessKey, c.sessionToken, ...(config.maskAccountId ? [c.accountId] : [])]) if (secret) core.setSecret(secret);
  }
  const plan = environment ? planExport(environment.value, config) : undefined;
  for (const secret of plan?.secrets ?? []) core.setSecret(secret);
  if (profiles.size > 0) core.exportVariable('AWS_CONFIG_FILE', writeProfiles(config, profiles));
  if (plan) {
    for (const [name, value] of Object.entries(plan.env)) core.exportVariable(name, value);
    for (const [name, value] of Object.entries(plan.outputs)) core.setOutput(name, value);
    core.saveState(STATE.exported, JSON.stringify(Object.keys(plan.env).filter((name) => (CREDENTIAL_VARIABLES as readonly string[]).includes(name))));
  } else {
    core.exportVariable('AWS_REGION', config.region);
    core.exportVariable('AWS_DEFAULT_REGION', config.region);
  }
}

async function report(config: Config, obtained: Obtained[], { tokens }: Picked): Promise<void> {
  for (const { target, value } of obtained) {
    const until = isCredentials(value) && value.expiration ? `, valid until ${value.expiration.toISOString()}` : '';
    core.info(`${target.roleArn ? 'Assumed' : 'Using'} ${value.arn}${target.profile ? ` as profile ${target.profile}` : ''} (from ${target.source.label})${until}`);
  }
  await writeSummary(
    successSummary({
      assumed: obtained.map(({ target, value }) => ({
        profile: target.profile,
        roleArn: target.roleArn ?? value.arn,
        accountId: value.accountId,
        expiration: target.profile && config.profileCredentials === 'refresh' ? undefined : isCredentials(value) ? value.expiration : undefined,
      })),
      sessionName: config.sessionName,
      claims: tokens?.last?.claims,
      attempts: obtained.reduce((sum, o) => sum + o.attempts, 0),
      maskAccountId: config.maskAccountId,
    }),
  );
}

async function fail(error: unknown, config: Config | undefined, picked: Picked | undefined): Promise<void> {
  const failed = error instanceof TargetFailure ? error.target : undefined;
  const diagnosis = diagnose(error instanceof TargetFailure ? error.cause : error, {
    roleArn: failed?.roleArn ?? config?.roleArn,
    audience: config?.audience ?? 'sts.amazonaws.com',
    durationSeconds: config?.durationSeconds ?? 3600,
    roleChaining: failed !== undefined && failed.profile === undefined && config?.roleChaining === true,
    claims: picked?.tokens?.last?.claims,
    now: Date.now(),
  });
  core.setFailed(render(diagnosis));
  await writeSummary(failureSummary(diagnosis, picked?.tokens?.last?.claims));
}

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

async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(markdown).write();
  } catch (error) {
    core.warning(`Could not write the job summary: ${describe(error)}`);
  }
}

await run();
