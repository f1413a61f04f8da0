// `npm run bench`: measures the committed dist/ (it builds nothing) as the runner runs it, against the
// loopback stand-ins, beside the floor (scripts/floor.cjs), with interleaved runs. Prints one line per
// figure, in a format kept stable so that versions can be compared: name, unit, min, median, max, floor
// median, ratio, target. Figures are for reading, not for CI: nothing here fails a build.
//   --latency G,S    round trips (ms) to GitHub's token endpoint and to STS for the second comparison
//                    (default 150,60; 0,0 skips it), through test/standins/latency.ts
//   --incumbent DIR  an already built action (DIR/dist/index.js, e.g. configure-aws-credentials) run beside ours
// BENCH_RUNS (15), BENCH_CROWD_ROUNDS (3), BENCH_SKIP_SLOW=1 (skips the one-minute throttled-forever case).
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { findClients, run } from '../test/standins/clients.ts';
import { DIST, ROOT, type Job, type StepResult } from '../test/standins/runner.ts';
import { githubTrustPolicy } from '../test/standins/sts-emulator.ts';
import { ACCOUNT, defaultAccounts, roleArn, startWorld, type WorldOptions } from '../test/standins/world.ts';
import { benchTrustCheck } from './bench-trust-check.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const FLOOR = path.join(ROOT, 'scripts/floor.cjs');

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const [githubMs = 150, stsMs = 60] = (option('latency') ?? '150,60').split(',').map(Number);
const INCUMBENT = option('incumbent');

// Peak resident memory and CPU, read by the process itself as it exits. A CommonJS preload, so that the
// probe does not start the ES module loader in the CommonJS floor.
const PROBE = path.join(os.tmpdir(), `bench-probe-${process.pid}.cjs`);
const USAGE_FILE = path.join(os.tmpdir(), `bench-usage-${process.pid}`);
writeFileSync(PROBE, "process.on('exit',()=>require('node:fs').writeFileSync(process.env.BENCH_USAGE_FILE,JSON.stringify(process.resourceUsage())))\n");
const PROBE_ENV = { NODE_OPTIONS: `--require=${PROBE}`, BENCH_USAGE_FILE: USAGE_FILE };
const inputs = { 'aws-region': 'us-east-1', 'role-to-assume': roleArn('deploy') };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

function line(name: string, unit: string, xs: number[], floor: number[] | undefined, target: string): void {
  const m = median(xs);
  const f = floor ? median(floor) : undefined;
  const cols = [name.padEnd(34), unit.padEnd(4), fmt(Math.min(...xs)), fmt(m), fmt(Math.max(...xs)), f === undefined ? '-' : fmt(f), f === undefined ? '-' : `${(m / f).toFixed(2)}x`, target];
  console.log(cols.join('\t'));
}

function ok(result: StepResult, what: string): StepResult {
  if (result.exitCode !== 0) throw new Error(`${what} failed: ${result.log.join('\n')}`);
  return result;
}

