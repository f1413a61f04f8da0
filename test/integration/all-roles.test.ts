// --from-aws --all-roles as users run it: node dist/trust-check.js against the IAM stand-in (SigV4-verified,
// ListRoles in small pages, throttling on demand), as a CLI and as the trust-check action.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { ROOT } from '../standins/runner.ts';
import { githubTrustPolicy, startSts, type PolicyDocument, type Role, type Sts } from '../standins/sts-emulator.ts';
import { standinTls } from '../standins/tls.ts';

const CLI = path.join(ROOT, 'dist', 'trust-check.js');
const REPOS = path.join(ROOT, 'test', 'fixtures', 'repos');
const ACCOUNT = '111111111111';
const arn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const AUDITOR = { name: 'auditor', accessKeyId: 'AKIAEMULATORAUDITOR1', secretAccessKey: 'auditor-secret/+=' };
const BLIND = { name: 'blind', accessKeyId: 'AKIAEMULATORBLIND001', secretAccessKey: 'blind-secret', denied: ['iam:ListRoles'] };
const GITHUB = 'token.actions.githubusercontent.com';

const noSub: PolicyDocument = {
  Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${GITHUB}` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' } } }],
};
const lambda: PolicyDocument = { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const ROLES: Role[] = [
  { name: 'deploy', trustPolicy: githubTrustPolicy(ACCOUNT, 'repo:acme/webapp:pull_request') },
  { name: 'lambda-1', trustPolicy: lambda },
  { name: 'no-sub', trustPolicy: noSub },
  { name: 'org-wide', trustPolicy: githubTrustPolicy(ACCOUNT, 'repo:acme/*') },
  { name: 'lambda-2', trustPolicy: lambda },
  { name: 'pipeline', trustPolicy: githubTrustPolicy(ACCOUNT, 'job_workflow_ref:acme/pipelines/.github/workflows/deploy.yml@refs/heads/main', {}, 'StringEquals') },
  { name: 'lambda-3', trustPolicy: lambda },
];
const GARBLED: Role = { name: 'garbled', trustPolicy: lambda, rawTrustPolicy: '%7B%22Statement%22%3A%E0%A4%A' };

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

let sts: Sts;
let tls: Record<string, string>;
beforeAll(async () => {
  // Pages of 2: seven roles take four ListRoles calls.
  sts = await startSts({ jwks: {}, listRolesPageSize: 2, accounts: [{ id: ACCOUNT, oidcProviders: [], users: [AUDITOR, BLIND], roles: [...ROLES] }] });
  tls = (await standinTls()).env;
});
afterAll(() => sts.close());
beforeEach(() => {
  sts.calls.length = 0;
  sts.accounts[0]!.roles = [...ROLES];
});

/** The CLI with the stand-in as IAM and the given keys, and none of the caller's GitHub or AWS settings. */
function cli(args: string[], options: { cwd?: string; keys?: typeof AUDITOR; env?: Record<string, string> } = {}): Promise<Result> {
  const keys = options.keys ?? AUDITOR;
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(GITHUB_|INPUT_|AWS_|RUNNER_|GIT_)/.test(k)));
  const env = { ...clean, ...tls, GIT_CEILING_DIRECTORIES: REPOS, AWS_ENDPOINT_URL_IAM: sts.url, AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey, AWS_REGION: 'us-east-1', ...options.env };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? REPOS, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Report {
  roles: { arn: string; verdict: string; reach: string | null; strangers: { who: string; condition: string }[]; ours: { who: string }[]; error?: string }[];
  summary: Record<string, unknown>;
  runs: { policy: string; event: string; admitted: boolean }[];
  strangers: unknown[];
  assumed: string[];
}
const listCalls = () => sts.calls.filter((c) => c.action === 'ListRoles').map((c) => c.result);
const noStack = (result: Result) => expect(`${result.stdout}${result.stderr}`).not.toMatch(/\n\s+at [\w.<>]+ \(|node:internal/);

describe('the CLI', () => {
  test('every page is read (a throttled call retried); the roles that trust GitHub in a table, the strangers and why, the counts', async () => {
    sts.throttleIam = 1;
    const result = await cli(['--from-aws', '--all-roles']);
    expect(result.stderr).toBe('');
    expect(listCalls()).toEqual(['Throttling', 'OK', 'OK', 'OK', 'OK']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^${arn('deploy')}\\s+acme/webapp\\s+no stranger \\(\\d+ tried\\)$`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^${arn('no-sub')}\\s+repositories of other owners\\s+ADMITS \\d+ kind\\(s\\) of stranger$`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^${arn('org-wide')}\\s+any repository of acme\\s+ADMITS 2 kind\\(s\\) of stranger$`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^${arn('pipeline')}\\s+repositories of other owners\\s+ADMITS`, 'm'));
    expect(result.stdout).not.toContain('lambda');
    expect(result.stdout).toMatch(new RegExp(`^${arn('no-sub')}\\s+repo:intruder/repository:ref:refs/heads/main\\s+a repository of another owner \\(intruder/repository\\): statement 1 admits it: it has no condition on sub`, 'm'));
    expect(result.stdout).toMatch(/StringLike sub 'repo:acme\/\*' lets in 'repo:acme\/other:ref:refs\/heads\/main'/);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(
      'Account: 7 role(s) listed, 4 trust GitHub, 3 admit strangers (no condition on sub: 1, a wildcard in sub: 1, a sub another repository can present: 1), 0 unreadable.',
    );
  });

  test('a connection reset before IAM answers is retried, as the action retries STS (in a process of its own: the SDK sees Node\'s own errors)', async () => {
    sts.faults.push('reset');
    const result = await cli(['--all-roles', '--json']);
    expect(listCalls()).toEqual(['reset', 'OK', 'OK', 'OK', 'OK']);
    expect((JSON.parse(result.stdout) as Report).summary).toMatchObject({ listed: 7 });
  });

  test('--json --org acme: roles with their strangers; acme\'s own repositories are breadth, not findings', async () => {
    const result = await cli(['--from-aws', '--all-roles', '--org', 'acme', '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    expect(Object.keys(report)).toEqual(['roles', 'summary', 'runs', 'strangers', 'assumed']);
    expect(report.roles.map((r) => [r.arn, r.verdict, r.reach])).toEqual([
      [arn('deploy'), 'no stranger', 'acme/webapp'],
      [arn('no-sub'), 'admits strangers', 'repositories of other owners'],
      [arn('org-wide'), 'no stranger', 'any repository of acme'],
      [arn('pipeline'), 'admits strangers', 'repositories of other owners'],
    ]);
    expect(report.roles[2]!.ours.map((s) => s.who)).toEqual(['a sibling repository (acme/other)', 'a look-alike name (acme/x-fork)']);
    expect(report.roles[1]!.strangers.map((s) => s.who)).toEqual(expect.arrayContaining(['a repository of another owner (intruder/repository)', 'any repository at all (stranger/anything)']));
    expect(report.roles[1]!.strangers.filter((s) => s.who.includes('(acme/'))).toEqual([]);
    expect(report.roles[1]!.ours.map((s) => s.who)).toEqual(['a sibling repository (acme/other)', 'a look-alike name (acme/repository-fork)']);
    expect(report.summary).toEqual({ listed: 7, trustingGitHub: 4, admittingStrangers: 2, unreadable: 0, byCondition: { 'no condition on sub': 1, 'a sub another repository can present': 1 } });
  });

  test('a trust policy that cannot be decoded: the role is listed as unreadable, the others still judged, exit 2', async () => {
    sts.accounts[0]!.roles = [...ROLES, GARBLED];
    const result = await cli(['--all-roles']);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(new RegExp(`^${arn('garbled')}\\s+UNKNOWN\\s+UNREADABLE: its trust policy cannot be decoded \\(URI malformed\\)$`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^${arn('no-sub')}\\s+repositories of other owners\\s+ADMITS`, 'm'));
    expect(result.stdout).toMatch(/8 role\(s\) listed, 4 trust GitHub, 3 admit strangers .*, 1 unreadable\.$/m);
  });

  test('the enterprise issuer form is GitHub\'s; a GitHub Enterprise Server provider only with --issuer', async () => {
    const open = (host: string): Role => ({
      name: host.startsWith('ghes') ? 'ghes-open' : 'enterprise-open',
      trustPolicy: { Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${host}` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${host}:aud`]: 'sts.amazonaws.com' } } }] },
    });
    sts.accounts[0]!.roles = [...ROLES, open(`${GITHUB}/acme-enterprise`), open('ghes.example.com/_services/token')];
    const without = JSON.parse((await cli(['--all-roles', '--json'])).stdout) as Report;
    expect(without.roles.map((r) => r.arn)).toContain(arn('enterprise-open'));
    expect(without.roles.map((r) => r.arn)).not.toContain(arn('ghes-open'));
    const withIssuer = JSON.parse((await cli(['--all-roles', '--json', '--issuer', 'https://ghes.example.com/_services/token'])).stdout) as Report;
    expect(withIssuer.roles.filter((r) => r.arn.endsWith('-open')).map((r) => [r.arn, r.verdict])).toEqual([
      [arn('enterprise-open'), 'admits strangers'],
      [arn('ghes-open'), 'admits strangers'],
    ]);
    expect(withIssuer.summary).toMatchObject({ listed: 9, trustingGitHub: 6 });
  });

  test('a refused iam:ListRoles: one line naming the permission and the principal, exit 2, no retry', async () => {
    const result = await cli(['--from-aws', '--all-roles'], { keys: BLIND });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `error: iam:ListRoles was refused: grant iam:ListRoles to arn:aws:iam::${ACCOUNT}:user/blind (IAM said: User: arn:aws:iam::${ACCOUNT}:user/blind is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::${ACCOUNT}:role/ because no identity-based policy allows the iam:ListRoles action)\n`,
    );
    expect(listCalls()).toEqual(['AccessDenied']);
    noStack(result);
  });

  test('--repository with its workflows: its runs judged against the roles they assume, beside the account', async () => {
    const result = await cli(['--from-aws', '--all-roles', '--repository', 'acme/webapp', '--json'], { cwd: path.join(REPOS, 'after-merge') });
    const report = JSON.parse(result.stdout) as Report;
    expect(report.runs.map((r) => `${r.policy} ${r.event} ${r.admitted}`)).toEqual([`aws:${arn('deploy')} pull_request true`, `aws:${arn('deploy')} push false`]);
    expect(report.roles).toHaveLength(4);
    expect(result.code).toBe(1);
  });

  test.each([
    [['--all-roles', 'policy.json'], "--all-roles reads every trust policy from the account: give no POLICY (got 'policy.json')"],
    [['--org', 'acme', 'policy.json'], '--org and --issuer go with --all-roles'],
    [['--all-roles', '--org', 'acme/webapp'], "--org must be a GitHub owner (user or organization) name, got 'acme/webapp'"],
    [['--all-roles', '--issuer', 'https://ghes example/'], "--issuer must be an issuer URL such as https://ghes.example.com/_services/token, got 'https://ghes example/'"],
  ])('bad arguments %j: one line, exit 2, no call', async (args, message) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(`error: ${message}`);
    expect(listCalls()).toEqual([]);
  });
});

test('as the action (all-roles: true): an ::error per role that admits strangers, and the counts in the job summary', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'all-roles-'));
  try {
    const summary = path.join(dir, 'summary.md');
    const result = await cli([], { cwd: dir, env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, 'INPUT_ALL-ROLES': 'true', INPUT_ORG: 'acme', INPUT_REPOSITORY: 'acme/security' } });
    expect(result.code).toBe(1);
    const errors = result.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    expect(errors.map((l) => l.split(' ')[0])).toEqual([`::error::${arn('no-sub')}`, `::error::${arn('pipeline')}`]);
    expect(result.stdout).toContain('.github/workflows: no workflows folder here: the runs of acme/security are not judged');
    expect(readFileSync(summary, 'utf8')).toContain('Account: 7 role(s) listed, 4 trust GitHub, 2 admit strangers');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
