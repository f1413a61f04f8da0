// Terraform: the trust policies of a module's `aws_iam_role`s, and of the `aws_iam_policy_document`s no
// role uses. HashiCorp's parser and evaluator (hcl-expression.ts) read the files and compute each
// expression; this module applies Terraform's module rules on top (`.tf` and `.tf.json` files, override
// files merged last, a name declared twice refused, local modules called with their arguments,
// `path.module` and `path.root`) and says what every reference means: the variables' values as Terraform
// would take them (defaults, terraform.tfvars, *.auto.tfvars, --var-file, --var), the module's locals,
// outputs and policy documents. What only Terraform knows (another resource's attributes, a variable
// without a value) stays as its `${…}` source and is named among the policy's assumptions; a block that
// cannot be expanded makes the policy undetermined, never silently smaller.
import { PolicyError, toPolicyDocument } from '../iam/policy.ts';
import { BudgetError, ExpressionError, Unknown, isUnknown, plain, terraformEvaluator, type Attribute, type Block, type Body, type Evaluator, type Host, type Reference, type Value } from './hcl-expression.ts';
import { PolicyReadError, type FoundPolicy, type PolicyFiles, type ReadError, type ReadOptions } from './found.ts';
import { dirname, isAbsolute, join, normalize, relative } from 'node:path';

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

/** The bounds on what a repository's Terraform can make the check do: past one, one error naming it. */
export const LIMITS = { instances: 1000, moduleDepth: 8, moduleInstances: 200 };

/** A bound was passed: reading stops with one error (not one error among others, as PolicyReadError is). */
class LimitError extends PolicyReadError {}

/** An instance of a resource or module call with for_each or count. */
interface Instance {
  key?: string | number;
  each?: { key: Value; value: Value };
  index?: number;
  /** The for_each or count the module does not decide (and what evaluating it assumed): the block is read once. */
  undecided?: { text: string; assumed: string[] };
}

interface Source {
  file: string;
  body: Body;
}

