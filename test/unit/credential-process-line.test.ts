// The credential_process line, quoted per platform (profiles.ts quoteArgument), must give every client
// back the argv it was built from. Both platforms' quoting is checked on every OS against splitters that
// follow each client's documented rules; on this OS the real clients run too: the JS SDK's process
// provider (through /bin/sh or cmd.exe), botocore (when python3 has it), python's shlex and /bin/sh.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { fromProcess } from '@aws-sdk/credential-providers';
import { credentialLines, quoteArgument, renderConfig } from '../../src/profiles.ts';

/** shlex.split (POSIX mode, no comments), which botocore uses on Linux and macOS. */
function shlexSplit(line: string): string[] {
  const args: string[] = [];
  let token: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (/\s/.test(c)) {
      if (token !== undefined) args.push(token);
      token = undefined;
    } else if (c === '\\') {
      token = (token ?? '') + (line[++i] ?? '');
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error('No closing quotation');
      token = (token ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      token ??= '';
      for (i++; line[i] !== '"'; i++) {
        if (i >= line.length) throw new Error('No closing quotation');
        if (line[i] === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) i++;
        token += line[i];
      }
    } else token = (token ?? '') + c;
  }
  if (token !== undefined) args.push(token);
  return args;
}

/** CommandLineToArgvW's rules, which botocore's Windows splitter and the C runtime of node.exe follow. */
function windowsSplit(line: string): string[] {
  const args: string[] = [];
  let token: string | undefined;
  let quoted = false;
  let backslashes = 0;
  const flush = () => {
    if (backslashes > 0) token = (token ?? '') + '\\'.repeat(backslashes);
    backslashes = 0;
  };
  for (const c of line) {
    if (c === '\\') backslashes++;
    else if (c === '"') {
      token = (token ?? '') + '\\'.repeat(Math.floor(backslashes / 2));
      const escaped = backslashes % 2 === 1;
      backslashes = 0;
      if (escaped) token += '"';
      else quoted = !quoted;
    } else if ((c === ' ' || c === '\t') && !quoted) {
      flush();
      if (token !== undefined) args.push(token);
      token = undefined;
    } else {
      flush();
      token = (token ?? '') + c;
    }
  }
  flush();
  if (token !== undefined) args.push(token);
  return args;
}

/** What cmd.exe /d /s /c leaves alone: no %, and & | < > ^ only between its (every) double quotes. */
function cmdLeavesAlone(line: string): boolean {
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (c === '%' || (!quoted && '&|<>^'.includes(c))) return false;
  }
  return true;
}

