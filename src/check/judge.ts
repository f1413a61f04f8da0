// Every predicted run against the trust policy of the role its job assumes, and the tokens of others
// (strangers) against every policy. Pure: the evaluator and the claims model decide; this module only
// pairs runs with policies and keeps what each verdict said.
import { DEFAULTS, parseProfiles } from '../config.ts';
import { claimsFor, GITHUB_ISSUER, noTokenFor, type Claims } from '../github/claims.ts';
import { strangersOf, type Stranger } from '../github/strangers.ts';
import { evaluate, offeredClaims, webIdentityRequest, type Verdict } from '../iam/evaluate.ts';
import { forAccount } from '../policies/account.ts';
import type { PolicyDocument, Statement } from '../iam/policy.ts';
import type { FoundPolicy } from '../policies/found.ts';
import type { Repository } from './repository.ts';
import { holdsForRun } from './expressions.ts';
import { factsOf, predictRuns, type ExcludedRun, type PredictedRun } from './runs.ts';
import type { CredentialJob, CredentialStep } from './workflows.ts';

/** A role a step assumes with the workflow's token, as the workflow writes it. */
export interface RoleUse {
  role: string;
  audience: string;
  step: CredentialStep;
  /** The profile its credentials are written to: a `profiles` line's name, or `aws-profile`. */
  profile?: string;
}

export interface JudgedRun {
  job: CredentialJob;
  predicted: PredictedRun;
  use: RoleUse;
  policy: FoundPolicy;
  claims: Claims;
  /** The same run with each representative name as the wildcard it stands for (what a fix admits). */
  pattern: Claims;
  verdict: Verdict;
  /** The references the source left unresolved that the verdict rests on: then `verdict` says `undetermined: …`. */
  unresolved?: string[];
  /** Why GitHub issues this run no token at all (then `claims` has no sub, and no policy decides). */
  noToken?: string;
}

/** A condition on a claim of GitHub's token that STS does not offer as a condition key: it sees no value. */
export interface Unoffered {
  policy: FoundPolicy;
  /** Index in Statement, from 0. */
  statement: number;
  effect: 'Allow' | 'Deny';
  operator: string;
  key: string;
  /** What the condition does with a key that has no value: a Deny that never applies is a finding. */
  holds: 'never' | 'always';
}

export interface JudgedStranger {
  policy: FoundPolicy;
  role: string;
  stranger: Stranger;
  verdict: Verdict;
  unresolved?: string[];
}

/** A run of a job that presents no token, because the job's or the step's `if:` is false for it. */
export interface SkippedRun extends ExcludedRun {
  job: CredentialJob;
  /** Whose `if:` it is. */
  of: 'job' | 'step';
}

export interface Judgement {
  runs: JudgedRun[];
  /** Runs an `if:` rules out: no token, so nothing to judge, but listed so no job disappears without a word. */
  excluded: SkippedRun[];
  /** Strangers a policy admits, or may admit (`unresolved`): one per policy and kind of stranger. */
  strangers: JudgedStranger[];
  /** Every stranger's token tried against each policy, admitted or not (what a fix is re-checked against). */
  tried: JudgedStranger[];
  /** Runs that will be refused: for a role given as an expression, those no policy admits. */
  refused: JudgedRun[];
  /** Runs whose verdict rests on a value the source left unresolved: nothing proves them admitted. */
  undetermined: JudgedRun[];
  /** Conditions on claims STS does not offer; those of a Deny that never applies are findings. */
  unoffered: Unoffered[];
  assumed: string[];
}

/** `${{ secrets.X }}`, `${{ vars.X }}` or any other expression: the value is known only to the run. */
export const isExpression = (value: string): boolean => value.includes('${{');

/** The role's name, when the workflow spells it out (`arn:aws:iam::${{ vars.ACCOUNT }}:role/deploy` has one). */
export function roleName(role: string): string | undefined {
  if (!isExpression(role)) return nameOf(role);
  const at = role.lastIndexOf(':role/');
  return at >= 0 && !isExpression(role.slice(at)) ? nameOf(role.slice(at)) : undefined;
}

/** A role the workflow does not name at all: tried against every policy. */
export const isUnnamed = (role: string): boolean => roleName(role) === undefined;

const ROLE_ARN = /^arn:([\w-]+):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;
// The name is what follows the path, even in an ARN whose account is still a placeholder.
const nameOf = (role: string): string => /:role\/(?:.*\/)?([^/]+)$/.exec(role)?.[1] ?? role;

