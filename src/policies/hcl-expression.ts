// The part of Terraform's expression language that trust policies are written in. hcl2json returns
// every expression as its source text inside "${…}"; this evaluates the usual ones (references,
// interpolation, jsonencode, file, templatefile, format, join, lists, for over a list) and leaves
// anything else as an Unknown that keeps its source text, so the document shows exactly what was
// not resolved and the caller names it as an assumption: never a guess.

export class Unknown {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

export type Value = string | number | boolean | null | Unknown | Value[] | { [key: string]: Value };

export interface Env {
  /** The value a static reference (`var.x`, `local.y[0]`, `data.t.n.json`, `path.module`) names; Unknown when it cannot know. */
  reference(path: (string | number)[], text: string): Value;
  /** A file's text, by the path the expression gives (relative to where Terraform runs). */
  readFile(path: string): string;
  /** Something that could not be evaluated and was left as written. */
  assume(text: string): void;
}

/** An expression or template file Terraform itself would reject, or a file it names that is missing. */
export class ExpressionError extends Error {}

type Node =
  | { k: 'lit'; v: Value }
  | { k: 'tpl'; parts: (string | Node)[]; text: string }
  | { k: 'for-tpl'; keyVar?: string; valVar: string; coll: Node; body: (string | Node)[]; text: string }
  | { k: 'if-tpl'; cond: Node; then: (string | Node)[]; else: (string | Node)[]; text: string }
  | { k: 'tuple'; items: Node[] }
  | { k: 'object'; entries: [Node, Node][] }
  | { k: 'ref'; root: string; base?: Node; path: (string | number | Node)[]; text: string }
  | { k: 'call'; name: string; args: Node[]; expand: boolean; text: string }
  | { k: 'for'; keyVar?: string; valVar: string; coll: Node; keyExpr?: Node; valExpr: Node; group?: boolean; cond?: Node; text: string }
  | { k: 'cond'; c: Node; t: Node; f: Node; text: string }
  | { k: 'op'; op: string; args: Node[]; text: string }
  | { k: 'splat'; base: Node; steps: (string | number | Node)[]; text: string }
  | { k: 'opaque'; text: string; why: string };

const IDENT = /[A-Za-z_][\w-]*/y;
const NUMBER = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Parser {
  private pos = 0;
  private readonly src: string;
  constructor(src: string) {
    this.src = src;
  }

  fail(message: string): never {
    throw new ExpressionError(`${message} at "${this.src.slice(this.pos, this.pos + 20)}"`);
  }

  /** Whitespace and comments between tokens. */
  skip(): void {
    for (;;) {
      const m = /(?:\s+|#[^\n]*|\/\/[^\n]*|\/\*[\s\S]*?\*\/)/y;
      m.lastIndex = this.pos;
      const hit = m.exec(this.src);
      if (!hit || hit[0].length === 0) return;
      this.pos += hit[0].length;
    }
  }

  peek(s: string): boolean {
    this.skip();
    return this.src.startsWith(s, this.pos);
  }

  eat(s: string): boolean {
    if (!this.peek(s)) return false;
    this.pos += s.length;
    return true;
  }

  expect(s: string): void {
    if (!this.eat(s)) this.fail(`expected "${s}"`);
  }

  ident(): string | undefined {
    this.skip();
    IDENT.lastIndex = this.pos;
    const m = IDENT.exec(this.src);
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  expression(): Node {
    const start = this.pos;
    const c = this.binary(0);
    if (!this.eat('?')) return c;
    const t = this.expression();
    this.expect(':');
    const f = this.expression();
    return { k: 'cond', c, t, f, text: this.src.slice(start, this.pos).trim() };
  }

  private static readonly LEVELS = [['||'], ['&&'], ['==', '!='], ['<=', '>=', '<', '>'], ['+', '-'], ['*', '/', '%']];

  binary(level: number): Node {
    if (level >= Parser.LEVELS.length) return this.unary();
    const start = this.pos;
    let left = this.binary(level + 1);
    for (;;) {
      this.skip();
      const op = (Parser.LEVELS[level] ?? []).find((o) => this.src.startsWith(o, this.pos) && !(o === '>' && this.src.startsWith('=>', this.pos - 1)));
      if (!op || (op === '-' && this.src.startsWith('->', this.pos))) return left;
      this.pos += op.length;
      const right = this.binary(level + 1);
      left = { k: 'op', op, args: [left, right], text: this.src.slice(start, this.pos).trim() };
    }
  }

  unary(): Node {
    const start = this.pos;
    if (this.eat('!') || this.eat('-')) {
      const op = this.src[this.pos - 1] ?? '';
      const x = this.unary();
      return { k: 'op', op: `u${op}`, args: [x], text: this.src.slice(start, this.pos).trim() };
    }
    this.skip();
    const at = this.pos;
    return this.postfix(this.primary(), at);
  }

  postfix(node: Node, start: number): Node {
    for (;;) {
      if (this.peek('[*]') || this.peek('.*')) {
        this.pos += this.src[this.pos] === '.' ? 2 : 3;
        // What the splat selects from each element belongs to it.
        const steps: (string | number | Node)[] = [];
        while ((this.peek('.') && !this.peek('...')) || this.peek('[')) {
          if (this.eat('[')) {
            const index = this.expression();
            this.expect(']');
            steps.push(index.k === 'lit' && (typeof index.v === 'string' || typeof index.v === 'number') ? index.v : index);
          } else {
            this.pos += 1;
            steps.push(this.ident() ?? this.fail('expected an attribute name'));
          }
        }
        return { k: 'splat', base: node, steps, text: this.src.slice(start, this.pos).trim() };
      }
      let key: string | number | Node;
      if (this.eat('[')) {
        const index = this.expression();
        this.expect(']');
        // A literal key (`["web"]`, `[0]`) keeps the reference static, so what it names can be looked up.
        const text = index.k === 'tpl' && index.parts.every((p) => typeof p === 'string') ? index.parts.join('') : undefined;
        key = text ?? (index.k === 'lit' && (typeof index.v === 'string' || typeof index.v === 'number') ? index.v : index);
      } else if (this.peek('.') && !this.peek('...')) {
        this.pos += 1;
        const digits = /\d+/y;
        digits.lastIndex = this.pos;
        const n = digits.exec(this.src);
        if (n) this.pos += n[0].length;
        key = n ? Number(n[0]) : (this.ident() ?? this.fail('expected an attribute name'));
      } else return node;
      const text = this.src.slice(start, this.pos).trim();
      node = node.k === 'ref' ? { ...node, path: [...node.path, key], text } : { k: 'ref', root: '', base: node, path: [key], text };
    }
  }

  primary(): Node {
    this.skip();
    const start = this.pos;
    const ch = this.src[this.pos];
    if (ch === '"') return this.quoted();
    if (this.src.startsWith('<<', this.pos)) return this.heredoc();
    if (ch === '(') {
      this.pos++;
      const inner = this.expression();
      this.expect(')');
      return inner;
    }
    if (ch === '[') return this.tupleOrFor();
    if (ch === '{') return this.objectOrFor();
    NUMBER.lastIndex = this.pos;
    const num = NUMBER.exec(this.src);
    if (num) {
      this.pos += num[0].length;
      return { k: 'lit', v: Number(num[0]) };
    }
    const name = this.ident();
    if (name === undefined) this.fail('expected an expression');
    if (name === 'true' || name === 'false') return { k: 'lit', v: name === 'true' };
    if (name === 'null') return { k: 'lit', v: null };
    if (this.peek('(') || this.peek('::')) {
      while (this.eat('::')) this.ident();
      this.expect('(');
      const args: Node[] = [];
      let expand = false;
      while (!this.eat(')')) {
        args.push(this.expression());
        if (this.eat('...')) expand = true;
        if (!this.eat(',') && !this.peek(')')) this.fail('expected "," or ")"');
      }
      return { k: 'call', name, args, expand, text: this.src.slice(start, this.pos) };
    }
    return { k: 'ref', root: name, path: [], text: name };
  }

  tupleOrFor(): Node {
    const start = this.pos;
    this.expect('[');
    if (this.isFor()) return this.forExpr(start, ']');
    const items: Node[] = [];
    while (!this.eat(']')) {
      items.push(this.expression());
      if (!this.eat(',') && !this.peek(']')) this.fail('expected "," or "]"');
    }
    return { k: 'tuple', items };
  }

  objectOrFor(): Node {
    const start = this.pos;
    this.expect('{');
    if (this.isFor()) return this.forExpr(start, '}');
    const entries: [Node, Node][] = [];
    while (!this.eat('}')) {
      this.skip();
      let key: Node;
      const save = this.pos;
      const name = this.ident();
      if (name !== undefined && (this.peek('=') || this.peek(':')) && !this.peek('==')) key = { k: 'lit', v: name };
      else {
        this.pos = save;
        key = this.expression();
      }
      if (!this.eat('=') && !this.eat(':')) this.fail('expected "=" in an object');
      entries.push([key, this.expression()]);
      this.eat(',');
    }
    return { k: 'object', entries };
  }

  isFor(): boolean {
    const save = this.pos;
    const yes = this.ident() === 'for';
    this.pos = save;
    return yes;
  }

  forExpr(start: number, close: string): Node {
    this.ident();
    const first = this.ident() ?? this.fail('expected a variable after "for"');
    const second = this.eat(',') ? (this.ident() ?? this.fail('expected a variable')) : undefined;
    if (this.ident() !== 'in') this.fail('expected "in"');
    const coll = this.expression();
    this.expect(':');
    let keyExpr: Node | undefined;
    let valExpr = this.expression();
    let group = false;
    if (close === '}') {
      this.expect('=>');
      keyExpr = valExpr;
      valExpr = this.expression();
      group = this.eat('...');
    }
    let cond: Node | undefined;
    const save = this.pos;
    if (this.ident() === 'if') cond = this.expression();
    else this.pos = save;
    this.expect(close);
    return { k: 'for', ...(second ? { keyVar: first } : {}), valVar: second ?? first, coll, ...(keyExpr ? { keyExpr } : {}), valExpr, ...(group ? { group } : {}), ...(cond ? { cond } : {}), text: this.src.slice(start, this.pos) };
  }

  quoted(): Node {
    const start = this.pos;
    this.pos++;
    const parts = this.templateParts('"');
    return { k: 'tpl', parts, text: this.src.slice(start, this.pos) };
  }

  heredoc(): Node {
    const m = /<<(-?)([A-Za-z_]\w*)\r?\n/y;
    m.lastIndex = this.pos;
    const head = m.exec(this.src);
    if (!head) this.fail('expected a heredoc');
    const [whole, dash, tag] = head;
    const end = new RegExp(`^[ \\t]*${tag}[ \\t]*$`, 'm');
    const bodyStart = this.pos + whole.length;
    const rest = this.src.slice(bodyStart);
    const close = end.exec(rest);
    if (!close) this.fail(`heredoc ${tag} is not closed`);
    let body = rest.slice(0, close.index);
    if (dash) {
      const lines = body.split('\n');
      const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0));
      body = lines.map((l) => l.slice(indent)).join('\n');
    }
    this.pos = bodyStart + close.index + close[0].length;
    return { k: 'tpl', parts: parseTemplate(body, false), text: this.src.slice(bodyStart - whole.length, this.pos) };
  }

  /** Template text up to `close` (a quoted string's `"`), or to the end when `close` is empty. */
  templateParts(close: string, escapes = true): (string | Node)[] {
    const parts: (string | Node)[] = [];
    let text = '';
    const flush = () => {
      if (text) parts.push(text);
      text = '';
    };
    for (;;) {
      if (this.pos >= this.src.length) {
        if (close) this.fail('unterminated string');
        flush();
        return parts;
      }
      const ch = this.src[this.pos] ?? '';
      if (close && ch === close) {
        this.pos++;
        flush();
        return parts;
      }
      if ((ch === '$' || ch === '%') && this.src.startsWith(`${ch}${ch}{`, this.pos)) {
        text += `${ch}{`;
        this.pos += 3;
      } else if (ch === '$' && this.src[this.pos + 1] === '{') {
        flush();
        const start = this.pos;
        this.pos += 2;
        this.eat('~');
        const inner = this.expression();
        this.eat('~');
        this.expect('}');
        parts.push(inner.k === 'cond' || inner.k === 'op' ? { ...inner, text: this.src.slice(start + 2, this.pos - 1).trim() } : inner);
      } else if (ch === '%' && this.src[this.pos + 1] === '{') {
        flush();
        parts.push(this.directive(close));
      } else if (escapes && ch === '\\') {
        const next = this.src[this.pos + 1] ?? '';
        const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
        if (next in simple) {
          text += simple[next];
          this.pos += 2;
        } else if (next === 'u' || next === 'U') {
          const len = next === 'u' ? 4 : 8;
          text += String.fromCodePoint(parseInt(this.src.slice(this.pos + 2, this.pos + 2 + len), 16));
          this.pos += 2 + len;
        } else this.fail('unknown escape');
      } else {
        text += ch;
        this.pos++;
      }
    }
  }

  /** `%{ for x in xs }…%{ endfor }` and `%{ if c }…%{ else }…%{ endif }`. */
  directive(close: string): Node {
    const start = this.pos;
    const head = () => {
      this.pos += 2;
      this.eat('~');
      const word = this.ident() ?? this.fail('expected a template directive');
      return word;
    };
    const endHead = () => {
      const strip = this.eat('~');
      this.expect('}');
      if (strip) this.skip();
    };
    const word = head();
    if (word === 'for') {
      const first = this.ident() ?? this.fail('expected a variable');
      const second = this.eat(',') ? (this.ident() ?? this.fail('expected a variable')) : undefined;
      if (this.ident() !== 'in') this.fail('expected "in"');
      const coll = this.expression();
      endHead();
      const body = this.untilDirective(close, ['endfor']);
      return { k: 'for-tpl', ...(second ? { keyVar: first } : {}), valVar: second ?? first, coll, body: body.parts, text: this.src.slice(start, this.pos) };
    }
    if (word === 'if') {
      const cond = this.expression();
      endHead();
      const then = this.untilDirective(close, ['else', 'endif']);
      const otherwise = then.word === 'else' ? this.untilDirective(close, ['endif']).parts : [];
      return { k: 'if-tpl', cond, then: then.parts, else: otherwise, text: this.src.slice(start, this.pos) };
    }
    return this.fail(`template directive ${word} is not known`);
  }

  private untilDirective(close: string, words: string[]): { parts: (string | Node)[]; word: string } {
    const parts: (string | Node)[] = [];
    for (;;) {
      const at = this.findDirective();
      if (at < 0) this.fail(`expected %{ ${words.join(' or ')} }`);
      const saved = this.src;
      const sub = new Parser(saved.slice(0, at));
      sub.pos = this.pos;
      parts.push(...sub.templateParts('', close === '"'));
      this.pos = at;
      const m = /%\{(~?)\s*(\w+)\s*(~?)\}/y;
      m.lastIndex = at;
      const hit = m.exec(this.src);
      if (hit && words.includes(hit[2] ?? '')) {
        if (hit[1] && typeof parts.at(-1) === 'string') parts[parts.length - 1] = (parts.at(-1) as string).replace(/\s+$/, '');
        this.pos = at + hit[0].length;
        if (hit[3]) {
          const ws = /\s*/y;
          ws.lastIndex = this.pos;
          this.pos += ws.exec(this.src)?.[0].length ?? 0;
        }
        return { parts, word: hit[2] ?? '' };
      }
      parts.push(this.directive(close));
    }
  }

  /** Where the next `%{` at this nesting level starts (skipping `%%{`). */
  private findDirective(): number {
    for (let i = this.pos; i < this.src.length - 1; i++) {
      if (this.src[i] === '%' && this.src[i + 1] === '%' && this.src[i + 2] === '{') i += 2;
      else if (this.src[i] === '%' && this.src[i + 1] === '{') return i;
      else if (this.src[i] === '$' && this.src[i + 1] === '{') i = this.matchBrace(i + 1);
    }
    return -1;
  }

  private matchBrace(open: number): number {
    let depth = 0;
    let quote = false;
    for (let i = open; i < this.src.length; i++) {
      const ch = this.src[i];
      if (quote) {
        if (ch === '\\') i++;
        else if (ch === '"') quote = false;
      } else if (ch === '"') quote = true;
      else if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) return i;
    }
    return this.src.length;
  }
}

