// The trust check's judgement on repositories shaped like real ones (test/fixtures/repos/), each verdict
// both ways, through the modules: workflows → runs → claims → evaluator, strangers and the advised fix.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { adviseFix, fixesFor } from '../../src/check/fix.ts';
import { judge, type Judgement } from '../../src/check/judge.ts';
import type { Repository } from '../../src/check/repository.ts';
import { remoteReader } from '../../src/check/workflow-sources.ts';
import { readWorkflows, type ReadRemoteWorkflow, type RemoteWorkflow } from '../../src/check/workflows.ts';
import { evaluate, webIdentityRequest } from '../../src/iam/evaluate.ts';
import { toPolicyDocument } from '../../src/iam/policy.ts';
import type { FoundPolicy } from '../../src/policies/found.ts';

const REPOS = path.join('test', 'fixtures', 'repos');
const repository: Repository = { owner: 'acme', repo: 'webapp', defaultBranch: 'main', shape: { useDefault: true, includeClaimKeys: [] }, assumed: [] };

async function check(repo: string, policies: Record<string, string>, shape = repository) {
  const dir = path.join(REPOS, repo, '.github', 'workflows');
  const files = readdirSync(dir)
    .sort()
    .map((name) => ({ path: `.github/workflows/${name}`, text: readFileSync(path.join(dir, name), 'utf8') }));
  const workflows = await readWorkflows(files);
  const found: FoundPolicy[] = Object.entries(policies).map(([file, roleArn]) => ({
    where: file,
    file,
    roleArn,
    document: toPolicyDocument(readFileSync(path.join(REPOS, repo, file), 'utf8')),
    assumed: [],
  }));
  const judgement = judge(workflows.jobs, found, shape);
  return { workflows, judgement, fixes: fixesFor(judgement, shape) };
}

const verdicts = (j: Judgement) => j.runs.map((r) => `${r.job.job} ${r.predicted.event} ${r.claims.sub} ${r.verdict.allowed ? 'admitted' : 'refused'}`);
const ROLE = (name: string) => `arn:aws:iam::111111111111:role/${name}`;

/** The fix is advised only once the evaluator admits every run of the repository with it and no stranger. */
function expectFixHolds(result: Awaited<ReturnType<typeof check>>) {
  expect(result.fixes.length).toBeGreaterThan(0);
  for (const fix of result.fixes) {
    expect(fix.failed).toBeUndefined();
    for (const run of result.judgement.runs.filter((r) => r.policy === fix.policy)) {
      expect(evaluate(fix.document, webIdentityRequest(run.claims, '111111111111')).allowed).toBe(true);
    }
    const tried = result.judgement.tried.filter((s) => s.policy === fix.policy);
    expect(tried.length).toBeGreaterThan(0);
    for (const s of tried) expect(evaluate(fix.document, webIdentityRequest(s.stranger.claims, '111111111111')).allowed).toBe(false);
  }
}

describe('the after-merge mistake: a policy that admits only pull_request beside a deploy on push to main', () => {
  test('the pull request run is admitted and the push to main refused, naming the condition', async () => {
    const result = await check('after-merge', { 'infra/deploy-trust.json': ROLE('deploy') });
    expect(verdicts(result.judgement)).toEqual([
      'plan pull_request repo:acme/webapp:pull_request admitted',
      'deploy push repo:acme/webapp:ref:refs/heads/main refused',
    ]);
    const refused = result.judgement.refused[0]!;
    expect(refused.job.workflow).toBe('.github/workflows/deploy.yml');
    expect(refused.claims.workflow).toBe('Deploy');
    expect(refused.job.line).toBe(11);
    expect(refused.verdict.why).toContain('repo:acme/webapp:pull_request');
    expect(result.judgement.strangers).toEqual([]);
  });

  test('the advised fix admits both runs and no stranger', async () => {
    const result = await check('after-merge', { 'infra/deploy-trust.json': ROLE('deploy') });
    expectFixHolds(result);
    expect(result.fixes[0]!.condition.StringLike).toEqual({ 'token.actions.githubusercontent.com:sub': ['repo:acme/webapp:pull_request', 'repo:acme/webapp:ref:refs/heads/main'] });
  });

  test('with the policy that admits the push too, every run is admitted and nothing is advised', async () => {
    const result = await check('after-merge', { 'infra/deploy-trust-fixed.json': ROLE('deploy') });
    expect(result.judgement.refused).toEqual([]);
    expect(result.judgement.runs).toHaveLength(2);
    expect(result.fixes).toEqual([]);
  });

  test('a policy for another role judges none of these runs', async () => {
    const result = await check('after-merge', { 'infra/deploy-trust.json': ROLE('other') });
    expect(result.judgement.runs).toEqual([]);
    expect(result.judgement.assumed.join('\n')).toContain(`role ${ROLE('deploy')}`);
  });

  test('a role written as its name matches the policy that names that role, in any account', async () => {
    const text = readFileSync(path.join(REPOS, 'after-merge', '.github', 'workflows', 'deploy.yml'), 'utf8').replace(ROLE('deploy'), 'deploy');
    const workflows = await readWorkflows([{ path: '.github/workflows/deploy.yml', text }]);
    const document = toPolicyDocument(readFileSync(path.join(REPOS, 'after-merge', 'infra', 'deploy-trust.json'), 'utf8'));
    const named: FoundPolicy = { where: 'named', file: 'named', roleName: 'deploy', document, assumed: [] };
    const other: FoundPolicy = { where: 'other', file: 'other', roleArn: ROLE('deployer'), document, assumed: [] };
    const result = judge(workflows.jobs, [named, other], repository);
    expect(result.runs.map((r) => r.policy.where)).toEqual(['named']);
    // The account comes from the policy's GitHub provider when neither the role nor the policy names it.
    expect(result.runs[0]!.verdict.why).toContain('repo:acme/webapp:pull_request');
  });
});

