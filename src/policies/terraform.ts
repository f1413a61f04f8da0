// Terraform: the trust policies of a module's `aws_iam_role`s, and of the `aws_iam_policy_document`s
// no role uses. hcl2json gives each file's blocks; hcl-expression evaluates what they say with the
// module's locals and the variables' values as Terraform would take them (defaults, terraform.tfvars,
// *.auto.tfvars, --var-file, --var). What only Terraform knows (another resource's attributes, a
// variable without a value) stays as its `${…}` source and is named among the policy's assumptions.
import { PolicyError, toPolicyDocument } from '../iam/policy.ts';
import { ExpressionError, Unknown, evaluateValue, plain, type Env, type Value } from './hcl-expression.ts';
import { PolicyReadError, lineAt, type FoundPolicy, type PolicyFiles, type ReadError, type ReadOptions } from './found.ts';
import { dirname, join, normalize } from 'node:path';

type Block = Record<string, unknown>;
type Hcl = {
  output?: Record<string, Block[]>;
  variable?: Record<string, Block[]>;
  module?: Record<string, Block[]>;
  locals?: Block[];
  data?: Record<string, Record<string, Block[]>>;
  resource?: Record<string, Record<string, Block[]>>;
};

interface Source {
  file: string;
  text: string;
  hcl: Hcl;
}

export interface TerraformResult {
  policies: FoundPolicy[];
  errors: ReadError[];
  /** Files the module read through file() or templatefile(): not policies of their own. */
  consumed: string[];
  /** Folders read as modules the target calls: not modules of their own. */
  modules: string[];
  /** What was not read (modules from a registry or git), for the result's assumptions. */
  notes: string[];
}

/** An instance of a resource with for_each or count. */
interface Instance {
  key?: string | number;
  each?: { key: Value; value: Value };
  index?: number;
  /** The for_each or count the module does not decide (and what evaluating it assumed): the resource is read once. */
  undecided?: { text: string; assumed: string[] };
}

let hcl2json: Promise<typeof import('@cdktf/hcl2json')> | undefined;

// A module called from many places (each example of a published module) is parsed once: by file and text.
const parsed = new Map<string, Promise<Hcl>>();

function parseHcl(file: string, text: string): Promise<Hcl> {
  const key = `${file}\0${text}`;
  let hcl = parsed.get(key);
  if (!hcl) parsed.set(key, (hcl = parseOnce(file, text)));
  return hcl;
}

/** hcl2json starts a WebAssembly module when loaded: only when a Terraform file is read. */
async function parseOnce(file: string, text: string): Promise<Hcl> {
  hcl2json ??= import('@cdktf/hcl2json');
  const { parse } = await hcl2json;
  try {
    return (await parse(file, text)) as Hcl;
  } catch (error) {
    const message = String((error as Error).message ?? error);
    const m = /\[[^:\]]*:(\d+),[\d-]+(?:-[\d,]+)?: ([^\]]*)\]/.exec(message);
    throw new PolicyReadError(file, m ? `not valid Terraform: ${m[2]}` : `not valid Terraform: ${message.replace(/^parse config: /, '')}`, m ? Number(m[1]) : undefined);
  }
}

/** Attributes a reference may name after an instance key (`data.x.y[0].json`), told apart from the key itself. */
const ATTRIBUTES = new Set(['json', 'minified_json', 'arn', 'name', 'partition', 'dns_suffix', 'account_id', 'url', 'id']);

/** Reads the module a `.tf` file belongs to, reporting the policies of `target` (the file, or every file when it is the folder) and of the local modules it calls. */
export async function readTerraform(target: string, isFolder: boolean, files: PolicyFiles, options: ReadOptions = {}): Promise<TerraformResult> {
  const dir = isFolder ? target : dirname(target);
  const result: TerraformResult = { policies: [], errors: [], consumed: [], modules: [], notes: [] };
  const values = await variableValues(dir, files, options, result.errors);
  const root = await load(dir, isFolder ? undefined : normalize(target), values, files, result, 0);
  report(root, '', undefined, result);
  // A folder says it holds nothing once all of it is read (read.ts); a file says so here.
  if (!isFolder && result.policies.length === 0 && result.errors.length === 0 && root.sources.length > 0) {
    const unread = result.notes.length > 0 ? ` (${result.notes.map((n) => n.replace(/^[^:]*: /, '')).join('; ')})` : '';
    result.errors.push({ file: target, message: `holds no aws_iam_role with an assume_role_policy and no aws_iam_policy_document with principals: expected a trust policy${unread} (a role in another file of the module is read when the folder is given)` });
  }
  return result;
}

