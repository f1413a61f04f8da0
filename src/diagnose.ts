// Why the step failed and what to change, as text. A pure function of the error, the token's claims and
// the inputs: no network, no credentials. Claims are safe to show; the token itself never reaches here.
import { accountOf } from './config.ts';
import { AccountError, AwsError, InputError, NetworkError, TokenError } from './errors.ts';
import { strangersOf, type Stranger } from './github/strangers.ts';
import { evaluate, offeredClaims, webIdentityRequest } from './iam/evaluate.ts';
import type { PolicyDocument } from './iam/policy.ts';
import { redactProxyUrl, type Proxy } from './proxy.ts';
import { RetryFailure } from './retry.ts';
import type { Claims } from './github/claims.ts';

export interface DiagnosisContext {
  roleArn: string | undefined;
  audience: string;
  durationSeconds: number;
  roleChaining: boolean;
  /** The claims of the last token presented, when one was obtained. */
  claims: Claims | undefined;
  /** The runner's clock, in milliseconds. */
  now: number;
  /** The proxy the requests went through, if any. */
  proxy: Proxy | undefined;
  /** The token comes from web-identity-token-file, which is read again, not renewed, for a fresh token. */
  tokenFromFile: boolean;
  /** The refused call was sts:AssumeRole, signed by `signer` (a source's label); absent for web identity. */
  assumeRole?: { signer: string; sessionTags: boolean; externalId: boolean } | undefined;
}

export interface Diagnosis {
  /** One line: what failed. */
  headline: string;
  /** What the action knows and what to change. */
  details: string[];
}

const TRUST_CLAIMS = ['sub', 'aud', 'iss', 'ref', 'event_name', 'environment', 'job_workflow_ref'] as const;

export function diagnose(error: unknown, ctx: DiagnosisContext): Diagnosis {
  const retry = error instanceof RetryFailure ? error : undefined;
  const cause = retry ? retry.cause : error;
  const tries = retry && retry.attempts > 1 ? ` (${retry.attempts} attempts over ${seconds(retry.elapsedMs)})` : '';

  if (cause instanceof InputError) return { headline: cause.message, details: [] };
  if (cause instanceof AccountError) {
    return {
      headline: `Refused: the credentials are for account ${cause.accountId}, but allowed-account-ids is ${cause.allowed.join(', ')}`,
      details: [
        `The role ${ctx.roleArn ?? ''} belongs to account ${cause.accountId}. Nothing was exported.`,
        'Fix: assume a role in an allowed account, or add this account to allowed-account-ids if it is meant to be used.',
      ],
    };
  }
  if (cause instanceof TokenError) return tokenDiagnosis(cause, tries);
  if (cause instanceof NetworkError) return networkDiagnosis(cause, ctx.proxy, tries);
  if (cause instanceof AwsError) return awsDiagnosis(cause, ctx, tries, retry);
  return { headline: `Failed: ${cause instanceof Error ? cause.message : String(cause)}`, details: [] };
}

function networkDiagnosis(cause: NetworkError, proxy: Proxy | undefined, tries: string): Diagnosis {
  // Never the URL as given: it may hold a password.
  const via = proxy ? `the proxy ${redactProxyUrl(proxy.url)} (from ${proxy.source === 'http-proxy' ? 'the input http-proxy' : `the environment variable ${proxy.source}`})` : undefined;
  if (cause.proxyStatus !== undefined) {
    return {
      headline: `${via ? `${via[0]?.toUpperCase()}${via.slice(1)}` : 'The proxy'} refused to carry the request: ${cause.message}${tries}`,
      details: [
        cause.proxyStatus === 407
          ? `The proxy wants credentials it did not get or did not accept: check the user and password in ${proxy?.source ?? 'the proxy URL'} (user:password@host:port, URL-encoded).`
          : "Check that the proxy lets this runner connect to STS (sts.REGION.amazonaws.com:443) and to GitHub's token endpoint, or exempt them in NO_PROXY.",
      ],
    };
  }
  if (cause.code === 'ENOTFOUND') {
    return {
      headline: `Could not reach the endpoint: ${cause.message}${tries}`,
      details: [
        cause.typedHost
          ? 'The host name does not resolve: check sts-endpoint, AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL for typos.'
          : `The host name did not resolve on any attempt: check the runner's DNS${via ? ` and ${via}` : ''}, and aws-region.`,
      ],
    };
  }
  return {
    headline: `Could not reach AWS STS or GitHub: ${cause.message}${tries}`,
    details: [
      via
        ? `Every attempt failed on the network, through ${via}: check that the proxy is up and reachable from the runner, or exempt the hosts in NO_PROXY.`
        : 'Every attempt failed on the network. On a self-hosted runner, check outbound access to sts.REGION.amazonaws.com, and http-proxy / HTTPS_PROXY / NO_PROXY.',
    ],
  };
}

