// Each way a job will run: every trigger in its workflow's `on:`, with the refs its filters let through,
// as the runs the claims model turns into tokens. Where GitHub's documentation does not say what a run
// presents, the run says what was assumed.
import type { EventsConfig } from '@actions/workflow-parser/model/workflow-template';
import type { Run } from '../github/claims.ts';
import { holdsForRun, resolveForRun, valueForRun, type RunFacts, type RunInputs } from './expressions.ts';
import { admits, candidates, type Candidate } from './filters.ts';
import type { Repository } from './repository.ts';
import { typed, type Condition, type CredentialJob } from './workflows.ts';

export interface PredictedRun {
  event: string;
  /** The trigger as a person reads it: "push to a branch matching 'release/**' (release/x stands for them)". */
  trigger: string;
  run: Run;
  /** The run with each representative name as the wildcard it stands for: what a policy should admit. */
  pattern: Run;
  /** What this run's prediction rests on beyond the documentation. */
  assumed: string[];
  /** The inputs context its expressions see: a workflow_dispatch's chosen inputs, empty for other events; unknown in a reusable workflow. */
  inputs?: RunInputs;
}

/** A run that never happens, because an `if:` is false for it: listed, never dropped without a word. */
export interface ExcludedRun {
  event: string;
  trigger: string;
  /** The `if:` that is false for the run, as written. */
  condition: string;
}

// Names that stand for a pattern's `*`: plain words, so a policy's own patterns meet them as they would a real name.
const BRANCH_STAND = 'x';
const TAG_STAND = '1';
const ANY_BRANCH: Candidate = { name: 'feature', like: '*', said: 'any other branch (feature stands for them)' };
const ANY_TAG: Candidate = { name: 'v1.0.0', like: '*', said: 'any tag (v1.0.0 stands for them)' };
const PULL_REQUEST_REF = { name: 'refs/pull/1/merge', like: 'refs/pull/*/merge' };
const HEAD_BRANCH = 'feature';

type Filters = { branches?: string[]; 'branches-ignore'?: string[]; tags?: string[]; 'tags-ignore'?: string[] };

// Documented: https://docs.github.com/actions/reference/workflows-and-actions/events-that-trigger-workflows
// (GITHUB_REF per event). Events not named here run on the default branch's last commit.
const ON_DEFAULT_BRANCH_SAID: Record<string, string> = {
  schedule: 'schedule (runs on the default branch)',
};

const MAX_DISPATCHES = 16;
/** The commit a deployment of a SHA names: a stand-in, as the refs' representatives are. */
const DEPLOYED_SHA = '0'.repeat(40);

/**
 * The inputs a workflow_dispatch can be given, typed. Those the job's environment or an `if:` (its own,
 * a caller's or a credential step's) reads are varied, so every run some value allows is predicted: a
 * boolean both ways, each option of a choice, a string's or number's default and then any other value
 * (only the run knows it). The others keep their default.
 */
function dispatchInputs(job: CredentialJob): { said: string; inputs: RunInputs }[] {
  const decisive = [
    job.environment && 'expression' in job.environment ? job.environment.expression : '',
    ...job.conditions.map((c) => (c.inputs ? Object.values(c.inputs).map((i) => String(i.value)).join('\n') : c.if)),
    ...(job.calledInputs ? [] : job.steps.map((step) => step.if ?? '')),
  ].join('\n');
  let combos: { said: string[]; inputs: RunInputs }[] = [{ said: [], inputs: {} }];
  for (const [name, input] of Object.entries(job.dispatchInputs ?? {})) {
    const named = new RegExp(`(?<![.\\w])inputs\\s*(?:\\.\\s*${name.replace(/[-]/g, '\\-')}\\b|\\[)`, 'i').test(decisive);
    const first = input.value;
    const values: { value: RunInputs[string]; said: string }[] = !named
      ? [{ value: first, said: '' }]
      : input.type === 'boolean'
        ? [first, !first].map((v) => ({ value: v, said: `${name}=${String(v)}` }))
        : input.type === 'choice' && input.options?.length
          ? input.options.map((o) => ({ value: o, said: `${name}=${o}` }))
          : [
              { value: first, said: `${name}=${JSON.stringify(first)}` },
              { value: undefined, said: `${name}=(any other value)` },
            ];
    combos = combos.flatMap((c) => values.map((v) => ({ said: v.said ? [...c.said, v.said] : c.said, inputs: { ...c.inputs, [name]: v.value } }))).slice(0, MAX_DISPATCHES);
  }
  return combos.map((c) => ({ said: c.said.length > 0 ? ` with ${c.said.join(', ')}` : '', inputs: c.inputs }));
}

