import { describe, expect, it } from '@jest/globals';
import { parseBoolean, parseConfig, parseProfiles, sanitizeSessionName, type InputName } from '../../src/config.ts';
import { InputError } from '../../src/errors.ts';

const ROLE = 'arn:aws:iam::111111111111:role/deploy';

function parse(inputs: Partial<Record<InputName, string>>, env: Record<string, string> = {}) {
  return parseConfig((name) => inputs[name] ?? '', { GITHUB_WORKSPACE: '/work/space', ...env });
}

function refusal(inputs: Partial<Record<InputName, string>>, env: Record<string, string> = {}): InputError {
  try {
    parse(inputs, env);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

const base = { 'aws-region': 'eu-west-1', 'role-to-assume': ROLE };

describe('parseConfig', () => {
  it('applies the same defaults as configure-aws-credentials', () => {
    const { config, warnings } = parse(base);
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({
      region: 'eu-west-1',
      roleArn: ROLE,
      sessionName: 'GitHubActions',
      durationSeconds: 3600,
      audience: 'sts.amazonaws.com',
      tokenFile: undefined,
      roleChaining: false,
      outputEnvCredentials: true,
      outputCredentials: false,
      maskAccountId: false,
      maxAttempts: 12,
      managedSessionPolicies: [],
      allowedAccountIds: [],
      profiles: [],
      profileCredentials: 'refresh',
      staticKeys: undefined,
      forceSkipOidc: false,
      useExistingCredentials: false,
      customTags: [],
      transitiveTagKeys: [],
      externalId: undefined,
      specialCharactersWorkaround: false,
      timeoutSeconds: undefined,
      awsProfile: undefined,
      overwriteAwsProfile: false,
    });
  });

  it.each([
    [{ 'aws-region': '' }, 'aws-region', 'is required'],
    [{ 'aws-region': 'useast1' }, 'aws-region', "'useast1'"],
    [{ 'role-to-assume': 'arn:aws:iam::1111:role/deploy' }, 'role-to-assume', 'not a role ARN'],
    [{ 'role-to-assume': 'deploy' }, 'role-to-assume', "'deploy'"],
    [{ 'role-duration-seconds': 'an hour' }, 'role-duration-seconds', "'an hour'"],
    [{ 'role-duration-seconds': '60' }, 'role-duration-seconds', 'from 900 to 43200, got 60'],
    [{ 'role-duration-seconds': '50000' }, 'role-duration-seconds', 'got 50000'],
    [{ 'inline-session-policy': '{"Version": ' }, 'inline-session-policy', 'not valid JSON'],
    [{ 'inline-session-policy': '[1]' }, 'inline-session-policy', 'JSON policy object'],
    [{ 'managed-session-policies': 'arn:aws:iam::aws:policy/ReadOnlyAccess\nReadOnly' }, 'managed-session-policies', "'ReadOnly'"],
    [{ 'allowed-account-ids': '111111111111, 12' }, 'allowed-account-ids', "'12'"],
    [{ 'retry-max-attempts': '0' }, 'retry-max-attempts', 'from 1 to 100'],
    [{ 'disable-retry': 'yes' }, 'disable-retry', "got 'yes'"],
    [{ 'output-credentials': 'on' }, 'output-credentials', "got 'on'"],
    [{ 'sts-endpoint': 'sts.local' }, 'sts-endpoint', 'http(s) URL'],
    [{ 'http-proxy': 'ftp://proxy' }, 'http-proxy', 'http(s) URL'],
    [{ 'profile-credentials': 'sometimes' }, 'profile-credentials', "'refresh' or 'static'"],
  ])('refuses %o naming %s', (inputs, input, problem) => {
    const error = refusal({ ...base, ...inputs } as Partial<Record<InputName, string>>);
    expect(error.input).toBe(input);
    expect(error.message).toContain(`Input '${input}'`);
    expect(error.message).toContain(problem);
  });

  it('accepts YAML 1.2 core booleans and nothing else', () => {
    for (const yes of ['true', 'True', 'TRUE']) expect(parseBoolean('x', yes, false)).toBe(true);
    for (const no of ['false', 'False', 'FALSE']) expect(parseBoolean('x', no, true)).toBe(false);
    expect(parseBoolean('x', '', true)).toBe(true);
    for (const other of ['yes', 'on', '1', 'tRUE']) expect(() => parseBoolean('x', other, false)).toThrow(InputError);
  });

  it('sanitises the session name with a warning', () => {
    const { config, warnings } = parse({ ...base, 'role-session-name': 'deploy #42 (main)' });
    expect(config.sessionName).toBe('deploy__42__main_');
    expect(warnings[0]).toContain("using 'deploy__42__main_'");
    expect(sanitizeSessionName('x')).toBe('x_');
    expect(sanitizeSessionName('a'.repeat(80))).toHaveLength(64);
  });

  it('resolves a relative token file from the workspace', () => {
    expect(parse({ ...base, 'web-identity-token-file': 'tokens/jwt' }).config.tokenFile).toBe('/work/space/tokens/jwt');
    expect(parse({ ...base, 'web-identity-token-file': '/var/run/token' }).config.tokenFile).toBe('/var/run/token');
  });

  it('disable-retry means a single attempt', () => {
    expect(parse({ ...base, 'disable-retry': 'true', 'retry-max-attempts': '5' }).config.maxAttempts).toBe(1);
    expect(parse({ ...base, 'retry-max-attempts': '5' }).config.maxAttempts).toBe(5);
  });

  it('role chaining needs credentials in the environment, an hour at most, and current credentials kept', () => {
    expect(refusal({ ...base, 'role-chaining': 'true' }).input).toBe('role-chaining');
    const env = { AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 'secret' };
    expect(parse({ ...base, 'role-chaining': 'true' }, env).config.roleChaining).toBe(true);
    expect(refusal({ ...base, 'role-chaining': 'true', 'role-duration-seconds': '7200' }, env).message).toContain('caps role chaining at 3600');
    expect(refusal({ ...base, 'role-chaining': 'true', 'unset-current-credentials': 'true' }, env).input).toBe('unset-current-credentials');
  });

  it('takes the proxy from the input, then HTTPS_PROXY, and NO_PROXY from the environment', () => {
    expect(parse({ ...base, 'http-proxy': 'http://proxy:3128' }, { HTTPS_PROXY: 'http://other:1' }).config.proxy).toBe('http://proxy:3128');
    const { config } = parse(base, { HTTPS_PROXY: 'http://other:1', NO_PROXY: '.internal' });
    expect(config.proxy).toBe('http://other:1');
    expect(config.noProxy).toBe('.internal');
  });

  it('splits managed policies by line and account IDs by comma', () => {
    const { config } = parse({
      ...base,
      'managed-session-policies': 'arn:aws:iam::aws:policy/ReadOnlyAccess\n\n  arn:aws:iam::111111111111:policy/limits  \n',
      'allowed-account-ids': '111111111111, 222222222222',
    });
    expect(config.managedSessionPolicies).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::111111111111:policy/limits']);
    expect(config.allowedAccountIds).toEqual(['111111111111', '222222222222']);
  });
});

const KEYS = { 'aws-access-key-id': 'AKIAIOSFODNN7EXAMPLE', 'aws-secret-access-key': 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const GITHUB_ENV = { GITHUB_REPOSITORY: 'acme/webapp', GITHUB_WORKFLOW: 'Deploy', GITHUB_ACTION: '__run', GITHUB_ACTOR: 'octocat', GITHUB_SHA: 'abc', GITHUB_REF: 'refs/heads/main' };

describe('the inputs of configure-aws-credentials v6', () => {
  it('static keys: all or nothing, never echoed', () => {
    expect(parse({ ...base, ...KEYS, 'aws-session-token': 'tok' }).config.staticKeys).toEqual({ accessKeyId: KEYS['aws-access-key-id'], secretAccessKey: KEYS['aws-secret-access-key'], sessionToken: 'tok' });
    expect(refusal({ ...base, 'aws-access-key-id': KEYS['aws-access-key-id'] }).input).toBe('aws-secret-access-key');
    const noId = refusal({ ...base, 'aws-secret-access-key': KEYS['aws-secret-access-key'] });
    expect(noId.input).toBe('aws-access-key-id');
    expect(noId.message).not.toContain(KEYS['aws-secret-access-key']);
    expect(refusal({ ...base, 'aws-session-token': 'tok' }).input).toBe('aws-session-token');
    expect(refusal({ ...base, ...KEYS, 'aws-access-key-id': 'not a key' }).message).not.toContain('not a key');
  });

  it.each([
    [{ ...KEYS, 'role-chaining': 'true' }, 'aws-access-key-id', 'role-chaining'],
    [{ ...KEYS, 'web-identity-token-file': 't.jwt' }, 'aws-access-key-id', 'web-identity-token-file'],
    [{ 'force-skip-oidc': 'true' }, 'force-skip-oidc', 'aws-access-key-id'],
    [{ 'role-skip-session-tagging': 'true', 'custom-tags': '{"a":"b"}' }, 'custom-tags', 'role-skip-session-tagging'],
    [{ 'role-skip-session-tagging': 'true', 'transitive-tag-keys': 'Team' }, 'transitive-tag-keys', 'role-skip-session-tagging'],
    [{ 'aws-profile': 'deploy', profiles: `deploy: ${ROLE}` }, 'aws-profile', 'profiles'],
    [{ 'use-existing-credentials': 'true', 'unset-current-credentials': 'true' }, 'use-existing-credentials', 'unset-current-credentials'],
  ])('contradicting inputs %o are refused, naming both', (inputs, input, other) => {
    const error = refusal({ ...base, ...inputs }, { AWS_ACCESS_KEY_ID: 'AKIAX', AWS_SECRET_ACCESS_KEY: 's' });
    expect(error.input).toBe(input);
    expect(error.message).toContain(other);
  });

  it('force-skip-oidc is fine with another source of credentials', () => {
    expect(parse({ ...base, ...KEYS, 'force-skip-oidc': 'true' }).config.forceSkipOidc).toBe(true);
    expect(parse({ ...base, 'web-identity-token-file': 't.jwt', 'force-skip-oidc': 'true' }).config.forceSkipOidc).toBe(true);
  });

  it('custom-tags join the default tags within STS limits, keys unique without case', () => {
    const { config } = parse({ ...base, 'custom-tags': '{"Team": "payments", "Cost Center": 42}', 'transitive-tag-keys': 'team\nRepository' }, GITHUB_ENV);
    expect(config.customTags).toEqual([
      { Key: 'Team', Value: 'payments' },
      { Key: 'Cost Center', Value: '42' },
    ]);
    expect(config.sessionTags.map((t) => t.Key)).toEqual(['GitHub', 'Repository', 'Workflow', 'Action', 'Actor', 'Commit', 'Branch', 'Team', 'Cost Center']);
    expect(config.transitiveTagKeys).toEqual(['Team', 'Repository']);
  });

  it.each([
    ['[1]', 'JSON object'],
    ['{"a": ', 'not valid JSON'],
    ['{"a": {"b": 1}}', "value for 'a'"],
    [JSON.stringify({ ['k'.repeat(129)]: 'v' }), '1 to 128'],
    ['{"": "v"}', '1 to 128'],
    [JSON.stringify({ k: 'v'.repeat(257) }), 'at most 256'],
    ['{"bad#key": "v"}', "'bad#key'"],
    ['{"k": "bad;value"}', 'characters STS refuses'],
    ['{"aws:x": "v"}', 'reserved'],
    ['{"repository": "v"}', 'a session tag this action sets'],
    ['{"Team": "a", "TEAM": "b"}', 'another key of custom-tags'],
    [JSON.stringify(Object.fromEntries(Array.from({ length: 44 }, (_, i) => [`t${i}`, 'v']))), 'at most 50'],
  ])('custom-tags %s is refused: %s', (raw, problem) => {
    const error = refusal({ ...base, 'custom-tags': raw }, GITHUB_ENV);
    expect(error.input).toBe('custom-tags');
    expect(error.message).toContain(problem);
  });

  it('43 custom tags beside the 7 default ones are exactly the limit', () => {
    const raw = JSON.stringify(Object.fromEntries(Array.from({ length: 43 }, (_, i) => [`t${i}`, 'v'])));
    expect(parse({ ...base, 'custom-tags': raw }, GITHUB_ENV).config.sessionTags).toHaveLength(50);
  });

  it('a transitive tag key that names no tag is dropped with a warning', () => {
    const { config, warnings } = parse({ ...base, 'transitive-tag-keys': 'Owner' }, GITHUB_ENV);
    expect(config.transitiveTagKeys).toEqual([]);
    expect(warnings[0]).toContain("'Owner'");
  });

  it('role-external-id, action-timeout-s and no-proxy', () => {
    expect(parse({ ...base, 'role-external-id': 'Unique-ID-42' }).config.externalId).toBe('Unique-ID-42');
    expect(refusal({ ...base, 'role-external-id': 'x' }).input).toBe('role-external-id');
    expect(parse({ ...base, 'action-timeout-s': '30' }).config.timeoutSeconds).toBe(30);
    expect(parse({ ...base, 'action-timeout-s': '0' }).config.timeoutSeconds).toBeUndefined();
    expect(refusal({ ...base, 'action-timeout-s': '10s' }).input).toBe('action-timeout-s');
    expect(parse({ ...base, 'no-proxy': 'sts.internal' }, { NO_PROXY: '.corp' }).config.noProxy).toBe('sts.internal,.corp');
  });

  it('reads inputs from environment variables in capitals when the with: block leaves them out', () => {
    const { config } = parse({}, { AWS_REGION: 'eu-central-1', ROLE_TO_ASSUME: ROLE, ROLE_DURATION_SECONDS: '1800', MASK_AWS_ACCOUNT_ID: 'true' });
    expect(config).toMatchObject({ region: 'eu-central-1', roleArn: ROLE, durationSeconds: 1800, maskAccountId: true });
    expect(parse({ 'aws-region': 'us-west-2' }, { AWS_REGION: 'eu-central-1' }).config.region).toBe('us-west-2');
    expect(parse(base, { AWS_SECRET_ACCESS_KEY: 'not an input' }).config.staticKeys).toBeUndefined();
  });

  it('aws-profile turns the environment credentials off unless asked', () => {
    expect(parse({ ...base, 'aws-profile': 'deploy' }).config).toMatchObject({ awsProfile: 'deploy', outputEnvCredentials: false });
    expect(parse({ ...base, 'aws-profile': 'deploy', 'output-env-credentials': 'true' }).config.outputEnvCredentials).toBe(true);
    expect(refusal({ 'aws-region': 'eu-west-1', 'aws-profile': 'deploy' }).input).toBe('aws-profile');
    expect(refusal({ ...base, 'aws-profile': 'a b' }).input).toBe('aws-profile');
  });
});

describe('parseProfiles', () => {
  it('reads NAME: ROLE_ARN lines, skipping blanks and comments', () => {
    expect(parseProfiles(`# accounts\ndeploy: ${ROLE}\n\naudit : arn:aws:iam::222222222222:role/audit\n`)).toEqual([
      { name: 'deploy', roleArn: ROLE },
      { name: 'audit', roleArn: 'arn:aws:iam::222222222222:role/audit' },
    ]);
  });

  it.each([
    [`deploy ${ROLE}`, "line 1 ('deploy arn"],
    [`ok: ${ROLE}\nbad: arn:aws:iam::1:role/x`, 'line 2'],
    [`a: ${ROLE}\na: ${ROLE}`, "repeats profile 'a'"],
    [`bad/name: ${ROLE}`, 'invalid profile name'],
  ])('refuses %j', (text, problem) => {
    expect(() => parseProfiles(text)).toThrow(problem);
  });

  it('makes role-to-assume optional when profiles are given', () => {
    const { config } = parse({ 'aws-region': 'eu-west-1', profiles: `deploy: ${ROLE}` });
    expect(config.roleArn).toBeUndefined();
    expect(config.profiles).toHaveLength(1);
  });
});