/** Whether a policy is the trust policy of the role: same ARN when both are known, same name otherwise. */
export function isPolicyOf(policy: FoundPolicy, role: string): boolean {
  if (ROLE_ARN.test(role) && policy.roleArn !== undefined && ROLE_ARN.test(policy.roleArn)) return policy.roleArn === role;
  const policyName = policy.roleName ?? (policy.roleArn ? nameOf(policy.roleArn) : undefined);
  return policyName !== undefined && policyName === nameOf(role);
}

const PROVIDER = new URL(GITHUB_ISSUER).host;

/** The account and partition a role's token is presented to: the role's ARN, else the policy's, else its GitHub provider's. */
export function accountFor(role: string, policy: FoundPolicy): { account: string; partition: string } | undefined {
  for (const arn of [role, policy.roleArn]) {
    const match = arn === undefined ? null : ROLE_ARN.exec(arn);
    if (match) return { partition: match[1]!, account: match[2]! };
  }
  return providerAccount(policy);
}

/** The account of the GitHub provider a policy's statements name, when one names it. */
function providerAccount(policy: FoundPolicy): { account: string; partition: string } | undefined {
  for (const statement of policy.document.Statement) {
    const federated = statement.Principal && statement.Principal !== '*' ? statement.Principal.Federated : undefined;
    for (const arn of [federated ?? []].flat()) {
      const match = /^arn:([\w-]+):iam::(\d{12}):oidc-provider\/(.+)$/.exec(arn);
      if (match && match[3] === PROVIDER) return { partition: match[1]!, account: match[2]! };
    }
  }
  return undefined;
}

/** The roles a step assumes with the workflow's token; what it cannot tell is said. */
export function rolesOf(job: CredentialJob, step: CredentialStep, assumed: string[]): RoleUse[] {
  const where = `${job.called.at(-1)?.workflow ?? job.workflow} line ${step.line}`;
  if (step.notOidc) {
    assumed.push(`${where}: ${step.uses} uses ${step.notOidc}, not the workflow's OIDC token: not checked`);
    return [];
  }
  let audience = step.audience ?? DEFAULTS.audience;
  if (isExpression(audience)) {
    assumed.push(`${where}: audience ${audience} is an expression: predicted as ${DEFAULTS.audience}`);
    audience = DEFAULTS.audience;
  }
  if (step.profilesFile) assumed.push(`${where}: the roles of profiles-file ${step.profilesFile} are not checked (give their trust policies with ROLE_ARN=PATH and role-to-assume, or check them one by one)`);
  const uses: RoleUse[] = [];
  if (step.roleToAssume) uses.push({ role: step.roleToAssume, audience, step, ...(step.awsProfile ? { profile: step.awsProfile } : {}) });
  if (step.profiles) {
    if (isExpression(step.profiles)) assumed.push(`${where}: profiles ${step.profiles} is an expression: its roles are not checked`);
    else {
      try {
        // Only the audience of a line's settings shapes the token; the others are the step's business.
        const defaults = { region: 'us-east-1', audience, durationSeconds: DEFAULTS.durationSeconds, sessionName: DEFAULTS.sessionName };
        for (const profile of parseProfiles(step.profiles, defaults)) uses.push({ role: profile.roleArn, audience: profile.audience, step, profile: profile.name });
      } catch (error) {
        assumed.push(`${where}: profiles ${(error as Error).message}: not checked`);
      }
    }
  }
  return uses;
}

export function judgeOne(policy: FoundPolicy, role: string, claims: Claims, assumed: Set<string>): { verdict: Verdict; unresolved?: string[] } {
  const target = accountFor(role, policy);
  if (!target) assumed.add(`${policy.where}: the account is not known (no role ARN, no GitHub provider ARN): judged in a stand-in account, ${STAND_IN_ACCOUNT}`);
  const request = webIdentityRequest(claims, target?.account ?? STAND_IN_ACCOUNT, target?.partition);
  const verdict = namingUnoffered(evaluate(policy.document, request), policy);
  // The verdict rests on a placeholder when reading its conditions the other way (each may hold or not) turns it.
  const reading = verdict.allowed ? pessimistic(policy.document) : optimistic(policy.document);
  const other = evaluate(reading.document, request);
  if (other.allowed === verdict.allowed) return { verdict };
  const statements = [verdict.deciding?.statement, other.deciding === undefined ? undefined : reading.origin[other.deciding.statement]].filter((i) => i !== undefined);
  const unresolved = [...new Set(statements.flatMap((i) => placeholdersIn(policy.document.Statement[i]!)))];
  const named = unresolved.length > 0 ? unresolved : [...new Set(policy.document.Statement.flatMap(placeholdersIn))];
  return { verdict: { allowed: false, why: `undetermined: ${dependsOn(named, policy)}` }, unresolved: named };
}

