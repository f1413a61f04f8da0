// Issue 22, on repositories shaped like the field repositories that showed each item (test/fixtures/repos/):
// tokens GitHub really issues, conditions STS never sees, strangers with their own subject template, and
// the counting and wording of the report. Each verdict through the modules: workflows → runs → claims →
// evaluator, strangers, the advised fix re-checked, and the text a person reads.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { adviseFix, fixesFor } from '../../src/check/fix.ts';
import { judge } from '../../src/check/judge.ts';
import { annotations, exitCode, onceEach, summary, toJson, toText, type CheckResult } from '../../src/check/report.ts';
import type { Repository } from '../../src/check/repository.ts';
import { readWorkflows } from '../../src/check/workflows.ts';
import { claimsFor, type SubjectShape } from '../../src/github/claims.ts';
import { evaluate, webIdentityRequest } from '../../src/iam/evaluate.ts';
import { toPolicyDocument } from '../../src/iam/policy.ts';
import type { FoundPolicy } from '../../src/policies/found.ts';

const REPOS = path.join('test', 'fixtures', 'repos');
const ACCOUNT = '111111111111';
const ROLE = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const base: Repository = { owner: 'acme', repo: 'webapp', ownerId: '100', repoId: '200', defaultBranch: 'main', shape: { useDefault: true, includeClaimKeys: [] }, assumed: [] };
const template = (...includeClaimKeys: string[]): SubjectShape => ({ useDefault: false, includeClaimKeys });

async function check(repo: string, policies: Record<string, string>, repository: Repository = base) {
  const dir = path.join(REPOS, repo, '.github', 'workflows');
  const files = readdirSync(dir)
    .sort()
    .map((name) => ({ path: `.github/workflows/${name}`, text: readFileSync(path.join(dir, name), 'utf8') }));
  const workflows = await readWorkflows(files);
  const found: FoundPolicy[] = Object.entries(policies).map(([file, roleArn]) => ({ where: file, file, roleArn, document: toPolicyDocument(readFileSync(path.join(REPOS, repo, file), 'utf8')), assumed: [] }));
  const judgement = judge(workflows.jobs, found, repository);
  const result: CheckResult = { judgement, fixes: fixesFor(judgement, repository), errors: workflows.errors, assumed: [...repository.assumed, ...workflows.assumed, ...judgement.assumed] };
  return result;
}

/** Every advised fix is re-checked: each run with a token admitted, every stranger tried refused. */
function expectFixHolds(result: CheckResult) {
  expect(result.fixes.length).toBeGreaterThan(0);
  for (const fix of result.fixes) {
    expect(fix.failed).toBeUndefined();
    for (const run of result.judgement.runs.filter((r) => r.policy === fix.policy && !r.noToken)) expect(evaluate(fix.document, webIdentityRequest(run.claims, ACCOUNT)).allowed).toBe(true);
    const tried = result.judgement.tried.filter((s) => s.policy === fix.policy);
    expect(tried.length).toBeGreaterThan(0);
    for (const s of tried) expect([s.stranger.who, evaluate(fix.document, webIdentityRequest(s.stranger.claims, ACCOUNT)).allowed]).toEqual([s.stranger.who, false]);
  }
}

