// `npm run bench`: measures the committed dist/ (it builds nothing) as the runner runs it, against the
// loopback stand-ins, beside the floor, with interleaved runs. Prints one line per figure, in a format
// kept stable so that versions can be compared: name, unit, min, median, max, floor median, ratio, target.
// Figures are for reading, not for CI: nothing here fails a build.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { findClients, run } from '../test/standins/clients.ts';
import { DIST, ROOT, type StepResult } from '../test/standins/runner.ts';
import { githubTrustPolicy } from '../test/standins/sts-emulator.ts';
import { ACCOUNT, defaultAccounts, roleArn, startWorld } from '../test/standins/world.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const FLOOR = path.join(ROOT, 'scripts/floor.mjs');
const RSS_FILE = path.join(os.tmpdir(), `bench-rss-${process.pid}`);
// Peak resident memory, read by the process itself as it exits.
const RSS_PROBE = '--import=data:text/javascript,process.on(`exit`,()=>process.getBuiltinModule(`fs`).writeFileSync(process.env.BENCH_RSS_FILE,String(process.resourceUsage().maxRSS)))';
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
const dist = readdirSync(DIST, { withFileTypes: true, recursive: true })
  .filter((d) => d.isFile() && /\.c?js$/.test(d.name))
  .map((d) => path.join(d.parentPath, d.name));
const distBytes = dist.reduce((sum, f) => sum + readFileSync(f).length, 0);
line('bundle dist/ all .js', 'kB', [distBytes / 1024], undefined, '< 1024 kB');
line('bundle dist/ all .js gzip', 'kB', [dist.reduce((sum, f) => sum + gzipSync(readFileSync(f)).length, 0) / 1024], undefined, '');

const world = await startWorld();
try {
  // Time to credentials and peak memory: main step vs floor, interleaved.
  const main: number[] = [];
  const floor: number[] = [];
  const mainRss: number[] = [];
  const floorRss: number[] = [];
  const rss = () => Number(readFileSync(RSS_FILE, 'utf8')) / 1024;
  for (let i = 0; i < RUNS + 1; i++) {
    const job = await world.job({ NODE_OPTIONS: RSS_PROBE, BENCH_RSS_FILE: RSS_FILE });
    const order: [() => Promise<StepResult>, number[], number[]][] = [
      [() => job.main(inputs), main, mainRss],
      [() => job.node([FLOOR], { 'INPUT_ROLE-TO-ASSUME': inputs['role-to-assume'] }), floor, floorRss],
    ];
    if (i % 2) order.reverse();
    for (const [run, times, mem] of order) {
      const result = ok(await run(), 'step');
      // The first round warms the disk cache and the stand-ins; it is not counted.
      if (i > 0) {
        times.push(result.durationMs);
        mem.push(rss());
      }
    }
  }
  line('time to credentials (main step)', 'ms', main, floor, '<= 1.3x floor');
  line('peak memory (main step)', 'MB', mainRss, floorRss, '< 50 MB');

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
  rmSync(RSS_FILE, { force: true });
}

// Many jobs at once: 40 concurrent main steps against an STS limited to 8 requests/s, with one JWKS fetch
// in ten failing (so STS "couldn't retrieve the verification key").
const last: number[] = [];
const calls: number[] = [];
for (let round = 0; round < 3; round++) {
  const crowd = await startWorld({ accounts: defaultAccounts(), rateLimit: 8 });
  try {
    crowd.issuer.faults.jwksFailEvery = 10;
    const jobs = await Promise.all(Array.from({ length: 40 }, () => crowd.job()));
    const started = performance.now();
    const results = await Promise.all(jobs.map(async (job) => ({ result: await job.main(inputs), at: performance.now() - started })));
    const failed = results.filter((r) => r.result.exitCode !== 0).length;
    if (failed > 0) console.log(`# round ${round + 1}: ${failed} of 40 jobs failed`);
    last.push(Math.max(...results.map((r) => r.at)));
    calls.push(crowd.sts.calls.length);
  } finally {
    await crowd.close();
  }
}
line('40 jobs at 8 req/s: last credentials', 'ms', last, undefined, '<= 8050 ms (0.7x 11.5 s)');
line('40 jobs at 8 req/s: STS calls', 'n', calls, undefined, '<= 80 (2x jobs)');

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