/** Claims a GitHub token's key names (`token.actions.githubusercontent.com:event_name` → event_name), when the key is GitHub's. */
function githubClaimOf(key: string): string | undefined {
  const match = /^(token\.actions\.githubusercontent\.com(?:\/[^:]+)?|github\.com\/enterprises\/[^:/]+):(.+)$/i.exec(key);
  return match ? match[2]!.toLowerCase() : undefined;
}

const OFFERED = offeredClaims(GITHUB_ISSUER);
const isUnofferedKey = (key: string): boolean => {
  const claim = githubClaimOf(key);
  return claim !== undefined && !OFFERED.includes(claim);
};
/** What a reader is told about a key STS does not offer. */
export const notOffered = (key: string): string => `${key} is not offered by STS (for GitHub's tokens it offers only ${OFFERED.join(', ')}), so the condition sees no value`;

/** A verdict decided by a condition on a key STS does not offer says so: the policy's author meant a claim that never arrives. */
function namingUnoffered(verdict: Verdict, policy: FoundPolicy): Verdict {
  const statement = verdict.deciding === undefined ? undefined : policy.document.Statement[verdict.deciding.statement];
  const keys = Object.values(statement?.Condition ?? {}).flatMap((entries) => Object.keys(entries)).filter(isUnofferedKey);
  const decisive = verdict.deciding?.key !== undefined && isUnofferedKey(verdict.deciding.key) ? [verdict.deciding.key] : verdict.deciding?.effect === 'Deny' ? keys : [];
  return decisive.length === 0 ? verdict : { ...verdict, why: `${verdict.why}: ${decisive.map(notOffered).join('; ')}` };
}

/** Every condition of a policy on a GitHub claim STS does not offer, and whether it holds with no value. */
export function unofferedIn(policy: FoundPolicy): Unoffered[] {
  return policy.document.Statement.flatMap((statement, index) =>
    Object.entries(statement.Condition ?? {}).flatMap(([operator, entries]) =>
      Object.keys(entries)
        .filter(isUnofferedKey)
        .map((key): Unoffered => {
          // A missing key: Null 'true', …IfExists and the negated operators hold; every other operator fails.
          const base = operator.replace(/^(ForAnyValue|ForAllValues):/i, '');
          const values = [entries[key] as unknown].flat().map(String);
          const holds = /IfExists$/i.test(base) || /Not/.test(base) || /^ForAllValues:/i.test(operator) || (/^Null$/i.test(base) && values.includes('true')) ? 'always' : 'never';
          return { policy, statement: index, effect: statement.Effect, operator, key, holds };
        }),
    ),
  );
}

/**
 * A reference the reader could not resolve, as it leaves it in the document: `${var.org}`, `${local.x}`,
 * `${data.….client_id_list}`, a CloudFormation `${Param}` or `${Fn::…}`. IAM's own policy variables
 * (`${aws:username}`, `${token.actions.githubusercontent.com:sub}`, `${*}`) are `service:key` names, kept.
 */
const PLACEHOLDER = /\$\{([^}]+)\}/g;
const isPolicyVariable = (name: string) => /^[\w./-]+:[\w./-]+$/.test(name) || ['*', '?', '$'].includes(name);
// An expression's own line breaks are layout (HCL ignores them): named on one line, as the report prints it.
const placeholdersOf = (text: string): string[] => [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!.trim().replace(/\s+/g, ' ')).filter((name) => !isPolicyVariable(name));

function placeholdersIn(statement: Statement): string[] {
  return Object.values(statement.Condition ?? {}).flatMap((entries) =>
    Object.entries(entries).flatMap(([key, values]) => [key, ...[values as unknown].flat().map(String)].flatMap(placeholdersOf)),
  );
}