/** The JS SDK's config parser: a value ends at whitespace followed by '#' or ';'. */
const sdkIniValue = (value: string) => value.split(/(^|\s)[;#]/)[0]?.trim();

const both = [
  '/opt/hosted tool cache/node/24.1.0/x64/bin/node',
  'C:\\hostedtoolcache\\windows\\node\\24.1.0\\x64\\node.exe',
  'D:\\a\\_temp\\oidc-aws-credentials-Ab3\\settings.json',
  'C:\\Program Files\\trailing\\',
  'C:\\two trailing\\\\',
  "D:\\runner's work\\x",
  'a & b | c < d > e ^ f (g) !h',
  'dir #1 ;x',
  'tab\there',
  '$HOME `id` $(id)',
  'Ünïcødé ✓',
];
const posixOnly = ['say "hi" \\"there\\"', '100% of %PATH%', 'a\\\\"b', "'single' 'quotes'", 'back\\slash'];

describe('quoteArgument', () => {
  it.each(['linux', 'darwin'] as NodeJS.Platform[])('on %s: shlex.split and sh give back every argument', (platform) => {
    for (const arg of [...both, ...posixOnly]) {
      const quoted = quoteArgument(arg, platform);
      expect(sdkIniValue(`${quoted} ${quoted}`)).toBe(`${quoted} ${quoted}`);
      expect(shlexSplit(`${quoted} ${quoted}`)).toEqual([arg, arg]);
    }
  });

  it('on win32: CommandLineToArgvW gives back every argument, and cmd.exe changes nothing', () => {
    for (const arg of both) {
      const quoted = quoteArgument(arg, 'win32');
      const line = `${quoted} ${quoted}`;
      expect(sdkIniValue(line)).toBe(line);
      expect(cmdLeavesAlone(line)).toBe(true);
      expect(windowsSplit(line)).toEqual([arg, arg]);
    }
  });

  it('refuses what a platform cannot carry, naming it', () => {
    expect(() => quoteArgument('100%', 'win32')).toThrow('cmd.exe would rewrite');
    expect(() => quoteArgument('say "hi"', 'win32')).toThrow('cmd.exe would rewrite');
    expect(() => quoteArgument('two\nlines', 'linux')).toThrow('one line');
    expect(() => quoteArgument('two\r\nlines', 'win32')).toThrow('one line');
  });

  it('the splitters themselves follow the documented rules', () => {
    expect(shlexSplit(`a 'b c'd "e \\" \\x" f\\ g`)).toEqual(['a', 'b cd', 'e " \\x', 'f g']);
    expect(windowsSplit('a "b c"d e\\\\"f g" h\\ \\\\\\"i')).toEqual(['a', 'b cd', 'e\\f g', 'h\\', '\\"i']);
  });
});

describe('on this machine, the real clients', () => {
  const platform = process.platform;
  const args = platform === 'win32' ? both : [...both, ...posixOnly];
  const dir = mkdtempSync(path.join(os.tmpdir(), platform === 'win32' ? "cp dir's & #1 " : "cp dir's $x %y% #1 "));
  const script = path.join(dir, 'print argv.cjs');
  writeFileSync(script, 'process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: JSON.stringify(process.argv.slice(2)), SecretAccessKey: "s" }))');
  const config = path.join(dir, 'config');
  const profiles = args.map((_, i) => ({ name: `p${i}`, roleArn: 'arn:aws:iam::111111111111:role/r' }));
  // credentialLines puts node, the helper and the settings path before the profile name: the settings
  // path stands in for each argument under test.
  const lines = args.map((arg, i) => renderConfig('', [{ profile: profiles[i]!.name, input: 'profiles', body: credentialLines(profiles[i]!.name, { kind: 'refresh', node: process.execPath, helper: script, settings: arg }, platform) }]).text);
  writeFileSync(config, lines.join('\n'));

  it('the JS SDK (its config parser, then its shell) runs the helper with every argument intact', async () => {
    for (const [i, arg] of args.entries()) {
      const credentials = await fromProcess({ profile: `p${i}`, filepath: path.join(dir, 'none'), configFilepath: config })();
      expect(JSON.parse(credentials.accessKeyId)).toEqual([arg, `p${i}`]);
    }
  });

  // GitHub's Windows and macOS images may lack a python3 with botocore; this machine has one.
  const botocore = spawnSync('python3', ['-c', 'import botocore'], { encoding: 'utf8' });
  (botocore.error || botocore.status !== 0 ? it.skip : it)('botocore (its config parser, then its splitter) runs the helper with every argument intact', () => {
    const program = [
      'import json, sys, botocore.session',
      'out = []',
      'for name in sys.argv[1:]:',
      '    s = botocore.session.Session(profile=name)',
      '    out.append(json.loads(s.get_credentials().access_key))',
      'print(json.dumps(out))',
    ].join('\n');
    const env = { ...process.env, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none') };
    const seen = JSON.parse(execFileSync('python3', ['-c', program, ...profiles.map((p) => p.name)], { env, encoding: 'utf8' })) as string[][];
    expect(seen).toEqual(args.map((arg, i) => [arg, `p${i}`]));
  });

  if (platform !== 'win32') {
    it('python shlex.split and /bin/sh -c agree with the POSIX quoting', () => {
      const line = args.map((arg) => quoteArgument(arg, platform)).join(' ');
      const shlex = JSON.parse(execFileSync('python3', ['-c', 'import json, shlex, sys; print(json.dumps(shlex.split(sys.argv[1])))', line], { encoding: 'utf8' })) as string[];
      expect(shlex).toEqual(args);
      const sh = JSON.parse(execFileSync('/bin/sh', ['-c', `${quoteArgument(process.execPath, platform)} -e 'console.log(JSON.stringify(process.argv.slice(1)))' ${line}`], { encoding: 'utf8' })) as string[];
      expect(sh).toEqual(args);
    });
  }
});
