// The text report's wrapping: lines of at most 100 columns, broken at spaces, a value longer than a line cut,
// and every continuation indented, so no wrapped line can start a workflow command.
import { describe, expect, it } from '@jest/globals';
import { WIDTH, wrap } from '../../src/check/report.ts';

describe('wrap', () => {
  it('breaks at spaces under the hanging indent, and keeps every word', () => {
    const text = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const lines = wrap(text, '  REFUSED   ', 12);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.every((l) => l.length <= WIDTH)).toBe(true);
    expect(lines[0]!.startsWith('  REFUSED   word0 ')).toBe(true);
    expect(lines.slice(1).every((l) => /^ {12}\S/.test(l))).toBe(true);
    expect(lines.join(' ').replace(/\s+/g, ' ').trim()).toBe(`REFUSED ${text}`);
  });

  it('cuts a value longer than a line where the line ends, and loses nothing of it', () => {
    const arn = `arn:aws:iam::111111111111:role/${'x'.repeat(230)}`;
    const lines = wrap(`role ${arn} refused`, '', 4);
    expect(lines.every((l) => l.length <= WIDTH)).toBe(true);
    expect(lines[0]).toBe('role');
    // The pieces of the ARN, put back together, are the ARN: 96 columns a line after the indent of 4.
    expect(lines.slice(1).map((l) => l.slice(4)).join('')).toBe(`${arn} refused`);
    expect(lines.slice(1, -1).every((l) => l.length === WIDTH)).toBe(true);
  });

  it('indents every continuation by at least 2, so a word that starts with :: never starts a line', () => {
    const lines = wrap(`${'a'.repeat(95)} ::add-mask::REFUSED ${'b '.repeat(60)}`, '', 0);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((l) => l.startsWith('  '))).toBe(true);
    expect(lines[1]).toMatch(/^ {2}::add-mask::REFUSED b/);
    expect(lines.filter((l) => l.startsWith('::'))).toEqual([]);
  });
});