/** The inputs context a condition reads in this run: a reusable workflow's, its values resolved for the run; else the run's own. */
function contextFor(condition: Condition, facts: RunFacts, own: RunInputs | undefined): RunInputs | undefined {
  if (!condition.inputs) return own;
  return Object.fromEntries(
    Object.entries(condition.inputs).map(([name, { type, value }]) => {
      const resolved = typeof value === 'string' && value.includes('${{') ? valueForRun(value, facts, own) : value;
      return [name, resolved === undefined ? undefined : typed(type, resolved)];
    }),
  );
}

/** What an expression of the run may read: the github context as the run's claims decide it. */
export function factsOf(run: Run): RunFacts {
  return {
    ref: run.ref,
    ref_name: run.ref.replace(/^refs\/(heads|tags)\//, '').replace(/^refs\/pull\/(\d+)\/merge$/, '$1/merge'),
    ref_type: run.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    event_name: run.eventName,
    base_ref: run.baseRef ?? '',
    head_ref: run.headRef ?? '',
    repository: `${run.owner}/${run.repo}`,
    repository_owner: run.owner,
  };
}

/** Every run of the job, in the order of its workflow's triggers. */
export function runsOf(job: CredentialJob, repository: Repository): PredictedRun[] {
  return predictRuns(job, repository).runs;
}

/** Every run of the job, and the runs an `if:` rules out, each with the condition that does. */
export function predictRuns(job: CredentialJob, repository: Repository): { runs: PredictedRun[]; excluded: ExcludedRun[] } {
  const main = repository.defaultBranch;
  const file = (workflow: string) => `.github/workflows/${workflow.split('/').pop()}`;
  const innermost = job.called.at(-1);
  const build = (event: string, ref: string, extra: Partial<Run>): Run => {
    const run: Run = {
      owner: repository.owner,
      repo: repository.repo,
      ownerId: repository.ownerId,
      repoId: repository.repoId,
      eventName: event,
      ref,
      workflowRef: `${repository.owner}/${repository.repo}/${file(job.workflow)}@${ref}`,
      ...extra,
    };
    // A local reusable workflow runs from the caller's commit, so it shares the caller's ref; one in another repository is named by its uses:.
    if (innermost) run.jobWorkflowRef = innermost.jobWorkflowRef ?? `${repository.owner}/${repository.repo}/${file(innermost.workflow)}@${ref}`;
    if (job.environment && 'name' in job.environment) run.environment = job.environment.name;
    return run;
  };
  type Ref = { name: string; like: string };
  // A run of any event but workflow_dispatch has the empty inputs context.
  const noInputs: RunInputs = {};
  // The run's own inputs, which the starting workflow's conditions read; the job's own expressions read its workflow's.
  const own = new Map<PredictedRun, RunInputs>();
  const make = (event: string, trigger: string, ref: Ref, base?: Candidate, assumed: string[] = [], runInputs = noInputs): PredictedRun => {
    const run = build(event, ref.name, base ? { baseRef: base.name, headRef: HEAD_BRANCH } : {});
    const pattern = build(event, ref.like, base ? { baseRef: base.like, headRef: '*' } : {});
    const inputs = job.calledInputs ? contextFor({ if: '', inputs: job.calledInputs }, factsOf(run), runInputs) : runInputs;
    const notes = [...assumed];
    if (job.environment && 'expression' in job.environment) {
      const environment = resolveForRun(job.environment.expression, factsOf(run), inputs);
      if (environment === undefined) notes.push(`environment ${job.environment.expression} is an expression only the run resolves: predicted as if the job had no environment`);
      else run.environment = pattern.environment = environment;
    }
    const predicted: PredictedRun = { event, trigger, run, pattern, assumed: notes, ...(inputs ? { inputs } : {}) };
    own.set(predicted, runInputs);
    return predicted;
  };

  // A branch or tag the job's `if:` names (`github.ref == 'refs/heads/prd'`) is one of the runs, as its own
  // representative: the one a pattern stands for may be the very name the `if:` keeps out (mincuru/mincuru-sveltekit).
  const named = (kind: 'heads' | 'tags') => [
    ...new Set([...job.conditions.map((c) => c.if), ...job.steps.map((s) => s.if ?? '')].flatMap((c) => [...c.matchAll(new RegExp(`'refs/${kind}/([^'*?\\[\\]]+)'`, 'g'))].map((m) => m[1]!))),
  ];
  const withNamed = (found: Candidate[], kind: 'heads' | 'tags', include?: string[], ignore?: string[]): Candidate[] => [
    ...found,
    ...named(kind)
      .filter((name) => !found.some((c) => c.name === name) && (include ? admits(include, name) : !ignore || !admits(ignore, name)))
      .map((name) => ({ name, like: name, said: `${name} (named by the job's if:)` })),
  ];
  const runs: PredictedRun[] = [];
  const defaultBranch: Candidate = { name: main, like: main, said: main };
  const heads = (c: Candidate): Ref => ({ name: `refs/heads/${c.name}`, like: `refs/heads/${c.like}` });
  const tags = (c: Candidate): Ref => ({ name: `refs/tags/${c.name}`, like: `refs/tags/${c.like}` });
  for (const [event, config] of Object.entries(job.events as EventsConfig)) {
    const filters = (config ?? {}) as Filters;
    const branches = (defaults: Candidate[]) => candidates(filters.branches, filters['branches-ignore'], defaults, BRANCH_STAND, 'branch');
    switch (event) {
      case 'push': {
        // Branch filters alone mean no tag runs, and tag filters alone no branch runs.
        const anyFilter = ['branches', 'branches-ignore', 'tags', 'tags-ignore'].some((k) => k in filters);
        const onBranches = !anyFilter || 'branches' in filters || 'branches-ignore' in filters;
        const onTags = !anyFilter || 'tags' in filters || 'tags-ignore' in filters;
        if (onBranches) for (const b of withNamed(branches([defaultBranch, ANY_BRANCH]), 'heads', filters.branches, filters['branches-ignore'])) runs.push(make(event, `push to ${b.said}`, heads(b)));
        if (onTags) {
          for (const t of withNamed(candidates(filters.tags, filters['tags-ignore'], [ANY_TAG], TAG_STAND, 'tag'), 'tags', filters.tags, filters['tags-ignore'])) {
            // A literal tag is said with its kind; a pattern's or any tag's words name the kind already.
            runs.push(make(event, t.said === t.name ? `push of tag ${t.name}` : `push of ${t.said}`, tags(t)));
          }
        }
        break;
      }
      case 'pull_request':
        for (const b of branches([defaultBranch])) {
          runs.push(make(event, `pull request into ${b.said}`, PULL_REQUEST_REF, b));
        }
        break;
      case 'pull_request_target':
        // Documented: pull_request_target runs with the base branch's ref.
        for (const b of branches([defaultBranch])) {
          runs.push(
            make(event, `pull_request_target into ${b.said}`, heads(b), b, [
              "pull_request_target: GitHub's pages give the pull_request subject only for pull_request; predicted with the base branch's ref, as for other events",
            ]),
          );
        }
        break;
      case 'pull_request_review':
      case 'pull_request_review_comment':
        // Documented: every pull request event but pull_request_target runs on the merge ref. The subject
        // GitHub's pages give as pull_request is named only for the pull_request event.
        runs.push(
          make(event, `${event} on a pull request into ${main}`, PULL_REQUEST_REF, defaultBranch, [
            `${event}: runs on the pull request's merge ref (documented); GitHub's pages give the pull_request subject only for pull_request, so its subject is predicted from that ref`,
          ]),
        );
        break;
      case 'create':
        // Documented: GITHUB_REF is the branch or tag created.
        runs.push(make(event, 'create of a branch (feature stands for them)', heads(ANY_BRANCH)), make(event, `create of ${ANY_TAG.said}`, tags(ANY_TAG)));
        break;
      case 'release':
        // Documented: GITHUB_REF is the release's tag.
        runs.push(make(event, `release of ${ANY_TAG.said}`, tags(ANY_TAG)));
        break;
      case 'merge_group':
        for (const b of branches([defaultBranch])) {
          runs.push(
            make(event, `merge queue into ${b.said}`, { name: `refs/heads/gh-readonly-queue/${b.name}/pr-1-${'0'.repeat(40)}`, like: `refs/heads/gh-readonly-queue/${b.like}/*` }, undefined, [
              "merge_group: GitHub documents the ref only as the merge group's; predicted as refs/heads/gh-readonly-queue/BASE/pr-N-SHA, the form merge queues use",
            ]),
          );
        }
        break;
      case 'workflow_dispatch': {
        const assumed = [`workflow_dispatch can be started on any branch or tag; predicted on the default branch ${main}`];
        for (const { said, inputs } of dispatchInputs(job)) {
          runs.push(make(event, `workflow_dispatch${said} on the default branch`, heads(defaultBranch), undefined, assumed, inputs));
        }
        break;
      }
      case 'deployment':
      case 'deployment_status': {
        // Documented: the ref is the deployment's, which whoever creates it chooses: a branch, a tag or a commit
        // SHA. From a SHA, GitHub's tokens carry `ref: ""` and workflow_ref/job_workflow_ref ending in @SHA.
        const said = `${event}: the ref is the one the deployment was created with; predicted for the default branch and for a commit SHA (a tag would give refs/tags/TAG)`;
        runs.push(make(event, `${event} of the default branch ${main}`, heads(defaultBranch), undefined, [said]));
        const fromSha = make(event, `${event} of a commit SHA (ref "")`, { name: '', like: '' }, undefined, [said]);
        for (const [run, sha] of [[fromSha.run, DEPLOYED_SHA], [fromSha.pattern, '*']] as const) {
          run.workflowRef = `${run.workflowRef}${sha}`;
          if (run.jobWorkflowRef !== undefined) run.jobWorkflowRef = `${run.jobWorkflowRef}${sha}`;
        }
        runs.push(fromSha);
        break;
      }
      default: {
        const said = ON_DEFAULT_BRANCH_SAID[event] ?? `${event} (runs on the default branch)`;
        runs.push(make(event, said, heads(defaultBranch)));
      }
    }
  }
  // A run whose `if:` is false for it never happens, and is listed as such; one only the run can decide is kept, and said.
  const excluded: ExcludedRun[] = [];
  const kept = runs.filter((predicted) => {
    const facts = factsOf(predicted.run);
    const verdicts = job.conditions.map((condition) => [condition.if, holdsForRun(condition.if, facts, contextFor(condition, facts, own.get(predicted)))] as const);
    const failed = verdicts.find(([, holds]) => holds === false);
    if (failed) {
      excluded.push({ event: predicted.event, trigger: predicted.trigger, condition: failed[0] });
      return false;
    }
    for (const [condition, holds] of verdicts) if (holds === undefined) predicted.assumed.push(`if: ${condition} is known only to the run: predicted as if it holds`);
    return true;
  });
  return { runs: kept, excluded };
}