/**
 * Where `--var` reaches a policy's placeholders: Terraform source (`var.X`), a CloudFormation template's
 * parameters (`${X}`; logical IDs are alphanumeric, a plan's addresses are not). An IAM document, such as
 * a `.json.tpl` that Terraform's templatefile() fills, or a plan is read as it is: `--var` changes nothing.
 */
function varReaches(policy: FoundPolicy): 'terraform' | 'cloudformation' | undefined {
  if (/\.tf(\.json)?$/.test(policy.file)) return 'terraform';
  return !policy.where.startsWith('aws:') && /#[A-Za-z0-9]+$/.test(policy.where) ? 'cloudformation' : undefined;
}

/** What to give for each reference, for the policy that holds it: only advice that changes its verdict. */
export function dependsOn(names: string[], policy: FoundPolicy): string {
  const reaches = varReaches(policy);
  const hints = names.flatMap((name) => {
    const variables = [...name.matchAll(/\bvar\.([\w-]+)/g)].map((m) => m[1]!);
    const bare = variables.length === 0 && /^[A-Za-z]\w*$/.test(name);
    if (reaches === 'terraform' && variables.length > 0) return variables.map((v) => `give --var ${v}=VALUE`);
    if (reaches === 'cloudformation' && bare) return [`give --var ${name}=VALUE`];
    if (reaches === 'terraform' && bare) return [`\${${name}} is no Terraform variable, so --var does not fill it (a template's variables come from the map templatefile() gives it)`];
    if (reaches === undefined && (bare || variables.length > 0)) return [`${policy.file} is read as it is, so --var does not fill it: give the Terraform or CloudFormation that fills it (a folder), or the rendered policy`];
    return ['known only to AWS: check a `terraform show -json` plan, or the role with --from-aws'];
  });
  return `depends on ${names.map((n) => n.replace(/\s+/g, ' ')).join(', ')}, not resolved: ${[...new Set(hints)].join('; ')}`;
}

const hasPlaceholder = (key: string, values: unknown) => [key, ...[values].flat().map(String)].some((t) => placeholdersOf(t).length > 0);

/** The statement without its conditions that name a placeholder (as if each held). */
function withoutPlaceholders(statement: Statement): Statement {
  if (!statement.Condition) return statement;
  const Condition = Object.fromEntries(
    Object.entries(statement.Condition)
      .map(([operator, entries]) => [operator, Object.fromEntries(Object.entries(entries).filter(([key, values]) => !hasPlaceholder(key, values)))] as const)
      .filter(([, entries]) => Object.keys(entries).length > 0),
  );
  return { ...statement, Condition };
}

const statementHasPlaceholder = (statement: Statement) => placeholdersIn(statement).length > 0;

/** A reading of a policy, and for each of its statements the index of the statement it reads in the policy. */
interface Reading {
  document: PolicyDocument;
  origin: number[];
}

function reading(document: PolicyDocument, read: (statement: Statement) => Statement[]): Reading {
  const pairs = document.Statement.flatMap((statement, index) => read(statement).map((s) => [s, index] as const));
  return { document: { ...document, Statement: pairs.map(([s]) => s) }, origin: pairs.map(([, i]) => i) };
}

// Operators that hold when the key matches one of the values: a value that is a placeholder is one more
// alternative (a Not… operator, Null, Bool, … are not read this way; the whole condition is then in doubt).
const ANY_OF = /^((?:For(?:Any|All)Values:)?)(StringEquals|StringLike)(IfExists)?$/;
const wildcard = (value: string) => value.replace(PLACEHOLDER, (whole, name: string) => (isPolicyVariable(name.trim()) ? whole : '*'));

/**
 * The Allow at its most open: each placeholder may be any text. Where it is one of a condition's values, the
 * statement is read twice, once with its resolved values and once with the placeholder's values as patterns
 * (`repo:acme/webapp:environment:${var.env}` admits `repo:acme/webapp:environment:*` at most); any other
 * condition on a placeholder is taken to hold.
 */
