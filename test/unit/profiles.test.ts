import { describe, expect, it } from '@jest/globals';
import { cacheEntry, credentialLines, freshCredentials, helperSettings, processCredentials, refreshMargin, renderConfig, REFRESH_MARGIN_MS, type ProfileSource } from '../../src/profiles.ts';
import { parseConfig } from '../../src/config.ts';
import { planExport } from '../../src/export.ts';
import type { Credentials } from '../../src/sts.ts';

const creds = (id: string): Credentials => ({
  accessKeyId: `ASIA${id}`,
  secretAccessKey: `secret-${id}`,
  sessionToken: `token-${id}`,
  expiration: new Date('2026-11-22T22:00:00.000Z'),
  arn: 'arn:aws:sts::111111111111:assumed-role/deploy/GitHubActions',
  accountId: '111111111111',
});
const profiles = [
  { name: 'deploy', roleArn: 'arn:aws:iam::111111111111:role/deploy' },
  { name: 'default', roleArn: 'arn:aws:iam::111111111111:role/read' },
];

const sections = (list: typeof profiles, region: string, source: ProfileSource, platform: NodeJS.Platform = 'linux') =>
  list.map((p) => ({ profile: p.name, input: 'profiles' as const, body: [`region = ${region}`, ...credentialLines(p.name, source, platform)] }));

describe('renderConfig', () => {
  it('adds a credential_process profile per line, quoting paths, keeping the rest of the user config', () => {
    const existing = '[profile keep]\nregion = eu-west-1\n\n[default]\nregion = x\n';
    const { text, replaced } = renderConfig(existing, sections(profiles, 'us-east-1', { kind: 'refresh', node: '/opt/node 24/bin/node', helper: '/a/credential-process.js', settings: '/t/settings.json' }));
    expect(replaced.map((r) => [r.section.header, r.by.profile])).toEqual([['[default]', 'default']]);
    expect(text).toBe(
      '[profile keep]\nregion = eu-west-1\n\n' +
        "[profile deploy]\nregion = us-east-1\ncredential_process = '/opt/node 24/bin/node' '/a/credential-process.js' '/t/settings.json' 'deploy'\n\n" +
        "[default]\nregion = us-east-1\ncredential_process = '/opt/node 24/bin/node' '/a/credential-process.js' '/t/settings.json' 'default'\n",
    );
  });

  it('quotes for the platform the action runs on', () => {
    const source = { kind: 'refresh', node: 'C:\\node 24\\node.exe', helper: 'D:\\a\\_actions\\x\\credential-process.cjs', settings: 'D:\\a\\_temp\\s.json' } as const;
    expect(renderConfig('', sections(profiles.slice(0, 1), 'us-east-1', source, 'win32')).text).toContain(
      'credential_process = "C:\\node 24\\node.exe" "D:\\a\\_actions\\x\\credential-process.cjs" "D:\\a\\_temp\\s.json" "deploy"\n',
    );
  });

  it('writes the credentials themselves in static mode', () => {
    const { text } = renderConfig('', sections(profiles.slice(0, 1), 'eu-west-1', { kind: 'static', credentials: new Map([['deploy', creds('A')]]) }));
    expect(text).toBe('[profile deploy]\nregion = eu-west-1\naws_access_key_id = ASIAA\naws_secret_access_key = secret-A\naws_session_token = token-A\n');
  });
});

