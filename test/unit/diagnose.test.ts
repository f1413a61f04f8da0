// diagnose() is a pure function of (error, claims, inputs): tested here without any server.
import { describe, expect, it } from '@jest/globals';
import { diagnose, render, type DiagnosisContext } from '../../src/diagnose.ts';
import { AccountError, AwsError, InputError, NetworkError, TokenError } from '../../src/errors.ts';
import { RetryFailure } from '../../src/retry.ts';

const ctx: DiagnosisContext = {
  roleArn: 'arn:aws:iam::111111111111:role/deploy',
  audience: 'sts.amazonaws.com',
  durationSeconds: 3600,
  roleChaining: false,
  claims: {
    iss: 'https://token.actions.githubusercontent.com',
    sub: 'repo:acme/webapp:environment:prod',
    aud: 'sts.amazonaws.com',
    ref: 'refs/heads/main',
    environment: 'prod',
    event_name: 'push',
  },
  now: Date.parse('2026-11-22T20:00:00Z'),
  proxy: undefined,
  tokenFromFile: false,
};

const text = (error: unknown, c: Partial<DiagnosisContext> = {}) => render(diagnose(error, { ...ctx, ...c }));

describe('diagnose', () => {
  it('passes input errors through as they are', () => {
    expect(text(new InputError('aws-region', 'is required'))).toBe("Input 'aws-region' is required");
  });

  it('explains a missing id-token permission, reusable workflows, forks and Dependabot', () => {
    const t = text(new TokenError('no-permission', 'no URL'), { claims: undefined });
    expect(t).toContain('id-token: write');
    expect(t).toContain('A reusable workflow gets only what its caller grants');
    expect(t).toContain('forks and Dependabot');
  });

  it('writes the trust condition against the issuer of the token (GHES issuers too)', () => {
    const t = text(new AwsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403), {
      claims: { ...ctx.claims, iss: 'https://ghe.example.com/_services/token' },
    });
    expect(t).toContain('"ghe.example.com/_services/token:sub": "repo:acme/webapp:environment:prod"');
  });

  it('prints no Condition it cannot make safe: a sub that names no repository, without the claims to pin it', () => {
    const t = text(new AwsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403), {
      claims: { iss: 'https://token.actions.githubusercontent.com', sub: 'environment:prod', aud: 'sts.amazonaws.com', environment: 'prod' },
    });
    expect(t).not.toContain('"Condition"');
    expect(t).toContain("No Condition on this token's claims admits this run and keeps other repositories out");
  });

  it('a sub that names the owner but not the repository is pinned to the repository only: an owner pin would keep no stranger out', () => {
    const t = text(new AwsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403), {
      claims: { iss: 'https://token.actions.githubusercontent.com', sub: 'repository_owner:acme:ref:refs/heads/main', aud: 'sts.amazonaws.com', ref: 'refs/heads/main', event_name: 'push', repository: 'acme/webapp', repository_owner: 'acme', repository_owner_id: '7', repository_id: '42' },
    });
    expect(t).toContain('"token.actions.githubusercontent.com:sub": "repository_owner:acme:ref:refs/heads/main", "token.actions.githubusercontent.com:repository_id": "42" }');
    expect(t).not.toContain('repository_owner_id');
    expect(t).toContain('another repository of the same owner mints the same sub, so the Condition also pins repository_id');
  });

  it('never advises pinning a claim STS does not offer as a key for the issuer (GHES: only aud and sub)', () => {
    const t = text(new AwsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403), {
      claims: { iss: 'https://ghe.example.com/_services/token', sub: 'environment:prod', aud: 'sts.amazonaws.com', environment: 'prod', repository: 'acme/webapp', repository_owner: 'acme', repository_owner_id: '7', repository_id: '42' },
    });
    expect(t).not.toContain('"Condition"');
    expect(t).not.toContain(':repository_owner_id');
    expect(t).toContain('STS offers only ghe.example.com/_services/token:aud and ghe.example.com/_services/token:sub');
    expect(t).toContain('put repo in the subject template');
  });

  it('caps chained sessions at an hour', () => {
    const t = text(new AwsError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.', 400), { roleChaining: true, durationSeconds: 7200 });
    expect(t).toContain('role-duration-seconds is 7200');
    expect(t).toContain('3600');
  });

  it('names both accounts when allowed-account-ids refuses', () => {
    const t = text(new AccountError('111111111111', ['222222222222', '333333333333']));
    expect(t).toContain('account 111111111111');
    expect(t).toContain('222222222222, 333333333333');
    expect(t).toContain('Nothing was exported');
  });

  it('tells a typo in the endpoint from an unreachable network', () => {
    expect(text(new NetworkError('ENOTFOUND', 'getaddrinfo ENOTFOUND sts.nowhere', { typedHost: true }))).toContain('check sts-endpoint, AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL for typos');
    expect(text(new RetryFailure(new NetworkError('ENOTFOUND', 'getaddrinfo ENOTFOUND sts.us-east-1.amazonaws.com'), 12, 59_000))).toContain(
      "did not resolve on any attempt: check the runner's DNS, and aws-region",
    );
    expect(text(new RetryFailure(new NetworkError('ETIMEDOUT', 'no answer'), 12, 61_000))).toContain('(12 attempts over 61.0 s)');
  });

  it('says a fresh token was asked for only when one was', () => {
    const expired = new AwsError('ExpiredTokenException', 'Token expired: current date/time 1 must be before the expiration date/time 0', 400);
    const fresh = 'asked GitHub for a fresh token';
    expect(text(new RetryFailure(expired, 3, 900))).toContain(fresh);
    const single = text(new RetryFailure(expired, 1, 100));
    expect(single).not.toContain(fresh);
    expect(single).toContain('no fresh token was asked for');
    const file = text(new RetryFailure(expired, 3, 900), { tokenFromFile: true });
    expect(file).not.toContain(fresh);
    expect(file).toContain('The token file was read again');
  });

  it('says throttling was retried, how often and for how long', () => {
    const t = text(new RetryFailure(new AwsError('Throttling', 'Rate exceeded', 400), 12, 58_400));
    expect(t).toContain('12 attempts over 58.4 s');
    expect(t).toContain('strategy.max-parallel');
  });

  it('falls back to the code and message STS gave', () => {
    expect(text(new AwsError('RegionDisabledException', 'STS is not activated in this region', 403))).toBe('STS refused: STS said RegionDisabledException: STS is not activated in this region');
  });
});
