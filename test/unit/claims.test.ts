// The one model of GitHub's claims, against the subjects GitHub's documentation prints.
import { describe, expect, it } from '@jest/globals';
import { claimsFor, noTokenFor, shapeOf, subjectFor, type Run, type SubjectShape } from '../../src/github/claims.ts';
import { strangersOf } from '../../src/github/strangers.ts';

const run: Run = { owner: 'octo-org', repo: 'octo-repo', ownerId: '1001', repoId: '2002', eventName: 'push', ref: 'refs/heads/main', workflowRef: 'octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main' };
const keys = (...includeClaimKeys: string[]): SubjectShape => ({ useDefault: false, includeClaimKeys });

describe('subjectFor: the default template', () => {
  it.each([
    ['a push to a branch', {}, 'repo:octo-org/octo-repo:ref:refs/heads/main'],
    ['a tag', { ref: 'refs/tags/v1' }, 'repo:octo-org/octo-repo:ref:refs/tags/v1'],
    ['a pull request', { eventName: 'pull_request', ref: 'refs/pull/7/merge' }, 'repo:octo-org/octo-repo:pull_request'],
    ['an environment, before the pull request', { eventName: 'pull_request', environment: 'Production' }, 'repo:octo-org/octo-repo:environment:Production'],
    ['pull_request_target, which runs on the base ref', { eventName: 'pull_request_target' }, 'repo:octo-org/octo-repo:ref:refs/heads/main'],
  ])('%s', (_, change, sub) => {
    expect(subjectFor({ ...run, ...change })).toBe(sub);
    expect(subjectFor({ ...run, ...change }, { useDefault: true, includeClaimKeys: ['job_workflow_ref'] })).toBe(sub);
  });

  it('the immutable form appends the owner and repository IDs', () => {
    expect(subjectFor(run, { useDefault: true, includeClaimKeys: [], immutable: true })).toBe('repo:octo-org@1001/octo-repo@2002:ref:refs/heads/main');
  });
});

describe('subjectFor: custom templates (GitHub\'s examples)', () => {
  const reusable = { ...run, environment: 'prod', jobWorkflowRef: 'octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main' };
  it.each([
    [['repo', 'context', 'job_workflow_ref'], reusable, 'repo:octo-org/octo-repo:environment:prod:job_workflow_ref:octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main'],
    [['job_workflow_ref'], reusable, 'job_workflow_ref:octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main'],
    [['repository_owner'], run, 'repository_owner:octo-org'],
    [['repo'], run, 'repo:octo-org/octo-repo'],
    [['repository_owner_id'], run, 'repository_owner_id:1001'],
    [['environment'], reusable, 'environment:prod'],
  ])('%j', (include, r, sub) => {
    expect(subjectFor(r, keys(...include))).toBe(sub);
  });

  it('use_default: false without keys stands in GitHub\'s default', () => {
    expect(subjectFor(run, keys())).toBe('repo:octo-org/octo-repo:ref:refs/heads/main');
  });
});

describe('claimsFor', () => {
  it('presents the claims trust policies test', () => {
    expect(claimsFor({ ...run, ref: 'refs/tags/v1' }, 'sts.amazonaws.com')).toEqual({
      iss: 'https://token.actions.githubusercontent.com',
      aud: 'sts.amazonaws.com',
      sub: 'repo:octo-org/octo-repo:ref:refs/tags/v1',
      ref: 'refs/tags/v1',
      ref_type: 'tag',
      event_name: 'push',
      repository: 'octo-org/octo-repo',
      repository_owner: 'octo-org',
      repository_owner_id: '1001',
      repository_id: '2002',
      workflow_ref: run.workflowRef,
      job_workflow_ref: run.workflowRef,
      base_ref: '',
      head_ref: '',
    });
  });
});

describe('shapeOf reads the template back from the claims', () => {
  it.each([
    [{ useDefault: true, includeClaimKeys: [] }],
    [{ useDefault: true, includeClaimKeys: [], immutable: true }],
    [keys('repo', 'context', 'job_workflow_ref')],
    [keys('environment')],
    [keys('repository_owner_id', 'context')],
    [keys('job_workflow_ref')],
  ])('%j', (shape) => {
    const claims = claimsFor({ ...run, environment: 'prod' }, 'sts.amazonaws.com', shape);
    expect(subjectFor({ ...run, environment: 'prod' }, shapeOf(claims))).toBe(claims.sub);
  });

  it('reads the repository from a default sub when the repository claims are missing', () => {
    expect(shapeOf({ sub: 'repo:acme@1001/webapp@2002:pull_request', event_name: 'pull_request' })).toEqual({ useDefault: true, includeClaimKeys: [], immutable: true });
  });

  it('is undefined for a sub the claims do not explain', () => {
    expect(shapeOf({ ...claimsFor(run, 'x'), sub: 'something:else' })).toBeUndefined();
  });
});

