// --all-roles: every role of an account that trusts a GitHub OIDC provider, judged against the strangers.
// A role has no repository of its own here, so the token it is written for is built from its trust policy
// (the repository and context its `sub` names), checked to be admitted, and the strangers are that token
// moved to repositories that are not it. Pure: the listing comes in, the verdicts go out.
import { claimsFor, GITHUB_ISSUER, type Claims, type Run, type SubjectShape } from '../github/claims.ts';
import { strangersOf } from '../github/strangers.ts';
import type { Statement } from '../iam/policy.ts';
import type { FoundPolicy } from '../policies/found.ts';
import type { AccountRoles, UnreadableRole } from '../policies/list-roles.ts';
import { judgeOne, type JudgedStranger } from './judge.ts';

export interface AccountOptions {
  /** `--org OWNER`: whose repositories are "ours": their strangers show breadth, not a finding. */
  org?: string;
  /** `--issuer`: GitHub Enterprise Server issuers, as provider hosts (`ghes.example.com/_services/token`). */
  issuers: string[];
}

/** Why a stranger got in, as the summary counts it. */
export type Door = 'no condition on sub' | 'a wildcard in sub' | 'a sub another repository can present';

export interface JudgedRole {
  policy: FoundPolicy;
  arn: string;
  /** The GitHub providers (issuer hosts) its trust policy names. */
  providers: string[];
  /** The token its trust policy is written for, as far as the policy tells. */
  sample: Claims;
  /** Strangers admitted (or maybe admitted: `unresolved`): the findings. One per kind of stranger. */
  admitted: JudgedStranger[];
  /** Strangers of the --org owner admitted: not findings, but they show how wide the role is. */
  ours: JudgedStranger[];
  /** Stranger tokens tried against it. */
  tried: number;
  /** Who gets in: `acme/webapp`, `any repository of acme`, `repositories of other owners`. */
  reach: string;
}

export interface AccountJudgement {
  listed: number;
  /** Every role whose trust policy names a GitHub OIDC provider, in IAM's order. */
  roles: JudgedRole[];
  unreadable: UnreadableRole[];
  org?: string;
  assumed: string[];
}

const GITHUB_HOST = new URL(GITHUB_ISSUER).host;
const PROVIDER_ARN = /^arn:[\w-]+:iam::\d{12}:oidc-provider\/(.+)$/;

/** An issuer URL or host as IAM names its provider: no scheme, no trailing slash. */
export const providerHost = (issuer: string): string => issuer.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '');

/** github.com's issuer, its enterprise form (`/<enterprise>`), or a GitHub Enterprise Server issuer given. */
function isGitHub(host: string, issuers: string[]): boolean {
  return host === GITHUB_HOST || host.startsWith(`${GITHUB_HOST}/`) || issuers.includes(host);
}

const list = (value: unknown): string[] => (value === undefined ? [] : [value].flat().map(String));

/** The GitHub providers an Allow statement lets in; `*` lets in github.com's tokens too. */
function providersOf(statement: Statement, issuers: string[]): string[] {
  if (statement.Effect !== 'Allow' || statement.Principal === undefined) return [];
  if (statement.Principal === '*') return [GITHUB_HOST];
  const federated = list(statement.Principal.Federated);
  if (federated.includes('*')) return [GITHUB_HOST];
  return federated.map((arn) => PROVIDER_ARN.exec(arn)?.[1]).filter((host): host is string => host !== undefined && isGitHub(host, issuers));
}

/** Values under `<host>:<claim>` in the statement's conditions that say what the claim is (not what it is not). */
function conditionValues(statement: Statement, host: string, claim: string): string[] {
  const key = `${host}:${claim}`.toLowerCase();
  return Object.entries(statement.Condition ?? {})
    .filter(([operator]) => !/Not/.test(operator))
    .flatMap(([, entries]) => Object.entries(entries).filter(([k]) => k.toLowerCase() === key).flatMap(([, values]) => list(values)));
}

// A wildcard stands for a name no one would choose by chance, so the sample is a token the pattern admits.
const representative = (pattern: string): string => pattern.replace(/\*/g, 'x').replace(/\?/g, 'x');

/**
 * The run and subject template a `sub` spells: `repo:O/R:ref:R`, `repo:O@1/R@2:environment:E`,
 * `repo:O/R:pull_request`, or a custom template's `key:value` pairs (`job_workflow_ref:…`).
 */
function runOfSubject(sub: string, org: string | undefined): { run: Run; keys: string[]; immutable: boolean } {
  const parts = sub.split(':');
  const keys: string[] = [];
  const run: Run = { owner: org ?? '', repo: 'repository', eventName: 'push', ref: 'refs/heads/main', workflowRef: '' };
  let immutable = false;
  for (let i = 0; i < parts.length; i++) {
    const key = parts[i]!;
    if (key === 'pull_request') {
      Object.assign(run, { eventName: 'pull_request', ref: 'refs/pull/1/merge' });
      keys.push('context');
      continue;
    }
    const value = parts[i + 1];
    if (value === undefined || !/^\w+$/.test(key)) break;
    i += 1;
    if (key === 'repo') {
      const named = /^([^/@]+)(?:@(\d+))?\/([^/@]+)(?:@(\d+))?$/.exec(value);
      if (named) {
        Object.assign(run, { owner: named[1], repo: named[3] }, named[2] ? { ownerId: named[2] } : {}, named[4] ? { repoId: named[4] } : {});
        immutable ||= named[2] !== undefined;
      }
      keys.push('repo');
    } else if (key === 'environment' || key === 'ref') {
      if (key === 'environment') run.environment = value;
      else run.ref = value;
      keys.push('context');
    } else {
      if (key === 'job_workflow_ref') run.jobWorkflowRef = value;
      if (key === 'repository_owner') run.owner = value;
      if (key === 'event_name') run.eventName = value;
      if (key === 'repository' && value.includes('/')) [run.owner, run.repo] = value.split('/') as [string, string];
      keys.push(key);
    }
  }
  // A template that names no repository (job_workflow_ref alone) is written for the reusable workflow's owner.
  run.owner ||= run.jobWorkflowRef?.split('/')[0] ?? 'owner';
  run.workflowRef = `${run.owner}/${run.repo}/.github/workflows/deploy.yml@${run.ref}`;
  return { run, keys, immutable };
}

