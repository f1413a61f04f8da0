// Profiles the runner already has, in its config and credentials files, as botocore (boto3) and the JS
// SDK read them: ours must win in both, whatever form the user's headers take; and what the action
// leaves behind (the variables it exported) must be the job's own again after the post step.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { findClients, run } from '../standins/clients.ts';
import { findLeaks } from '../standins/leaks.ts';
import { ROOT, type Job, type StepResult } from '../standins/runner.ts';
import { ACCOUNT, OTHER_ACCOUNT, roleArn, startWorld, twoAccounts, type World } from '../standins/world.ts';

jest.setTimeout(180_000);

const clients = findClients();
const WHOAMI = path.join(ROOT, 'test/standins/whoami.ts');
const DEPLOY = `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/GitHubActions`;
const AUDIT = `arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/audit/GitHubActions`;
const PROFILES = `deploy: ${roleArn('deploy')}\naudit: ${roleArn('audit', OTHER_ACCOUNT)}\ndefault: ${roleArn('deploy')}\n`;
// Long-term keys of an IAM user the emulator does not know: a client that uses them gets an error, not our role.
const OLD_KEYS = 'aws_access_key_id = AKIAOLDKEYSOFTHERUNNER\naws_secret_access_key = old-secret\n';

let world: World;
const scanned: StepResult[] = [];

beforeEach(async () => {
  world = await startWorld({ accounts: twoAccounts() });
  scanned.length = 0;
});

afterEach(async () => {
  try {
    expect(findLeaks(scanned, world.issuer, world.sts)).toEqual([]);
  } finally {
    await world.close();
  }
});

async function main(job: Job, inputs: Record<string, string>, env: Record<string, string> = {}): Promise<StepResult> {
  const result = await job.main({ 'aws-region': 'us-east-1', ...inputs }, env);
  scanned.push(result);
  return result;
}

/** What the JS SDK (fromIni) resolves each profile to. */
async function jsSdk(job: Job, ...profiles: string[]): Promise<Record<string, string>> {
  const step = await job.node([WHOAMI, ...profiles]);
  scanned.push(step);
  return JSON.parse(step.stdout) as Record<string, string>;
}

/** What boto3 resolves each profile to. */
async function boto3(job: Job, ...profiles: string[]): Promise<Record<string, string>> {
  const code = [
    'import json, sys, boto3',
    'out = {}',
    'for p in sys.argv[2:]:',
    '    try:',
    '        out[p] = boto3.Session(profile_name=p).client("sts", endpoint_url=sys.argv[1], region_name="us-east-1").get_caller_identity()["Arn"]',
    '    except Exception as e:',
    '        out[p] = "ERROR: " + type(e).__name__',
    'print(json.dumps(out))',
  ].join('\n');
  const ran = await run([...(clients.boto3 ?? []), '-c', code, world.sts.url, ...profiles], job.env);
  return JSON.parse(ran.stdout) as Record<string, string>;
}

const withBoto3 = clients.boto3 ? it : it.skip;

describe("the runner's config file, with headers the clients accept in any form", () => {
  const USER_CONFIG = [
    '[profile keep]',
    'region = eu-west-1',
    '[profile deploy] # the old deploy role',
    'region = ap-south-1',
    '[profile  audit]',
    'region = ap-south-1',
    '[profile "audit"]',
    `role_arn = ${roleArn('someone-else', OTHER_ACCOUNT)}`,
    'source_profile = keep',
    '[profile default]',
    'region = ap-south-1',
    '',
  ].join('\n');

  async function setUp(): Promise<Job> {
    const job = await world.job();
    const config = path.join(job.workspace, 'aws-config');
    writeFileSync(config, USER_CONFIG);
    const result = await main(job, { profiles: PROFILES }, { AWS_CONFIG_FILE: config });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([
      'profiles replaces the section [profile deploy] # the old deploy role of your existing AWS config',
      'profiles replaces the section [profile  audit] of your existing AWS config',
      'profiles replaces the section [profile "audit"] of your existing AWS config',
      'profiles replaces the section [profile default] of your existing AWS config',
    ]);
    return job;
  }

  it('every profile resolves to its role in the JS SDK; the others stay', async () => {
    const job = await setUp();
    expect(await jsSdk(job, 'deploy', 'audit', 'default')).toEqual({ deploy: DEPLOY, audit: AUDIT, default: DEPLOY });
    const written = readFileSync(job.env.AWS_CONFIG_FILE ?? '', 'utf8');
    expect(written).toContain('[profile keep]\nregion = eu-west-1');
    expect(written).not.toContain('ap-south-1');
  });

  withBoto3('every profile resolves to its role in boto3 (no ConfigParseError)', async () => {
    const job = await setUp();
    expect(await boto3(job, 'deploy', 'audit', 'default')).toEqual({ deploy: DEPLOY, audit: AUDIT, default: DEPLOY });
  });

  it('aws-profile refuses a profile the file defines under any header the clients accept', async () => {
    for (const header of ['[profile deploy] # note', '[profile  deploy]', '[profile "deploy"]']) {
      const job = await world.job();
      const config = path.join(job.workspace, 'aws-config');
      writeFileSync(config, `${header}\nregion = ap-south-1\n`);
      const result = await main(job, { 'role-to-assume': roleArn('deploy'), 'aws-profile': 'deploy' }, { AWS_CONFIG_FILE: config });
      expect(result.errors).toEqual([`Input 'aws-profile' names 'deploy', which ${config} already defines (line 1: ${header}); set overwrite-aws-profile: true to replace it`]);
      expect(result.exported).toEqual({});
    }
  });

  it('warns of a [DEFAULT] section, whose keys botocore adds to every profile', async () => {
    const job = await world.job();
    const config = path.join(job.workspace, 'aws-config');
    writeFileSync(config, '[DEFAULT]\nrole_arn = arn:aws:iam::111111111111:role/old\n');
    const result = await main(job, { profiles: PROFILES }, { AWS_CONFIG_FILE: config });
    expect(result.warnings).toEqual([`${config} line 1 has a [DEFAULT] section: botocore (the AWS CLI, boto3) adds its keys (role_arn) to every profile, these ones too`]);
  });
});

