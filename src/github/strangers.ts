// Tokens that are not this repository's but that someone else can make GitHub mint: the same run in
// repositories the policy must not admit. Anyone can set the same subject template on their own
// repository, so each stranger's sub is built with this repository's template; and anyone can set a
// template of their own, so for each sub a policy tests, a stranger shapes its template to meet it.
import { claimsFor, noTokenFor, RENDERED_KEYS, runOf, shapeOf, type Claims, type Run, type SubjectShape } from './claims.ts';

/** Tokens that are not this repository's but that someone else can make GitHub mint. */
export interface Stranger {
  /** 'a repository of another owner', 'a sibling repository (acme/other)', ... */
  who: string;
  claims: Claims;
}

export interface StrangerOptions {
  /**
   * Whether the run's workflow can be called from other repositories (it has `workflow_call`): then a
   * caller elsewhere presents its job_workflow_ref. Unsaid: when the run is a reusable workflow's.
   */
  callable?: boolean;
  /** The values a policy's conditions test `sub` against (patterns for StringLike): a stranger with its own template is shaped for each. */
  subjects?: string[];
}

/** Who a stranger with its own subject template is. */
export const OWN_TEMPLATE = 'a repository with its own subject template';

export function strangersOf(claims: Claims, shape?: SubjectShape, options: StrangerOptions = {}): Stranger[] {
  const run = runOf(claims);
  const used = shape ?? shapeOf(claims);
  const audience = claims.aud ?? '';
  const otherId = (id: string | undefined, n: number) => `${Number(id ?? 0) + n}`;
  const other = otherOwner(run.owner);
  const moved = (owner: string, repo: string, ids: Pick<Run, 'ownerId' | 'repoId'>): Run => movedRun(run, owner, repo, ids);
  const sibling = run.repo === 'other' ? 'another' : 'other';
  const workflow = run.jobWorkflowRef ?? run.workflowRef;
  const strangers: [string, Run][] = [
    [`a repository of another owner (${other}/${run.repo})`, moved(other, run.repo, { ownerId: otherId(run.ownerId, 7), repoId: otherId(run.repoId, 7) })],
    [`a sibling repository (${run.owner}/${sibling})`, moved(run.owner, sibling, { ownerId: run.ownerId, repoId: otherId(run.repoId, 11) })],
    [`a look-alike name (${run.owner}/${run.repo}-fork)`, moved(run.owner, `${run.repo}-fork`, { ownerId: run.ownerId, repoId: otherId(run.repoId, 13) })],
    // Owner names are first come, first served: `repo:acme*` is met by an owner that registers acme-evil.
    [`an owner whose name begins with yours (${run.owner}-evil/${run.repo})`, moved(`${run.owner}-evil`, run.repo, { ownerId: otherId(run.ownerId, 23), repoId: otherId(run.repoId, 23) })],
  ];
  // A reusable workflow can be called from any repository that can read it: its job_workflow_ref is the same.
  if (options.callable ?? run.jobWorkflowRef !== undefined) {
    strangers.push([
      `a caller of ${workflow.replace(/@[^@]*$/, '')} from another owner (${other}/caller)`,
      { ...moved(other, 'caller', { ownerId: otherId(run.ownerId, 7), repoId: otherId(run.repoId, 17) }), jobWorkflowRef: workflow },
    ]);
  }
  strangers.push(['any repository at all (stranger/anything)', moved('stranger', 'anything', { ownerId: otherId(run.ownerId, 19), repoId: otherId(run.repoId, 19) })]);
  // A sub this model cannot explain may or may not name the repository: assume others can mint it too.
  const sub = used ? {} : { sub: claims.sub };
  const mint = (r: Run, template: SubjectShape | undefined, extra: Claims) => ({ ...claimsFor(r, '', template), aud: audience, ...extra, ...(claims.iss ? { iss: claims.iss } : {}) });
  const found = strangers.map(([who, r]) => ({ who, claims: mint(r, used, sub) }));

  const own = moved(other, 'evil', { ownerId: otherId(run.ownerId, 29), repoId: otherId(run.repoId, 29) });
  for (const subject of new Set(options.subjects ?? [])) {
    const made = ownTemplateFor(subject, own, run, options.callable ?? run.jobWorkflowRef !== undefined);
    if (made) found.push({ who: `${OWN_TEMPLATE} (${own.owner}/${own.repo}, include_claim_keys ${made.keys.join(',')})`, claims: mint(made.run, { useDefault: false, includeClaimKeys: made.keys }, {}) });
  }
  return found;
}

