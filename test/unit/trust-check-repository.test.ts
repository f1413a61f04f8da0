// How the repository's tokens are shaped: owner/repo, IDs, default branch and subject template, from what
// the trust check is given and can learn, with what it assumed; and its action's inputs as documented.
import { readFileSync } from 'node:fs';
import { parseRepository, parseSubjectClaims, repositoryFromRemote, resolveRepository, type RepositorySources } from '../../src/check/repository.ts';

const none: RepositorySources = { env: {}, remote: () => undefined, gitDefaultBranch: () => undefined };

test.each([
  ['https://github.com/acme/webapp.git', { owner: 'acme', repo: 'webapp' }],
  ['git@github.com:acme/web.app.git', { owner: 'acme', repo: 'web.app' }],
  ['ssh://git@github.com/acme/webapp', { owner: 'acme', repo: 'webapp' }],
  ['https://gitlab.com/acme/webapp.git', undefined],
])('the origin remote %s', (url, expected) => {
  expect(repositoryFromRemote(url)).toEqual(expected);
});

test('--repository, then GITHUB_REPOSITORY, then the origin remote, said when it is the remote', async () => {
  expect(await resolveRepository({ ...none, repository: 'a/b', env: { GITHUB_REPOSITORY: 'c/d' } })).toMatchObject({ owner: 'a', repo: 'b' });
  expect(await resolveRepository({ ...none, env: { GITHUB_REPOSITORY: 'c/d' } })).toMatchObject({ owner: 'c', repo: 'd' });
  const fromRemote = await resolveRepository({ ...none, remote: () => 'git@github.com:e/f.git', gitDefaultBranch: () => 'trunk' });
  expect(fromRemote).toMatchObject({ owner: 'e', repo: 'f', defaultBranch: 'trunk' });
  expect(fromRemote.assumed).toContain('repository e/f, from the origin remote');
  await expect(resolveRepository(none)).rejects.toThrow(/pass --repository OWNER\/REPO/);
  expect(() => parseRepository('nope', '--repository')).toThrow("--repository must be OWNER/REPO, got 'nope'");
});

test('in a workflow, the IDs come from the runner; the immutable form needs them', async () => {
  const env = { GITHUB_REPOSITORY: 'acme/webapp', GITHUB_REPOSITORY_ID: '456', GITHUB_REPOSITORY_OWNER_ID: '123' };
  const repository = await resolveRepository({ ...none, env, subjectClaims: 'immutable' });
  expect(repository).toMatchObject({ ownerId: '123', repoId: '456', shape: { useDefault: true, includeClaimKeys: [], immutable: true } });
  await expect(resolveRepository({ ...none, repository: 'acme/webapp', subjectClaims: 'immutable' })).rejects.toThrow(/needs the owner and repository IDs/);
});

