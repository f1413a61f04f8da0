// The one reader of AWS config and credentials files, proved against the clients' own parsers: for every
// header form, the profile botocore and the JS SDK read it as is the one the reader says each reads.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadSharedConfigFiles } from '@smithy/core/config';
import { parseAwsFile, shlexSplit, withoutProfiles, type FileKind } from '../../src/aws-config-file.ts';

const HEADERS = [
  '[default]',
  '[profile deploy]',
  '[profile deploy] # note',
  '[profile deploy] ; note',
  '[profile deploy];note',
  '[profile  audit]',
  '[profile\taudit]',
  '[profile "quoted"]',
  "[profile 'single']",
  '[profile default]',
  '[profilez w]',
  '[ profile spaced ]',
  '[profile.dotted]',
  '[profile a b]',
  '[profile]',
  '[default] # note',
  '[ default ]',
  '[sso-session s]',
  '[deploy]',
  '[deploy] # note',
  '[profile x]y]',
];

const dir = mkdtempSync(path.join(os.tmpdir(), 'aws-config-file-'));
const files = HEADERS.map((header, i) => {
  const file = path.join(dir, `f${i}`);
  writeFileSync(file, `${header}\nregion = marker\n`);
  return file;
});

/** Per file, the profiles botocore reads with region = marker: from the config file, and the credentials file. */
function botocoreReads(kind: FileKind): string[][] {
  const program = [
    'import json, sys, botocore.configloader as c',
    'out = []',
    'for f in sys.argv[2:]:',
    '    parsed = c.load_config(f)["profiles"] if sys.argv[1] == "config" else c.raw_config_parse(f)',
    '    out.append(sorted(k for k, v in parsed.items() if v.get("region") == "marker"))',
    'print(json.dumps(out))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', program, kind, ...files], { encoding: 'utf8' })) as string[][];
}

async function jsReads(kind: FileKind): Promise<string[][]> {
  const none = path.join(dir, 'none');
  return Promise.all(
    files.map(async (file) => {
      const loaded = await loadSharedConfigFiles(kind === 'config' ? { configFilepath: file, filepath: none, ignoreCache: true } : { configFilepath: none, filepath: file, ignoreCache: true });
      const parsed = kind === 'config' ? loaded.configFile : loaded.credentialsFile;
      return Object.entries(parsed)
        .filter(([, v]) => v.region === 'marker')
        .map(([k]) => k)
        .sort();
    }),
  );
}

const hasBotocore = spawnSync('python3', ['-c', 'import botocore'], { encoding: 'utf8' }).status === 0;

describe.each(['config', 'credentials'] as const)('the %s file: each header reads as the clients read it', (kind) => {
  const ours = HEADERS.map((header) => parseAwsFile(`${header}\nregion = marker\n`, kind).sections[0]);

  (hasBotocore ? it : it.skip)('botocore (AWS CLI, boto3)', () => {
    const seen = botocoreReads(kind);
    expect(Object.fromEntries(HEADERS.map((h, i) => [h, seen[i]]))).toEqual(Object.fromEntries(HEADERS.map((h, i) => [h, ours[i]?.botocore === undefined ? [] : [ours[i]?.botocore]])));
  });

  it('the JS SDK', async () => {
    const seen = await jsReads(kind);
    expect(Object.fromEntries(HEADERS.map((h, i) => [h, seen[i]]))).toEqual(Object.fromEntries(HEADERS.map((h, i) => [h, ours[i]?.js === undefined ? [] : [ours[i]?.js]])));
  });
});

describe('the forms the clients read differently', () => {
  const read = (header: string) => {
    const s = parseAwsFile(`${header}\nregion = x\n`, 'config').sections[0];
    return { botocore: s?.botocore, js: s?.js };
  };
  it('a comment after the header, quotes and [profile default] name the profile for both', () => {
    expect(read('[profile deploy] # note')).toEqual({ botocore: 'deploy', js: 'deploy' });
    expect(read('[profile "deploy"]')).toEqual({ botocore: 'deploy', js: 'deploy' });
    expect(read('[profile default]')).toEqual({ botocore: 'default', js: 'default' });
  });
  it('two spaces name a profile for botocore only', () => {
    expect(read('[profile  audit]')).toEqual({ botocore: 'audit', js: undefined });
  });
});

describe('withoutProfiles', () => {
  it('removes every section any client reads as one of the profiles, and keeps the rest as written', () => {
    const text = '# mine\n[default]\nregion = a\n\n[profile deploy] # note\nrole_arn = x\nsource_profile = y\n\n[profile  deploy]\nregion = b\n[profile keep]\ns3 =\n  addressing_style = path\n[profile "deploy"]\nregion = c\n';
    const { text: out, removed } = withoutProfiles(text, 'config', new Set(['deploy']));
    expect(removed.map((s) => s.line)).toEqual([5, 9, 14]);
    expect(out).toBe('# mine\n[default]\nregion = a\n\n[profile keep]\ns3 =\n  addressing_style = path');
  });

  it('[profile default] and [default] both go when the default profile is ours', () => {
    expect(withoutProfiles('[profile default]\nregion = a\n[default]\nregion = b\n[profile k]\n', 'config', new Set(['default'])).text).toBe('[profile k]\n');
  });
});

describe('entries, as botocore reads them', () => {
  it('lower-cases keys, joins continuation lines, takes = or :, skips comments, keeps an inline # in the value', () => {
    const [section] = parseAwsFile('[profile a]\nRole_Arn = arn # prod\n; comment\ns3 =\n  addressing_style = path\n\n  signature_version = s3v4\nregion: eu-west-1\nnot an option\n', 'config').sections;
    expect(section?.entries.map((e) => [e.key, e.value, e.line])).toEqual([
      ['role_arn', 'arn # prod', 2],
      ['s3', '\naddressing_style = path\nsignature_version = s3v4', 4],
      ['region', 'eu-west-1', 8],
    ]);
    expect(section?.malformed).toEqual([9]);
  });

  it('splits like POSIX shlex', () => {
    expect(shlexSplit(`profile  "a b" 'c'd e\\ f "g\\"h"`)).toEqual(['profile', 'a b', 'cd', 'e f', 'g"h']);
    expect(shlexSplit('profile "open')).toBeUndefined();
  });
});
