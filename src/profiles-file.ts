// profiles-file: a config file in the AWS format, kept in the repository, whose profiles say which role
// each one is and that its token comes from GitHub. Read as botocore reads it (aws-config-file.ts), and
// split three ways:
// - web identity profiles (role_arn with web_identity_token_server = GitHub[,AUDIENCE], or role_arn and
//   no source_profile) become profiles the helper refreshes, with their own region, audience,
//   duration_seconds and role_session_name;
// - chained profiles (role_arn with source_profile) are left to the clients, which chain by themselves,
//   and checked once by the step with sts:AssumeRole;
// - a profile without role_arn (region, output) is written with its keys.
// The file comes from the repository, so whoever opens a pull request writes it. It may hold only the
// keys listed in ALLOWED_KEYS: any other (endpoint_url, ca_bundle, credential_process, services, …) could
// send the OIDC token or credentials elsewhere, or run a command, in every client that reads our config.
// Such a key is refused, not dropped. What is written is rebuilt from the checked keys, never copied
// line by line, so that no comment or continuation line can carry a key past the check.
// Pure: text in, data out; every refusal is an InputError naming the file and the line.
import { parseAwsFile, type Section } from './aws-config-file.ts';
import { badProfileName, durationOf, EXTERNAL_ID, REGION, ROLE_ARN, SESSION_NAME } from './aws-names.ts';
import type { Profile, ProfileDefaults } from './config.ts';
import { InputError } from './errors.ts';

export interface ChainedProfile {
  name: string;
  roleArn: string;
  sourceProfile: string;
  /** Its own settings, or undefined where the section leaves them to the client. */
  region: string | undefined;
  durationSeconds: number | undefined;
  sessionName: string | undefined;
  externalId: string | undefined;
  /** Of its header in the file. */
  line: number;
}

/** A section written into our config file as it stands: its profile and its lines after the header. */
export interface CarriedProfile {
  name: string;
  body: string[];
}

export interface ProfilesFile {
  webIdentity: Profile[];
  chained: ChainedProfile[];
  carried: CarriedProfile[];
}

/** The keys a profiles-file may hold, and nothing else (the README lists them). */
export const ALLOWED_KEYS = ['role_arn', 'web_identity_token_server', 'source_profile', 'external_id', 'region', 'duration_seconds', 'role_session_name', 'output'];
// The keys a web identity profile's settings come from; none of them is written back.
const WEB_IDENTITY_KEYS = ['role_arn', 'web_identity_token_server', 'region', 'duration_seconds', 'role_session_name'];
// Keys that mean something only beside role_arn.
const ROLE_KEYS = ['web_identity_token_server', 'source_profile', 'external_id', 'duration_seconds', 'role_session_name'];
// The AWS CLI's output formats.
const OUTPUT = /^(?:json|yaml|yaml-stream|text|table)$/;
// A control character other than tab: a lone carriage return is a line break for botocore (Python reads
// the file with universal newlines) and none for the JS SDK, so it could hide a key from one client.
const isControl = (c: string) => c !== '\t' && (c < ' ' || c === '\x7f');

