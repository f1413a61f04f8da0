// The main step: parse the inputs, pick a source for each set of credentials, obtain them all, deliver
// them (mask, environment, outputs, profiles), report. Nothing is delivered unless every part succeeded;
// a failure ends in one ::error:: that says why and what to change.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { reportingAccounts } from './accounts.ts';
import { accountsToMask, parseConfig, STATIC_KEY_INPUTS, type Config, type InputName, type InputReader } from './config.ts';
import { diagnose, render } from './diagnose.ts';
import { InputError } from './errors.ts';
import { CREDENTIAL_VARIABLES, planExport } from './export.ts';
import { createPrivateDir, writeSecretFile } from './files.ts';
import { createAgents, requestsLeave, type Agents } from './http.ts';
import { TargetFailure, type Obtained } from './obtain.ts';
import { definesProfile, sectionName, helperPaths, helperSettings, helperSettingsFile, cacheEntry, renderConfig, withoutCredentials } from './profiles.ts';
import { proxySecrets } from './proxy.ts';
import type { RetryEvent } from './retry.ts';
import { pickSources, type Picked, type Target } from './sources/pick.ts';
import { isCredentials } from './sources/source.ts';
import { STATE } from './state.ts';
import type { Credentials } from './sts.ts';
import { failureSummary, successSummary } from './summary.ts';

async function run(): Promise<void> {
  const read = (name: InputName) => core.getInput(name);
  // Keys given as inputs, and with mask-aws-account-id the accounts of the roles given, are masked before
  // anything, even an input error, can print a line.
  for (const name of STATIC_KEY_INPUTS) if (read(name)) core.setSecret(read(name));
  // The accounts hidden so far; STS may tell more (accounts.ts), each masked as it arrives.
  const accounts = new Set<string>();
  const hide = (learned: string[]) => {
    for (const account of learned) {
      if (account === '' || accounts.has(account)) continue;
      core.setSecret(account);
      accounts.add(account);
    }
  };
  hide(accountsToMask(read, process.env));
  let config: Config | undefined;
  let picked: Picked | undefined;
  let deadline: NodeJS.Timeout | undefined;
  try {
    config = parse(read);
    deadline = startDeadline(config.timeoutSeconds);
    const agents = createAgents(config.proxy);
    // The token is a credential too: masked as soon as it arrives, as the toolkit's getIDToken does.
    picked = pickSources(config, process.env, agents, (jwt) => core.setSecret(jwt));
    for (const warning of picked.warnings) core.warning(warning);
    const obtained = await obtainAll(config, picked, agents, config.maskAccountId ? hide : undefined);
    // Delivery is synchronous: once it starts, the deadline can no longer cut it in half.
    clearTimeout(deadline);
    deliver(config, obtained);
    await report(config, obtained, picked, [...accounts]);
  } catch (error) {
    clearTimeout(deadline);
    await fail(error, config, picked, [...accounts]);
  }
}

function parse(read: InputReader): Config {
  const { config, warnings } = parseConfig(read, process.env);
  // The proxy's password, before any line.
  for (const secret of proxySecrets(config.proxy)) core.setSecret(secret);
  for (const warning of warnings) core.warning(warning);
  if (config.awsProfile && !config.overwriteAwsProfile) refuseExistingProfile(config.awsProfile);
  if (config.unsetCurrentCredentials) {
    for (const name of CREDENTIAL_VARIABLES) core.exportVariable(name, '');
  }
  return config;
}

/** action-timeout-s: at the deadline the step fails at once; nothing has been exported yet. */
function startDeadline(seconds: number | undefined): NodeJS.Timeout | undefined {
  if (!seconds) return undefined;
  return setTimeout(() => {
    core.setFailed(`Input 'action-timeout-s' is ${seconds}: the step did not get credentials within ${seconds} seconds, so it stopped and exported nothing`);
    process.exit(1);
  }, seconds * 1000);
}

/** aws-profile must not silently replace a profile the runner already has. */
function refuseExistingProfile(name: string): void {
  const { config, credentials } = sharedFiles(process.env);
  const holder = definesProfile(config.text, name, 'config') ? config : definesProfile(credentials.text, name, 'credentials') ? credentials : undefined;
  if (holder) throw new InputError('aws-profile', `names '${name}', which ${holder.path} already defines; set overwrite-aws-profile: true to replace it`);
}