/**
 * The templates a `sub` may come from: the default one when it names at most a repository (`repo:acme/*`
 * stands for any context), and the keys it spells out, when they differ.
 */
function shapesOf(keys: string[], immutable: boolean): SubjectShape[] {
  const flag = immutable ? { immutable } : {};
  const standard = { useDefault: true, includeClaimKeys: [], ...flag };
  if (keys.length === 0 || keys.join() === 'repo,context') return [standard];
  return [...(keys.join() === 'repo' ? [standard] : []), { useDefault: false, includeClaimKeys: keys, ...flag }];
}

interface Candidate {
  claims: Claims;
  shape: SubjectShape;
}

/** The values the statements trusting `host` test its `sub` against, each once. */
function subsTested(policy: FoundPolicy, host: string): string[] {
  const statements = policy.document.Statement.filter((s) => providersOf(s, [host]).includes(host));
  return [...new Set(statements.flatMap((s) => conditionValues(s, host, 'sub')))];
}

/** Tokens the role's policy may be written for, from each `sub` it names (a bounded few: the policy is the account owner's input). */
function candidates(policy: FoundPolicy, host: string, org: string | undefined): Candidate[] {
  const statements = policy.document.Statement.filter((s) => providersOf(s, [host]).includes(host));
  const subs = subsTested(policy, host).slice(0, 16);
  const audience = statements.flatMap((s) => conditionValues(s, host, 'aud')).find((aud) => !/[*?]/.test(aud)) ?? 'sts.amazonaws.com';
  return (subs.length > 0 ? subs : ['']).flatMap((sub) => {
    const { run, keys, immutable } = runOfSubject(representative(sub), org);
    return shapesOf(keys, immutable).map((shape) => ({ claims: { ...claimsFor(run, audience, shape), iss: `https://${host}` }, shape }));
  });
}

/** Whether the deciding statement's condition on `sub` names a wildcard that the stranger's sub meets, names none, or an exact one. */
export function doorOf(finding: JudgedStranger): Door {
  const index = finding.verdict.deciding?.statement;
  const statement = index === undefined ? undefined : finding.policy.document.Statement[index];
  const subs = Object.values(statement?.Condition ?? {}).flatMap((entries) => Object.entries(entries).filter(([key]) => key.toLowerCase().endsWith(':sub')).flatMap(([, values]) => list(values)));
  if (subs.length === 0) return 'no condition on sub';
  return subs.some((s) => /[*?]/.test(s)) ? 'a wildcard in sub' : 'a sub another repository can present';
}

function judgeRole(policy: FoundPolicy, providers: string[], options: AccountOptions, assumed: Set<string>): JudgedRole {
  const arn = policy.roleArn ?? policy.where;
  const admitted: JudgedStranger[] = [];
  const ours: JudgedStranger[] = [];
  const seen = new Set<string>();
  let tried = 0;
  let first: Claims | undefined;
  // Each provider's tokens carry its issuer, and its condition keys are named after it.
  for (const host of providers) {
    const tries = candidates(policy, host, options.org);
    const sample = tries.find((t) => judgeOne(policy, arn, t.claims, assumed).verdict.allowed);
    if (!sample) assumed.add(`${arn}: no token built from the sub its trust policy names for ${host} is admitted (other conditions decide): strangers are moved from ${String(tries[0]!.claims.sub)}`);
    const base = sample ?? tries[0]!;
    first ??= base.claims;
    // A stranger with its own subject template is shaped for each sub the policy tests.
    for (const stranger of strangersOf(base.claims, base.shape, { subjects: subsTested(policy, host) })) {
      tried += 1;
      const judged: JudgedStranger = { policy, role: arn, stranger, ...judgeOne(policy, arn, stranger.claims, assumed) };
      if ((!judged.verdict.allowed && !judged.unresolved) || seen.has(stranger.who)) continue;
      seen.add(stranger.who);
      (options.org !== undefined && stranger.claims.repository_owner === options.org ? ours : admitted).push(judged);
    }
  }
  const sample = first!;
  const owner = String(sample.repository_owner);
  const reach = admitted.some((s) => s.stranger.claims.repository_owner !== owner)
    ? 'repositories of other owners'
    : admitted.length + ours.length > 0
      ? `any repository of ${owner}`
      : String(sample.repository);
  return { policy, arn, providers, sample, admitted, ours, tried, reach };
}

export function judgeAccount(listing: AccountRoles, options: AccountOptions): AccountJudgement {
  const assumed = new Set<string>();
  const roles: JudgedRole[] = [];
  for (const policy of listing.policies) {
    const providers = [...new Set(policy.document.Statement.flatMap((s) => providersOf(s, options.issuers)))];
    if (providers.length > 0) roles.push(judgeRole(policy, providers, options, assumed));
  }
  return { listed: listing.listed, roles, unreadable: listing.unreadable, ...(options.org !== undefined ? { org: options.org } : {}), assumed: [...assumed] };
}