describe('strangersOf', () => {
  const claims = claimsFor({ ...run, jobWorkflowRef: 'octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main' }, 'sts.amazonaws.com');
  const strangers = strangersOf(claims);

  it('names each kind, and none is this repository', () => {
    expect(strangers.map((s) => s.who)).toEqual([
      'a repository of another owner (intruder/octo-repo)',
      'a sibling repository (octo-org/other)',
      'a look-alike name (octo-org/octo-repo-fork)',
      'an owner whose name begins with yours (octo-org-evil/octo-repo)',
      'a caller of octo-org/octo-automation/.github/workflows/oidc.yml from another owner (intruder/caller)',
      'any repository at all (stranger/anything)',
    ]);
    for (const s of strangers) {
      expect(s.claims.repository).not.toBe('octo-org/octo-repo');
      expect(s.claims.sub).not.toBe(claims.sub);
      expect(s.claims.aud).toBe('sts.amazonaws.com');
      expect(s.claims.ref).toBe('refs/heads/main');
    }
    expect(strangers[2]?.claims.sub).toBe('repo:octo-org/octo-repo-fork:ref:refs/heads/main');
    expect(strangers[0]?.claims.repository_owner_id).not.toBe('1001');
    expect(strangers[1]?.claims.repository_owner_id).toBe('1001');
  });

  it('the reusable workflow\'s caller keeps its job_workflow_ref', () => {
    expect(strangers[4]?.claims.job_workflow_ref).toBe(claims.job_workflow_ref);
    expect(strangers[4]?.claims.workflow_ref).toBe('intruder/caller/.github/workflows/deploy.yml@refs/heads/main');
  });

  it('uses the same template: a sub that names no repository is minted identically elsewhere', () => {
    const env = claimsFor({ ...run, environment: 'production' }, 'sts.amazonaws.com', keys('environment'));
    expect(strangersOf(env).map((s) => s.claims.sub)).toEqual(Array(5).fill('environment:production'));
    const unexplained = { ...claimsFor(run, 'a'), sub: 'custom:thing' };
    expect(strangersOf(unexplained).map((s) => s.claims.sub)).toEqual(Array(5).fill('custom:thing'));
    const immutable = claimsFor(run, 'a', { useDefault: true, includeClaimKeys: [], immutable: true });
    expect(strangersOf(immutable)[0]?.claims.sub).toBe('repo:intruder@1008/octo-repo@2009:ref:refs/heads/main');
  });
});

