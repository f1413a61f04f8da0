// Tokens that are not this repository's but that someone else can make GitHub mint: the same run in
// repositories the policy must not admit. Anyone can set the same subject template on their own
// repository, so each stranger's sub is built with this repository's template.
import { claimsFor, runOf, shapeOf, type Claims, type Run, type SubjectShape } from './claims.ts';

/** Tokens that are not this repository's but that someone else can make GitHub mint. */
export interface Stranger {
  /** 'a repository of another owner', 'a sibling repository (acme/other)', ... */
  who: string;
  claims: Claims;
}

export function strangersOf(claims: Claims, shape?: SubjectShape): Stranger[] {
  const run = runOf(claims);
  const used = shape ?? shapeOf(claims);
  const audience = claims.aud ?? '';
  const otherId = (id: string | undefined, n: number) => `${Number(id ?? 0) + n}`;
  const ownWorkflow = (workflowRef: string, owner: string, repo: string) => workflowRef.replace(/^[^/]+\/[^/]+\//, `${owner}/${repo}/`);
  // The stranger's own workflow, at the same path and ref; a reusable workflow it calls stays the same.
  const moved = (owner: string, repo: string, ids: Pick<Run, 'ownerId' | 'repoId'>): Run => {
    const next: Run = { ...run, owner, repo, ...ids, workflowRef: ownWorkflow(run.workflowRef, owner, repo) };
    if (run.jobWorkflowRef === undefined) delete next.jobWorkflowRef;
    return next;
  };
  const other = otherOwner(run.owner);
  const sibling = run.repo === 'other' ? 'another' : 'other';
  const strangers: [string, Run][] = [
    [`a repository of another owner (${other}/${run.repo})`, moved(other, run.repo, { ownerId: otherId(run.ownerId, 7), repoId: otherId(run.repoId, 7) })],
    [`a sibling repository (${run.owner}/${sibling})`, moved(run.owner, sibling, { ownerId: run.ownerId, repoId: otherId(run.repoId, 11) })],
    [`a look-alike name (${run.owner}/${run.repo}-fork)`, moved(run.owner, `${run.repo}-fork`, { ownerId: run.ownerId, repoId: otherId(run.repoId, 13) })],
    // A public reusable workflow can be called from any repository: its job_workflow_ref is the same.
    [
      `a caller of ${run.jobWorkflowRef ?? run.workflowRef} from another owner (${other}/caller)`,
      { ...moved(other, 'caller', { ownerId: otherId(run.ownerId, 7), repoId: otherId(run.repoId, 17) }), jobWorkflowRef: run.jobWorkflowRef ?? run.workflowRef },
    ],
    ['any repository at all (stranger/anything)', moved('stranger', 'anything', { ownerId: otherId(run.ownerId, 19), repoId: otherId(run.repoId, 19) })],
  ];
  // A sub this model cannot explain may or may not name the repository: assume others can mint it too.
  const sub = used ? {} : { sub: claims.sub };
  return strangers.map(([who, r]) => ({ who, claims: { ...claimsFor(r, '', used), aud: audience, ...sub, ...(claims.iss ? { iss: claims.iss } : {}) } }));
}

function otherOwner(owner: string): string {
  return owner === 'intruder' ? 'outsider' : 'intruder';
}
