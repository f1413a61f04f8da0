// Lower layers never import higher ones: where the token comes from (src/token/) sits below how
// credentials are obtained (src/sources/); the claims model and the IAM evaluator sit below everything
// that uses them and touch nothing but each other.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

const SRC = new URL('../../src/', import.meta.url).pathname;

/** The src/ files a module imports, as paths relative to src/: static imports, re-exports and import(). */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(SRC, file), 'utf8');
  const specifiers = [...text.matchAll(/^(?:import|export)[^'";]*?(?:from\s*)?['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/gm)].map((m) => m[1] ?? m[2] ?? '');
  return specifiers.map((s) => path.relative(SRC, path.resolve(path.dirname(path.join(SRC, file)), s)));
}

// TypeScript modules only: src/policies/terraform-eval/ holds the Go evaluator's source.
const filesIn = (dir: string) => readdirSync(path.join(SRC, dir)).filter((f) => f.endsWith('.ts')).map((f) => `${dir}/${f}`);

describe('layers', () => {
  it.each([
    ['token', ['token/', 'errors.ts', 'http.ts', 'github/']],
    ['github', ['github/']],
    ['iam', ['iam/', 'github/']],
    ['policies', ['policies/', 'iam/']],
  ])('src/%s imports only what lies below it', (dir, allowed) => {
    for (const file of filesIn(dir)) {
      for (const imported of importsOf(file)) expect([file, allowed.some((a) => imported.startsWith(a))]).toEqual([file, true]);
    }
  });

  it('sources import the token layer, and nothing in it imports a source', () => {
    expect(filesIn('sources').some((f) => importsOf(f).some((i) => i.startsWith('token/')))).toBe(true);
    expect(filesIn('token').flatMap(importsOf).filter((i) => i.startsWith('sources/'))).toEqual([]);
  });
});