/** The stranger's own workflow, at the same path and ref; a reusable workflow it calls stays the same. */
function movedRun(run: Run, owner: string, repo: string, ids: Pick<Run, 'ownerId' | 'repoId'>): Run {
  const next: Run = { ...run, owner, repo, ...ids, workflowRef: run.workflowRef.replace(/^[^/]+\/[^/]+\//, `${owner}/${repo}/`) };
  if (run.jobWorkflowRef === undefined) delete next.jobWorkflowRef;
  return next;
}

function otherOwner(owner: string): string {
  return owner === 'intruder' ? 'outsider' : 'intruder';
}

/** The keys a sub shows (`context` never shows: it renders as environment, ref or pull_request). */
const RENDERED = new Set(RENDERED_KEYS.filter((key) => key !== 'context'));
/** Keys whose value is the repository's own: a stranger renders its own, whatever the policy wants. */
const IDENTITY = new Set(['repo', 'repository', 'repository_owner', 'repository_owner_id', 'repository_id', 'workflow_ref']);

/**
 * The stranger whose own template (`include_claim_keys`) renders `subject`, read as `key:value` segments,
 * with each value it controls (workflow's name, environment, ref, event, visibility...) set to what the
 * subject asks, and each `*` or `?` as a plain character. A value cannot hold a ':' (GitHub writes it
 * `%3A`), so a subject that needs one is out of reach, except where a trailing wildcard takes the rest:
 * there the stranger's own `repo` follows. Undefined when no template of the stranger's renders it; the
 * evaluator decides whether what is rendered is admitted.
 */
function ownTemplateFor(subject: string, own: Run, victim: Run, callable: boolean): { keys: string[]; run: Run } | undefined {
  const segments: { key: string; value: string[] }[] = [];
  for (const token of subject.split(':')) {
    const current = segments.at(-1);
    if (token === 'pull_request' && (!current || current.value.length > 0)) segments.push({ key: 'pull_request', value: [''] });
    else if (RENDERED.has(token) && (!current || current.value.length > 0)) segments.push({ key: token, value: [] });
    else if (current) current.value.push(token);
    else return undefined;
  }
  const fill = (text: string) => text.replace(/[*?]/g, 'x');
  const run: Run = { ...own };
  const keys: string[] = [];
  for (const [index, { key, value }] of segments.entries()) {
    if (value.length === 0) return undefined;
    // A value with ':' in it: only a trailing wildcard can stand for what follows.
    if (value.length > 1 && (index < segments.length - 1 || !/[*]/.test(value.slice(1).join(':')))) return undefined;
    const text = fill(value[0]!);
    keys.push(key === 'pull_request' ? 'context' : key);
    if (IDENTITY.has(key)) continue;
    if (key === 'pull_request') Object.assign(run, { eventName: 'pull_request', ref: 'refs/pull/1/merge' });
    else if (key === 'environment') run.environment = text;
    else if (key === 'ref') run.ref = text.startsWith('refs/') ? text : `refs/heads/${text}`;
    else if (key === 'ref_type') run.ref = text === 'tag' ? 'refs/tags/x' : run.ref;
    else if (key === 'workflow') run.workflow = text;
    else if (key === 'event_name') run.eventName = text;
    else if (key === 'repository_visibility') run.visibility = text;
    else if (key === 'base_ref') run.baseRef = text;
    else if (key === 'head_ref') run.headRef = text;
    else if (key === 'job_workflow_ref') {
      // Its own reusable workflow, or this repository's when others can call it; another owner's is not the stranger's to run.
      const owner = value[0]!.startsWith('*') ? own.owner : text.split('/')[0];
      if (owner === victim.owner && !callable) return undefined;
      if (owner !== victim.owner && owner !== own.owner) return undefined;
      run.jobWorkflowRef = owner === own.owner ? `${own.owner}/${own.repo}/.github/workflows/x.yml@refs/heads/x` : text;
    }
  }
  if (segments.at(-1)!.value.length > 1) keys.push('repo');
  const template: SubjectShape = { useDefault: false, includeClaimKeys: keys };
  if (new Set(keys).size !== keys.length || noTokenFor(run, template)) return undefined;
  return { keys, run };
}