/** `learnAccounts`: with mask-aws-account-id, told every account STS names, before anything can print it. */
async function obtainAll(config: Config, { targets, tokens }: Picked, agents: Agents, learnAccounts: ((accounts: string[]) => void) | undefined): Promise<Obtained[]> {
  // Ask for the token while the SDK loads. A failure here is dropped: the first attempt asks again and
  // classifies what it gets.
  // The request must leave before the import starts: evaluating the SDK's modules starves the event loop.
  if (tokens) {
    tokens.get(false).catch(() => undefined);
    await requestsLeave();
  }
  const [{ obtain }, { createSts }] = await Promise.all([import('./obtain.ts'), import('./sts.ts')]);
  const client = createSts({ region: config.region, endpoint: config.stsEndpoint, agents });
  const sts = learnAccounts ? reportingAccounts(client, learnAccounts) : client;
  // The SDK's first-use work and the STS connection, done while the token is on its way rather than after it arrives.
  if (tokens) void sts.prepare();
  try {
    return await obtain(targets, { sts, settings: config, onRetry: logRetry, onNotice: (message) => core.notice(message) });
  } finally {
    sts.destroy();
  }
}

/** Mask first, then hand out: environment, outputs, profiles. Works from what was obtained, whatever its source. */
function deliver(config: Config, obtained: Obtained[]): void {
  const environment = obtained.find((o) => o.target.environment);
  const profiles = obtained.flatMap(({ target, value }) => (target.profile && isCredentials(value) ? [{ target, credentials: value }] : []));
  for (const { credentials: c } of profiles) {
    for (const secret of [c.accessKeyId, c.secretAccessKey, c.sessionToken, ...(config.maskAccountId ? [c.accountId] : [])]) if (secret) core.setSecret(secret);
  }
  const plan = environment ? planExport(environment.value, config) : undefined;
  for (const secret of plan?.secrets ?? []) core.setSecret(secret);
  if (profiles.length > 0) core.exportVariable('AWS_CONFIG_FILE', writeProfiles(config, profiles));
  if (plan) {
    for (const [name, value] of Object.entries(plan.env)) core.exportVariable(name, value);
    for (const [name, value] of Object.entries(plan.outputs)) core.setOutput(name, value);
    core.saveState(STATE.exported, JSON.stringify(Object.keys(plan.env).filter((name) => (CREDENTIAL_VARIABLES as readonly string[]).includes(name))));
  } else {
    core.exportVariable('AWS_REGION', config.region);
    core.exportVariable('AWS_DEFAULT_REGION', config.region);
  }
  // As configure-aws-credentials does: aws-profile becomes the default profile only with environment credentials.
  if (config.awsProfile && config.outputEnvCredentials) core.exportVariable('AWS_PROFILE', config.awsProfile);
}

async function report(config: Config, obtained: Obtained[], { tokens }: Picked, accounts: string[]): Promise<void> {
  for (const { target, value } of obtained) {
    const until = isCredentials(value) && value.expiration ? `, valid until ${value.expiration.toISOString()}` : '';
    info(`${target.roleArn ? 'Assumed' : 'Using'} ${value.arn}${target.profile ? ` as profile ${target.profile}` : ''} (from ${target.source.label})${until}`);
  }
  await writeSummary(
    successSummary({
      assumed: obtained.map(({ target, value }) => ({
        profile: target.profile,
        roleArn: target.roleArn ?? value.arn,
        accountId: value.accountId,
        expiration: target.profile && target.refreshable && config.profileCredentials === 'refresh' ? 'refreshed' : isCredentials(value) ? value.expiration : undefined,
      })),
      sessionName: config.sessionName,
      claims: tokens?.last?.claims,
      attempts: obtained.reduce((sum, o) => sum + o.attempts, 0),
      hidden: config.maskAccountId ? accounts : [],
    }),
  );
}

async function fail(error: unknown, config: Config | undefined, picked: Picked | undefined, accounts: string[]): Promise<void> {
  const failed = error instanceof TargetFailure ? error.target : undefined;
  const diagnosis = diagnose(error instanceof TargetFailure ? error.cause : error, {
    roleArn: failed?.roleArn ?? config?.roleArn,
    audience: config?.audience ?? 'sts.amazonaws.com',
    durationSeconds: config?.durationSeconds ?? 3600,
    roleChaining: failed !== undefined && failed.environment && config?.roleChaining === true,
    assumeRole: failed?.source.call === 'AssumeRole' && config ? { signer: failed.source.label, sessionTags: config.sessionTags.length > 0, externalId: config.externalId !== undefined } : undefined,
    claims: picked?.tokens?.last?.claims,
    now: Date.now(),
    proxy: config?.proxy,
    tokenFromFile: config?.tokenFile !== undefined,
  });
  core.setFailed(render(diagnosis));
  await writeSummary(failureSummary(diagnosis, picked?.tokens?.last?.claims, accounts));
}

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.code ? `${e.code}: ${e.message ?? ''}` : (e.message ?? String(error));
}

