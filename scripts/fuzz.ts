// `npm run fuzz`: generated and mutated workflows, Terraform, CloudFormation and IAM JSON thrown at the
// built trust check (dist/trust-check.js, so `npm run build` first), as a hostile pull request would write
// them. Each case is a temporary repository next to an outside "secret" that symlinks, local actions,
// modules and Terraform's file() point at. Per case it asserts: exit 0, 1 or 2 and no "unexpected failure"
// (no crash); an end within the per-case timeout (no hang); at most 512 MiB of heap (the check runs with
// --max-old-space-size=512, past which Node aborts: a crash); the secret never printed, in any form the
// case could have turned it into; no line starting with `::` but the check's own annotations. A fixed
// seed gives the same cases in the same order; the time budget says how many. Not run in CI.
//
//   npm run fuzz -- [--seconds 60] [--seed 1] [--timeout 30] [--jobs 2] [--keep DIR]
//
// Findings (the repository and the output of the first few cases of each kind) are kept under --keep.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DIST, ROOT } from '../test/standins/runner.ts';

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
    timeout: { type: 'string', default: '30' },
    jobs: { type: 'string', default: '2' },
    keep: { type: 'string', default: path.join(os.tmpdir(), 'trust-check-fuzz') },
  },
});
const SECONDS = Number(flags.seconds);
const SEED = Number(flags.seed);
const TIMEOUT = Number(flags.timeout) * 1000;
const JOBS = Number(flags.jobs);
const CLI = path.join(DIST, 'trust-check.js');
const ACCOUNT = '111111111111';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const SUB = 'token.actions.githubusercontent.com:sub';
const KEPT_PER_KIND = 3;

/** mulberry32: small and seeded. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  readonly r: () => number;
  constructor(r: () => number) {
    this.r = r;
  }
  int = (n: number) => Math.floor(this.r() * n);
  pick = <T>(items: readonly T[]): T => items[this.int(items.length)] as T;
  chance = (p: number) => this.r() < p;
  times = <T>(max: number, make: (i: number) => T): T[] => Array.from({ length: 1 + this.int(max) }, (_, i) => make(i));
}

// Values a hostile author would try: workflow commands, line breaks, control characters, patterns that
// make a backtracking matcher explode, expression and policy-variable syntax, paths out of the repository.
const HOSTILE = [
  '::add-mask::REFUSED', '\n::warning::fake verdict', '%0A::error::x', 'a\rb', 'a\u0085b', 'a\u2028b', '\u0000', '\u001b[31m',
  `${'*a'.repeat(12)}*b`, `${'a'.repeat(3000)}`, '${{ secrets.TOKEN }}', '${{ github.event.pull_request.title }}', '${aws:username}', '${', '}}', '*', '?', '[', 'a*+', '+', '**',
  '../../secret.txt', '/etc/passwd', 'repo:*', 'repo:acme/*:*', '"', "'", '\\', '😀?', 'ſ', 'K',
];
const NAMES = ['main', 'release/**', 'v*', 'feature/*', '!old/*', 'v[0-9]+.*', 'mai?n', `${'*a'.repeat(10)}*b`, '[z-a]', 'a*+', '?x', '[[[[', '**/x', '::warning::b'];
const OPERATORS = ['StringEquals', 'StringLike', 'StringNotLike', 'StringEqualsIgnoreCase', 'ForAnyValue:StringLike', 'ForAllValues:StringEquals', 'StringLikeIfExists', 'ArnLike', 'Null', 'Bool', 'NumericLessThan', 'DateGreaterThan', 'IpAddress'];
const SUBJECTS = ['repo:acme/webapp:ref:refs/heads/main', 'repo:acme/webapp:*', 'repo:acme/*', '*', 'repo:acme/webapp:environment:prod', 'repo:acme/webapp:pull_request', `repo:acme/webapp:${'*a'.repeat(10)}*b`, 'repo:${aws:x, \'d\'}:*'];

function value(g: Gen): string {
  if (g.chance(0.3)) return g.pick(HOSTILE);
  if (g.chance(0.3)) return g.pick(SUBJECTS);
  return Array.from({ length: g.int(12) }, () => String.fromCharCode(g.chance(0.9) ? 32 + g.int(95) : g.int(0x3000))).join('');
}
const quoted = (s: string) => JSON.stringify(s);