describe('environments', () => {
  test('the environment decides sub: production admitted, staging refused, on every trigger', async () => {
    const result = await check('environments', { 'infra/release-trust.json': ROLE('release') });
    expect(verdicts(result.judgement)).toEqual([
      'staging push repo:acme/webapp:environment:staging refused',
      'staging workflow_dispatch repo:acme/webapp:environment:staging refused',
      'production push repo:acme/webapp:environment:production admitted',
      'production workflow_dispatch repo:acme/webapp:environment:production admitted',
    ]);
    expect(result.judgement.runs[0]!.claims.environment).toBe('staging');
    expect(result.judgement.runs[0]!.claims.ref).toBe('refs/tags/v1');
    expectFixHolds(result);
  });

  test('with both environments admitted, nothing is refused', async () => {
    const result = await check('environments', { 'infra/release-trust-fixed.json': ROLE('release') });
    expect(result.judgement.refused).toEqual([]);
    expect(result.judgement.runs).toHaveLength(4);
  });
});

describe('a reusable workflow', () => {
  test('job_workflow_ref names the called file, sub describes the caller', async () => {
    const result = await check('reusable', { 'infra/pinned.json': ROLE('reusable') });
    expect(result.judgement.runs).toHaveLength(1);
    const [run] = result.judgement.runs;
    expect(run!.job.workflow).toBe('.github/workflows/main.yml');
    expect(run!.job.called).toEqual([{ workflow: '.github/workflows/deploy.yml', job: 'apply', line: 13 }]);
    expect(run!.claims.sub).toBe('repo:acme/webapp:ref:refs/heads/main');
    expect(run!.claims.job_workflow_ref).toBe('acme/webapp/.github/workflows/deploy.yml@refs/heads/main');
    expect(run!.claims.workflow_ref).toBe('acme/webapp/.github/workflows/main.yml@refs/heads/main');
    expect(run!.verdict.allowed).toBe(true);
    expect(result.judgement.strangers).toEqual([]);
  });

  test('a policy that pins only the called workflow admits a caller from another owner', async () => {
    const result = await check('reusable', { 'infra/workflow-only.json': ROLE('reusable') });
    expect(result.judgement.refused).toEqual([]);
    const whos = result.judgement.strangers.map((s) => s.stranger.who);
    expect(whos.some((w) => w.startsWith('a caller of acme/webapp/.github/workflows/deploy.yml'))).toBe(true);
    expectFixHolds(result);
    // The owner's condition on the called workflow stays; sub now pins the caller.
    expect(result.fixes[0]!.condition.StringLike).toEqual({
      'token.actions.githubusercontent.com:job_workflow_ref': 'acme/webapp/.github/workflows/deploy.yml@*',
      'token.actions.githubusercontent.com:sub': 'repo:acme/webapp:ref:refs/heads/main',
    });
  });
});

describe('case-sensitive values', () => {
  test('repo:Acme/WebApp does not admit acme/webapp; the lower-case policy does', async () => {
    const upper = await check('case', { 'infra/upper.json': ROLE('deploy') });
    expect(verdicts(upper.judgement)).toEqual(['deploy push repo:acme/webapp:ref:refs/heads/main refused']);
    expectFixHolds(upper);
    const lower = await check('case', { 'infra/lower.json': ROLE('deploy') });
    expect(verdicts(lower.judgement)).toEqual(['deploy push repo:acme/webapp:ref:refs/heads/main admitted']);
  });
});

