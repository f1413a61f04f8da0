// IAM wildcards and GitHub's filter patterns come from files a pull request writes, so they are matched
// without backtracking. The hostile cases below are sized so that a backtracking regular expression could
// not finish them: `*a*a*a*a*a*a*a*a*b` against 10,000 a's makes it try every way of placing 8 stars'
// runs, about C(10,000, 8) ≈ 2.5e27 attempts, before it fails; the matchers here take at most
// |text| × |pattern| ≈ 10,000 × 17 steps. Each case checks the result, not the time. The matchers must also
// mean what the regular expressions they replaced meant: random small cases are compared with those.
import { describe, expect, test } from '@jest/globals';
import { admits, representative, toLike } from '../../src/check/filters.ts';
import { evaluate, type Request } from '../../src/iam/evaluate.ts';
import type { PolicyDocument } from '../../src/iam/policy.ts';

const KEY = 'token.actions.githubusercontent.com:sub';
const PROVIDER = 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com';

function policy(operator: string, value: string, action = 'sts:AssumeRoleWithWebIdentity'): PolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: PROVIDER }, Action: action, Condition: { [operator]: { [KEY]: value } } }] };
}
const request = (sub: string, action = 'sts:AssumeRoleWithWebIdentity'): Request => ({ action, principal: { federated: PROVIDER }, context: { [KEY]: sub } });
const allowed = (operator: string, value: string, sub: string, action?: string) => evaluate(policy(operator, value, action), request(sub, action)).allowed;