/** Is a file of a module's configuration: Terraform reads `*.tf` and `*.tf.json`. */
export const isTerraformFile = (name: string): boolean => /\.tf(\.json)?$/.test(name);
const isOverride = (name: string): boolean => /(^|_)override\.tf(\.json)?$/.test(name.replace(/^.*\//, ''));

/** Reads the module a `.tf` file belongs to, reporting the policies of `target` (the file, or every file when it is the folder) and of the local modules it calls. */
export async function readTerraform(target: string, isFolder: boolean, files: PolicyFiles, options: ReadOptions = {}): Promise<TerraformResult> {
  const dir = isFolder ? target : dirname(target);
  const result: TerraformResult = { policies: [], errors: [], consumed: [], modules: [], notes: [] };
  const evaluator = await terraformEvaluator();
  const reading: Reading = { evaluator, files, result, root: dir, loaded: 0 };
  try {
    const values = variableValues(dir, reading, options);
    const root = load(dir, isFolder ? undefined : normalize(target), values, reading, 0);
    report(root, '', undefined, result);
    // A folder says it holds nothing once all of it is read (read.ts); a file says so here.
    if (!isFolder && result.policies.length === 0 && result.errors.length === 0 && root.sources.length > 0) {
      const unread = result.notes.length > 0 ? ` (${result.notes.map((n) => n.replace(/^[^:]*: /, '')).join('; ')})` : '';
      result.errors.push({ file: target, message: `holds no aws_iam_role with an assume_role_policy and no aws_iam_policy_document with principals: expected a trust policy${unread} (a role in another file of the module is read when the folder is given)` });
    }
  } catch (error) {
    if (!(error instanceof LimitError) && !(error instanceof BudgetError)) throw error;
    return { ...result, policies: [], errors: [{ file: error.file, ...lineField(error.line), message: error.message }] };
  }
  return result;
}

/**
 * The folders below `target` Terraform would run in: those holding `.tf` files that no other such folder
 * calls as a local module, and that are not modules by Terraform's layout (a folder within `modules/`)
 * unless given by name. The rest are read as the modules their callers call; an uncalled module is named.
 */
export async function terraformRoots(target: string, files: PolicyFiles, descend: (name: string) => boolean): Promise<{ roots: Set<string>; uncalled: string[] }> {
  const evaluator = await terraformEvaluator();
  const folders: string[] = [];
  const called = new Set<string>();
  const none: Host = { read: () => '', exists: () => false, files: () => [] };
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = files.list(dir).sort();
    } catch {
      return; // the walk that reads the folder says why it cannot
    }
    if (names.some(isTerraformFile)) {
      folders.push(normalize(dir));
      for (const name of names.filter(isTerraformFile)) {
        try {
          const body = evaluator.parse(join(dir, name), files.read(join(dir, name)));
          for (const block of body.blocks.filter((b) => b.type === 'module' && b.body.attributes.source)) {
            const source = evaluator.evaluate(block.body.attributes.source!, {}, none);
            if (typeof source === 'string' && /^\.\.?\//.test(source)) called.add(normalize(join(dir, source)).replace(/(.)[\\/]+$/, '$1'));
          }
        } catch {
          // A file that cannot be read or parsed calls no module here; read as a root, its error is reported there.
        }
      }
    }
    if (depth >= 32) return;
    for (const name of names) if (descend(name) && isFolder(join(dir, name), files)) walk(join(dir, name), depth + 1);
  };
  walk(target, 0);
  const top = normalize(target);
  const layoutModule = (dir: string) => dir !== top && relative(top, dir).split(/[\\/]/).slice(0, -1).includes('modules');
  const roots = new Set(folders.filter((f) => f === top || (!called.has(f) && !layoutModule(f))));
  const uncalled = folders.filter((f) => !called.has(f) && !roots.has(f)).map((f) => `${f}: a module (in a modules/ folder) that no root module here calls: not judged on its own; give the folder by name to judge it as a root`);
  return { roots, uncalled };
}

interface Reading {
  evaluator: Evaluator;
  files: PolicyFiles;
  result: TerraformResult;
  /** The root module's folder: where Terraform runs, what `path.root` and relative file paths start from. */
  root: string;
  /** Module instances loaded so far, for LIMITS.moduleInstances. */
  loaded: number;
}

interface Loaded {
  module: Module;
  sources: Source[];
  /** The file asked for, when one file of the module was: only its blocks are reported. */
  only: string | undefined;
  calls: { name: string; file: string; instances: { call: string; loaded: Loaded }[] }[];
}

const lineField = (line: number | undefined) => (line ? { line } : {});

function isFolder(path: string, files: PolicyFiles): boolean {
  try {
    return files.isDirectory(path);
  } catch {
    return false;
  }
}

const META_ARGUMENTS = ['source', 'version', 'providers', 'count', 'for_each', 'depends_on'];

/** A module's files, parsed; override files last, as Terraform merges them. */
function parseModule(dir: string, only: string | undefined, reading: Reading): { primary: Source[]; overrides: Source[] } {
  const primary: Source[] = [];
  const overrides: Source[] = [];
  for (const name of reading.files.list(dir).filter(isTerraformFile).sort()) {
    const file = join(dir, name);
    try {
      const body = reading.evaluator.parse(file, reading.files.read(file));
      (isOverride(name) ? overrides : primary).push({ file, body });
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      // A sibling that does not parse only matters to the files asked for.
      if (!only || file === only) reading.result.errors.push({ file: error.file ?? file, ...lineField(error.line), message: `not valid Terraform: ${error.message}` });
    }
  }
  return { primary, overrides };
}

/** Parses a module and, depth first, the local modules it calls: each instance's arguments are its variables, evaluated in the caller when used. */
function load(dir: string, only: string | undefined, values: Map<string, Assigned>, reading: Reading, depth: number): Loaded {
  const { result, files } = reading;
  const { primary, overrides } = parseModule(dir, only, reading);
  // A module Terraform refuses (a name declared twice, an override of nothing) has no policies to judge.
  const refused = result.errors.length;
  const merged = merge(primary, overrides, result);
  const sources = result.errors.length > refused ? [] : merged;
  const module = new Module(dir, sources, values, reading);
  const loaded: Loaded = { module, sources, only, calls: [] };
  for (const source of sources) {
    const reported = !only || source.file === only;
    for (const block of source.body.blocks.filter((b) => b.type === 'module')) {
      const name = block.labels[0] ?? '';
      const from = block.body.attributes.source ? module.value(block.body.attributes.source, module.context(), source.file) : '';
      if (typeof from !== 'string' || !/^\.\.?\//.test(from)) {
        if (reported) result.notes.push(`${source.file}: module.${name} comes from ${typeof from === 'string' && from ? from : 'an unknown source'}, which is not read (only local modules are): give a \`terraform show -json\` plan to check the roles it makes`);
        continue;
      }
      if (depth + 1 > LIMITS.moduleDepth) throw new LimitError(source.file, `module.${name}: modules call modules more than ${LIMITS.moduleDepth} deep, the limit: not read`, block.line);
      const child = join(dir, from).replace(/(.)[\\/]+$/, '$1');
      if (!isFolder(child, files)) {
        // Terraform refuses to init such a module; the check names the call and reads the rest.
        if (reported) result.errors.push({ file: source.file, ...lineField(block.line), message: `module.${name}: its source ${from} is not a folder of this repository (${child}): not read` });
        continue;
      }
      if (reported && !result.modules.includes(child)) result.modules.push(child);
      const instances: { call: string; loaded: Loaded }[] = [];
      for (const instance of module.instances(block, source.file)) {
        if (++reading.loaded > LIMITS.moduleInstances) throw new LimitError(source.file, `module.${name}: the modules called make more than ${LIMITS.moduleInstances} module instances, the limit: not read`, block.line);
        const call = `module.${name}${instance.key === undefined ? '' : `[${JSON.stringify(instance.key)}]`}`;
        const inputs = new Map<string, Assigned>();
        for (const [arg, attribute] of Object.entries(block.body.attributes)) {
          if (META_ARGUMENTS.includes(arg)) continue;
          let evaluated: { value: Value; assumed: string[] } | undefined;
          const lazy = () => {
            if (!evaluated) {
              const ctx = module.context(instance);
              evaluated = { value: module.value(attribute, ctx, source.file), assumed: ctx.assumed };
            }
            return evaluated;
          };
          inputs.set(arg, { lazy, from: `${call} in ${source.file}` });
        }
        const childLoaded = load(child, undefined, inputs, reading, depth + 1);
        module.children.set(call, childLoaded.module);
        instances.push({ call, loaded: childLoaded });
      }
      if (reported) loaded.calls.push({ name, file: source.file, instances });
    }
  }
  return loaded;
}

/** The blocks a name identifies within a module, for duplicates and overrides: `resource.aws_iam_role.x`, `local.x`. */
function names(body: Body): { key: string; block?: Block; local?: string; line: number }[] {
  return body.blocks.flatMap((block) => {
    if (block.type === 'locals') return Object.entries(block.body.attributes).map(([local, a]) => ({ key: `local.${local}`, local, block, line: a.line }));
    if (['resource', 'data', 'module', 'variable', 'output'].includes(block.type)) return [{ key: [block.type, ...block.labels].join('.'), block, line: block.line }];
    return [];
  });
}

const shown = (key: string) => key.replace(/^resource\./, '');

/**
 * Terraform's file rules: a name declared twice in a module's files is an error naming both; an
 * override file's block replaces the arguments it sets, and the nested blocks of each type it has, in
 * the block of that name (merged in file order, after all other files).
 */
function merge(primary: Source[], overrides: Source[], result: TerraformResult): Source[] {
  const declared = new Map<string, { file: string; line: number; block: Block; local?: string }>();
  for (const source of primary) {
    for (const { key, block, local, line } of names(source.body)) {
      const first = declared.get(key);
      if (first) result.errors.push({ file: source.file, line, message: `${shown(key)} is declared twice in one module: at ${first.file}:${first.line} and here; Terraform refuses the module` });
      else if (block) declared.set(key, { file: source.file, line, block, ...(local ? { local } : {}) });
    }
  }
  for (const source of overrides) {
    for (const { key, block, local, line } of names(source.body)) {
      const target = declared.get(key);
      if (!target || !block) {
        result.errors.push({ file: source.file, line, message: `${shown(key)} is in an override file but declared in no other file of the module; Terraform refuses the module` });
        continue;
      }
      if (local !== undefined) {
        target.block.body.attributes[local] = block.body.attributes[local]!;
        continue;
      }
      Object.assign(target.block.body.attributes, block.body.attributes);
      const types = new Set(block.body.blocks.map((b) => b.type));
      target.block.body.blocks = [...target.block.body.blocks.filter((b) => !types.has(b.type)), ...block.body.blocks];
    }
  }
  return primary;
}

/** A loaded module's roles and the documents no role uses; then those of the modules it calls, labelled with the caller's file and the Terraform address. */
function report({ module, sources, only, calls }: Loaded, address: string, callerFile: string | undefined, result: TerraformResult): void {
  const reported = sources.filter((s) => !only || s.file === only);
  const label = (file: string, tail: string, key: string | number | undefined) => `${callerFile ?? file}#${address}${tail}${key === undefined ? '' : `[${JSON.stringify(key)}]`}`;
  // A document a role, a local or another document refers to is part of that; one nothing refers to stands alone.
  const usedDocuments = new Set(sources.flatMap((s) => referencesIn(s.body)).filter((r) => r.steps[0] === 'data' && r.steps[1] === 'aws_iam_policy_document').map((r) => String(r.steps[2])));
  for (const source of reported) {
    for (const block of source.body.blocks.filter((b) => b.type === 'resource' && b.labels[0] === 'aws_iam_role')) {
      const name = block.labels[1] ?? '';
      try {
        for (const instance of module.instances(block, source.file)) {
          try {
            result.policies.push(module.role(name, block.body, label(source.file, `aws_iam_role.${name}`, instance.key), source.file, block.line, instance));
          } catch (error) {
            result.errors.push(asReadError(error, source.file, block.line, `aws_iam_role.${name}`));
          }
        }
      } catch (error) {
        result.errors.push(asReadError(error, source.file, block.line, `aws_iam_role.${name}`));
      }
    }
  }
  for (const source of reported) {
    for (const block of source.body.blocks.filter((b) => b.type === 'data' && b.labels[0] === 'aws_iam_policy_document')) {
      const name = block.labels[1] ?? '';
      if (usedDocuments.has(name) || !hasPrincipals(block.body)) continue;
      try {
        for (const instance of module.instances(block, source.file)) {
          try {
            const ctx = module.context(instance);
            const document = toPolicyDocument(JSON.parse(module.document(name, block.body, ctx, source.file).rendered));
            result.policies.push({ where: label(source.file, `data.aws_iam_policy_document.${name}`, instance.key), file: source.file, ...lineField(block.line), document, assumed: ctx.assumed, ...placeholders(ctx) });
          } catch (error) {
            result.errors.push(asReadError(error, source.file, block.line, `data.aws_iam_policy_document.${name}`));
          }
        }
      } catch (error) {
        result.errors.push(asReadError(error, source.file, block.line, `data.aws_iam_policy_document.${name}`));
      }
    }
  }
  for (const { file, instances } of calls) {
    for (const { call, loaded } of instances) report(loaded, `${address}${call}.`, callerFile ?? file, result);
  }
}

function referencesIn(body: Body): Reference[] {
  return [...Object.values(body.attributes).flatMap((a) => a.refs), ...body.blocks.flatMap((b) => referencesIn(b.body))];
}

function asReadError(error: unknown, file: string, line: number | undefined, what: string): ReadError {
  if (error instanceof LimitError) throw error;
  if (error instanceof PolicyReadError) return { file: error.file, ...(error.line ? { line: error.line } : lineField(line)), message: error.message };
  if (error instanceof ExpressionError) return { file: error.file ?? file, ...lineField(error.line ?? line), message: `${what}: ${error.message}` };
  if (error instanceof PolicyError || error instanceof SyntaxError) return { file, ...lineField(line), message: `${what}: ${error.message}` };
  throw error;
}

/** Whether a document's statements (static, or in a dynamic block's content) have principals. */
function hasPrincipals(body: Body): boolean {
  const statements = [...body.blocks.filter((b) => b.type === 'statement'), ...body.blocks.filter((b) => b.type === 'dynamic' && b.labels[0] === 'statement').flatMap((d) => d.body.blocks.filter((c) => c.type === 'content'))];
  return statements.some((s) => s.body.blocks.some((b) => b.type === 'principals' || b.type === 'not_principals' || (b.type === 'dynamic' && /principals$/.test(b.labels[0] ?? ''))));
}

interface Assigned {
  /** A value from a tfvars file or --var... */
  value?: Value;
  /** ...or, for a module call's argument, evaluated in the caller (with what that assumed). */
  lazy?: () => { value: Value; assumed: string[] };
  from: string;
}

/** Every variable's value and where it came from, in Terraform's order of precedence (later wins). */
function variableValues(dir: string, reading: Reading, options: ReadOptions): Map<string, Assigned> {
  const { files, evaluator, result } = reading;
  const values = new Map<string, Assigned>();
  const names = files.list(dir);
  const varFiles = [
    ...(names.includes('terraform.tfvars') ? ['terraform.tfvars'] : []),
    ...(names.includes('terraform.tfvars.json') ? ['terraform.tfvars.json'] : []),
    ...names.filter((n) => /\.auto\.tfvars(\.json)?$/.test(n)).sort(),
  ].map((n) => join(dir, n));
  // A tfvars file holds constants: no reference and no function that reads a file.
  const constants: Host = {
    read: () => {
      throw new Error('a variable value cannot read files');
    },
    exists: () => false,
    files: () => [],
  };
  for (const file of [...varFiles, ...(options.varFiles ?? [])]) {
    try {
      const body = evaluator.parse(file, files.read(file));
      for (const [name, attribute] of Object.entries(body.attributes)) values.set(name, { value: evaluator.evaluate(attribute, {}, constants), from: file });
    } catch (error) {
      if (error instanceof ExpressionError) result.errors.push({ file: error.file ?? file, ...lineField(error.line), message: `cannot be read as variable values: ${error.message}` });
      else result.errors.push({ file, message: `cannot be read as variable values: ${(error as Error).message}` });
    }
  }
  for (const [name, value] of Object.entries(options.vars ?? {})) {
    // Terraform reads a -var value as HCL when the variable's type is a collection; the usual lists and maps start so.
    if (!/^\s*[[{]/.test(value)) {
      values.set(name, { value, from: '--var' });
      continue;
    }
    try {
      const body = evaluator.parse(`--var ${name}`, `value = ${value.replace(/\n/g, ' ')}\n`);
      values.set(name, { value: evaluator.evaluate(body.attributes.value!, {}, constants), from: '--var' });
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      result.errors.push({ file: '--var', message: `${name}: not a Terraform value: ${error.message}` });
    }
  }
  return values;
}

interface Context {
  assumed: string[];
  instance: Instance;
  placeholders: Set<string>;
  /** Names a dynamic block's iterator binds (`statement.value`). */
  scope: Record<string, Value>;
}

function placeholders(ctx: Context): { accountPlaceholders?: string[] } {
  return ctx.placeholders.size > 0 ? { accountPlaceholders: [...ctx.placeholders] } : {};
}

const assume = (ctx: Context, text: string) => {
  if (!ctx.assumed.includes(text)) ctx.assumed.push(text);
};

/** Puts a value into the tree of variables an evaluation is given, at the reference's first `depth` steps. */
function place(tree: Record<string, Value>, steps: (string | number)[], value: Value): void {
  let node = tree;
  for (const [i, step] of steps.entries()) {
    const key = String(step);
    if (i === steps.length - 1) {
      const there = node[key];
      node[key] = there && value && typeof there === 'object' && typeof value === 'object' && !Array.isArray(there) && !Array.isArray(value) && !(there instanceof Unknown) && !(value instanceof Unknown) ? deepMerge(there, value) : value;
      return;
    }
    const next = node[key];
    if (next instanceof Unknown) return;
    if (!next || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, Value>;
  }
}

function deepMerge(a: { [key: string]: Value }, b: { [key: string]: Value }): { [key: string]: Value } {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const there = out[k];
    out[k] = there && v && typeof there === 'object' && typeof v === 'object' && !Array.isArray(there) && !Array.isArray(v) && !(there instanceof Unknown) && !(v instanceof Unknown) ? deepMerge(there, v) : v;
  }
  return out;
}

class Module {
  /** The modules this one calls, by `module.NAME` or `module.NAME[KEY]`. */
  readonly children = new Map<string, Module>();
  private readonly outputs = new Map<string, Attribute>();
  private readonly locals = new Map<string, { attribute: Attribute; file: string }>();
  private readonly localValues = new Map<string, { value: Value; assumed: string[]; placeholders: Set<string> }>();
  private readonly evaluatingLocals: string[] = [];
  private readonly variables = new Map<string, Body>();
  private readonly documents = new Map<string, { body: Body; file: string }>();
  private readonly templates = new Map<string, { body: Body; file: string }>();
  /** OIDC providers, as their blocks give them: a resource by its url, a data source by its url or its arn. */
  private readonly providers = new Map<string, Body>();
  private readonly roles = new Map<string, Body>();
  private readonly calls = new Map<string, Block>();
  /** Every resource and data source, by `TYPE.NAME` or `data.TYPE.NAME`: their count and for_each shape references. */
  private readonly declared = new Map<string, Body>();
  private readonly callerIdentity: string;
  private readonly dir: string;
  private readonly values: Map<string, Assigned>;
  private readonly reading: Reading;
  private readonly file: string;

  constructor(dir: string, sources: Source[], values: Map<string, Assigned>, reading: Reading) {
    this.dir = dir;
    this.values = values;
    this.reading = reading;
    this.file = sources[0]?.file ?? dir;
    const identities: string[] = [];
    for (const { file, body } of sources) {
      for (const block of body.blocks) {
        const [type = '', name = ''] = block.labels;
        if (block.type === 'resource' || block.type === 'data') this.declared.set(`${block.type === 'data' ? 'data.' : ''}${type}.${name}`, block.body);
        if (block.type === 'locals') for (const [k, attribute] of Object.entries(block.body.attributes)) this.locals.set(k, { attribute, file });
        else if (block.type === 'variable') this.variables.set(type, block.body);
        else if (block.type === 'output' && block.body.attributes.value) this.outputs.set(type, block.body.attributes.value);
        else if (block.type === 'module') this.calls.set(type, block);
        else if (block.type === 'data' && type === 'aws_iam_policy_document') this.documents.set(name, { body: block.body, file });
        else if (block.type === 'data' && type === 'template_file') this.templates.set(name, { body: block.body, file });
        else if (block.type === 'data' && type === 'aws_caller_identity') identities.push(name);
        else if (type === 'aws_iam_openid_connect_provider') this.providers.set(`${block.type === 'data' ? 'data.' : ''}${type}.${name}`, block.body);
        else if (block.type === 'resource' && type === 'aws_iam_role') this.roles.set(name, block.body);
      }
    }
    this.callerIdentity = `data.aws_caller_identity.${identities[0] ?? 'current'}.account_id`;
  }

  /** What evaluating in this module needs; `shared` makes it note assumptions and placeholders where a caller's evaluation does. */
  context(instance: Instance = {}, shared?: Context): Context {
    const assumed: string[] = shared?.assumed ?? [];
    if (instance.undecided) assumed.push(`${instance.undecided.text}, which the module does not decide: read once, with each.* and count.* left as written`, ...instance.undecided.assumed);
    return { assumed, placeholders: shared?.placeholders ?? new Set(), instance, scope: {} };
  }

  /** An attribute's value: each reference it makes resolved here, the expression evaluated by HashiCorp's code. */
  value(attribute: Attribute, ctx: Context, file: string): Value {
    const variables: Record<string, Value> = {};
    for (const ref of attribute.refs) {
      const root = String(ref.steps[0]);
      if (root in ctx.scope) {
        variables[root] = ctx.scope[root] ?? null;
        continue;
      }
      const [depth, value] = this.reference(ref, ctx);
      place(variables, ref.steps.slice(0, depth), value);
    }
    try {
      return this.reading.evaluator.evaluate(attribute, variables, this.host());
    } catch (error) {
      if (error instanceof ExpressionError) throw new ExpressionError(error.message, error.file ?? file, error.line ?? attribute.line);
      throw error;
    }
  }

  /** What file(), templatefile() and fileset() may read: through the reader's files only, relative to the root module. */
  private host(): Host {
    const { files, root, result } = this.reading;
    const resolve = (p: string) => (isAbsolute(p) ? p : join(root, p));
    return {
      read: (p) => {
        const file = resolve(p);
        const text = files.read(file);
        if (!result.consumed.includes(file)) result.consumed.push(file);
        return text;
      },
      exists: (p) => {
        try {
          files.read(resolve(p));
          return true;
        } catch {
          return false;
        }
      },
      files: (p) => {
        const out: string[] = [];
        const walk = (dir: string, prefix: string, depth: number) => {
          for (const name of files.list(dir)) {
            const path = join(dir, name);
            if (out.length >= LIMITS.instances) throw new Error(`fileset: more than ${LIMITS.instances} files under ${p}, the limit`);
            if (files.isDirectory(path)) {
              if (depth < 16) walk(path, `${prefix}${name}/`, depth + 1);
            } else out.push(`${prefix}${name}`);
          }
        };
        walk(resolve(p), '', 0);
        return out;
      },
    };
  }

  /** A block's instances: one per for_each key or count index when the module decides them, else one with each.* and count.* left as written. */
  instances(block: Block, file: string): Instance[] {
    const { count, for_each: forEach } = block.body.attributes;
    const meta = forEach ?? count;
    if (!meta) return [{}];
    const ctx = this.context();
    const value = this.value(meta, ctx, file);
    const what = `${forEach ? 'for_each' : 'count'}`;
    const many = (n: number) => {
      if (n > LIMITS.instances) throw new LimitError(file, `${[block.type === 'resource' ? '' : `${block.type}.`, ...block.labels].join('.').replace(/^\./, '')}: ${what} makes ${n} instances, more than ${LIMITS.instances}, the limit: not read`, meta.line);
    };
    if (!forEach && typeof value === 'number') {
      many(value);
      return Array.from({ length: Math.max(0, Math.floor(value)) }, (_, i) => ({ key: i, index: i }));
    }
    if (forEach && Array.isArray(value) && value.every((k) => typeof k === 'string')) {
      many(value.length);
      return (value as string[]).map((k) => ({ key: k, each: { key: k, value: k } }));
    }
    if (forEach && value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Unknown)) {
      many(Object.keys(value).length);
      return Object.entries(value).map(([k, v]) => ({ key: k, each: { key: k, value: v } }));
    }
    return [{ undecided: { text: `${what} = ${value instanceof Unknown ? value.rendered : JSON.stringify(plain(value))}`, assumed: ctx.assumed } }];
  }

  role(name: string, body: Body, where: string, file: string, line: number | undefined, instance: Instance): FoundPolicy {
    const ctx = this.context(instance);
    const attribute = body.attributes.assume_role_policy;
    if (!attribute) throw new PolicyReadError(file, `aws_iam_role.${name} has no assume_role_policy: expected a trust policy`, line);
    const policy = this.value(attribute, ctx, file);
    const text = policy instanceof Unknown ? policy.rendered : policy;
    if (typeof text !== 'string') throw new PolicyReadError(file, `aws_iam_role.${name}: assume_role_policy must be a JSON string (jsonencode(…), a heredoc, file(…) or data.aws_iam_policy_document.….json)`, line);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      if (policy instanceof Unknown) throw new PolicyReadError(file, `aws_iam_role.${name}: assume_role_policy is ${policy.rendered}, which cannot be resolved here (${ctx.assumed.join('; ')})`, line);
      const what = text.trim() === '' ? 'is empty' : `is not JSON (${(error as Error).message})`;
      throw new PolicyReadError(file, `aws_iam_role.${name}: assume_role_policy ${what}${ctx.assumed.length ? `, with ${ctx.assumed.join('; ')}` : ''}`, line);
    }
    const document = toPolicyDocument(parsed);
    const roleName = this.roleName(body, ctx, file);
    const path = body.attributes.path ? plain(this.value(body.attributes.path, ctx, file)) : '/';
    return {
      where,
      file,
      ...lineField(line),
      ...(roleName ? { roleName, roleArn: `arn:aws:iam::\${${this.account(ctx)}}:role${String(path)}${roleName}` } : {}),
      document,
      assumed: ctx.assumed,
      ...placeholders(ctx),
    };
  }

  private roleName(body: Body, ctx: Context, file: string): string | undefined {
    const name = body.attributes.name ? this.value(body.attributes.name, ctx, file) : null;
    if (name === null) {
      assume(ctx, body.attributes.name_prefix ? 'the role has a name_prefix: Terraform completes its name' : 'the role has no name: Terraform generates one');
      return undefined;
    }
    return typeof name === 'string' ? name : undefined;
  }

  private account(ctx: Context): string {
    ctx.placeholders.add(`\${${this.callerIdentity}}`);
    assume(ctx, `${this.callerIdentity} is the account Terraform runs in: left as \${${this.callerIdentity}}`);
    return this.callerIdentity;
  }

  /** A reference's value, and how many of its steps that value is for (`var.x` of `var.x.y`): what HashiCorp's evaluator indexes further itself. */
  private reference(ref: Reference, ctx: Context): [number, Value] {
    const { steps, text } = ref;
    const [root = '', name = ''] = steps.map(String);
    const unknown = (depth: number, why: string): [number, Value] => {
      const shown = steps.slice(0, depth).map((s, i) => (i === 0 ? String(s) : typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');
      assume(ctx, `${text} ${why}: left as \${${text}}`);
      return [depth, new Unknown(shown)];
    };
    if (root === 'var') {
      const declared = this.variables.get(name);
      if (!declared) throw new ExpressionError(`var.${name} is not declared in ${this.dir}`);
      const type = declared.attributes.type;
      const ofType = (value: Value) => {
        if (!type) return value;
        try {
          return this.reading.evaluator.convert(type, value);
        } catch (error) {
          if (error instanceof ExpressionError) throw new ExpressionError(`var.${name}: ${error.message}`, error.file, error.line ?? type.line);
          throw error;
        }
      };
      const assigned = this.values.get(name);
      if (assigned) {
        const outer = assigned.lazy?.();
        for (const a of outer?.assumed ?? []) assume(ctx, a);
        const value = ofType(outer ? outer.value : (assigned.value ?? null));
        assume(ctx, `var.${name} = ${JSON.stringify(plain(value))} (from ${assigned.from})`);
        return [2, value];
      }
      if (declared.attributes.default) {
        const value = ofType(this.value(declared.attributes.default, this.context(), this.file));
        assume(ctx, `var.${name} = ${JSON.stringify(plain(value))} (its default)`);
        return [2, value];
      }
      assume(ctx, `var.${name} = (no value): left as \${var.${name}}`);
      return [2, new Unknown(`var.${name}`)];
    }
    if (root === 'local') {
      const local = this.locals.get(name);
      if (!local) throw new ExpressionError(`local.${name} is not declared in ${this.dir}`);
      if (this.evaluatingLocals.includes(name)) throw new ExpressionError(`local.${name} refers to itself (${[...this.evaluatingLocals, name].map((l) => `local.${l}`).join(' → ')})`);
      // A local depends on the module's values only: evaluated once, its assumptions told to each reader.
      let computed = this.localValues.get(name);
      if (!computed) {
        const own = this.context();
        this.evaluatingLocals.push(name);
        try {
          computed = { value: this.value(local.attribute, own, local.file), assumed: own.assumed, placeholders: own.placeholders };
        } finally {
          this.evaluatingLocals.pop();
        }
        this.localValues.set(name, computed);
      }
      for (const a of computed.assumed) assume(ctx, a);
      for (const p of computed.placeholders) ctx.placeholders.add(p);
      return [2, computed.value];
    }
    if (root === 'path') {
      // Terraform's path.module is the module's folder relative to where it runs; path.root is that place.
      const module = relative(this.reading.root, this.dir) || '.';
      return [1, { module, root: '.', cwd: '.' }];
    }
    if (root === 'module') return [2, this.moduleOutputs(name, steps.slice(2), ctx)];
    const { each, index, undecided } = ctx.instance;
    if (root === 'each' && each) return [1, each];
    if (root === 'count' && index !== undefined) return [1, { index }];
    if ((root === 'each' || root === 'count') && undecided) return unknown(2, 'depends on the instance, which the module does not decide');
    if (root === 'each' || root === 'count') throw new ExpressionError(`${text}: there is no ${root === 'each' ? 'for_each' : 'count'} here`);
    if (root === 'self' || root === 'terraform') return unknown(2, 'is known only to Terraform');
    // A resource or data source: [data.]TYPE.NAME, then its attributes (with an instance key before them).
    const data = root === 'data';
    const [type = '', resource = ''] = (data ? steps.slice(1) : steps).map(String);
    const depth = data ? 3 : 2;
    const attribute = steps[depth] === undefined ? undefined : String(steps[depth]);
    const address = `${data ? 'data.' : ''}${type}.${resource}`;
    const declared = this.declared.get(address);
    if (!declared) throw new ExpressionError(`${address} is not declared in ${this.dir}`);
    const keyed = (instance: Instance) => `${address}${instance.key === undefined ? '' : `[${JSON.stringify(instance.key)}]`}`;
    if (data && type === 'aws_iam_policy_document') {
      const file = this.documents.get(resource)?.file ?? this.file;
      return [depth, this.perInstance(declared, file, ctx, address, (instance, shared) => {
        const json = this.document(resource, declared, this.context(instance, shared), file);
        const minified = JSON.stringify(JSON.parse(json.rendered));
        return { json: json.unknown ? new Unknown(json.rendered, json.rendered) : json.rendered, minified_json: json.unknown ? new Unknown(minified, minified) : minified, id: new Unknown(`${keyed(instance)}.id`) };
      })];
    }
    if (data && type === 'template_file') {
      const file = this.templates.get(resource)?.file ?? this.file;
      return [depth, this.perInstance(declared, file, ctx, address, (instance, shared) => ({ rendered: this.templateFile(declared, this.context(instance, shared), file, `${keyed(instance)}.rendered`), id: new Unknown(`${keyed(instance)}.id`) }))];
    }
    if (data && type === 'aws_caller_identity') {
      return [depth, this.perInstance(declared, this.file, ctx, address, (instance) => {
        const account = `${keyed(instance)}.account_id`;
        ctx.placeholders.add(`\${${account}}`);
        assume(ctx, `${account} is the account Terraform runs in: left as \${${account}}`);
        return { account_id: new Unknown(account), arn: new Unknown(`${keyed(instance)}.arn`), id: new Unknown(account), user_id: new Unknown(`${keyed(instance)}.user_id`) };
      })];
    }
    if (data && type === 'aws_partition') {
      if (attribute === 'partition' || attribute === 'dns_suffix' || typeof attribute === 'number') assume(ctx, `${address}: the standard partition, aws and amazonaws.com (assumed)`);
      return [depth, this.perInstance(declared, this.file, ctx, address, () => ({ partition: 'aws', dns_suffix: 'amazonaws.com', id: 'aws', reverse_dns_prefix: 'com.amazonaws' }))];
    }
    // The attributes of an OIDC provider or a role the module declares that its own arguments decide.
    const provider = this.providers.get(address);
    const role = !data && type === 'aws_iam_role' ? this.roles.get(resource) : undefined;
    if (provider || role) {
      return [depth, this.perInstance(declared, this.file, ctx, address, (instance, shared) => {
        const known = provider ? this.providerAttributes(declared, this.context(instance, shared)) : this.roleAttributes(declared, this.context(instance, shared));
        return this.withUnknowns(known, ref, depth, ctx, keyed(instance));
      })];
    }
    // The whole reference is the unknown, so it shows as itself (`${data.terraform_remote_state.core.outputs.arn}`)
    // inside a jsonencode(): shown as `${data.terraform_remote_state.core}`, its attributes would be read off a
    // text, and the whole policy could not be shown (MATATAT/resume-2.0).
    return unknown(Math.max(depth, steps.length), 'is known only to Terraform');
  }

  /** A block's value for each instance when it has count or for_each (keyed as Terraform keys them), else its one value. */
  private perInstance(body: Body, file: string, ctx: Context, address: string, one: (instance: Instance, shared: Context) => Value): Value {
    if (!body.attributes.count && !body.attributes.for_each) return one({}, ctx);
    const instances = this.instances({ type: 'resource', labels: address.replace(/^data\./, '').split('.'), line: 0, body }, file);
    if (instances.length === 1 && instances[0]?.undecided) {
      assume(ctx, `${address}: its instances are not decided here: left as \${${address}}`);
      return new Unknown(address);
    }
    if (body.attributes.count) return instances.map((i) => one(i, ctx));
    return Object.fromEntries(instances.map((i) => [String(i.key), one(i, ctx)]));
  }

  /** The attributes the reference names that the module does not know, as unknowns beside those it does. */
  private withUnknowns(known: Record<string, Value> | undefined, ref: Reference, depth: number, ctx: Context, address: string): Value {
    const attribute = [ref.steps[depth], ref.steps[depth + 1]].find((s) => typeof s === 'string');
    const out: Record<string, Value> = { ...(known ?? {}) };
    if (attribute !== undefined && !(attribute in out)) {
      assume(ctx, `${ref.text} is known only to Terraform: left as \${${ref.text}}`);
      out[attribute] = new Unknown(`${address}.${attribute}`);
    }
    return out;
  }

  private providerAttributes(body: Body, ctx: Context): Record<string, Value> | undefined {
    if (body.attributes.arn) {
      const arn = this.value(body.attributes.arn, ctx, this.file);
      const host = /:oidc-provider\/(.+)$/.exec(shownText(arn) ?? '')?.[1];
      if (host !== undefined) return { arn, id: arn, url: showing(`https://${host}`) };
    } else if (body.attributes.url) {
      const url = shownText(this.value(body.attributes.url, ctx, this.file));
      if (url !== undefined) {
        const arn = showing(`arn:aws:iam::\${${this.account(ctx)}}:oidc-provider/${url.replace(/^https:\/\//, '')}`);
        return { arn, id: arn, url: showing(url) };
      }
    }
    return undefined;
  }

  private roleAttributes(body: Body, ctx: Context): Record<string, Value> | undefined {
    const roleName = this.roleName(body, ctx, this.file);
    return roleName ? { name: roleName, id: roleName, arn: showing(`arn:aws:iam::\${${this.account(ctx)}}:role/${roleName}`) } : undefined;
  }

  /** module.NAME: the outputs the reference names (all, when it names none), of each instance when the call has count or for_each. */
  private moduleOutputs(name: string, after: (string | number)[], ctx: Context): Value {
    const call = this.calls.get(name);
    if (!call) throw new ExpressionError(`module.${name} is not declared in ${this.dir}`);
    const outputs = (child: Module | undefined, output: string | number | undefined): Value => {
      if (!child) {
        assume(ctx, `module.${name} is not read: its outputs are left as written`);
        return new Unknown(`module.${name}${typeof output === 'string' ? `.${output}` : ''}`);
      }
      const wanted = typeof output === 'string' ? [output] : [...child.outputs.keys()];
      return Object.fromEntries(wanted.map((o) => [o, child.output(o, ctx) ?? new Unknown(`module.${name}.${o}`)]));
    };
    if (!call.body.attributes.count && !call.body.attributes.for_each) return outputs(this.children.get(`module.${name}`), after[0]);
    const keyed = [...this.children.entries()].filter(([k]) => k.startsWith(`module.${name}[`));
    if (keyed.length === 0) return outputs(undefined, undefined);
    const entries = keyed.map(([k, child]) => [JSON.parse(k.slice(`module.${name}[`.length, -1)) as string | number, child] as const);
    const wantedKey = after[0];
    const selected = wantedKey === undefined ? entries : entries.filter(([k]) => String(k) === String(wantedKey));
    const value = Object.fromEntries(selected.map(([k, child]) => [String(k), outputs(child, after[1])]));
    return call.body.attributes.count ? (wantedKey === undefined ? entries.map(([, child]) => outputs(child, undefined)) : value) : value;
  }

  output(name: string, caller: Context): Value | undefined {
    const attribute = this.outputs.get(name);
    if (!attribute) return undefined;
    return this.value(attribute, this.context({}, caller), this.file);
  }

  /** data "template_file": the template provider renders `template` with `vars`, as templatefile() does a file. */
  private templateFile(body: Body, ctx: Context, file: string, address: string): Value {
    if (!body.attributes.template) throw new ExpressionError('data.template_file has no template', file);
    const template = this.value(body.attributes.template, ctx, file);
    const vars = body.attributes.vars ? this.value(body.attributes.vars, ctx, file) : {};
    if (template instanceof Unknown) {
      assume(ctx, `${address}: its template is not known here: left as \${${address}}`);
      return new Unknown(address);
    }
    if (typeof template !== 'string') throw new ExpressionError(`${address}: template must be a string`, file);
    return this.reading.evaluator.template(file, template, vars, this.host(), `\${${address}}`);
  }

  /** The JSON an aws_iam_policy_document data source renders, as the AWS provider renders it; `unknown` when any part of it is. */
  document(name: string, body: Body, ctx: Context, file: string): { rendered: string; unknown: boolean } {
    const statements: Record<string, unknown>[] = [];
    let unknown = false;
    const documents = (attribute: Attribute | undefined, what: string): Record<string, unknown>[] => {
      if (!attribute) return [];
      const value = this.value(attribute, ctx, file);
      const list = Array.isArray(value) ? value : [value];
      return list.flatMap((item) => {
        const text = item instanceof Unknown ? item.rendered : item;
        if (typeof text === 'string') {
          try {
            unknown ||= item instanceof Unknown;
            return toPolicyDocument(JSON.parse(text)).Statement as unknown as Record<string, unknown>[];
          } catch {
            // Not a document the module decides: the policy is undetermined, not smaller.
          }
        }
        unknown = true;
        return [undetermined(`data.aws_iam_policy_document.${name}.${what}`, item)];
      });
    };
    statements.push(...documents(body.attributes.source_policy_documents, 'source_policy_documents'));
    // An argument or block this reading does not know (source_json and override_json of older providers add
    // statements; a misspelt one Terraform refuses): the policy is undetermined, never passed without it.
    for (const what of unread(body, DOCUMENT_ARGUMENTS, ['statement', 'lifecycle'])) {
      unknown = true;
      statements.push(undetermined(`data.aws_iam_policy_document.${name}.${what}`, 'not read by the check'));
    }
    for (const statement of this.expand(body, 'statement', ctx, file)) {
      if ('undetermined' in statement) {
        unknown = true;
        statements.push(undetermined(`data.aws_iam_policy_document.${name}: dynamic "statement"`, statement.undetermined));
        continue;
      }
      const rendered = this.statement(statement.body, statement.ctx, file);
      unknown ||= rendered.unknown;
      statements.push(rendered.statement);
    }
    // Statements with a Sid in an override document replace those of the same Sid; the rest are added.
    for (const override of documents(body.attributes.override_policy_documents, 'override_policy_documents')) {
      const at = typeof override.Sid === 'string' && override.Sid ? statements.findIndex((s) => s.Sid === override.Sid) : -1;
      if (at >= 0) statements[at] = override;
      else statements.push(override);
    }
    const version = body.attributes.version ? this.value(body.attributes.version, ctx, file) : '2012-10-17';
    const document = { Version: typeof version === 'string' ? version : '2012-10-17', Statement: statements };
    return { rendered: JSON.stringify(document, null, 2), unknown };
  }

  /** A body's blocks of a type: the static ones, then those its `dynamic` blocks make (each binding its iterator), or what a dynamic block iterates over when that is not known. */
  private expand(body: Body, type: string, ctx: Context, file: string): ({ body: Body; ctx: Context } | { undetermined: Value })[] {
    const out: ({ body: Body; ctx: Context } | { undetermined: Value })[] = body.blocks.filter((b) => b.type === type).map((b) => ({ body: b.body, ctx }));
    for (const dynamic of body.blocks.filter((b) => b.type === 'dynamic' && b.labels[0] === type)) {
      const iterator = dynamic.body.attributes.iterator?.keyword ?? type;
      const forEach = dynamic.body.attributes.for_each;
      const collection = forEach ? this.value(forEach, ctx, file) : null;
      // A collection with unknown elements still has its keys; one that is itself unknown does not.
      if (collection instanceof Unknown) {
        assume(ctx, `dynamic "${type}" iterates over ${collection.rendered}, which is not known: the policy is undetermined`);
        out.push({ undetermined: collection });
        continue;
      }
      if (!collection || typeof collection !== 'object' || collection instanceof Unknown) throw new ExpressionError(`dynamic "${type}": for_each must be a collection`, file, dynamic.line);
      const entries: [Value, Value][] = Array.isArray(collection) ? collection.map((v, i) => [i, v]) : Object.entries(collection);
      if (entries.length > LIMITS.instances) throw new LimitError(file, `dynamic "${type}" makes ${entries.length} blocks, more than ${LIMITS.instances}, the limit: not read`, dynamic.line);
      for (const [key, value] of entries) {
        const scoped: Context = { ...ctx, scope: { ...ctx.scope, [iterator]: { key, value } } };
        for (const content of dynamic.body.blocks.filter((b) => b.type === 'content')) out.push({ body: content.body, ctx: scoped });
      }
    }
    return out;
  }

  private statement(body: Body, ctx: Context, file: string): { statement: Record<string, unknown>; unknown: boolean } {
    let unknown = false;
    // A null argument is an absent one, as the provider reads it.
    const attr = (key: string): Value | undefined => {
      const attribute = body.attributes[key];
      if (!attribute) return undefined;
      const value = this.value(attribute, ctx, file);
      unknown ||= isUnknown(value);
      return value ?? undefined;
    };
    const out: Record<string, unknown> = {};
    const sid = attr('sid');
    if (typeof sid === 'string' && sid) out.Sid = sid;
    out.Effect = plain(attr('effect') ?? 'Allow');
    const actions = attr('actions');
    if (actions !== undefined) out.Action = one(listValue(actions));
    const notActions = attr('not_actions');
    if (notActions !== undefined) out.NotAction = one(listValue(notActions));
    const undecided: Record<string, string> = {};
    for (const [type, key] of [['principals', 'Principal'], ['not_principals', 'NotPrincipal']] as const) {
      const blocks = this.expand(body, type, ctx, file);
      if (blocks.length === 0) continue;
      const byType: Record<string, unknown[]> = {};
      for (const p of blocks) {
        if ('undetermined' in p) {
          unknown = true;
          undecided[`\${dynamic "${type}" over ${placeholderText(p.undetermined)}}`] = '*';
          continue;
        }
        const t = String(plain(this.value(p.body.attributes.type!, p.ctx, file)));
        const ids = p.body.attributes.identifiers ? this.value(p.body.attributes.identifiers, p.ctx, file) : [];
        unknown ||= isUnknown(ids);
        (byType[t] ??= []).push(...listValue(ids));
      }
      const star = byType['*'];
      if (Object.keys(byType).length > 0) out[key] = star && Object.keys(byType).length === 1 && star.every((v) => v === '*') ? '*' : Object.fromEntries(Object.entries(byType).map(([t, ids]) => [t, one(ids)]));
    }
    const condition: Record<string, Record<string, unknown[]>> = {};
    for (const c of this.expand(body, 'condition', ctx, file)) {
      if ('undetermined' in c) {
        unknown = true;
        undecided[`\${dynamic "condition" over ${placeholderText(c.undetermined)}}`] = '*';
        continue;
      }
      const value = (key: string) => {
        const v = c.body.attributes[key] ? this.value(c.body.attributes[key], c.ctx, file) : null;
        unknown ||= isUnknown(v);
        return v;
      };
      const test = String(plain(value('test')));
      const variable = String(plain(value('variable')));
      // The AWS provider merges the values of condition blocks with the same test and variable (hashicorp/terraform-provider-aws#33093).
      ((condition[test] ??= {})[variable] ??= []).push(...listValue(value('values')));
    }
    for (const what of unread(body, STATEMENT_ARGUMENTS, ['principals', 'not_principals', 'condition'])) {
      unknown = true;
      undecided[`\${statement ${what}: not read by the check}`] = '*';
    }
    // A principal or condition block the module does not expand: a condition on a placeholder, so the verdict rests on it.
    for (const [key, value] of Object.entries(undecided)) (condition.StringLike ??= {})[key] = [value];
    if (Object.keys(condition).length > 0) out.Condition = Object.fromEntries(Object.entries(condition).map(([t, vars]) => [t, Object.fromEntries(Object.entries(vars).map(([v, vals]) => [v, one(vals)]))]));
    return { statement: out, unknown };
  }
}

/** The arguments of aws_iam_policy_document (with Terraform's meta-arguments), and of its statement blocks, that the reading above renders (or that a trust policy does not use: resources). */
const DOCUMENT_ARGUMENTS = ['version', 'policy_id', 'source_policy_documents', 'override_policy_documents', 'count', 'for_each', 'depends_on', 'provider'];
const STATEMENT_ARGUMENTS = ['sid', 'effect', 'actions', 'not_actions', 'resources', 'not_resources'];

/** A body's arguments and blocks outside those known (a `dynamic` block counts as the block it makes). */
function unread(body: Body, argumentsKnown: string[], blocksKnown: string[]): string[] {
  const blocks = body.blocks.map((b) => (b.type === 'dynamic' ? (b.labels[0] ?? '') : b.type));
  return [...Object.keys(body.attributes).filter((a) => !argumentsKnown.includes(a)), ...blocks.filter((b) => !blocksKnown.includes(b)).map((b) => `${b} block`)];
}

/** A string as a value is shown: one this module made around a placeholder is unknown, so no function takes it for known. */
const showing = (text: string): Value => (text.includes('${') ? new Unknown(text, text) : text);

/** The text a string value shows, known or not. */
const shownText = (value: Value): string | undefined => (value instanceof Unknown ? value.rendered : typeof value === 'string' ? value : undefined);

/** What a placeholder names, for a value the module does not decide. */
function placeholderText(value: Value): string {
  const shown = plain(value);
  const text = typeof shown === 'string' ? shown : JSON.stringify(shown);
  return text.replace(/^\$\{|\}$/g, '').replace(/[{}]/g, '');
}

/**
 * A statement standing for what the module does not decide (a dynamic "statement" over an unknown, an
 * override document that is not known): it may admit anyone, on a condition that names the unknown, so
 * the judge finds every verdict it could turn undetermined (exit 1), and nothing passes on it.
 */
function undetermined(what: string, value: Value): Record<string, unknown> {
  return {
    Effect: 'Allow',
    Principal: '*',
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringLike: { [`\${${what} = ${placeholderText(value)}}`]: '*' } },
  };
}

const one = (values: unknown[]): unknown => (values.length === 1 ? (values[0] ?? null) : values);

function listValue(value: Value): unknown[] {
  if (Array.isArray(value)) return value.flatMap((v) => (Array.isArray(v) ? v : [v])).map(plain);
  return [plain(value)];
}
