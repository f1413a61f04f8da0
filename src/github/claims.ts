// The one model of GitHub's OIDC claims: which claims a run presents, and how `sub` is built from them.
// The rules are GitHub's documented ones ("OpenID Connect reference" and "About security hardening with
// OpenID Connect", docs.github.com); where those pages are silent, the comment says so and what is assumed.

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

/** The claims that decide trust; GitHub sends more, all kept. */
export interface Claims {
  [claim: string]: unknown;
  iss?: string;
  sub?: string;
  aud?: string | string[];
  ref?: string;
  ref_type?: string;
  event_name?: string;
  environment?: string;
  repository?: string;
  repository_id?: string;
  repository_owner?: string;
  repository_owner_id?: string;
  workflow_ref?: string;
  job_workflow_ref?: string;
  base_ref?: string;
  head_ref?: string;
  workflow?: string;
  repository_visibility?: string;
  iat?: number;
  exp?: number;
}

/** A run, as far as it decides the token's claims. */
export interface Run {
  owner: string;
  repo: string;
  ownerId?: string;
  repoId?: string;
  /** 'push', 'pull_request', 'workflow_dispatch', ... */
  eventName: string;
  /** 'refs/heads/main', 'refs/tags/v1', 'refs/pull/1/merge' */
  ref: string;
  environment?: string;
  /** 'owner/repo/.github/workflows/deploy.yml@refs/heads/main' */
  workflowRef: string;
  /** The reusable workflow's file@ref when the job runs one; defaults to workflowRef. */
  jobWorkflowRef?: string;
  baseRef?: string;
  headRef?: string;
  /** The workflow's `name:` (its path when it has none): the `workflow` claim. */
  workflow?: string;
  /** 'public', 'private' or 'internal': the `repository_visibility` claim. */
  visibility?: string;
}

/** How the repository's subjects are shaped: GitHub's customization API (`use_default`, `include_claim_keys`) and the immutable form. */
export interface SubjectShape {
  useDefault: boolean;
  includeClaimKeys: string[];
  /** OWNER@ID/REPO@ID instead of OWNER/REPO: repositories created or renamed from 2026-07-15, and those opted in. */
  immutable?: boolean;
}

/**
 * The keys of a template this model renders from the run. The others (actor, run_id, sha,
 * runner_environment, enterprise, repo_property_*, ...) differ from run to run or are the organization's:
 * a sub that names them cannot be predicted.
 */
export const RENDERED_KEYS: readonly string[] = [
  'repo', 'context', 'ref', 'ref_type', 'event_name', 'repository', 'repository_owner', 'repository_owner_id', 'repository_id',
  'repository_visibility', 'workflow', 'workflow_ref', 'job_workflow_ref', 'environment', 'base_ref', 'head_ref',
];

/** GitHub's default template, and what "Resetting organization template customizations" sets. */
const DEFAULT_CLAIM_KEYS = ['repo', 'context'] as const;

/**
 * The keys the template renders. `use_default: true` ignores include_claim_keys; `use_default: false` with
 * no keys takes the organization's template, which a shape cannot name, so GitHub's default stands in.
 */
function claimKeysOf(shape: SubjectShape | undefined): readonly string[] {
  return !shape || shape.useDefault || shape.includeClaimKeys.length === 0 ? DEFAULT_CLAIM_KEYS : shape.includeClaimKeys;
}

/** "Any `:` within the metadata values will be replaced with `%3A` in the subject claim" (default and custom templates). */
const inSub = (value: string): string => value.replace(/:/g, '%3A');

/**
 * Why GitHub issues no token at all for this run, if it does not: "If the `environment` claim is included
 * (also via `include_claim_keys`), an environment is required and must be provided."
 */
export function noTokenFor(run: Pick<Run, 'environment'>, shape?: SubjectShape): string | undefined {
  if (run.environment || !claimKeysOf(shape).includes('environment')) return undefined;
  return 'the subject template includes environment and this job has none: GitHub issues no token, so the step fails';
}

/**
 * `context`: "the part that follows the repository in the default sub format". Precedence, as the
 * default subjects document it: an environment, else the pull_request event, else the ref. GitHub's pages
 * name only the `pull_request` event for the pull_request form; every other event (pull_request_target
 * included) is taken to use the ref.
 */
function contextOf(run: Pick<Run, 'environment' | 'eventName' | 'ref'>): string {
  if (run.environment) return `environment:${inSub(run.environment)}`;
  if (run.eventName === 'pull_request') return 'pull_request';
  return `ref:${inSub(run.ref)}`;
}

/** `repo`: OWNER/REPO, or OWNER@OWNER_ID/REPO@REPO_ID in the immutable form. */
function repoOf(run: Pick<Run, 'owner' | 'repo' | 'ownerId' | 'repoId'>, immutable: boolean): string {
  return immutable ? `${run.owner}@${run.ownerId ?? ''}/${run.repo}@${run.repoId ?? ''}` : `${run.owner}/${run.repo}`;
}

