// Terraform's language, evaluated by HashiCorp's own code: hcl/v2 and cty, built to WebAssembly from
// src/policies/terraform-eval/ (scripts/build.ts). This is the bridge: it starts the evaluator the first
// time a Terraform file is read, parses files into their blocks and attributes, and evaluates one
// attribute with the values the caller gives for each reference. What the caller does not know is an
// Unknown, which shows as its source (`${var.org}`, `repo:${var.org}/*`): cty computes with it as an
// unknown, so no function can make it look known; only the showing keeps the known text around it.
import { gunzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';

export class Unknown {
  /** The source it stands for, as the document shows it: `${var.org}`, or a template's text around it. */
  readonly rendered: string;
  /** The reference or expression itself, when it is one (`var.org`). */
  readonly text: string;
  constructor(text: string, rendered = `\${${text}}`) {
    this.text = text;
    this.rendered = rendered;
  }
}

export type Value = string | number | boolean | null | Unknown | Value[] | { [key: string]: Value };

/** An expression or file Terraform itself would reject, or a file it names that cannot be read. */
export class ExpressionError extends Error {
  readonly file: string | undefined;
  readonly line: number | undefined;
  constructor(message: string, file?: string, line?: number) {
    super(message);
    this.file = file;
    this.line = line;
  }
}

/** A static reference an expression makes: `var.org` is ['var', 'org'], `local.x[0].y` ['local', 'x', 0, 'y']. */
export interface Reference {
  steps: (string | number)[];
  text: string;
}

export interface Attribute {
  id: number;
  line: number;
  /** The bare name the expression is, when it is one (`type = bool`, `iterator = s`). */
  keyword?: string;
  refs: Reference[];
}

export interface Body {
  attributes: Record<string, Attribute>;
  blocks: Block[];
}

export interface Block {
  type: string;
  labels: string[];
  line: number;
  body: Body;
}

/** What the evaluator may ask of the caller: files by the path an expression gives. Each throws to refuse. */
export interface Host {
  read(path: string): string;
  exists(path: string): boolean;
  /** Every file below a folder, as paths relative to it with '/'. */
  files(dir: string): string[];
}

interface Api {
  parse(file: string, text: string): string;
  evaluate(request: string, host: object): string;
  template(file: string, text: string, vars: string, host: object, shownAs: string): string;
  convert(type: number, value: string): string;
}

type Response<T> = { ok: T } | { error: string; file?: string; line?: number };

export interface Evaluator {
  parse(file: string, text: string): Body;
  evaluate(attribute: Attribute, variables: Record<string, Value>, host: Host): Value;
  /** A template's text rendered with its variables, as templatefile() renders a file's; what is unknown in it shows as `shownAs` where the placeholders cannot show. */
  template(file: string, text: string, vars: Value, host: Host, shownAs: string): Value;
  /** A value converted to a variable's type (`type = …`), with its optional() attributes' defaults. */
  convert(type: Attribute, value: Value): Value;
}

let started: Promise<Evaluator> | undefined;

/** Starts the evaluator once per process (~1.7 MB of WebAssembly, ~0.1 s): only when a Terraform file is read. */
export function terraformEvaluator(): Promise<Evaluator> {
  started ??= start();
  return started;
}

// Run from source (tests, scripts), the assets are the build's, in dist/; bundled, they are beside the bundle.
const assets = import.meta.url.endsWith('.ts') ? new URL('../../dist/', import.meta.url) : new URL('./', import.meta.url);

async function start(): Promise<Evaluator> {
  // Go's own loader (wasm_exec.js, copied from the Go installation into dist/ by the build) defines
  // globalThis.Go. With no globalThis.fs it gives the program a file system that refuses everything.
  await import(new URL('wasm_exec.js', assets).href);
  const { Go, WebAssembly: wasm } = globalThis as unknown as {
    Go: new () => { importObject: object; run(instance: object): Promise<void> };
    WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object }> };
  };
  const go = new Go();
  const bytes = gunzipSync(await readFile(new URL('terraform-eval.wasm.gz', assets)));
  const { instance } = await wasm.instantiate(bytes, go.importObject);
  void go.run(instance);
  const api = (globalThis as unknown as { terraformEvaluator: Api }).terraformEvaluator;
  return {
    parse: (file, text) => unwrap(JSON.parse(api.parse(file, text)) as Response<Body>, file),
    evaluate: (attribute, variables, host) => {
      const request = JSON.stringify({ id: attribute.id, variables: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, encode(v)])) });
      return decode(unwrap(JSON.parse(api.evaluate(request, lend(host))) as Response<Tagged>, undefined));
    },
    convert: (type, value) => decode(unwrap(JSON.parse(api.convert(type.id, JSON.stringify(encode(value)))) as Response<Tagged>, undefined)),
    template: (file, text, vars, host, shownAs) => decode(unwrap(JSON.parse(api.template(file, text, JSON.stringify(encode(vars)), lend(host), shownAs)) as Response<Tagged>, file)),
  };
}

function unwrap<T>(response: Response<T>, file: string | undefined): T {
  if ('ok' in response) return response.ok;
  throw new ExpressionError(response.error, response.file ?? file, response.line);
}

/** The host as Go calls it: results and refusals as values, since a JavaScript exception would stop Go. */
function lend(host: Host): object {
  const guard = <T>(f: () => T, key: string) => {
    try {
      return { [key]: f() };
    } catch (error) {
      return { error: (error as Error).message };
    }
  };
  return {
    read: (p: string) => guard(() => host.read(p), 'text'),
    exists: (p: string) => guard(() => host.exists(p), 'exists'),
    files: (p: string) => guard(() => host.files(p), 'names'),
  };
}

// Values cross as tagged JSON, so that nothing a policy writes can pass for an unknown.
type Tagged = { s: string } | { n: string } | { b: boolean } | { z: true } | { u: string } | { l: Tagged[] } | { o: Record<string, Tagged> };

function encode(value: Value): Tagged {
  if (value instanceof Unknown) return { u: value.rendered };
  if (typeof value === 'string') return { s: value };
  if (typeof value === 'number') return { n: String(value) };
  if (typeof value === 'boolean') return { b: value };
  if (value === null) return { z: true };
  if (Array.isArray(value)) return { l: value.map(encode) };
  return { o: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v)])) };
}

function decode(tagged: Tagged): Value {
  if ('s' in tagged) return tagged.s;
  if ('n' in tagged) return Number(tagged.n);
  if ('b' in tagged) return tagged.b;
  if ('z' in tagged) return null;
  if ('u' in tagged) return /^\$\{[^]*\}$/.test(tagged.u) && !tagged.u.slice(2, -1).includes('${') ? new Unknown(tagged.u.slice(2, -1)) : new Unknown(tagged.u, tagged.u);
  if ('l' in tagged) return tagged.l.map(decode);
  return Object.fromEntries(Object.entries(tagged.o).map(([k, v]) => [k, decode(v)]));
}

/** Whether any part of a value is unknown. */
export const isUnknown = (v: Value): boolean =>
  v instanceof Unknown || (Array.isArray(v) ? v.some(isUnknown) : !!v && typeof v === 'object' && Object.values(v).some(isUnknown));

/** Renders a value as a policy document holds it: what is unknown shows as its source. */
export function plain(value: Value): unknown {
  if (value instanceof Unknown) return value.rendered;
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}