/** The static import closure of a bundle: what loading it costs before anything runs. */
function closure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const m of readFileSync(file, 'utf8').matchAll(/(?:^|[;}])\s*import\s*(?:[^'"()]*?from\s*)?["'](\.[^"']+)["']/g)) {
    closure(path.resolve(path.dirname(file), m[1] ?? ''), seen);
  }
  return seen;
}

console.log(`# oidc-aws-credentials bench  node ${process.version}  ${os.cpus().length} cpu  runs ${RUNS}`);
console.log(['# figure'.padEnd(34), 'unit', 'min', 'median', 'max', 'floor', 'ratio', 'target'].join('\t'));

// Bundle sizes: each entry point with everything it loads statically.
const entries = ['main.js', 'post.js', 'credential-process.cjs', 'refresh.js'].map((e) => path.join(DIST, e));
let together = new Set<string>();
for (const entry of entries) {
  const files = [...closure(entry)];
  together = new Set([...together, ...files]);
  const bytes = files.reduce((sum, f) => sum + readFileSync(f).length, 0);
  line(`bundle ${path.basename(entry)} (static)`, 'kB', [bytes / 1024], undefined, entry.endsWith('main.js') ? '' : 'loads only what it uses');
}
// What a successful main step loads: its static closure and the two modules it imports once inputs are valid.
const mainFile = path.join(DIST, 'main.js');
const lazy = [...readFileSync(mainFile, 'utf8').matchAll(/import\("(\.[^"]+)"\)/g)].map((m) => path.resolve(DIST, m[1] ?? ''));
const mainRun = lazy.reduce((seen, file) => closure(file, seen), closure(mainFile));
line('bundle main.js (successful run)', 'kB', [[...mainRun].reduce((sum, f) => sum + readFileSync(f).length, 0) / 1024], undefined, '');
// The action's files: the trust check is a tool of its own, measured in its own section.
const dist = readdirSync(DIST, { withFileTypes: true, recursive: true })
  .filter((d) => d.isFile() && /\.c?js$/.test(d.name) && d.name !== 'trust-check.js')
  .map((d) => path.join(d.parentPath, d.name));
const distBytes = dist.reduce((sum, f) => sum + readFileSync(f).length, 0);
line('bundle dist/ all .js', 'kB', [distBytes / 1024], undefined, '< 1024 kB');
line('bundle dist/ all .js gzip', 'kB', [dist.reduce((sum, f) => sum + gzipSync(readFileSync(f)).length, 0) / 1024], undefined, '');

interface Contender {
  name: string;
  run(job: Job, sessionName?: string): Promise<StepResult>;
}
const named = (sessionName: string | undefined) => (sessionName ? { ...inputs, 'role-session-name': sessionName } : inputs);
const contenders: Contender[] = [
  { name: 'main step', run: (job, sessionName) => job.main(named(sessionName)) },
  { name: 'floor', run: (job) => job.node([FLOOR], { 'INPUT_ROLE-TO-ASSUME': inputs['role-to-assume'] }) },
  // The runner fills in action.yml's defaults; the incumbent's audience has one, which its code does not repeat.
  ...(INCUMBENT ? [{ name: 'incumbent', run: (job: Job, sessionName?: string) => job.node([path.resolve(INCUMBENT, 'dist/index.js')], inputEnv({ audience: 'sts.amazonaws.com', ...named(sessionName) })) }] : []),
];

/** Inputs as the runner passes them, for an action run through Job.node. */
function inputEnv(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]));
}

/** Time to credentials, CPU (user + sys) and peak RSS of each contender, runs interleaved in rotating order. */
async function compare(where: string, latency: WorldOptions['latency']): Promise<void> {
  const world = await startWorld(latency ? { latency } : {});
  const figures = contenders.map(() => ({ ms: [] as number[], cpu: [] as number[], rss: [] as number[] }));
  try {
    for (let i = 0; i < RUNS + 1; i++) {
      const job = await world.job(PROBE_ENV);
      for (let k = 0; k < contenders.length; k++) {
        const c = (i + k) % contenders.length;
        const result = ok(await contenders[c]!.run(job), contenders[c]!.name);
        const usage = JSON.parse(readFileSync(USAGE_FILE, 'utf8')) as NodeJS.ResourceUsage;
        // The first round warms the disk cache and the stand-ins; it is not counted.
        if (i === 0) continue;
        figures[c]!.ms.push(result.durationMs);
        figures[c]!.cpu.push((usage.userCPUTime + usage.systemCPUTime) / 1000);
        figures[c]!.rss.push(usage.maxRSS / 1024);
      }
    }
  } finally {
    await world.close();
  }
  const floor = figures[1];
  const targets = { ms: where === 'loopback' ? '' : '<= 1.10x floor', cpu: where === 'loopback' ? '<= 1.5x floor' : '', rss: '<= 1.15x floor' };
  for (let c = 0; c < contenders.length; c++) {
    if (contenders[c]!.name === 'floor') continue;
    const who = `${contenders[c]!.name}, ${where}`;
    const mine = c === 0;
    line(`time to credentials (${who})`, 'ms', figures[c]!.ms, floor!.ms, mine ? targets.ms : '');
    line(`cpu user+sys (${who})`, 'ms', figures[c]!.cpu, floor!.cpu, mine ? targets.cpu : '');
    line(`peak rss (${who})`, 'MB', figures[c]!.rss, floor!.rss, mine ? targets.rss : '');
  }
  line(`floor: time to credentials, ${where}`, 'ms', floor!.ms, undefined, '');
  line(`floor: cpu user+sys, ${where}`, 'ms', floor!.cpu, undefined, '');
  line(`floor: peak rss, ${where}`, 'MB', floor!.rss, undefined, '');
}

