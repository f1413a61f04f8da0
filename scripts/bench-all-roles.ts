// `npm run bench`, the account section: `trust-check --from-aws --all-roles` against the IAM stand-in holding
// N roles, one in ten trusting GitHub (clean ones, and every tenth of those with no sub or with repo:org/*),
// as users run it, start to exit: wall time and the process's peak resident memory. Target at 5,000 roles:
// < 10 s and < 300 MB. Sizes 500, 1000, 2000 and 5000 show how time grows. Runs on its own too:
// `node scripts/bench-all-roles.ts [RUNS]`.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST } from '../test/standins/runner.ts';
import { githubTrustPolicy, startSts, type PolicyDocument, type Role } from '../test/standins/sts-emulator.ts';
import { standinTls } from '../test/standins/tls.ts';

const ACCOUNT = '111111111111';
const SIZES = [500, 1000, 2000, 5000];
const AUDITOR = { name: 'auditor', accessKeyId: 'AKIABENCHAUDITOR0001', secretAccessKey: 'bench-secret' };
const SERVICE: PolicyDocument = { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const NO_SUB: PolicyDocument = {
  Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } } }],
};

/** N roles, every tenth trusting GitHub; of those, every tenth has no sub and the next is repo:acme/*. */
export function accountOf(count: number): Role[] {
  return Array.from({ length: count }, (_, i): Role => {
    if (i % 10 !== 0) return { name: `service-${i}`, trustPolicy: SERVICE };
    const n = i / 10;
    if (n % 10 === 1) return { name: `github-${i}`, trustPolicy: NO_SUB };
    if (n % 10 === 2) return { name: `github-${i}`, trustPolicy: githubTrustPolicy(ACCOUNT, 'repo:acme/*') };
    return { name: `github-${i}`, trustPolicy: githubTrustPolicy(ACCOUNT, [`repo:acme/app-${n}:ref:refs/heads/main`, `repo:acme/app-${n}:environment:production`], {}, 'StringEquals') };
  });
}

interface Measured {
  ms: number;
  peakMb: number;
  code: number | null;
  trusting: number;
}

async function check(url: string, env: Record<string, string>): Promise<Measured> {
  const usage = path.join(os.tmpdir(), `bench-all-roles-${process.pid}.json`);
  const probe = path.join(os.tmpdir(), `bench-all-roles-probe-${process.pid}.cjs`);
  // Peak resident memory, read by the process itself as it exits.
  writeFileSync(probe, "process.on('exit',()=>require('node:fs').writeFileSync(process.env.BENCH_USAGE_FILE,JSON.stringify(process.resourceUsage())))\n");
  try {
    const start = performance.now();
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(DIST, 'trust-check.js'), '--from-aws', '--all-roles', '--org', 'acme', '--json'], {
        env: { PATH: process.env.PATH ?? '', ...env, AWS_ENDPOINT_URL_IAM: url, AWS_ACCESS_KEY_ID: AUDITOR.accessKeyId, AWS_SECRET_ACCESS_KEY: AUDITOR.secretAccessKey, AWS_REGION: 'us-east-1', NODE_OPTIONS: `--require=${probe}`, BENCH_USAGE_FILE: usage },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.on('error', reject);
      child.on('close', (exit) => resolve({ code: exit, out: text }));
    });
    const ms = performance.now() - start;
    const peakMb = (JSON.parse(readFileSync(usage, 'utf8')) as { maxRSS: number }).maxRSS / 1024;
    let trusting = -1;
    try {
      trusting = (JSON.parse(out) as { summary: { trustingGitHub: number } }).summary.trustingGitHub;
    } catch {
      trusting = -1;
    }
    return { ms, peakMb, code, trusting };
  } finally {
    rmSync(usage, { force: true });
    rmSync(probe, { force: true });
  }
}

type Line = (name: string, unit: string, xs: number[], floor: number[] | undefined, target: string) => void;

/** Prints its lines in bench.ts's format; returns the median time (ms) and peak memory (MB) at 5,000 roles. */
export async function benchAllRoles(samples: number, line: Line): Promise<{ ms: number; peakMb: number }> {
  const { env } = await standinTls();
  const sts = await startSts({ jwks: {}, accounts: [{ id: ACCOUNT, oidcProviders: [], users: [AUDITOR], roles: [] }] });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  let last = { ms: 0, peakMb: 0 };
  try {
    for (const size of SIZES) {
      sts.accounts[0]!.roles = accountOf(size);
      const runs: Measured[] = [];
      for (let i = 0; i < samples; i++) runs.push(await check(sts.url, env));
      const bad = runs.find((r) => r.code !== 1 || r.trusting !== size / 10);
      if (bad) console.log(`# all roles: unexpected result at ${size} roles (exit ${bad.code}, ${bad.trusting} trusting GitHub)`);
      line(`trust check --all-roles (${size} roles)`, 'ms', runs.map((r) => r.ms), undefined, size === 5000 ? '< 10000' : '');
      line(`  peak memory (${size} roles)`, 'MB', runs.map((r) => r.peakMb), undefined, size === 5000 ? '< 300' : '');
      last = { ms: median(runs.map((r) => r.ms)), peakMb: median(runs.map((r) => r.peakMb)) };
    }
  } finally {
    await sts.close();
  }
  return last;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
  await benchAllRoles(Number(process.argv[2] ?? 3), (name, unit, xs, _floor, target) =>
    console.log([name.padEnd(34), unit.padEnd(4), fmt(Math.min(...xs)), fmt([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!), fmt(Math.max(...xs)), target].join('\t')),
  );
}