function widened(statement: Statement): Statement[] {
  let readings: Record<string, Record<string, unknown>>[] = [{}];
  for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
    for (const [key, values] of Object.entries(entries)) {
      const all = [values].flat().map(String);
      const form = ANY_OF.exec(operator);
      if (!hasPlaceholder(key, values)) readings = readings.map((c) => ({ ...c, [operator]: { ...c[operator], [key]: values } }));
      else if (form && placeholdersOf(key).length === 0) {
        const resolved = all.filter((v) => placeholdersOf(v).length === 0);
        const like = `${form[1]}StringLike${form[3] ?? ''}`;
        const patterns = all.filter((v) => placeholdersOf(v).length > 0).map(wildcard);
        readings = readings.flatMap((c) => [
          ...(resolved.length > 0 ? [{ ...c, [operator]: { ...c[operator], [key]: resolved } }] : []),
          // The same key under StringLike already is a second condition on it, not an alternative: taken to hold.
          c[like]?.[key] !== undefined && like !== operator ? c : { ...c, [like]: { ...c[like], [key]: patterns } },
        ]);
      }
    }
  }
  // Bounded: past a few conditions on placeholders, every one is taken to hold, as if none were read.
  return readings.length > 8 ? [withoutPlaceholders(statement)] : readings.map((Condition) => ({ ...statement, Condition }));
}

/** The policy at its most open: each placeholder may be any text for an Allow, and no Deny that names one applies. */
function optimistic(document: PolicyDocument): Reading {
  return reading(document, (s) => (s.Effect === 'Deny' ? (statementHasPlaceholder(s) ? [] : [s]) : statementHasPlaceholder(s) ? widened(s) : [s]));
}

/**
 * The Allow at its most closed: a placeholder among the values of an any-of condition is an alternative that
 * matches nothing (the resolved ones still do); any other condition on a placeholder fails, so the Allow applies to nothing.
 */
function narrowed(statement: Statement): Statement[] {
  const Condition: Record<string, Record<string, unknown>> = {};
  for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
    Condition[operator] = {};
    for (const [key, values] of Object.entries(entries)) {
      if (!hasPlaceholder(key, values)) Condition[operator][key] = values;
      else {
        const resolved = [values].flat().map(String).filter((v) => placeholdersOf(v).length === 0);
        if (!ANY_OF.test(operator) || placeholdersOf(key).length > 0 || resolved.length === 0) return [];
        Condition[operator][key] = resolved;
      }
    }
  }
  return [{ ...statement, Condition }];
}

/** The policy at its most closed: an Allow admits only what its resolved values admit, and every Deny condition on a placeholder holds. */
function pessimistic(document: PolicyDocument): Reading {
  return reading(document, (s) => (!statementHasPlaceholder(s) ? [s] : s.Effect === 'Deny' ? [withoutPlaceholders(s)] : narrowed(s)));
}

/**
 * A source that does not name its account (`${AWS::AccountId}`) is for the account of the role a workflow
 * assumes with it; with none, the account of the GitHub provider it trusts, when it names one (the role
 * and its provider are in one account); else a stand-in account, said.
 */
function bindAccounts(policies: FoundPolicy[], roles: string[]): FoundPolicy[] {
  return policies.map((policy) => {
    const role = roles.find((r) => ROLE_ARN.test(r) && isPolicyOf(policy, r));
    const provider = role ? undefined : providerAccount(policy);
    const [account, why] = role
      ? [ROLE_ARN.exec(role)![2]!, `the account of ${role}, which a workflow assumes`]
      : provider
        ? [provider.account, "the account of the GitHub provider it trusts"]
        : [STAND_IN_ACCOUNT, 'no workflow names the account: a stand-in account'];
    const bound = !policy.accountPlaceholders?.length ? policy : forAccount(policy, account, why);
    return bindProvider(bound, role);
  });
}

/**
 * A Federated principal the source leaves unresolved (`${data.terraform_remote_state.x.outputs.arn}`) is
 * taken as GitHub's provider in the role's account, said: refusing every run for it would be a guess too.
 */
