// `npm run bench`: measures the committed dist/ (it builds nothing) as the runner runs it, against the
// loopback stand-ins over HTTPS (their throwaway CA trusted as a test certificate is), beside the floor
// (scripts/floor.cjs), with interleaved runs. Prints one line per figure, in a format kept stable so that
// versions can be compared: name, unit, min, median, max, floor median, ratio, target; then the issue's
// targets, each with what was measured and whether it was met. Figures are for reading, not for CI:
// nothing here fails a build. Each section is a function of its own; the run is the list at the end.
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
import { benchAllRoles } from './bench-all-roles.ts';
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

/** Everything a bundle can load: its static closure and, transitively, every module it imports when it runs. */
function reachable(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const m of readFileSync(file, 'utf8').matchAll(/(?:(?:^|[;}])\s*import\s*(?:[^'"()]*?from\s*)?|import\()["'](\.[^"']+)["']/g)) {
    reachable(path.resolve(path.dirname(file), m[1] ?? ''), seen);
  }
  return seen;
}

const kB = (files: Iterable<string>) => [...files].reduce((sum, f) => sum + readFileSync(f).length, 0) / 1024;

/** One of the issue's targets: what was measured against it, and whether it was met. */
interface Target {
  what: string;
  target: string;
  measured: string;
  met: boolean | undefined;
}
const targets: Target[] = [];
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

const loadAverage = () => os.loadavg().map((n) => n.toFixed(2)).join(' ');

function header(): void {
  console.log(`# oidc-aws-credentials bench  node ${process.version}  ${os.cpus().length} cpu  runs ${RUNS}  over TLS  load average ${loadAverage()}`);
  console.log(['# figure'.padEnd(34), 'unit', 'min', 'median', 'max', 'floor', 'ratio', 'target'].join('\t'));
}

/** Bundle sizes: each entry point with everything it loads statically, a successful main step, and all the steps can load. */
function bundles(): void {
  for (const entry of ['main.js', 'post.js', 'credential-process.cjs', 'refresh.js'].map((e) => path.join(DIST, e))) {
    line(`bundle ${path.basename(entry)} (static)`, 'kB', [kB(closure(entry))], undefined, entry.endsWith('main.js') ? '' : 'loads only what it uses');
  }
  // What a successful main step loads: its static closure and the two modules it imports once inputs are
  // valid (not the diagnosis, which only a failure imports).
  const mainFile = path.join(DIST, 'main.js');
  const lazy = [...readFileSync(mainFile, 'utf8').matchAll(/import\("(\.[^"]+)"\)/g)].map((m) => path.resolve(DIST, m[1] ?? '')).filter((file) => !path.basename(file).startsWith('diagnose-'));
  line('bundle main.js (successful run)', 'kB', [kB(lazy.reduce((seen, file) => closure(file, seen), closure(mainFile)))], undefined, '');
  // Everything main, post and the helper can load, whatever path they take (the default chain included).
  const loaded = ['main.js', 'post.js', 'credential-process.cjs'].reduce((seen, entry) => reachable(path.join(DIST, entry), seen), new Set<string>());
  line('bundle: all the steps can load', 'kB', [kB(loaded)], undefined, '< 1024 kB');
  targets.push({ what: 'What the steps load (main, post, the helper, what they import)', target: '< 1 MiB', measured: `${fmt(kB(loaded))} kB`, met: kB(loaded) < 1024 });
  // The action's files: the trust check is a tool of its own, with its own figures.
  const dist = readdirSync(DIST, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && /\.c?js$/.test(d.name) && d.name !== 'trust-check.js')
    .map((d) => path.join(d.parentPath, d.name));
  line('bundle dist/ all .js', 'kB', [kB(dist)], undefined, '');
  line('bundle dist/ all .js gzip', 'kB', [dist.reduce((sum, f) => sum + gzipSync(readFileSync(f)).length, 0) / 1024], undefined, '');
}

interface Contender {
  name: string;
  run(job: Job, sessionName?: string): Promise<StepResult>;
}
const named = (sessionName: string | undefined) => (sessionName ? { ...inputs, 'role-session-name': sessionName } : inputs);
const MINE = 'main step';
const contenders: Contender[] = [
  { name: MINE, run: (job, sessionName) => job.main(named(sessionName)) },
  { name: 'floor', run: (job) => job.node([FLOOR], { 'INPUT_ROLE-TO-ASSUME': inputs['role-to-assume'] }) },
  // The runner fills in action.yml's defaults; the incumbent's audience has one, which its code does not repeat.
  ...(INCUMBENT ? [{ name: 'incumbent', run: (job: Job, sessionName?: string) => job.node([path.resolve(INCUMBENT, 'dist/index.js')], inputEnv({ audience: 'sts.amazonaws.com', ...named(sessionName) })) }] : []),
];

/** Inputs as the runner passes them, for an action run through Job.node. */
function inputEnv(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]));
}

interface Figures {
  ms: number[];
  cpu: number[];
  rss: number[];
}

/** Time to credentials, CPU (user + sys) and peak RSS of each contender, runs interleaved in rotating order. */
async function compare(where: string, latency: WorldOptions['latency']): Promise<void> {
  const world = await startWorld(latency ? { latency } : {});
  const figures = contenders.map((): Figures => ({ ms: [], cpu: [], rss: [] }));
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
  const byName = new Map(contenders.map((c, i) => [c.name, figures[i]!]));
  const floor = byName.get('floor')!;
  const incumbent = byName.get('incumbent');
  const distant = latency !== undefined;
  for (const [name, f] of byName) {
    if (name === 'floor') continue;
    const who = `${name}, ${where}`;
    const mine = name === MINE;
    line(`time to credentials (${who})`, 'ms', f.ms, floor.ms, mine && distant ? '<= 0.90x floor' : '');
    line(`cpu user+sys (${who})`, 'ms', f.cpu, floor.cpu, '');
    line(`peak rss (${who})`, 'MB', f.rss, floor.rss, '');
  }
  const mine = byName.get(MINE)!;
  if (incumbent) {
    // The floor column holds the incumbent's median here.
    line(`time to credentials (${MINE} / incumbent, ${where})`, 'ms', mine.ms, incumbent.ms, '');
    line(`cpu user+sys (${MINE} / incumbent, ${where})`, 'ms', mine.cpu, incumbent.cpu, distant ? '<= 0.65x incumbent' : '');
    line(`peak rss (${MINE} / incumbent, ${where})`, 'MB', mine.rss, incumbent.rss, distant ? '<= 0.85x incumbent' : '');
  }
  line(`floor: time to credentials, ${where}`, 'ms', floor.ms, undefined, '');
  line(`floor: cpu user+sys, ${where}`, 'ms', floor.cpu, undefined, '');
  line(`floor: peak rss, ${where}`, 'MB', floor.rss, undefined, '');
  if (distant) {
    const [ms, cpu, rss] = (['ms', 'cpu', 'rss'] as const).map((k) => ({ mine: median(mine[k]), floor: median(floor[k]), incumbent: incumbent ? median(incumbent[k]) : undefined }));
    const against = (k: NonNullable<typeof ms>, unit: string) =>
      `${fmt(k.mine)} ${unit}: ${k.incumbent === undefined ? 'no incumbent run' : `${ratio(k.mine, k.incumbent)} incumbent (${fmt(k.incumbent)})`}, ${ratio(k.mine, k.floor)} floor (${fmt(k.floor)})`;
    targets.push({ what: `Time to credentials over TLS, GitHub ${where} away`, target: '<= 0.90x floor', measured: `${fmt(ms!.mine)} ms: ${ratio(ms!.mine, ms!.floor)} floor (${fmt(ms!.floor)})${ms!.incumbent === undefined ? '' : `, incumbent ${fmt(ms!.incumbent)}`}`, met: ms!.mine <= 0.9 * ms!.floor });
    targets.push({ what: `CPU per run (${where})`, target: '<= 0.65x incumbent', measured: against(cpu!, 'ms'), met: cpu!.incumbent === undefined ? undefined : cpu!.mine <= 0.65 * cpu!.incumbent });
    targets.push({ what: `Peak RSS (${where})`, target: '<= 0.85x incumbent', measured: against(rss!, 'MB'), met: rss!.incumbent === undefined ? undefined : rss!.mine <= 0.85 * rss!.incumbent });
  }
}

/** Fail fast: a permanent refusal and bad input, each from spawn to exit. */
async function failFast(): Promise<void> {
  const world = await startWorld();
  try {
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
    targets.push({ what: 'A refusal or bad input fails in', target: '< 2 s', measured: `refusal ${fmt(median(refusal))} ms, bad input ${fmt(median(badInput))} ms (worst ${fmt(Math.max(...refusal, ...badInput))})`, met: Math.max(median(refusal), median(badInput)) < 2000 });
  } finally {
    await world.close();
  }
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

/** Crowd rounds, interleaving the contenders so that both see the same load: medians of the rounds, and the worst round's successes. */
async function crowds(): Promise<void> {
  const rounds = Number(process.env.BENCH_CROWD_ROUNDS ?? 3);
  const all = contenders
    .filter((c) => c.name !== 'floor')
    .map((contender) => ({ contender, free: [] as number[], limited: [] as number[], cost: [] as number[], perJob: [] as number[], worstJob: [] as number[], succeeded: [] as number[] }));
  for (let round = 0; round < rounds; round++) {
    for (const c of all) {
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
  const incumbent = all.find((c) => c.contender.name === 'incumbent');
  for (const c of all) {
    const name = c.contender.name;
    const mine = name === MINE;
    line(`${JOBS} jobs unthrottled: makespan (${name})`, 'ms', c.free, undefined, '');
    line(`${JOBS} jobs throttled: makespan (${name})`, 'ms', c.limited, undefined, '');
    // The floor column holds the incumbent's median here, when it ran.
    line(`${JOBS} jobs: backoff cost (${name})`, 'ms', c.cost, mine ? incumbent?.cost : undefined, mine ? '<= 0.8x incumbent' : '');
    line(`${JOBS} jobs throttled: succeeded (${name})`, 'n', c.succeeded, undefined, mine ? `${JOBS} in every round` : '');
    line(`${JOBS} jobs throttled: STS calls per job (${name})`, 'n', c.perJob, undefined, mine ? '<= 2' : '');
    line(`${JOBS} jobs throttled: STS calls, worst job (${name})`, 'n', c.worstJob, undefined, '');
  }
  const mine = all.find((c) => c.contender.name === MINE)!;
  const worst = Math.min(...mine.succeeded);
  const vs = (xs: number[] | undefined) => (xs ? `; incumbent ${fmt(median(xs))}` : '');
  targets.push({ what: `${JOBS} jobs at once, STS at 8 req/s, 1 in 10 key fetches failing: all succeed in each of ${rounds} rounds`, target: `${JOBS} of ${JOBS}, every round`, measured: `worst round ${worst} of ${JOBS}${incumbent ? ` (incumbent: ${Math.min(...incumbent.succeeded)})` : ''}`, met: worst === JOBS });
  targets.push({ what: 'same: STS calls per job, median of the rounds', target: '<= 2', measured: `${median(mine.perJob).toFixed(2)}${vs(incumbent?.perJob)}`, met: median(mine.perJob) <= 2 });
  targets.push({ what: 'same: backoff cost, median of the rounds', target: '<= 0.8x incumbent', measured: incumbent ? `${fmt(median(mine.cost))} ms: ${ratio(median(mine.cost), median(incumbent.cost))} incumbent (${fmt(median(incumbent.cost))})` : `${fmt(median(mine.cost))} ms, no incumbent run`, met: incumbent ? median(mine.cost) <= 0.8 * median(incumbent.cost) : undefined });
}

/** A step that cannot succeed: STS throttles every call. Defaults, one run: it takes a minute. */
async function throttledForever(): Promise<void> {
  if (process.env.BENCH_SKIP_SLOW === '1') return;
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


/** The issue's targets, one line each: what, the target, what was measured, whether it was met. */
function printTargets(): void {
  console.log(['# target', 'what', 'target', 'measured', 'met'].join('\t'));
  for (const t of targets) console.log(['target', t.what, t.target, t.measured, t.met === undefined ? '-' : t.met ? 'yes' : 'no'].join('\t'));
}

header();
bundles();
try {
  await compare('loopback', undefined);
  if (githubMs > 0 || stsMs > 0) await compare(`${githubMs}/${stsMs} ms`, { github: githubMs, sts: stsMs });
  await failFast();
} finally {
  rmSync(USAGE_FILE, { force: true });
  rmSync(PROBE, { force: true });
}
await crowds();
await throttledForever();
await perCallCosts();
const trustCheckMs = await benchTrustCheck(Math.min(RUNS, 5), line);
targets.push({ what: 'The trust check (its own tool): 50 workflows and 20 policies, start to exit', target: '< 3 s', measured: `${fmt(trustCheckMs)} ms`, met: trustCheckMs < 3000 });
const account = await benchAllRoles(Math.min(RUNS, 3), line);
targets.push({ what: 'trust-check --all-roles: 5,000 roles, 500 trusting GitHub, start to exit', target: '< 10 s, < 300 MB', measured: `${fmt(account.ms)} ms, ${fmt(account.peakMb)} MB`, met: account.ms < 10_000 && account.peakMb < 300 });
printTargets();
console.log(`# load average at the end ${loadAverage()}`);