interface Loaded {
  module: Module;
  sources: Source[];
  /** The file asked for, when one file of the module was: only its blocks are reported. */
  only: string | undefined;
  calls: { name: string; file: string; instances: { call: string; loaded: Loaded }[] }[];
}

/** A value as Terraform converts it to the variable's primitive type: `-var create=true` is the bool true for `type = bool`. */
function ofType(value: Value, type: unknown): Value {
  const primitive = typeof type === 'string' ? type.replace(/^\$\{\s*|\s*\}$/g, '') : undefined;
  if (primitive === 'bool' && (value === 'true' || value === 'false')) return value === 'true';
  if (primitive === 'number' && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  if (primitive === 'string' && (typeof value === 'boolean' || typeof value === 'number')) return String(value);
  return value;
}

function isFolder(path: string, files: PolicyFiles): boolean {
  try {
    return files.isDirectory(path);
  } catch {
    return false;
  }
}

const lineField = (line: number | undefined) => (line ? { line } : {});

const META_ARGUMENTS = ['source', 'version', 'providers', 'count', 'for_each', 'depends_on'];

/** Parses a module and, depth first, the local modules it calls: each instance's arguments are its variables, evaluated in the caller when used. */
async function load(dir: string, only: string | undefined, values: Map<string, Assigned>, files: PolicyFiles, result: TerraformResult, depth: number): Promise<Loaded> {
  const sources: Source[] = [];
  for (const name of files.list(dir).filter((f) => f.endsWith('.tf')).sort()) {
    const file = join(dir, name);
    const text = files.read(file);
    try {
      sources.push({ file, text, hcl: await parseHcl(file, text) });
    } catch (error) {
      if (!(error instanceof PolicyReadError)) throw error;
      // A sibling that does not parse only matters to the files asked for.
      if (!only || file === only) result.errors.push({ file: error.file, ...(error.line ? { line: error.line } : {}), message: error.message });
    }
  }
  const module = new Module(dir, sources, values, files, result.consumed);
  const loaded: Loaded = { module, sources, only, calls: [] };
  for (const source of sources) {
    const reported = !only || source.file === only;
    for (const [name, blocks] of Object.entries(source.hcl.module ?? {})) {
      const block = blocks[0] ?? {};
      const from = typeof block.source === 'string' ? block.source : '';
      if (!/^\.\.?\//.test(from) || depth >= 8) {
        if (reported) result.notes.push(`${source.file}: module.${name} comes from ${from || 'an unknown source'}, which is not read (only local modules are): give a \`terraform show -json\` plan to check the roles it makes`);
        continue;
      }
      const child = join(dir, from);
      if (!isFolder(child, files)) {
        // Terraform refuses to init such a module; the check names the call and reads the rest.
        if (reported) result.errors.push({ file: source.file, ...lineField(lineOf(source.text, 'module', name)), message: `module.${name}: its source ${from} is not a folder of this repository (${child}): not read` });
        continue;
      }
      if (reported && !result.modules.includes(child)) result.modules.push(child);
      const instances: { call: string; loaded: Loaded }[] = [];
      for (const instance of module.instances(block)) {
        const call = `module.${name}${instance.key === undefined ? '' : `[${JSON.stringify(instance.key)}]`}`;
        const inputs = new Map<string, Assigned>();
        for (const [arg, value] of Object.entries(block)) {
          if (META_ARGUMENTS.includes(arg)) continue;
          let evaluated: { value: Value; assumed: string[] } | undefined;
          const lazy = () => {
            if (!evaluated) {
              const ctx = module.context(instance);
              evaluated = { value: evaluateValue(value, ctx.env), assumed: ctx.assumed };
            }
            return evaluated;
          };
          inputs.set(arg, { value, lazy, from: `${call} in ${source.file}` });
        }
        const childLoaded = await load(child, undefined, inputs, files, result, depth + 1);
        module.children.set(call, childLoaded.module);
        instances.push({ call, loaded: childLoaded });
      }
      if (reported) loaded.calls.push({ name, file: source.file, instances });
    }
  }
  return loaded;
}

/** A loaded module's roles and the documents no role uses; then those of the modules it calls, labelled with the caller's file and the Terraform address. */
function report({ module, sources, only, calls }: Loaded, address: string, callerFile: string | undefined, result: TerraformResult): void {
  const reported = sources.filter((s) => !only || s.file === only);
  const label = (file: string, tail: string, key: string | number | undefined) => `${callerFile ?? file}#${address}${tail}${key === undefined ? '' : `[${JSON.stringify(key)}]`}`;
  // A document a role, a local or another document refers to is part of that; one nothing refers to stands alone.
  const usedDocuments = new Set(sources.flatMap((s) => [...s.text.matchAll(/data\.aws_iam_policy_document\.([\w-]+)(?:\[[^\]]*\])?\.(?:minified_)?json/g)].map((m) => m[1] ?? '')));
  for (const source of reported) {
    // hcl2json sorts blocks by name: report them in the order the file declares them.
    const roles = Object.entries(source.hcl.resource?.aws_iam_role ?? {}).map(([name, blocks]) => ({ name, blocks, line: lineOf(source.text, 'resource', 'aws_iam_role', name) }));
    for (const { name, blocks, line } of roles.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))) {
      const block = blocks[0] ?? {};
      for (const instance of module.instances(block)) {
        try {
          result.policies.push(module.role(name, block, label(source.file, `aws_iam_role.${name}`, instance.key), source.file, line, instance));
        } catch (error) {
          result.errors.push(asReadError(error, source.file, line, `aws_iam_role.${name}`));
        }
      }
    }
  }
  for (const source of reported) {
    for (const [name, blocks] of Object.entries(source.hcl.data?.aws_iam_policy_document ?? {})) {
      if (usedDocuments.has(name) || !hasPrincipals(blocks[0] ?? {})) continue;
      const line = lineOf(source.text, 'data', 'aws_iam_policy_document', name);
      for (const instance of module.instances(blocks[0] ?? {})) {
        try {
          const ctx = module.context(instance);
          const document = toPolicyDocument(JSON.parse(module.documentJson(name, ctx)));
          result.policies.push({ where: label(source.file, `data.aws_iam_policy_document.${name}`, instance.key), file: source.file, ...(line ? { line } : {}), document, assumed: ctx.assumed, ...placeholders(ctx) });
        } catch (error) {
          result.errors.push(asReadError(error, source.file, line, `data.aws_iam_policy_document.${name}`));
        }
      }
    }
  }
  for (const { file, instances } of calls) {
    for (const { call, loaded } of instances) report(loaded, `${address}${call}.`, callerFile ?? file, result);
  }
}

