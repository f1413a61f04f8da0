// The one model of GitHub's claims, against the subjects GitHub's documentation prints.
import { describe, expect, it } from '@jest/globals';
import { claimsFor, shapeOf, subjectFor, type Run, type SubjectShape } from '../../src/github/claims.ts';
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
      'a caller of octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main from another owner (intruder/caller)',
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
    expect(strangers[3]?.claims.job_workflow_ref).toBe(claims.job_workflow_ref);
    expect(strangers[3]?.claims.workflow_ref).toBe('intruder/caller/.github/workflows/deploy.yml@refs/heads/main');
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
