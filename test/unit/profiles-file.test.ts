// profiles-file and the profiles lines' settings, parsed: each kind of profile, and each bad input as one
// InputError naming the file (or the profiles line) and the line.
import { describe, expect, it } from '@jest/globals';
import { EXCLUSIONS, parseConfig, type InputName } from '../../src/config.ts';
import { InputError } from '../../src/errors.ts';

const ROLE = 'arn:aws:iam::111111111111:role/deploy';
const OTHER = 'arn:aws:iam::222222222222:role/Other';

function parse(file: string | undefined, inputs: Partial<Record<InputName, string>> = {}) {
  const readFile = (path: string) => {
    if (path !== '/work/space/aws/config' || file === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    return file;
  };
  const all: Partial<Record<InputName, string>> = { 'aws-region': 'us-east-1', 'profiles-file': 'aws/config', ...inputs };
  return parseConfig((name) => all[name] ?? '', { GITHUB_WORKSPACE: '/work/space' }, readFile);
}

function refusal(file: string | undefined, inputs: Partial<Record<InputName, string>> = {}): string {
  try {
    parse(file, inputs);
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('profiles-file', () => {
  it('reads the seed-style file: web identity profiles with their own settings, the step inputs as defaults', () => {
    const { config } = parse(`[default]\nrole_arn = ${ROLE}\nweb_identity_token_server = GitHub\nregion = us-east-2\n\n[profile sigstore-audience]\nrole_arn = ${OTHER}\nweb_identity_token_server = GitHub,sigstore\nrole_session_name = other\n`, { 'role-duration-seconds': '1800' });
    expect(config.profiles).toEqual([
      { name: 'default', roleArn: ROLE, region: 'us-east-2', audience: 'sts.amazonaws.com', durationSeconds: 1800, sessionName: 'GitHubActions', definedAt: 'profiles-file line 1', carried: [] },
      { name: 'sigstore-audience', roleArn: OTHER, region: 'us-east-1', audience: 'sigstore', durationSeconds: 1800, sessionName: 'other', definedAt: 'profiles-file line 6', carried: [] },
    ]);
  });

  it('a role_arn without source_profile is a web identity profile; its output is carried, rebuilt from the key, comments not', () => {
    const { config } = parse(`[profile a]\n# endpoint_url = http://127.0.0.1:9\nrole_arn = ${ROLE}\nduration_seconds = 900\nOutput   =   json\n`);
    expect(config.profiles[0]).toMatchObject({ name: 'a', durationSeconds: 900, carried: ['output = json'] });
  });

  it('leaves chained profiles to the clients, checked by the step; carries a profile without role_arn with its keys', () => {
    const { config } = parse(`[profile w]\nrole_arn = ${ROLE}\n[profile c]\nrole_arn = ${OTHER}\nsource_profile = w\nexternal_id = ext-1\n[profile k]\nregion = eu-west-1\n; a comment\noutput = text\n`);
    expect(config.profiles.map((p) => p.name)).toEqual(['w']);
    expect(config.profilesFile?.chained).toEqual([{ name: 'c', roleArn: OTHER, sourceProfile: 'w', region: undefined, durationSeconds: undefined, sessionName: undefined, externalId: 'ext-1', line: 3 }]);
    expect(config.profilesFile?.carried).toEqual([
      { name: 'c', body: [`role_arn = ${OTHER}`, 'source_profile = w', 'external_id = ext-1'] },
      { name: 'k', body: ['region = eu-west-1', 'output = text'] },
    ]);
  });

  it('a chain may start from a profiles line or aws-profile', () => {
    const { config } = parse(`[profile c]\nrole_arn = ${OTHER}\nsource_profile = deploy\n`, { profiles: `deploy: ${ROLE}` });
    expect(config.profilesFile?.chained.map((c) => c.sourceProfile)).toEqual(['deploy']);
  });

  it('works beside profiles and aws-profile', () => {
    const { config } = parse(`[profile f]\nrole_arn = ${ROLE}\n`, { profiles: `p: ${ROLE}`, 'role-to-assume': ROLE, 'aws-profile': 'a' });
    expect(config.profiles.map((p) => p.name)).toEqual(['p', 'f']);
    expect(config.awsProfile).toBe('a');
  });

  it.each([
    ['a file that does not exist', undefined, {}, "Input 'profiles-file' cannot be read: /work/space/aws/config does not exist"],
    ['a section that is not [default] or [profile NAME]', `[deploy]\nrole_arn = ${ROLE}\n`, {}, "Input 'profiles-file' aws/config line 1: [deploy] is not [default] or [profile NAME]"],
    ['a header the JS SDK reads as no profile', `[profile  deploy]\nrole_arn = ${ROLE}\n`, {}, "aws/config line 1: [profile  deploy] is profile 'deploy' for botocore but no profile for the JS SDK: write [profile deploy]"],
    ['a key before any section', `role_arn = ${ROLE}\n[default]\n`, {}, 'aws/config line 1: a line before the first section'],
    ['a line that is no key', '[default]\nrole_arn\n', {}, "aws/config line 2: is not 'key = value'"],
    ['web_identity_token_server without role_arn', '[profile a]\nweb_identity_token_server = GitHub\n', {}, "aws/config line 2: profile 'a' has web_identity_token_server but no role_arn"],
    ['a token server other than GitHub', `[profile a]\nrole_arn = ${ROLE}\nweb_identity_token_server = GitLab\n`, {}, "aws/config line 3: web_identity_token_server of profile 'a' is 'GitLab': this action serves GitHub only"],
    ['a token server with a source profile', `[profile a]\nrole_arn = ${ROLE}\nweb_identity_token_server = GitHub\nsource_profile = b\n[profile b]\nrole_arn = ${ROLE}\n`, {}, "aws/config line 3: profile 'a' has web_identity_token_server and source_profile"],
    ['a source_profile without role_arn', '[profile a]\nsource_profile = b\n', {}, "aws/config line 2: profile 'a' has source_profile but no role_arn"],
    ['an external_id on a web identity profile', `[profile a]\nrole_arn = ${ROLE}\nexternal_id = ext-1\n`, {}, "aws/config line 3: profile 'a' has external_id, which only a chained profile"],
    ['an output the CLI does not know', '[profile a]\noutput = html\n', {}, "aws/config line 2: output 'html' of profile 'a' is not json"],
    ['a source_profile naming a missing profile', `[profile c]\nrole_arn = ${ROLE}\nsource_profile = nowhere\n`, {}, "aws/config line 1: source_profile 'nowhere' of profile 'c' names no profile of aws/config, profiles or aws-profile"],
    ['a cycle of source_profile', `[profile a]\nrole_arn = ${ROLE}\nsource_profile = b\n[profile b]\nrole_arn = ${ROLE}\nsource_profile = a\n`, {}, 'aws/config line 1: source_profile goes round in a circle: a → b → a'],
    ['a region that is not a region', `[profile a]\nrole_arn = ${ROLE}\nregion = europe\n`, {}, "aws/config line 3: region 'europe' of profile 'a' is not a region name"],
    ['a duration under 900', `[profile a]\nrole_arn = ${ROLE}\nduration_seconds = 899\n`, {}, "aws/config line 3: duration_seconds '899' of profile 'a' must be a whole number from 900 to 43200"],
    ['a duration over 43200', `[profile a]\nrole_arn = ${ROLE}\nduration_seconds = 43201\n`, {}, "duration_seconds '43201'"],
    ['a malformed role ARN', '[profile a]\nrole_arn = arn:aws:iam::1:role/x\n', {}, "aws/config line 2: role_arn 'arn:aws:iam::1:role/x' of profile 'a' is not a role ARN"],
    ['a name the JS SDK cannot hold', `[profile __proto__]\nrole_arn = ${ROLE}\n`, {}, "profile '__proto__' has an invalid name"],
    ['a profile defined twice in the file', `[default]\nrole_arn = ${ROLE}\n[profile default]\nrole_arn = ${ROLE}\n`, {}, "aws/config line 3: defines profile 'default' again (line 1 defines it first)"],
    ['a profile the profiles input also defines', `[profile deploy]\nrole_arn = ${ROLE}\n`, { profiles: `deploy: ${ROLE}` }, "aws/config line 1: defines profile 'deploy', which profiles line 1 also defines"],
    ['a profile aws-profile also names', `[profile deploy]\nrole_arn = ${ROLE}\n`, { 'role-to-assume': ROLE, 'aws-profile': 'deploy' }, "aws/config line 1: defines profile 'deploy', which aws-profile also defines"],
    ['a key given twice', `[profile a]\nrole_arn = ${ROLE}\nRole_Arn = ${ROLE}\n`, {}, "aws/config line 3: profile 'a' gives role_arn again (line 2)"],
  ])('refuses %s', (_, file, inputs, problem) => {
    expect(refusal(file, inputs)).toContain(problem);
  });

  // Each of these would decide, in some client that reads the config we write, where the OIDC token or
  // credentials go, or what runs: refused, naming the file, the line and the key, never dropped.
  it.each(['endpoint_url', 'ca_bundle', 'credential_process', 'credential_source', 'web_identity_token_file', 'sts_regional_endpoints', 'services', 'sso_session', 'aws_access_key_id', 'use_fips_endpoint', 'EndPoint_URL'])('refuses the key %s, naming file, line and key', (key) => {
    const message = refusal(`[default]\nrole_arn = ${ROLE}\nregion = us-east-2\n${key} = http://127.0.0.1:9\n`);
    expect(message).toBe(`Input 'profiles-file' aws/config line 4: profile 'default' has the key ${key.toLowerCase()}, which a profiles-file may not hold: only role_arn, web_identity_token_server, source_profile, external_id, region, duration_seconds, role_session_name, output`);
  });

  it.each([
    ['a services section', `[default]\nrole_arn = ${ROLE}\nservices = evil\n[services evil]\nsts =\n  endpoint_url = http://127.0.0.1:9\n`, 'line 3: profile \'default\' has the key services'],
    ['a services section alone', '[services evil]\nsts =\n  endpoint_url = http://127.0.0.1:9\n', 'line 1: [services evil] is not [default] or [profile NAME]'],
    ['an sso-session section', '[sso-session s]\nsso_region = us-east-1\n', 'line 1: [sso-session s] is not [default] or [profile NAME]'],
    ['a sub-section of a profile', `[default]\nrole_arn = ${ROLE}\nsts =\n  endpoint_url = http://127.0.0.1:9\n`, "line 3: profile 'default' has the key sts"],
    ['a key hidden on the continuation of an allowed one', `[default]\nrole_arn = ${ROLE}\noutput = json\n  endpoint_url = http://127.0.0.1:9\n`, "line 3: the value of output in profile 'default' goes on over the next indented line"],
    ['an allowed key opening a sub-section', `[default]\nrole_arn = ${ROLE}\nrole_session_name =\n  endpoint_url = http://127.0.0.1:9\n`, "line 3: the value of role_session_name in profile 'default' goes on"],
    ['a key behind a lone carriage return, a line break for botocore only', `[default]\nrole_arn = ${ROLE}\n# note\rendpoint_url = http://127.0.0.1:9\n`, 'line 3: holds the control character U+000D'],
  ])('refuses %s', (_, file, problem) => {
    expect(refusal(file)).toContain(problem);
  });

  it('reads CRLF line ends as line ends', () => {
    expect(parse(`[default]\r\nrole_arn = ${ROLE}\r\nregion = us-east-2\r\n`).config.profiles[0]).toMatchObject({ name: 'default', roleArn: ROLE, region: 'us-east-2' });
  });

  it('refuses a file that is not readable', () => {
    const readFile = () => {
      throw Object.assign(new Error("EISDIR: illegal operation on a directory, read"), { code: 'EISDIR' });
    };
    expect(() => parseConfig((name) => ({ 'aws-region': 'us-east-1', 'profiles-file': 'aws' })[name as string] ?? '', {}, readFile)).toThrow("Input 'profiles-file' cannot be read: EISDIR: illegal operation on a directory, read");
  });
});

describe('profiles lines with settings', () => {
  const lines = (profiles: string) => parse(undefined, { 'profiles-file': '', profiles });

  it('take region, audience, duration-seconds and session-name', () => {
    expect(lines(`deploy: ${ROLE} region=eu-west-1 audience=sigstore duration-seconds=1800 session-name=ship`).config.profiles[0]).toMatchObject({ region: 'eu-west-1', audience: 'sigstore', durationSeconds: 1800, sessionName: 'ship' });
  });

  it.each([
    [`deploy: ${ROLE} colour=red`, "line 1 ('deploy: arn:aws:iam::111111111111:role/deploy colour=red') has 'colour=red': the settings are region=, audience=, duration-seconds=, session-name="],
    [`deploy: ${ROLE} region`, "has 'region'"],
    [`deploy: ${ROLE} region=europe`, "has region 'europe', which is not a region name like us-east-1"],
    [`deploy: ${ROLE} duration-seconds=60`, "has duration-seconds '60', which must be a whole number from 900 to 43200"],
    [`deploy: ${ROLE} session-name=a`, "has session-name 'a', which must be 2 to 64 characters"],
    [`deploy: ${ROLE} region=eu-west-1 region=eu-west-2`, 'gives region twice'],
    [`ok: ${ROLE}\nbad: ${ROLE} toString=1`, "line 2 ('bad: arn:aws:iam::111111111111:role/deploy toString=1') has 'toString=1'"],
  ])('refuses %j naming the line', (profiles, problem) => {
    expect(refusal(undefined, { 'profiles-file': '', profiles })).toContain(problem);
  });
});

describe('inputs that exclude each other', () => {
  it.each(EXCLUSIONS.map((rule) => [rule.input, rule.with, rule.because] as const))('%s with %s is refused, naming both', (input, other, because) => {
    const value = (name: InputName) => (['role-chaining', 'unset-current-credentials', 'role-skip-session-tagging', 'use-existing-credentials'].includes(name) ? 'true' : name === 'custom-tags' ? '{"a":"b"}' : 'x');
    const message = refusal(undefined, { 'profiles-file': '', 'role-to-assume': ROLE, [input]: value(input), [other]: value(other) });
    expect(message).toMatch(new RegExp(`^Input '${input}' cannot be (?:true|given) with ${other}, `));
    expect(message).toContain(because);
  });
});