function asReadError(error: unknown, file: string, line: number | undefined, what: string): ReadError {
  if (error instanceof PolicyReadError) return { file: error.file, ...(error.line ? { line: error.line } : line ? { line } : {}), message: error.message };
  if (error instanceof ExpressionError || error instanceof PolicyError || error instanceof SyntaxError) {
    return { file, ...(line ? { line } : {}), message: `${what}: ${error.message}` };
  }
  throw error;
}

function hasPrincipals(block: Block): boolean {
  const statements = (block.statement as Block[] | undefined) ?? [];
  return statements.some((s) => s.principals !== undefined || s.not_principals !== undefined);
}

function lineOf(text: string, kind: string, ...labels: string[]): number | undefined {
  const m = new RegExp(`^\\s*${kind}${labels.map((label) => `\\s+"?${label.replace(/[-]/g, '\\-')}"?`).join('')}\\s*\\{`, 'm').exec(text);
  return m ? lineAt(text, m.index + (m[0].length - m[0].trimStart().length)) : undefined;
}

interface Assigned {
  /** As hcl2json gives it, evaluated in the module that reads it... */
  value: unknown;
  /** ...or, for a module call's argument, in the caller (with what that assumed). */
  lazy?: () => { value: Value; assumed: string[] };
  from: string;
}

