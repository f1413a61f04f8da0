// npm run demo fits a terminal of 100 columns: the simulated workflow log is wrapped as GitHub's viewer wraps it.
import { describe, expect, it } from '@jest/globals';
import { COLUMNS, fit } from '../../scripts/demo-fit.ts';

const words = (text: string) => text.split(/\s+/).filter(Boolean);

describe('fit', () => {
  const long = `Error: The trust policy of arn:aws:iam::111111111111:role/pr-only does not admit this workflow's token (sub '${'repo:acme/webapp:ref:refs/heads/main '.repeat(5)}')`;

  it('breaks a long line at spaces into rows of at most 100 columns, keeping every word in order', () => {
    const rows = fit(long).split('\n');
    expect(rows.length).toBeGreaterThan(2);
    for (const row of rows) expect(row.length).toBeLessThanOrEqual(COLUMNS);
    expect(words(rows.join(' '))).toEqual(words(long));
    expect(rows[0]!.startsWith('    Error:')).toBe(true);
    expect(rows.slice(1).every((row) => row.startsWith('      '))).toBe(true);
  });

  it('cuts a word longer than a row, losing no character', () => {
    const path = `/tmp/${'x'.repeat(250)}`;
    const rows = fit(path, '  ').split('\n');
    for (const row of rows) expect(row.length).toBeLessThanOrEqual(COLUMNS);
    expect(rows.map((row) => row.trim()).join('')).toBe(path);
  });

  it('leaves a line that fits as it is, indented', () => {
    expect(fit('a\n  b', '    ')).toBe('    a\n      b');
  });
});