function bindProvider(policy: FoundPolicy, role: string | undefined): FoundPolicy {
  // Unresolved, unless what is resolved names another provider (terraform-aws-modules' CircleCI and SAML roles).
  const unresolved = (arn: string) => {
    if (!arn.includes('${') || /:saml-provider\/|\baws_iam_saml_provider\./.test(arn)) return false;
    const host = /:oidc-provider\/(.+)$/.exec(arn)?.[1];
    return host === undefined || host.includes('${') || host === PROVIDER;
  };
  const statements = policy.document.Statement;
  if (!statements.some((s) => s.Principal && s.Principal !== '*' && [s.Principal.Federated ?? []].flat().some(unresolved))) return policy;
  const target = accountFor(role ?? '', policy) ?? { account: STAND_IN_ACCOUNT, partition: 'aws' };
  const provider = `arn:${target.partition}:iam::${target.account}:oidc-provider/${PROVIDER}`;
  const names = new Set<string>();
  const Statement = statements.map((s) => {
    if (!s.Principal || s.Principal === '*' || s.Principal.Federated === undefined) return s;
    const federated = [s.Principal.Federated].flat().map((arn) => (unresolved(arn) ? (names.add(arn), provider) : arn));
    return { ...s, Principal: { ...s.Principal, Federated: federated.length === 1 ? federated[0]! : federated } };
  });
  return {
    ...policy,
    document: { ...policy.document, Statement },
    assumed: [...policy.assumed, ...[...names].map((name) => `the Federated principal ${name} is taken as GitHub's provider, ${provider}${target.account === STAND_IN_ACCOUNT ? ' (in a stand-in account)' : ''}`)],
  };
}

/** The account a policy is judged in when no source names it (AWS's documentation example account). */
export const STAND_IN_ACCOUNT = '123456789012';

/** Whether some Allow statement can let a GitHub token in: its principal is `*` or names GitHub's OIDC provider. */
function trustsGitHub(policy: FoundPolicy): boolean {
  return policy.document.Statement.some(
    (s) => s.Effect === 'Allow' && (s.Principal === '*' || (s.Principal !== undefined && [s.Principal.Federated ?? []].flat().some((arn) => arn.includes(`:oidc-provider/${PROVIDER}`)))),
  );
}