describe('claims: tokens as GitHub issues them', () => {
  test("a ':' inside an environment's name is written %3A in sub (field: environments named NAME:VERSION)", async () => {
    const escaped = await check('colon-environment', { 'infra/escaped.json': ROLE('deploy') });
    expect(escaped.judgement.runs.map((r) => [r.claims.sub, r.claims.environment, r.verdict.allowed])).toEqual([['repo:acme/webapp:environment:Production%3AV1', 'Production:V1', true]]);
    expect(exitCode(escaped)).toBe(0);
    // The policy written with the ':' as it is never matches what GitHub sends.
    const raw = await check('colon-environment', { 'infra/raw.json': ROLE('deploy') });
    expect(raw.judgement.refused).toHaveLength(1);
    expect(exitCode(raw)).toBe(1);
  });

  test("a template that names workflow renders the run's workflow name in sub, as in its claims", async () => {
    const result = await check('workflow-template', { 'infra/pinned.json': ROLE('deploy') }, { ...base, shape: template('repo', 'workflow') });
    const [run] = result.judgement.runs;
    expect(run!.claims.workflow).toBe('deploy');
    expect(run!.claims.sub).toBe('repo:acme/webapp:workflow:deploy');
    expect(run!.verdict.allowed).toBe(true);
  });

  test('a deployment of a commit SHA presents ref "" and workflow_ref @SHA; the one of a branch its ref; both said (field: deployments created by a platform)', async () => {
    const result = await check('deployment', { 'infra/main-only.json': ROLE('deploy') });
    expect(result.judgement.runs.map((r) => [r.predicted.trigger, r.claims.ref, r.claims.ref_type, r.claims.sub, r.verdict.allowed])).toEqual([
      ['deployment of the default branch main', 'refs/heads/main', 'branch', 'repo:acme/webapp:ref:refs/heads/main', true],
      ['deployment of a commit SHA (ref "")', '', '', 'repo:acme/webapp:ref:', false],
    ]);
    const sha = result.judgement.runs[1]!;
    expect(sha.claims.workflow_ref).toMatch(/^acme\/webapp\/\.github\/workflows\/deploy\.yml@[0-9a-f]{40}$/);
    expect(sha.claims.job_workflow_ref).toBe(sha.claims.workflow_ref);
    expect(result.assumed.join('\n')).toMatch(/deployment: the ref is the one the deployment was created with/);
    expectFixHolds(result);
  });

  test('a template that includes environment, on a job with none: GitHub issues no token, a finding; no subject invented', async () => {
    const result = await check('environment-template', { 'infra/prod.json': ROLE('deploy') }, { ...base, shape: template('repo', 'environment') });
    const [test, deploy] = result.judgement.runs;
    expect(test!.job.job).toBe('test');
    expect(test!.noToken).toMatch(/includes environment and this job has none: GitHub issues no token/);
    expect(test!.claims.sub).toBeUndefined();
    expect(result.judgement.refused).toEqual([test]);
    expect(deploy!.claims.sub).toBe('repo:acme/webapp:environment:prod');
    expect(exitCode(result)).toBe(1);
    const text = toText(result);
    expect(text).toMatch(/ci\.yml:11 test: push to main +\(no token\) +REFUSED: the subject template includes environment/);
    expect(text).not.toContain('environment:undefined');
    expect(text).not.toMatch(/environment:(\s|$)/m);
    expect(toJson(result).runs[0]!.claims.sub).toBeUndefined();
  });
});

describe('IAM: a condition on a claim STS does not offer', () => {
  test('a Deny on event_name never applies: a finding naming the key and the keys STS offers; the pull request is admitted', async () => {
    const result = await check('unoffered-key', { 'infra/deny-pr.json': ROLE('deploy') });
    expect(result.judgement.runs.map((r) => [r.predicted.event, r.verdict.allowed])).toEqual([
      ['push', true],
      ['pull_request', true],
    ]);
    expect(result.judgement.unoffered.map((u) => [u.effect, u.key, u.holds])).toEqual([['Deny', 'token.actions.githubusercontent.com:event_name', 'never']]);
    expect(exitCode(result)).toBe(1);
    const text = toText(result);
    expect(text).toContain(
      "infra/deny-pr.json statement 2 (Deny): StringEquals token.actions.githubusercontent.com:event_name is not offered by STS (for GitHub's tokens it offers only aud, sub, actor, actor_id, enterprise_id, environment, job_workflow_ref, ref, repository, repository_id, repository_owner_id, workflow), so the condition sees no value: this Deny never applies",
    );
    expect(text.trim().split('\n').at(-1)).toBe('0 refused run(s), 0 stranger(s) admitted, 1 Deny condition(s) that never apply.');
  });

  test('an Allow that tests event_name refuses every run, and its verdict names the key as not offered by STS', async () => {
    const result = await check('unoffered-key', { 'infra/allow-push.json': ROLE('deploy') });
    expect(result.judgement.refused).toHaveLength(2);
    for (const run of result.judgement.refused) expect(run.verdict.why).toMatch(/token\.actions\.githubusercontent\.com:event_name is not offered by STS/);
    // An Allow's condition is no finding by itself: the refused runs are.
    expect(result.judgement.unoffered.map((u) => u.effect)).toEqual(['Allow']);
    expectFixHolds(result);
  });
});

