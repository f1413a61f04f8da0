// An IAM policy document, as IAM's JSON grammar has it (the elements a trust policy uses), validated once
// so that the evaluator can trust its shape.

type PrincipalMap = { Federated?: string | string[]; AWS?: string | string[]; Service?: string | string[] };

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | PrincipalMap;
  NotPrincipal?: Statement['Principal'];
  Action?: string | string[];
  NotAction?: string | string[];
  /** Operator → condition key → value(s). Values may be strings, booleans or numbers, as IAM accepts. */
  Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
  Version?: string;
  Statement: Statement[];
}

export class PolicyError extends Error {
  override name = 'PolicyError';
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringOrList = (value: unknown): value is string | string[] => typeof value === 'string' || (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string'));
const isScalar = (value: unknown) => typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number';

/** Validates and normalises (a single Statement object becomes a list; JSON text is parsed); throws PolicyError saying what is wrong. */
export function toPolicyDocument(value: unknown): PolicyDocument {
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch (error) {
      throw new PolicyError(`the policy is not valid JSON (${(error as Error).message})`);
    }
  }
  if (!isObject(value)) throw new PolicyError('the policy is not a JSON object');
  if (value.Version !== undefined && typeof value.Version !== 'string') throw new PolicyError('Version is not a string');
  const raw = value.Statement;
  if (raw === undefined) throw new PolicyError('the policy has no Statement');
  const statements = Array.isArray(raw) ? raw : [raw];
  if (statements.length === 0) throw new PolicyError('Statement is empty');
  return { ...(value.Version !== undefined ? { Version: value.Version as string } : {}), Statement: statements.map((s, i) => toStatement(s, i + 1)) };
}

/** A statement's elements, as IAM's policy grammar names them (case counts). */
const ELEMENTS = ['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'];

function toStatement(value: unknown, n: number): Statement {
  const where = `statement ${n}`;
  if (!isObject(value)) throw new PolicyError(`${where} is not a JSON object`);
  const { Sid, Effect, Principal, NotPrincipal, Action, NotAction, Condition } = value;
  // IAM refuses a statement with any other element: read without it, a misspelt one (a Deny's "condition"
  // or "notPrincipal") would be judged as a policy IAM never holds.
  const other = Object.keys(value).find((k) => !ELEMENTS.includes(k));
  if (other !== undefined) throw new PolicyError(`${where} has ${JSON.stringify(other)}, which is not an element of a statement (${ELEMENTS.join(', ')})`);
  if (Effect !== 'Allow' && Effect !== 'Deny') throw new PolicyError(`${where}: Effect is ${JSON.stringify(Effect)}, not "Allow" or "Deny"`);
  if (Sid !== undefined && typeof Sid !== 'string') throw new PolicyError(`${where}: Sid is not a string`);
  if (Principal !== undefined && NotPrincipal !== undefined) throw new PolicyError(`${where} has both Principal and NotPrincipal`);
  if (Action !== undefined && NotAction !== undefined) throw new PolicyError(`${where} has both Action and NotAction`);
  if (Action === undefined && NotAction === undefined) throw new PolicyError(`${where} has no Action`);
  for (const [name, list] of [['Action', Action], ['NotAction', NotAction]] as const) {
    if (list !== undefined && !isStringOrList(list)) throw new PolicyError(`${where}: ${name} is not a string or a list of strings`);
  }
  const statement: Statement = { Effect };
  if (Sid !== undefined) statement.Sid = Sid;
  if (Principal !== undefined) statement.Principal = toPrincipal(Principal, `${where}: Principal`);
  if (NotPrincipal !== undefined) statement.NotPrincipal = toPrincipal(NotPrincipal, `${where}: NotPrincipal`);
  if (Action !== undefined) statement.Action = Action as string | string[];
  if (NotAction !== undefined) statement.NotAction = NotAction as string | string[];
  if (Condition !== undefined) {
    if (!isObject(Condition)) throw new PolicyError(`${where}: Condition is not a JSON object`);
    for (const [operator, entries] of Object.entries(Condition)) {
      if (!isObject(entries)) throw new PolicyError(`${where}: Condition ${operator} is not a JSON object of keys and values`);
      for (const [key, values] of Object.entries(entries)) {
        const ok = isScalar(values) || (Array.isArray(values) && values.every(isScalar));
        if (!ok) throw new PolicyError(`${where}: Condition ${operator} ${key} is not a value or a list of values`);
      }
    }
    statement.Condition = Condition as Record<string, Record<string, unknown>>;
  }
  return statement;
}

function toPrincipal(value: unknown, where: string): '*' | PrincipalMap {
  if (value === '*') return '*';
  if (!isObject(value)) throw new PolicyError(`${where} is neither "*" nor an object of Federated, AWS or Service`);
  const principal: PrincipalMap = {};
  for (const [kind, list] of Object.entries(value)) {
    if (kind !== 'Federated' && kind !== 'AWS' && kind !== 'Service') throw new PolicyError(`${where} has ${kind}, which is not Federated, AWS or Service`);
    if (!isStringOrList(list)) throw new PolicyError(`${where}.${kind} is not a string or a list of strings`);
    principal[kind] = list;
  }
  return principal;
}