await compare('loopback', undefined);
if (githubMs > 0 || stsMs > 0) await compare(`${githubMs}/${stsMs} ms`, { github: githubMs, sts: stsMs });

const world = await startWorld();
try {
  // Fail fast: a permanent refusal and bad input, each from spawn to exit.
  world.sts.accounts[0]!.roles.push({ name: 'pr-only', trustPolicy: githubTrustPolicy(ACCOUNT, 'repo:acme/webapp:pull_request') });
  const refusal: number[] = [];
  const badInput: number[] = [];
  for (let i = 0; i < Math.min(RUNS, 5); i++) {
    const job = await world.job();
    refusal.push((await job.main({ ...inputs, 'role-to-assume': roleArn('pr-only') })).durationMs);
    badInput.push((await job.main({ ...inputs, 'role-duration-seconds': 'an hour' })).durationMs);
  }
  line('fail fast: trust policy refusal', 'ms', refusal, undefined, '< 2000 ms');
  line('fail fast: bad input', 'ms', badInput, undefined, '< 2000 ms');

} finally {
  await world.close();
  rmSync(USAGE_FILE, { force: true });
  rmSync(PROBE, { force: true });
}

// Many jobs at once: 40 concurrent steps, throttled (an STS limited to 8 requests/s, one JWKS fetch in ten
// failing, so STS "couldn't retrieve the verification key") and not (no limit, no fault). The throttled
// makespan minus the unthrottled one of the round before is the backoff cost: what the retries add, without
// this machine's CPU contention, which both rounds share.
const JOBS = 40;
async function crowd(run: Contender['run'], throttled: boolean): Promise<{ makespan: number; failed: number; calls: number; maxCalls: number }> {
  const world = await startWorld({ accounts: defaultAccounts(), ...(throttled ? { rateLimit: 8 } : {}) });
  try {
    if (throttled) world.issuer.faults.jwksFailEvery = 10;
    const jobs = await Promise.all(Array.from({ length: JOBS }, () => world.job()));
    const started = performance.now();
    // Each job names its session, so that STS's log tells whose each call was.
    const results = await Promise.all(jobs.map(async (job, i) => ({ result: await run(job, `job-${i}`), at: performance.now() - started })));
    const perJob = Array.from({ length: JOBS }, (_, i) => world.sts.calls.filter((c) => c.sessionName === `job-${i}`).length);
    return { makespan: Math.max(...results.map((r) => r.at)), failed: results.filter((r) => r.result.exitCode !== 0).length, calls: world.sts.calls.length, maxCalls: Math.max(...perJob) };
  } finally {
    await world.close();
  }
}
// Rounds interleave the contenders, so that both see the same load.
const crowds = contenders
  .filter((c) => c.name !== 'floor')
  .map((contender) => ({ contender, free: [] as number[], limited: [] as number[], cost: [] as number[], perJob: [] as number[], worstJob: [] as number[], succeeded: [] as number[] }));
