// The one IAM policy evaluator: the STS emulator, the diagnosis and the trust check all judge with it.
// Semantics are IAM's documented ones ("IAM JSON policy elements: Condition operators", "Policy
// evaluation logic"): an explicit Deny wins, else some Allow must apply; a statement applies when its
// Action, its Principal and every condition hold; several operators, and several keys under one, are an
// AND; several values of one key are an OR. Condition keys are case-insensitive, values case-sensitive.
import { GITHUB_ISSUER, type Claims } from '../github/claims.ts';
import type { PolicyDocument, Statement } from './policy.ts';

type ContextValue = string | string[] | boolean | undefined;

export interface Request {
  action: string;
  principal: { federated?: string; aws?: string };
  /** Condition keys, case-insensitive names: 'token.actions.githubusercontent.com:sub', 'sts:ExternalId', 'aws:PrincipalTag/x', ... */
  context: Record<string, ContextValue>;
}

export interface Verdict {
  allowed: boolean;
  /** One sentence: what decided. Statements are counted from 1 here. */
  why: string;
  /** The statement (its index in Statement, from 0) and condition that decided, when one did. */
  deciding?: { statement: number; effect: 'Allow' | 'Deny'; operator?: string; key?: string };
}

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const quote = (values: string[]) => values.map((v) => `'${v}'`).join(' or ');

export function evaluate(policy: PolicyDocument, request: Request): Verdict {
  const context = new Map<string, ContextValue>();
  for (const [key, value] of Object.entries(request.context)) if (value !== undefined) context.set(key.toLowerCase(), value);
  let allowed: Verdict | undefined;
  let nearest: Verdict | undefined;
  let untrusted: string | undefined;
  for (const [index, statement] of policy.Statement.entries()) {
    const label = `statement ${index + 1} (${statement.Effect})`;
    if (!actionMatches(statement, request.action)) continue;
    if (!principalMatches(statement, request.principal)) {
      if (statement.Effect === 'Allow') untrusted ??= `${label} trusts ${describePrincipal(statement)}, not ${request.principal.federated ?? request.principal.aws ?? 'this caller'}`;
      continue;
    }
    const conditions = conditionsOf(statement);
    const failed = conditions.map((c) => ({ ...c, ...test(c.operator, c.key, c.values, context, statement.Effect) })).find((c) => !c.holds);
    const first = conditions[0];
    if (statement.Effect === 'Deny' && !failed) {
      const what = conditions.map((c) => `${c.operator} ${c.key} ${quote(c.values)}`).join(' and ');
      return { allowed: false, why: `${label} applies${what ? ` (${what} holds)` : ''}, and an explicit Deny wins`, deciding: { statement: index, effect: 'Deny', ...(first ? { operator: first.operator, key: first.key } : {}) } };
    }
    if (statement.Effect === 'Allow' && !failed) allowed ??= { allowed: true, why: `${label} admits it`, deciding: { statement: index, effect: 'Allow' } };
    if (statement.Effect === 'Allow' && failed) nearest ??= { allowed: false, why: `${label}: ${failed.why}`, deciding: { statement: index, effect: 'Allow', operator: failed.operator, key: failed.key } };
  }
  if (allowed) return allowed;
  if (nearest) return nearest;
  return { allowed: false, why: untrusted ?? `no Allow statement covers ${request.action}` };
}

/**
 * The claims STS offers as condition keys. AWS's Service Authorization Reference ("Actions, resources,
 * and condition keys for AWS Security Token Service") lists aud and sub for any OIDC provider and these
 * for GitHub's issuers (token.actions.githubusercontent.com, its /SUBPATH enterprise form, and
 * github.com/enterprises/NAME); every other claim (event_name, ref_type, workflow_ref, base_ref,
 * repository_owner, ...) is no key at all, so a condition on it meets a missing key. For a GitHub
 * Enterprise Server issuer the reference lists nothing beyond aud and sub, and that is what is offered.
 */
