// Why the step failed and what to change, as text. A pure function of the error, the token's claims and
// the inputs: no network, no credentials. Claims are safe to show; the token itself never reaches here.
import { accountOf } from './config.ts';
import { AccountError, AwsError, InputError, NetworkError, TokenError } from './errors.ts';
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

  if (cause.code === 'AccessDenied' && ctx.roleChaining) return chainingDiagnosis(cause, ctx);
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

function trustDiagnosis(cause: AwsError, ctx: DiagnosisContext): Diagnosis {
  const claims = ctx.claims ?? {};
  const sub = claims.sub ?? '';
  const prefix = conditionPrefix(ctx.claims);
  const details = ['The token this step presented (claims only; the token is never printed):'];
  for (const name of TRUST_CLAIMS) {
    const value = claims[name];
    if (value !== undefined) details.push(`  ${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
  }
  details.push(...subjectExplanation(claims));
  const repoWildcard = subjectRepository(sub);
  details.push(
    'A trust policy Condition that admits exactly this run:',
    `  "Condition": { "StringEquals": { "${prefix}:aud": "${ctx.audience}", "${prefix}:sub": "${sub}" } }`,
  );
  if (repoWildcard) details.push('Or, for every branch, tag, environment and pull request of the repository:', `  "Condition": { "StringEquals": { "${prefix}:aud": "${ctx.audience}" }, "StringLike": { "${prefix}:sub": "${repoWildcard}:*" } }`);
  if (claims.job_workflow_ref && claims.workflow_ref && claims.job_workflow_ref.split('@')[0] !== claims.workflow_ref.split('@')[0]) {
    details.push(...reusableWorkflowAdvice(claims, prefix, ctx.audience));
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
function reusableWorkflowAdvice(claims: Claims, prefix: string, audience: string): string[] {
  const callerSub = subjectRepository(claims.sub ?? '');
  const repository = typeof claims.repository === 'string' ? claims.repository : 'OWNER/REPO';
  const workflow = `"${prefix}:aud": "${audience}", "${prefix}:job_workflow_ref": "${claims.job_workflow_ref}"`;
  // sub is the caller pin every AWS partition evaluates; a custom subject template leaves only repository.
  const condition = callerSub
    ? `{ "StringEquals": { ${workflow} }, "StringLike": { "${prefix}:sub": "${callerSub}:*" } }`
    : `{ "StringEquals": { ${workflow}, "${prefix}:repository": "${repository}" } }`;
  const lines = [
    `This job runs the reusable workflow ${claims.job_workflow_ref}, called by ${claims.workflow_ref}. The sub claim describes the caller, not the reusable workflow.`,
    `To trust the reusable workflow when ${callerSub ? callerSub.slice('repo:'.length) : repository} calls it, pin both the workflow and the caller:`,
    `  "Condition": ${condition}`,
  ];
  if (callerSub) lines.push(`For every repository of the owner, pin the caller with "${prefix}:sub": "${callerSub.replace(/\/[^/]*$/, '/*')}:*" (StringLike) or "${prefix}:repository_owner_id" instead.`);
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

function chainingDiagnosis(cause: AwsError, ctx: DiagnosisContext): Diagnosis {
  const source = /User: (\S+) is not authorized/.exec(cause.message)?.[1] ?? 'the source role';
  const tagging = /sts:TagSession/.test(cause.message);
  return {
    headline: `${ctx.roleArn ?? 'The role'} does not trust ${source} for ${tagging ? 'sts:TagSession' : 'sts:AssumeRole'} (role chaining; STS said ${cause.code}: ${cause.message})`,
    details: tagging
      ? [
          'role-chaining sends session tags (Repository, Workflow, Actor, Commit, Branch …), which needs sts:TagSession in the trust policy.',
          `Fix: add "sts:TagSession" to the Action of the statement that trusts ${sourceRoleArn(source)}, or set role-skip-session-tagging: true.`,
        ]
      : [
          `Fix: the trust policy of ${ctx.roleArn ?? 'the role'} needs a statement with "Principal": { "AWS": "${sourceRoleArn(source)}" } and "Action": ["sts:AssumeRole", "sts:TagSession"].`,
          'The source role also needs an identity policy allowing sts:AssumeRole on the target.',
        ],
  };
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