describe('the helper cache', () => {
  const expiry = Date.parse('2026-11-22T22:00:00.000Z');
  const json = processCredentials(creds('A'));
  const HOUR = 3_600_000;

  it('refreshes early enough that no SDK waits inside its window: botocore from 15 minutes, JS SDK v3 from 5', () => {
    expect(REFRESH_MARGIN_MS).toBeGreaterThan(15 * 60_000);
    const entry = cacheEntry(creds('A'), expiry - HOUR);
    expect(freshCredentials(entry, expiry - REFRESH_MARGIN_MS - 1)).toBe(json);
    expect(freshCredentials(entry, expiry - REFRESH_MARGIN_MS)).toBeUndefined();
    expect(JSON.parse(json)).toEqual({ Version: 1, AccessKeyId: 'ASIAA', SecretAccessKey: 'secret-A', SessionToken: 'token-A', Expiration: '2026-11-22T22:00:00.000Z' });
  });

  it('refreshes a session too short for the full margin halfway, not on every call', () => {
    // role-duration-seconds: 900, the shortest STS issues.
    expect(refreshMargin(900_000)).toBe(450_000);
    expect(refreshMargin(1_800_000)).toBe(900_000);
    expect(refreshMargin(12 * HOUR)).toBe(REFRESH_MARGIN_MS);
    const entry = cacheEntry(creds('A'), expiry - 900_000);
    expect(freshCredentials(entry, expiry - 900_000)).toBe(json);
    expect(freshCredentials(entry, expiry - 450_001)).toBe(json);
    expect(freshCredentials(entry, expiry - 450_000)).toBeUndefined();
  });

  it('treats a missing or malformed entry as due', () => {
    expect(freshCredentials(undefined, 0)).toBeUndefined();
    expect(freshCredentials('', 0)).toBeUndefined();
    expect(freshCredentials(json, 0)).toBeUndefined();
    expect(freshCredentials(`\n${json}`, 0)).toBeUndefined();
    expect(freshCredentials(`soon\n${json}`, 0)).toBeUndefined();
  });
});

describe('helperSettings', () => {
  it('carries every input that shapes a refresh, so later credentials follow the same rules as the first', () => {
    const inputs: Record<string, string> = { 'aws-region': 'eu-west-1', profiles: 'deploy: arn:aws:iam::111111111111:role/deploy', 'special-characters-workaround': 'true', 'allowed-account-ids': '111111111111', 'role-duration-seconds': '900' };
    const { config } = parseConfig((name) => inputs[name] ?? '', {});
    expect(helperSettings(config, ['deploy'], 'https://sts.example.test')).toMatchObject({
      stsEndpoint: 'https://sts.example.test',
      specialCharactersWorkaround: true,
      allowedAccountIds: ['111111111111'],
      profiles: { deploy: { roleArn: 'arn:aws:iam::111111111111:role/deploy', region: 'eu-west-1', durationSeconds: 900, audience: 'sts.amazonaws.com', sessionName: 'GitHubActions' } },
    });
  });

  it("carries each profile's own settings, and the step's for aws-profile", () => {
    const inputs: Record<string, string> = {
      'aws-region': 'eu-west-1',
      'role-to-assume': 'arn:aws:iam::111111111111:role/main',
      'aws-profile': 'main',
      profiles: 'deploy: arn:aws:iam::111111111111:role/deploy region=us-east-2 audience=sigstore duration-seconds=1800 session-name=ship',
    };
    const { config } = parseConfig((name) => inputs[name] ?? '', {});
    expect(helperSettings(config, ['deploy', 'main'], undefined).profiles).toEqual({
      deploy: { roleArn: 'arn:aws:iam::111111111111:role/deploy', region: 'us-east-2', audience: 'sigstore', durationSeconds: 1800, sessionName: 'ship' },
      main: { roleArn: 'arn:aws:iam::111111111111:role/main', region: 'eu-west-1', audience: 'sts.amazonaws.com', durationSeconds: 3600, sessionName: 'GitHubActions' },
    });
  });
});

describe('planExport', () => {
  it('masks every credential, and the account when asked', () => {
    const plan = planExport(creds('A'), { region: 'eu-west-1', maskAccountId: true, outputCredentials: false, outputEnvCredentials: true });
    expect(plan.secrets).toEqual(['ASIAA', 'secret-A', 'token-A', '111111111111']);
    expect(plan.env).toEqual({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'ASIAA', AWS_SECRET_ACCESS_KEY: 'secret-A', AWS_SESSION_TOKEN: 'token-A' });
    expect(plan.outputs).toEqual({ 'aws-account-id': '111111111111', 'authenticated-arn': creds('A').arn, 'aws-expiration': '2026-11-22T22:00:00.000Z' });
  });

  it('puts credentials in outputs only with output-credentials, and in the environment only with output-env-credentials', () => {
    const plan = planExport(creds('B'), { region: 'eu-west-1', maskAccountId: false, outputCredentials: true, outputEnvCredentials: false });
    expect(plan.secrets).toEqual(['ASIAB', 'secret-B', 'token-B']);
    expect(Object.keys(plan.env)).toEqual(['AWS_REGION', 'AWS_DEFAULT_REGION']);
    expect(plan.outputs['aws-secret-access-key']).toBe('secret-B');
  });
});