describe("the runner's credentials file", () => {
  async function withOldKeys(): Promise<Job> {
    const job = await world.job();
    mkdirSync(path.join(job.env.HOME ?? '', '.aws'));
    writeFileSync(path.join(job.env.HOME ?? '', '.aws', 'credentials'), `[deploy]\n${OLD_KEYS}[keep]\n${OLD_KEYS}`);
    return job;
  }

  it('a profile it also holds keys for resolves to the role, in the JS SDK; post points the variable back', async () => {
    const job = await withOldKeys();
    const result = await main(job, { profiles: PROFILES });
    expect(result.errors).toEqual([]);
    const copy = result.exported.AWS_SHARED_CREDENTIALS_FILE ?? '';
    expect(path.dirname(copy)).toBe(path.dirname(result.exported.AWS_CONFIG_FILE ?? ''));
    expect(result.warnings).toEqual([
      `profiles shadows the section [deploy] of ${path.join(job.env.HOME ?? '', '.aws', 'credentials')}, whose keys would win over the profile's role: later steps read a copy without it`,
    ]);
    expect(readFileSync(copy, 'utf8')).toBe(`[keep]\n${OLD_KEYS}`);
    expect(await jsSdk(job, 'deploy')).toEqual({ deploy: DEPLOY });
    const post = await job.post();
    scanned.push(post);
    expect(post.exported.AWS_SHARED_CREDENTIALS_FILE).toBe(path.join(job.env.HOME ?? '', '.aws', 'credentials'));
  });

  withBoto3('a profile it also holds keys for resolves to the role, in boto3', async () => {
    const job = await withOldKeys();
    expect((await main(job, { profiles: PROFILES })).errors).toEqual([]);
    expect(await boto3(job, 'deploy')).toEqual({ deploy: DEPLOY });
  });

  it('a failed write exports nothing, not even the credentials copy written before it', async () => {
    const job = await withOldKeys();
    // The config file's rename fails, as on a full disk; the credentials copy was written before it.
    const hook = path.join(job.temp, '..', 'enospc.mjs');
    writeFileSync(hook, "import fs from 'node:fs';\nconst rename = fs.renameSync;\nfs.renameSync = (from, to) => { if (String(to).endsWith('/config')) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }); return rename(from, to); };\n");
    const result = await main(job, { 'role-to-assume': roleArn('deploy'), 'aws-profile': 'deploy', 'overwrite-aws-profile': 'true' }, { NODE_OPTIONS: `--import ${hook}` });
    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toContain('ENOSPC');
    expect(result.exported).toEqual({});
  });
});

describe('profile names the JS SDK cannot hold', () => {
  it.each(['__proto__', 'constructor', 'toString'])('%s is an input error naming the line', async (name) => {
    const job = await world.job();
    const result = await main(job, { profiles: `ok: ${roleArn('deploy')}\n${name}: ${roleArn('deploy')}` });
    expect(result.errors).toEqual([`Input 'profiles' line 2 ('${name}: ${roleArn('deploy')}') has an invalid profile name: '${name}' is a property of every JavaScript object, which the JS SDK (CDK, every JS tool) cannot hold as a profile`]);
    expect(result.exported).toEqual({});
    expect(world.sts.calls).toEqual([]);
  });
});

describe('the post step gives AWS_PROFILE back', () => {
  const inputs = { 'role-to-assume': roleArn('deploy'), 'aws-profile': 'x', 'output-env-credentials': 'true' };

  it('as it was', async () => {
    const job = await world.job({ AWS_PROFILE: 'mine' });
    expect((await main(job, inputs)).exported.AWS_PROFILE).toBe('x');
    const post = await job.post();
    scanned.push(post);
    expect(post.exported.AWS_PROFILE).toBe('mine');
  });

  it("unset, as 'default' where the job's config has it, which botocore then resolves", async () => {
    const job = await world.job();
    mkdirSync(path.join(job.env.HOME ?? '', '.aws'));
    writeFileSync(path.join(job.env.HOME ?? '', '.aws', 'config'), '[default]\nregion = eu-west-3\n');
    await main(job, inputs);
    const post = await job.post();
    scanned.push(post);
    expect(post.exported.AWS_PROFILE).toBe('default');
    if (clients.boto3) expect((await run([...clients.boto3, '-c', 'import boto3; print(boto3.Session()._session.get_scoped_config()["region"])'], job.env)).stdout.trim()).toBe('eu-west-3');
  });

  it("unset and no default profile: '', which the JS SDK reads as unset", async () => {
    const job = await world.job();
    await main(job, inputs);
    const post = await job.post();
    scanned.push(post);
    expect(post.exported.AWS_PROFILE).toBe('');
  });
});