/** Ten anchors of ten aliases each, `levels` deep: the billion laughs. */
const laughs = (g: Gen, indent: string) => {
  const levels = 1 + g.int(12);
  return [`${indent}l0: &l0 "lol"`, ...Array.from({ length: levels }, (_, i) => `${indent}l${i + 1}: &l${i + 1} [${Array(10).fill(`*l${i}`).join(', ')}]`)].join('\n');
};

function workflow(g: Gen, names: string[], self: string): string {
  const trigger = g.pick([
    () => `on:\n  push:\n    branches: [${g.times(4, () => quoted(g.pick(NAMES))).join(', ')}]\n    tags: [${quoted(g.pick(NAMES))}]`,
    () => `on:\n  pull_request:\n    branches: [${quoted(g.pick(NAMES))}]\n  workflow_dispatch:`,
    () => 'on: [push, pull_request_target]',
    () => `on:\n  workflow_call:\n    inputs:\n      role:\n        type: string\n        default: ${quoted(value(g))}`,
    () => `on:\n  push:\n    branches-ignore: [${quoted(g.pick(NAMES))}]\n  schedule:\n    - cron: '0 0 * * *'`,
  ])();
  const role = () => g.pick([`arn:aws:iam::${ACCOUNT}:role/deploy`, `arn:aws:iam::${ACCOUNT}:role/\${{ matrix.r }}`, '${{ inputs.role }}', '${{ vars.ROLE }}', `arn:aws:iam::${ACCOUNT}:role/${value(g)}`, value(g)]);
  const job = (i: number) => {
    const id = g.chance(0.9) ? `j${i}` : `"${value(g).replace(/["\\\n\r]/g, '')}x"`;
    if (g.chance(0.25) && names.length > 0) return `  ${id}:\n    uses: ./.github/workflows/${g.pick(names)}\n    with:\n      role: ${quoted(role())}`;
    const matrix = g.chance(0.3) ? `    strategy:\n      matrix:\n        r: [${Array.from({ length: g.chance(0.2) ? 300 : 1 + g.int(4) }, (_, k) => `r${k}`).join(', ')}]\n        s: [${Array.from({ length: 1 + g.int(20) }, (_, k) => `s${k}`).join(', ')}]\n` : '';
    const environment = g.chance(0.4) ? `    environment: ${quoted(g.chance(0.5) ? 'prod' : value(g))}\n` : '';
    const local = g.chance(0.2) ? `      - uses: ${g.pick(['./.github/actions/leak', './outside', './.github/actions/ok', '../outside'])}\n        with:\n          role: ${quoted(role())}\n` : '';
    return `  ${id}:\n    runs-on: ubuntu-latest\n${environment}${matrix}    steps:\n${local}      - uses: ${g.pick(['aws-actions/configure-aws-credentials@v4', 'acme/oidc-aws-credentials@v1', './'])}\n        with:\n          role-to-assume: ${quoted(role())}\n          aws-region: us-east-1\n${g.chance(0.1) ? `          audience: ${quoted(value(g))}\n` : ''}`;
  };
  const anchors = g.chance(0.15) ? `x-laughs:\n${laughs(g, '  ')}\n` : '';
  return `name: ${quoted(g.chance(0.7) ? self : value(g))}\n${anchors}${trigger}\npermissions:\n  id-token: write\njobs:\n${g.times(4, job).join('')}`;
}

function statement(g: Gen) {
  const conditions: Record<string, Record<string, string | string[]>> = {};
  for (let i = 0; i < g.int(3); i++) {
    const key = g.pick([SUB, 'token.actions.githubusercontent.com:aud', 'token.actions.githubusercontent.com:job_workflow_ref', 'aws:SourceArn', value(g)]);
    (conditions[g.pick(OPERATORS)] ??= {})[key] = g.chance(0.5) ? value(g) : g.times(3, () => value(g));
  }
  return {
    Effect: g.chance(0.85) ? 'Allow' : 'Deny',
    Principal: g.pick([{ Federated: PROVIDER }, '*', { AWS: '*' }, { Federated: value(g) }]),
    Action: g.pick(['sts:AssumeRoleWithWebIdentity', 'sts:*', '*', `sts:${'*A'.repeat(10)}*B`, ['sts:TagSession', 'sts:AssumeRoleWithWebIdentity']]),
    ...(Object.keys(conditions).length > 0 || g.chance(0.5) ? { Condition: conditions } : {}),
  };
}

