import { constants, lstatSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { createPrivateDir, HOST, readPrivateFile, writeSecretFile, type LinkGuard } from '../../src/files.ts';

// Windows ignores POSIX modes (see files.ts): there the folder's ACL is what keeps the files private.
const POSIX_MODES = process.platform !== 'win32';
// The way Windows refuses links, which has no O_NOFOLLOW: tested on every OS.
const WINDOWS_WAY: LinkGuard = { noFollow: undefined, lstat: lstatSync };

describe('files holding credentials', () => {
  const temp = () => mkdtempSync(path.join(os.tmpdir(), 'files-'));

  it('live in a 0700 folder under RUNNER_TEMP and are written 0600', () => {
    const runnerTemp = temp();
    const dir = createPrivateDir(runnerTemp);
    expect(path.dirname(dir)).toBe(runnerTemp);
    expect(path.basename(dir)).toMatch(/^oidc-aws-credentials-/);
    if (POSIX_MODES) expect(statSync(dir).mode & 0o777).toBe(0o700);
    const file = path.join(dir, 'cache.json');
    writeSecretFile(file, '{"a":1}');
    writeSecretFile(file, '{"a":2}');
    if (POSIX_MODES) expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['cache.json']);
    expect(readPrivateFile(file)).toBe('{"a":2}');
    expect(readPrivateFile(path.join(dir, 'missing'))).toBeUndefined();
    expect(() => createPrivateDir(undefined)).toThrow('RUNNER_TEMP');
  });

  it('are never written or read through a symbolic link', () => {
    const dir = temp();
    const target = path.join(dir, 'elsewhere');
    writeFileSync(target, 'untouched');
    const link = path.join(dir, 'config');
    symlinkSync(target, link);
    expect(() => writeSecretFile(link, 'secret')).toThrow('symbolic link');
    expect(() => readPrivateFile(link)).toThrow();
    expect(() => writeSecretFile(link, 'secret', WINDOWS_WAY)).toThrow('symbolic link');
    expect(() => readPrivateFile(link, WINDOWS_WAY)).toThrow('symbolic link');
    expect(readFileSync(target, 'utf8')).toBe('untouched');
    expect(readdirSync(dir).sort()).toEqual(['config', 'elsewhere']);
  });

  it('on the host, use O_NOFOLLOW where the platform has one', () => {
    expect(HOST.noFollow).toBe(process.platform === 'win32' ? undefined : constants.O_NOFOLLOW);
  });

  it('without O_NOFOLLOW, refuse a file swapped for a link between the look and the open', () => {
    const dir = temp();
    const file = path.join(dir, 'cache.json');
    const target = path.join(dir, 'elsewhere');
    writeFileSync(target, 'not ours');
    writeSecretFile(file, 'ours', WINDOWS_WAY);
    expect(readPrivateFile(file, WINDOWS_WAY)).toBe('ours');
    expect(readPrivateFile(path.join(dir, 'missing'), WINDOWS_WAY)).toBeUndefined();
    // The look sees our file; by the time of the open, a link to another file stands in its place.
    const swapping: LinkGuard = {
      noFollow: undefined,
      lstat: (f) => {
        const looked = lstatSync(f);
        renameSync(f, `${f}.moved`);
        symlinkSync(target, f);
        return looked;
      },
    };
    expect(() => readPrivateFile(file, swapping)).toThrow('replaced while being opened');
  });
});
