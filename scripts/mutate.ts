// Mutation audit, run by hand (`npm run mutate`, or `npm run mutate -- NAME…` for some), never by CI:
// each mutant deletes or negates the core line of one feature; the tests that guard that feature must
// then fail. Every mutant is applied alone, dist/ is rebuilt, the tests run, and the source file and
// dist/ are put back whatever happens. Exit status 1 if any mutant survived or no longer applies.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Mutant {
  /** What it removes, in the words of the feature. */
  feature: string;
  file: string;
  find: string;
  replace: string;
  /** Test files that must catch it; `-t` narrows to the tests named. */
  tests: string[];
  only?: string;
}

const U = (name: string) => `test/unit/${name}.test.ts`;
const I = (name: string) => `test/integration/${name}.test.ts`;

const MUTANTS: Mutant[] = [
  // Inputs
  { feature: 'aws-region is required', file: 'src/config.ts', find: "if (region === '') throw new InputError('aws-region', 'is required');", replace: '', tests: [U('config')] },
  { feature: 'aws-region is validated', file: 'src/config.ts', find: 'if (!REGION.test(region)) throw', replace: 'if (false) throw', tests: [U('config')] },
  { feature: 'role-to-assume is validated', file: 'src/config.ts', find: "if (roleInput !== '' && !ROLE_ARN.test(roleInput)) {", replace: 'if (false) {', tests: [U('config')] },
  { feature: 'role-session-name is sanitised', file: 'src/config.ts', find: "raw.replace(/[^\\w+=,.@-]/g, '_').slice(0, 64)", replace: 'raw.slice(0, 64)', tests: [U('config')] },
  { feature: 'role-duration-seconds has a floor of 900', file: 'src/config.ts', find: 'DEFAULTS.durationSeconds, 900, 43200)', replace: 'DEFAULTS.durationSeconds, 0, 43200)', tests: [U('config')] },
  { feature: 'audience input is read', file: 'src/config.ts', find: "const audience = get('audience') || DEFAULTS.audience;", replace: 'const audience = DEFAULTS.audience;', tests: [U('config'), I('diagnosis')] },
  { feature: 'web-identity-token-file is relative to the workspace', file: 'src/config.ts', find: 'path.resolve(env.GITHUB_WORKSPACE ?? process.cwd(), tokenFileInput)', replace: 'tokenFileInput', tests: [U('config')] },
  { feature: 'inline-session-policy length limit', file: 'src/config.ts', find: 'if (inlineSessionPolicy.length > MAX_INLINE_POLICY) {', replace: 'if (false) {', tests: [U('config')] },
  { feature: 'managed-session-policies count limit', file: 'src/config.ts', find: 'if (managedSessionPolicies.length > MAX_MANAGED_POLICIES) {', replace: 'if (false) {', tests: [U('config')] },
  { feature: 'allowed-account-ids are validated', file: 'src/config.ts', find: 'if (!ACCOUNT_ID.test(id)) throw', replace: 'if (false) throw', tests: [U('config')] },
  { feature: 'disable-retry means one attempt', file: 'src/config.ts', find: 'maxAttempts: disableRetry ? 1 : attempts,', replace: 'maxAttempts: attempts,', tests: [U('config'), I('action')], only: 'disable-retry' },
  { feature: 'role-chaining needs credentials', file: 'src/config.ts', find: 'if (roleChaining && (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY)) {', replace: 'if (false) {', tests: [U('config')] },
  { feature: 'HTTPS_PROXY is honoured', file: 'src/config.ts', find: "get('http-proxy') || env.HTTPS_PROXY || env.https_proxy || ''", replace: "get('http-proxy')", tests: [U('config')] },
  { feature: 'booleans are strict', file: 'src/config.ts', find: "throw new InputError(name, `must be true or false, got '${raw}'`);", replace: 'return fallback;', tests: [U('config')] },
  { feature: 'profile-credentials is validated', file: 'src/config.ts', find: "if (profileCredentials !== 'refresh' && profileCredentials !== 'static') {", replace: 'if (false) {', tests: [U('config')] },
  { feature: 'profiles lines are validated', file: 'src/config.ts', find: "if (!ROLE_ARN.test(roleArn)) throw new InputError('profiles'", replace: "if (false) throw new InputError('profiles'", tests: [U('config')] },
  // Masking and exporting
  { feature: 'environment credentials are masked', file: 'src/main.ts', find: 'for (const secret of plan?.secrets ?? []) core.setSecret(secret);', replace: '', tests: [I('action')], only: 'exports masked credentials' },
  { feature: 'profile credentials are masked', file: 'src/main.ts', find: '...(config.maskAccountId ? [c.accountId] : [])]) core.setSecret(secret);', replace: '...(config.maskAccountId ? [c.accountId] : [])]) void secret;', tests: [I('profiles')], only: 'masks the accounts of profiles' },
  { feature: 'mask-aws-account-id', file: 'src/export.ts', find: 'if (settings.maskAccountId) secrets.push(credentials.accountId);', replace: '', tests: [U('profiles'), I('action')], only: 'mask' },
  { feature: 'output-env-credentials', file: 'src/export.ts', find: 'if (settings.outputEnvCredentials) {', replace: 'if (true) {', tests: [U('profiles')] },
  { feature: 'output-credentials', file: 'src/export.ts', find: 'if (settings.outputCredentials) {', replace: 'if (true) {', tests: [U('profiles')] },
  { feature: 'unset-current-credentials', file: 'src/main.ts', find: "for (const name of CREDENTIAL_VARIABLES) core.exportVariable(name, '');", replace: '', tests: [I('action')], only: 'unset-current-credentials' },
  { feature: 'the step fails with the first refused role', file: 'src/main.ts', find: 'firstFailure.abort();', replace: '', tests: [I('profiles')], only: 'fails as soon as one role is refused' },
  { feature: 'profiles are written and exported', file: 'src/main.ts', find: "if (profileCredentials.size > 0) core.exportVariable('AWS_CONFIG_FILE', writeProfiles(config, profileCredentials));", replace: '', tests: [I('profiles')], only: 'two profiles resolve' },
  { feature: 'the helper cache starts warm', file: 'src/main.ts', find: 'for (const [name, c] of credentials) writeSecretFile(helperPaths(dir, name).cache, processCredentials(c));', replace: '', tests: [I('profiles')], only: 'cache hit' },
  { feature: 'post knows what to blank', file: 'src/main.ts', find: 'core.saveState(STATE.exported,', replace: 'void (STATE.exported,', tests: [I('action')], only: 'post blanks them' },
  { feature: 'post knows what to remove', file: 'src/main.ts', find: 'core.saveState(STATE.files, JSON.stringify([dir]));', replace: '', tests: [I('profiles')], only: 'post removes them all' },
  // Post step
  { feature: 'post blanks exported credentials', file: 'src/post.ts', find: "core.exportVariable(name, '');", replace: '', tests: [I('action')], only: 'post blanks them' },
  { feature: 'post removes only its own folders', file: 'src/post.ts', find: "if (path.dirname(path.resolve(file)) !== temp || !path.basename(file).startsWith('oidc-aws-credentials-')) {", replace: 'if (false) {', tests: [I('profiles')], only: 'post removes nothing outside' },
  { feature: 'post removes the files', file: 'src/post.ts', find: 'await rm(file, { recursive: true, force: true });', replace: '', tests: [I('profiles')], only: 'post removes them all' },
  // Retry classification and backoff
  { feature: 'an expired token is retried with a fresh one', file: 'src/retry.ts', find: "if (error.code === 'ExpiredTokenException') return 'refresh-token';", replace: '', tests: [U('retry')] },
  { feature: 'transient STS codes are retried', file: 'src/retry.ts', find: "if (TRANSIENT_CODES.has(error.code)) return 'retry';", replace: '', tests: [U('retry')] },
  { feature: 'an unreachable JWKS is retried', file: 'src/retry.ts', find: "if (error.code === 'InvalidIdentityToken' && /verification key/i.test(error.message)) return 'retry';", replace: '', tests: [U('retry')] },
  { feature: '5xx is retried', file: 'src/retry.ts', find: "return error.status !== undefined && error.status >= 500 ? 'retry' : 'stop';", replace: "return 'stop';", tests: [U('retry')] },
  { feature: 'ENOTFOUND is permanent', file: 'src/retry.ts', find: "error.code === 'ENOTFOUND' ? 'stop' : 'retry'", replace: "'retry'", tests: [U('retry')] },
  { feature: 'a token endpoint 5xx is retried', file: 'src/retry.ts', find: "return error.failure === 'unavailable' ? 'retry' : 'stop';", replace: "return 'stop';", tests: [U('retry')] },
  { feature: 'permanent errors stop the retries', file: 'src/retry.ts', find: 'if (verdict === \'stop\') throw new AbortError(error as Error);', replace: '', tests: [U('retry')] },
  { feature: 'backoff grows exponentially', file: 'src/retry.ts', find: 'baseMs * 2 ** (retry - 1)', replace: 'baseMs', tests: [U('retry')] },
  { feature: 'backoff is jittered', file: 'src/retry.ts', find: 'return Math.floor(random() * Math.min(', replace: 'return Math.floor(1 * Math.min(', tests: [U('retry')] },
  { feature: 'throttling backs off further', file: 'src/retry.ts', find: 'const base = isThrottling(error) ? policy.throttleBaseDelayMs : policy.baseDelayMs;', replace: 'const base = policy.baseDelayMs;', tests: [U('retry')] },
  { feature: 'the fresh-token verdict reaches the next attempt', file: 'src/retry.ts', find: "freshToken = verdict === 'refresh-token';", replace: 'freshToken = false;', tests: [U('retry'), I('action')], only: 'fresh token|refresh' },
  { feature: 'retries stop at the time budget', file: 'src/retry.ts', find: 'if (retriesLeft === 0 || remaining <= 0) return;', replace: 'if (retriesLeft === 0) return;', tests: [U('retry')] },
  { feature: 'an abort stops the wait', file: 'src/retry.ts', find: "signal?.addEventListener('abort', done, { once: true });", replace: '', tests: [U('retry'), I('profiles')], only: 'abort|fails as soon as one role' },
  // Token source
  { feature: 'a young token is reused', file: 'src/token.ts', find: 'if (!fresh && last && now() - last.obtainedAt < TOKEN_REUSE_MS) return Promise.resolve(last);', replace: '', tests: [U('token')] },
  { feature: 'concurrent roles share one token request', file: 'src/token.ts', find: 'pending ??= obtain()', replace: 'pending = obtain()', tests: [I('profiles')], only: 'two profiles resolve' },
  { feature: 'a token endpoint 5xx is classed transient', file: 'src/token.ts', find: 'const transient = res.status >= 500 || res.status === 429 || res.status === 408;', replace: 'const transient = false;', tests: [I('action')], only: 'token endpoint answers 5xx' },
  { feature: 'the audience is asked for', file: 'src/token.ts', find: 'audience=${encodeURIComponent(audience)}', replace: 'audience=sts.amazonaws.com', tests: [I('diagnosis')], only: 'does not list the audience' },
  // Network: proxy, deadlines, endpoints
  { feature: 'http-proxy is used', file: 'src/http.ts', find: 'const proxyEnv = proxy.url ?', replace: 'const proxyEnv = false ?', tests: [I('action')], only: 'proxy' },
  { feature: 'a token request has a deadline', file: 'src/http.ts', find: '), timeoutMs);', replace: '), timeoutMs * 1000);', tests: [I('action')], only: 'token request that never answers' },
  { feature: 'sts-endpoint is used', file: 'src/sts.ts', find: '...(options.endpoint ? { endpoint: options.endpoint } : {}),', replace: '', tests: [I('action')], only: 'sts-endpoint wins' },
  { feature: 'the SDK retries nothing', file: 'src/sts.ts', find: 'maxAttempts: 1,', replace: 'maxAttempts: 3,', tests: [I('action')], only: 'disable-retry makes one attempt|gives up on persistent' },
  { feature: 'an STS call has a deadline', file: 'src/sts.ts', find: 'requestTimeout: REQUEST_TIMEOUT_MS,', replace: 'requestTimeout: 0,', tests: [I('action')], only: 'STS call that never answers' },
  { feature: 'the inline session policy is sent', file: 'src/sts.ts', find: '...(request.policy ? { Policy: request.policy } : {}),', replace: '', tests: [I('action')], only: 'session policies' },
  { feature: 'managed session policies are sent', file: 'src/sts.ts', find: '...(request.policyArns.length > 0 ? { PolicyArns: request.policyArns.map((arn) => ({ arn })) } : {}),', replace: '', tests: [I('action')], only: 'session policies' },
  { feature: 'chained sessions are tagged', file: 'src/sts.ts', find: '...(tags.length > 0 ? { Tags: tags, TransitiveTagKeys: tags.map((t) => t.Key) } : {}),', replace: '', tests: [I('action')], only: 'TagSession' },
  { feature: 'an unreadable answer is named', file: 'src/sts.ts', find: "if (!e.Code) return new AwsError('UnreadableResponse'", replace: "if (false) return new AwsError('UnreadableResponse'", tests: [I('action')], only: 'garbage' },
  // Exchange
  { feature: 'allowed-account-ids is enforced', file: 'src/exchange.ts', find: 'if (allowed.length > 0 && !allowed.includes(accountId)) throw new AccountError(accountId, allowed);', replace: '', tests: [I('action')], only: 'allowed-account-ids' },
  { feature: 'the session name is sent', file: 'src/exchange.ts', find: 'sessionName: settings.sessionName,', replace: "sessionName: 'GitHubActions',", tests: [I('action')], only: 'session name' },
  { feature: 'the duration is sent', file: 'src/exchange.ts', find: 'durationSeconds: settings.durationSeconds,', replace: 'durationSeconds: 3600,', tests: [I('action')], only: 'session name' },
  { feature: 'role-chaining signs with the environment credentials', file: 'src/main.ts', find: 'signWithEnvironmentCredentials: config.roleChaining', replace: 'signWithEnvironmentCredentials: false', tests: [I('action')], only: 'assumes a second role' },
  // Diagnosis
  { feature: 'diagnosis: missing id-token permission', file: 'src/diagnose.ts', find: "if (cause.failure === 'no-permission') {", replace: 'if (false) {', tests: [U('diagnose')] },
  { feature: 'diagnosis: trust policy', file: 'src/diagnose.ts', find: "if (cause.code === 'AccessDenied') return trustDiagnosis(cause, ctx);", replace: '', tests: [I('diagnosis')], only: 'trust policy does not admit' },
  { feature: 'diagnosis: chaining trust', file: 'src/diagnose.ts', find: "if (cause.code === 'AccessDenied' && ctx.roleChaining) return chainingDiagnosis(cause, ctx);", replace: '', tests: [I('diagnosis')], only: 'does not trust the source role' },
  { feature: 'diagnosis: audience', file: 'src/diagnose.ts', find: "if (cause.code === 'InvalidIdentityToken' && /audience/i.test(cause.message)) {", replace: 'if (false) {', tests: [I('diagnosis')], only: 'audience' },
  { feature: 'diagnosis: missing OIDC provider', file: 'src/diagnose.ts', find: "if (cause.code === 'InvalidIdentityToken' && /No OpenIDConnect provider/i.test(cause.message)) {", replace: 'if (false) {', tests: [I('diagnosis')], only: 'missing from' },
  { feature: 'diagnosis: clock', file: 'src/diagnose.ts', find: "if (cause.code === 'ExpiredTokenException') return clockDiagnosis(said, ctx, tries);", replace: '', tests: [I('diagnosis')], only: 'expired' },
  { feature: 'diagnosis: session duration', file: 'src/diagnose.ts', find: "if (cause.code === 'ValidationError' && /MaxSessionDuration|session limit|role chaining/i.test(cause.message)) {", replace: 'if (false) {', tests: [U('diagnose'), I('diagnosis')], only: 'longer than the role|chained sessions' },
  { feature: 'diagnosis: malformed policy', file: 'src/diagnose.ts', find: "if (cause.code === 'MalformedPolicyDocument') {", replace: 'if (false) {', tests: [I('diagnosis')], only: 'malformed session policy' },
  { feature: 'diagnosis: packed policy', file: 'src/diagnose.ts', find: "if (cause.code === 'PackedPolicyTooLarge') {", replace: 'if (false) {', tests: [I('diagnosis')], only: 'too large' },
  { feature: 'diagnosis: throttling', file: 'src/diagnose.ts', find: "if (retry && retry.verdict !== 'stop' && /Throttl|RequestLimitExceeded/.test(cause.code)) {", replace: 'if (false) {', tests: [U('diagnose')] },
  { feature: 'diagnosis: environment subject', file: 'src/diagnose.ts', find: "if (kind.startsWith('environment:')) {", replace: 'if (false) {', tests: [I('diagnosis')], only: 'environment subject' },
  { feature: 'diagnosis: immutable subject', file: 'src/diagnose.ts', find: 'if (/@\\d+\\/.+@\\d+$/.test(repo)) {', replace: 'if (false) {', tests: [I('diagnosis')], only: 'immutable' },
  // Profiles and the credential helper
  { feature: 'the refresh margin', file: 'src/profiles.ts', find: 'return expiration - now > marginMs;', replace: 'return expiration - now > 0;', tests: [U('profiles'), I('profiles')], only: 'margin' },
  { feature: "the user's sections we define are replaced", file: 'src/profiles.ts', find: 'if (!dropping) kept.push(line);', replace: 'kept.push(line);', tests: [U('profiles')] },
  { feature: 'replaced sections are reported', file: 'src/profiles.ts', find: "if (dropping) replaced.push(header[1] ?? '');", replace: '', tests: [U('profiles')] },
  { feature: 'POSIX quoting: quotes inside an argument', file: 'src/profiles.ts', find: ".replace(/'/g, `'\\\\''`)", replace: '', tests: [U('credential-process-line')] },
  { feature: 'POSIX quoting: # and ; after whitespace', file: 'src/profiles.ts', find: ".replace(/(\\s)([#;])/g, \"$1''$2\")", replace: '', tests: [U('credential-process-line')] },
  { feature: 'Windows quoting: # and ; after whitespace', file: 'src/profiles.ts', find: ".replace(/(\\s)([#;])/g, '$1\"$2\"')", replace: '', tests: [U('credential-process-line')] },
  { feature: 'Windows quoting: trailing backslashes', file: 'src/profiles.ts', find: ".replace(/(\\\\+)$/, '$1$1')", replace: '', tests: [U('credential-process-line')] },
  { feature: "Windows quoting: refuses what cmd.exe rewrites", file: 'src/profiles.ts', find: 'if (/["%]/.test(arg)) throw', replace: 'if (false) throw', tests: [U('credential-process-line')] },
  { feature: 'the helper serves a cache hit', file: 'src/credential-process.ts', find: 'if (isFresh(cached, Date.now())) {', replace: 'if (false) {', tests: [I('profiles')], only: 'cache hit' },
  { feature: 'the helper refreshes under a lock', file: 'src/refresh.ts', find: 'return withLock(paths.lock, async () => {', replace: 'return (async (f: () => Promise<string>) => f())(async () => {', tests: [I('profiles')], only: 'ten concurrent' },
  { feature: 'the helper re-reads the cache under the lock', file: 'src/refresh.ts', find: 'if (isFresh(cached, Date.now()) || (cached !== undefined && cached !== stale && isFresh(cached, Date.now(), 0))) return cached;', replace: '', tests: [I('profiles')], only: 'ten concurrent' },
  { feature: 'the helper writes its cache', file: 'src/refresh.ts', find: 'writeSecretFile(paths.cache, json);', replace: '', tests: [I('profiles')], only: 'refreshes credentials inside' },
  { feature: 'the helper breaks an abandoned lock', file: 'src/refresh.ts', find: 'if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmdirSync(lock);', replace: '', tests: [I('profiles')], only: 'abandoned' },
  { feature: 'the helper explains a refusal', file: 'src/refresh.ts', find: 'throw new Error(render(diagnosis), { cause: error });', replace: 'throw error;', tests: [I('profiles')], only: 'explains a refusal' },
  // Files
  { feature: 'files are written 0600', file: 'src/files.ts', find: 'constants.O_EXCL, 0o600);', replace: 'constants.O_EXCL, 0o644);', tests: [U('files')] },
  { feature: 'writes refuse a symlink', file: 'src/files.ts', find: "if (guard.lstat(file).isSymbolicLink()) throw new Error(`refusing to write", replace: "if (false) throw new Error(`refusing to write", tests: [U('files')] },
  { feature: 'reads use O_NOFOLLOW', file: 'src/files.ts', find: 'constants.O_RDONLY | guard.noFollow', replace: 'constants.O_RDONLY', tests: [U('files')] },
  { feature: 'Windows reads refuse a symlink', file: 'src/files.ts', find: 'if (looked.isSymbolicLink()) throw', replace: 'if (false) throw', tests: [U('files')] },
  { feature: 'Windows reads refuse a swapped file', file: 'src/files.ts', find: 'if (opened.ino !== looked.ino || opened.dev !== looked.dev) {', replace: 'if (false) {', tests: [U('files')] },
  { feature: 'the private folder is under RUNNER_TEMP', file: 'src/files.ts', find: "if (!runnerTemp) throw new Error('RUNNER_TEMP is not set", replace: "if (false) throw new Error('RUNNER_TEMP is not set", tests: [U('files')] },
];

