// The change to a trust policy that admits every run of this repository that uses it and no stranger:
// its GitHub statement pinned to the audiences and subjects the runs present, re-checked with the one
// evaluator before it is advised. Pure.
import { stringify } from 'yaml';
import { GITHUB_ISSUER, type Claims } from '../github/claims.ts';
import { OWN_TEMPLATE, strangersOf } from '../github/strangers.ts';
import { evaluate, webIdentityRequest, type Verdict } from '../iam/evaluate.ts';
import type { PolicyDocument, Statement } from '../iam/policy.ts';
import type { FoundPolicy } from '../policies/found.ts';
import { accountFor, defaultClaims, isUnnamed, STAND_IN_ACCOUNT, type Judgement } from './judge.ts';
import type { Repository } from './repository.ts';

const PROVIDER = new URL(GITHUB_ISSUER).host;
const SUB = `${PROVIDER}:sub`;
const AUD = `${PROVIDER}:aud`;
const ID = `${PROVIDER}:repository_id`;

export type Condition = Record<string, Record<string, string | string[]>>;

export interface Fix {
  policy: FoundPolicy;
  /** The GitHub statement's condition after the change. */
  condition: Condition;
  document: PolicyDocument;
  /** Set when the re-check found the change not enough: what still decides wrongly. */
  failed?: string;
}

export interface FixInput {
  policy: FoundPolicy;
  account: string;
  partition: string;
  /** The runs that must be admitted: their claims, and the same with representatives as wildcards. */
  runs: { claims: Claims; pattern: Claims }[];
  /** Tokens that must be refused. */
  strangers: Claims[];
  /** When no run of this repository uses the policy: the subject prefix that pins it to the repository ('repo:acme/webapp'). */
  repositorySubject?: string;
}

const isGitHubStatement = (s: Statement): boolean =>
  s.Effect === 'Allow' && s.Principal !== undefined && s.Principal !== '*' && [s.Principal.Federated ?? []].flat().some((arn) => arn.endsWith(`:oidc-provider/${PROVIDER}`));

const unique = (values: string[]): string[] => [...new Set(values)].sort();
const one = (values: string[]): string | string[] => (values.length === 1 ? values[0]! : values);

export function adviseFix(input: FixInput): Fix {
  const { policy, account, partition } = input;
  const judge = (document: PolicyDocument, claims: Claims): Verdict => evaluate(document, webIdentityRequest(claims, account, partition));
  const statements = policy.document.Statement;
  const github = statements.filter(isGitHubStatement);
  const template: Statement = github[0] ?? {
    Effect: 'Allow',
    Principal: { Federated: `arn:${partition}:iam::${account}:oidc-provider/${PROVIDER}` },
    Action: 'sts:AssumeRoleWithWebIdentity',
  };

  // Keep each other condition that already admits every run: it is the owner's, and not what refuses.
  const kept: Condition = {};
  for (const statement of github) {
    for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
      for (const [key, value] of Object.entries(keys)) {
        if ([SUB, AUD, ID].includes(key.toLowerCase())) continue;
        const alone: PolicyDocument = { Version: '2012-10-17', Statement: [{ ...template, Condition: { [operator]: { [key]: value } } }] };
        if (input.runs.every((run) => judge(alone, run.claims).allowed)) (kept[operator] ??= {})[key] = value as string | string[];
      }
    }
  }
  const audiences = unique(input.runs.map((run) => run.claims.aud).flat().filter((aud): aud is string => typeof aud === 'string'));
  const subjects = input.runs.length > 0 ? unique(input.runs.map((run) => String(run.pattern.sub))) : input.repositorySubject ? [`${input.repositorySubject}:*`] : [];
  const condition: Condition = { ...kept };
  (condition.StringEquals ??= {})[AUD] = one(audiences.length > 0 ? audiences : ['sts.amazonaws.com']);
  (condition.StringLike ??= {})[SUB] = one(subjects);

  // The other statements stay; every GitHub Allow statement gives way to the one pinned statement.
  const documentOf = (c: Condition): PolicyDocument => ({
    Version: policy.document.Version ?? '2012-10-17',
    Statement: [...statements.filter((s) => !isGitHubStatement(s)), { ...template, Condition: c }],
  });
  let document = documentOf(condition);
  // The subjects the fix admits are tried too, by strangers with a template of their own shaped for them.
  const shaped = input.runs.length > 0 ? strangersOf(input.runs[0]!.claims, undefined, { callable: false, subjects }).filter((s) => s.who.startsWith(OWN_TEMPLATE)) : [];
  const strangers = [...input.strangers, ...shaped.map((s) => s.claims)];
  // A sub that does not name the repository (a template without repo first) is minted by anyone with the
  // same template: the repository's ID, which no other repository has, keeps them out.
  const ids = unique(input.runs.map((run) => run.claims.repository_id).filter((id): id is string => typeof id === 'string'));
  const strangerIn = () => strangers.some((claims) => judge(document, claims).allowed);
  if (strangerIn() && ids.length === 1 && input.runs.every((run) => run.claims.repository_id === ids[0])) {
    (condition.StringEquals ??= {})[ID] = ids[0]!;
    document = documentOf(condition);
  }
  const refused = input.runs.find((run) => !judge(document, run.claims).allowed);
  const admitted = strangers.find((claims) => judge(document, claims).allowed);
  let failed: string | undefined;
  if (subjects.length === 0) failed = 'the subjects of this repository are not known for this policy';
  else if (refused) failed = `${String(refused.claims.sub)} would still be refused: ${judge(document, refused.claims).why}`;
  else if (admitted) {
    const noId = ids.length === 0 ? ' (a subject template with repo first would name the repository; so would a condition on repository_id: give --repository-id or a github-token)' : '';
    failed = `${String(admitted.sub)} would still be admitted: ${judge(document, admitted).why}${noId}`;
  }
  return { policy, condition, document, failed };
}

