// The one IAM evaluator, on the rules that decide trust policies; the differential test checks it
// against an independent simulator on generated cases.
import { describe, expect, it } from '@jest/globals';
import { claimsFor } from '../../src/github/claims.ts';
import { evaluate, webIdentityRequest, type Request } from '../../src/iam/evaluate.ts';
import { PolicyError, toPolicyDocument, type PolicyDocument, type Statement } from '../../src/iam/policy.ts';

const ACCOUNT = '111111111111';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const claims = claimsFor({ owner: 'acme', repo: 'webapp', ownerId: '1001', repoId: '2002', eventName: 'push', ref: 'refs/heads/main', workflowRef: 'acme/webapp/.github/workflows/deploy.yml@refs/heads/main' }, 'sts.amazonaws.com');
const request = webIdentityRequest(claims, ACCOUNT);
const allow = (Condition?: Statement['Condition'], extra: Partial<Statement> = {}): Statement => ({ Effect: 'Allow', Principal: { Federated: PROVIDER }, Action: 'sts:AssumeRoleWithWebIdentity', ...(Condition ? { Condition } : {}), ...extra });
const policy = (...Statement: Statement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });
const admits = (p: PolicyDocument, r: Request = request) => evaluate(p, r).allowed;

describe('webIdentityRequest', () => {
  it("is the request GitHub's token makes", () => {
    expect(request.action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(request.principal).toEqual({ federated: PROVIDER });
    expect(request.context['token.actions.githubusercontent.com:sub']).toBe('repo:acme/webapp:ref:refs/heads/main');
    expect(request.context['token.actions.githubusercontent.com:aud']).toBe('sts.amazonaws.com');
    // Only the claims STS offers as condition keys: event_name, ref_type, workflow_ref... are none.
    expect(Object.keys(request.context).map((k) => k.split(':')[1]).sort()).toEqual(['aud', 'job_workflow_ref', 'ref', 'repository', 'repository_id', 'repository_owner_id', 'sub']);
    expect(Object.keys(webIdentityRequest({ ...claims, iss: 'https://ghe.example.com/_services/token' }, ACCOUNT).context)).toEqual(['ghe.example.com/_services/token:aud', 'ghe.example.com/_services/token:sub']);
    expect(webIdentityRequest(claims, ACCOUNT, 'aws-cn').principal.federated).toBe(`arn:aws-cn:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`);
  });
});

describe('evaluate', () => {
  it('says which condition refuses, with the policy value and the token value', () => {
    const verdict = evaluate(policy(allow({ StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/webapp:pull_request' } })), request);
    expect(verdict).toEqual({
      allowed: false,
      why: "statement 1 (Allow): StringLike token.actions.githubusercontent.com:sub 'repo:acme/webapp:pull_request' does not match 'repo:acme/webapp:ref:refs/heads/main'",
      deciding: { statement: 0, effect: 'Allow', operator: 'StringLike', key: 'token.actions.githubusercontent.com:sub' },
    });
  });

  it('numbers and dates compare as numbers and instants (ISO 8601 or epoch seconds); a side that does not read never matches', () => {
    const at = (operator: string, key: string, value: string, context: Request['context']) => admits(policy(allow({ [operator]: { [key]: value } })), { ...request, context });
    const repositoryId = 'token.actions.githubusercontent.com:repository_id';
    expect(at('NumericLessThan', repositoryId, '10000', request.context)).toBe(true);
    expect(at('NumericGreaterThan', repositoryId, '10000', request.context)).toBe(false);
    expect(at('NumericEquals', repositoryId, '2002.0', request.context)).toBe(true);
    expect(at('NumericNotEquals', repositoryId, '2002', request.context)).toBe(false);
    expect(at('NumericLessThan', repositoryId, 'many', request.context)).toBe(false);
    const now = { ...request.context, 'aws:CurrentTime': '2026-12-01T12:00:00Z', 'aws:EpochTime': '1764590400' };
    expect(at('DateGreaterThan', 'aws:CurrentTime', '2026-12-01T00:00:00Z', now)).toBe(true);
    expect(at('DateLessThan', 'aws:CurrentTime', '1764547200', now)).toBe(false);
    expect(at('DateEquals', 'aws:EpochTime', '2025-12-01T12:00:00Z', now)).toBe(true);
    expect(at('DateLessThanEquals', 'aws:CurrentTime', 'yesterday', now)).toBe(false);
  });

  it('a negated operator with a policy variable the request cannot resolve never holds, and says so', () => {
    const verdict = evaluate(policy(allow({ StringNotLike: { 'token.actions.githubusercontent.com:sub': 'repo:${var.org}/*:pull_request' } })), request);
    expect(verdict.allowed).toBe(false);
    expect(verdict.why).toBe("statement 1 (Allow): StringNotLike token.actions.githubusercontent.com:sub 'repo:${var.org}/*:pull_request': 'repo:${var.org}/*:pull_request' names a policy variable the request has no value for, which a negated operator never passes");
  });

  it('keys are case-insensitive, values case-sensitive', () => {
    expect(admits(policy(allow({ StringEquals: { 'Token.Actions.GitHubUserContent.com:SUB': 'repo:acme/webapp:ref:refs/heads/main' } })))).toBe(true);
    expect(admits(policy(allow({ StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:Acme/webapp:ref:refs/heads/main' } })))).toBe(false);
    expect(admits(policy(allow({ StringEqualsIgnoreCase: { 'token.actions.githubusercontent.com:sub': 'repo:Acme/webapp:ref:refs/heads/main' } })))).toBe(true);
  });

  it('a list of values is an OR; keys and operators are an AND', () => {
    const sub = 'token.actions.githubusercontent.com:sub';
    const aud = 'token.actions.githubusercontent.com:aud';
    expect(admits(policy(allow({ StringEquals: { [sub]: ['repo:acme/webapp:pull_request', 'repo:acme/webapp:ref:refs/heads/main'] } })))).toBe(true);
    expect(admits(policy(allow({ StringEquals: { [sub]: 'repo:acme/webapp:ref:refs/heads/main', [aud]: 'other' } })))).toBe(false);
    expect(admits(policy(allow({ StringEquals: { [aud]: 'sts.amazonaws.com' }, StringLike: { [sub]: 'repo:acme/*:pull_request' } })))).toBe(false);
  });

  it('StringLike: * and ? are wildcards, everything else literal', () => {
    const like = (p: string) => admits(policy(allow({ StringLike: { 'token.actions.githubusercontent.com:sub': p } })));
    expect(like('repo:acme/webapp:*')).toBe(true);
    expect(like('repo:acme/webap?:ref:refs/heads/main')).toBe(true);
    expect(like('repo:acme/web.pp:*')).toBe(false);
    expect(like('repo:acme/webapp:ref:refs/heads/main${*}')).toBe(false);
  });

  it('a missing key: false, except for negated operators, …IfExists and Null', () => {
    const missing = 'token.actions.githubusercontent.com:environment';
    expect(admits(policy(allow({ StringEquals: { [missing]: 'prod' } })))).toBe(false);
    expect(admits(policy(allow({ StringNotEquals: { [missing]: 'prod' } })))).toBe(true);
    expect(admits(policy(allow({ StringNotLike: { [missing]: 'prod' } })))).toBe(true);
    expect(admits(policy(allow({ StringEqualsIfExists: { [missing]: 'prod' } })))).toBe(true);
    expect(admits(policy(allow({ Null: { [missing]: 'true' } })))).toBe(true);
    expect(admits(policy(allow({ Null: { [missing]: 'false' } })))).toBe(false);
    expect(admits(policy(allow({ 'ForAllValues:StringEquals': { [missing]: 'prod' } })))).toBe(true);
    expect(admits(policy(allow({ 'ForAnyValue:StringEquals': { [missing]: 'prod' } })))).toBe(false);
  });

  it('set operators on a multivalued key; a single-valued operator never matches one', () => {
    const tags: Request = { action: 'sts:TagSession', principal: { aws: `arn:aws:iam::${ACCOUNT}:user/ci` }, context: { 'aws:TagKeys': ['Repository', 'Actor'] } };
    const p = (Condition: Statement['Condition']) => policy({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:TagSession', Condition });
    expect(admits(p({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['Repository', 'Actor', 'Commit'] } }), tags)).toBe(true);
    expect(admits(p({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['Repository'] } }), tags)).toBe(false);
    expect(admits(p({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['Actor'] } }), tags)).toBe(true);
    expect(admits(p({ StringEquals: { 'aws:TagKeys': ['Repository', 'Actor'] } }), tags)).toBe(false);
  });

  it('Bool compares true and false case-insensitively', () => {
    const r: Request = { ...request, context: { ...request.context, 'aws:SecureTransport': true } };
    expect(admits(policy(allow({ Bool: { 'aws:SecureTransport': 'TRUE' } })), r)).toBe(true);
    expect(admits(policy(allow({ Bool: { 'aws:SecureTransport': false } })), r)).toBe(false);
  });

  it('an explicit Deny wins over any Allow', () => {
    const verdict = evaluate(policy(allow(), { Effect: 'Deny', Principal: '*', Action: 'sts:*', Condition: { StringLike: { 'token.actions.githubusercontent.com:ref': 'refs/heads/*' } } }), request);
    expect(verdict.allowed).toBe(false);
    expect(verdict.why).toBe("statement 2 (Deny) applies (StringLike token.actions.githubusercontent.com:ref 'refs/heads/*' holds), and an explicit Deny wins");
    expect(verdict.deciding).toEqual({ statement: 1, effect: 'Deny', operator: 'StringLike', key: 'token.actions.githubusercontent.com:ref' });
  });

  it('Action must cover the call, wildcards and case included; NotAction inverts', () => {
    expect(admits(policy(allow(undefined, { Action: 'sts:AssumeRole*' })))).toBe(true);
    expect(admits(policy(allow(undefined, { Action: 'STS:assumerolewithwebidentity' })))).toBe(true);
    expect(admits(policy(allow(undefined, { Action: ['sts:AssumeRole', 'sts:TagSession'] })))).toBe(false);
    expect(evaluate(policy(allow(undefined, { Action: 'sts:AssumeRole' })), request).why).toBe('no Allow statement covers sts:AssumeRoleWithWebIdentity');
    expect(admits(policy({ Effect: 'Allow', Principal: { Federated: PROVIDER }, NotAction: 'sts:AssumeRole' }))).toBe(true);
  });

  it("Principal.Federated must name the issuer's provider in the role's account", () => {
    const elsewhere = `arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com`;
    const verdict = evaluate(policy(allow(undefined, { Principal: { Federated: elsewhere } })), request);
    expect(verdict.allowed).toBe(false);
    expect(verdict.why).toBe(`statement 1 (Allow) trusts ${elsewhere}, not ${PROVIDER}`);
    expect(admits(policy(allow(undefined, { Principal: { Federated: 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com/acme' } })))).toBe(false);
    expect(admits(policy(allow(undefined, { Principal: '*' })))).toBe(true);
  });

  it('AWS principals: the account, its root, the role for its sessions, exact ARNs', () => {
    const session: Request = { action: 'sts:AssumeRole', principal: { aws: `arn:aws:sts::${ACCOUNT}:assumed-role/ci/run-1` }, context: {} };
    const p = (AWS: string) => policy({ Effect: 'Allow', Principal: { AWS }, Action: 'sts:AssumeRole' });
    expect(admits(p(ACCOUNT), session)).toBe(true);
    expect(admits(p(`arn:aws:iam::${ACCOUNT}:root`), session)).toBe(true);
    expect(admits(p(`arn:aws:iam::${ACCOUNT}:role/path/ci`), session)).toBe(true);
    expect(admits(p(`arn:aws:iam::${ACCOUNT}:role/cd`), session)).toBe(false);
    expect(admits(p('222222222222'), session)).toBe(false);
  });

  it('policy variables resolve from the request', () => {
    expect(admits(policy(allow({ StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:${token.actions.githubusercontent.com:repository}:ref:refs/heads/main' } })))).toBe(true);
    expect(admits(policy(allow({ StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:${aws:nothing}:ref:refs/heads/main' } })))).toBe(false);
  });

  it('an operator it does not know never allows, and always denies', () => {
    expect(admits(policy(allow({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })))).toBe(false);
    expect(admits(policy(allow(), { Effect: 'Deny', Principal: '*', Action: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }))).toBe(false);
  });
});

describe('toPolicyDocument', () => {
  it('normalises a single statement and parses JSON text', () => {
    const statement = allow();
    expect(toPolicyDocument({ Version: '2012-10-17', Statement: statement })).toEqual(policy(statement));
    expect(toPolicyDocument(JSON.stringify(policy(statement)))).toEqual(policy(statement));
  });

  it.each([
    ['not an object', [], 'the policy is not a JSON object'],
    ['no Statement', {}, 'the policy has no Statement'],
    ['a bad Effect', { Statement: [{ Effect: 'allow', Action: 'x' }] }, 'statement 1: Effect is "allow", not "Allow" or "Deny"'],
    ['no Action', { Statement: [{ Effect: 'Allow', Principal: '*' }] }, 'statement 1 has no Action'],
    ['a bad Principal', { Statement: [{ Effect: 'Allow', Action: 'x', Principal: { User: 'x' } }] }, 'statement 1: Principal has User, which is not Federated, AWS or Service'],
    ['a bad Condition', { Statement: [{ Effect: 'Allow', Action: 'x', Condition: { StringEquals: 'x' } }] }, 'statement 1: Condition StringEquals is not a JSON object of keys and values'],
    // A Deny's misspelt element, read without it, would no longer keep anyone out of the policy judged.
    ['an element IAM does not know', { Statement: [{ Effect: 'Deny', Action: 'x', NotPrincipal: '*', condition: { StringLike: { k: 'v' } } }] }, 'statement 1 has "condition", which is not an element of a statement (Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition)'],
    ['bad JSON', '{', 'the policy is not valid JSON'],
  ])('refuses %s, saying what is wrong', (_, value, message) => {
    expect(() => toPolicyDocument(value)).toThrow(PolicyError);
    expect(() => toPolicyDocument(value)).toThrow(message);
  });
});