/** mulberry32: a seeded generator, the same cases on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const word = (r: () => number, alphabet: string, max: number) => Array.from({ length: Math.floor(r() * (max + 1)) }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');

const A = 'a'.repeat(10_000);
const STARS = '*a'.repeat(8);

describe('IAM wildcards are matched without backtracking', () => {
  test('StringLike: a hostile pattern against 10,000 characters, failing and matching', () => {
    expect(allowed('StringLike', `${STARS}*b`, A)).toBe(false);
    expect(allowed('StringLike', STARS, A)).toBe(true);
    expect(allowed('StringLike', `${STARS}*b`, `${A}b`)).toBe(true);
    expect(allowed('StringNotLike', `${STARS}*b`, A)).toBe(true);
    expect(allowed('StringLike', `${'?'.repeat(9_999)}`, A)).toBe(false);
    expect(allowed('StringLike', `${'?'.repeat(10_000)}`, A)).toBe(true);
  });

  test('ArnLike, component by component, and an Action pattern', () => {
    const arn = `arn:aws:iam::111111111111:role/${A}`;
    const op = 'ArnLike';
    const doc: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: PROVIDER }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { [op]: { 'aws:SourceArn': `arn:aws:iam::*:role/${STARS}*b` } } }] };
    const with_ = (value: string) => evaluate(doc, { action: 'sts:AssumeRoleWithWebIdentity', principal: { federated: PROVIDER }, context: { 'aws:SourceArn': value } }).allowed;
    expect(with_(arn)).toBe(false);
    expect(with_(`${arn}b`)).toBe(true);
    const action = `sts:${A}`;
    expect(evaluate(policy('StringLike', '*', `sts:${STARS.toUpperCase()}*B`), request('x', action)).allowed).toBe(false);
    expect(evaluate(policy('StringLike', '*', `sts:${STARS.toUpperCase()}*`), request('x', action)).allowed).toBe(true);
  });

  test("a value of 100,000 '${' without a '}' is text, read in one pass", () => {
    const value = '${'.repeat(100_000);
    expect(allowed('StringEquals', value, value)).toBe(true);
    expect(allowed('StringLike', `${value}*`, `${value}x`)).toBe(true);
  });

  test('policy variables: resolved text is literal, ${*} is a star character, a malformed variable is text', () => {
    const doc = (value: string): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: PROVIDER }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { [KEY]: value } } }] });
    const ask = (value: string, sub: string, extra: Record<string, string> = {}) => evaluate(doc(value), { ...request(sub), context: { [KEY]: sub, ...extra } }).allowed;
    expect(ask('repo:${aws:x}', 'repo:a*', { 'aws:x': 'a*' })).toBe(true);
    expect(ask('repo:${aws:x}', 'repo:ab', { 'aws:x': 'a*' })).toBe(false);
    expect(ask('repo:${ aws:y , \'d?\' }', 'repo:d?')).toBe(true);
    expect(ask('repo:${ aws:y , \'d?\' }', 'repo:dx')).toBe(false);
    expect(ask('a${*}', 'a*')).toBe(true);
    expect(ask('a${*}', 'ab')).toBe(false);
    expect(ask('${}*', '${}x')).toBe(true);
    expect(ask("${a, 'b' x}*", "${a, 'b' x}y")).toBe(true);
    expect(ask('${aws:missing}', '')).toBe(false);
  });

  // The policy-value reader the scan replaced, for what `${…}` means.
  function variablesRegExp(value: string, context: Record<string, string>): RegExp | undefined {
    let source = '';
    const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    for (const part of value.split(/(\$\{[^}]*\})/)) {
      const variable = /^\$\{\s*([^,}]+?)\s*(?:,\s*'([^']*)'\s*)?\}$/.exec(part);
      if (variable) {
        const [, name = '', fallback] = variable;
        if (name === '*' || name === '?' || name === '$') source += literal(name);
        else if (context[name.toLowerCase()] !== undefined) source += literal(context[name.toLowerCase()]!);
        else if (fallback !== undefined) source += literal(fallback);
        else return undefined;
        continue;
      }
      source += part.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : literal(c))).join('');
    }
    return new RegExp(`^${source}$`, 's');
  }

  test('random policy variables mean what the regular expressions read them as', () => {
    const r = random(7);
    const pieces = ['${', '}', ',', "'", ' ', '\t', 'aws:x', 'x', 'a', '*', '?', '$'];
    const context = { 'aws:x': 'a*', ' ': 's' };
    let matched = 0;
    for (let n = 0; n < 4000; n++) {
      const value = Array.from({ length: r() * 9 }, () => pieces[Math.floor(r() * pieces.length)]).join('');
      const sub = r() < 0.5 ? value.replace(/[${}',\s]/g, (c) => (r() < 0.5 ? '' : c)) : word(r, 'a*s${}', 5);
      const expected = variablesRegExp(value, context)?.test(sub) === true;
      if (expected) matched++;
      const got = evaluate(policy('StringLike', value), { ...request(sub), context: { [KEY]: sub, ...context } }).allowed;
      expect([value, sub, got]).toEqual([value, sub, expected]);
    }
    expect(matched).toBeGreaterThan(100);
  });

  // The regular expressions the matcher replaced: the reference for what `*`, `?` and case mean.
  const likeRegExp = (p: string) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  const actionRegExp = (p: string) => new RegExp(likeRegExp(p).source, 'si');

  test('random patterns mean what the regular expressions meant: StringLike, and Action case-insensitively', () => {
    const r = random(21);
    let matched = 0;
    for (let n = 0; n < 3000; n++) {
      const pattern = word(r, 'ab/:*?.\n', 7);
      const sub = word(r, 'ab/:.\n', 8);
      const expected = likeRegExp(pattern).test(sub);
      if (expected) matched++;
      expect([pattern, sub, allowed('StringLike', pattern, sub)]).toEqual([pattern, sub, expected]);
      const action = `sts:${word(r, 'aAbBſKkßıI*?', 5)}`;
      const named = `sts:${word(r, 'aAbBſKkßıIsS', 5)}`;
      expect([action, named, allowed('StringLike', '*', 'x', action) && evaluate(policy('StringLike', '*', action), request('x', named)).allowed]).toEqual([action, named, actionRegExp(action).test(named)]);
    }
    // Both outcomes were exercised.
    expect(matched).toBeGreaterThan(100);
  });
});

describe("GitHub's filter patterns are matched without backtracking", () => {
  test('a hostile pattern against a 10,000-character name, failing and matching', () => {
    expect(admits([`${STARS}*b`], A)).toBe(false);
    expect(admits([STARS], A)).toBe(true);
    expect(admits([`${'**a'.repeat(8)}**b`], `${A}/b`)).toBe(true);
    expect(admits([`${'**a'.repeat(8)}**b`], A)).toBe(false);
    expect(admits([`${STARS}*b`], `${'a'.repeat(5_000)}/b`)).toBe(false);
    // a?ⁿaⁿ against aⁿ: the classic exponential case of backtracking.
    expect(admits([`${'a?'.repeat(2_000)}${'a'.repeat(2_000)}`], 'a'.repeat(2_000))).toBe(true);
    expect(admits([`${'a+'.repeat(2_000)}b`], A)).toBe(false);
  });

  test('patterns the regular expression could not even compile have a meaning, and do not throw', () => {
    expect(admits(['a*+'], 'abc')).toBe(true);
    expect(admits(['a*+'], 'a/c')).toBe(false);
    expect(admits(['+a'], '+a')).toBe(true);
    expect(admits(['?a'], 'a')).toBe(false);
    expect(admits(['a?+'], '')).toBe(true);
    expect(admits(['a?+'], 'aaa')).toBe(true);
    expect(admits(['v[9-0]'], 'v5')).toBe(false);
    expect(admits(['['.repeat(50_000)], '['.repeat(50_000))).toBe(true);
    expect(representative(`${'['.repeat(50_000)}*`, 'x')).toBe(`${'['.repeat(50_000)}x`);
    expect(toLike(`${'['.repeat(50_000)}+`)).toBe(`${'['.repeat(49_999)}*`);
  });

  // The regular expression the matcher replaced, for the patterns it could compile.
  function filterRegExp(pattern: string): RegExp | undefined {
    let source = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i]!;
      if (c === '*') {
        const double = pattern[i + 1] === '*';
        source += double ? '.*' : '[^/]*';
        if (double) i++;
      } else if (c === '?' || c === '+') source += c;
      else if (c === '[') {
        const end = pattern.indexOf(']', i + 1);
        if (end < 0) source += '\\[';
        else {
          source += `[${pattern.slice(i + 1, end).replace(/[\\^]/g, '\\$&')}]`;
          i = end;
        }
      } else source += c.replace(/[.^$|(){}\\/]/g, '\\$&');
    }
    try {
      return new RegExp(`^${source}$`);
    } catch {
      return undefined;
    }
  }

  test('random patterns mean what the regular expression meant', () => {
    const r = random(4);
    let compared = 0;
    let matched = 0;
    for (let n = 0; n < 5000; n++) {
      const pattern = word(r, 'ab/*?+[]-^\\', 7);
      const old = filterRegExp(pattern);
      if (!old) continue;
      const name = word(r, 'ab/-^\\[', 7);
      compared++;
      if (old.test(name)) matched++;
      expect([pattern, name, admits([pattern], name)]).toEqual([pattern, name, old.test(name)]);
    }
    expect(compared).toBeGreaterThan(2000);
    expect(matched).toBeGreaterThan(100);
  });
});