/** The condition as `condition` blocks of an aws_iam_policy_document. */
export function asTerraform(condition: Condition): string {
  const blocks: string[] = [];
  for (const [test, keys] of Object.entries(condition)) {
    for (const [variable, value] of Object.entries(keys)) {
      const values = [value].flat().map((v) => JSON.stringify(v)).join(', ');
      blocks.push(`condition {\n  test     = ${JSON.stringify(test)}\n  variable = ${JSON.stringify(variable)}\n  values   = [${values}]\n}`);
    }
  }
  return blocks.join('\n');
}

/** The condition as a CloudFormation (YAML) AssumeRolePolicyDocument statement's `Condition`. */
export function asCloudFormation(condition: Condition): string {
  return stringify({ Condition: condition }, { lineWidth: 0 }).trimEnd();
}

/**
 * A fix for each policy that refuses a run of a role it is the policy of, or admits a stranger. Runs of a
 * role only the run knows (an expression) are not the policy's to admit: they shape no fix.
 */
export function fixesFor(judgement: Judgement, repository: Repository): Fix[] {
  // A verdict that rests on an unresolved value (`undetermined`) is no reason to change the policy.
  const strangers = judgement.strangers.filter((s) => !s.unresolved);
  const policies = [...new Set([...judgement.refused, ...strangers].map((finding) => finding.policy))];
  const fixes: Fix[] = [];
  for (const policy of policies) {
    const own = judgement.runs.filter((run) => run.policy === policy && !isUnnamed(run.use.role) && !run.noToken);
    if (own.length === 0 && !strangers.some((s) => s.policy === policy)) continue;
    const role = own[0]?.use.role ?? policy.roleArn ?? policy.roleName ?? '';
    const target = accountFor(role, policy) ?? { account: STAND_IN_ACCOUNT, partition: 'aws' };
    const sample = String(defaultClaims(repository).sub);
    fixes.push(
      adviseFix({
        policy,
        ...target,
        runs: own.map((run) => ({ claims: run.claims, pattern: run.pattern })),
        strangers: judgement.tried.filter((s) => s.policy === policy).map((s) => s.stranger.claims),
        repositorySubject: /^repo:[^:]+/.exec(sample)?.[0],
      }),
    );
  }
  return fixes;
}