function iamJson(g: Gen): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: g.times(3, () => statement(g)) }, null, 2);
}

function cloudformation(g: Gen): string {
  const policy = iamJson(g);
  if (g.chance(0.4)) return JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Parameters: { Repo: { Type: 'String', Default: value(g) } }, Resources: { Deploy: { Type: 'AWS::IAM::Role', Properties: { RoleName: g.chance(0.5) ? value(g) : { 'Fn::Sub': '${Repo}-deploy' }, AssumeRolePolicyDocument: JSON.parse(policy) } } } }, null, 2);
  const sub = g.pick(['!Sub "repo:${Repo}:*"', '!Ref Repo', '!Join [":", [repo, !Ref Repo, "*"]]', '!If [C, "*", "repo:x:*"]', '!FindInMap [M, a, b]', '*l12', quoted(value(g)), '!GetAtt X.Y']);
  return `AWSTemplateFormatVersion: "2010-09-09"
${g.chance(0.3) ? `Metadata:\n${laughs(g, '  ')}\n` : ''}Parameters:
  Repo:
    Type: String
    Default: ${quoted(value(g))}
Conditions:
  C: !Equals [!Ref Repo, ${quoted(value(g))}]
Resources:
  Deploy:
    Type: AWS::IAM::Role
    Properties:
      RoleName: ${g.chance(0.5) ? quoted(value(g)) : '!Sub "${Repo}-role"'}
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Federated: ${PROVIDER}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              ${g.pick(OPERATORS)}:
                ${quoted(SUB)}: ${sub}
`;
}

function terraform(g: Gen): string {
  const expression = () =>
    g.pick([
      quoted(value(g)),
      'file("../../secret.txt")',
      'file("secret-link")',
      `file("${'../'.repeat(1 + g.int(4))}secret.txt")`,
      'trimspace(file("/etc/hostname"))',
      'base64encode(file("../../secret.txt"))',
      'upper(file("secret-link"))',
      'templatefile("${path.module}/../../secret.txt", {})',
      'jsondecode(file("../../secret.json")).Statement[0].Principal.Federated',
      'join(",", fileset("${path.module}/..", "**"))',
      'replace("repo:acme/webapp", "/(.*)/", "$1:*")',
      'format("repo:%s:*", var.repo)',
      'lower(var.repo)',
      'var.repo',
      'local.sub',
    ]);
  const blocks = [
    `variable "repo" {\n  default = ${quoted(value(g))}\n}`,
    `locals {\n  sub = ${expression()}\n}`,
    `data "aws_iam_policy_document" "trust" {\n  statement {\n    actions = ["sts:AssumeRoleWithWebIdentity"]\n    principals {\n      type        = "Federated"\n      identifiers = [${quoted(PROVIDER)}]\n    }\n    condition {\n      test     = ${quoted(g.pick(OPERATORS))}\n      variable = ${quoted(SUB)}\n      values   = [${expression()}, ${expression()}]\n    }\n  }\n}`,
    `resource "aws_iam_role" "deploy" {\n${g.chance(0.2) ? `  count = ${g.pick(['2', '100000000', 'length(var.repo)'])}\n` : ''}  name               = ${expression()}\n  assume_role_policy = ${g.chance(0.7) ? 'data.aws_iam_policy_document.trust.json' : `jsonencode(${JSON.stringify(JSON.parse(iamJson(g))).replace(/"([^"]+)":/g, '"$1" = ').replace(/,"/g, ', "')})`}\n}`,
  ];
  if (g.chance(0.2)) blocks.push(`module "m" {\n  source = ${quoted(g.pick(['./outside', '../../outside', '/tmp', './m']))}\n}`);
  return blocks.filter(() => g.chance(0.9)).join('\n\n');
}