/** hcl2json's strings are template text: `${…}` interpolations, `%{…}` directives, `$${` for a literal `${`. */
function parseTemplate(text: string, escapes: boolean): (string | Node)[] {
  const parser = new Parser(text);
  return parser.templateParts('', escapes);
}

/** Evaluates hcl2json's value for one attribute: strings are templates, lists and objects hold them. */
export function evaluateValue(value: unknown, env: Env): Value {
  if (typeof value === 'string') return evaluateTemplate(value, env);
  if (Array.isArray(value)) return value.map((v) => evaluateValue(v, env));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluateValue(v, env)]));
  return value as Value;
}

/** A template's value: the interpolation's own value when the template is nothing else, else a string. */
export function evaluateTemplate(text: string, env: Env): Value {
  if (!text.includes('${') && !text.includes('%{')) return text.replace(/([$%])\1\{/g, '$1{');
  let parts: (string | Node)[];
  try {
    parts = parseTemplate(text, false);
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    env.assume(`${JSON.stringify(text)} cannot be evaluated (${error.message}): left as written`);
    return text;
  }
  return new Evaluator(env).template(parts, {});
}

/** Renders a value as a policy document holds it: what is unknown stays as its `${…}` source. */
export function plain(value: Value): unknown {
  if (value instanceof Unknown) return `\${${value.text}}`;
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

function str(value: Value): string | Unknown {
  if (value instanceof Unknown) return value;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return '';
  throw new ExpressionError(`a ${Array.isArray(value) ? 'list' : 'map'} cannot be used as a string`);
}

function listOf(value: Value): Value[] | Unknown {
  if (value instanceof Unknown) return value;
  if (Array.isArray(value)) return value;
  if (value && typeof value === 'object') return Object.values(value);
  throw new ExpressionError('expected a list');
}

const isUnknown = (v: Value): boolean =>
  v instanceof Unknown || (Array.isArray(v) ? v.some(isUnknown) : !!v && typeof v === 'object' && Object.values(v).some(isUnknown));

function formatString(spec: string, args: Value[], text: string): Value {
  let i = 0;
  let unknown = false;
  const out = spec.replace(/%(%|[-+# 0]*\d*(?:\.\d+)?[svdqtfbxXoeEgG])/g, (whole, verb: string) => {
    if (verb === '%') return '%';
    const arg = args[i++] ?? null;
    if (arg instanceof Unknown) {
      unknown = true;
      return `\${${arg.text}}`;
    }
    if (verb.endsWith('q')) return JSON.stringify(str(arg));
    if (verb.endsWith('d')) return String(Math.trunc(Number(arg)));
    if (verb.endsWith('v') && typeof arg === 'object' && arg !== null) return JSON.stringify(plain(arg));
    const s = str(arg);
    return s instanceof Unknown ? whole : s;
  });
  return unknown ? new Unknown(text) : out;
}

class Evaluator {
  private readonly env: Env;
  constructor(env: Env) {
    this.env = env;
  }

  template(parts: (string | Node)[], vars: Record<string, Value>): Value {
    const [only] = parts;
    if (parts.length === 1 && only !== undefined && typeof only !== 'string' && only.k !== 'for-tpl' && only.k !== 'if-tpl') return this.eval(only, vars);
    let out = '';
    for (const part of parts) {
      if (typeof part === 'string') {
        out += part;
        continue;
      }
      const value = this.eval(part, vars);
      const s = value instanceof Unknown ? value : str(value);
      out += s instanceof Unknown ? `\${${s.text}}` : s;
    }
    return out;
  }

  eval(node: Node, vars: Record<string, Value>): Value {
    switch (node.k) {
      case 'lit':
        return node.v;
      case 'tpl':
        return this.template(node.parts, vars);
      case 'tuple':
        return node.items.map((n) => this.eval(n, vars));
      case 'object': {
        const out: Record<string, Value> = {};
        for (const [k, v] of node.entries) {
          const key = this.eval(k, vars);
          const name = key instanceof Unknown ? `\${${key.text}}` : str(key);
          out[typeof name === 'string' ? name : `\${${name.text}}`] = this.eval(v, vars);
        }
        return out;
      }
      case 'ref':
        return this.reference(node, vars);
      case 'call':
        return this.call(node, vars);
      case 'for':
        return this.forExpr(node, vars);
      case 'for-tpl': {
        const coll = this.eval(node.coll, vars);
        if (coll instanceof Unknown) return this.unknown(node.text, `cannot iterate over ${coll.text}`);
        return this.entries(coll)
          .map(([k, v]) => this.template(node.body, { ...vars, [node.valVar]: v, ...(node.keyVar ? { [node.keyVar]: k } : {}) }))
          .map((v) => (v instanceof Unknown ? `\${${v.text}}` : str(v)))
          .join('');
      }
      case 'if-tpl': {
        const cond = this.eval(node.cond, vars);
        if (cond instanceof Unknown) return this.unknown(node.text, `the condition depends on ${cond.text}`);
        return this.template(cond === true ? node.then : node.else, vars);
      }
      case 'cond': {
        const c = this.eval(node.c, vars);
        if (c instanceof Unknown) return this.unknown(node.text, `the condition depends on ${c.text}`);
        return this.eval(c === true ? node.t : node.f, vars);
      }
      case 'op':
        return this.operator(node, vars);
      case 'splat': {
        // `list[*].attr`: attr of each element; a single value is a list of one, null an empty list.
        const base = this.eval(node.base, vars);
        if (base instanceof Unknown) return this.unknown(node.text, `it selects from ${base.text}, which is not known`);
        const items = base === null ? [] : Array.isArray(base) ? base : [base];
        return items.map((item) =>
          node.steps.reduce<Value>((value, step) => {
            if (value instanceof Unknown) return value;
            const key = typeof step === 'object' ? this.eval(step, vars) : step;
            return key instanceof Unknown ? new Unknown(node.text) : index(value, key as string | number, node.text);
          }, item),
        );
      }
      case 'opaque':
        return this.unknown(node.text, node.why);
    }
  }

  private unknown(text: string, why: string): Unknown {
    this.env.assume(`\${${text}} is not evaluated (${why}): left as written`);
    return new Unknown(text);
  }

  private entries(coll: Value): [Value, Value][] {
    if (Array.isArray(coll)) return coll.map((v, i) => [i, v]);
    if (coll && typeof coll === 'object' && !(coll instanceof Unknown)) return Object.entries(coll);
    throw new ExpressionError('a for expression needs a list or a map');
  }

  private reference(node: Extract<Node, { k: 'ref' }>, vars: Record<string, Value>): Value {
    let value: Value;
    if (node.base) value = this.eval(node.base, vars);
    else if (node.root in vars) value = vars[node.root] ?? null;
    else {
      // Keys that are expressions (`[each.key]`) are evaluated first, so the whole reference is looked up.
      const keys: (string | number)[] = [];
      for (const step of node.path) {
        const key = typeof step === 'object' ? this.eval(step, vars) : step;
        if (key instanceof Unknown) return this.unknown(node.text, `the index depends on ${key.text}`);
        if (typeof key !== 'string' && typeof key !== 'number') throw new ExpressionError(`${node.text}: an index must be a string or a number`);
        keys.push(key);
      }
      return this.env.reference([node.root, ...keys], node.text);
    }
    for (const step of node.path) {
      if (value instanceof Unknown) return new Unknown(node.text);
      const key = typeof step === 'object' ? this.eval(step, vars) : step;
      if (key instanceof Unknown) return this.unknown(node.text, `the index depends on ${key.text}`);
      value = index(value, key as string | number, node.text);
    }
    return value;
  }

  private forExpr(node: Extract<Node, { k: 'for' }>, vars: Record<string, Value>): Value {
    const coll = this.eval(node.coll, vars);
    if (coll instanceof Unknown) return this.unknown(node.text, `cannot iterate over ${coll.text}`);
    const items: [Value, Value][] = [];
    for (const [k, v] of this.entries(coll)) {
      const scope = { ...vars, [node.valVar]: v, ...(node.keyVar ? { [node.keyVar]: k } : {}) };
      if (node.cond) {
        const keep = this.eval(node.cond, scope);
        if (keep instanceof Unknown) return this.unknown(node.text, `the filter depends on ${keep.text}`);
        if (keep !== true) continue;
      }
      items.push([node.keyExpr ? this.eval(node.keyExpr, scope) : k, this.eval(node.valExpr, scope)]);
    }
    if (!node.keyExpr) return items.map(([, v]) => v);
    const keyOf = (k: Value) => (k instanceof Unknown ? `\${${k.text}}` : String(str(k)));
    if (!node.group) return Object.fromEntries(items.map(([k, v]) => [keyOf(k), v]));
    // `key => value...` groups: each key holds the list of its values, in order.
    const grouped: Record<string, Value[]> = {};
    for (const [k, v] of items) (grouped[keyOf(k)] ??= []).push(v);
    return grouped;
  }

  private operator(node: Extract<Node, { k: 'op' }>, vars: Record<string, Value>): Value {
    const args = node.args.map((a) => this.eval(a, vars));
    if (args.some((a) => a instanceof Unknown)) return new Unknown(node.text);
    const [a, b] = args as [Value, Value];
    const same = JSON.stringify(plain(a)) === JSON.stringify(plain(b));
    switch (node.op) {
      case '==': return same;
      case '!=': return !same;
      case '&&': return a === true && b === true;
      case '||': return a === true || b === true;
      case 'u!': return a !== true;
      case 'u-': return -Number(a);
      case '+': return Number(a) + Number(b);
      case '-': return Number(a) - Number(b);
      case '*': return Number(a) * Number(b);
      case '/': return Number(a) / Number(b);
      case '%': return Number(a) % Number(b);
      case '<': return Number(a) < Number(b);
      case '>': return Number(a) > Number(b);
      case '<=': return Number(a) <= Number(b);
      default: return Number(a) >= Number(b);
    }
  }

  private call(node: Extract<Node, { k: 'call' }>, vars: Record<string, Value>): Value {
    // try() and can() judge their arguments' evaluation itself, so they see it before it fails.
    if (node.name === 'try' || node.name === 'can') {
      for (const arg of node.args) {
        try {
          const value = this.eval(arg, vars);
          return node.name === 'can' ? (value instanceof Unknown ? value : true) : value;
        } catch (error) {
          if (!(error instanceof ExpressionError)) throw error;
          if (node.name === 'can') return false;
        }
      }
      throw new ExpressionError(`${node.text}: no argument could be evaluated`);
    }
    let args = node.args.map((a) => this.eval(a, vars));
    if (node.expand) {
      const last = args.at(-1) ?? [];
      const spread = listOf(last);
      if (spread instanceof Unknown) return new Unknown(node.text);
      args = [...args.slice(0, -1), ...spread];
    }
    const fn = FUNCTIONS[node.name];
    if (!fn) return this.unknown(node.text, `the function ${node.name}() is not evaluated`);
    // jsonencode and format render what is unknown in place; the collection functions carry unknown
    // elements along; nothing computes with an argument that is unknown as a whole.
    const renders = RENDERING.has(node.name);
    if (!renders && (args.some((a) => a instanceof Unknown) || (!COLLECTING.has(node.name) && args.some(isUnknown)))) return new Unknown(node.text);
    return fn(args, { env: this.env, text: node.text });
  }
}

function index(value: Value, key: string | number, text: string): Value {
  if (Array.isArray(value)) {
    const item = value[Number(key)];
    if (item === undefined) throw new ExpressionError(`${text}: index ${key} is out of range`);
    return item;
  }
  // An attribute an object lacks is null, as Terraform makes a typed variable's optional() attributes.
  if (value && typeof value === 'object' && !(value instanceof Unknown)) return value[String(key)] ?? null;
  throw new ExpressionError(`${text}: cannot index a ${typeof value}`);
}

type Fn = (args: Value[], ctx: { env: Env; text: string }) => Value;

const RENDERING = new Set(['jsonencode', 'format', 'formatlist']);
const COLLECTING = new Set(['templatefile', 'tolist', 'toset', 'tomap', 'concat', 'flatten', 'merge', 'distinct', 'compact', 'element', 'lookup', 'coalesce', 'coalescelist', 'one', 'length', 'setunion']);

const asStr = (v: Value | undefined): string => {
  const s = str(v ?? null);
  return s instanceof Unknown ? `\${${s.text}}` : s;
};
const asList = (v: Value | undefined): Value[] => {
  const l = listOf(v ?? []);
  return l instanceof Unknown ? [l] : l;
};
const unique = (values: Value[]): Value[] => {
  const seen = new Set<string>();
  return values.filter((v) => {
    const key = JSON.stringify(plain(v));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};
const flat = (values: Value[]): Value[] => values.flatMap((v) => (Array.isArray(v) ? flat(v) : [v]));

const FUNCTIONS: Record<string, Fn> = {
  jsonencode: ([v]) => JSON.stringify(plain(v ?? null)),
  jsondecode: ([v]) => JSON.parse(asStr(v)) as Value,
  file: ([p], { env }) => env.readFile(asStr(p)),
  templatefile: ([p, vars], { env, text }) => {
    if (vars instanceof Unknown) return new Unknown(text);
    const scope = vars && typeof vars === 'object' && !Array.isArray(vars) ? vars : {};
    let template: (string | Node)[];
    try {
      template = parseTemplate(env.readFile(asStr(p)), false);
    } catch (error) {
      if (error instanceof ExpressionError) throw new ExpressionError(`${asStr(p)}: ${error.message}`);
      throw error;
    }
    const value = new Evaluator(env).template(template, scope);
    return value instanceof Unknown ? value : asStr(value);
  },
  format: ([spec, ...rest], { text }) => (spec instanceof Unknown ? new Unknown(text) : formatString(asStr(spec), rest, text)),
  formatlist: ([spec, ...rest], { text }) => {
    const lists = rest.map((r) => (Array.isArray(r) ? r : null));
    const n = Math.max(1, ...lists.map((l) => l?.length ?? 1));
    return Array.from({ length: n }, (_, i) => formatString(asStr(spec), rest.map((r, j) => lists[j]?.[i] ?? r), text));
  },
  join: ([sep, list]) => asList(list).map(asStr).join(asStr(sep)),
  split: ([sep, s]) => asStr(s).split(asStr(sep)),
  concat: (lists) => lists.flatMap(asList),
  flatten: ([list]) => flat(asList(list)),
  distinct: ([list]) => unique(asList(list)),
  compact: ([list]) => asList(list).filter((v) => v !== '' && v !== null),
  tolist: ([list]) => asList(list),
  toset: ([list]) => unique(asList(list)),
  setunion: (sets) => unique(sets.flatMap(asList)),
  substr: ([v, offset, length]) => {
    // Terraform counts characters; a negative offset counts from the end, a length of -1 takes the rest.
    const chars = [...asStr(v)];
    const from = Number(offset) < 0 ? Math.max(0, chars.length + Number(offset)) : Number(offset);
    return chars.slice(from, Number(length) < 0 ? undefined : from + Number(length)).join('');
  },
  tostring: ([v]) => asStr(v),
  lower: ([v]) => asStr(v).toLowerCase(),
  upper: ([v]) => asStr(v).toUpperCase(),
  trimspace: ([v]) => asStr(v).trim(),
  trimprefix: ([v, p]) => (asStr(v).startsWith(asStr(p)) ? asStr(v).slice(asStr(p).length) : asStr(v)),
  trimsuffix: ([v, s]) => (asStr(v).endsWith(asStr(s)) && asStr(s) ? asStr(v).slice(0, -asStr(s).length) : asStr(v)),
  replace: ([v, from, to]) => {
    const f = asStr(from);
    const regex = /^\/(.*)\/$/s.exec(f);
    return regex ? asStr(v).replace(new RegExp(regex[1] ?? '', 'g'), asStr(to)) : asStr(v).split(f).join(asStr(to));
  },
  // RE2 and JavaScript agree on the patterns policies use (anchors, classes, repetition).
  regexall: ([pattern, v]) => [...asStr(v).matchAll(new RegExp(asStr(pattern), 'g'))].map((m) => (m.length > 1 ? m.slice(1).map((g) => g ?? null) : m[0])),
  regex: ([pattern, v], { text }) => {
    const m = new RegExp(asStr(pattern)).exec(asStr(v));
    if (!m) throw new ExpressionError(`${text}: the pattern does not match`);
    return m.length > 1 ? m.slice(1).map((g) => g ?? null) : m[0];
  },
  length: ([v]) => (typeof v === 'string' ? [...v].length : asList(v).length),
  element: ([list, i]) => {
    const l = asList(list);
    return l[Number(i) % l.length] ?? null;
  },
  merge: (maps) => Object.assign({}, ...maps.filter((m) => m && typeof m === 'object')) as Value,
  lookup: ([map, key, fallback]) => {
    const m = map && typeof map === 'object' && !Array.isArray(map) && !(map instanceof Unknown) ? map : {};
    return asStr(key) in m ? (m[asStr(key)] ?? null) : (fallback ?? null);
  },
  keys: ([map]) => Object.keys(map && typeof map === 'object' ? map : {}).sort(),
  values: ([map]) => Object.entries(map && typeof map === 'object' ? map : {}).sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v as Value),
  contains: ([list, v]) => asList(list).some((x) => JSON.stringify(plain(x)) === JSON.stringify(plain(v ?? null))),
  coalescelist: (lists) => lists.find((l) => l instanceof Unknown || (Array.isArray(l) && l.length > 0)) ?? [],
  one: ([list], { text }) => {
    const l = asList(list);
    if (l.length > 1) throw new ExpressionError(`${text}: more than one element`);
    return l[0] ?? null;
  },
  tomap: ([map]) => map ?? null,
  startswith: ([v, prefix]) => asStr(v).startsWith(asStr(prefix)),
  endswith: ([v, suffix]) => asStr(v).endsWith(asStr(suffix)),
  coalesce: (args) => args.find((a) => a !== null && a !== '') ?? null,
};