// GitHub's "OpenID Connect reference" (docs.github.com/actions/reference/security/oidc) and "OpenID Connect"
// (docs.github.com/actions/concepts/security/openid-connect), as of 2026-12: every token and subject they print.
describe("the claims model gives every token example of GitHub's OIDC reference", () => {
  // Claims that vary with each run or are the organization's (who started it, the run's numbers, the
  // runner, the enterprise): no workflow decides them, and the model leaves them out.
  const PER_RUN = ['jti', 'sha', 'actor', 'actor_id', 'run_id', 'run_number', 'run_attempt', 'runner_environment', 'enterprise', 'enterprise_id', 'nbf', 'exp', 'iat'];
  const decided = (token: Record<string, unknown>) => Object.fromEntries(Object.entries(token).filter(([k]) => !PER_RUN.includes(k)));

  test('the example token: an environment prod, a reusable workflow, workflow_dispatch', () => {
    const token = {
      jti: 'example-id', sub: 'repo:octo-org/octo-repo:environment:prod', environment: 'prod', aud: 'https://github.com/octo-org', ref: 'refs/heads/main', sha: 'example-sha',
      repository: 'octo-org/octo-repo', repository_owner: 'octo-org', actor_id: '12', repository_visibility: 'private', repository_id: '74', repository_owner_id: '65',
      run_id: 'example-run-id', run_number: '10', run_attempt: '2', runner_environment: 'github-hosted', actor: 'octocat', workflow: 'example-workflow', head_ref: '', base_ref: '',
      event_name: 'workflow_dispatch', ref_type: 'branch', job_workflow_ref: 'octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main',
      iss: 'https://token.actions.githubusercontent.com', nbf: 1632492967, exp: 1632493867, iat: 1632493567,
    };
    const modelled = claimsFor(
      {
        owner: 'octo-org', repo: 'octo-repo', ownerId: '65', repoId: '74', eventName: 'workflow_dispatch', ref: 'refs/heads/main', environment: 'prod', workflow: 'example-workflow', visibility: 'private',
        workflowRef: 'octo-org/octo-repo/.github/workflows/example.yml@refs/heads/main', jobWorkflowRef: 'octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main',
      },
      'https://github.com/octo-org',
    );
    // The example leaves out workflow_ref (which every real token has): every claim it prints is the model's.
    expect(modelled.workflow_ref).toBe('octo-org/octo-repo/.github/workflows/example.yml@refs/heads/main');
    expect(Object.fromEntries(Object.entries(modelled).filter(([k]) => k !== 'workflow_ref'))).toEqual(decided(token));
  });

  test('the enterprise issuer example and the custom-properties example: sub and repository', () => {
    const enterprise = claimsFor({ owner: 'octocat-inc', repo: 'private-server', eventName: 'push', ref: 'refs/heads/main', workflowRef: 'octocat-inc/private-server/.github/workflows/x.yml@refs/heads/main' }, 'http://octocat-inc.example/octocat-inc');
    expect([enterprise.sub, enterprise.aud]).toEqual(['repo:octocat-inc/private-server:ref:refs/heads/main', 'http://octocat-inc.example/octocat-inc']);
    const properties = claimsFor({ owner: 'my-org', repo: 'my-repo', eventName: 'push', ref: 'refs/heads/main', workflowRef: 'my-org/my-repo/.github/workflows/x.yml@refs/heads/main' }, 'https://github.com/my-org');
    expect([properties.sub, properties.repository]).toEqual(['repo:my-org/my-repo:ref:refs/heads/main', 'my-org/my-repo']);
  });

  const octo: Run = { owner: 'octo-org', repo: 'octo-repo', ownerId: '123456', repoId: '456789', eventName: 'push', ref: 'refs/heads/demo-branch', workflowRef: 'octo-org/octo-repo/.github/workflows/x.yml@refs/heads/demo-branch' };
  test.each([
    ['an environment', { environment: 'Production' }, undefined, 'repo:octo-org/octo-repo:environment:Production'],
    ['pull_request', { eventName: 'pull_request', ref: 'refs/pull/1/merge' }, undefined, 'repo:octo-org/octo-repo:pull_request'],
    ['a branch', {}, undefined, 'repo:octo-org/octo-repo:ref:refs/heads/demo-branch'],
    ['a tag', { ref: 'refs/tags/demo-tag' }, undefined, 'repo:octo-org/octo-repo:ref:refs/tags/demo-tag'],
    ["metadata containing ':'", { environment: 'Production:V1' }, undefined, 'repo:octo-org/octo-repo:environment:Production%3AV1'],
    ['the immutable form', { ref: 'refs/heads/main' }, { useDefault: true, includeClaimKeys: [], immutable: true }, 'repo:octo-org@123456/octo-repo@456789:ref:refs/heads/main'],
    ['visibility and owner', { owner: 'monalisa', visibility: 'private' }, keys('repository_owner', 'repository_visibility'), 'repository_owner:monalisa:repository_visibility:private'],
    ['an owner', { owner: 'monalisa' }, keys('repository_owner'), 'repository_owner:monalisa'],
    ['a reusable workflow', { jobWorkflowRef: 'octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main' }, keys('job_workflow_ref'), 'job_workflow_ref:octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main'],
    [
      'a reusable workflow and other claims',
      { environment: 'prod', jobWorkflowRef: 'octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main' },
      keys('repo', 'context', 'job_workflow_ref'),
      'repo:octo-org/octo-repo:environment:prod:job_workflow_ref:octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main',
    ],
    ['a context value with :', { environment: 'production:eastus' }, keys('environment', 'repository_owner'), 'environment:production%3Aeastus:repository_owner:octo-org'],
    ['resetting to the default', {}, keys('repo', 'context'), 'repo:octo-org/octo-repo:ref:refs/heads/demo-branch'],
  ] as [string, Partial<Run>, SubjectShape | undefined, string][])('example subject: %s', (_, change, shape, sub) => {
    expect(subjectFor({ ...octo, ...change }, shape)).toBe(sub);
    // Read back, the sub names the template that made it.
    const claims = claimsFor({ ...octo, ...change }, 'sts.amazonaws.com', shape);
    expect(subjectFor({ ...octo, ...change }, shapeOf(claims))).toBe(sub);
  });

  test('the immutable repo stays in a custom template ("owner_id and repo_id are always included in the repo segment")', () => {
    expect(subjectFor({ ...octo, environment: 'prod' }, { ...keys('repo', 'context', 'job_workflow_ref'), immutable: true })).toBe(
      'repo:octo-org@123456/octo-repo@456789:environment:prod:job_workflow_ref:octo-org/octo-repo/.github/workflows/x.yml@refs/heads/demo-branch',
    );
  });

  test('"If the environment claim is included, an environment is required": no token for a job without one', () => {
    expect(noTokenFor(octo, keys('repo', 'environment'))).toMatch(/GitHub issues no token/);
    expect(noTokenFor({ ...octo, environment: 'prod' }, keys('repo', 'environment'))).toBeUndefined();
    // context renders a ref without an environment: a token is issued.
    expect(noTokenFor(octo, keys('repo', 'context'))).toBeUndefined();
    expect(noTokenFor(octo)).toBeUndefined();
  });
});