const GITHUB_KEYS = ['actor', 'actor_id', 'enterprise_id', 'environment', 'job_workflow_ref', 'ref', 'repository', 'repository_id', 'repository_owner_id', 'workflow'];
const GITHUB_HOSTS = /^(?:token\.actions\.githubusercontent\.com(?:\/[^:]+)?|github\.com\/enterprises\/[^:/]+)$/;

/** The claims of tokens from `issuer` that STS offers as condition keys ('<issuer host>:<claim>'). */
export function offeredClaims(issuer: string | undefined): string[] {
  return ['aud', 'sub', ...(GITHUB_HOSTS.test(issuerHost(issuer)) ? GITHUB_KEYS : [])];
}

const issuerHost = (issuer: string | undefined) => (issuer ?? GITHUB_ISSUER).replace(/^https?:\/\//, '');

/** The request GitHub's token makes: Federated principal of the issuer's provider in `account`, action sts:AssumeRoleWithWebIdentity, the claims as '<issuer host>:<claim>' keys. */
export function webIdentityRequest(claims: Claims, account: string, partition = 'aws'): Request {
  const host = issuerHost(claims.iss);
  const context: Record<string, ContextValue> = {};
  for (const name of offeredClaims(claims.iss)) {
    const value = claims[name];
    if (typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))) context[`${host}:${name}`] = value as ContextValue;
  }
  return { action: 'sts:AssumeRoleWithWebIdentity', principal: { federated: `arn:${partition}:iam::${account}:oidc-provider/${host}` }, context };
}

function conditionsOf(statement: Statement): { operator: string; key: string; values: string[] }[] {
  return Object.entries(statement.Condition ?? {}).flatMap(([operator, entries]) =>
    Object.entries(entries).map(([key, values]) => ({ operator, key, values: list(values as unknown).map((v) => String(v)) })),
  );
}

/** Action names are case-insensitive; `*` and `?` are wildcards. */
function actionMatches(statement: Statement, action: string): boolean {
  const named = (patterns: string | string[] | undefined) => list(patterns).some((p) => wildcard(p).test(action));
  return statement.NotAction !== undefined ? !named(statement.NotAction) : named(statement.Action);
}

/**
 * A trust policy statement needs a Principal (IAM refuses to save one without). `*` and AWS `*` name
 * everyone; an account ID or its :root ARN names every principal of the account; a role's ARN names its
 * sessions (arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION).
 */
function principalMatches(statement: Statement, who: Request['principal']): boolean {
  if (statement.NotPrincipal !== undefined) return !principalNamed(statement.NotPrincipal, who);
  return statement.Principal !== undefined && principalNamed(statement.Principal, who);
}

function principalNamed(principal: NonNullable<Statement['Principal']>, who: Request['principal']): boolean {
  if (principal === '*') return true;
  const aws = list(principal.AWS);
  if (aws.includes('*')) return true;
  if (who.federated && list(principal.Federated).includes(who.federated)) return true;
  return who.aws !== undefined && aws.some((p) => awsPrincipalNames(p, who.aws ?? ''));
}