for (let round = 0; round < Number(process.env.BENCH_CROWD_ROUNDS ?? 3); round++) {
  for (const c of crowds) {
    const a = await crowd(c.contender.run, false);
    if (a.failed > 0) console.log(`# ${c.contender.name}, unthrottled round ${round + 1}: ${a.failed} of ${JOBS} jobs failed`);
    const b = await crowd(c.contender.run, true);
    if (b.failed > 0) console.log(`# ${c.contender.name}, throttled round ${round + 1}: ${b.failed} of ${JOBS} jobs failed`);
    c.free.push(a.makespan);
    c.limited.push(b.makespan);
    c.cost.push(b.makespan - a.makespan);
    c.perJob.push(b.calls / JOBS);
    c.worstJob.push(b.maxCalls);
    c.succeeded.push(JOBS - b.failed);
  }
}
const incumbentCost = crowds.find((c) => c.contender.name === 'incumbent')?.cost;
for (const c of crowds) {
  const name = c.contender.name;
  const mine = name === 'main step';
  line(`${JOBS} jobs unthrottled: makespan (${name})`, 'ms', c.free, undefined, '');
  line(`${JOBS} jobs throttled: makespan (${name})`, 'ms', c.limited, undefined, '');
  // The floor column holds the incumbent's median here, when it ran.
  line(`${JOBS} jobs: backoff cost (${name})`, 'ms', c.cost, mine ? incumbentCost : undefined, mine ? '<= 0.8x incumbent' : '');
  line(`${JOBS} jobs throttled: succeeded (${name})`, 'n', c.succeeded, undefined, mine ? `${JOBS}` : '');
  line(`${JOBS} jobs throttled: STS calls per job (${name})`, 'n', c.perJob, undefined, mine ? '<= 2' : '');
  line(`${JOBS} jobs throttled: STS calls, worst job (${name})`, 'n', c.worstJob, undefined, '');
}

// A step that cannot succeed: STS throttles every call. Defaults, one run: it takes a minute.
if (process.env.BENCH_SKIP_SLOW !== '1') {
  const stuck = await startWorld();
  try {
    stuck.sts.faults.push(...Array.from({ length: 200 }, () => 'throttle' as const));
    const result = await (await stuck.job()).main(inputs);
    line('fail: throttled forever (defaults)', 's', [result.durationMs / 1000], undefined, '< 90 s');
  } finally {
    await stuck.close();
  }
}

/**
 * What each later call costs with profiles: the credential helper's cache hit against a bare `node -e ''`,
 * and a whole AWS CLI v2 call with a profile (which runs the helper) against the same call with environment
 * credentials. Interleaved, medians: the machine may be busy with other work.
 */
async function perCallCosts(): Promise<void> {
  const world = await startWorld();
  try {
    const job = await world.job();
    ok(await job.main({ ...inputs, profiles: `deploy: ${roleArn('deploy')}` }), 'profiles');
    const settings = path.join(path.dirname(job.env.AWS_CONFIG_FILE ?? ''), 'settings.json');
    const interleaved = async (runs: number, variants: [() => Promise<{ code: number | null; stderr: string }>, number[]][]) => {
      for (let i = 0; i < runs + 1; i++) {
        for (const [call, times] of i % 2 ? [...variants].reverse() : variants) {
          const started = performance.now();
          const result = await call();
          if (result.code !== 0) throw new Error(`per-call cost run failed: ${result.stderr}`);
          // The first round warms the disk cache; it is not counted.
          if (i > 0) times.push(performance.now() - started);
        }
      }
    };

    const hit: number[] = [];
    const bare: number[] = [];
    await interleaved(RUNS * 4, [
      [() => run([process.execPath, path.join(DIST, 'credential-process.cjs'), settings, 'deploy'], job.env), hit],
      [() => run([process.execPath, '-e', ''], job.env), bare],
    ]);
    line('credential helper cache hit', 'ms', hit, bare, "<= 1.2x node -e ''");

    const aws = findClients().awsV2;
    if (!aws) {
      console.log('# AWS CLI v2 call with a profile: skipped, no AWS CLI v2 here (apt-get install awscli)');
      return;
    }
    const identity = (env: Record<string, string | undefined>, extra: string[] = []) => () => run([...aws, 'sts', 'get-caller-identity', '--endpoint-url', world.sts.url, ...extra], env);
    const environment = await world.job();
    ok(await environment.main(inputs), 'environment credentials');
    const profile: number[] = [];
    const env: number[] = [];
    await interleaved(RUNS, [
      [identity(job.env, ['--profile', 'deploy']), profile],
      [identity(environment.env), env],
    ]);
    line('AWS CLI v2 call: profile vs env', 'ms', profile, env, '');
  } finally {
    await world.close();
  }
}

await perCallCosts();
await benchTrustCheck(Math.min(RUNS, 5), line);
