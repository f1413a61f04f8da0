// The one escaping of every printed value: one line, no workflow command, no Markdown or HTML opened,
// and JSON that keeps the exact value.
import { describe, expect, it } from '@jest/globals';
import { jsonText, markdownText, oneLine, printable } from '../../src/check/one-line.ts';

describe('oneLine', () => {
  it.each([
    ['a\nb', 'a\\nb'],
    ['a\r\nb', 'a\\r\\nb'],
    ['tab\there', 'tab\\there'],
    ['\u001b[31mred', '\\u001b[31mred'],
    ['nul\u0000', 'nul\\u0000'],
    ['del\u007f c1\u0085\u009b', 'del\\u007f c1\\u0085\\u009b'],
    ['ls\u2028ps\u2029', 'ls\\u2028ps\\u2029'],
    ['::add-mask::x', '\\u003a:add-mask::x'],
    ['  ::warning::x', '  \\u003a:warning::x'],
    ['mid ::add-mask:: stays', 'mid ::add-mask:: stays'],
    ['x ##[add-mask]y', 'x ##\\u005badd-mask]y'],
    ['repo:acme/webapp:ref:refs/heads/main', 'repo:acme/webapp:ref:refs/heads/main'],
  ])('%j → %j', (given, printed) => {
    expect(oneLine(given)).toBe(printed);
    // Escaped once is escaped for good: a renderer may apply it again.
    expect(oneLine(printed)).toBe(printed);
  });
});

describe('printable', () => {
  it('escapes every string and key of a result, and keeps shared objects shared', () => {
    const policy = { where: 'p\n::add-mask::x', document: { Condition: { 'k\r': ['v\n'] } } };
    const out = printable({ runs: [{ policy }], fixes: [{ policy }], count: 3, allowed: true });
    expect(out.runs[0]!.policy).toBe(out.fixes[0]!.policy);
    expect(out.runs[0]!.policy).toEqual({ where: 'p\\n::add-mask::x', document: { Condition: { 'k\\r': ['v\\n'] } } });
    expect(out.count).toBe(3);
    expect(out.allowed).toBe(true);
  });
});

describe('jsonText', () => {
  it('parses back to the exact value, with no raw separator, C1 control or ##[', () => {
    const value = { why: 'a\nb\u2028c\u0085d ##[add-mask]e \u007f' };
    const text = jsonText(value, 2);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).not.toMatch(/[\u007f-\u009f\u2028\u2029]|##\[/);
  });
});

describe('markdownText', () => {
  it('opens no tag, cell, code span or link', () => {
    expect(markdownText('<img src=x> | [a](https://e.example) `c` www.e.example a@b.c $x$')).toBe(
      '\\<img src=x\\> \\| \\[a\\]\\(https\\://e\\.example\\) \\`c\\` www\\.e\\.example a\\@b\\.c \\$x\\$',
    );
  });
});
