// CloudFormation, SAM and CDK-synthesized templates, JSON or YAML: every resource with an
// AssumeRolePolicyDocument (AWS::IAM::Role; SAM's functions take one too). Intrinsic functions are
// resolved where the template alone decides them (parameters' defaults or --var, Fn::Sub, Ref,
// Fn::Join, an OIDC provider declared in the template); the rest keep their `${…}` form and are named.
import { LineCounter, parseDocument, isMap, isScalar, type Tags, type YAMLMap, type YAMLSeq } from 'yaml';
import { toPolicyDocument } from '../iam/policy.ts';
import { Unknown, plain, type Value } from './hcl-expression.ts';
import { PolicyReadError, lineAt, type FoundPolicy, type ReadOptions } from './found.ts';
import { aliasProblem } from './yaml-aliases.ts';

type Template = {
  Parameters?: Record<string, { Type?: unknown; Default?: unknown }>;
  Conditions?: Record<string, unknown>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Resources?: Record<string, { Type?: string; Condition?: string; Properties?: Record<string, unknown> }>;
};

const FUNCTIONS = ['Ref', 'Condition', 'Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'If', 'Equals', 'Not', 'And', 'Or', 'ToJsonString', 'Length'];
const keyOf = (name: string) => (name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`);

/** The short forms (`!Sub`, `!Ref` …) as the long ones, whatever node they tag. */
const SHORT_FORMS: Tags = FUNCTIONS.flatMap((name) => [
  { tag: `!${name}`, resolve: (value: string) => ({ [keyOf(name)]: name === 'GetAtt' ? value.split(/\.(.*)/s).slice(0, 2) : value }) },
  { tag: `!${name}`, collection: 'seq' as const, resolve: (seq: YAMLMap.Parsed | YAMLSeq.Parsed) => ({ [keyOf(name)]: seq.toJSON() }) },
  { tag: `!${name}`, collection: 'map' as const, resolve: (map: YAMLMap.Parsed | YAMLSeq.Parsed) => ({ [keyOf(name)]: map.toJSON() }) },
]);

/** Is this a template (not some other JSON or YAML)? */
export function isTemplate(value: unknown): value is Template {
  if (!value || typeof value !== 'object') return false;
  const t = value as Record<string, unknown>;
  const resources = t.Resources;
  return !!resources && typeof resources === 'object' && (t.AWSTemplateFormatVersion !== undefined || t.Transform !== undefined || Object.values(resources).some((r) => typeof (r as { Type?: unknown })?.Type === 'string'));
}

/** A YAML file whose aliases would cost too much to expand: an error even where a file that is no template would be passed over, as it may hold a role. */
export class AliasLimitError extends PolicyReadError {}

/** Parses YAML with CloudFormation's tags; returns the value and where each resource's logical id sits. */
export function parseYamlTemplate(file: string, text: string): { value: unknown; lines: Record<string, number> } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { customTags: SHORT_FORMS, lineCounter, uniqueKeys: false });
  const [error] = doc.errors;
  if (error) throw new PolicyReadError(file, `not valid YAML: ${error.message.split('\n')[0]}`, error.linePos?.[0].line);
  const aliases = aliasProblem(doc);
  if (aliases) throw new AliasLimitError(file, aliases);
  const lines: Record<string, number> = {};
  const resources = isMap(doc.contents) ? doc.contents.get('Resources', true) : undefined;
  if (isMap(resources)) {
    for (const pair of resources.items) {
      if (isScalar(pair.key) && pair.key.range) lines[String(pair.key.value)] = lineCounter.linePos(pair.key.range[0]).line;
    }
  }
  // aliasProblem has bounded the expansion; the library's own guess at a limit would refuse some files within it.
  return { value: doc.toJS({ maxAliasCount: -1 }), lines };
}

export function jsonLines(text: string, template: Template): Record<string, number> {
  const lines: Record<string, number> = {};
  for (const id of Object.keys(template.Resources ?? {})) {
    const at = text.indexOf(`"${id}"`);
    if (at >= 0) lines[id] = lineAt(text, at);
  }
  return lines;
}

export function readTemplate(file: string, template: Template, lines: Record<string, number>, options: ReadOptions = {}): FoundPolicy[] {
  const policies: FoundPolicy[] = [];
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    const trust = resource?.Properties?.AssumeRolePolicyDocument;
    if (trust === undefined) continue;
    const ctx = new Resolver(template, options);
    // A role whose condition is false is not created; one whose condition is open is read, and that is said.
    if (resource.Condition !== undefined) {
      const created = ctx.condition(resource.Condition);
      if (created === false) continue;
      if (created instanceof Unknown) ctx.assume(`${id} exists only when its condition ${resource.Condition} holds, which the template does not decide: read as if it does`);
    }
    const line = lines[id];
    const document = ctx.resolve(trust);
    if (document instanceof Unknown) throw new PolicyReadError(file, `${id}: AssumeRolePolicyDocument is \${${document.text}}, which the template does not decide`, line);
    const parsed = typeof document === 'string' ? (JSON.parse(document) as unknown) : plain(document);
    const props = resource.Properties ?? {};
    const name = props.RoleName === undefined ? undefined : ctx.resolve(props.RoleName);
    const path = typeof props.Path === 'string' ? props.Path : '/';
    let roleName: string;
    if (typeof name === 'string') roleName = name;
    else {
      roleName = id;
      ctx.assume(name === undefined ? `${id} has no RoleName: CloudFormation names the role after the stack; matched by its logical id` : `${id}'s RoleName is \${${(name as Unknown).text}}: matched by its logical id`);
    }
    policies.push({
      where: `${file}#${id}`,
      file,
      ...(line ? { line } : {}),
      roleName,
      ...(typeof name === 'string' ? { roleArn: `arn:${ctx.partition()}:iam::\${AWS::AccountId}:role${path}${name}` } : {}),
      document: toPolicyDocument(parsed),
      assumed: ctx.assumed,
      ...(ctx.accountUnknown || typeof name === 'string' ? { accountPlaceholders: ['${AWS::AccountId}'] } : {}),
    });
  }
  return policies;
}