export function parseProfilesFile(text: string, shown: string, defaults: ProfileDefaults, elsewhere: ReadonlyMap<string, string>, warnings: string[]): ProfilesFile {
  const fail = (line: number, problem: string) => new InputError('profiles-file', `${shown} line ${line}: ${problem}`);
  const aws = parseAwsFile(text, 'config');
  aws.lines.forEach((line, index) => {
    const control = [...line].find(isControl);
    if (control !== undefined) throw fail(index + 1, `holds the control character U+${control.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}: the file must be plain text, one key per line`);
  });
  const first = aws.sections[0]?.start ?? aws.lines.length;
  const stray = aws.lines.slice(0, first).findIndex((line) => line.trim() !== '' && !/^\s*[#;]/.test(line));
  if (stray >= 0) throw fail(stray + 1, 'a line before the first section: every key belongs to a [default] or [profile NAME] section');

  const result: ProfilesFile = { webIdentity: [], chained: [], carried: [] };
  const defined = new Map<string, number>();
  for (const section of aws.sections) {
    const name = profileName(section, fail);
    const before = defined.get(name);
    if (before !== undefined) throw fail(section.line, `defines profile '${name}' again (line ${before} defines it first)`);
    const other = elsewhere.get(name);
    if (other !== undefined) throw fail(section.line, `defines profile '${name}', which ${other} also defines`);
    defined.set(name, section.line);
    const malformed = section.malformed[0];
    if (malformed !== undefined) throw fail(malformed, `is not 'key = value' (botocore, and so the AWS CLI and boto3, would refuse the file)`);
    classify(section, name, result, defaults, fail);
  }
  checkChains(result, defined, elsewhere, shown, fail);
  if (result.webIdentity.length === 0 && result.chained.length === 0) warnings.push(`profiles-file ${shown} has no web identity profile (role_arn, with web_identity_token_server = GitHub or without source_profile): its profiles are written with their keys`);
  return result;
}

type Fail = (line: number, problem: string) => InputError;

/** [default] or [profile NAME], read as the same profile by botocore and the JS SDK. */
function profileName(section: Section, fail: Fail): string {
  const name = section.botocore;
  if (name === undefined || !/^\[(?:default|profile\s)/.test(section.header)) throw fail(section.line, `${section.header} is not [default] or [profile NAME]`);
  if (section.js !== name) throw fail(section.line, `${section.header} is profile '${name}' for botocore but ${section.js === undefined ? 'no profile' : `'${section.js}'`} for the JS SDK: write [profile ${name}]`);
  const bad = badProfileName(name);
  if (bad) throw fail(section.line, `profile '${name}' has an invalid name: ${bad}`);
  return name;
}

function classify(section: Section, name: string, result: ProfilesFile, defaults: ProfileDefaults, fail: Fail): void {
  const entries = new Map<string, { value: string; line: number }>();
  for (const entry of section.entries) {
    if (!ALLOWED_KEYS.includes(entry.key)) throw fail(entry.line, `profile '${name}' has the key ${entry.key}, which a profiles-file may not hold: only ${ALLOWED_KEYS.join(', ')}`);
    if (entry.value.includes('\n')) throw fail(entry.line, `the value of ${entry.key} in profile '${name}' goes on over the next indented line: a profiles-file takes one line per key`);
    const twice = entries.get(entry.key);
    if (twice) throw fail(entry.line, `profile '${name}' gives ${entry.key} again (line ${twice.line}); botocore refuses the file`);
    entries.set(entry.key, entry);
  }
  const at = (key: string) => entries.get(key);
  const region = at('region');
  if (region && !REGION.test(region.value)) throw fail(region.line, `region '${region.value}' of profile '${name}' is not a region name like us-east-1`);
  const duration = at('duration_seconds');
  if (duration && durationOf(duration.value) === undefined) throw fail(duration.line, `duration_seconds '${duration.value}' of profile '${name}' must be a whole number from 900 to 43200`);
  const sessionName = at('role_session_name');
  if (sessionName && !SESSION_NAME.test(sessionName.value)) throw fail(sessionName.line, `role_session_name '${sessionName.value}' of profile '${name}' must be 2 to 64 characters of letters, digits and +=,.@-`);
  const externalId = at('external_id');
  if (externalId && !EXTERNAL_ID.test(externalId.value)) throw fail(externalId.line, `external_id of profile '${name}' must be 2 to 1224 characters of letters, digits and +=,.@:/-`);
  const output = at('output');
  if (output && !OUTPUT.test(output.value)) throw fail(output.line, `output '${output.value}' of profile '${name}' is not json, yaml, yaml-stream, text or table`);
  const roleArn = at('role_arn');
  if (roleArn && !ROLE_ARN.test(roleArn.value)) throw fail(roleArn.line, `role_arn '${roleArn.value}' of profile '${name}' is not a role ARN like arn:aws:iam::123456789012:role/NAME`);
  const server = at('web_identity_token_server');
  const sourceProfile = at('source_profile');

  if (!roleArn) {
    const orphan = section.entries.find((e) => ROLE_KEYS.includes(e.key));
    if (orphan) throw fail(orphan.line, `profile '${name}' has ${orphan.key} but no role_arn`);
    result.carried.push({ name, body: bodyOf(section, []) });
  } else if (sourceProfile) {
    if (server) throw fail(server.line, `profile '${name}' has web_identity_token_server and source_profile: give it one source of credentials`);
    result.chained.push({
      name,
      roleArn: roleArn.value,
      sourceProfile: sourceProfile.value,
      region: region?.value,
      durationSeconds: duration ? durationOf(duration.value) : undefined,
      sessionName: sessionName?.value,
      externalId: externalId?.value,
      line: section.line,
    });
    result.carried.push({ name, body: bodyOf(section, []) });
  } else {
    if (externalId) throw fail(externalId.line, `profile '${name}' has external_id, which only a chained profile (role_arn with source_profile) sends`);
    let audience = defaults.audience;
    if (server) {
      const [kind = '', ...rest] = server.value.split(',');
      if (kind.trim() !== 'GitHub') throw fail(server.line, `web_identity_token_server of profile '${name}' is '${server.value}': this action serves GitHub only (GitHub, or GitHub,AUDIENCE)`);
      audience = rest.join(',').trim() || defaults.audience;
    }
    result.webIdentity.push(webIdentity(section, name, roleArn.value, audience, entries, defaults));
  }
}

function webIdentity(section: Section, name: string, roleArn: string, audience: string, entries: Map<string, { value: string }>, defaults: ProfileDefaults): Profile {
  const duration = entries.get('duration_seconds');
  return {
    name,
    roleArn,
    region: entries.get('region')?.value ?? defaults.region,
    audience,
    durationSeconds: duration ? (durationOf(duration.value) ?? defaults.durationSeconds) : defaults.durationSeconds,
    sessionName: entries.get('role_session_name')?.value ?? defaults.sessionName,
    definedAt: `profiles-file line ${section.line}`,
    carried: bodyOf(section, WEB_IDENTITY_KEYS),
  };
}

/** The section's checked keys, one `key = value` line each, without the keys listed. */
function bodyOf(section: Section, without: string[]): string[] {
  return section.entries.filter((e) => !without.includes(e.key)).map((e) => `${e.key} = ${e.value}`);
}

/** Every source_profile names a profile defined here or by the inputs; none goes round in a circle. */
function checkChains(result: ProfilesFile, defined: ReadonlyMap<string, number>, elsewhere: ReadonlyMap<string, string>, shown: string, fail: Fail): void {
  const chained = new Map(result.chained.map((c) => [c.name, c]));
  for (const start of result.chained) {
    const path = [start.name];
    for (let hop = start; ; ) {
      if (!defined.has(hop.sourceProfile) && !elsewhere.has(hop.sourceProfile)) {
        throw fail(hop.line, `source_profile '${hop.sourceProfile}' of profile '${hop.name}' names no profile of ${shown}, profiles or aws-profile`);
      }
      const next = chained.get(hop.sourceProfile);
      if (!next) break;
      if (path.includes(next.name)) throw fail(start.line, `source_profile goes round in a circle: ${[...path, next.name].join(' → ')}`);
      path.push(next.name);
      hop = next;
    }
  }
}
