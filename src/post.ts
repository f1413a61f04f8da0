// The post step: mask again, blank what main exported, point AWS_CONFIG_FILE (and AWS_SHARED_CREDENTIALS_FILE)
// back, remove every file the action or its credential helper wrote. Cleanup problems are warnings: the post
// step never fails the job.
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { findProfile, parseAwsFile, type FileKind } from './aws-config-file.ts';
import { STATE } from './state.ts';

function readList(name: string): string[] {
  try {
    const value: unknown = JSON.parse(core.getState(name) || '[]');
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * AWS_PROFILE as the job had it. A workflow cannot unset a variable, and botocore takes any value, the
 * empty one too, as a profile that must exist; unset, it reads the default profile. So an unset
 * AWS_PROFILE comes back as 'default' where the job's files define that profile, and otherwise as '',
 * which the JS SDK reads as unset.
 */
function profileBefore(saved: string, configFile: string, credentialsFile: string): string {
  let before: unknown = null;
  try {
    before = JSON.parse(saved);
  } catch {
    // Not ours to restore then.
  }
  if (typeof before === 'string') return before;
  const defines = (file: string, kind: FileKind) => {
    try {
      return findProfile(parseAwsFile(readFileSync(file, 'utf8'), kind), 'default') !== undefined;
    } catch {
      return false;
    }
  };
  const home = path.join(os.homedir(), '.aws');
  return defines(configFile || path.join(home, 'config'), 'config') || defines(credentialsFile || process.env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, 'credentials'), 'credentials') ? 'default' : '';
}

async function run(): Promise<void> {
  for (const name of readList(STATE.exported)) {
    const value = process.env[name];
    if (value) core.setSecret(value);
    core.exportVariable(name, '');
  }
  // The profiles' config file is about to go: later post steps (of actions that ran before ours) read the
  // config the job had before. Unset, it was the default path, which every client reads when unset.
  const configFile = core.getState(STATE.configFile);
  if (configFile) core.exportVariable('AWS_CONFIG_FILE', configFile);
  // Likewise the shared credentials file, when aws-profile replaced it with a copy in that folder.
  const credentialsFile = core.getState(STATE.credentialsFile);
  if (credentialsFile) core.exportVariable('AWS_SHARED_CREDENTIALS_FILE', credentialsFile);
  const profile = core.getState(STATE.profile);
  if (profile) core.exportVariable('AWS_PROFILE', profileBefore(profile, configFile, credentialsFile));
  const temp = path.resolve(process.env.RUNNER_TEMP ?? '/nonexistent');
  for (const file of readList(STATE.files)) {
    // Only ever what main created: a folder of ours directly under RUNNER_TEMP.
    if (path.dirname(path.resolve(file)) !== temp || !path.basename(file).startsWith('oidc-aws-credentials-')) {
      core.warning(`Not removing ${file}: it is not a folder this action created under RUNNER_TEMP`);
      continue;
    }
    try {
      await rm(file, { recursive: true, force: true });
    } catch (error) {
      core.warning(`Could not remove ${file}: ${(error as Error).message}`);
    }
  }
}

try {
  await run();
} catch (error) {
  core.warning(`Cleanup incomplete: ${(error as Error).message}`);
}