/**
 * `sub`: each key of the template as `key:value`, joined with ':'; `repo` and `context` as the default
 * subject spells them ("repo:ORG/REPO:environment:prod:job_workflow_ref:..." in GitHub's example).
 * The immutable form applies to `repo` in a custom template too ("owner_id and repo_id are always
 * included in the repo segment"). Every value has its `:` written `%3A`. Silent in GitHub's pages, and
 * assumed here: a key the run has no value for renders empty (environment, the one GitHub refuses to
 * render empty, is `noTokenFor`'s to say).
 */
export function subjectFor(run: Run, shape?: SubjectShape): string {
  const claims = runClaims(run);
  return claimKeysOf(shape)
    .map((key) => {
      if (key === 'repo') return `repo:${repoOf(run, shape?.immutable === true)}`;
      if (key === 'context') return contextOf(run);
      const value = claims[key];
      return `${key}:${typeof value === 'string' ? inSub(value) : ''}`;
    })
    .join(':');
}

/** The claims GitHub puts in the token of this run (the ones a run decides; jti, sha, run_id... vary per run and are left out). */
export function claimsFor(run: Run, audience: string, shape?: SubjectShape): Claims {
  return { iss: GITHUB_ISSUER, aud: audience, sub: subjectFor(run, shape), ...runClaims(run) };
}

function runClaims(run: Run): Claims {
  const claims: Claims = {
    ref: run.ref,
    // Pull request refs (refs/pull/N/merge) are reported as branches; a deployment of a commit SHA has no ref, nor a type.
    ref_type: run.ref === '' ? '' : run.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    event_name: run.eventName,
    repository: `${run.owner}/${run.repo}`,
    repository_owner: run.owner,
    workflow_ref: run.workflowRef,
    job_workflow_ref: run.jobWorkflowRef ?? run.workflowRef,
    // GitHub sends both, empty outside pull request events.
    base_ref: run.baseRef ?? '',
    head_ref: run.headRef ?? '',
  };
  if (run.ownerId !== undefined) claims.repository_owner_id = run.ownerId;
  if (run.repoId !== undefined) claims.repository_id = run.repoId;
  if (run.environment) claims.environment = run.environment;
  if (run.workflow !== undefined) claims.workflow = run.workflow;
  if (run.visibility !== undefined) claims.repository_visibility = run.visibility;
  return claims;
}

/** The run a token describes, read back from its claims (what strangers and advice vary). */
export function runOf(claims: Claims): Run {
  // Without the repository claims (a token cut down to what trust needs), the default sub still names it.
  const named = /^repo:([^/:@]+)(?:@(\d+))?\/([^:@]+)(?:@(\d+))?:/.exec(claims.sub ?? '');
  const [owner = claims.repository_owner ?? named?.[1] ?? '', repo = named?.[3] ?? ''] = claims.repository?.split('/') ?? [];
  const run: Run = { owner, repo, eventName: claims.event_name ?? '', ref: claims.ref ?? '', workflowRef: claims.workflow_ref ?? '' };
  const ownerId = claims.repository_owner_id ?? named?.[2];
  const repoId = claims.repository_id ?? named?.[4];
  if (ownerId !== undefined) run.ownerId = ownerId;
  if (repoId !== undefined) run.repoId = repoId;
  if (claims.environment) run.environment = claims.environment;
  if (claims.job_workflow_ref && claims.job_workflow_ref !== claims.workflow_ref) run.jobWorkflowRef = claims.job_workflow_ref;
  if (claims.base_ref) run.baseRef = claims.base_ref;
  if (claims.head_ref) run.headRef = claims.head_ref;
  if (typeof claims.workflow === 'string') run.workflow = claims.workflow;
  if (typeof claims.repository_visibility === 'string') run.visibility = claims.repository_visibility;
  return run;
}

/**
 * The template that produced this token's sub, when the other claims can explain it: the default (either
 * form) or a list of keys. Undefined when no template built from these claims gives this sub.
 */
export function shapeOf(claims: Claims): SubjectShape | undefined {
  const sub = claims.sub ?? '';
  const run = runOf(claims);
  for (const immutable of [false, true]) {
    if (subjectFor(run, { useDefault: true, includeClaimKeys: [], immutable }) === sub) return { useDefault: true, includeClaimKeys: [], ...(immutable ? { immutable } : {}) };
  }
  const keys: string[] = [];
  let immutable = false;
  let rest = sub;
  while (rest !== '') {
    const named = /^(\w+):/.exec(rest)?.[1] ?? '';
    const value = claims[named];
    const candidates: [string, string][] = [
      ...(typeof value === 'string' ? [[named, `${named}:${inSub(value)}`] as [string, string]] : []),
      ['repo', `repo:${repoOf(run, false)}`],
      ['repo@', `repo:${repoOf(run, true)}`],
      ['context', contextOf(run)],
    ];
    const hit = candidates.find(([, text]) => rest === text || rest.startsWith(`${text}:`));
    if (!hit) return undefined;
    if (hit[0] === 'repo@') immutable = true;
    keys.push(hit[0] === 'repo@' ? 'repo' : hit[0]);
    rest = rest.slice(hit[1].length + 1);
  }
  return { useDefault: false, includeClaimKeys: keys, ...(immutable ? { immutable } : {}) };
}
