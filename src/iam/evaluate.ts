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
  const named = (patterns: string | string[] | undefined) => list(patterns).some((p) => wildcard(p, 'i').test(action));
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

const stringOp = (flags: string, wildcards: boolean, negated: boolean): Operator => ({
  negated,
  test: (value, expected, context) => compare(negated, expected, (e) => pattern(e, context, wildcards, flags)?.test(value)),
});

/** ARNs are compared component by component (six, split at ':'), each with wildcards. */
const arnOp = (negated: boolean): Operator => ({
  negated,
  test: (value, expected, context) =>
    compare(negated, expected, (e) => {
      const want = arnParts(e);
      const have = arnParts(value);
      if (!want || !have) return false;
      const parts = want.map((part) => pattern(part, context, true, ''));
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
  stringequals: stringOp('', false, false),
  stringnotequals: stringOp('', false, true),
  stringequalsignorecase: stringOp('i', false, false),
  stringnotequalsignorecase: stringOp('i', false, true),
  stringlike: stringOp('', true, false),
  stringnotlike: stringOp('', true, true),
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
  const unresolved = expected.filter((e) => pattern(e, context, false, '') === undefined);
  if (!holds && operator.negated && unresolved.length > 0) return { holds, why: `${said}: ${quote(unresolved)} names a policy variable the request has no value for, which a negated operator never passes` };
  return { holds, why: `${said} ${operator.negated ? 'matches' : 'does not match'} '${value}'` };
}

/**
 * A policy value as a pattern. Policy variables: `${key}` is the request's value (a missing or multivalued
 * key, without a `${key, 'default'}`, matches nothing), `${*}`, `${?}` and `${$}` are those characters
 * literally. With wildcards, `*` is any run of characters and `?` any one.
 */
function pattern(value: string, context: Map<string, ContextValue>, wildcards: boolean, flags: string): RegExp | undefined {
  let source = '';
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const parts = value.split(/(\$\{[^}]*\})/);
  for (const part of parts) {
    const variable = /^\$\{\s*([^,}]+?)\s*(?:,\s*'([^']*)'\s*)?\}$/.exec(part);
    if (variable) {
      const [, name = '', fallback] = variable;
      if (name === '*' || name === '?' || name === '$') {
        source += literal(name);
        continue;
      }
      const resolved = context.get(name.toLowerCase());
      if (typeof resolved === 'string' || typeof resolved === 'boolean') source += literal(String(resolved));
      else if (fallback !== undefined) source += literal(fallback);
      else return undefined;
      continue;
    }
    source += wildcards ? part.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : literal(c))).join('') : literal(part);
  }
  return new RegExp(`^${source}$`, `s${flags}`);
}

function wildcard(text: string, flags: string): RegExp {
  return new RegExp(`^${text.replace(/[.+^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, `s${flags}`);
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
