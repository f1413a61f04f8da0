// Mutation audit, run by hand (`npm run mutate`, `npm run mutate -- NAME…` for some, `-- --unit` for the
// cheap ones whose tests need no build, `-- --integration` for the rest), never by CI:
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
  { feature: 'headers read as the JS SDK reads them: a comment after the header', file: 'src/aws-config-file.ts', find: "const jsLine = raw.split(/(?:^|\\s)[;#]/)[0]?.trim() ?? '';", replace: 'const jsLine = raw.trim();', tests: [U('aws-config-file'), I('existing-profiles')], only: 'JS SDK|any header' },
  { feature: 'headers read as botocore reads them: shlex', file: 'src/aws-config-file.ts', find: 'return words?.length === 2 ? words[1] : undefined;', replace: "return header.startsWith('profile ') ? header.slice(8) : undefined;", tests: [U('aws-config-file'), I('existing-profiles')], only: 'botocore|boto3|any header' },
  { feature: "the runner's credentials file is shadowed for our profiles", file: 'src/main.ts', find: 'if (removed.length > 0) {', replace: 'if (false) {', tests: [I('existing-profiles')], only: 'keys for' },
  { feature: 'names the JS SDK cannot hold are refused', file: 'src/aws-names.ts', find: 'if (NOT_A_PROFILE_NAME.has(name)) return', replace: 'if (false) return', tests: [I('existing-profiles')], only: 'input error naming the line' },
  { feature: 'post gives AWS_PROFILE back', file: 'src/post.ts', find: "if (profile) core.exportVariable('AWS_PROFILE',", replace: "if (false) core.exportVariable('AWS_PROFILE',", tests: [I('existing-profiles')], only: 'gives AWS_PROFILE back' },
  { feature: 'inputs that exclude each other are refused', file: 'src/config.ts', find: 'if (given(rule.input) && given(rule.with)) throw', replace: 'if (false) throw', tests: [U('profiles-file')], only: 'exclude each other' },
  { feature: 'each profile presents a token of its own audience', file: 'src/sources/pick.ts', find: 'const tokens = tokensFor(p.audience);', replace: 'const tokens = tokensFor(config.audience);', tests: [I('profiles-file')], only: 'assumes each web identity profile' },
  { feature: "each profile asks its own region's STS", file: 'src/main.ts', find: 'createSts({ region, endpoint: config.stsEndpoint, agents })', replace: 'createSts({ region: config.region, endpoint: config.stsEndpoint, agents })', tests: [I('profiles-file')], only: 'regional endpoint the step asks' },
  { feature: 'the helper refreshes with the profile’s own region', file: 'src/refresh.ts', find: 'createSts({ region: own.region,', replace: "createSts({ region: 'us-east-1',", tests: [I('profiles-file')], only: 'own region' },
  { feature: 'the helper refreshes with the profile’s own audience', file: 'src/refresh.ts', find: 'createTokenSource({ audience: own.audience,', replace: "createTokenSource({ audience: 'sts.amazonaws.com',", tests: [I('profiles-file')], only: 'own audience' },
  { feature: 'chained profiles are checked', file: 'src/main.ts', find: 'return (config.profilesFile?.chained ?? []).flatMap(', replace: 'return ([] as NonNullable<Config["profilesFile"]>["chained"]).flatMap(', tests: [I('profiles-file')], only: 'chain that cannot work|checks the chain' },
  { feature: 'profiles-file: a token server other than GitHub is refused', file: 'src/profiles-file.ts', find: "if (kind.trim() !== 'GitHub') throw", replace: 'if (false) throw', tests: [U('profiles-file')] },
  { feature: 'profiles-file: source_profile cycles are refused', file: 'src/profiles-file.ts', find: 'if (path.includes(next.name)) throw', replace: 'if (false) throw', tests: [U('profiles-file')] },
  // Inputs
  { feature: 'aws-region is required', file: 'src/config.ts', find: "if (region === '') throw new InputError('aws-region', 'is required');", replace: '', tests: [U('config')] },
  { feature: 'aws-region is validated', file: 'src/config.ts', find: 'if (!REGION.test(region)) throw', replace: 'if (false) throw', tests: [U('config')] },
  { feature: 'role-to-assume is validated', file: 'src/config.ts', find: "if (roleInput !== '' && !ROLE_ARN.test(roleInput) && !(ROLE_NAME.test(roleInput) && (staticKeys || roleChaining))) {", replace: 'if (false) {', tests: [U('config')] },
  { feature: 'role-session-name is sanitised', file: 'src/config.ts', find: "raw.replace(/[^\\w+=,.@-]/g, '_').slice(0, 64)", replace: 'raw.slice(0, 64)', tests: [U('config')] },
  { feature: 'role-duration-seconds has a floor of 900', file: 'src/config.ts', find: 'DEFAULTS.durationSeconds, 900, 43200)', replace: 'DEFAULTS.durationSeconds, 0, 43200)', tests: [U('config')] },
  { feature: 'audience input is read', file: 'src/config.ts', find: "audience: get('audience') || DEFAULTS.audience,", replace: 'audience: DEFAULTS.audience,', tests: [U('config'), I('diagnosis')] },
  { feature: 'web-identity-token-file is relative to the workspace', file: 'src/config.ts', find: 'path.resolve(env.GITHUB_WORKSPACE ?? process.cwd(), tokenFileInput)', replace: 'tokenFileInput', tests: [U('config')] },
  { feature: 'inline-session-policy length limit', file: 'src/config.ts', find: 'if (inlineSessionPolicy.length > MAX_INLINE_POLICY) {', replace: 'if (false) {', tests: [U('config')] },
  { feature: 'managed-session-policies count limit', file: 'src/config.ts', find: 'if (managedSessionPolicies.length > MAX_MANAGED_POLICIES) {', replace: 'if (false) {', tests: [U('config')] },
  { feature: 'allowed-account-ids are validated', file: 'src/config.ts', find: 'if (!ACCOUNT_ID.test(id)) throw', replace: 'if (false) throw', tests: [U('config')] },
  { feature: 'disable-retry means one attempt', file: 'src/config.ts', find: 'maxAttempts: disableRetry ? 1 : attempts,', replace: 'maxAttempts: attempts,', tests: [U('config'), I('action')], only: 'disable-retry' },
  { feature: 'role-chaining needs credentials', file: 'src/config.ts', find: 'if (roleChaining && (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY)) {', replace: 'if (false) {', tests: [U('config')] },
  { feature: 'HTTPS_PROXY is honoured', file: 'src/proxy.ts', find: "['HTTPS_PROXY', env.HTTPS_PROXY], ", replace: '', tests: [U('config')] },
  { feature: 'booleans are strict', file: 'src/config.ts', find: "throw new InputError(name, `must be true or false, got '${raw}'`);", replace: 'return fallback;', tests: [U('config')] },
  { feature: 'profile-credentials is validated', file: 'src/config.ts', find: "if (profileCredentials !== 'refresh' && profileCredentials !== 'static') {", replace: 'if (false) {', tests: [U('config')] },
  { feature: 'profiles lines are validated', file: 'src/config.ts', find: "if (!ROLE_ARN.test(roleArn)) throw new InputError('profiles'", replace: "if (false) throw new InputError('profiles'", tests: [U('config')] },
  // Masking and exporting
  { feature: 'environment credentials are masked', file: 'src/main.ts', find: 'for (const secret of plan?.secrets ?? []) core.setSecret(secret);', replace: '', tests: [I('action')], only: 'exports masked credentials' },
  { feature: 'profile credentials are masked', file: 'src/main.ts', find: '...(config.maskAccountId ? [c.accountId] : [])]) if (secret) core.setSecret(secret);', replace: '...(config.maskAccountId ? [c.accountId] : [])]) if (secret) void secret;', tests: [I('profiles')], only: 'masks the accounts of profiles|static mode' },
  { feature: 'mask-aws-account-id', file: 'src/export.ts', find: 'if (settings.maskAccountId) secrets.push(obtained.accountId);', replace: '', tests: [U('profiles')], only: 'mask' },
  { feature: 'output-env-credentials', file: 'src/export.ts', find: 'if (c && settings.outputEnvCredentials) {', replace: 'if (c) {', tests: [U('profiles')] },
  { feature: 'output-credentials', file: 'src/export.ts', find: 'if (c && settings.outputCredentials) {', replace: 'if (c) {', tests: [U('profiles')] },
  { feature: 'unset-current-credentials', file: 'src/main.ts', find: "for (const name of CREDENTIAL_VARIABLES) core.exportVariable(name, '');", replace: '', tests: [I('action')], only: 'unset-current-credentials' },
  { feature: 'the step fails with the first refused role', file: 'src/obtain.ts', find: 'firstFailure.abort();', replace: '', tests: [I('profiles')], only: 'fails as soon as one role is refused' },
  { feature: 'profiles are written and exported', file: 'src/main.ts', find: 'const files = profiles.length > 0 || config.profilesFile ? writeProfiles(config, profiles) : {};', replace: 'const files = {};', tests: [I('profiles')], only: 'two profiles resolve' },
  { feature: 'the helper cache starts warm', file: 'src/main.ts', find: "for (const { target, credentials } of refreshed) writeSecretFile(helperPaths(dir, target.profile ?? '').cache, cacheEntry(credentials, Date.now()));", replace: '', tests: [I('profiles')], only: 'cache hit' },
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
  { feature: 'ENOTFOUND in a typed host is permanent', file: 'src/retry.ts', find: "return error.code === 'ENOTFOUND' && error.typedHost ? 'stop' : 'retry';", replace: "return 'retry';", tests: [U('retry')] },
  { feature: 'a token endpoint 5xx is retried', file: 'src/retry.ts', find: "return error.failure === 'unavailable' ? 'retry' : 'stop';", replace: "return 'stop';", tests: [U('retry')] },
  { feature: 'permanent errors stop the retries', file: 'src/retry.ts', find: 'if (verdict === \'stop\') throw new AbortError(error as Error);', replace: '', tests: [U('retry')] },
  { feature: 'backoff grows exponentially', file: 'src/retry.ts', find: 'baseMs * 2 ** (retry - 1)', replace: 'baseMs', tests: [U('retry')] },
  { feature: 'backoff is jittered', file: 'src/retry.ts', find: 'return Math.floor(random() * Math.min(', replace: 'return Math.floor(1 * Math.min(', tests: [U('retry')] },
  { feature: 'throttling backs off further', file: 'src/retry.ts', find: 'const base = isThrottling(error) ? policy.throttleBaseDelayMs : policy.baseDelayMs;', replace: 'const base = policy.baseDelayMs;', tests: [U('retry')] },
  { feature: 'the fresh-token verdict reaches the next attempt', file: 'src/retry.ts', find: "freshToken = verdict === 'refresh-token';", replace: 'freshToken = false;', tests: [U('retry'), I('action')], only: 'fresh token|refresh' },
  { feature: 'retries stop at the time budget', file: 'src/retry.ts', find: 'if (retriesLeft === 0 || remaining <= 0) return;', replace: 'if (retriesLeft === 0) return;', tests: [U('retry')] },
  { feature: 'an abort stops the wait', file: 'src/retry.ts', find: "signal?.addEventListener('abort', done, { once: true });", replace: '', tests: [U('retry'), I('profiles')], only: 'abort|fails as soon as one role' },
  // The IAM evaluator, the claims model, and the advice they judge
  { feature: 'an explicit Deny wins', file: 'src/iam/evaluate.ts', find: "if (statement.Effect === 'Deny' && !failed) {", replace: "if (statement.Effect === 'Deny' && !failed && false) {", tests: [U('evaluate'), U('iam-differential')] },
  { feature: 'a negated operator holds on a missing key', file: 'src/iam/evaluate.ts', find: 'holds: !!ifExists || operator.negated', replace: 'holds: !!ifExists', tests: [U('evaluate'), U('iam-differential')] },
  { feature: 'condition keys are case-insensitive', file: 'src/iam/evaluate.ts', find: 'const raw = context.get(key.toLowerCase());', replace: 'const raw = context.get(key);', tests: [U('evaluate'), U('iam-differential')] },
  { feature: 'Principal.Federated must name the provider', file: 'src/iam/evaluate.ts', find: 'if (!principalMatches(statement, request.principal)) {', replace: 'if (false) {', tests: [U('evaluate'), U('iam-differential')] },
  { feature: 'an environment comes before the pull request in sub', file: 'src/github/claims.ts', find: 'if (run.environment) return `environment:${run.environment}`;', replace: '', tests: [U('claims')] },
  { feature: 'strangers keep the repository template', file: 'src/github/strangers.ts', find: 'const used = shape ?? shapeOf(claims);', replace: 'const used = shape;', tests: [U('claims'), I('diagnosis')], only: 'stranger|names no repository' },
  { feature: 'advice is pinned until no stranger is admitted', file: 'src/diagnose.ts', find: 'if (admitsOnly(pinned, () => true)) return pinned;', replace: 'return pinned;', tests: [I('diagnosis'), U('diagnose')], only: 'stranger|names no repository|cannot make safe' },
  { feature: 'a refused AssumeRole gets advice for its signer', file: 'src/diagnose.ts', find: "if (cause.code === 'AccessDenied' && ctx.assumeRole) return assumeRoleDiagnosis(cause, ctx, ctx.assumeRole);", replace: '', tests: [I('diagnosis')], only: 'sts:AssumeRole|source role' },
  // Token source
  { feature: 'a young token is reused', file: 'src/token/source.ts', find: 'if (!fresh && last && now() - last.obtainedAt < TOKEN_REUSE_MS) return Promise.resolve(last);', replace: '', tests: [U('token')] },
  { feature: 'concurrent roles share one token request', file: 'src/token/source.ts', find: 'pending ??= obtain()', replace: 'pending = obtain()', tests: [I('profiles')], only: 'two profiles resolve' },
  { feature: 'a token endpoint 5xx is classed transient', file: 'src/token/runner-endpoint.ts', find: 'const transient = res.status >= 500 || res.status === 429 || res.status === 408;', replace: 'const transient = false;', tests: [I('action')], only: 'token endpoint answers 5xx' },
  { feature: 'the audience is asked for', file: 'src/token/runner-endpoint.ts', find: 'audience=${encodeURIComponent(audience)}', replace: 'audience=sts.amazonaws.com', tests: [I('diagnosis')], only: 'does not list the audience' },
  // Network: proxy, deadlines, endpoints
  { feature: 'http-proxy is used', file: 'src/http.ts', find: 'const proxyEnv = proxy ?', replace: 'const proxyEnv = false ?', tests: [I('action')], only: 'through http-proxy' },
  { feature: 'a token request has a deadline', file: 'src/http.ts', find: '), timeoutMs);', replace: '), timeoutMs * 1000);', tests: [I('action')], only: 'token request that never answers' },
  { feature: 'sts-endpoint is used', file: 'src/sts.ts', find: '...(options.endpoint ? { endpoint: options.endpoint } : {}),', replace: '', tests: [I('action')], only: 'sts-endpoint wins' },
  { feature: 'the SDK retries nothing', file: 'src/sts.ts', find: 'maxAttempts: 1,', replace: 'maxAttempts: 3,', tests: [I('action')], only: 'disable-retry makes one attempt|gives up on persistent' },
  { feature: 'an STS call has a deadline', file: 'src/sts.ts', find: 'requestTimeout: REQUEST_TIMEOUT_MS,', replace: 'requestTimeout: 0,', tests: [I('action')], only: 'STS call that never answers' },
  { feature: 'the inline session policy is sent', file: 'src/sts.ts', find: '...(request.policy ? { Policy: request.policy } : {}),', replace: '', tests: [I('action')], only: 'session policies' },
  { feature: 'managed session policies are sent', file: 'src/sts.ts', find: '...(request.policyArns.length > 0 ? { PolicyArns: request.policyArns.map((arn) => ({ arn })) } : {}),', replace: '', tests: [I('action')], only: 'session policies' },
  { feature: 'chained sessions are tagged', file: 'src/sts.ts', find: '...(chaining.tags.length > 0 ? { Tags: chaining.tags } : {}),', replace: '', tests: [I('action')], only: 'TagSession' },
  { feature: 'an unreadable answer is named', file: 'src/sts.ts', find: "if (!e.Code) return new AwsError('UnreadableResponse'", replace: "if (false) return new AwsError('UnreadableResponse'", tests: [I('action')], only: 'garbage' },
  // Exchange
  { feature: 'allowed-account-ids is enforced', file: 'src/exchange.ts', find: 'if (allowed.length > 0 && !allowed.includes(accountId)) throw new AccountError(accountId, allowed);', replace: '', tests: [I('action')], only: 'allowed-account-ids' },
  { feature: 'the session name is sent', file: 'src/sources/source.ts', find: 'sessionName: settings.sessionName,', replace: "sessionName: 'GitHubActions',", tests: [I('action')], only: 'session name' },
  { feature: 'the duration is sent', file: 'src/sources/source.ts', find: 'durationSeconds: settings.durationSeconds,', replace: 'durationSeconds: 3600,', tests: [I('action')], only: 'session name' },
  { feature: 'role-chaining signs with the environment credentials', file: 'src/sources/pick.ts', find: "else if (config.roleChaining && envKeys) environment(", replace: 'else if (false) environment(', tests: [I('action')], only: 'assumes a second role' },
  // Diagnosis
  { feature: 'diagnosis: missing id-token permission', file: 'src/diagnose.ts', find: "if (cause.failure === 'no-permission') {", replace: 'if (false) {', tests: [U('diagnose')] },
  { feature: 'diagnosis: trust policy', file: 'src/diagnose.ts', find: "if (cause.code === 'AccessDenied') return trustDiagnosis(cause, ctx);", replace: '', tests: [I('diagnosis')], only: 'trust policy does not admit' },
  { feature: 'diagnosis: chaining trust', file: 'src/diagnose.ts', find: 'const principal = caller ? sourceRoleArn(caller) : undefined;', replace: 'const principal = caller;', tests: [I('diagnosis')], only: 'does not trust the source role' },
  { feature: 'diagnosis: audience', file: 'src/diagnose.ts', find: "if (cause.code === 'InvalidIdentityToken' && /audience/i.test(cause.message)) {", replace: 'if (false) {', tests: [I('diagnosis')], only: 'audience' },
  { feature: 'diagnosis: missing OIDC provider', file: 'src/diagnose.ts', find: "if (cause.code === 'InvalidIdentityToken' && /No OpenIDConnect provider/i.test(cause.message)) {", replace: 'if (false) {', tests: [I('diagnosis')], only: 'missing from' },
  { feature: 'diagnosis: clock', file: 'src/diagnose.ts', find: "if (cause.code === 'ExpiredTokenException') return clockDiagnosis(said, ctx, tries, retry?.attempts ?? 1);", replace: '', tests: [I('diagnosis')], only: 'expired' },
  { feature: 'diagnosis: session duration', file: 'src/diagnose.ts', find: "if (cause.code === 'ValidationError' && /MaxSessionDuration|session limit|role chaining/i.test(cause.message)) {", replace: 'if (false) {', tests: [U('diagnose'), I('diagnosis')], only: 'longer than the role|chained sessions' },
  { feature: 'diagnosis: malformed policy', file: 'src/diagnose.ts', find: "if (cause.code === 'MalformedPolicyDocument') {", replace: 'if (false) {', tests: [I('diagnosis')], only: 'malformed session policy' },
  { feature: 'diagnosis: packed policy', file: 'src/diagnose.ts', find: "if (cause.code === 'PackedPolicyTooLarge') {", replace: 'if (false) {', tests: [I('diagnosis')], only: 'too large' },
  { feature: 'diagnosis: throttling', file: 'src/diagnose.ts', find: "if (retry && retry.verdict !== 'stop' && /Throttl|RequestLimitExceeded/.test(cause.code)) {", replace: 'if (false) {', tests: [U('diagnose')] },
  { feature: 'diagnosis: environment subject', file: 'src/diagnose.ts', find: "if (kind.startsWith('environment:')) {", replace: 'if (false) {', tests: [I('diagnosis')], only: 'environment subject' },
  { feature: 'diagnosis: immutable subject', file: 'src/diagnose.ts', find: 'if (/@\\d+\\/.+@\\d+$/.test(repo)) {', replace: 'if (false) {', tests: [I('diagnosis')], only: 'immutable' },
  // Profiles and the credential helper
  { feature: 'the refresh margin', file: 'src/profiles.ts', find: 'return Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2);', replace: 'return lifetimeMs / 2;', tests: [U('profiles')] },
  { feature: "the user's sections we define are replaced", file: 'src/aws-config-file.ts', find: 'const removed = file.sections.filter((s) => profilesOf(s).some((name) => profiles.has(name)));', replace: 'const removed: Section[] = [];', tests: [U('profiles'), U('aws-config-file')] },
  { feature: 'replaced sections are reported', file: 'src/main.ts', find: 'for (const { section, by } of replaced) core.warning(', replace: 'for (const { section, by } of replaced.slice(replaced.length)) core.warning(', tests: [I('profiles')], only: 'keeps the user' },
  { feature: 'POSIX quoting: quotes inside an argument', file: 'src/profiles.ts', find: ".replace(/'/g, `'\\\\''`)", replace: '', tests: [U('credential-process-line')] },
  { feature: 'POSIX quoting: # and ; after whitespace', file: 'src/profiles.ts', find: ".replace(/(\\s)([#;])/g, \"$1''$2\")", replace: '', tests: [U('credential-process-line')] },
  { feature: 'Windows quoting: # and ; after whitespace', file: 'src/profiles.ts', find: ".replace(/(\\s)([#;])/g, '$1\"$2\"')", replace: '', tests: [U('credential-process-line')] },
  { feature: 'Windows quoting: trailing backslashes', file: 'src/profiles.ts', find: ".replace(/(\\\\+)$/, '$1$1')", replace: '', tests: [U('credential-process-line')] },
  { feature: "Windows quoting: refuses what cmd.exe rewrites", file: 'src/profiles.ts', find: 'if (/["%]/.test(arg)) throw', replace: 'if (false) throw', tests: [U('credential-process-line')] },
  { feature: 'the helper serves a cache hit', file: 'src/credential-process.ts', find: 'if (cached) {', replace: 'if (false) {', tests: [I('profiles')], only: 'cache hit' },
  { feature: 'the helper refreshes under a lock', file: 'src/refresh.ts', find: 'return withLock(paths.lock, async () => {', replace: 'return (async (f: () => Promise<string>) => f())(async () => {', tests: [I('profiles')], only: 'ten concurrent' },
  { feature: 'the helper re-reads the cache under the lock', file: 'src/refresh.ts', find: 'if (cached) return cached;', replace: '', tests: [I('profiles')], only: 'ten concurrent' },
  { feature: 'the helper writes its cache', file: 'src/refresh.ts', find: 'writeSecretFile(paths.cache, cacheEntry(value, Date.now()));', replace: '', tests: [I('profiles')], only: 'refreshes credentials inside|ten concurrent' },
  { feature: 'the helper breaks an abandoned lock', file: 'src/lock.ts', find: ' && now() - (await fs.stat(current)).mtimeMs <= staleMs', replace: '', tests: [U('lock')] },
  { feature: 'the helper explains a refusal', file: 'src/refresh.ts', find: 'throw new Error(render(diagnosis), { cause: error });', replace: 'throw error;', tests: [I('profiles')], only: 'explains a refusal' },
  // Files
  { feature: 'files are written 0600', file: 'src/files.ts', find: 'constants.O_EXCL, 0o600);', replace: 'constants.O_EXCL, 0o644);', tests: [U('files')] },
  { feature: 'writes refuse a symlink', file: 'src/files.ts', find: "if (guard.lstat(file).isSymbolicLink()) throw new Error(`refusing to write", replace: "if (false) throw new Error(`refusing to write", tests: [U('files')] },
  { feature: 'reads use O_NOFOLLOW', file: 'src/files.ts', find: 'constants.O_RDONLY | guard.noFollow', replace: 'constants.O_RDONLY', tests: [U('files')] },
  { feature: 'Windows reads refuse a symlink', file: 'src/files.ts', find: 'if (looked.isSymbolicLink()) throw', replace: 'if (false) throw', tests: [U('files')] },
  { feature: 'Windows reads refuse a swapped file', file: 'src/files.ts', find: 'if (opened.ino !== looked.ino || opened.dev !== looked.dev) {', replace: 'if (false) {', tests: [U('files')] },
  { feature: 'the private folder is under RUNNER_TEMP', file: 'src/files.ts', find: "if (!runnerTemp) throw new Error('RUNNER_TEMP is not set", replace: "if (false) throw new Error('RUNNER_TEMP is not set", tests: [U('files')] },
  // Added after the merge of sources/, proxy.ts, lock.ts and the new cache format
  { feature: 'the proxy input comes before HTTPS_PROXY', file: 'src/proxy.ts', find: "[['http-proxy', input], ['HTTPS_PROXY', env.HTTPS_PROXY],", replace: "[['HTTPS_PROXY', env.HTTPS_PROXY], ['http-proxy', input],", tests: [U('config')] },
  { feature: 'a proxy without a scheme is an HTTP proxy', file: 'src/proxy.ts', find: 'const withScheme = /^[a-z][a-z\\d+.-]*:\\/\\//i.test(value) ? value : `http://${value}`;', replace: 'const withScheme = value;', tests: [U('config')] },
  { feature: 'a proxy password is redacted when printed', file: 'src/proxy.ts', find: "return `${scheme ?? ''}${colon >= 0 ? `${userinfo.slice(0, colon)}:***` : '***'}@`;", replace: "return `${scheme ?? ''}${userinfo}@`;", tests: [U('config'), U('proxy')] },
  { feature: 'the proxy password is masked as decoded and as sent', file: 'src/proxy.ts', find: 'return [...new Set([decodeURIComponent(secret), secret, basic])];', replace: 'return [secret];', tests: [U('proxy')] },
  { feature: 'the proxy password is masked before any line', file: 'src/main.ts', find: 'for (const secret of proxySecrets(config.proxy)) core.setSecret(secret);', replace: '', tests: [I('action')], only: 'scheme-less HTTPS_PROXY|wrong proxy password' },
  { feature: 'NO_PROXY: a name covers its subdomains', file: 'src/proxy.ts', find: "return name === '' ? undefined : `.${name}`;", replace: "return name === '' ? undefined : name;", tests: [U('proxy')] },
  { feature: 'NO_PROXY: an IPv4 CIDR range', file: 'src/proxy.ts', find: 'return `${intToIpv4(first)}-${intToIpv4(first + size - 1)}`;', replace: 'return undefined;', tests: [U('proxy')] },
  { feature: 'no-proxy adds to NO_PROXY', file: 'src/config.ts', find: "[get('no-proxy'), noProxyFrom(env)]", replace: '[noProxyFrom(env)]', tests: [I('inputs')], only: 'bypass http-proxy' },
  { feature: 'accounts are masked before any line', file: 'src/main.ts', find: '      core.setSecret(account);', replace: '', tests: [I('action'), I('secrets')], only: 'hides the account|masks each account' },
  { feature: 'the failure summary hides masked accounts', file: 'src/main.ts', find: 'failureSummary(diagnosis, claims, accounts)', replace: 'failureSummary(diagnosis, claims, [])', tests: [I('action')], only: 'hides the account' },
  { feature: 'ENOTFOUND in the SDK host is retried', file: 'src/retry.ts', find: "error.code === 'ENOTFOUND' && error.typedHost ?", replace: "error.code === 'ENOTFOUND' ?", tests: [U('retry')] },
  { feature: 'an endpoint the user typed is a typed host', file: 'src/sts.ts', find: 'const typedHost = Boolean(options.endpoint) ||', replace: 'const typedHost = false ||', tests: [I('action')], only: 'in an endpoint the user typed' },
  { feature: 'a proxy that refuses is not retried', file: 'src/retry.ts', find: "if (error.proxyStatus !== undefined) return error.proxyStatus >= 500 ? 'retry' : 'stop';", replace: '', tests: [U('retry'), I('action')], only: 'proxy|classify' },
  { feature: 'aws-region must end in its number', file: 'src/aws-names.ts', find: 'const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\\d{1,2}$/;', replace: 'const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\\d{1,2}/;', tests: [U('config')] },
  { feature: 'the European Sovereign Cloud partition', file: 'src/aws-names.ts', find: '|aws-iso-f|aws-eusc)', replace: '|aws-iso-f)', tests: [U('config')] },
  { feature: 'only known partitions', file: 'src/aws-names.ts', find: "const PARTITION = '(?:aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc)';", replace: "const PARTITION = '(?:aws[a-z-]*)';", tests: [U('config')] },
  { feature: 'the lock: a released generation may be taken', file: 'src/lock.ts', find: 'if (!(await exists(fs, path.join(current, RELEASED))) && now()', replace: 'if (now()', tests: [U('lock')] },
  { feature: 'the lock: its owner marks it released', file: 'src/lock.ts', find: 'await fs.mkdir(path.join(generation, RELEASED), { mode: 0o700 });', replace: '', tests: [U('lock')] },
  { feature: 'the lock: a taken generation is not taken twice', file: 'src/lock.ts', find: "if (code(error) === 'EEXIST') return undefined;", replace: "if (code(error) === 'EEXIST') return `${lock}.${newest + 1}`;", tests: [U('lock')] },
  { feature: 'a short session is refreshed halfway', file: 'src/profiles.ts', find: 'return Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2);', replace: 'return REFRESH_MARGIN_MS;', tests: [U('profiles')] },
  { feature: 'the cache entry holds the refresh time', file: 'src/profiles.ts', find: 'return `${expires - refreshMargin(expires - issuedAt)}\\n${processCredentials(c)}`;', replace: 'return `${expires}\\n${processCredentials(c)}`;', tests: [U('profiles')] },
  { feature: 'a due cache entry is not served', file: 'src/profiles.ts', find: 'newline > 0 && now < Number(entry.slice(0, newline))', replace: 'newline > 0', tests: [U('profiles')] },
  { feature: 'post points AWS_CONFIG_FILE back', file: 'src/post.ts', find: "if (configFile) core.exportVariable('AWS_CONFIG_FILE', configFile);", replace: '', tests: [I('profiles')], only: 'post removes them all|keeps the user' },
  { feature: 'main records the config file to restore', file: 'src/main.ts', find: 'core.saveState(STATE.configFile, shared.config.path);', replace: '', tests: [I('profiles')], only: 'post removes them all|keeps the user' },
  { feature: 'only the listed tag keys are transitive', file: 'src/sources/pick.ts', find: 'transitiveTagKeys: config.transitiveTagKeys,', replace: 'transitiveTagKeys: config.sessionTags.map((t) => t.Key),', tests: [I('inputs')], only: 'no tag passes on' },
  { feature: 'transitive tag keys are sent', file: 'src/sts.ts', find: '...(chaining.transitiveTagKeys.length > 0 ? { TransitiveTagKeys: chaining.transitiveTagKeys } : {}),', replace: '', tests: [I('inputs')], only: 'a listed key passes along' },
  { feature: 'role-external-id is sent', file: 'src/sts.ts', find: '...(chaining.externalId ? { ExternalId: chaining.externalId } : {}),', replace: '', tests: [I('inputs')], only: 'role-external-id' },
  { feature: 'custom-tags may not reuse a key this action sets', file: 'src/session-tags.ts', find: "if (clash) throw new InputError('custom-tags'", replace: "if (false) throw new InputError('custom-tags'", tests: [I('inputs')], only: 'a bad tag' },
  { feature: 'static keys sign AssumeRole', file: 'src/sources/pick.ts', find: "if (config.staticKeys) environment(roleArn, chained('aws-access-key-id', config.staticKeys, roleArn), false);", replace: 'if (false) environment(roleArn, chained(\'aws-access-key-id\', config.staticKeys, roleArn), false);', tests: [I('inputs')], only: 'they sign sts:AssumeRole' },
  { feature: 'force-skip-oidc needs another source', file: 'src/config.ts', find: "if (forceSkipOidc && !tokenFile && roleInput !== '' && !staticKeys && !roleChaining) {", replace: 'if (false) {', tests: [I('inputs')], only: 'without another source of credentials' },
  { feature: 'use-existing-credentials tries them first', file: 'src/sources/pick.ts', find: 'first: config.useExistingCredentials && envKeys ?', replace: 'first: false && envKeys ?', tests: [I('inputs')], only: 'valid credentials in the environment' },
  { feature: 'action-timeout-s', file: 'src/main.ts', find: 'deadline = startDeadline(config.timeoutSeconds);', replace: 'deadline = startDeadline(undefined);', tests: [I('inputs')], only: 'one deadline' },
  { feature: 'aws-profile refuses an existing profile', file: 'src/main.ts', find: 'if (config.awsProfile && !config.overwriteAwsProfile) refuseExistingProfile(config.awsProfile);', replace: '', tests: [I('inputs')], only: 'refuses a profile that already exists' },
  { feature: 'special-characters-workaround', file: 'src/exchange.ts', find: 'for (let draw = 1; hasSpecialCharacters(result.value); draw++) {', replace: 'for (let draw = 1; false; draw++) {', tests: [I('inputs')], only: 'until the secret access key' },
  { feature: 'requestsLeave waits for the requests to leave', file: 'src/http.ts', find: 'for (let turn = 0; turn < 2; turn++)', replace: 'for (let turn = 0; turn < 0; turn++)', tests: [U('http')] },
  { feature: 'the token request leaves before the SDK import', file: 'src/main.ts', find: '    await requestsLeave();\n', replace: '', tests: [I('action')], only: 'before loading the SDK' },
  { feature: 'the STS connection is opened while the token is in flight', file: 'src/sts.ts', find: 'agents.httpsAgent.preconnect(new URL(', replace: 'void (new URL(', tests: [I('preconnect')], only: 'first STS request uses it|through a proxy' },
  { feature: 'a pre-opened connection that was closed is not handed over', file: 'src/http.ts', find: '|| socket.destroyed || !socket.writable) {', replace: ') {', tests: [I('preconnect')], only: 'closes costs no attempt' },
  { feature: 'a step closes the connection it opened ahead of a call', file: 'src/sts.ts', find: '      options.agents.httpsAgent.destroy();\n', replace: '', tests: [I('preconnect')], only: 'token is refused' },
  { feature: 'the helper opens its STS connection while its token is in flight', file: 'src/refresh.ts', find: '    void sts.prepare();\n', replace: '', tests: [I('preconnect')], only: 'helper, when it refreshes' },
  // Added with issue 15: what is learned late is masked as it arrives
  { feature: 'accounts in STS answers are learned', file: 'src/accounts.ts', find: 'learn([...new Set([answer.accountId, ...accountsIn(answer.arn)])]);', replace: '', tests: [U('accounts'), I('secrets')], only: 'tells the accounts|GetCallerIdentity answer|notice' },
  { feature: 'accounts in STS errors are learned', file: 'src/accounts.ts', find: 'learn(accountsIn(error instanceof Error ? error.message : String(error)));', replace: '', tests: [U('accounts'), I('secrets')], only: 'tells the accounts|STS error message|chaining source' },
  { feature: 'main watches STS for accounts', file: 'src/main.ts', find: 'client = learnAccounts ? reportingAccounts(created, learnAccounts) : created;', replace: 'client = created;', tests: [I('secrets')], only: 'masks each account' },
  { feature: 'the success summary hides every account learned', file: 'src/main.ts', find: 'hidden: config.maskAccountId ? accounts : [],', replace: 'hidden: [],', tests: [I('secrets'), I('action')], only: 'success summary|masks the account ID when asked' },
  { feature: 'allowed-account-ids are masked', file: 'src/config.ts', find: "const allowed = input('allowed-account-ids').match(/\\d{12}/g) ?? [];", replace: 'const allowed: string[] = [];', tests: [U('accounts'), I('secrets')], only: 'accountsToMask|from the inputs' },
  { feature: 'the OIDC token is masked as it arrives', file: 'src/token/source.ts', find: 'options.onToken?.(jwt);', replace: '', tests: [I('secrets')], only: 'OIDC token' },
  { feature: 'a proxy user without a password is masked', file: 'src/proxy.ts', find: 'const secret = url.password ? url.password : url.username;', replace: 'const secret = url.password;', tests: [U('proxy'), I('secrets')], only: 'without a password|no password' },
  { feature: "a % that starts no escape is a literal %", file: 'src/proxy.ts', find: "if (escaped !== url[part]) url[part] = escaped;", replace: '', tests: [U('proxy'), I('secrets')], only: 'starts no escape' },
  { feature: 'an @ after the host part is refused', file: 'src/proxy.ts', find: "if (end >= 0 && afterScheme.slice(end).includes('@')) throw", replace: 'if (false) throw', tests: [I('secrets'), U('config')], only: 'unencoded|bad proxy' },
  { feature: 'logged lines are one line', file: 'src/main.ts', find: "core.info(line.replace(/[\\r\\n]+/g, ' '));", replace: 'core.info(line);', tests: [I('secrets')], only: 'main step logs' },
  { feature: "the helper's explanation is one line", file: 'src/credential-process.ts', find: "message.replace(/\\s*[\\r\\n]\\s*/g, ' ')", replace: "message.replace(/\\s*\\n\\s*/g, ' ')", tests: [I('secrets')], only: 'carriage return' },
  { feature: 'summary code spans cannot be closed', file: 'src/summary.ts', find: "const fence = '`'.repeat(longestBackticks(text) + 1);", replace: "const fence = '`';", tests: [I('secrets')], only: 'code span' },
  { feature: 'the summary headline is escaped', file: 'src/summary.ts', find: '`**${plain(diagnosis.headline)}**`', replace: '`**${diagnosis.headline}**`', tests: [I('secrets')], only: 'renders no HTML' },
  // Trust check
  { feature: 'trust check: steps of configure-aws-credentials count', file: 'src/check/workflows.ts', find: '/^aws-actions\\/configure-aws-credentials@/i, ', replace: '', tests: [U('trust-check'), U('trust-check-runs')] },
  { feature: 'trust check: local reusable workflows are followed', file: 'src/check/workflows.ts', find: 'else if (!seen.has(target)) visit(', replace: 'else if (false) visit(', tests: [U('trust-check'), U('trust-check-runs')] },
  { feature: "trust check: a reusable workflow's inputs and a job's matrix resolve its with:", file: 'src/check/workflows.ts', find: 'value?.replace(INPUT, (whole, name: string) => inputs[name] ?? whole)', replace: 'value', tests: [U('trust-check'), U('trust-check-runs')] },
  { feature: 'trust check: keys, a token file or role chaining are not OIDC', file: 'src/check/judge.ts', find: 'if (step.notOidc) {', replace: 'if (false) {', tests: [U('trust-check-runs'), U('trust-check')] },
  { feature: 'trust check: branch filters alone mean no tag runs', file: 'src/check/runs.ts', find: "const onTags = !anyFilter || 'tags' in filters || 'tags-ignore' in filters;", replace: 'const onTags = true;', tests: [U('trust-check-runs')] },
  { feature: 'trust check: pull_request_target runs on the base branch', file: 'src/check/runs.ts', find: 'pull_request_target into ${b.said}`, heads(b), b,', replace: 'pull_request_target into ${b.said}`, PULL_REQUEST_REF, b,', tests: [U('trust-check-runs')] },
  { feature: "trust check: a false if: drops the run", file: 'src/check/runs.ts', find: "return verdicts.every(([, holds]) => holds !== false);", replace: 'return true;', tests: [U('trust-check-runs')] },
  { feature: 'trust check: the last matching filter decides', file: 'src/check/filters.ts', find: 'if (matches(atoms, name)) admitted = !negated;', replace: 'if (matches(atoms, name)) admitted = true;', tests: [U('trust-check-runs')] },
  { feature: 'trust check: a role is matched by ARN when both are known', file: 'src/check/judge.ts', find: 'return policy.roleArn === role;', replace: 'return true;', tests: [U('trust-check')] },
  { feature: 'trust check: an unnamed role is refused only when no policy admits it', file: 'src/check/judge.ts', find: 'if (!judged.some((j) => j.verdict.allowed)) refused.push(...judged);', replace: 'refused.push(...judged.filter((j) => !j.verdict.allowed));', tests: [U('trust-check'), I('trust-check')] },
  { feature: 'trust check: strangers are tried against every policy', file: 'src/check/judge.ts', find: "tried.push({ policy, role, stranger, verdict: judgeOne(policy, role, stranger.claims, assumed) });", replace: '', tests: [U('trust-check'), I('trust-check')] },
  { feature: 'trust check: the fix is re-checked against the strangers', file: 'src/check/fix.ts', find: "else if (admitted) failed =", replace: 'else if (false) failed =', tests: [U('trust-check')] },
  { feature: 'trust check: the fix keeps the conditions that admit every run', file: 'src/check/fix.ts', find: "if (input.runs.every((run) => judge(alone, run.claims).allowed)) (kept[operator] ??= {})[key] = value as string | string[];", replace: '', tests: [U('trust-check')] },
  { feature: 'trust check: exit 1 on an admitted stranger', file: 'src/check/report.ts', find: 'result.judgement.refused.length > 0 || result.judgement.strangers.length > 0 ? 1 : 0', replace: 'result.judgement.refused.length > 0 ? 1 : 0', tests: [I('trust-check')] },
  { feature: 'trust check: bad input exits 2', file: 'src/check/report.ts', find: 'if (result.errors.length > 0) return 2;', replace: '', tests: [I('trust-check')] },
  { feature: 'trust check: refused runs are annotated on their job', file: 'src/check/report.ts', find: 'lines.push(command(run.job.workflow, run.job.line, message));', replace: '', tests: [I('trust-check')] },
];

// A mutant can make a test wait forever (a lock never taken): a run that has not passed by then failed.
const RUN_TIMEOUT_MS = 300_000;

function run(command: string, args: string[]): boolean {
  return spawnSync(command, args, { cwd: ROOT, stdio: 'ignore', timeout: RUN_TIMEOUT_MS, env: { ...process.env, NODE_OPTIONS: '--experimental-vm-modules' } }).status === 0;
}

// --unit / --integration keep only the mutants whose tests are all unit tests (no build) or that need one.
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const isUnit = (m: Mutant) => m.tests.every((t) => t.startsWith('test/unit/'));
const kind = (m: Mutant) => (flags.includes('--unit') ? isUnit(m) : flags.includes('--integration') ? !isUnit(m) : true);
// MUTATE_SHARD=i/n takes every n-th mutant from the i-th, so n clones of the repository can share the work.
const [shard = 0, shards = 1] = (process.env.MUTATE_SHARD ?? '0/1').split('/').map(Number);
const chosen = (wanted.length > 0 ? MUTANTS.filter((m) => wanted.some((w) => m.feature.includes(w))) : MUTANTS).filter(kind).filter((_, i) => i % shards === shard);
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
