// Placeholder for the `core` engineer's module (same interface): replaced by theirs at merge.
export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | { Federated?: string | string[]; AWS?: string | string[]; Service?: string | string[] };
  NotPrincipal?: Statement['Principal'];
  Action?: string | string[];
  NotAction?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}
export interface PolicyDocument {
  Version?: string;
  Statement: Statement[];
}
export class PolicyError extends Error {}

export function toPolicyDocument(value: unknown): PolicyDocument {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new PolicyError('a policy document is a JSON object');
  const { Version, Statement } = value as { Version?: unknown; Statement?: unknown };
  if (Statement === undefined) throw new PolicyError('a policy document needs a Statement');
  const statements = Array.isArray(Statement) ? Statement : [Statement];
  statements.forEach((s: unknown, i) => {
    const effect = (s as { Effect?: unknown } | null)?.Effect;
    if (effect !== 'Allow' && effect !== 'Deny') throw new PolicyError(`statement ${i + 1}: Effect must be Allow or Deny`);
  });
  return { ...(typeof Version === 'string' ? { Version } : {}), Statement: statements as Statement[] };
}
