// How the repository's tokens are shaped: its owner and name, their IDs, its default branch and its
// subject template, from what the caller gives and what it can learn, with every assumption said.
// Pure: the entry point supplies the environment, the git remote and the GitHub API call.
import { RENDERED_KEYS, type SubjectShape } from '../github/claims.ts';

export interface Repository {
  owner: string;
  repo: string;
  ownerId?: string;
  repoId?: string;
  /** 'public', 'private' or 'internal', when given or read. */
  visibility?: string;
  defaultBranch: string;
  shape: SubjectShape;
  assumed: string[];
}

export class RepositoryError extends Error {}

const NAME = /^([\w.-]+)\/([\w.-]+)$/;

/** 'owner/repo' → its parts; anything else is refused naming the source. */
export function parseRepository(value: string, source: string): { owner: string; repo: string } {
  const match = NAME.exec(value.trim());
  if (!match) throw new RepositoryError(`${source} must be OWNER/REPO, got '${value}'`);
  return { owner: match[1]!, repo: match[2]! };
}

/** A GitHub remote URL (https, ssh or scp-like) → owner/repo. */
export function repositoryFromRemote(url: string): { owner: string; repo: string } | undefined {
  const match = /github\.com[:/]([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(url.trim());
  return match ? { owner: match[1]!, repo: match[2]! } : undefined;
}

/**
 * `--subject-claims`: `default`, `immutable` (the default form with owner and repository IDs), or the
 * template's claim keys, comma-separated, as GitHub's customization API takes them (`repo,context`).
 * `--immutable` gives any of them the immutable `repo` (OWNER@ID/REPO@ID), as GitHub renders it for
 * repositories in that form even in a custom template.
 */
export function parseSubjectClaims(value: string, immutable = false): SubjectShape {
  const shape = parseTemplate(value);
  return immutable ? { ...shape, immutable } : shape;
}

function parseTemplate(value: string): SubjectShape {
  const text = value.trim();
  if (text === 'default') return { useDefault: true, includeClaimKeys: [] };
  if (text === 'immutable') return { useDefault: true, includeClaimKeys: [], immutable: true };
  const keys = text.split(/[\s,]+/).filter(Boolean);
  const bad = keys.find((key) => !/^\w+$/.test(key));
  if (keys.length === 0 || bad !== undefined) {
    throw new RepositoryError(`--subject-claims must be 'default', 'immutable' or claim keys such as 'repo,context,job_workflow_ref'${bad ? `: '${bad}' is not a claim key` : ''}`);
  }
  return { useDefault: false, includeClaimKeys: keys };
}

/** What the entry point can reach: each returns undefined when it has no answer. */
export interface RepositorySources {
  repository?: string;
  env: Readonly<Record<string, string | undefined>>;
  remote: () => string | undefined;
  /** origin's default branch as git knows it (refs/remotes/origin/HEAD). */
  gitDefaultBranch: () => string | undefined;
  subjectClaims?: string;
  /** `--immutable`: the repository's subjects use OWNER@ID/REPO@ID. */
  immutable?: boolean;
  /** `--visibility`, `--repository-id`, `--owner-id`: facts a template can name, given. */
  visibility?: string;
  repositoryId?: string;
  ownerId?: string;
  /** GitHub's REST API when a token is at hand: GET /repos/{owner}/{repo} and its OIDC subject customization. */
  github?: {
    repository: (owner: string, repo: string) => Promise<{ id: number; owner: { id: number }; default_branch: string; visibility?: string; private?: boolean }>;
    subjectCustomization: (owner: string, repo: string) => Promise<{ use_default: boolean; include_claim_keys?: string[] }>;
  };
}

export async function resolveRepository(sources: RepositorySources): Promise<Repository> {
  const assumed: string[] = [];
  const { env } = sources;
  let name: { owner: string; repo: string };
  if (sources.repository) name = parseRepository(sources.repository, '--repository');
  else if (env.GITHUB_REPOSITORY) name = parseRepository(env.GITHUB_REPOSITORY, 'GITHUB_REPOSITORY');
  else {
    const remote = sources.remote();
    const fromRemote = remote ? repositoryFromRemote(remote) : undefined;
    if (!fromRemote) throw new RepositoryError(`cannot tell which repository this is: pass --repository OWNER/REPO (${remote ? `the origin remote ${remote} is not on github.com` : 'no GITHUB_REPOSITORY and no origin remote'})`);
    name = fromRemote;
    assumed.push(`repository ${name.owner}/${name.repo}, from the origin remote`);
  }

  const inRunner = env.GITHUB_REPOSITORY === `${name.owner}/${name.repo}`;
  let ownerId = sources.ownerId !== undefined ? parseId(sources.ownerId, '--owner-id') : inRunner ? env.GITHUB_REPOSITORY_OWNER_ID : undefined;
  let repoId = sources.repositoryId !== undefined ? parseId(sources.repositoryId, '--repository-id') : inRunner ? env.GITHUB_REPOSITORY_ID : undefined;
  let visibility = sources.visibility !== undefined ? parseVisibility(sources.visibility) : undefined;
  let defaultBranch = sources.gitDefaultBranch();
  let shape: SubjectShape | undefined = sources.subjectClaims ? parseSubjectClaims(sources.subjectClaims, sources.immutable) : undefined;

  if (sources.github) {
    try {
      const info = await sources.github.repository(name.owner, name.repo);
      // What is given wins: the API answers for the repository as it is today.
      ownerId ??= String(info.owner.id);
      repoId ??= String(info.id);
      visibility ??= info.visibility ?? (info.private === undefined ? undefined : info.private ? 'private' : 'public');
      defaultBranch = info.default_branch;
    } catch (error) {
      assumed.push(`GitHub's API did not describe ${name.owner}/${name.repo} (${(error as Error).message}): IDs, visibility and default branch not read from it`);
    }
    if (!shape) {
      try {
        const template = await sources.github.subjectCustomization(name.owner, name.repo);
        shape = { useDefault: template.use_default, includeClaimKeys: template.include_claim_keys ?? [], ...(sources.immutable ? { immutable: true } : {}) };
      } catch (error) {
        assumed.push(`the subject template could not be read from GitHub's API (${(error as Error).message})`);
      }
    }
  }
  if (!defaultBranch) {
    defaultBranch = 'main';
    assumed.push('default branch main (neither git nor GitHub said)');
  }
  if (!shape) {
    shape = { useDefault: true, includeClaimKeys: [], ...(sources.immutable ? { immutable: true } : {}) };
    assumed.push("subject template: GitHub's default (not customized; give --subject-claims or a github-token to read it)");
  }
  if (shape.immutable && (ownerId === undefined || repoId === undefined)) {
    throw new RepositoryError('the immutable form needs the owner and repository IDs: give --owner-id and --repository-id, a github-token, or run in a workflow (GITHUB_REPOSITORY_ID)');
  }
  // A fact the template renders into every sub cannot be guessed: the subjects would be guesses.
  const keys = shape.useDefault ? [] : shape.includeClaimKeys;
  const unpredictable = keys.filter((key) => !RENDERED_KEYS.includes(key));
  if (unpredictable.length > 0) {
    throw new RepositoryError(`the subject template names ${unpredictable.map((key) => (/^\w+$/.test(key) ? key : JSON.stringify(key))).join(', ')}, whose value differs from run to run or is the organization's: the subjects cannot be predicted (the check renders ${RENDERED_KEYS.join(', ')})`);
  }
  const missing = [
    ...(keys.includes('repository_visibility') && visibility === undefined ? ['repository_visibility (give --visibility public|private|internal)'] : []),
    ...(keys.includes('repository_id') && repoId === undefined ? ['repository_id (give --repository-id N)'] : []),
    ...(keys.includes('repository_owner_id') && ownerId === undefined ? ['repository_owner_id (give --owner-id N)'] : []),
  ];
  if (missing.length > 0) throw new RepositoryError(`the subject template names ${missing.join(' and ')}, which neither the options, the runner nor GitHub's API gave (a github-token reads them)`);
  if (!shape.immutable) {
    assumed.push('subjects in the name-only form: repositories created or renamed since 2026-07-15, or opted in, use the immutable form (--immutable)');
  }
  return { ...name, ownerId, repoId, ...(visibility ? { visibility } : {}), defaultBranch, shape, assumed };
}

function parseId(value: string, option: string): string {
  if (!/^\d{1,20}$/.test(value.trim())) throw new RepositoryError(`${option} must be a number (GitHub's ID), got ${JSON.stringify(value)}`);
  return value.trim();
}

const VISIBILITIES = ['public', 'private', 'internal'];
function parseVisibility(value: string): string {
  const text = value.trim();
  if (!VISIBILITIES.includes(text)) throw new RepositoryError(`--visibility must be public, private or internal, got ${JSON.stringify(text)}`);
  return text;
}