function tokenDiagnosis(cause: TokenError, tries: string): Diagnosis {
  if (cause.failure === 'no-permission') {
    return {
      headline: 'No GitHub OIDC token is available to this job: the job lacks the id-token: write permission',
      details: [
        'Grant it at the workflow or job level:',
        '  permissions:',
        '    id-token: write',
        '    contents: read',
        'A reusable workflow gets only what its caller grants: the calling job needs id-token: write too.',
        'Pull requests from forks and Dependabot runs receive no OIDC token; run those jobs on pull_request_target with care, or skip the AWS step for them.',
        'On a self-hosted runner without OIDC, give aws-access-key-id, or run where the SDK finds credentials itself (instance profile, container credentials, EKS Pod Identity).',
      ],
    };
  }
  if (cause.failure === 'refused') {
    return {
      headline: `GitHub's token endpoint refused to issue a token: ${cause.message}`,
      details: ['The runner token was rejected. Re-run the job; if it persists, check the permissions block grants id-token: write.'],
    };
  }
  return {
    headline: `GitHub's token endpoint did not give a token: ${cause.message}${tries}`,
    details: ['This is on GitHub\'s side (see githubstatus.com). Re-run the job; raise retry-max-attempts to wait longer.'],
  };
}

function awsDiagnosis(cause: AwsError, ctx: DiagnosisContext, tries: string, retry: RetryFailure | undefined): Diagnosis {
  const said = `STS said ${cause.code}: ${cause.message}`;
  const role = ctx.roleArn ?? 'the role';
  const account = ctx.roleArn ? accountOf(ctx.roleArn) : undefined;

  if (cause.code === 'AccessDenied' && ctx.assumeRole) return assumeRoleDiagnosis(cause, ctx, ctx.assumeRole);
  if (cause.code === 'AccessDenied') return trustDiagnosis(cause, ctx);

  if (cause.code === 'InvalidIdentityToken' && /audience/i.test(cause.message)) {
    return {
      headline: `The OIDC provider in account ${account ?? '?'} does not accept the audience '${ctx.audience}' (${said})`,
      details: [
        `This step asked GitHub for a token with aud '${ctx.audience}' (the audience input${ctx.audience === 'sts.amazonaws.com' ? ', at its default' : ''}).`,
        `The audience must be one of the client IDs of the IAM OIDC provider ${providerUrl(ctx.claims)} in account ${account ?? '?'}.`,
        `Fix: add '${ctx.audience}' to the provider's audiences (aws iam add-client-id-to-open-id-connect-provider), or set audience to one it lists (usually sts.amazonaws.com).`,
      ],
    };
  }
  if (cause.code === 'InvalidIdentityToken' && /No OpenIDConnect provider/i.test(cause.message)) {
    const url = providerUrl(ctx.claims);
    return {
      headline: `Account ${account ?? '?'} has no IAM OIDC provider for ${url} (${said})`,
      details: [
        `Create it once in account ${account ?? '?'} (the account of ${role}):`,
        `  aws iam create-open-id-connect-provider --url ${url} --client-id-list ${ctx.audience}`,
        'The provider must live in the same account as the role; a provider in another account does not count.',
      ],
    };
  }
  if (cause.code === 'InvalidIdentityToken' && /verification key/i.test(cause.message)) {
    return {
      headline: `STS could not fetch GitHub's signing keys${tries} (${said})`,
      details: ['This is transient and was retried. Re-run the job; raise retry-max-attempts to wait longer through such outages.'],
    };
  }
  if (cause.code === 'ExpiredTokenException') return clockDiagnosis(said, ctx, tries, retry?.attempts ?? 1);
  if (cause.code === 'ValidationError' && /MaxSessionDuration|session limit|role chaining/i.test(cause.message)) {
    return {
      headline: `role-duration-seconds is ${ctx.durationSeconds}, longer than ${role} allows (${said})`,
      details: ctx.roleChaining
        ? ['STS caps sessions of chained roles at 3600 seconds, whatever the role allows. Fix: set role-duration-seconds to 3600 or less.']
        : [
            `Fix: lower role-duration-seconds, or raise the role's maximum: aws iam update-role --role-name ${roleName(ctx.roleArn)} --max-session-duration ${ctx.durationSeconds}`,
            'Roles default to a maximum of 3600 seconds; the highest possible is 43200.',
          ],
    };
  }
  if (cause.code === 'MalformedPolicyDocument') {
    return { headline: `STS rejected the session policy in inline-session-policy (${said})`, details: ['Fix: make inline-session-policy a valid IAM policy document (Version, Statement with Effect, Action, Resource).'] };
  }
  if (cause.code === 'PackedPolicyTooLarge') {
    return {
      headline: `The session policies are too large for STS (${said})`,
      details: ['inline-session-policy and managed-session-policies together, packed, exceed STS\'s limit. Fix: shorten inline-session-policy or pass fewer managed-session-policies.'],
    };
  }
  if (retry && retry.verdict !== 'stop' && /Throttl|RequestLimitExceeded/.test(cause.code)) {
    return {
      headline: `STS kept throttling: ${retry.attempts} attempts over ${seconds(retry.elapsedMs)} were all refused with ${cause.code}`,
      details: [
        'Many jobs are assuming roles in this account at once. Each attempt waited a random, growing delay; the rate limit never cleared.',
        'Fix: limit the matrix with strategy.max-parallel, raise retry-max-attempts, or spread the jobs over time.',
      ],
    };
  }
  if (cause.code === 'InvalidClientTokenId' || cause.code === 'ExpiredToken' || cause.code === 'SignatureDoesNotMatch') {
    return {
      headline: `The credentials already in the environment were refused (${said})`,
      details: ['role-chaining signs with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN from an earlier step; they are invalid or expired. Re-assume the source role first.'],
    };
  }
  const transient = retry && retry.verdict !== 'stop';
  return {
    headline: `${transient ? 'STS kept failing' : 'STS refused'}${tries}: ${said}`,
    details: transient ? ['Re-run the job; raise retry-max-attempts to wait longer.'] : [],
  };
}

