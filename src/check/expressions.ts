// `${{ … }}` in what decides whether and how a job presents a token (an `if:`, an environment's name),
// resolved for one run when it reads only the run's own facts (github.ref, github.event_name, …), with
// GitHub's own expression evaluator. Anything else (vars, inputs, secrets, needs, the event's payload)
// only the run knows: undefined, and the caller says so.
import { data, Evaluator, Lexer, Parser, type Expr } from '@actions/expressions';
import { Binary, ContextAccess, FunctionCall, Grouping, IndexAccess, Literal, Logical, Unary } from '@actions/expressions/ast';
import { truthy } from '@actions/expressions/result';

export type RunFacts = Record<'ref' | 'ref_name' | 'ref_type' | 'event_name' | 'base_ref' | 'head_ref' | 'repository' | 'repository_owner', string>;

const SEGMENT = /\$\{\{([\s\S]*?)\}\}/g;
// A job or step runs only once the ones before it succeeded: the status functions, as they stand then.
const STATUS = { 'success()': 'true', 'always()': 'true', 'failure()': 'false', 'cancelled()': 'false' };

/** A workflow_dispatch run's inputs; for a run of another event, the empty context GitHub gives it. */
export type RunInputs = Record<string, string>;

/** The expression with its status functions (`success()`, …) as they stand before the step runs, and its string literals set apart. */
function prepare(expression: string): { code: string; literals: string[] } {
  const literals: string[] = [];
  const code = expression.replace(/'(?:[^']|'')*'/g, (literal) => `'${literals.push(literal) - 1}'`);
  return { code: code.replace(/\b(success|always|failure|cancelled)\(\s*\)/g, (call) => STATUS[call.replace(/\s/g, '') as keyof typeof STATUS]), literals };
}
const restore = ({ code, literals }: { code: string; literals: string[] }) => code.replace(/'(\d+)'/g, (_, i: string) => literals[Number(i)]!);
const contextOf = (facts: RunFacts, inputs?: RunInputs) => JSON.parse(JSON.stringify({ github: facts, ...(inputs ? { inputs } : {}) }), data.reviver) as data.Dictionary;

function evaluate(expression: string, facts: RunFacts, inputs?: RunInputs): data.ExpressionData | undefined {
  // String literals aside, every github.X it reads must be a fact of the run.
  const prepared = prepare(expression);
  const read = [...prepared.code.matchAll(/\bgithub\s*(?:\.\s*(\w+)|\[)/g)];
  if (read.some(([, key]) => key === undefined || !(key in facts))) return undefined;
  if (inputs === undefined && /\binputs\s*[.[]/.test(prepared.code)) return undefined;
  try {
    const { tokens } = new Lexer(restore(prepared)).lex();
    const ast = new Parser(tokens, inputs === undefined ? ['github'] : ['github', 'inputs'], []).parse();
    return new Evaluator(ast, contextOf(facts, inputs)).evaluate();
  } catch {
    return undefined;
  }
}

// Every context an `if:` may read; before the run, only github's facts and a workflow_dispatch's inputs are known.
const CONTEXTS = ['github', 'inputs', 'needs', 'vars', 'secrets', 'env', 'steps', 'matrix', 'strategy', 'job', 'jobs', 'runner'];
// Functions whose value their arguments alone decide (hashFiles reads the run's files).
const PURE = new Set(['contains', 'startswith', 'endswith', 'format', 'join', 'tojson', 'fromjson']);

/** Whether a part of an expression reads only what is known before the run. */
function known(e: Expr, facts: RunFacts, inputs?: RunInputs): boolean {
  const all = (parts: Expr[]) => parts.every((p) => known(p, facts, inputs));
  if (e instanceof Literal) return true;
  if (e instanceof IndexAccess && e.expr instanceof ContextAccess) {
    const key = e.index instanceof Literal ? e.index.literal.coerceString() : undefined;
    if (e.expr.name.lexeme === 'github') return key !== undefined && key in facts;
    return e.expr.name.lexeme === 'inputs' && inputs !== undefined && known(e.index, facts, inputs);
  }
  if (e instanceof IndexAccess) return all([e.expr, e.index]);
  if (e instanceof Unary) return all([e.expr]);
  if (e instanceof Binary) return all([e.left, e.right]);
  if (e instanceof Logical) return all(e.args);
  if (e instanceof Grouping) return all([e.group]);
  if (e instanceof FunctionCall) return PURE.has(e.functionName.lexeme.toLowerCase()) && all(e.args);
  return false;
}

/**
 * An `if:` whose parts only the run knows can still be decided: `github.ref == 'refs/heads/prd' && needs.a.outputs.b`
 * is false on every other branch, whatever `needs` says. Each `&&`, `||` and `!` is read on its own
 * (false && unknown is false, true || unknown is true); the other parts are evaluated when known.
 */
function decide(e: Expr, facts: RunFacts, inputs?: RunInputs): boolean | undefined {
  if (e instanceof Grouping) return decide(e.group, facts, inputs);
  if (e instanceof Unary && e.operator.lexeme === '!') {
    const value = decide(e.expr, facts, inputs);
    return value === undefined ? undefined : !value;
  }
  if (e instanceof Logical) {
    const and = e.operator.lexeme === '&&';
    const parts = e.args.map((a) => decide(a, facts, inputs));
    if (parts.includes(!and)) return !and;
    return parts.includes(undefined) ? undefined : and;
  }
  if (!known(e, facts, inputs)) return undefined;
  try {
    return truthy(new Evaluator(e, contextOf(facts, inputs)).evaluate());
  } catch {
    return undefined;
  }
}

function decideParts(expression: string, facts: RunFacts, inputs?: RunInputs): boolean | undefined {
  try {
    const { tokens } = new Lexer(restore(prepare(expression))).lex();
    return decide(new Parser(tokens, CONTEXTS, []).parse(), facts, inputs);
  } catch {
    return undefined;
  }
}

/** The text with each `${{ … }}` replaced by its value for this run; undefined when one cannot be known or is empty. */
export function resolveForRun(text: string, facts: RunFacts, inputs?: RunInputs): string | undefined {
  let unknown = false;
  const value = text.replace(SEGMENT, (_, expression: string) => {
    const result = evaluate(expression.trim(), facts, inputs)?.coerceString();
    if (result === undefined) unknown = true;
    return result ?? '';
  });
  return unknown || value === '' ? undefined : value;
}

/** An `if:` (with or without `${{ }}`) for this run: true or false, or undefined when only the run can tell. */
export function holdsForRun(condition: string, facts: RunFacts, inputs?: RunInputs): boolean | undefined {
  const trimmed = condition.trim();
  const whole = /^\$\{\{([\s\S]*)\}\}$/.exec(trimmed);
  const expression = whole ? whole[1]!.trim() : trimmed;
  const result = evaluate(expression, facts, inputs);
  return result === undefined ? decideParts(expression, facts, inputs) : truthy(result);
}