/**
 * A line for the log. What it quotes (STS's answers and error messages) may hold a line break, and a line
 * that begins with "::" is a workflow command to the runner (::stop-commands:: would print every later
 * ::add-mask:: in clear): so one line, always.
 */
function info(line: string): void {
  core.info(line.replace(/[\r\n]+/g, ' '));
}

function logRetry({ error, attempt, delayMs }: RetryEvent): void {
  info(`Attempt ${attempt} failed (${describe(error)}); retrying in ${delayMs} ms`);
}

interface SharedFile {
  path: string;
  /** Empty when the file does not exist. */
  text: string;
}

/** The shared config and credentials files the runner has, whose profiles must stay usable. */
function sharedFiles(env: NodeJS.ProcessEnv): { config: SharedFile; credentials: SharedFile } {
  const read = (file: string): SharedFile => {
    try {
      return { path: file, text: readFileSync(file, 'utf8') };
    } catch {
      return { path: file, text: '' };
    }
  };
  return {
    config: read(env.AWS_CONFIG_FILE || path.join(os.homedir(), '.aws', 'config')),
    credentials: read(env.AWS_SHARED_CREDENTIALS_FILE || path.join(os.homedir(), '.aws', 'credentials')),
  };
}

/**
 * Writes the profiles' config file: web identity profiles refreshed by the helper (with its settings and
 * a warm cache), the others (profile-credentials: static, or aws-profile with keys) written as they are.
 * Returns its path.
 */
function writeProfiles(config: Config, profiles: { target: Target; credentials: Credentials }[]): string {
  const dir = createPrivateDir(process.env.RUNNER_TEMP);
  // Recorded before anything is written, so the post step removes it whatever happens next.
  core.saveState(STATE.files, JSON.stringify([dir]));
  const shared = sharedFiles(process.env);
  // Post points AWS_CONFIG_FILE back here, so that later post steps find the config they had.
  core.saveState(STATE.configFile, shared.config.path);
  const named = (list: typeof profiles) => list.map((p) => ({ name: p.target.profile ?? '', roleArn: p.target.roleArn ?? '' }));
  const refreshed = config.profileCredentials === 'refresh' ? profiles.filter((p) => p.target.refreshable) : [];
  const written = profiles.filter((p) => !refreshed.includes(p));
  let text = shared.config.text;
  const replaced: string[] = [];
  if (refreshed.length > 0) {
    const settings = helperSettingsFile(dir);
    writeSecretFile(settings, JSON.stringify({ ...helperSettings(config), roles: Object.fromEntries(named(refreshed).map((p) => [p.name, p.roleArn])) }));
    for (const { target, credentials } of refreshed) writeSecretFile(helperPaths(dir, target.profile ?? '').cache, cacheEntry(credentials, Date.now()));
    const helper = path.join(path.dirname(fileURLToPath(import.meta.url)), 'credential-process.cjs');
    const rendered = renderConfig(text, named(refreshed), config.region, { kind: 'refresh', node: process.execPath, helper, settings });
    ({ text } = rendered);
    replaced.push(...rendered.replaced);
  }
  if (written.length > 0) {
    const credentials = new Map(written.map((p) => [p.target.profile ?? '', p.credentials]));
    const rendered = renderConfig(text, named(written), config.region, { kind: 'static', credentials });
    ({ text } = rendered);
    replaced.push(...rendered.replaced);
  }
  for (const section of replaced) core.warning(`${config.awsProfile !== undefined && section === sectionName(config.awsProfile) ? 'aws-profile' : 'profiles'} replaces the section [${section}] of your existing AWS config`);
  if (config.awsProfile && definesProfile(shared.credentials.text, config.awsProfile, 'credentials')) {
    // Reached only with overwrite-aws-profile: the shared credentials file's keys would win over ours.
    const copy = path.join(dir, 'credentials');
    writeSecretFile(copy, withoutCredentials(shared.credentials.text, config.awsProfile));
    // Post points it back too: the copy goes with the folder.
    core.saveState(STATE.credentialsFile, shared.credentials.path);
    core.exportVariable('AWS_SHARED_CREDENTIALS_FILE', copy);
    core.warning(`aws-profile replaces the section [${config.awsProfile}] of ${shared.credentials.path}`);
  }
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
