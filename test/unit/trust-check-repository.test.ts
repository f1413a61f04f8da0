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
  expect(inputs).toEqual(['policies', 'workflows', 'repository', 'subject-claims', 'github-token', 'vars', 'var-files', 'sarif']);
  expect(action).toMatch(/using: 'node24'\n\s+main: '\.\.\/dist\/trust-check\.js'/);
  const entry = readFileSync('src/trust-check.ts', 'utf8');
  for (const name of inputs) expect(entry).toContain(`input('${name}')`);
  const readme = readFileSync('README.md', 'utf8').split('## Trust check')[1]!.split(/^## /m)[0]!;
  const table = readme.split('| Input | Meaning |\n')[1]!.split('\n\n')[0]!;
  expect([...table.matchAll(/^\| `([\w-]+)` \|/gm)].map((m) => m[1])).toEqual(inputs);
});
