// `${{ … }}` in what decides whether and how a job presents a token (an `if:`, an environment's name),
// resolved for one run when it reads only the run's own facts (github.ref, github.event_name, …), with
// GitHub's own expression evaluator, and the inputs the caller gives, typed as GitHub types them (a
// boolean input is `false`, not the string 'false', so `!inputs.flag` holds). Anything else (vars, an
// input the caller does not know, secrets, needs, the event's payload) only the run knows: undefined,
// and the caller says so.
import { data, Evaluator, Lexer, Parser, type Expr } from '@actions/expressions';
import { Binary, ContextAccess, FunctionCall, Grouping, IndexAccess, Literal, Logical, Unary } from '@actions/expressions/ast';
import { truthy } from '@actions/expressions/result';

export type RunFacts = Record<'ref' | 'ref_name' | 'ref_type' | 'event_name' | 'base_ref' | 'head_ref' | 'repository' | 'repository_owner', string>;

const SEGMENT = /\$\{\{([\s\S]*?)\}\}/g;
// A job or step runs only once the ones before it succeeded: the status functions, as they stand then.
const STATUS = { 'success()': 'true', 'always()': 'true', 'failure()': 'false', 'cancelled()': 'false' };

/**
 * The inputs context: a workflow_dispatch run's or a reusable workflow's inputs, typed; for a run of
 * another event, the empty context GitHub gives it (every input reads null). An input given as
 * undefined is one only the run knows.
 */
export type RunInputs = Record<string, string | number | boolean | undefined>;

// `inputs.NAME` or `inputs['NAME']`; any other way of reading the context (`inputs[x]`, `toJSON(inputs)`) is `*`.
// (Read where string literals stand as their index, `'N'`.)
const INPUT_READ = /(?<![.\w])inputs\s*(?:\.\s*([\w-]+)|\[\s*'(\d+)'\s*\]|)/gi;

function evaluate(expression: string, facts: RunFacts, inputs?: RunInputs): data.ExpressionData | undefined {
  // String literals aside, every github.X it reads must be a fact of the run.
  const literals: string[] = [];
  let code = expression.replace(/'(?:[^']|'')*'/g, (literal) => `'${literals.push(literal) - 1}'`);
  code = code.replace(/\b(success|always|failure|cancelled)\(\s*\)/g, (call) => STATUS[call.replace(/\s/g, '') as keyof typeof STATUS]);
  const read = [...code.matchAll(/\bgithub\s*(?:\.\s*(\w+)|\[)/g)];
  if (read.some(([, key]) => key === undefined || !(key in facts))) return undefined;
  const restored = (t: string) => t.replace(/'(\d+)'/g, (_, i: string) => literals[Number(i)]!);
  const readsInputs = [...code.matchAll(INPUT_READ)].map((m) => m[1] ?? (m[2] === undefined ? '*' : literals[Number(m[2])]!.slice(1, -1).replace(/''/g, "'")));
  if (readsInputs.length > 0) {
    // Names are case-insensitive, as GitHub's contexts are.
    const unknown = new Set(Object.entries(inputs ?? {}).flatMap(([k, v]) => (v === undefined ? [k.toLowerCase()] : [])));
    if (inputs === undefined || readsInputs.some((name) => unknown.has(name.toLowerCase()) || (name === '*' && unknown.size > 0))) return undefined;
  }
  try {
    const { tokens } = new Lexer(restored(code)).lex();
    const ast = new Parser(tokens, inputs === undefined ? ['github'] : ['github', 'inputs'], []).parse();
    const context = JSON.parse(JSON.stringify({ github: facts, ...(inputs ? { inputs } : {}) }), data.reviver) as data.Dictionary;
    return new Evaluator(ast, context).evaluate();
  } catch {
    return undefined;
  }
}

// Every context an `if:` may read; before the run, only github's facts and the inputs the caller knows are known.
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
    // An input the caller gives as undefined is one only the run knows; one it does not name reads null.
    const given = Object.entries(inputs ?? {}).find(([name]) => name.toLowerCase() === key?.toLowerCase());
    return e.expr.name.lexeme.toLowerCase() === 'inputs' && inputs !== undefined && key !== undefined && (given === undefined || given[1] !== undefined);
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
    const context = JSON.parse(JSON.stringify({ github: facts, ...(inputs ? { inputs } : {}) }), data.reviver) as data.Dictionary;
    return truthy(new Evaluator(e, context).evaluate());
  } catch {
    return undefined;
  }
}

function decideParts(expression: string, facts: RunFacts, inputs?: RunInputs): boolean | undefined {
  // The status functions as they stand before the step runs; string literals kept out of that rewrite.
  const literals: string[] = [];
  const code = expression
    .replace(/'(?:[^']|'')*'/g, (literal) => `'${literals.push(literal) - 1}'`)
    .replace(/\b(success|always|failure|cancelled)\(\s*\)/g, (call) => STATUS[call.replace(/\s/g, '') as keyof typeof STATUS])
    .replace(/'(\d+)'/g, (_, i: string) => literals[Number(i)]!);
  try {
    const { tokens } = new Lexer(code).lex();
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

/**
 * A value passed to a typed input for this run: `${{ expr }}` alone keeps its type (a boolean stays a
 * boolean), text with `${{ … }}` in it is text; undefined when only the run knows it.
 */
export function valueForRun(text: string, facts: RunFacts, inputs?: RunInputs): string | number | boolean | undefined {
  const whole = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(text);
  if (!whole || whole[1]!.includes('}}')) return text.includes('${{') ? resolveForRun(text, facts, inputs) : text;
  const result = evaluate(whole[1]!.trim(), facts, inputs);
  if (result === undefined) return undefined;
  if (result instanceof data.BooleanData) return result.value;
  if (result instanceof data.NumberData) return result.value;
  return result.coerceString();
}