interface Fixture {
  kind: 'workflow' | 'terraform' | 'policy';
  text: string;
  ext: string;
}

function fixtures(): Fixture[] {
  const found: Fixture[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (/\.(ya?ml|json|tf|template)$/.test(name)) {
        const kind = file.includes(`${path.sep}workflows${path.sep}`) ? 'workflow' : name.endsWith('.tf') ? 'terraform' : 'policy';
        found.push({ kind, text: readFileSync(file, 'utf8'), ext: path.extname(name) });
      }
    }
  };
  walk(path.join(ROOT, 'test', 'fixtures'));
  return found;
}

const TOKENS = ['*', '&a ', '*a', '${', '}', '${{ ', ' }}', '[', ']', '{', '"', "'", '\n', '\n::warning::x\n', '..', '/', '\u0000', '\r', '<<: *a', '!Ref ', '!Sub ', 'file("../../secret.txt")', '- ', ': ', '#', '\\'];

function mutate(g: Gen, text: string, all: Fixture[]): string {
  let out = text;
  for (let n = 0; n < 1 + g.int(4); n++) {
    const at = g.int(out.length + 1);
    const span = g.int(40);
    out = g.pick([
      () => out.slice(0, at) + String.fromCharCode(g.int(128)) + out.slice(at + 1),
      () => out.slice(0, at) + out.slice(at + span),
      () => out.slice(0, at) + out.slice(at, at + span).repeat(1 + g.int(20)) + out.slice(at + span),
      () => out.slice(0, at) + g.pick(TOKENS) + out.slice(at),
      () => out.slice(0, at) + value(g) + out.slice(at),
      () => out.slice(0, at) + g.pick(all).text.slice(g.int(200)) + out.slice(at),
    ])();
  }
  return out;
}

// Symlinks committed in the repository, to the outside: each case has some of them (none, sometimes), so
// that a leak through one does not hide every other finding.
const LINKS: [string, string][] = [
  ['secret-link', '../secret.txt'],
  ['infra/leak.json', '../../secret.json'],
  ['infra/outside', '../../outside'],
  ['infra/secret-link', '../../secret.txt'],
  ['.github/workflows/leak.yml', '../../../secret.txt'],
  ['.github/actions/leak', '../../../outside'],
  ['outside', '../outside'],
];

interface Case {
  kind: string;
  files: Record<string, string>;
  links: [string, string][];
  args: string[];
  actions: boolean;
}

function makeCase(g: Gen, all: Fixture[]): Case {
  const files: Record<string, string> = {};
  const kinds: string[] = [];
  const workflows = Array.from({ length: 1 + g.int(3) }, (_, i) => `w${i}.yml`);
  for (const name of workflows) {
    if (g.chance(0.65)) {
      files[`.github/workflows/${name}`] = workflow(g, workflows.filter((w) => w !== name), name);
      kinds.push('workflow');
    } else {
      files[`.github/workflows/${name}`] = mutate(g, g.pick(all.filter((f) => f.kind === 'workflow')).text, all);
      kinds.push('mutated workflow');
    }
  }
  files['.github/actions/ok/action.yml'] = `name: ok\ninputs:\n  role: {}\nruns:\n  using: composite\n  steps:\n    - uses: aws-actions/configure-aws-credentials@v4\n      with:\n        role-to-assume: \${{ inputs.role }}\n`;
  for (let i = 0; i < 1 + g.int(3); i++) {
    const kind = g.pick(['iam', 'iam', 'cloudformation', 'cloudformation', 'terraform', 'terraform', 'mutated policy', 'mutated terraform']);
    kinds.push(kind);
    if (kind === 'iam') files[`infra/p${i}.json`] = iamJson(g);
    else if (kind === 'cloudformation') files[`infra/t${i}.${g.chance(0.7) ? 'yml' : 'json'}`] = cloudformation(g);
    else if (kind === 'terraform') files[`infra/m${i}/main.tf`] = terraform(g);
    else {
      const source = g.pick(all.filter((f) => f.kind === (kind === 'mutated terraform' ? 'terraform' : 'policy')));
      files[kind === 'mutated terraform' ? `infra/m${i}/main.tf` : `infra/f${i}${source.ext}`] = mutate(g, source.text, all);
    }
  }
  const args = ['--repository', g.pick(['acme/webapp', 'Acme/WebApp']), ...(g.chance(0.7) ? ['infra'] : Object.keys(files).filter((f) => f.startsWith('infra/')).map((f) => (g.chance(0.3) ? `arn:aws:iam::${ACCOUNT}:role/deploy=${f}` : f)))];
  if (g.chance(0.3)) args.push('--json');
  // An argument cannot hold a NUL.
  if (g.chance(0.2)) args.push('--var', `repo=${value(g).replace(/\0/g, '')}`);
  const links = LINKS.filter(() => g.chance(0.1));
  if (links.length > 0) kinds.push('symlinks');
  return { kind: [...new Set(kinds)].sort().join(' + '), files, links, args, actions: g.chance(0.5) };
}