class Resolver {
  readonly assumed: string[] = [];
  accountUnknown = false;
  private readonly template: Template;
  private readonly options: ReadOptions;
  constructor(template: Template, options: ReadOptions) {
    this.template = template;
    this.options = options;
  }

  assume(text: string): void {
    if (!this.assumed.includes(text)) this.assumed.push(text);
  }

  private unknown(text: string, why: string): Unknown {
    this.assume(`${text} ${why}: left as \${${text}}`);
    return new Unknown(text);
  }

  partition(): string {
    this.assume('AWS::Partition = "aws" (assumed: the standard partition)');
    return 'aws';
  }

  resolve(value: unknown): Value {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)).filter((v) => !(v instanceof Unknown && v.text === 'AWS::NoValue'));
    if (!value || typeof value !== 'object') return value as Value;
    const entries = Object.entries(value);
    const [only] = entries;
    if (entries.length === 1 && only && (only[0] === 'Ref' || only[0].startsWith('Fn::'))) return this.intrinsic(only[0], only[1]);
    const out: Record<string, Value> = {};
    for (const [k, v] of entries) {
      const resolved = this.resolve(v);
      if (!(resolved instanceof Unknown && resolved.text === 'AWS::NoValue')) out[k] = resolved;
    }
    return out;
  }

  private intrinsic(fn: string, arg: unknown): Value {
    const text = (v: Value) => (v instanceof Unknown ? `\${${v.text}}` : typeof v === 'string' ? v : JSON.stringify(plain(v)));
    switch (fn) {
      case 'Ref':
        return this.ref(String(arg));
      case 'Fn::Sub': {
        const [template, vars] = Array.isArray(arg) ? arg : [arg, {}];
        const bound = Object.fromEntries(Object.entries((vars ?? {}) as Record<string, unknown>).map(([k, v]) => [k, this.resolve(v)]));
        return String(template).replace(/\$\{(!?)([^}]*)\}/g, (whole, bang: string, name: string) => {
          if (bang) return `\${${name}}`;
          const v = name in bound ? (bound[name] ?? null) : name.includes('.') ? this.getAtt(name.split(/\.(.*)/s).slice(0, 2)) : this.ref(name);
          return v instanceof Unknown && v.text === name ? whole : text(v);
        });
      }
      case 'Fn::Join': {
        const [sep, list] = arg as [unknown, unknown];
        const items = this.resolve(list);
        if (items instanceof Unknown) return items;
        return (Array.isArray(items) ? items : [items]).map(text).join(String(sep));
      }
      case 'Fn::GetAtt':
        return this.getAtt(typeof arg === 'string' ? arg.split(/\.(.*)/s).slice(0, 2) : (arg as unknown[]).map(String));
      case 'Fn::Select': {
        const [i, list] = arg as [unknown, unknown];
        const items = this.resolve(list);
        const n = this.resolve(i);
        if (!Array.isArray(items) || typeof n === 'object') return this.unknown(`Fn::Select`, 'cannot be resolved');
        return items[Number(n)] ?? null;
      }
      case 'Fn::Split': {
        const [sep, source] = arg as [unknown, unknown];
        const s = this.resolve(source);
        return typeof s === 'string' ? s.split(String(sep)) : this.unknown('Fn::Split', 'cannot be resolved');
      }
      case 'Fn::FindInMap': {
        const [map, top, second] = (arg as unknown[]).map((a) => this.resolve(a));
        const found = typeof map === 'string' && typeof top === 'string' && typeof second === 'string' ? this.template.Mappings?.[map]?.[top]?.[second] : undefined;
        return found === undefined ? this.unknown(`Fn::FindInMap`, 'cannot be resolved') : this.resolve(found);
      }
      case 'Fn::If': {
        const [name, then, otherwise] = arg as [string, unknown, unknown];
        const holds = this.condition(name);
        if (holds instanceof Unknown) return this.unknown('Fn::If', `depends on the condition ${name}, which the template does not decide`);
        this.assume(`condition ${name} = ${String(holds)}`);
        return this.resolve(holds ? then : otherwise);
      }
      case 'Fn::Equals':
      case 'Fn::Not':
      case 'Fn::And':
      case 'Fn::Or':
        return this.truth({ [fn]: arg });
      default:
        return this.unknown(fn, 'depends on the stack (imports, transforms)');
    }
  }

  /** A named condition of the template: true, false, or Unknown when the template alone does not decide it. */
  condition(name: string, seen: string[] = []): boolean | Unknown {
    const body = this.template.Conditions?.[name];
    if (body === undefined || seen.includes(name)) return new Unknown(`Condition ${name}`);
    return this.truth(body, [...seen, name]);
  }

  private truth(body: unknown, seen: string[] = []): boolean | Unknown {
    const [[fn, arg] = ['', undefined]] = Object.entries((body ?? {}) as Record<string, unknown>);
    const args = Array.isArray(arg) ? arg : [arg];
    const all = (values: (boolean | Unknown)[], want: boolean) =>
      values.some((v) => v === want) ? want : values.some((v) => v instanceof Unknown) ? new Unknown(fn) : !want;
    switch (fn) {
      case 'Condition':
        return this.condition(String(arg), seen);
      case 'Fn::Equals': {
        const [a, b] = args.map((v) => this.resolve(v));
        if (isUnknown(a) || isUnknown(b)) return new Unknown(fn);
        return JSON.stringify(plain(a ?? null)) === JSON.stringify(plain(b ?? null));
      }
      case 'Fn::Not': {
        const v = this.truth(args[0], seen);
        return v instanceof Unknown ? v : !v;
      }
      case 'Fn::And':
        return all(args.map((a) => this.truth(a, seen)), false);
      case 'Fn::Or':
        return all(args.map((a) => this.truth(a, seen)), true);
      default:
        return new Unknown(fn || 'condition');
    }
  }

  private ref(name: string): Value {
    switch (name) {
      case 'AWS::AccountId':
        this.accountUnknown = true;
        return this.unknown('AWS::AccountId', 'is the account the stack is deployed to');
      case 'AWS::Partition':
        return this.partition();
      case 'AWS::URLSuffix':
        this.assume('AWS::URLSuffix = "amazonaws.com" (assumed: the standard partition)');
        return 'amazonaws.com';
      case 'AWS::NoValue':
        return new Unknown('AWS::NoValue');
      default:
    }
    if (name.startsWith('AWS::')) return this.unknown(name, 'depends on the stack');
    const parameter = this.template.Parameters?.[name];
    if (parameter) {
      // A list parameter (CommaDelimitedList, List<…>) is given as one comma-separated string; Ref is the list.
      const list = typeof parameter.Type === 'string' && /^(CommaDelimitedList|List<.*>)$/.test(parameter.Type.trim());
      const given = this.options.vars?.[name];
      if (given !== undefined) {
        const value = list ? given.split(',').map((v) => v.trim()) : given;
        this.assume(`parameter ${name} = ${JSON.stringify(value)} (from --var)`);
        return value;
      }
      if (parameter.Default !== undefined) {
        const resolved = this.resolve(parameter.Default);
        const value = list && typeof resolved === 'string' ? resolved.split(',').map((v) => v.trim()) : resolved;
        this.assume(`parameter ${name} = ${JSON.stringify(plain(value))} (its default)`);
        return value;
      }
      return this.unknown(name, 'is a parameter without a Default');
    }
    const resource = this.template.Resources?.[name];
    if (resource && isOidcProvider(resource.Type)) return this.providerArn(name);
    if (resource?.Type === 'AWS::IAM::Role' && resource.Properties?.RoleName !== undefined) return this.resolve(resource.Properties.RoleName);
    return this.unknown(name, resource ? 'is known only to CloudFormation' : 'is not declared in the template');
  }

  private getAtt([id = '', attribute = '']: string[]): Value {
    const resource = this.template.Resources?.[id];
    if (resource && isOidcProvider(resource.Type) && attribute === 'Arn') return this.providerArn(id);
    if (resource?.Type === 'AWS::IAM::Role' && attribute === 'Arn' && resource.Properties?.RoleName !== undefined) {
      const name = this.resolve(resource.Properties.RoleName);
      if (typeof name === 'string') {
        this.accountUnknown = true;
        return `arn:${this.partition()}:iam::\${AWS::AccountId}:role/${name}`;
      }
    }
    return this.unknown(`${id}.${attribute}`, 'is known only to CloudFormation');
  }

  private providerArn(id: string): Value {
    const props = this.template.Resources?.[id]?.Properties ?? {};
    const url = this.resolve(props.Url ?? props.url);
    if (typeof url !== 'string') return this.unknown(`${id}.Arn`, 'names a provider whose Url is not known');
    this.accountUnknown = true;
    this.assume('AWS::AccountId is the account the stack is deployed to: left as ${AWS::AccountId}');
    return `arn:${this.partition()}:iam::\${AWS::AccountId}:oidc-provider/${url.replace(/^https:\/\//, '')}`;
  }
}

const isUnknown = (v: Value | undefined): boolean => v instanceof Unknown || (typeof v === 'string' && /\$\{[^}]+\}/.test(v));

function isOidcProvider(type: string | undefined): boolean {
  return type === 'AWS::IAM::OIDCProvider' || type === 'Custom::AWSCDKOpenIdConnectProvider';
}
