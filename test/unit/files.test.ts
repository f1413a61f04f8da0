import { mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { createPrivateDir, readPrivateFile, writeSecretFile } from '../../src/files.ts';

describe('files holding credentials', () => {
  const temp = () => mkdtempSync(path.join(os.tmpdir(), 'files-'));

  it('live in a 0700 folder under RUNNER_TEMP and are written 0600', () => {
    const dir = createPrivateDir(temp());
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const file = path.join(dir, 'cache.json');
    writeSecretFile(file, '{"a":1}');
    writeSecretFile(file, '{"a":2}');
    expect(statSync(file).mode & 0o777).toBe(0o600);
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
    expect(readFileSync(target, 'utf8')).toBe('untouched');
    expect(readdirSync(dir).sort()).toEqual(['config', 'elsewhere']);
  });
});
