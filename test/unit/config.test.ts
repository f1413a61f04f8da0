import { describe, expect, it } from '@jest/globals';
import { parseBoolean, parseConfig, parseProfiles, sanitizeSessionName, type Config, type InputName } from '../../src/config.ts';
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
  // The defaults aws-actions/configure-aws-credentials documents in its action.yml (read at
  // bcd4089080cf41e4db9dad11fce2a9397e670bbd; quoted where it states one), written here as data, not
  // taken from our DEFAULTS: each input left empty must mean what it means there.
  const INCUMBENT_DEFAULTS: { input: InputName; documented: string; expect: Partial<Config> }[] = [
    { input: 'audience', documented: 'default: sts.amazonaws.com', expect: { audience: 'sts.amazonaws.com' } },
    { input: 'role-session-name', documented: '(default: GitHubActions)', expect: { sessionName: 'GitHubActions' } },
    { input: 'role-duration-seconds', documented: 'Default is one hour.', expect: { durationSeconds: 3600 } },
    { input: 'mask-aws-account-id', documented: 'By default the account ID will not be masked', expect: { maskAccountId: false } },
    { input: 'disable-retry', documented: 'By default the retry mechanism is enabled', expect: { maxAttempts: 12 } },
    { input: 'retry-max-attempts', documented: 'By default it will retry 12 times', expect: { maxAttempts: 12 } },
    { input: 'output-credentials', documented: 'no default stated: unset is off', expect: { outputCredentials: false } },
    { input: 'output-env-credentials', documented: 'If you set this to false, you probably want to use output-credentials', expect: { outputEnvCredentials: true } },
    { input: 'unset-current-credentials', documented: 'no default stated: unset is off', expect: { unsetCurrentCredentials: false } },
    { input: 'role-chaining', documented: 'no default stated: unset is off', expect: { roleChaining: false } },
    { input: 'role-skip-session-tagging', documented: 'no default stated: unset is off', expect: { sessionTags: expect.arrayContaining([{ Key: 'GitHub', Value: 'Actions' }]) as never } },
    { input: 'aws-profile', documented: 'no default stated: environment variables', expect: { awsProfile: undefined } },
    { input: 'overwrite-aws-profile', documented: 'When set to false or not set, an error will be thrown if the profile already exists', expect: { overwriteAwsProfile: false } },
    { input: 'role-external-id', documented: 'no default stated: none', expect: { externalId: undefined } },
    { input: 'transitive-tag-keys', documented: 'no default stated: none', expect: { transitiveTagKeys: [] } },
    { input: 'custom-tags', documented: 'no default stated: none', expect: { customTags: [] } },
    { input: 'special-characters-workaround', documented: 'This option is disabled by default', expect: { specialCharactersWorkaround: false } },
    { input: 'use-existing-credentials', documented: 'When enabled …: unset is off', expect: { useExistingCredentials: false } },
    { input: 'force-skip-oidc', documented: 'When enabled …: unset is off', expect: { forceSkipOidc: false } },
    { input: 'action-timeout-s', documented: 'The default is to run without a timeout.', expect: { timeoutSeconds: undefined } },
    { input: 'aws-access-key-id', documented: 'no default stated: web identity', expect: { staticKeys: undefined } },
    { input: 'web-identity-token-file', documented: 'no default stated: GitHub OIDC', expect: { tokenFile: undefined } },
    { input: 'inline-session-policy', documented: 'no default stated: none', expect: { inlineSessionPolicy: undefined } },
    { input: 'managed-session-policies', documented: 'no default stated: none', expect: { managedSessionPolicies: [] } },
    { input: 'allowed-account-ids', documented: 'no default stated: any account', expect: { allowedAccountIds: [] } },
    { input: 'sts-endpoint', documented: 'the default AWS STS endpoint for the region', expect: { stsEndpoint: undefined } },
    { input: 'http-proxy', documented: 'no default stated: no proxy', expect: { proxy: undefined } },
  ];

  it.each(INCUMBENT_DEFAULTS)('defaults $input as configure-aws-credentials does ($documented)', ({ expect: expected }) => {
    const { config, warnings } = parse(base);
    expect(warnings).toEqual([]);
    expect(config).toMatchObject(expected);
  });

  it('defaults the inputs configure-aws-credentials does not have', () => {
    expect(parse(base).config).toMatchObject({ region: 'eu-west-1', roleArn: ROLE, profiles: [], profileCredentials: 'refresh' });
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
    [{ 'inline-session-policy': JSON.stringify({ Version: '2012-10-17', Statement: [], Sid: 'x'.repeat(2030) }) }, 'inline-session-policy', 'STS accepts at most 2048'],
    [{ 'managed-session-policies': Array.from({ length: 11 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`).join('\n') }, 'managed-session-policies', 'lists 11 policies; STS accepts at most 10'],
    [{ 'managed-session-policies': 'arn:aws:iam::aws:policy/ReadOnlyAccess\nReadOnly' }, 'managed-session-policies', "'ReadOnly'"],
    [{ 'allowed-account-ids': '111111111111, 12' }, 'allowed-account-ids', "'12'"],
    [{ 'retry-max-attempts': '0' }, 'retry-max-attempts', 'from 1 to 100'],
    [{ 'disable-retry': 'yes' }, 'disable-retry', "got 'yes'"],
    [{ 'output-credentials': 'on' }, 'output-credentials', "got 'on'"],
    [{ 'sts-endpoint': 'sts.local' }, 'sts-endpoint', 'http(s) URL'],
    [{ 'http-proxy': 'ftp://proxy' }, 'http-proxy', 'http(s) proxy URL'],
    [{ 'profile-credentials': 'sometimes' }, 'profile-credentials', "'refresh' or 'static'"],
  ])('refuses %o naming %s', (inputs, input, problem) => {
    const error = refusal({ ...base, ...inputs } as Partial<Record<InputName, string>>);
    expect(error.input).toBe(input);
    expect(error.message).toContain(`Input '${input}'`);
    expect(error.message).toContain(problem);
  });

  it.each(['us-east-1', 'ap-southeast-5', 'il-central-1', 'mx-central-1', 'cn-northwest-1', 'us-gov-west-1', 'us-iso-east-1', 'us-isob-east-1', 'eu-isoe-west-1', 'us-isof-south-1', 'eusc-de-east-1'])(
    'accepts the region %s',
    (region) => {
      expect(parse({ ...base, 'aws-region': region }).config.region).toBe(region);
    },
  );

  it.each(['US East', 'us-east', 'useast1', 'us_east_1', 'us-east-1a', 'europe-west-1', 'us-east-100', '-east-1', 'eusc-de-east-1a'])('refuses the region %j with the same error', (region) => {
    const error = refusal({ ...base, 'aws-region': region });
    expect(error.message).toBe(`Input 'aws-region' is not a region name like us-east-1, got '${region}'`);
  });

  it.each(['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'])('accepts role and policy ARNs of the partition %s', (partition) => {
    const roleArn = `arn:${partition}:iam::111111111111:role/deploy`;
    const policy = `arn:${partition}:iam::aws:policy/ReadOnlyAccess`;
    expect(parse({ ...base, 'role-to-assume': roleArn, 'managed-session-policies': policy }).config.roleArn).toBe(roleArn);
  });

  it.each(['arn:aws-foo:iam::111111111111:role/deploy', 'arn:awsx:iam::111111111111:role/deploy', 'arn:aws-iso-z:iam::111111111111:role/deploy'])('refuses the ARN %s, of no partition', (roleArn) => {
    expect(refusal({ ...base, 'role-to-assume': roleArn }).input).toBe('role-to-assume');
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

  it('refuses use-existing-credentials with aws-profile, naming both', () => {
    const error = refusal({ ...base, 'use-existing-credentials': 'true', 'aws-profile': 'deploy' });
    expect(error.input).toBe('use-existing-credentials');
    expect(error.message).toBe("Input 'use-existing-credentials' cannot be true with aws-profile, which needs new credentials to write into its profile");
  });

  it('role chaining needs credentials in the environment, an hour at most, and current credentials kept', () => {
    expect(refusal({ ...base, 'role-chaining': 'true' }).input).toBe('role-chaining');
    const env = { AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 'secret' };
    expect(parse({ ...base, 'role-chaining': 'true' }, env).config.roleChaining).toBe(true);
    expect(refusal({ ...base, 'role-chaining': 'true', 'role-duration-seconds': '7200' }, env).message).toContain('caps role chaining at 3600');
    expect(refusal({ ...base, 'role-chaining': 'true', 'unset-current-credentials': 'true' }, env).input).toBe('unset-current-credentials');
    const onlyProfiles = refusal({ 'aws-region': 'eu-west-1', profiles: `deploy: ${ROLE}`, 'role-chaining': 'true' }, env);
    expect(onlyProfiles.message).toBe("Input 'role-chaining' applies to role-to-assume, which is not given: profiles always use the OIDC token");
  });

  it('takes the proxy from the input, then HTTPS_PROXY, then https_proxy, recording where it came from, and NO_PROXY from the environment', () => {
    expect(parse({ ...base, 'http-proxy': 'http://proxy:3128' }, { HTTPS_PROXY: 'http://other:1' }).config.proxy).toEqual({ url: 'http://proxy:3128/', source: 'http-proxy', noProxy: '' });
    const { config } = parse(base, { HTTPS_PROXY: 'http://other:1', https_proxy: 'http://lower:2', NO_PROXY: '.internal' });
    expect(config.proxy).toEqual({ url: 'http://other:1/', source: 'HTTPS_PROXY', noProxy: '.internal' });
    expect(parse(base, { https_proxy: 'http://lower:2', no_proxy: 'corp' }).config.proxy).toEqual({ url: 'http://lower:2/', source: 'https_proxy', noProxy: '.corp' });
    expect(parse(base, {}).config.proxy).toBeUndefined();
  });

  it('reads a proxy without a scheme as curl does: an HTTP proxy', () => {
    expect(parse(base, { HTTPS_PROXY: 'user:pass@proxy.corp:3128' }).config.proxy?.url).toBe('http://user:pass@proxy.corp:3128/');
    expect(parse({ ...base, 'http-proxy': 'proxy.corp:3128' }).config.proxy?.url).toBe('http://proxy.corp:3128/');
    expect(parse({ ...base, 'http-proxy': 'HTTPS://Proxy.Corp' }).config.proxy?.url).toBe('https://proxy.corp/');
  });

  it.each([
    [{ 'http-proxy': 'socks5://user:s3cret@proxy:1080' }, {}, "Input 'http-proxy' must be an http(s) proxy URL like http://proxy.corp:3128, got 'socks5://user:***@proxy:1080'"],
    [{}, { HTTPS_PROXY: 'ftp://user:s3cret@proxy' }, "Environment variable 'HTTPS_PROXY' must be an http(s) proxy URL like http://proxy.corp:3128, got 'ftp://user:***@proxy'"],
    [{}, { https_proxy: 'user:s3cret@proxy corp:3128' }, "Environment variable 'https_proxy' must be an http(s) proxy URL like http://proxy.corp:3128, got 'user:***@proxy corp:3128'"],
    [{}, { HTTPS_PROXY: 'http://user:pa/s3cret@proxy:3128' }, 'Environment variable \'HTTPS_PROXY\' has an "@" after a "/", "?", "#" or "\\": in the user or password write them as %2F, %3F, %23 and %5C, got \'http://user:***@proxy:3128\''],
    [{}, { HTTPS_PROXY: 'tok3n-s3cret@[::1' }, "Environment variable 'HTTPS_PROXY' must be an http(s) proxy URL like http://proxy.corp:3128, got '***@[::1'"],
  ])('a bad proxy (%o, %o) is refused naming where it came from, its password hidden', (inputs, env, message) => {
    const error = refusal({ ...base, ...inputs }, env);
    expect(error.message).toBe(message);
    expect(error.message).not.toContain('s3cret');
  });

  it('warns about NO_PROXY entries it cannot honour', () => {
    const { config, warnings } = parse(base, { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'fd00::/8, 10.0.0.0/33,.corp' });
    expect(config.proxy?.noProxy).toBe('.corp');
    expect(warnings).toEqual([
      "NO_PROXY entry 'fd00::/8' is not a host, domain, IP address or IPv4 range; it is ignored",
      "NO_PROXY entry '10.0.0.0/33' is not a host, domain, IP address or IPv4 range; it is ignored",
    ]);
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

describe('parseProfiles', () => {
  const DEFAULTS = { region: 'eu-west-1', audience: 'sts.amazonaws.com', durationSeconds: 3600, sessionName: 'GitHubActions' };

  it('reads NAME: ROLE_ARN lines, skipping blanks and comments', () => {
    expect(parseProfiles(`# accounts\ndeploy: ${ROLE}\n\naudit : arn:aws:iam::222222222222:role/audit\n`, DEFAULTS)).toEqual([
      { name: 'deploy', roleArn: ROLE, ...DEFAULTS, definedAt: 'profiles line 2', carried: [] },
      { name: 'audit', roleArn: 'arn:aws:iam::222222222222:role/audit', ...DEFAULTS, definedAt: 'profiles line 4', carried: [] },
    ]);
  });

  it.each([
    [`deploy ${ROLE}`, "line 1 ('deploy arn"],
    [`ok: ${ROLE}\nbad: arn:aws:iam::1:role/x`, 'line 2'],
    [`a: ${ROLE}\na: ${ROLE}`, "repeats profile 'a'"],
    [`bad/name: ${ROLE}`, 'invalid profile name'],
  ])('refuses %j', (text, problem) => {
    expect(() => parseProfiles(text, DEFAULTS)).toThrow(problem);
  });

  it('makes role-to-assume optional when profiles are given', () => {
    const { config } = parse({ 'aws-region': 'eu-west-1', profiles: `deploy: ${ROLE}` });
    expect(config.roleArn).toBeUndefined();
    expect(config.profiles).toHaveLength(1);
  });
});