/** The outside: a secret the repository's links and paths point at, and a folder of things that would use it. */
function writeCase(dir: string, c: Case, secret: string) {
  const repo = path.join(dir, 'repo');
  writeFileSync(path.join(dir, 'secret.txt'), `${secret}\n`);
  writeFileSync(path.join(dir, 'secret.json'), JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: secret }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { [SUB]: `repo:${secret}:*` } } }] }));
  mkdirSync(path.join(dir, 'outside'));
  writeFileSync(path.join(dir, 'outside', 'action.yml'), `name: ${secret}\nruns:\n  using: composite\n  steps:\n    - uses: aws-actions/configure-aws-credentials@v4\n      with:\n        role-to-assume: arn:aws:iam::${ACCOUNT}:role/${secret}\n`);
  writeFileSync(path.join(dir, 'outside', 'main.tf'), `resource "aws_iam_role" "${secret}" {\n  name = "${secret}"\n  assume_role_policy = file("${path.join(dir, 'secret.json')}")\n}\n`);
  for (const [file, text] of Object.entries(c.files)) {
    mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    writeFileSync(path.join(repo, file), text);
  }
  mkdirSync(path.join(repo, 'infra'), { recursive: true });
  mkdirSync(path.join(repo, '.github', 'workflows'), { recursive: true });
  for (const [link, target] of c.links) symlinkSync(target, path.join(repo, link));
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  output: string;
  ms: number;
}

function run(dir: string, c: Case): Promise<Outcome> {
  const env: Record<string, string> = { ...Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !/^(GITHUB_|INPUT_|AWS_|RUNNER_|GIT_|NODE_OPTIONS)/.test(k))) as Record<string, string>, GIT_CEILING_DIRECTORIES: dir };
  if (c.actions) Object.assign(env, { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md') });
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=512', CLI, ...c.args], { cwd: path.join(dir, 'repo'), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIMEOUT);
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const summary = existsSync(path.join(dir, 'summary.md')) ? `\n${readFileSync(path.join(dir, 'summary.md'), 'utf8')}` : '';
      resolve({ code, signal, timedOut, output: output + summary, ms: Date.now() - started });
    });
  });
}

/** The secret as the case could have printed it: as is, in another case, reversed, base64 at each alignment, or any 12 of its hex digits. */
function leaked(output: string, secret: string): boolean {
  const hex = secret.slice(3);
  const forms = [secret, secret.toLowerCase(), secret.toUpperCase(), [...secret].reverse().join('')];
  for (const pad of ['', 'x', 'xx']) forms.push(Buffer.from(pad + secret).toString('base64').slice(4, -4));
  for (let i = 0; i + 12 <= hex.length; i++) forms.push(hex.slice(i, i + 12), hex.slice(i, i + 12).toUpperCase());
  return forms.some((f) => output.includes(f));
}

// The check's own annotations: ::error/::warning/::notice, properties percent-escaped (no ':' or ',' in a value).
const ANNOTATION = /^::(error|warning|notice)(?: (?:file|line|endLine|col|endColumn|title)=[^,:\n]*(?:,(?:file|line|endLine|col|endColumn|title)=[^,:\n]*)*)?::/;

