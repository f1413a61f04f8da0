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
import { InputError } from './errors.ts';
import { CREDENTIAL_VARIABLES, planExport } from './export.ts';
import { createPrivateDir, writeSecretFile } from './files.ts';
import { createAgents, requestsLeave, type Agents } from './http.ts';
import { TargetFailure, type Obtained } from './obtain.ts';
import { findProfile, parseAwsFile, withoutProfiles, type FileKind } from './aws-config-file.ts';
import { credentialLines, helperPaths, helperSettings, helperSettingsFile, cacheEntry, ownSettings, renderConfig, type ProfileSection } from './profiles.ts';
import { proxySecrets } from './proxy.ts';
import type { RetryEvent } from './retry.ts';
import { chainCheck, pickSources, type Picked, type Target } from './sources/pick.ts';
import { isCredentials } from './sources/source.ts';
import { STATE } from './state.ts';
import { chosenEndpoint } from './sts-endpoint.ts';
import type { Credentials, Sts } from './sts.ts';
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
    // Decided once, before any call: the step and the credential helper send the token only there.
    const stsEndpoint = chosenEndpoint(config.stsEndpoint, process.env);
    const obtained = await obtainAll(config, picked, agents, stsEndpoint, config.maskAccountId ? hide : undefined);
    // Delivery is synchronous: once it starts, the deadline can no longer cut it in half.
    clearTimeout(deadline);
    deliver(config, obtained, stsEndpoint);
    await report(config, obtained, [...accounts]);
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
  for (const file of [config, credentials]) {
    const section = findProfile(parseAwsFile(file.text, file.kind), name);
    if (section) throw new InputError('aws-profile', `names '${name}', which ${file.path} already defines (line ${section.line}: ${section.header}); set overwrite-aws-profile: true to replace it`);
  }
}

/** `learnAccounts`: with mask-aws-account-id, told every account STS names, before anything can print it. */
async function obtainAll(config: Config, { targets }: Picked, agents: Agents, stsEndpoint: string | undefined, learnAccounts: ((accounts: string[]) => void) | undefined): Promise<Obtained[]> {
  // Every target's token source asks at once: one request per audience.
  // Ask for the token while the SDK loads. A failure here is dropped: the first attempt asks again and
  // classifies what it gets.
  // The request must leave before the import starts: evaluating the SDK's modules starves the event loop.
  // A target that first tries the credentials it has (use-existing-credentials) asks for its token only
  // if they fail, as configure-aws-credentials does.
  const early = new Set(targets.flatMap((t) => (t.first || !t.tokens ? [] : [t.tokens])));
  if (early.size > 0) {
    for (const t of early) t.get(false).catch(() => undefined);
    await requestsLeave();
  }
  const [{ obtain }, { createSts }] = await Promise.all([import('./obtain.ts'), import('./sts.ts')]);
  // One client per region: each profile asks its own region's STS endpoint.
  const clients = new Map<string, Sts>();
  const sts = ({ region }: Target): Sts => {
    let client = clients.get(region);
    if (!client) {
      const created = createSts({ region, endpoint: stsEndpoint, agents });
      client = learnAccounts ? reportingAccounts(created, learnAccounts) : created;
      clients.set(region, client);
    }
    return client;
  };
  // The SDK's first-use work and the STS connection, done while the token is on its way rather than after it arrives.
  if (early.size > 0) for (const client of new Set(targets.map(sts))) void client.prepare();
  const options = { sts, settings: config, onRetry: logRetry, onNotice: (message: string) => core.notice(message) };
  try {
    const obtained = await obtain(targets, options);
    // Then each chained profile of the profiles file, with its source's credentials, hop by hop.
    let known = obtained;
    for (let hops = checksReady(config, known); hops.length > 0; hops = checksReady(config, known)) {
      const checked = await obtain(hops, options);
      for (const { value } of checked) if (isCredentials(value)) for (const secret of [value.accessKeyId, value.secretAccessKey, value.sessionToken]) core.setSecret(secret);
      known = [...known, ...checked];
    }
    return obtained;
  } finally {
    for (const client of clients.values()) client.destroy();
  }
}

/** The chained profiles not yet checked whose source profile's credentials are at hand. */
function checksReady(config: Config, known: Obtained[]): Target[] {
  const done = new Set(known.filter((o) => o.target.checkOnly).map((o) => o.target.profile));
  return (config.profilesFile?.chained ?? []).flatMap((profile) => {
    if (done.has(profile.name)) return [];
    const source = known.find((o) => o.target.profile === profile.sourceProfile && isCredentials(o.value))?.value;
    return source && isCredentials(source) ? [chainCheck(config, profile, source)] : [];
  });
}