function run(command: string, args: string[]): boolean {
  return spawnSync(command, args, { cwd: ROOT, stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '--experimental-vm-modules' } }).status === 0;
}

const wanted = process.argv.slice(2);
// MUTATE_SHARD=i/n takes every n-th mutant from the i-th, so n clones of the repository can share the work.
const [shard = 0, shards = 1] = (process.env.MUTATE_SHARD ?? '0/1').split('/').map(Number);
const chosen = (wanted.length > 0 ? MUTANTS.filter((m) => wanted.some((w) => m.feature.includes(w))) : MUTANTS).filter((_, i) => i % shards === shard);
const dist = path.join(ROOT, 'dist');
const saved = mkdtempSync(path.join(os.tmpdir(), 'mutate-dist-'));
cpSync(dist, saved, { recursive: true });
const survivors: string[] = [];
const stale: string[] = [];
try {
  for (const [i, m] of chosen.entries()) {
    const file = path.join(ROOT, m.file);
    const original = readFileSync(file, 'utf8');
    if (original.split(m.find).length !== 2) {
      stale.push(m.feature);
      console.log(`${i + 1}/${chosen.length} STALE     ${m.feature}: the text to mutate is not in ${m.file} exactly once`);
      continue;
    }
    writeFileSync(file, original.replace(m.find, () => m.replace));
    const started = performance.now();
    let killed: boolean;
    try {
      // Unit tests import src/; only integration tests run the built dist/. A mutant that does not build
      // is not a mutant of behaviour: counted as stale, to be rewritten.
      const needsBuild = m.tests.some((t) => t.startsWith('test/integration/'));
      if (needsBuild && !run(process.execPath, ['scripts/build.ts'])) {
        stale.push(m.feature);
        console.log(`${i + 1}/${chosen.length} NO BUILD  ${m.feature}`);
        continue;
      }
      killed = !run(process.execPath, ['node_modules/jest/bin/jest.js', ...m.tests, ...(m.only ? ['-t', m.only] : [])]);
    } finally {
      writeFileSync(file, original);
      rmSync(dist, { recursive: true, force: true });
      cpSync(saved, dist, { recursive: true });
    }
    if (!killed) survivors.push(m.feature);
    console.log(`${i + 1}/${chosen.length} ${killed ? 'killed  ' : 'SURVIVED'}  ${m.feature} (${m.file}, ${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
} finally {
  rmSync(saved, { recursive: true, force: true });
}
console.log(`\n${chosen.length} mutants: ${chosen.length - survivors.length - stale.length} killed, ${survivors.length} survived, ${stale.length} stale`);
for (const s of survivors) console.log(`  survived: ${s}`);
for (const s of stale) console.log(`  stale: ${s}`);
process.exitCode = survivors.length > 0 || stale.length > 0 ? 1 : 0;