describe('counting and wording', () => {
  const policies = { 'infra/main.json': ROLE('main'), 'infra/pr.json': ROLE('pr'), 'infra/elsewhere.json': ROLE('elsewhere') };

  test('a role given as a secret is judged against every policy, each run counted once with the policies that admit it', async () => {
    const result = await check('secret-roles', policies);
    // 3 runs × 3 policies judged; one run (the tag) admitted by none: one refused run, not 3 (nor 7).
    expect(result.judgement.runs).toHaveLength(9);
    expect(result.judgement.refused.map((r) => r.claims.ref)).toEqual(['refs/tags/v1']);
    expect(result.judgement.refused[0]!.verdict.why).toMatch(/^no policy given admits it: infra\/main\.json: .*; infra\/pr\.json: .*; infra\/elsewhere\.json: /);
    const text = toText(result);
    const rows = text.split('\n').filter((line) => line.startsWith('.github/workflows/deploy.yml:'));
    expect(rows.map((row) => row.replace(/ {2,}/g, ' | '))).toEqual([
      '.github/workflows/deploy.yml:15 deploy: push to main | repo:acme/webapp:ref:refs/heads/main | admitted by infra/main.json',
      expect.stringMatching(/^\.github\/workflows\/deploy\.yml:15 deploy: push of .*tag .* \| repo:acme\/webapp:ref:refs\/tags\/v1 \| REFUSED: no policy given admits it/),
      '.github/workflows/deploy.yml:15 deploy: pull request into main | repo:acme/webapp:pull_request | admitted by infra/pr.json',
    ]);
    expect(text.trim().split('\n').at(-1)).toBe('1 refused run(s), 0 stranger(s) admitted.');
  });

  test('when some policy admits every run, no row says REFUSED and the summary says every run is admitted', async () => {
    const result = await check('secret-roles', { 'infra/main.json': ROLE('main'), 'infra/elsewhere.json': ROLE('elsewhere') });
    const onlyMain = result.judgement.runs.filter((r) => r.verdict.allowed).map((r) => r.predicted.event);
    expect(onlyMain).toEqual(['push']);
    // The two runs main.json refuses are findings, and the table and the summary say the same.
    const text = toText(result);
    const refusedRows = text.split('\n').filter((line) => / REFUSED/.test(line));
    expect(refusedRows).toHaveLength(result.judgement.refused.length);
    expect(text.trim().split('\n').at(-1)).toBe(`${result.judgement.refused.length} refused run(s), 0 stranger(s) admitted.`);
  });
});