/** Mask first, then hand out: environment, outputs, profiles. Works from what was obtained, whatever its source. */
function deliver(config: Config, obtained: Obtained[], stsEndpoint: string | undefined): void {
  const environment = obtained.find((o) => o.target.environment);
  const profiles = obtained.flatMap(({ target, value }) => (target.profile && isCredentials(value) ? [{ target, credentials: value }] : []));
  for (const { credentials: c } of profiles) {
    for (const secret of [c.accessKeyId, c.secretAccessKey, c.sessionToken, ...(config.maskAccountId ? [c.accountId] : [])]) if (secret) core.setSecret(secret);
  }
  const plan = environment ? planExport(environment.value, config) : undefined;
  for (const secret of plan?.secrets ?? []) core.setSecret(secret);
  // Every file is written before anything is exported: a failed write leaves the job as it was.
  const files = profiles.length > 0 || config.profilesFile ? writeProfiles(config, profiles, stsEndpoint) : {};
  for (const [name, value] of Object.entries(files)) core.exportVariable(name, value);
  if (plan) {
    for (const [name, value] of Object.entries(plan.env)) core.exportVariable(name, value);
    for (const [name, value] of Object.entries(plan.outputs)) core.setOutput(name, value);
    core.saveState(STATE.exported, JSON.stringify(Object.keys(plan.env).filter((name) => (CREDENTIAL_VARIABLES as readonly string[]).includes(name))));
  } else {
    // Every client prefers these variables to a profile's own region: profiles with regions of their own
    // would all be sent to aws-region's.
    const own = [...config.profiles, ...(config.profilesFile?.chained ?? [])].filter((p) => p.region !== undefined && p.region !== config.region).map((p) => p.name);
    if (own.length === 0) {
      core.exportVariable('AWS_REGION', config.region);
      core.exportVariable('AWS_DEFAULT_REGION', config.region);
    } else {
      core.info(`AWS_REGION and AWS_DEFAULT_REGION are not exported: clients would prefer them to the regions of profiles ${own.join(', ')}`);
    }
  }
  // As configure-aws-credentials does: aws-profile becomes the default profile only with environment credentials.
  if (config.awsProfile && config.outputEnvCredentials) {
    // Post sets it back, so that the post steps of earlier actions do not look for a removed profile.
    core.saveState(STATE.profile, JSON.stringify(process.env.AWS_PROFILE ?? null));
    core.exportVariable('AWS_PROFILE', config.awsProfile);
  }
}

/** Reports the source that obtained each set of credentials: with use-existing-credentials, not always the target's. */
async function report(config: Config, obtained: Obtained[], accounts: string[]): Promise<void> {
  for (const { target, source, value } of obtained) {
    const until = isCredentials(value) && value.expiration ? `, valid until ${value.expiration.toISOString()}` : '';
    info(`${source.call === 'GetCallerIdentity' ? 'Using' : 'Assumed'} ${value.arn}${target.profile ? ` as profile ${target.profile}` : ''} (from ${source.label})${until}`);
  }
  // The claims of a token some role was assumed with, if any was.
  const presented = obtained.find(({ source }) => source.call === 'AssumeRoleWithWebIdentity');
  await writeSummary(
    successSummary({
      assumed: obtained.map(({ target, source, value }) => ({
        profile: target.profile,
        roleArn: source.call === 'GetCallerIdentity' ? value.arn : (target.roleArn ?? value.arn),
        accountId: value.accountId,
        expiration: target.profile && target.refreshable && config.profileCredentials === 'refresh' ? 'refreshed' : isCredentials(value) ? value.expiration : undefined,
      })),
      sessionName: config.sessionName,
      claims: presented?.target.tokens?.last?.claims,
      attempts: obtained.reduce((sum, o) => sum + o.attempts, 0),
      hidden: config.maskAccountId ? accounts : [],
    }),
  );
}

async function fail(error: unknown, config: Config | undefined, picked: Picked | undefined, accounts: string[]): Promise<void> {
  const failed = error instanceof TargetFailure ? error.target : undefined;
  // A profile's own audience, duration and token explain its refusal.
  const own = config?.profiles.find((p) => failed?.profile !== undefined && p.name === failed.profile && !failed.checkOnly);
  const claims = (failed?.tokens ?? picked?.tokens)?.last?.claims;
  // Only a failure needs the diagnosis and the IAM evaluator behind it: not loaded before the token request.
  const { diagnose, render } = await import('./diagnose.ts');
  const diagnosis = diagnose(error instanceof TargetFailure ? error.cause : error, {
    roleArn: failed?.roleArn ?? config?.roleArn,
    audience: own?.audience ?? config?.audience ?? 'sts.amazonaws.com',
    durationSeconds: own?.durationSeconds ?? config?.durationSeconds ?? 3600,
    roleChaining: failed !== undefined && ((failed.environment && config?.roleChaining === true) || failed.checkOnly === true),
    // A chain's check sends no session tags and the profile's own external ID.
    assumeRole: failed?.source.call === 'AssumeRole' && config ? { signer: failed.source.label, sessionTags: !failed.checkOnly && config.sessionTags.length > 0, externalId: (failed.checkOnly ? config.profilesFile?.chained.find((c) => c.name === failed.profile)?.externalId : config.externalId) !== undefined } : undefined,
    claims,
    now: Date.now(),
    proxy: config?.proxy,
    tokenFromFile: config?.tokenFile !== undefined,
  });
  core.setFailed(render(diagnosis));
  await writeSummary(failureSummary(diagnosis, claims, accounts));
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
  kind: FileKind;
  /** Empty when the file does not exist. */
  text: string;
}

