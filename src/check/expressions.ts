// `${{ … }}` in what decides a token (an environment's name), resolved for one run when it reads only the
// run's own facts (github.ref, github.event_name, …) with GitHub's own expression evaluator. Anything else
// (vars, inputs, secrets, the event's payload) only the run knows: undefined, and the caller says so.
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';

export type RunFacts = Partial<Record<'ref' | 'ref_name' | 'ref_type' | 'event_name' | 'base_ref' | 'head_ref' | 'repository' | 'repository_owner', string>>;

const SEGMENT = /\$\{\{([\s\S]*?)\}\}/g;

function evaluateOne(expression: string, facts: RunFacts): string | undefined {
  // String literals aside, every github.X it reads must be a fact of the run.
  const code = expression.replace(/'(?:[^']|'')*'/g, "''");
  const read = [...code.matchAll(/\bgithub\s*(?:\.\s*(\w+)|\[\s*''\s*\])/g)];
  if (read.some(([, key]) => key === undefined || facts[key as keyof RunFacts] === undefined)) return undefined;
  try {
    const { tokens } = new Lexer(expression).lex();
    const ast = new Parser(tokens, ['github'], []).parse();
    const context = JSON.parse(JSON.stringify({ github: facts }), data.reviver) as data.Dictionary;
    return new Evaluator(ast, context).evaluate().coerceString();
  } catch {
    return undefined;
  }
}

/** The text with each `${{ … }}` replaced by its value for this run; undefined when one cannot be known or is empty. */
export function resolveForRun(text: string, facts: RunFacts): string | undefined {
  let unknown = false;
  const value = text.replace(SEGMENT, (_, expression: string) => {
    const result = evaluateOne(expression.trim(), facts);
    if (result === undefined) unknown = true;
    return result ?? '';
  });
  return unknown || value === '' ? undefined : value;
}