describe('strangers with their own subject template', () => {
  const whoOf = (result: CheckResult) => result.judgement.strangers.map((s) => s.stranger.who);

  test("StringLike workflow:deploy:* admits a stranger whose template is workflow,repo; the fix pins the repository's sub and keeps it out", async () => {
    const result = await check('workflow-template', { 'infra/workflow-first.json': ROLE('deploy') }, { ...base, shape: template('workflow', 'repo') });
    expect(result.judgement.runs.map((r) => [r.claims.sub, r.verdict.allowed])).toEqual([['workflow:deploy:repo:acme/webapp', true]]);
    const own = result.judgement.strangers.find((s) => s.stranger.who.startsWith('a repository with its own subject template'))!;
    expect(own.stranger.who).toBe('a repository with its own subject template (intruder/evil, include_claim_keys workflow,repo)');
    expect(own.stranger.claims.sub).toBe('workflow:deploy:repo:intruder/evil');
    expect(exitCode(result)).toBe(1);
    expectFixHolds(result);
    expect(result.fixes[0]!.condition.StringLike).toEqual({ 'token.actions.githubusercontent.com:sub': 'workflow:deploy:repo:acme/webapp' });
    expect(toText(result)).toContain("StringLike sub 'workflow:deploy:*' lets in 'workflow:deploy:repo:intruder/evil'; keep it out: pin sub to 'workflow:deploy:repo:acme/webapp' (the fix below)");
  });

  test("the same policy, for a repository with GitHub's default template: a stranger with the template workflow,repo still gets in", async () => {
    const result = await check('workflow-template', { 'infra/workflow-first.json': ROLE('deploy') });
    expect(result.judgement.refused).toHaveLength(1);
    expect(whoOf(result)).toContain('a repository with its own subject template (intruder/evil, include_claim_keys workflow,repo)');
    expectFixHolds(result);
  });

  test("StringEquals workflow:deploy:repo:acme/webapp: no value can forge the repo segment (':' is written %3A), so no stranger", async () => {
    const result = await check('workflow-template', { 'infra/workflow-pinned.json': ROLE('deploy') }, { ...base, shape: template('workflow', 'repo') });
    expect(result.judgement.runs.map((r) => r.verdict.allowed)).toEqual([true]);
    expect(result.judgement.strangers).toEqual([]);
    expect(result.judgement.tried.some((s) => s.stranger.who.startsWith('a repository with its own subject template'))).toBe(true);
    expect(exitCode(result)).toBe(0);
  });

  test('StringEquals environment:prod admits a stranger whose template is environment; the fix pins repository_id', async () => {
    const result = await check('environment-template', { 'infra/environment-only.json': ROLE('deploy') }, { ...base, shape: template('environment') });
    expect(result.judgement.runs.filter((r) => !r.noToken).map((r) => [r.claims.sub, r.verdict.allowed])).toEqual([['environment:prod', true]]);
    expect(whoOf(result)).toContain('a repository with its own subject template (intruder/evil, include_claim_keys environment)');
    expectFixHolds(result);
    expect(result.fixes[0]!.condition.StringEquals).toEqual({ 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:repository_id': '200' });
    expect(toText(result)).toContain("keep it out: pin sub to 'environment:prod' and repository_id to '200' (the fix below)");
    // Without the repository's ID, no fix is claimed, and the way out is named.
    const noId = await check('environment-template', { 'infra/environment-only.json': ROLE('deploy') }, { owner: 'acme', repo: 'webapp', defaultBranch: 'main', shape: template('environment'), assumed: [] });
    expect(noId.fixes[0]!.failed).toMatch(/would still be admitted: .*a subject template with repo first would name the repository; so would a condition on repository_id/);
    expect(toText(noId)).toContain('keep it out: pin repo: first in sub (a subject template that starts with repo), pin repository_id, or both');
  });
});

describe('strangers: owner prefixes and callers', () => {
  test('repo:acme* admits an owner whose name begins with acme (acme-evil/webapp)', async () => {
    const result = await check('strangers', { 'infra/owner-prefix.json': ROLE('deploy') });
    const owner = result.judgement.strangers.find((s) => s.stranger.who.startsWith('an owner whose name begins with yours'))!;
    expect(owner.stranger.claims.sub).toBe('repo:acme-evil/webapp:ref:refs/heads/main');
    expectFixHolds(result);
  });

  test('callers are tried only for a workflow that has workflow_call, and each is reported once, whatever the refs', async () => {
    const text = readFileSync(path.join(REPOS, 'strangers', '.github', 'workflows', 'deploy.yml'), 'utf8').replace("    branches: [main]\n", "    branches: [main, 'release/*']\n    tags: ['v*']\n  workflow_call:\n");
    const workflows = await readWorkflows([{ path: '.github/workflows/deploy.yml', text }]);
    const document = toPolicyDocument(readFileSync(path.join(REPOS, 'strangers', 'infra', 'no-sub.json'), 'utf8'));
    const policy: FoundPolicy = { where: 'no-sub', file: 'no-sub', roleArn: ROLE('deploy'), document, assumed: [] };
    const judgement = judge(workflows.jobs, [policy], base);
    expect(new Set(judgement.runs.map((r) => r.claims.ref)).size).toBeGreaterThan(1);
    const callers = judgement.strangers.filter((s) => s.stranger.who.startsWith('a caller of'));
    expect(callers.map((s) => s.stranger.who)).toEqual(['a caller of acme/webapp/.github/workflows/deploy.yml from another owner (intruder/caller)']);
    // Without workflow_call, nobody calls it.
    const plain = await check('strangers', { 'infra/no-sub.json': ROLE('deploy') });
    expect(plain.judgement.tried.some((s) => s.stranger.who.startsWith('a caller of'))).toBe(false);
  });
});

describe('wording', () => {
  test('"Assumed" lists each fact once: the same note about several jobs is one line naming them', async () => {
    // Two jobs of one workflow, both assuming the secret role on workflow_dispatch (field: a repository with a job per account).
    const text = readFileSync(path.join(REPOS, 'secret-roles', '.github', 'workflows', 'deploy.yml'), 'utf8').replace('  pull_request:\n    branches: [main]\n', '  workflow_dispatch:\n');
    const twice = `${text}  audit:\n${text.split('  deploy:\n')[1]}`;
    const workflows = await readWorkflows([{ path: '.github/workflows/deploy.yml', text: twice }]);
    expect(workflows.jobs.map((j) => j.job)).toEqual(['deploy', 'audit']);
    const document = toPolicyDocument(readFileSync(path.join(REPOS, 'secret-roles', 'infra', 'main.json'), 'utf8'));
    const judgement = judge(workflows.jobs, [{ where: 'infra/main.json', file: 'infra/main.json', roleArn: ROLE('main'), document, assumed: [] }], base);
    const result: CheckResult = { judgement, fixes: fixesFor(judgement, base), errors: [], assumed: judgement.assumed };
    const assumed = toText(result).split('Assumed:\n')[1]!.split('\n\n')[0]!.split('\n');
    expect(assumed).toEqual([
      '  - workflow_dispatch can be started on any branch or tag; predicted on the default branch main (.github/workflows/deploy.yml jobs deploy, audit)',
      "  - role ${{ secrets.AWS_ROLE }} is known only to the run, so it is tried against every policy given that trusts GitHub's OIDC provider (.github/workflows/deploy.yml jobs deploy, audit)",
    ]);
    expect(toJson(result).assumed).toHaveLength(2);
  });

  test('onceEach: a note made twice is listed once; a note about one place keeps its place first', () => {
    expect(onceEach(['a.yml job x: same', 'default branch main (neither git nor GitHub said)', 'a.yml job x: same', 'infra/p.json#Role: other', 'b.yml job y: same'])).toEqual([
      'same (a.yml job x; b.yml job y)',
      'default branch main (neither git nor GitHub said)',
      'infra/p.json#Role: other',
    ]);
  });

  test('a stand-in account is called that wherever it appears: tables, strangers, fix, assumed, annotations, summary, JSON', async () => {
    // The policy names no account (no role ARN, no provider ARN: Principal *) and the role is named without one: judged in the stand-in account.
    const document = toPolicyDocument(readFileSync(path.join(REPOS, 'strangers', 'infra', 'owner-wide.json'), 'utf8'));
    const foreign = { ...document, Statement: document.Statement.map((st) => ({ ...st, Principal: '*' as const })) };
    const workflows = await readWorkflows([{ path: '.github/workflows/deploy.yml', text: readFileSync(path.join(REPOS, 'strangers', '.github', 'workflows', 'deploy.yml'), 'utf8') }]);
    const policy: FoundPolicy = { where: 'infra/trust.json', file: 'infra/trust.json', roleName: 'deploy', document: foreign, assumed: [] };
    const moved = workflows.jobs.map((job) => ({ ...job, steps: job.steps.map((st) => ({ ...st, roleToAssume: 'deploy' })) }));
    const judgement = judge(moved, [policy], base);
    const result: CheckResult = { judgement, fixes: fixesFor(judgement, base), errors: [], assumed: judgement.assumed };
    const outputs = [toText(result), ...annotations(result), summary(result), JSON.stringify(toJson(result))];
    const lines = outputs.flatMap((o) => o.split('\n')).filter((line) => line.includes('123456789012') && !/"Federated"|oidc-provider\/token\.actions\.githubusercontent\.com"$/.test(line));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect([line, line.includes('stand-in')]).toEqual([line, true]);
  });
});

test("the fix is re-checked against strangers with their own template shaped for the fix's own subjects", () => {
  // A repository whose template is ref alone (field: include_claim_keys ["ref"]): its subjects name no repository.
  const run = { owner: 'acme', repo: 'webapp', ownerId: '100', repoId: '200', eventName: 'push', ref: 'refs/heads/main', workflowRef: 'acme/webapp/.github/workflows/deploy.yml@refs/heads/main' };
  const claims = claimsFor(run, 'sts.amazonaws.com', template('ref'));
  const policy: FoundPolicy = { where: 'p', file: 'p', document: toPolicyDocument(readFileSync(path.join(REPOS, 'strangers', 'infra', 'no-sub.json'), 'utf8')), assumed: [] };
  // No stranger given: the fix alone must find that 'ref:refs/heads/main' is minted by anyone with that template.
  const fix = adviseFix({ policy, account: ACCOUNT, partition: 'aws', runs: [{ claims, pattern: claims }], strangers: [] });
  expect(fix.failed).toBeUndefined();
  expect(fix.condition.StringEquals).toMatchObject({ 'token.actions.githubusercontent.com:repository_id': '200' });
  const elsewhere = claimsFor({ ...run, owner: 'intruder', repo: 'evil', ownerId: '1', repoId: '2' }, 'sts.amazonaws.com', template('ref'));
  expect(evaluate(fix.document, webIdentityRequest(elsewhere, ACCOUNT)).allowed).toBe(false);
  expect(evaluate(fix.document, webIdentityRequest(claims, ACCOUNT)).allowed).toBe(true);
});