describe('an explicit Deny', () => {
  test('a Deny on main refuses the push the Allow admits; a Deny on tags refuses nothing here', async () => {
    const main = await check('deny', { 'infra/deny-main.json': ROLE('deploy') });
    expect(verdicts(main.judgement)).toEqual(['plan pull_request repo:acme/webapp:pull_request admitted', 'deploy push repo:acme/webapp:ref:refs/heads/main refused']);
    expect(main.judgement.refused[0]!.verdict.why).toMatch(/statement 2 \(Deny\)/);
    // The Deny is the owner's: no change to the Allow statement can admit the push, and none is claimed to.
    expect(main.fixes[0]!.failed).toMatch(/would still be refused/);
    const tags = await check('deny', { 'infra/deny-tags.json': ROLE('deploy') });
    expect(tags.judgement.refused).toEqual([]);
  });
});

describe('strangers', () => {
  const who = (s: Judgement['strangers']) => s.map((x) => x.stranger.who.replace(/ \(.*$/, ''));
  test.each([
    // deploy.yml has no workflow_call: nobody can call it, so no caller is tried.
    ['infra/no-sub.json', ['a repository of another owner', 'a sibling repository', 'a look-alike name', 'an owner whose name begins with yours', 'any repository at all']],
    ['infra/prefix.json', ['a look-alike name']],
    ['infra/owner-wide.json', ['a sibling repository', 'a look-alike name']],
    ['infra/any-owner.json', ['a repository of another owner', 'an owner whose name begins with yours']],
    ['infra/pinned.json', []],
  ])('%s admits %j', async (file, expected) => {
    const result = await check('strangers', { [file]: ROLE('deploy') });
    expect(result.judgement.refused).toEqual([]);
    expect(who(result.judgement.strangers)).toEqual(expected);
    if (expected.length > 0) expectFixHolds(result);
    else expect(result.fixes).toEqual([]);
  });

  test('a policy no job uses is still checked for strangers, and its fix pins the repository', async () => {
    const result = await check('strangers', { 'infra/no-sub.json': ROLE('unused') });
    expect(result.judgement.runs).toEqual([]);
    expect(result.judgement.strangers.length).toBeGreaterThan(0);
    expect(result.fixes[0]!.condition.StringLike).toEqual({ 'token.actions.githubusercontent.com:sub': 'repo:acme/webapp:*' });
    expectFixHolds(result);
  });
});

describe('a role known only to the run', () => {
  test('${{ secrets.X }} is tried against every policy; the run is refused only when none admits it', async () => {
    const text = readFileSync(path.join(REPOS, 'after-merge', '.github', 'workflows', 'deploy.yml'), 'utf8').replace(ROLE('deploy'), '${{ secrets.DEPLOY_ROLE }}');
    const workflows = await readWorkflows([{ path: '.github/workflows/deploy.yml', text }]);
    const doc = (file: string) => toPolicyDocument(readFileSync(path.join(REPOS, 'after-merge', file), 'utf8'));
    const pr: FoundPolicy = { where: 'pr-only', file: 'pr-only', roleArn: ROLE('a'), document: doc('infra/deploy-trust.json'), assumed: [] };
    const both: FoundPolicy = { where: 'both', file: 'both', roleArn: ROLE('b'), document: doc('infra/deploy-trust-fixed.json'), assumed: [] };
    const one = judge(workflows.jobs, [pr, both], repository);
    expect(one.runs.map((r) => `${r.policy.where} ${r.verdict.allowed}`)).toEqual(['pr-only false', 'both true']);
    expect(one.refused).toEqual([]);
    expect(one.assumed.join('\n')).toContain('${{ secrets.DEPLOY_ROLE }}');
    const none = judge(workflows.jobs, [pr], repository);
    expect(none.refused).toHaveLength(1);
  });
});

  test('is not tried against a policy that trusts no GitHub token (a service role beside it)', async () => {
    // An ECS task role, and CircleCI's and a SAML provider in an account the source leaves unresolved (field: terraform-aws-modules/terraform-aws-iam).
    const service = { 'infra/ecs-task-trust.json': ROLE('ecs-task'), 'infra/other-providers-trust.json': ROLE('circleci') };
    const both = await check('service-role', { ...service, 'infra/github-trust.json': ROLE('deploy') });
    expect(verdicts(both.judgement)).toEqual(['deploy push repo:acme/webapp:ref:refs/heads/production admitted']);
    expect(both.judgement.refused).toEqual([]);
    expect(both.judgement.assumed.join('\n')).toContain('(2 that trust none not tried)');
    const alone = await check('service-role', service);
    expect(alone.judgement.runs).toEqual([]);
    expect(alone.judgement.refused).toEqual([]);
    expect(alone.judgement.assumed.join('\n')).toContain("none given trusts GitHub's OIDC provider");
  });

test("a step's if: decides for which runs its role is judged", async () => {
  const text = readFileSync(path.join(REPOS, 'deny', '.github', 'workflows', 'ci.yml'), 'utf8')
    .replace('  pull_request:\n', '  push:\n    branches: [main]\n  pull_request:\n')
    .replace('      - uses: aws-actions', "      - if: github.event_name == 'pull_request'\n        uses: aws-actions");
  const workflows = await readWorkflows([{ path: '.github/workflows/ci.yml', text }]);
  expect(Object.keys(workflows.jobs[0]!.events)).toEqual(['push', 'pull_request']);
  expect(workflows.jobs[0]!.steps[0]!.if).toBe("github.event_name == 'pull_request'");
  const document = toPolicyDocument(readFileSync(path.join(REPOS, 'after-merge', 'infra', 'deploy-trust.json'), 'utf8'));
  const result = judge(workflows.jobs, [{ where: 'p', file: 'p', roleArn: ROLE('deploy'), document, assumed: [] }], repository);
  expect(result.runs.map((r) => r.predicted.event)).toEqual(['pull_request']);
  expect(result.refused).toEqual([]);
  // The push presents no token: listed as not run, with the step's if:.
  expect(result.excluded.map((e) => [e.of, e.trigger, e.condition])).toEqual([['step', 'push to main', "github.event_name == 'pull_request'"]]);
});

test('each role of profiles is judged, named by its profile, with its own audience; aws-profile names the profile of role-to-assume', async () => {
  const text = readFileSync(path.join(REPOS, 'after-merge', '.github', 'workflows', 'deploy.yml'), 'utf8').replace(
    `role-to-assume: ${ROLE('deploy')}`,
    `role-to-assume: ${ROLE('deploy')}\n          aws-profile: main\n          profiles: |\n            audit: ${ROLE('audit')} audience=audit.example`,
  );
  const workflows = await readWorkflows([{ path: '.github/workflows/deploy.yml', text }]);
  const document = toPolicyDocument(readFileSync(path.join(REPOS, 'after-merge', 'infra', 'deploy-trust-fixed.json'), 'utf8'));
  const policies: FoundPolicy[] = ['deploy', 'audit'].map((name) => ({ where: name, file: name, roleArn: ROLE(name), document, assumed: [] }));
  const result = judge(workflows.jobs, policies, repository);
  expect(result.runs.map((r) => [r.use.role, r.use.profile, r.policy.where, r.claims.aud])).toEqual([
    [ROLE('deploy'), 'main', 'deploy', 'sts.amazonaws.com'],
    [ROLE('audit'), 'audit', 'audit', 'audit.example'],
  ]);
});

test('a role whose account is an expression is still matched by its name, to its policy alone', async () => {
  const text = readFileSync(path.join(REPOS, 'after-merge', '.github', 'workflows', 'deploy.yml'), 'utf8').replace(ROLE('deploy'), 'arn:aws:iam::${{ vars.ACCOUNT }}:role/deploy');
  const workflows = await readWorkflows([{ path: '.github/workflows/deploy.yml', text }]);
  const document = toPolicyDocument(readFileSync(path.join(REPOS, 'after-merge', 'infra', 'deploy-trust.json'), 'utf8'));
  const policies: FoundPolicy[] = ['deploy', 'other'].map((name) => ({ where: name, file: name, roleArn: ROLE(name), document, assumed: [] }));
  const result = judge(workflows.jobs, policies, repository);
  expect(result.runs.map((r) => r.policy.where)).toEqual(['deploy']);
  expect(result.refused).toHaveLength(1);
  expect(result.assumed.join('\n')).toContain('partly an expression: matched by its name, deploy');
});

test("a Federated principal the source leaves unresolved is taken as GitHub's provider, said", async () => {
  const result = await check('after-merge', { 'infra/deploy-trust-fixed.json': ROLE('deploy') });
  const policy = { ...result.judgement.runs[0]!.policy, assumed: [] };
  const statement = { ...policy.document.Statement[0]!, Principal: { Federated: '${data.terraform_remote_state.core.outputs.oidc_arn}' } };
  const workflows = await readWorkflows([{ path: '.github/workflows/deploy.yml', text: readFileSync(path.join(REPOS, 'after-merge', '.github', 'workflows', 'deploy.yml'), 'utf8') }]);
  const judged = judge(workflows.jobs, [{ ...policy, document: { Statement: [statement] } }], repository);
  expect(judged.refused).toEqual([]);
  expect(judged.assumed).toContain(
    "infra/deploy-trust-fixed.json: the Federated principal ${data.terraform_remote_state.core.outputs.oidc_arn} is taken as GitHub's provider, arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com",
  );
});

describe('a custom subject template', () => {
  test('sub is built from include_claim_keys, and the fix uses the same shape', async () => {
    const shape: Repository = { ...repository, shape: { useDefault: false, includeClaimKeys: ['repo', 'context', 'job_workflow_ref'] } };
    const result = await check('after-merge', { 'infra/deploy-trust.json': ROLE('deploy') }, shape);
    expect(result.judgement.runs.map((r) => r.claims.sub)).toEqual([
      'repo:acme/webapp:pull_request:job_workflow_ref:acme/webapp/.github/workflows/ci.yml@refs/pull/1/merge',
      'repo:acme/webapp:ref:refs/heads/main:job_workflow_ref:acme/webapp/.github/workflows/deploy.yml@refs/heads/main',
    ]);
    expect(result.judgement.refused).toHaveLength(2);
    expectFixHolds(result);
  });
});

test('no fix is claimed when a statement the fix leaves alone still admits a stranger', async () => {
  const result = await check('strangers', { 'infra/prefix.json': ROLE('deploy') });
  const policy = result.judgement.strangers[0]!.policy;
  const open = { Effect: 'Allow' as const, Principal: '*' as const, Action: 'sts:AssumeRoleWithWebIdentity' };
  const wide: FoundPolicy = { ...policy, document: { Statement: [...policy.document.Statement, open] } };
  const workflows = await readWorkflows([{ path: '.github/workflows/deploy.yml', text: readFileSync(path.join(REPOS, 'strangers', '.github', 'workflows', 'deploy.yml'), 'utf8') }]);
  const judgement = judge(workflows.jobs, [wide], repository);
  const [fix] = fixesFor(judgement, repository);
  expect(fix!.failed).toMatch(/would still be admitted: statement 1 \(Allow\) admits it/);
});

test('a step that assumes its role with keys is not judged as a web identity, and that is said', async () => {
  const text = readFileSync(path.join(REPOS, 'after-merge', '.github', 'workflows', 'deploy.yml'), 'utf8').replace(
    `role-to-assume: ${ROLE('deploy')}`,
    `role-to-assume: ${ROLE('deploy')}\n          aws-access-key-id: \${{ secrets.KEY_ID }}\n          aws-secret-access-key: \${{ secrets.KEY }}`,
  );
  const workflows = await readWorkflows([{ path: '.github/workflows/deploy.yml', text }]);
  const document = toPolicyDocument(readFileSync(path.join(REPOS, 'after-merge', 'infra', 'deploy-trust.json'), 'utf8'));
  const result = judge(workflows.jobs, [{ where: 'p', file: 'p', roleArn: ROLE('deploy'), document, assumed: [] }], repository);
  expect(result.runs).toEqual([]);
  expect(result.assumed).toContain(".github/workflows/deploy.yml line 15: acme/oidc-aws-credentials@v1 uses aws-access-key-id, not the workflow's OIDC token: not checked");
});

test('adviseFix says so when no subject is known', () => {
  const policy: FoundPolicy = { where: 'p', file: 'p', document: { Statement: [] }, assumed: [] };
  expect(adviseFix({ policy, account: '111111111111', partition: 'aws', runs: [], strangers: [] }).failed).toMatch(/not known/);
});

test('the check is pure: only the entry point touches files, the environment and the network', () => {
  const dir = path.join('src', 'check');
  for (const file of readdirSync(dir)) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const imports = [...text.matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
    expect([file, imports.filter((i) => /^node:|^@actions\/(core|github)$|^@aws-sdk|trust-check|\.\.\/(main|sources|token)\b/.test(i))]).toEqual([file, []]);
    expect([file, /process\.env|process\.argv/.test(text)]).toEqual([file, false]);
  }
});

describe('a verdict that rests on a value the source left unresolved is undetermined, not refused or admitted', () => {
  test('an aud only AWS knows (a provider data source\'s client_id_list): undetermined, named, no finding refused, no fix (field F20)', async () => {
    const result = await check('undetermined', { 'aws/aud.json': ROLE('deploy') });
    const [run] = result.judgement.runs;
    expect(run!.verdict).toEqual({ allowed: false, why: expect.stringMatching(/^undetermined: depends on data\.aws_iam_openid_connect_provider\.this\.client_id_list, not resolved: known only to AWS/) });
    expect(run!.unresolved).toEqual(['data.aws_iam_openid_connect_provider.this.client_id_list']);
    expect(result.judgement.undetermined).toEqual([run]);
    expect(result.judgement.refused).toEqual([]);
    // A stranger that sub alone keeps out is refused whatever the aud: a real verdict, no finding.
    expect(result.judgement.tried.find((s) => s.stranger.claims.sub === 'repo:intruder/webapp:ref:refs/heads/main')?.unresolved).toBeUndefined();
    expect(result.judgement.strangers).toEqual([]);
    expect(result.fixes).toEqual([]);
  });

  test("a Deny on a placeholder may apply: the run is not proved admitted; IAM's own policy variables are no placeholder", async () => {
    const result = await check('undetermined', { 'aws/deny.json': ROLE('deploy') });
    const [run] = result.judgement.runs;
    expect(run!.unresolved).toEqual(['local.frozen_branch']);
    expect(run!.verdict.why).toMatch(/^undetermined: depends on local\.frozen_branch, not resolved/);
    expect(result.fixes).toEqual([]);
  });
});

describe('typed workflow_dispatch inputs (field: a job gated on !inputs.dry-run, run with the defaults)', () => {
  const policies = { 'infra/deploy-trust.json': ROLE('deploy'), 'infra/plan-trust.json': ROLE('plan') };
  const runsOfJob = (j: Judgement, job: string) => j.runs.filter((r) => r.job.job === job).map((r) => `${r.predicted.trigger} ${r.claims.sub} ${r.verdict.allowed ? 'admitted' : 'refused'}`);
  const excludedOf = (j: Judgement, job: string) => j.excluded.filter((e) => e.job.job === job).map((e) => `${e.trigger}: ${e.condition}`);

  test('a boolean false by default: !inputs.flag and inputs.flag == false hold, and the other value is tried too', async () => {
    const { judgement } = await check('inputs', policies);
    expect(runsOfJob(judgement, 'apply')).toEqual([
      'push to main repo:acme/webapp:environment:staging admitted',
      'workflow_dispatch with dry-run=false, target=staging on the default branch repo:acme/webapp:environment:staging admitted',
      'workflow_dispatch with dry-run=false, target=production on the default branch repo:acme/webapp:environment:production refused',
    ]);
    expect(runsOfJob(judgement, 'plan')).toEqual(['workflow_dispatch with dry-run=false on the default branch repo:acme/webapp:ref:refs/heads/main admitted']);
    expect(judgement.refused.map((r) => r.job.job)).toEqual(['apply']);
  });

  test('a run an if: rules out is listed with that if:, never dropped without a word', async () => {
    const { judgement } = await check('inputs', policies);
    expect(excludedOf(judgement, 'apply')).toEqual([
      'workflow_dispatch with dry-run=true, target=staging on the default branch: ${{ !inputs.dry-run }}',
      'workflow_dispatch with dry-run=true, target=production on the default branch: ${{ !inputs.dry-run }}',
    ]);
    expect(excludedOf(judgement, 'plan')).toEqual([
      "push to main: github.event_name == 'workflow_dispatch' && inputs.dry-run == false",
      "workflow_dispatch with dry-run=true on the default branch: github.event_name == 'workflow_dispatch' && inputs.dry-run == false",
    ]);
  });

  test("a number input is a number with its default; any other value is a run only the run decides, said", async () => {
    const { judgement } = await check('inputs', policies);
    // On push the inputs context is empty: null == 0 holds, as GitHub compares them.
    expect(runsOfJob(judgement, 'scale-down')).toEqual([
      'push to main repo:acme/webapp:ref:refs/heads/main admitted',
      'workflow_dispatch with replicas=(any other value) on the default branch repo:acme/webapp:ref:refs/heads/main admitted',
    ]);
    expect(excludedOf(judgement, 'scale-down')).toEqual(['workflow_dispatch with replicas=2 on the default branch: inputs.replicas == 0']);
    expect(judgement.assumed).toContain('.github/workflows/deploy.yml job scale-down: if: inputs.replicas == 0 is known only to the run: predicted as if it holds');
  });
});

test("a credential step's if: that reads a workflow_dispatch input varies it too: the run it allows is judged, the other listed", async () => {
  const text = readFileSync(path.join(REPOS, 'inputs', '.github', 'workflows', 'deploy.yml'), 'utf8')
    .replace('    if: ${{ !inputs.dry-run }}\n', '')
    .replace('      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::111111111111:role/deploy', '      - if: inputs.dry-run\n        uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::111111111111:role/deploy');
  const workflows = await readWorkflows([{ path: '.github/workflows/deploy.yml', text }]);
  const document = toPolicyDocument(readFileSync(path.join(REPOS, 'inputs', 'infra', 'deploy-trust.json'), 'utf8'));
  const result = judge(workflows.jobs.filter((j) => j.job === 'apply'), [{ where: 'p', file: 'p', roleArn: ROLE('deploy'), document, assumed: [] }], repository);
  expect(result.runs.map((r) => r.predicted.trigger)).toEqual(['workflow_dispatch with dry-run=true, target=staging on the default branch', 'workflow_dispatch with dry-run=true, target=production on the default branch']);
  expect(result.excluded.map((e) => `${e.of} ${e.trigger}`)).toEqual([
    'step push to main',
    'step workflow_dispatch with dry-run=false, target=staging on the default branch',
    'step workflow_dispatch with dry-run=false, target=production on the default branch',
  ]);
});

describe('a matrix of include: entries, and exclude (field: each entry naming the environment and the account)', () => {
  const policies = {
    'infra/deploy-dev.json': 'arn:aws:iam::111111111111:role/deploy',
    'infra/deploy-prod.json': 'arn:aws:iam::222222222222:role/deploy',
    'infra/tf-dev.json': ROLE('tf-dev'),
    'infra/tf-prod.json': ROLE('tf-prod'),
  };

  test("each include entry is a run with its own environment and account; each stage but the excluded one calls the reusable workflow", async () => {
    const { judgement } = await check('matrix', policies);
    expect(judgement.runs.map((r) => `${r.job.job} ${r.use.role} ${r.claims.sub} ${r.verdict.allowed ? 'admitted' : 'refused'}`)).toEqual([
      'deploy (dev, 111111111111) arn:aws:iam::111111111111:role/deploy repo:acme/webapp:environment:dev admitted',
      'deploy (prod, 222222222222) arn:aws:iam::222222222222:role/deploy repo:acme/webapp:environment:prod admitted',
      `terraform (dev) ${ROLE('tf-dev')} repo:acme/webapp:environment:dev admitted`,
      `terraform (prod) ${ROLE('tf-prod')} repo:acme/webapp:environment:prod admitted`,
    ]);
    expect(judgement.runs[2]!.claims.job_workflow_ref).toBe('acme/webapp/.github/workflows/terraform.yml@refs/heads/main');
    expect(judgement.refused).toEqual([]);
    expect(judgement.assumed.join('\n')).not.toMatch(/no trust policy given|expression/);
  });
});

describe('a workflow GitHub runs but the parser flags (field: paths under merge_group)', () => {
  test('a key GitHub ignores under a trigger is a warning: the workflow is still checked, and its refused merge-queue run reported', async () => {
    const { workflows, judgement } = await check('merge-queue', { 'infra/plan-trust.json': ROLE('plan') });
    expect(workflows.errors).toEqual([]);
    expect(workflows.assumed).toEqual([
      ".github/workflows/plan.yml:9: on.merge_group.paths is not a setting of that trigger (@actions/workflow-parser flags it; GitHub ignores it and runs the workflow): checked without it",
    ]);
    expect(judgement.runs.map((r) => `${r.predicted.event} ${r.verdict.allowed ? 'admitted' : 'refused'}`)).toEqual(['pull_request admitted', 'merge_group refused']);
  });

  test('an unknown key anywhere else still makes the workflow an error, as GitHub refuses it', async () => {
    const text = readFileSync(path.join(REPOS, 'merge-queue', '.github', 'workflows', 'plan.yml'), 'utf8').replace('    runs-on: ubuntu-latest', '    runs-on: ubuntu-latest\n    run-on: x');
    const read = await readWorkflows([{ path: 'plan.yml', text }]);
    expect(read.errors).toEqual([{ file: 'plan.yml', line: 17, message: "Unexpected value 'run-on'" }]);
    expect(read.jobs).toEqual([]);
  });
});

describe('a reusable workflow in another repository (field: a platform team\'s terraform.yml@v2)', () => {
  const dir = path.join(REPOS, 'cross-repo');
  const files = () => readdirSync(path.join(dir, '.github', 'workflows')).map((name) => ({ path: `.github/workflows/${name}`, text: readFileSync(path.join(dir, '.github', 'workflows', name), 'utf8') }));
  const policies = ['apply', 'plan'].map((name): FoundPolicy => ({ where: `infra/${name}-trust.json`, file: `infra/${name}-trust.json`, roleArn: ROLE(name), document: toPolicyDocument(readFileSync(path.join(dir, 'infra', `${name}-trust.json`), 'utf8')), assumed: [] }));
  // The checkout of acme-platform/workflows, as --workflow-source gives it; each read recorded.
  const asked: RemoteWorkflow[] = [];
  const checkout = remoteReader({
    checkouts: new Map([['acme-platform/workflows', { dir: 'platform-checkout', read: (file: string) => { try { return readFileSync(path.join(dir, 'platform-checkout', file), 'utf8'); } catch { return undefined; } } }]]),
  });
  const recorded: ReadRemoteWorkflow = (w) => (asked.push(w), checkout(w));

  test("its jobs are judged with the caller's token, inputs and environment; job_workflow_ref names the called file at its full ref", async () => {
    const workflows = await readWorkflows(files(), undefined, recorded);
    const judgement = judge(workflows.jobs, policies, repository);
    expect(judgement.runs.map((r) => `${r.job.job} / ${r.job.called.map((c) => c.job).join(' / ')} ${r.predicted.event} ${r.claims.sub} ${r.claims.job_workflow_ref} ${r.verdict.allowed ? 'admitted' : 'refused'}`)).toEqual([
      'plan / terraform pull_request repo:acme/webapp:pull_request acme-platform/workflows/.github/workflows/terraform.yml@refs/tags/v2 admitted',
      // A workflow it calls in turn (./.github/workflows/notes.yml) is in the platform repository, at the same ref: the policy pins terraform.yml only.
      'plan / release-notes / notes pull_request repo:acme/webapp:pull_request acme-platform/workflows/.github/workflows/notes.yml@refs/tags/v2 refused',
      'apply / terraform push repo:acme/webapp:environment:production acme-platform/workflows/.github/workflows/terraform.yml@refs/tags/v2 admitted',
    ]);
    expect(judgement.runs[0]!.claims.workflow_ref).toBe('acme/webapp/.github/workflows/deploy.yml@refs/pull/1/merge');
    // The caller's apply: true makes the called job's if: !inputs.apply false: listed, not dropped.
    expect(judgement.excluded.map((e) => `${e.job.job} / ${e.job.called.map((c) => c.job).join(' / ')} ${e.event}: ${e.condition}`)).toEqual([
      "plan / terraform push: github.event_name == 'pull_request'",
      "plan / release-notes / notes push: github.event_name == 'pull_request'",
      "apply / terraform pull_request: github.event_name == 'push'",
      'apply / release-notes / notes push: ${{ !inputs.apply }}',
      "apply / release-notes / notes pull_request: github.event_name == 'push'",
    ]);
    expect(asked.map((w) => `${w.owner}/${w.repo}/${w.path}@${w.ref}`)).toEqual(['acme-platform/workflows/.github/workflows/terraform.yml@v2', 'acme-platform/workflows/.github/workflows/notes.yml@v2']);
    expect(workflows.assumed).toContain('acme-platform/workflows/.github/workflows/terraform.yml@v2: read from the checkout platform-checkout (as checked out, taken as v2)');
    expect(workflows.assumed.join('\n')).toMatch(/job_workflow_ref predicted as acme-platform\/workflows\/\.github\/workflows\/terraform\.yml@refs\/tags\/v2 \(v2 taken as a tag/);
  });

  test('without a source, the job is said not checked, and how to give its source', async () => {
    const workflows = await readWorkflows(files());
    expect(workflows.jobs).toEqual([]);
    expect(workflows.assumed).toContain(
      '.github/workflows/deploy.yml job plan calls acme-platform/workflows/.github/workflows/terraform.yml@v2, which is in another repository (no source given): its jobs are not checked; give --workflow-source OWNER/REPO=DIR (the root of a checkout of it) or a GITHUB_TOKEN that can read its contents',
    );
  });

  test("through GitHub's contents API: the file at the ref the caller names; a refusal is said, not guessed", async () => {
    const calls: string[] = [];
    const contents = async (owner: string, repo: string, file: string, ref: string) => {
      calls.push(`${owner}/${repo} ${file} ${ref}`);
      if (file.endsWith('notes.yml')) throw new Error('Not Found');
      return readFileSync(path.join(dir, 'platform-checkout', file), 'utf8');
    };
    const workflows = await readWorkflows(files(), undefined, remoteReader({ checkouts: new Map(), contents }));
    expect(calls).toEqual(['acme-platform/workflows .github/workflows/terraform.yml v2', 'acme-platform/workflows .github/workflows/notes.yml v2']);
    expect(workflows.jobs.map((j) => `${j.job} / ${j.called.map((c) => c.job).join(' / ')}`)).toEqual(['plan / terraform', 'apply / terraform']);
    expect(workflows.assumed).toContain("acme-platform/workflows/.github/workflows/terraform.yml@v2: read from GitHub's API at v2");
    expect(workflows.assumed.join('\n')).toContain("calls ./.github/workflows/notes.yml, which is in another repository (GitHub's API did not give it: Not Found): its jobs are not checked");
  });
});