type Condition = Record<string, Record<string, string>>;

/**
 * Advice is generated, then judged by the IAM evaluator: a Condition is printed only if it admits this
 * run and refuses every stranger (the same run in another owner's, a sibling's or a look-alike
 * repository, or a caller of the same reusable workflow), each minted with this repository's subject
 * template, which anyone can set on their own. A sub that does not name the repository gets pins until
 * no stranger is admitted: repository_owner_id (it survives renames), then repository_id, then
 * repository, each only if it keeps a stranger out.
 */
interface Judge {
  prefix: string;
  /** The pinned form of `condition` that admits the run and no stranger; undefined if none does. */
  safe(condition: Condition): Condition | undefined;
  /** Whether `condition` admits the run and none of the strangers `who` keeps. */
  admitsOnly(condition: Condition, who: (stranger: Stranger) => boolean): boolean;
  /** The strangers `condition` admits. */
  admitted(condition: Condition): Stranger[];
}

function judge(claims: Claims, ctx: DiagnosisContext): Judge {
  const prefix = conditionPrefix(ctx.claims);
  const arn = ctx.roleArn?.split(':') ?? [];
  const account = arn[4] || '000000000000';
  const request = webIdentityRequest(claims, account, arn[1] || 'aws');
  const strangers = strangersOf(claims);
  const policy = (condition: Condition): PolicyDocument => ({ Statement: [{ Effect: 'Allow', Principal: { Federated: request.principal.federated ?? '' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition }] });
  const admitted = (condition: Condition) => strangers.filter((stranger) => evaluate(policy(condition), webIdentityRequest(stranger.claims, account, arn[1] || 'aws')).allowed);
  const admitsOnly = (condition: Condition, who: (stranger: Stranger) => boolean) => evaluate(policy(condition), request).allowed && admitted(condition).filter(who).length === 0;
  return {
    prefix,
    admitsOnly,
    admitted,
    safe(condition) {
      let pinned = condition;
      for (const key of ['repository_owner_id', 'repository_id', 'repository']) {
        if (admitsOnly(pinned, () => true)) return pinned;
        const value = claims[key];
        if (typeof value !== 'string' || value === '') continue;
        const next = { ...pinned, StringEquals: { ...pinned.StringEquals, [`${prefix}:${key}`]: value } };
        // A pin that keeps no stranger out (the sub already names the owner) is left off.
        if (admitted(next).length < admitted(pinned).length) pinned = next;
      }
      return admitsOnly(pinned, () => true) ? pinned : undefined;
    },
  };
}

/** A Condition as one line of JSON, the way the advice prints it. */
function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (typeof value === 'object' && value !== null) return `{ ${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(', ')} }`;
  return JSON.stringify(value);
}

