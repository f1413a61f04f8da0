// --all-roles, judged: which roles of an account trust a GitHub OIDC provider (github.com's, its enterprise
// form, a GitHub Enterprise Server issuer given), and which strangers each admits, by which condition.
import { describe, expect, it } from '@jest/globals';
import { doorOf, judgeAccount, providerHost, type AccountJudgement } from '../../src/check/account.ts';
import type { PolicyDocument } from '../../src/iam/policy.ts';
import type { FoundPolicy } from '../../src/policies/found.ts';

const ACCOUNT = '111111111111';
const GITHUB = 'token.actions.githubusercontent.com';

function trust(host: string, conditions: Record<string, Record<string, string | string[]>>): PolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${host}` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: conditions }] };
}
const pinned = (sub: string | string[], host = GITHUB, operator = 'StringLike') => trust(host, { StringEquals: { [`${host}:aud`]: 'sts.amazonaws.com' }, [operator]: { [`${host}:sub`]: sub } });

function role(name: string, document: PolicyDocument): FoundPolicy {
  const arn = `arn:aws:iam::${ACCOUNT}:role/${name}`;
  return { where: `aws:${arn}`, file: `aws:${arn}`, roleArn: arn, roleName: name, document, assumed: [] };
}

const account = (policies: FoundPolicy[], options: { org?: string; issuers?: string[] } = {}): AccountJudgement =>
  judgeAccount({ policies, unreadable: [], listed: policies.length, calls: 1 }, { issuers: options.issuers ?? [], ...(options.org ? { org: options.org } : {}) });
const byName = (judgement: AccountJudgement, name: string) => judgement.roles.find((r) => r.arn.endsWith(`/${name}`))!;
const who = (judgement: AccountJudgement, name: string) => byName(judgement, name).admitted.map((s) => s.stranger.who);

const lambda: PolicyDocument = { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const gitlab = trust('gitlab.com', { StringEquals: { 'gitlab.com:aud': 'https://gitlab.com' } });

describe('which roles trust GitHub', () => {
  it('judges the roles that name a GitHub provider, and only counts the others', () => {
    const judgement = account([role('deploy', pinned('repo:acme/webapp:ref:refs/heads/main', GITHUB, 'StringEquals')), role('lambda', lambda), role('gitlab', gitlab)]);
    expect(judgement.listed).toBe(3);
    expect(judgement.roles.map((r) => r.arn)).toEqual([`arn:aws:iam::${ACCOUNT}:role/deploy`]);
  });

  it('the enterprise form (token.actions.githubusercontent.com/<enterprise>): its own issuer and condition keys', () => {
    const host = `${GITHUB}/acme-enterprise`;
    const judgement = account([role('pinned', pinned('repo:acme/webapp:*', host)), role('open', trust(host, { StringEquals: { [`${host}:aud`]: 'sts.amazonaws.com' } }))]);
    expect(judgement.roles.map((r) => r.providers)).toEqual([[host], [host]]);
    expect(byName(judgement, 'pinned').sample).toMatchObject({ iss: `https://${host}`, sub: 'repo:acme/webapp:ref:refs/heads/main' });
    expect(who(judgement, 'pinned')).toEqual([]);
    // The sub condition is on the enterprise host's key: a token of github.com's issuer would not even be tried.
    expect(byName(judgement, 'open').admitted.map((s) => s.stranger.claims.iss)).toEqual(Array(byName(judgement, 'open').admitted.length).fill(`https://${host}`));
    expect(who(judgement, 'open')).toContain('any repository at all (stranger/anything)');
  });

  it('a GitHub Enterprise Server provider is judged only when --issuer names it', () => {
    const host = 'ghes.example.com/_services/token';
    const policies = [role('ghes', trust(host, { StringEquals: { [`${host}:aud`]: 'sts.amazonaws.com' } }))];
    expect(account(policies).roles).toEqual([]);
    const judgement = account(policies, { issuers: [providerHost('https://ghes.example.com/_services/token/')] });
    expect(judgement.roles.map((r) => r.providers)).toEqual([[host]]);
    expect(who(judgement, 'ghes')).toContain('any repository at all (stranger/anything)');
  });
});