test('the subject template: default, immutable or claim keys; without one, GitHub default is said', async () => {
  expect(parseSubjectClaims('repo, context,job_workflow_ref')).toEqual({ useDefault: false, includeClaimKeys: ['repo', 'context', 'job_workflow_ref'] });
  expect(() => parseSubjectClaims('repo,a-b')).toThrow(/'a-b' is not a claim key/);
  const repository = await resolveRepository({ ...none, repository: 'acme/webapp' });
  expect(repository.shape).toEqual({ useDefault: true, includeClaimKeys: [] });
  expect(repository.assumed).toEqual(expect.arrayContaining([expect.stringMatching(/default branch main/), expect.stringMatching(/subject template: GitHub's default/)]));
});

test("GitHub's API, when it fails, is said and not guessed", async () => {
  const github = {
    repository: () => Promise.reject(new Error('Bad credentials')),
    subjectCustomization: () => Promise.resolve({ use_default: false, include_claim_keys: ['repo', 'context'] }),
  };
  const repository = await resolveRepository({ ...none, repository: 'acme/webapp', github });
  expect(repository.shape).toEqual({ useDefault: false, includeClaimKeys: ['repo', 'context'] });
  expect(repository.assumed.join('\n')).toMatch(/GitHub's API did not describe acme\/webapp \(Bad credentials\)/);
});

test("trust-check/action.yml declares the inputs the entry point reads, and the README lists them", () => {
  const action = readFileSync('trust-check/action.yml', 'utf8');
  const inputs = [...(action.split(/^inputs:\n/m)[1] ?? '').split(/^\S/m)[0]!.matchAll(/^ {2}([\w-]+):$/gm)].map((m) => m[1]);
  expect(inputs).toEqual(['policies', 'workflows', 'repository', 'subject-claims', 'github-token', 'all-roles', 'org', 'issuer', 'vars', 'var-files', 'sarif']);
  expect(action).toMatch(/using: 'node24'\n\s+main: '\.\.\/dist\/trust-check\.js'/);
  const entry = readFileSync('src/trust-check.ts', 'utf8');
  for (const name of inputs) expect(entry).toContain(`input('${name}')`);
  const readme = readFileSync('README.md', 'utf8').split('## Trust check')[1]!.split(/^## /m)[0]!;
  const table = readme.split('| Input | Meaning |\n')[1]!.split('\n\n')[0]!;
  expect([...table.matchAll(/^\| `([\w-]+)` \|/gm)].map((m) => m[1])).toEqual(inputs);
});

test('--immutable combines with --subject-claims KEYS; --subject-claims immutable keeps its meaning (field: OWNER@ID/REPO@ID with custom keys)', async () => {
  expect(parseSubjectClaims('repo,context,job_workflow_ref', true)).toEqual({ useDefault: false, includeClaimKeys: ['repo', 'context', 'job_workflow_ref'], immutable: true });
  expect(parseSubjectClaims('immutable')).toEqual({ useDefault: true, includeClaimKeys: [], immutable: true });
  expect(parseSubjectClaims('default', true)).toEqual({ useDefault: true, includeClaimKeys: [], immutable: true });
  const given = await resolveRepository({ ...none, repository: 'acme/webapp', subjectClaims: 'repo,context', immutable: true, ownerId: '123', repositoryId: '456' });
  expect(given).toMatchObject({ ownerId: '123', repoId: '456', shape: { useDefault: false, includeClaimKeys: ['repo', 'context'], immutable: true } });
  // --immutable alone: GitHub's default template, in the immutable form.
  expect((await resolveRepository({ ...none, repository: 'acme/webapp', immutable: true, ownerId: '1', repositoryId: '2' })).shape).toEqual({ useDefault: true, includeClaimKeys: [], immutable: true });
  await expect(resolveRepository({ ...none, repository: 'acme/webapp', immutable: true })).rejects.toThrow(/give --owner-id and --repository-id/);
});

test('--visibility, --repository-id and --owner-id are given; a template that names one not given is refused, naming it', async () => {
  const given = await resolveRepository({ ...none, repository: 'acme/webapp', visibility: 'internal', repositoryId: '456', ownerId: '123', subjectClaims: 'repository_owner,repository_visibility,repository_id' });
  expect(given).toMatchObject({ visibility: 'internal', repoId: '456', ownerId: '123' });
  await expect(resolveRepository({ ...none, repository: 'acme/webapp', subjectClaims: 'repository_owner,repository_visibility' })).rejects.toThrow(/names repository_visibility \(give --visibility public\|private\|internal\)/);
  await expect(resolveRepository({ ...none, repository: 'acme/webapp', subjectClaims: 'repository_id' })).rejects.toThrow(/repository_id \(give --repository-id N\)/);
  await expect(resolveRepository({ ...none, repository: 'acme/webapp', visibility: 'secret' })).rejects.toThrow('--visibility must be public, private or internal, got "secret"');
  await expect(resolveRepository({ ...none, repository: 'acme/webapp', repositoryId: '12a' })).rejects.toThrow(/--repository-id must be a number/);
});

test("with a token, the IDs and the visibility are read from GitHub's API; what is given wins", async () => {
  const github = {
    repository: () => Promise.resolve({ id: 456, owner: { id: 123 }, default_branch: 'trunk', visibility: 'private' }),
    subjectCustomization: () => Promise.resolve({ use_default: false, include_claim_keys: ['repository_owner', 'repository_visibility'] }),
  };
  const read = await resolveRepository({ ...none, repository: 'acme/webapp', github });
  expect(read).toMatchObject({ ownerId: '123', repoId: '456', visibility: 'private', defaultBranch: 'trunk', shape: { includeClaimKeys: ['repository_owner', 'repository_visibility'] } });
  const given = await resolveRepository({ ...none, repository: 'acme/webapp', github, visibility: 'public', repositoryId: '9' });
  expect(given).toMatchObject({ visibility: 'public', repoId: '9', ownerId: '123' });
});

test('a template that names a claim whose value differs per run (actor, run_id, ...) is refused, naming it: its subjects would be guesses', async () => {
  await expect(resolveRepository({ ...none, repository: 'acme/webapp', subjectClaims: 'repo,actor' })).rejects.toThrow(/names actor, whose value differs from run to run or is the organization's/);
  const github = { repository: () => Promise.reject(new Error('no')), subjectCustomization: () => Promise.resolve({ use_default: false, include_claim_keys: ['repo_property_team', 'repo'] }) };
  await expect(resolveRepository({ ...none, repository: 'acme/webapp', github })).rejects.toThrow(/names repo_property_team/);
});