/** Every variable's value and where it came from, in Terraform's order of precedence (later wins). */
async function variableValues(dir: string, files: PolicyFiles, options: ReadOptions, errors: ReadError[]): Promise<Map<string, Assigned>> {
  const values = new Map<string, Assigned>();
  const names = files.list(dir);
  const varFiles = [
    ...(names.includes('terraform.tfvars') ? ['terraform.tfvars'] : []),
    ...(names.includes('terraform.tfvars.json') ? ['terraform.tfvars.json'] : []),
    ...names.filter((n) => /\.auto\.tfvars(\.json)?$/.test(n)).sort(),
  ].map((n) => join(dir, n));
  for (const file of [...varFiles, ...(options.varFiles ?? [])]) {
    try {
      const text = files.read(file);
      const parsed = file.endsWith('.json') ? (JSON.parse(text) as Record<string, unknown>) : ((await parseHcl(file, text)) as Record<string, unknown>);
      for (const [name, value] of Object.entries(parsed)) values.set(name, { value, from: file });
    } catch (error) {
      if (error instanceof PolicyReadError) errors.push({ file: error.file, ...(error.line ? { line: error.line } : {}), message: error.message });
      else errors.push({ file, message: `cannot be read as variable values: ${(error as Error).message}` });
    }
  }
  for (const [name, value] of Object.entries(options.vars ?? {})) {
    // Terraform reads a -var value as HCL when the variable's type is a collection; the usual lists and maps start so.
    values.set(name, { value: /^\s*[[{]/.test(value) ? `\${${value}}` : value.replace(/([$%])\{/g, '$1$1{'), from: '--var' });
  }
  return values;
}

interface Context {
  assumed: string[];
  instance: Instance;
  placeholders: Set<string>;
  env: Env;
}

function placeholders(ctx: Context): { accountPlaceholders?: string[] } {
  return ctx.placeholders.size > 0 ? { accountPlaceholders: [...ctx.placeholders] } : {};
}

class Module {
  readonly consumed: string[];
  /** The modules this one calls, by `module.NAME` or `module.NAME[KEY]`. */
  readonly children = new Map<string, Module>();
  private readonly outputs = new Map<string, unknown>();
  private readonly locals = new Map<string, unknown>();
  private readonly localValues = new Map<string, { value: Value; assumed: string[]; placeholders: Set<string> }>();
  private readonly variables = new Map<string, Block>();
  private readonly documents = new Map<string, Block>();
  /** OIDC providers, as their blocks give them: a resource by its url, a data source by its url or its arn. */
  private readonly providers = new Map<string, { url?: unknown; arn?: unknown }>();
  private readonly roles = new Map<string, Block>();
  private readonly callerIdentity: string;
  private readonly dir: string;
  private readonly values: Map<string, Assigned>;
  private readonly files: PolicyFiles;

  constructor(dir: string, sources: Source[], values: Map<string, Assigned>, files: PolicyFiles, consumed: string[]) {
    this.consumed = consumed;
    this.dir = dir;
    this.values = values;
    this.files = files;
    for (const { hcl } of sources) {
      for (const block of hcl.locals ?? []) for (const [k, v] of Object.entries(block)) this.locals.set(k, v);
      for (const [k, blocks] of Object.entries(hcl.variable ?? {})) this.variables.set(k, blocks[0] ?? {});
      for (const [k, blocks] of Object.entries(hcl.data?.aws_iam_policy_document ?? {})) this.documents.set(k, blocks[0] ?? {});
      for (const [k, blocks] of Object.entries(hcl.resource?.aws_iam_openid_connect_provider ?? {})) this.providers.set(`aws_iam_openid_connect_provider.${k}`, { url: blocks[0]?.url });
      for (const [k, blocks] of Object.entries(hcl.data?.aws_iam_openid_connect_provider ?? {})) this.providers.set(`data.aws_iam_openid_connect_provider.${k}`, { url: blocks[0]?.url, arn: blocks[0]?.arn });
      for (const [k, blocks] of Object.entries(hcl.resource?.aws_iam_role ?? {})) this.roles.set(k, blocks[0] ?? {});
      for (const [k, blocks] of Object.entries(hcl.output ?? {})) this.outputs.set(k, blocks[0]?.value);
    }
    const identity = sources.flatMap((s) => Object.keys(s.hcl.data?.aws_caller_identity ?? {}))[0] ?? 'current';
    this.callerIdentity = `data.aws_caller_identity.${identity}.account_id`;
  }

  /** What evaluating in this module needs; `shared` makes it note assumptions and placeholders where a caller's evaluation does. */
  context(instance: Instance = {}, shared?: Context): Context {
    const assumed: string[] = shared?.assumed ?? [];
    if (instance.undecided) assumed.push(`${instance.undecided.text}, which the module does not decide: read once, with each.* and count.* left as written`, ...instance.undecided.assumed);
    const ctx: Context = {
      assumed,
      placeholders: shared?.placeholders ?? new Set(),
      instance,
      env: {
        reference: (path, text) => this.reference(path, text, ctx, []),
        readFile: (p) => this.readFile(p),
        assume: (t) => {
          if (!assumed.includes(t)) assumed.push(t);
        },
      },
    };
    return ctx;
  }

  /** A resource's instances: one per for_each key or count index when the module decides them, else one with each.* and count.* left as written. */
  instances(block: Block): Instance[] {
    if (block.for_each === undefined && block.count === undefined) return [{}];
    const meta = block.for_each !== undefined ? 'for_each' : 'count';
    const ctx = this.context();
    let value: Value;
    try {
      value = evaluateValue(block[meta], ctx.env);
    } catch (error) {
      // Reading the instance then says what is wrong.
      if (error instanceof ExpressionError) return [{ undecided: { text: `${meta} = ${String(block[meta])}`, assumed: ctx.assumed } }];
      throw error;
    }
    if (meta === 'count' && typeof value === 'number') return Array.from({ length: value }, (_, i) => ({ key: i, index: i }));
    if (Array.isArray(value) && value.every((k) => typeof k === 'string')) return (value as string[]).map((k) => ({ key: k, each: { key: k, value: k } }));
    if (meta === 'for_each' && value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Unknown)) {
      return Object.entries(value).map(([k, v]) => ({ key: k, each: { key: k, value: v } }));
    }
    return [{ undecided: { text: `${meta} = ${value instanceof Unknown ? `\${${value.text}}` : JSON.stringify(plain(value))}`, assumed: ctx.assumed } }];
  }

  role(name: string, block: Block, where: string, file: string, line: number | undefined, instance: Instance): FoundPolicy {
    const ctx = this.context(instance);
    if (block.assume_role_policy === undefined) throw new PolicyReadError(file, `aws_iam_role.${name} has no assume_role_policy: expected a trust policy`, line);
    const policy = evaluateValue(block.assume_role_policy, ctx.env);
    if (policy instanceof Unknown) throw new PolicyReadError(file, `aws_iam_role.${name}: assume_role_policy is \${${policy.text}}, which cannot be resolved here (${ctx.assumed.join('; ')})`, line);
    if (typeof policy !== 'string') throw new PolicyReadError(file, `aws_iam_role.${name}: assume_role_policy must be a JSON string (jsonencode(…), a heredoc, file(…) or data.aws_iam_policy_document.….json)`, line);
    let parsed: unknown;
    try {
      parsed = JSON.parse(policy);
    } catch (error) {
      const what = policy.trim() === '' ? 'is empty' : `is not JSON (${(error as Error).message})`;
      throw new PolicyReadError(file, `aws_iam_role.${name}: assume_role_policy ${what}${ctx.assumed.length ? `, with ${ctx.assumed.join('; ')}` : ''}`, line);
    }
    const document = toPolicyDocument(parsed);
    const roleName = this.roleName(block, ctx);
    const path = block.path === undefined ? '/' : plain(evaluateValue(block.path, ctx.env));
    return {
      where,
      file,
      ...(line ? { line } : {}),
      ...(roleName ? { roleName, roleArn: `arn:aws:iam::\${${this.account(ctx)}}:role${String(path)}${roleName}` } : {}),
      document,
      assumed: ctx.assumed,
      ...placeholders(ctx),
    };
  }

  private roleName(block: Block, ctx: Context): string | undefined {
    if (block.name === undefined || evaluateValue(block.name, ctx.env) === null) {
      ctx.env.assume(block.name_prefix !== undefined ? 'the role has a name_prefix: Terraform completes its name' : 'the role has no name: Terraform generates one');
      return undefined;
    }
    const name = evaluateValue(block.name, ctx.env);
    return typeof name === 'string' && !name.includes('${') ? name : undefined;
  }

  private account(ctx: Context): string {
    ctx.placeholders.add(`\${${this.callerIdentity}}`);
    ctx.env.assume(`${this.callerIdentity} is the account Terraform runs in: left as \${${this.callerIdentity}}`);
    return this.callerIdentity;
  }

  private readFile(p: string): string {
    const file = p.startsWith('/') ? p : join(this.dir, p);
    try {
      const text = this.files.read(file);
      if (!this.consumed.includes(file)) this.consumed.push(file);
      return text;
    } catch {
      throw new ExpressionError(`the file ${file} cannot be read`);
    }
  }

  private reference(path: (string | number)[], text: string, ctx: Context, evaluating: string[]): Value {
    const [root, name, ...rest] = path.map(String);
    const at = (value: Value, steps: (string | number)[]) => steps.reduce<Value>((v, s) => (v instanceof Unknown ? v : indexValue(v, s, text)), value);
    const unknown = (why: string) => {
      ctx.env.assume(`${text} ${why}: left as \${${text}}`);
      return new Unknown(text);
    };
    if (root === 'var' && name !== undefined) {
      const assigned = this.values.get(name);
      const declared = this.variables.get(name);
      if (assigned) {
        const outer = assigned.lazy?.();
        for (const a of outer?.assumed ?? []) ctx.env.assume(a);
        const value = ofType(outer ? outer.value : evaluateValue(assigned.value, ctx.env), declared?.type);
        ctx.env.assume(`var.${name} = ${JSON.stringify(plain(value))} (from ${assigned.from})`);
        return at(value, path.slice(2));
      }
      if (declared && 'default' in declared) {
        const value = ofType(evaluateValue(declared.default, ctx.env), declared.type);
        ctx.env.assume(`var.${name} = ${JSON.stringify(plain(value))} (its default)`);
        return at(value, path.slice(2));
      }
      ctx.env.assume(`var.${name} = (no value): left as \${var.${name}}`);
      return new Unknown(path.length > 2 ? text : `var.${name}`);
    }
    if (root === 'local' && name !== undefined) {
      if (!this.locals.has(name)) throw new ExpressionError(`local.${name} is not declared`);
      if (evaluating.includes(name)) return unknown('refers to itself');
      // A local depends on the module's values only: evaluated once, its assumptions told to each reader.
      let local = this.localValues.get(name);
      if (!local) {
        const own = this.context();
        const value = evaluateValue(this.locals.get(name), { ...own.env, reference: (p, t) => this.reference(p, t, own, [...evaluating, name]) });
        local = { value, assumed: own.assumed, placeholders: own.placeholders };
        this.localValues.set(name, local);
      }
      for (const a of local.assumed) ctx.env.assume(a);
      for (const p of local.placeholders) ctx.placeholders.add(p);
      return at(local.value, path.slice(2));
    }
    if (root === 'path') return '.';
    if (root === 'module' && name !== undefined) {
      // module.NAME.OUTPUT or module.NAME[KEY].OUTPUT: the output evaluated in the module that instance is.
      const keyed = path.length > 3 && this.children.has(`module.${name}[${JSON.stringify(path[2])}]`);
      const child = this.children.get(keyed ? `module.${name}[${JSON.stringify(path[2])}]` : `module.${name}`);
      const output = String(path[keyed ? 3 : 2] ?? '');
      if (!child) return unknown('comes from a module that is not read');
      const value = child.output(output, ctx);
      return value === undefined ? unknown('is not an output of the module') : at(value, path.slice(keyed ? 4 : 3));
    }
    const { each, index } = ctx.instance;
    if (root === 'each' && each && (name === 'key' || name === 'value')) return indexPath(each[name], rest, text);
    if (root === 'count' && index !== undefined && name === 'index') return index;
    if (root === 'each' || root === 'count') return unknown('depends on the instance, which the module does not decide');
    // A resource or data source: [data.]TYPE.NAME[KEY].ATTRIBUTE, KEY naming an instance of count or for_each.
    const parts = root === 'data' ? path.slice(1) : path;
    const [type = '', resource = ''] = parts.map(String);
    const after = parts.slice(2);
    const keyed = after.length >= 2 && (typeof after[0] === 'number' || ATTRIBUTES.has(String(after[1])));
    const key = keyed ? after[0] : undefined;
    const attribute = String((keyed ? after[1] : after[0]) ?? '');
    const data = root === 'data';
    if (data && type === 'aws_iam_policy_document' && /^(minified_)?json$/.test(attribute)) {
      const block = this.documents.get(resource);
      if (!block) throw new ExpressionError(`data.aws_iam_policy_document.${resource} is not declared in ${this.dir}`);
      const instance = key === undefined ? {} : (this.instances(block).find((i) => i.key === key) ?? { key });
      return this.documentJson(resource, { ...ctx, instance, env: { ...ctx.env, reference: (p, t) => this.reference(p, t, { ...ctx, instance }, evaluating) } }, attribute === 'minified_json');
    }
    if (data && type === 'aws_caller_identity' && attribute === 'account_id') {
      ctx.placeholders.add(`\${${text}}`);
      ctx.env.assume(`${text} is the account Terraform runs in: left as \${${text}}`);
      return new Unknown(text);
    }
    if (data && type === 'aws_partition' && (attribute === 'partition' || attribute === 'dns_suffix')) {
      const value = attribute === 'partition' ? 'aws' : 'amazonaws.com';
      ctx.env.assume(`${text} = "${value}" (assumed: the standard partition)`);
      return value;
    }
    // The attributes of an OIDC provider or a role the module declares that its own arguments decide.
    const known = (attributes: Record<string, Value>) => {
      const steps = keyed ? after.slice(1) : after;
      if (steps.length === 0) return attributes;
      const value = attributes[String(steps[0])];
      return value === undefined ? unknown('is known only to Terraform') : at(value, steps.slice(1));
    };
    const provider = this.providers.get(`${data ? 'data.' : ''}${type}.${resource}`);
    if (provider?.arn !== undefined) {
      const arn = evaluateValue(provider.arn, ctx.env);
      const host = typeof arn === 'string' ? /:oidc-provider\/(.+)$/.exec(arn)?.[1] : undefined;
      if (typeof arn === 'string' && host !== undefined) return known({ arn, id: arn, url: `https://${host}` });
    } else if (provider?.url !== undefined) {
      const url = evaluateValue(provider.url, ctx.env);
      if (typeof url === 'string') {
        const arn = `arn:aws:iam::\${${this.account(ctx)}}:oidc-provider/${url.replace(/^https:\/\//, '')}`;
        return known({ arn, id: arn, url });
      }
    }
    if (!data && type === 'aws_iam_role' && this.roles.has(resource)) {
      const roleName = this.roleName(this.roles.get(resource) ?? {}, ctx);
      if (roleName) return known({ name: roleName, id: roleName, arn: `arn:aws:iam::\${${this.account(ctx)}}:role/${roleName}` });
    }
    return unknown('is known only to Terraform');
  }
  output(name: string, caller: Context): Value | undefined {
    if (!this.outputs.has(name)) return undefined;
    return evaluateValue(this.outputs.get(name), this.context({}, caller).env);
  }

  /** The JSON an aws_iam_policy_document data source renders, as the AWS provider renders it. */
  documentJson(name: string, ctx: Context, minified = false): string {
    const block = this.documents.get(name) ?? {};
    const env = ctx.env;
    const statements: unknown[] = [];
    for (const source of asArray(evaluateValue(block.source_policy_documents ?? [], env))) {
      if (typeof source !== 'string') throw new ExpressionError(`data.aws_iam_policy_document.${name}: source_policy_documents must be JSON strings`);
      statements.push(...(toPolicyDocument(JSON.parse(source)).Statement as unknown[]));
    }
    if (block.override_policy_documents !== undefined) env.assume(`data.aws_iam_policy_document.${name}: override_policy_documents is not applied`);
    for (const statement of expandBlocks(block, 'statement', env)) statements.push(renderStatement(statement));
    const document = { Version: typeof block.version === 'string' ? block.version : '2012-10-17', Statement: statements };
    return JSON.stringify(plain(document as Value), null, minified ? undefined : 2);
  }
}

function indexValue(value: Value, step: string | number, text: string): Value {
  if (Array.isArray(value) && value[Number(step)] !== undefined) return value[Number(step)] ?? null;
  // An attribute an object lacks is null, as Terraform makes a typed variable's optional() attributes.
  if (value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Unknown)) return value[String(step)] ?? null;
  throw new ExpressionError(`${text}: no element ${JSON.stringify(step)}`);
}

function asArray(value: Value): Value[] {
  return Array.isArray(value) ? value : [value];
}

/** A block's instances: its static ones, then those its `dynamic` blocks generate (each iteration binds `<iterator>.key`/`.value`). */
function expandBlocks(block: Block, type: string, env: Env): { block: Block; env: Env }[] {
  const out = ((block[type] as Block[] | undefined) ?? []).map((b) => ({ block: b, env }));
  for (const dynamic of ((block.dynamic as Record<string, Block[]> | undefined)?.[type] ?? [])) {
    const iterator = typeof dynamic.iterator === 'string' ? dynamic.iterator.replace(/^\$\{(.*)\}$/, '$1') : type;
    const collection = evaluateValue(dynamic.for_each, env);
    if (collection instanceof Unknown || !collection || typeof collection !== 'object') {
      env.assume(`dynamic "${type}" iterates over ${collection instanceof Unknown ? `\${${collection.text}}` : JSON.stringify(collection)}: its blocks are left out`);
      continue;
    }
    const entries: [Value, Value][] = Array.isArray(collection) ? collection.map((v) => [v, v]) : Object.entries(collection);
    for (const [key, value] of entries) {
      const scoped: Env = {
        ...env,
        reference: (path, text) => (path[0] === iterator && (path[1] === 'key' || path[1] === 'value') ? indexPath(path[1] === 'key' ? key : value, path.slice(2), text) : env.reference(path, text)),
      };
      for (const content of (dynamic.content as Block[] | undefined) ?? []) out.push({ block: content, env: scoped });
    }
  }
  return out;
}

function indexPath(value: Value, steps: (string | number)[], text: string): Value {
  return steps.reduce<Value>((v, s) => (v instanceof Unknown ? v : indexValue(v, s, text)), value);
}

const one = (values: Value[]): Value => (values.length === 1 ? (values[0] ?? null) : values);

function listValue(value: Value): Value[] {
  if (Array.isArray(value)) return value.flatMap((v) => (Array.isArray(v) ? v : [v]));
  return [value];
}

function renderStatement({ block, env }: { block: Block; env: Env }): Record<string, Value> {
  // A null argument is an absent one, as the provider reads it.
  const attr = (key: string) => (block[key] === undefined ? undefined : (evaluateValue(block[key], env) ?? undefined));
  const out: Record<string, Value> = {};
  const sid = attr('sid');
  if (typeof sid === 'string' && sid) out.Sid = sid;
  out.Effect = (attr('effect') as string | undefined) ?? 'Allow';
  const actions = attr('actions');
  if (actions !== undefined) out.Action = one(listValue(actions));
  const notActions = attr('not_actions');
  if (notActions !== undefined) out.NotAction = one(listValue(notActions));
  for (const [type, key] of [['principals', 'Principal'], ['not_principals', 'NotPrincipal']] as const) {
    const blocks = expandBlocks(block, type, env);
    if (blocks.length === 0) continue;
    const byType: Record<string, Value[]> = {};
    for (const p of blocks) {
      const t = String(plain(evaluateValue(p.block.type, p.env)));
      (byType[t] ??= []).push(...listValue(evaluateValue(p.block.identifiers ?? [], p.env)));
    }
    const star = byType['*'];
    out[key] = star && Object.keys(byType).length === 1 && star.every((v) => v === '*') ? '*' : Object.fromEntries(Object.entries(byType).map(([t, ids]) => [t, one(ids)]));
  }
  const conditions = expandBlocks(block, 'condition', env);
  if (conditions.length > 0) {
    const condition: Record<string, Record<string, Value[]>> = {};
    for (const c of conditions) {
      const test = String(plain(evaluateValue(c.block.test, c.env)));
      const variable = String(plain(evaluateValue(c.block.variable, c.env)));
      // The AWS provider merges the values of condition blocks with the same test and variable (hashicorp/terraform-provider-aws#33093).
      ((condition[test] ??= {})[variable] ??= []).push(...listValue(evaluateValue(c.block.values ?? [], c.env)));
    }
    out.Condition = Object.fromEntries(Object.entries(condition).map(([t, vars]) => [t, Object.fromEntries(Object.entries(vars).map(([v, vals]) => [v, one(vals)]))]));
  }
  return out;
}