/** The shared config and credentials files the runner has, whose profiles must stay usable. */
function sharedFiles(env: NodeJS.ProcessEnv): { config: SharedFile; credentials: SharedFile } {
  const read = (file: string, kind: FileKind): SharedFile => {
    try {
      return { path: file, kind, text: readFileSync(file, 'utf8') };
    } catch {
      return { path: file, kind, text: '' };
    }
  };
  return {
    config: read(env.AWS_CONFIG_FILE || path.join(os.homedir(), '.aws', 'config'), 'config'),
    credentials: read(env.AWS_SHARED_CREDENTIALS_FILE || path.join(os.homedir(), '.aws', 'credentials'), 'credentials'),
  };
}

/**
 * Writes the profiles' config file: web identity profiles refreshed by the helper (with its settings and
 * a warm cache), the others (profile-credentials: static, or aws-profile with keys) written as they are;
 * and, when the runner's shared credentials file holds any of those profiles, a copy without them (its
 * keys would win over ours in every client). Returns the variables to export, once all is written.
 */
function writeProfiles(config: Config, profiles: { target: Target; credentials: Credentials }[], stsEndpoint: string | undefined): Record<string, string> {
  const dir = createPrivateDir(process.env.RUNNER_TEMP);
  // Recorded before anything is written, so the post step removes it whatever happens next.
  core.saveState(STATE.files, JSON.stringify([dir]));
  const shared = sharedFiles(process.env);
  // Post points AWS_CONFIG_FILE back here, so that later post steps find the config they had.
  core.saveState(STATE.configFile, shared.config.path);
  const refreshed = config.profileCredentials === 'refresh' ? profiles.filter((p) => p.target.refreshable) : [];
  const written = profiles.filter((p) => !refreshed.includes(p));
  const settings = helperSettingsFile(dir);
  if (refreshed.length > 0) {
    writeSecretFile(settings, JSON.stringify(helperSettings(config, refreshed.map(({ target }) => target.profile ?? ''), stsEndpoint)));
    for (const { target, credentials } of refreshed) writeSecretFile(helperPaths(dir, target.profile ?? '').cache, cacheEntry(credentials, Date.now()));
  }
  const helper = path.join(path.dirname(fileURLToPath(import.meta.url)), 'credential-process.cjs');
  const credentials = new Map(written.map((p) => [p.target.profile ?? '', p.credentials]));
  const sections: ProfileSection[] = profiles.map(({ target }) => {
    const profile = target.profile ?? '';
    const source = refreshed.some((p) => p.target === target) ? ({ kind: 'refresh', node: process.execPath, helper, settings } as const) : ({ kind: 'static', credentials } as const);
    const { region, input, carried } = ownSettings(config, profile);
    return { profile, input, body: [`region = ${region}`, ...carried, ...credentialLines(profile, source)] };
  });
  for (const { name, body } of config.profilesFile?.carried ?? []) sections.push({ profile: name, input: 'profiles-file', body });
  const { text, replaced } = renderConfig(shared.config.text, sections);
  for (const { section, by } of replaced) core.warning(`${by.input} replaces the section ${section.header} of your existing AWS config`);
  // Python's configparser hands the keys of [DEFAULT] to every section: botocore reads them into ours too.
  const defaults = parseAwsFile(shared.config.text, 'config').sections.find((s) => s.header.startsWith('[DEFAULT]') && s.entries.length > 0);
  if (defaults) core.warning(`${shared.config.path} line ${defaults.line} has a [DEFAULT] section: botocore (the AWS CLI, boto3) adds its keys (${defaults.entries.map((e) => e.key).join(', ')}) to every profile, these ones too`);
  const exports: Record<string, string> = {};
  const ours = new Set(sections.map((s) => s.profile));
  const { text: credentialsText, removed } = withoutProfiles(shared.credentials.text, 'credentials', ours);
  if (removed.length > 0) {
    const copy = path.join(dir, 'credentials');
    writeSecretFile(copy, credentialsText);
    // Post points it back too: the copy goes with the folder.
    core.saveState(STATE.credentialsFile, shared.credentials.path);
    exports.AWS_SHARED_CREDENTIALS_FILE = copy;
    for (const section of removed) core.warning(`${sections.find((s) => section.botocore === s.profile || section.js === s.profile)?.input ?? 'profiles'} shadows the section ${section.header} of ${shared.credentials.path}, whose keys would win over the profile's role: later steps read a copy without it`);
  }
  const file = path.join(dir, 'config');
  writeSecretFile(file, text);
  exports.AWS_CONFIG_FILE = file;
  return exports;
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