function problems(outcome: Outcome, secret: string): string[] {
  const found: string[] = [];
  if (outcome.timedOut) found.push('hang');
  else if (outcome.code === null || ![0, 1, 2].includes(outcome.code)) found.push(/heap out of memory|Allocation failed/i.test(outcome.output) ? 'out of memory' : 'crash');
  if (/unexpected failure/.test(outcome.output)) found.push('unexpected failure');
  if (/\n\s+at [\w.<>]+ \(|node:internal/.test(outcome.output)) found.push('stack trace');
  if (leaked(outcome.output, secret)) found.push('secret printed');
  if (outcome.output.split(/\r\n|\r|\n/).some((line) => line.startsWith('::') && !ANNOTATION.test(line))) found.push('workflow command');
  return found;
}

async function main() {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: npm run build first`);
  const all = fixtures();
  const work = mkdtempSync(path.join(os.tmpdir(), 'trust-check-fuzz-'));
  mkdirSync(flags.keep, { recursive: true });
  const deadline = Date.now() + SECONDS * 1000;
  const tally = { cases: 0, exits: {} as Record<string, number>, kinds: {} as Record<string, number>, found: {} as Record<string, number>, slowest: 0 };
  let next = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      const n = next++;
      // Each case from its own seed: the same case whatever the order the workers take them in.
      const g = new Gen(random(SEED * 1_000_003 + n));
      const c = makeCase(g, all);
      const dir = path.join(work, `case-${n}`);
      mkdirSync(dir);
      const secret = `FZS${Array.from({ length: 32 }, () => g.int(16).toString(16)).join('')}`;
      writeCase(dir, c, secret);
      const outcome = await run(dir, c);
      const found = problems(outcome, secret);
      tally.cases++;
      tally.slowest = Math.max(tally.slowest, outcome.ms);
      const exit = outcome.timedOut ? 'timeout' : String(outcome.code ?? outcome.signal);
      tally.exits[exit] = (tally.exits[exit] ?? 0) + 1;
      for (const kind of c.kind.split(' + ')) tally.kinds[kind] = (tally.kinds[kind] ?? 0) + 1;
      for (const problem of found) {
        tally.found[problem] = (tally.found[problem] ?? 0) + 1;
        if (tally.found[problem]! <= KEPT_PER_KIND) {
          const kept = path.join(flags.keep, `${problem.replace(/ /g, '-')}-case-${n}`);
          rmSync(kept, { recursive: true, force: true });
          cpSync(dir, kept, { recursive: true, verbatimSymlinks: true });
          writeFileSync(path.join(kept, 'outcome.txt'), `case ${n} (seed ${SEED}): ${problem}\nnode --max-old-space-size=512 dist/trust-check.js ${c.args.map((a) => JSON.stringify(a)).join(' ')}\n${c.actions ? 'GITHUB_ACTIONS=true\n' : ''}exit ${exit} after ${outcome.ms} ms\n\n${outcome.output}`);
        }
      }
      if (found.length > 0) process.stdout.write(`case ${n} [${c.kind}]: ${found.join(', ')} (exit ${exit}, ${outcome.ms} ms)\n`);
      else if (tally.cases % 25 === 0) process.stdout.write(`${tally.cases} cases, ${Object.values(tally.found).reduce((a, b) => a + b, 0)} problem(s)\n`);
      rmSync(dir, { recursive: true, force: true });
    }
  };
  await Promise.all(Array.from({ length: JOBS }, worker));
  rmSync(work, { recursive: true, force: true });
  process.stdout.write(`\n${tally.cases} cases in ${SECONDS} s (seed ${SEED}, ${JOBS} at a time, ${TIMEOUT / 1000} s each at most); slowest ${tally.slowest} ms\n`);
  process.stdout.write(`exits: ${JSON.stringify(tally.exits)}\ninputs: ${JSON.stringify(tally.kinds)}\n`);
  process.stdout.write(Object.keys(tally.found).length === 0 ? 'no problem found\n' : `problems: ${JSON.stringify(tally.found)}; the first cases of each kept under ${flags.keep}\n`);
  process.exitCode = Object.keys(tally.found).length === 0 ? 0 : 1;
}

await main();