describe('the strangers each role admits', () => {
  const roles = [
    role('clean', pinned('repo:acme/webapp:ref:refs/heads/main', GITHUB, 'StringEquals')),
    role('no-sub', trust(GITHUB, { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' } })),
    role('org-wide', pinned('repo:acme/*')),
    role('template', pinned('job_workflow_ref:acme/pipelines/.github/workflows/deploy.yml@refs/heads/main', GITHUB, 'StringEquals')),
  ];

  it('a role pinned to one repository admits none; its token is the one its sub names', () => {
    const judgement = account(roles);
    const clean = byName(judgement, 'clean');
    expect(clean.admitted).toEqual([]);
    expect(clean.tried).toBeGreaterThan(0);
    expect(clean.reach).toBe('acme/webapp');
    expect(clean.sample.sub).toBe('repo:acme/webapp:ref:refs/heads/main');
  });

  it('no condition on sub: every stranger, another owner included', () => {
    const judgement = account(roles);
    expect(who(judgement, 'no-sub')).toEqual(expect.arrayContaining([expect.stringMatching(/^a repository of another owner/), 'any repository at all (stranger/anything)']));
    expect(new Set(byName(judgement, 'no-sub').admitted.map(doorOf))).toEqual(new Set(['no condition on sub']));
    expect(byName(judgement, 'no-sub').reach).toBe('repositories of other owners');
  });

  it('repo:acme/*: the siblings and look-alikes of acme, by a wildcard', () => {
    const judgement = account(roles);
    expect(who(judgement, 'org-wide')).toEqual(['a sibling repository (acme/other)', 'a look-alike name (acme/x-fork)']);
    expect(byName(judgement, 'org-wide').admitted.map(doorOf)).toEqual(['a wildcard in sub', 'a wildcard in sub']);
    expect(byName(judgement, 'org-wide').reach).toBe('any repository of acme');
  });

  it('a custom subject template naming a public reusable workflow: any owner that calls it presents the same sub', () => {
    const judgement = account(roles);
    // Every stranger runs the same reusable workflow (strangers.ts): each presents the one sub.
    expect(byName(judgement, 'template').sample.repository_owner).toBe('acme');
    expect(who(judgement, 'template')).toEqual(expect.arrayContaining([expect.stringMatching(/^a caller of acme\/pipelines\/\.github\/workflows\/deploy\.yml\b.* from another owner \(intruder\/caller\)$/)]));
    expect(new Set(byName(judgement, 'template').admitted.map(doorOf))).toEqual(new Set(['a sub another repository can present']));
    expect(byName(judgement, 'template').reach).toBe('repositories of other owners');
  });

  it('--org acme: acme\'s own repositories are breadth, not findings; other owners still are', () => {
    const judgement = account(roles, { org: 'acme' });
    const wide = byName(judgement, 'org-wide');
    expect(wide.admitted).toEqual([]);
    expect(wide.ours.map((s) => s.stranger.who)).toEqual(['a sibling repository (acme/other)', 'a look-alike name (acme/x-fork)']);
    expect(wide.reach).toBe('any repository of acme');
    expect(who(judgement, 'no-sub')).toContain('any repository at all (stranger/anything)');
    expect(who(judgement, 'no-sub').filter((w) => w.startsWith('a sibling'))).toEqual([]);
    expect(byName(judgement, 'no-sub').ours.map((s) => s.stranger.who)).toEqual(['a sibling repository (acme/other)', 'a look-alike name (acme/repository-fork)']);
    expect(who(judgement, 'template').filter((w) => w.startsWith('a sibling'))).toEqual([]);
    expect(who(judgement, 'template')).toEqual(expect.arrayContaining([expect.stringMatching(/^a caller of acme\/pipelines\/\.github\/workflows\/deploy\.yml\b.* from another owner \(intruder\/caller\)$/)]));
  });
});