export function judge(jobs: CredentialJob[], given: FoundPolicy[], repository: Repository): Judgement {
  const assumed = new Set<string>();
  const notes: string[] = [];
  const uses = jobs.flatMap((job) => job.steps.flatMap((step) => rolesOf(job, step, [])));
  const policies = bindAccounts(
    given,
    uses.map((u) => u.role),
  );
  for (const policy of policies) for (const note of policy.assumed) assumed.add(`${policy.where}: ${note}`);
  const runs: JudgedRun[] = [];
  const refused: JudgedRun[] = [];
  const undetermined: JudgedRun[] = [];
  const excluded: SkippedRun[] = [];
  for (const job of jobs) {
    const { runs: predicted, excluded: ruledOut } = predictRuns(job, repository);
    excluded.push(...ruledOut.map((r): SkippedRun => ({ ...r, job, of: 'job' })));
    for (const p of predicted) for (const note of p.assumed) assumed.add(`${job.workflow} job ${job.job}: ${note}`);
    for (const step of job.steps) {
      for (const use of rolesOf(job, step, notes)) {
        const expression = isUnnamed(use.role);
        // A role only the run knows can be any role given that trusts GitHub's tokens, not a service's or another provider's.
        const matched = expression ? policies.filter(trustsGitHub) : policies.filter((policy) => isPolicyOf(policy, use.role));
        if (matched.length === 0) {
          assumed.add(`${job.workflow} job ${job.job}: role ${use.role} has no trust policy given for it${expression ? " (none given trusts GitHub's OIDC provider)" : ''}, so it is not checked`);
          continue;
        }
        const others = policies.length - matched.length;
        if (expression) assumed.add(`${job.workflow} job ${job.job}: role ${use.role} is known only to the run, so it is tried against every policy given that trusts GitHub's OIDC provider${others > 0 ? ` (${others} that trust${others === 1 ? 's' : ''} none not tried)` : ''}`);
        else if (isExpression(use.role)) assumed.add(`${job.workflow} job ${job.job}: role ${use.role} is partly an expression: matched by its name, ${roleName(use.role)}`);
        for (const p of predicted) {
          const holds = step.if === undefined ? true : holdsForRun(step.if, factsOf(p.run), p.inputs);
          if (holds === false) {
            if (!excluded.some((e) => e.job === job && e.trigger === p.trigger && e.condition === step.if)) excluded.push({ event: p.event, trigger: p.trigger, condition: step.if!, job, of: 'step' });
            continue;
          }
          if (holds === undefined) assumed.add(`${job.workflow} job ${job.job}: the step's if: ${step.if} is known only to the run: predicted as if it holds`);
          // The workflow's name and the repository's visibility are claims (and template keys) that the run's ref and event do not decide.
          const facts = { workflow: job.name, ...(repository.visibility ? { visibility: repository.visibility } : {}) };
          const run = { ...p.run, ...facts };
          const claims = claimsFor(run, use.audience, repository.shape);
          const pattern = claimsFor({ ...p.pattern, ...facts }, use.audience, repository.shape);
          const noToken = noTokenFor(run, repository.shape);
          if (noToken) {
            // No policy decides a token GitHub never issues: one finding for the run.
            delete claims.sub;
            const failed: JudgedRun = { job, predicted: p, use, policy: matched[0]!, claims, pattern, verdict: { allowed: false, why: noToken }, noToken };
            runs.push(failed);
            refused.push(failed);
            continue;
          }
          const judged = matched.map((policy): JudgedRun => ({ job, predicted: p, use, policy, claims, pattern, ...judgeOne(policy, use.role, claims, assumed) }));
          runs.push(...judged);
          if (!expression) {
            refused.push(...judged.filter((j) => !j.verdict.allowed && !j.unresolved));
            undetermined.push(...judged.filter((j) => !j.verdict.allowed && j.unresolved));
          } else if (!judged.some((j) => j.verdict.allowed)) {
            // A role only the run knows is one run, refused when no policy it may be admits it (undetermined when one may): counted once.
            const unsure = judged.find((j) => j.unresolved);
            if (unsure) undetermined.push(unsure);
            else refused.push({ ...judged[0]!, verdict: { allowed: false, why: `no policy given admits it: ${judged.map((j) => `${j.policy.where}: ${j.verdict.why}`).join('; ')}` } });
          }
        }
      }
    }
  }
  for (const note of notes) assumed.add(note);
  const unoffered = policies.flatMap(unofferedIn);

  const tried: JudgedStranger[] = [];
  for (const policy of policies) {
    const own = runs.filter((r) => r.policy === policy);
    const role = own.find((r) => !isUnnamed(r.use.role))?.use.role ?? policy.roleArn ?? policy.roleName ?? policy.where;
    const tokens = own.filter((r) => !r.noToken);
    // Only a workflow with `workflow_call` can be called from elsewhere.
    const samples =
      tokens.length > 0
        ? uniqueBy(
            tokens.map((r) => ({ claims: r.claims, callable: r.job.callable === true })),
            (c) => JSON.stringify(c),
          )
        : [{ claims: defaultClaims(repository), callable: false }];
    const subjects = subjectsTested(policy);
    const seen = new Set<string>();
    for (const [index, { claims: sample, callable }] of samples.entries()) {
      // A stranger with its own template sets every value it needs: shaped once per policy, not once per run.
      for (const stranger of strangersOf(sample, repository.shape, { callable, subjects: index === 0 ? subjects : [] })) {
        const key = `${stranger.who}\n${JSON.stringify(stranger.claims)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        tried.push({ policy, role, stranger, ...judgeOne(policy, role, stranger.claims, assumed) });
      }
    }
  }
  // One finding per policy and kind of stranger: the first token of each kind that got in.
  const strangers = uniqueBy(
    tried.filter((s) => s.verdict.allowed || s.unresolved),
    (s) => `${s.policy.where}\n${s.stranger.who}`,
  );
  return { runs, excluded, strangers, tried, refused, undetermined, unoffered, assumed: [...assumed] };
}

/** The values the policy's Allow statements test sub against, as string operators read them. */
function subjectsTested(policy: FoundPolicy): string[] {
  return policy.document.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) =>
    Object.entries(s.Condition ?? {})
      .filter(([operator]) => /^(ForAnyValue:)?String(Equals|Like)(IgnoreCase)?(IfExists)?$/i.test(operator))
      .flatMap(([, entries]) => Object.entries(entries).filter(([key]) => key.toLowerCase().endsWith(':sub')).flatMap(([, values]) => [values as unknown].flat().map(String))),
  );
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** For a policy no job uses: a push to the default branch of this repository stands for its runs. */
export function defaultClaims(repository: Repository, audience = DEFAULTS.audience): Claims {
  const ref = `refs/heads/${repository.defaultBranch}`;
  return claimsFor(
    {
      owner: repository.owner,
      repo: repository.repo,
      ownerId: repository.ownerId,
      repoId: repository.repoId,
      ...(repository.visibility ? { visibility: repository.visibility } : {}),
      eventName: 'push',
      ref,
      workflowRef: `${repository.owner}/${repository.repo}/.github/workflows/deploy.yml@${ref}`,
    },
    audience,
    repository.shape,
  );
}