function awsPrincipalNames(named: string, caller: string): boolean {
  if (named === caller) return true;
  const [, partition, , , account = ''] = caller.split(':');
  if (/^\d{12}$/.test(named)) return named === account;
  if (named === `arn:${partition}:iam::${account}:root`) return true;
  const session = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(caller);
  const role = /^arn:([\w-]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(named);
  return !!session && !!role && session[1] === role[1] && session[2] === role[2] && session[3] === role[3];
}

function describePrincipal(statement: Statement): string {
  const p = statement.Principal ?? statement.NotPrincipal;
  if (p === undefined) return 'no principal';
  if (p === '*') return 'everyone';
  return [...list(p.Federated), ...list(p.AWS), ...list(p.Service)].join(', ') || 'no principal';
}

interface Operator {
  /** The request's value satisfies the operator against the policy's values. */
  test(value: string, expected: string[], context: Map<string, ContextValue>): boolean;
  /** StringNot…, ArnNot…, …NotEquals: hold when the key is absent. */
  negated: boolean;
}

/**
 * `matches` is undefined for a value whose policy variable cannot be resolved. AWS: such a variable "may
 * invalidate the whole statement"; the independent simulator reads it as a value that never matches, and
 * as a negated operator that never holds (its other values notwithstanding): so does this evaluator.
 */
function compare(negated: boolean, expected: string[], matches: (expected: string) => boolean | undefined): boolean {
  const results = expected.map(matches);
  return negated ? !results.includes(undefined) && !results.includes(true) : results.includes(true);
}

const stringOp = (ignoreCase: boolean, wildcards: boolean, negated: boolean): Operator => ({
  negated,
  test: (value, expected, context) => compare(negated, expected, (e) => pattern(e, context, wildcards, ignoreCase)?.test(value)),
});

/** ARNs are compared component by component (six, split at ':'), each with wildcards. */
const arnOp = (negated: boolean): Operator => ({
  negated,
  test: (value, expected, context) =>
    compare(negated, expected, (e) => {
      const want = arnParts(e);
      const have = arnParts(value);
      if (!want || !have) return false;
      const parts = want.map((part) => pattern(part, context, true, false));
      return parts.includes(undefined) ? undefined : parts.every((p, i) => p?.test(have[i] ?? '') ?? false);
    }),
});

/** Numbers and dates: both sides read as numbers by `read`; a side that does not read never matches. */
const orderedOp =
  (read: (text: string) => number | undefined) =>
  (order: (a: number, b: number) => boolean, negated = false): Operator => ({
    negated,
    test: (value, expected) => {
      const have = read(value);
      return expected.some((e) => {
        const want = read(e);
        return have !== undefined && want !== undefined && order(have, want);
      }) !== negated;
    },
  });
const numericOp = orderedOp(number);
const dateOp = orderedOp(date);

const OPERATORS: Record<string, Operator> = {
  stringequals: stringOp(false, false, false),
  stringnotequals: stringOp(false, false, true),
  stringequalsignorecase: stringOp(true, false, false),
  stringnotequalsignorecase: stringOp(true, false, true),
  stringlike: stringOp(false, true, false),
  stringnotlike: stringOp(false, true, true),
  arnequals: arnOp(false),
  arnlike: arnOp(false),
  arnnotequals: arnOp(true),
  arnnotlike: arnOp(true),
  bool: { negated: false, test: (value, expected) => expected.some((e) => /^(true|false)$/i.test(e) && e.toLowerCase() === value.toLowerCase()) },
  numericequals: numericOp((a, b) => a === b),
  numericnotequals: numericOp((a, b) => a === b, true),
  numericlessthan: numericOp((a, b) => a < b),
  numericlessthanequals: numericOp((a, b) => a <= b),
  numericgreaterthan: numericOp((a, b) => a > b),
  numericgreaterthanequals: numericOp((a, b) => a >= b),
  dateequals: dateOp((a, b) => a === b),
  datenotequals: dateOp((a, b) => a === b, true),
  datelessthan: dateOp((a, b) => a < b),
  datelessthanequals: dateOp((a, b) => a <= b),
  dategreaterthan: dateOp((a, b) => a > b),
  dategreaterthanequals: dateOp((a, b) => a >= b),
};

/**
 * One key under one operator. Missing keys: false, except for negated operators and …IfExists (true)
 * and Null (which tests exactly that). ForAllValues holds when every request value matches (and when the
 * key is absent or empty); ForAnyValue when one does (never when absent). A single-valued operator never
 * matches a multivalued key: AWS's pages ask for a set operator there, and the independent simulator
 * (iam-simulate, confirmed by AWS, it says) does the same. IfExists beside a set operator changes nothing
 * in that simulator; AWS's pages are silent on the pair. Operator names are matched case-insensitively,
 * as that simulator does; AWS's pages spell them one way only. An operator this evaluator does not know
 * (IpAddress, BinaryEquals) never holds in an Allow and always holds in a Deny: the cautious reading.
 */
function test(rawOperator: string, key: string, expected: string[], context: Map<string, ContextValue>, effect: 'Allow' | 'Deny'): { holds: boolean; why: string } {
  const [, set = '', base = '', ifExists] = /^(?:(ForAnyValue|ForAllValues):)?(.*?)(IfExists)?$/i.exec(rawOperator) ?? [];
  const raw = context.get(key.toLowerCase());
  const values = raw === undefined ? undefined : list(raw).map((v) => String(v));
  const said = `${rawOperator} ${key} ${quote(expected)}`;
  if (base.toLowerCase() === 'null' && !set) {
    const holds = expected.some((e) => e.toLowerCase() === (raw === undefined ? 'true' : 'false'));
    return { holds, why: `${said}: ${key} is ${raw === undefined ? 'absent' : 'present'}` };
  }
  const operator = OPERATORS[base.toLowerCase()];
  if (!operator) return { holds: effect === 'Deny', why: `${rawOperator} is not an operator this evaluator knows` };
  const passes = (v: string) => operator.test(v, expected, context);
  if (set.toLowerCase() === 'forallvalues') {
    const bad = values?.find((v) => !passes(v));
    return { holds: bad === undefined, why: `${said}: '${bad ?? ''}' does not satisfy it` };
  }
  if (set.toLowerCase() === 'foranyvalue') {
    const holds = !!values && values.some(passes);
    return { holds, why: values ? `${said}: none of ${quote(values)} satisfies it` : `${said}: the request has no ${key}` };
  }
  if (raw === undefined) return { holds: !!ifExists || operator.negated, why: `${said}: the request has no ${key}` };
  if (Array.isArray(raw)) return { holds: false, why: `${said}: ${key} has several values, which a single-valued operator never matches (ForAnyValue: or ForAllValues: does)` };
  const value = String(raw);
  const holds = passes(value);
  const unresolved = expected.filter((e) => pattern(e, context, false, false) === undefined);
  if (!holds && operator.negated && unresolved.length > 0) return { holds, why: `${said}: ${quote(unresolved)} names a policy variable the request has no value for, which a negated operator never passes` };
  return { holds, why: `${said} ${operator.negated ? 'matches' : 'does not match'} '${value}'` };
}

/** A value matches a pattern (StringLike's, ArnLike's, an Action's), or not. */
interface Matcher {
  test(value: string): boolean;
}

/**
 * A policy value as a pattern. Policy variables: `${key}` is the request's value (a missing or multivalued
 * key, without a `${key, 'default'}`, matches nothing), `${*}`, `${?}` and `${$}` are those characters
 * literally. With wildcards, `*` is any run of characters and `?` any one.
 */
function pattern(value: string, context: Map<string, ContextValue>, wildcards: boolean, ignoreCase: boolean): Matcher | undefined {
  const glob: Glob = [];
  const literal = (text: string) => {
    for (let i = 0; i < text.length; i++) glob.push(ignoreCase ? fold(text[i]!) : text[i]!);
  };
  for (const part of pieces(value)) {
    const variable = part.startsWith('${') && part.endsWith('}') ? variableOf(part) : undefined;
    if (variable) {
      const { name, fallback } = variable;
      if (name === '*' || name === '?' || name === '$') {
        literal(name);
        continue;
      }
      const resolved = context.get(name.toLowerCase());
      if (typeof resolved === 'string' || typeof resolved === 'boolean') literal(String(resolved));
      else if (fallback !== undefined) literal(fallback);
      else return undefined;
      continue;
    }
    if (!wildcards) literal(part);
    else for (let i = 0; i < part.length; i++) glob.push(part[i] === '*' ? ANY_RUN : part[i] === '?' ? ANY_ONE : ignoreCase ? fold(part[i]!) : part[i]!);
  }
  return { test: (text) => globMatches(glob, ignoreCase ? foldAll(text) : text) };
}

/**
 * The value cut at its `${…}`: text, then a candidate variable (from `${` to the first `}`), and so on.
 * A scan, not a regular expression: the hostile `${${${…` without a `}` stays linear.
 */
function pieces(value: string): string[] {
  const found: string[] = [];
  let at = 0;
  for (;;) {
    const start = value.indexOf('${', at);
    const end = start < 0 ? -1 : value.indexOf('}', start + 2);
    if (end < 0) {
      found.push(value.slice(at));
      return found;
    }
    found.push(value.slice(at, start), value.slice(start, end + 1));
    at = end + 1;
  }
}

/** `${ name }` or `${ name, 'default' }` (spaces around each optional); anything else is no variable, only text. */
function variableOf(part: string): { name: string; fallback?: string } | undefined {
  const inner = part.slice(2, -1);
  const comma = inner.indexOf(',');
  const before = comma < 0 ? inner : inner.slice(0, comma);
  if (before === '') return undefined;
  // A name of spaces only is its last space, as IAM's grammar (and the regular expression this replaced) reads it.
  const name = before.trim() || before.slice(-1);
  if (comma < 0) return { name };
  const rest = inner.slice(comma + 1).trim();
  if (rest.length < 2 || !rest.startsWith("'") || !rest.endsWith("'") || rest.slice(1, -1).includes("'")) return undefined;
  return { name, fallback: rest.slice(1, -1) };
}

/** An Action pattern: `*` and `?` are wildcards, and names are case-insensitive. */
function wildcard(text: string): Matcher {
  const glob: Glob = [];
  for (let i = 0; i < text.length; i++) glob.push(text[i] === '*' ? ANY_RUN : text[i] === '?' ? ANY_ONE : fold(text[i]!));
  return { test: (value) => globMatches(glob, foldAll(value)) };
}

/**
 * A compiled wildcard pattern, one entry per UTF-16 code unit of the value: a literal unit, ANY_RUN (`*`,
 * any run of units, `/` and `:` included) or ANY_ONE (`?`, exactly one unit), as the regular expressions
 * this replaced read them (`.*` and `.` under the `s` flag, without `u`).
 */
const ANY_RUN = 0;
const ANY_ONE = 1;
type Glob = (string | typeof ANY_RUN | typeof ANY_ONE)[];

/**
 * Whether `glob` matches all of `text`: a greedy two-pointer scan that, on a mismatch, lets the last `*`
 * take one more unit. Earlier stars never need to take back what they took, so the work is at most
 * |text| × |glob| steps, where a backtracking regular expression takes |text|^stars on `*a*a*a*…b`.
 */
function globMatches(glob: Glob, text: string): boolean {
  let g = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    const want = glob[g];
    if (want === ANY_RUN) {
      star = g++;
      resume = t;
    } else if (g < glob.length && (want === ANY_ONE || want === text[t])) {
      g++;
      t++;
    } else if (star >= 0) {
      g = star + 1;
      t = ++resume;
    } else return false;
  }
  while (glob[g] === ANY_RUN) g++;
  return g === glob.length;
}

/**
 * A code unit as a case-insensitive, non-Unicode regular expression compares it (ECMAScript's Canonicalize):
 * upper-cased when that gives one unit, unless it would turn a non-ASCII unit into an ASCII one (ſ, ı, K).
 */
function fold(unit: string): string {
  const upper = unit.toUpperCase();
  return upper.length === 1 && !(unit.charCodeAt(0) >= 128 && upper.charCodeAt(0) < 128) ? upper : unit;
}

function foldAll(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text.toUpperCase();
  let folded = '';
  for (let i = 0; i < text.length; i++) folded += fold(text[i]!);
  return folded;
}

function arnParts(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

function number(text: string): number | undefined {
  const n = text.trim() === '' ? NaN : Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** ISO 8601 or epoch seconds, as IAM's date operators accept. */
function date(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}