function trustDiagnosis(cause: AwsError, ctx: DiagnosisContext): Diagnosis {
  const claims = ctx.claims ?? {};
  const sub = claims.sub ?? '';
  const details = ['The token this step presented (claims only; the token is never printed):'];
  for (const name of TRUST_CLAIMS) {
    const value = claims[name];
    if (value !== undefined) details.push(`  ${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
  }
  details.push(...subjectExplanation(claims));
  const { prefix, safe, admitted } = judge(claims, ctx);
  const aud = typeof claims.aud === 'string' ? claims.aud : ctx.audience;
  const bare = { StringEquals: { [`${prefix}:aud`]: aud, [`${prefix}:sub`]: sub } };
  const exact = safe(bare);
  if (exact && Object.keys(exact.StringEquals ?? {}).length > 2) {
    const others = admitted(bare).some((s) => s.claims.repository_owner !== claims.repository_owner);
    const who = others ? 'another owner can set the same template and mint the same sub' : 'another repository of the same owner mints the same sub';
    details.push(`The sub '${sub}' does not name this repository: ${who}, so the Condition also pins ${Object.keys(exact.StringEquals ?? {}).slice(2).map((k) => k.slice(prefix.length + 1)).join(' and ')} (IDs survive renames).`);
  }
  if (exact) details.push('A trust policy Condition that admits exactly this run:', `  "Condition": ${inline(exact)}`);
  else if (offeredClaims(claims.iss).includes('repository_id')) details.push(`No Condition on this token's claims admits this run and keeps other repositories out: pin ${prefix}:repository_owner_id and ${prefix}:repository_id.`);
  // Advising a pin on a key STS does not offer would refuse this run too: the template must name the repository.
  else details.push(`No Condition on this token's claims admits this run and keeps other repositories out: for this issuer STS offers only ${prefix}:aud and ${prefix}:sub as condition keys, so put repo in the subject template (include_claim_keys) to make sub name the repository.`);
  const repoWildcard = subjectRepository(sub);
  const wide = repoWildcard ? safe({ StringEquals: { [`${prefix}:aud`]: aud }, StringLike: { [`${prefix}:sub`]: `${repoWildcard}:*` } }) : undefined;
  if (wide) details.push('Or, for every branch, tag, environment and pull request of the repository:', `  "Condition": ${inline(wide)}`);
  if (claims.job_workflow_ref && claims.workflow_ref && claims.job_workflow_ref.split('@')[0] !== claims.workflow_ref.split('@')[0]) {
    details.push(...reusableWorkflowAdvice(claims, ctx, aud));
  }
  details.push(`STS answers the same when ${ctx.roleArn ?? 'the role'} does not exist: check the ARN for typos and the account ID.`);
  return {
    headline: `The trust policy of ${ctx.roleArn ?? 'the role'} does not admit this workflow's token (sub '${sub}') (STS said ${cause.code}: ${cause.message})`,
    details,
  };
}

/**
 * A reusable workflow runs what its caller passes it, so a trust policy must pin the caller as well as the
 * workflow: job_workflow_ref alone admits every repository that may call the workflow.
 */
function reusableWorkflowAdvice(claims: Claims, ctx: DiagnosisContext, aud: string): string[] {
  const { prefix, safe, admitsOnly } = judge(claims, ctx);
  const callerSub = subjectRepository(claims.sub ?? '');
  const repository = typeof claims.repository === 'string' ? claims.repository : 'OWNER/REPO';
  const workflow = { [`${prefix}:aud`]: aud, [`${prefix}:job_workflow_ref`]: String(claims.job_workflow_ref) };
  // sub is the caller pin every AWS partition evaluates; a sub that names no repository leaves the IDs.
  const condition = safe(callerSub ? { StringEquals: workflow, StringLike: { [`${prefix}:sub`]: `${callerSub}:*` } } : { StringEquals: workflow });
  const lines = [`This job runs the reusable workflow ${claims.job_workflow_ref}, called by ${claims.workflow_ref}. The sub claim describes the caller, not the reusable workflow.`];
  if (condition) lines.push(`To trust the reusable workflow when ${callerSub ? callerSub.slice('repo:'.length) : repository} calls it, pin both the workflow and the caller:`, `  "Condition": ${inline(condition)}`);
  const owner = callerSub?.replace(/\/[^/]*$/, '/*');
  // Every repository of the owner is meant to be admitted here; another owner's never is.
  const ownerWide = owner && admitsOnly({ StringEquals: workflow, StringLike: { [`${prefix}:sub`]: `${owner}:*` } }, (s) => s.claims.repository_owner !== claims.repository_owner);
  if (ownerWide) lines.push(`For every repository of the owner, pin the caller with "${prefix}:sub": "${owner}:*" (StringLike) or "${prefix}:repository_owner_id" instead.`);
  lines.push('Never condition on job_workflow_ref alone, without sub, repository or repository_owner_id: the reusable workflow runs the command its caller passes, so every repository allowed to call it would get the role.');
  return lines;
}

/** How GitHub built this sub, and what changes it. Order of precedence: environment, pull_request, ref. */
function subjectExplanation(claims: Claims): string[] {
  const sub = claims.sub ?? '';
  const form = /^repo:([^:]+):(environment:.+|pull_request|ref:.+)$/.exec(sub);
  if (!form) {
    return [
      `The sub '${sub}' is not one of GitHub's default forms (repo:OWNER/REPO:environment:NAME, :pull_request, :ref:REF): the organisation or repository customised its OIDC subject template. Write the trust policy against this exact form, or reset the template (GitHub API: /repos/OWNER/REPO/actions/oidc/customization/sub).`,
    ];
  }
  const [, repo = '', kind = ''] = form;
  const lines: string[] = [];
  if (kind.startsWith('environment:')) {
    lines.push(`GitHub used the environment form because the job declares environment '${claims.environment ?? kind.slice(12)}': with an environment, sub never names the branch or pull_request. A policy written for refs/heads/... or pull_request does not match.`);
  } else if (kind === 'pull_request') {
    lines.push("GitHub used the pull_request form because the run was triggered by a pull_request event; the same job on a push to a branch gets 'ref:refs/heads/BRANCH', and with an environment 'environment:NAME'.");
  } else {
    lines.push(`GitHub used the ref form because the job has no environment and the event (${claims.event_name ?? '?'}) is not pull_request: sub names ${kind.slice(4)}. After a merge, pull_request runs get 'pull_request' and environment jobs 'environment:NAME' instead.`);
  }
  if (/@\d+\/.+@\d+$/.test(repo)) {
    lines.push(`The repository uses GitHub's immutable subject form (OWNER@OWNER_ID/REPO@REPO_ID), given to repositories created or renamed from 2026-07-15 and those opted in. A policy written as repo:${repo.replace(/@\d+/g, '')}:* does not match it; use repo:${repo}:*.`);
  }
  return lines;
}

/**
 * sts:AssumeRole was refused: the advice is about the credentials that signed it (role chaining, the
 * aws-access-key-id inputs, the SDK's default chain), never about an OIDC token, which was not sent. The
 * advised statement is judged by the IAM evaluator before it is printed.
 */
function assumeRoleDiagnosis(cause: AwsError, ctx: DiagnosisContext, via: NonNullable<DiagnosisContext['assumeRole']>): Diagnosis {
  const caller = /User: (\S+) is not authorized/.exec(cause.message)?.[1];
  const tagging = /sts:TagSession/.test(cause.message);
  const role = ctx.roleArn ?? 'the role';
  const how = ctx.roleChaining ? 'role chaining' : via.signer === 'aws-access-key-id' ? 'signed with aws-access-key-id' : `signed by ${via.signer}`;
  const principal = caller ? sourceRoleArn(caller) : undefined;
  const actions = via.sessionTags ? ['sts:AssumeRole', 'sts:TagSession'] : ['sts:AssumeRole'];
  const statement = { Effect: 'Allow' as const, Principal: { AWS: principal ?? 'ARN' }, Action: actions };
  const admitted = !caller || evaluate({ Statement: [statement] }, { action: 'sts:AssumeRole', principal: { aws: caller }, context: {} }).allowed;
  const details = tagging
    ? [
        `This step sends session tags (Repository, Workflow, Actor, Commit, Branch …), which needs sts:TagSession in the trust policy.`,
        `Fix: add "sts:TagSession" to the Action of the statement that trusts ${principal ?? 'these credentials'}, or set role-skip-session-tagging: true.`,
      ]
    : [
        admitted && principal
          ? `Fix: the trust policy of ${role} needs a statement with ${inline({ Principal: statement.Principal, Action: actions }).slice(2, -2)}.`
          : `Fix: the trust policy of ${role} needs a statement whose Principal names these credentials (${via.signer}) and whose Action is ${actions.join(' and ')}.`,
        via.sessionTags ? 'sts:TagSession is there because this step sends session tags; without it, set role-skip-session-tagging: true.' : '',
        via.externalId
          ? 'This step sent an external ID (role-external-id): it must equal, case included, the value the trust policy tests with sts:ExternalId.'
          : 'This step sent no external ID: if the trust policy requires one (a Condition on sts:ExternalId), set role-external-id to it.',
        `${caller ?? 'The signing identity'} also needs an identity policy that allows sts:AssumeRole on ${role}.`,
        `STS answers the same when ${role} does not exist: check the ARN for typos and the account ID.`,
      ].filter(Boolean);
  return { headline: `${role} does not trust ${caller ?? via.signer} for ${tagging ? 'sts:TagSession' : 'sts:AssumeRole'} (${how}; STS said ${cause.code}: ${cause.message})`, details };
}

function clockDiagnosis(said: string, ctx: DiagnosisContext, tries: string, attempts: number): Diagnosis {
  const { iat, exp } = ctx.claims ?? {};
  // Only say a fresh token was asked for when one was: a retry after the refusal, from GitHub's endpoint.
  const details = [
    attempts < 2
      ? 'This was the only attempt (disable-retry or retry-max-attempts: 1), so no fresh token was asked for.'
      : ctx.tokenFromFile
        ? 'The token file was read again for each attempt and STS still called the token expired: whatever writes web-identity-token-file must renew it.'
        : 'The action asked GitHub for a fresh token and STS still called it expired.',
  ];
  if (typeof iat === 'number' && typeof exp === 'number') {
    details.push(
      `The token was issued at ${new Date(iat * 1000).toISOString()} and expires at ${new Date(exp * 1000).toISOString()}; this runner's clock says ${new Date(ctx.now).toISOString()}.`,
    );
  }
  details.push("If the runner's clock is far from these times, it is off: on a self-hosted runner, enable NTP (timedatectl set-ntp true).");
  return { headline: `STS keeps calling the token expired${tries} (${said})`, details };
}

function providerUrl(claims: Claims | undefined): string {
  return claims?.iss ?? 'https://token.actions.githubusercontent.com';
}

/** IAM condition keys are the issuer without its scheme: token.actions.githubusercontent.com:sub. */
function conditionPrefix(claims: Claims | undefined): string {
  return providerUrl(claims).replace(/^https?:\/\//, '');
}

function subjectRepository(sub: string): string | undefined {
  return /^(repo:[^:]+)/.exec(sub)?.[1];
}

function roleName(roleArn: string | undefined): string {
  return roleArn?.split('/').pop() ?? 'ROLE';
}

/** arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION → arn:aws:iam::ACCOUNT:role/ROLE, what trust policies name. */
function sourceRoleArn(source: string): string {
  const m = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(source);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : source;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The annotation: headline, then details, one per line. */
export function render(diagnosis: Diagnosis): string {
  return [diagnosis.headline, ...diagnosis.details].join('\n');
}
