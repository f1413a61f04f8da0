// The project's IAM evaluator against an independent one, @cloud-copilot/iam-simulate (AGPL: a test
// oracle only, never imported from src/ nor bundled), on a seeded corpus of trust policies and GitHub
// tokens: the operators trust policies use, wildcards, lists, missing keys, …IfExists, set operators,
// Deny statements, case variants of keys and values, wrong principals and actions. They must agree on
// every case; the test prints nothing unless they disagree, and then the cases. A few of the cases then
// go through the STS emulator's AssumeRoleWithWebIdentity, which must answer the same.
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from '@jest/globals';
import { loadPolicy } from '@cloud-copilot/iam-policy';
import { claimsFor, type Claims, type Run, type SubjectShape } from '../../src/github/claims.ts';
import { evaluate, webIdentityRequest, type Request } from '../../src/iam/evaluate.ts';
import type { PolicyDocument, Statement } from '../../src/iam/policy.ts';
import { startIssuer } from '../standins/oidc-issuer.ts';
import { startSts } from '../standins/sts-emulator.ts';
// The simulator's engine, reached past its entry points: runSimulation drops every condition key its
// service data does not list (GitHub's are not listed), and runUnsafeSimulation crashes on a resource
// policy because it loads it without a name. This is what runUnsafeSimulation does, with the name.
import { authorize } from '../../node_modules/@cloud-copilot/iam-simulate/dist/esm/core_engine/CoreSimulatorEngine.js';
import { DiscoveryContextKeyConstraints } from '../../node_modules/@cloud-copilot/iam-simulate/dist/esm/context_keys/discoveryContextKeyConstraints.js';
import { AwsRequestImpl } from '../../node_modules/@cloud-copilot/iam-simulate/dist/esm/request/request.js';
import { RequestContextImpl } from '../../node_modules/@cloud-copilot/iam-simulate/dist/esm/requestContext.js';

const ACCOUNT = '111111111111';
const HOST = 'token.actions.githubusercontent.com';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const CASES = 600;

/** mulberry32: small, seeded, the same corpus on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  n: number;
  run: Run;
  shape: SubjectShape;
  claims: Claims;
  request: Request;
  policy: PolicyDocument;
  /** The request's context was altered (a key dropped, a value listed): only the evaluators can judge it, not a real token. */
  altered: boolean;
}

function generate(n: number): Case {
  const r = random(n * 7919 + 17);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)] as T;
  const chance = (p: number) => r() < p;
  const owner = pick(['acme', 'acme', 'Acme', 'intruder']);
  const repo = pick(['webapp', 'webapp', 'webapp-fork', 'other']);
  const eventName = pick(['push', 'push', 'pull_request', 'workflow_dispatch']);
  const ref = eventName === 'pull_request' ? 'refs/pull/7/merge' : pick(['refs/heads/main', 'refs/heads/Main', 'refs/tags/v1', 'refs/heads/feature/x']);
  const run: Run = {
    owner,
    repo,
    ownerId: owner === 'intruder' ? '9009' : '1001',
    repoId: repo === 'webapp' ? '2002' : '3003',
    eventName,
    ref,
    workflowRef: `${owner}/${repo}/.github/workflows/deploy.yml@${ref}`,
    ...(chance(0.3) ? { environment: pick(['production', 'Production', 'staging']) } : {}),
    ...(chance(0.25) ? { jobWorkflowRef: `acme/platform/.github/workflows/aws.yml@${pick(['refs/heads/main', 'refs/tags/v1'])}` } : {}),
  };
  const shape: SubjectShape = pick([
    { useDefault: true, includeClaimKeys: [] },
    { useDefault: true, includeClaimKeys: [], immutable: true },
    { useDefault: false, includeClaimKeys: ['repo', 'context', 'job_workflow_ref'] },
    { useDefault: false, includeClaimKeys: ['environment'] },
    { useDefault: false, includeClaimKeys: ['repository_owner_id', 'context'] },
  ]);
  const claims = claimsFor(run, pick(['sts.amazonaws.com', 'sts.amazonaws.com', 'api://deployer']), shape);
  const request = webIdentityRequest(claims, ACCOUNT);
  let altered = false;
  if (chance(0.15)) {
    delete request.context[`${HOST}:${pick(['sub', 'ref', 'repository_owner_id', 'job_workflow_ref'])}`];
    altered = true;
  }
  if (chance(0.15)) {
    request.context[`${HOST}:aud`] = chance(0.5) ? [String(claims.aud), 'other-audience'] : [];
    altered = true;
  }
  if (chance(0.3)) {
    request.context['aws:SecureTransport'] = chance(0.5);
    altered = true;
  }

  const keys = ['sub', 'aud', 'ref', 'environment', 'repository_owner_id', 'job_workflow_ref', 'repository', 'event_name'];
  const valueOf = (key: string): string => {
    const v = request.context[`${HOST}:${key}`];
    return Array.isArray(v) ? (v[0] ?? 'none') : typeof v === 'string' ? v : pick(['production', 'x']);
  };
  const flipCase = (s: string) => s.replace(/[a-z]/i, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));
  const variant = (value: string): string =>
    pick([
      () => value,
      () => value,
      () => flipCase(value),
      () => `${value.slice(0, Math.max(1, Math.floor(value.length / 2)))}*`,
      () => `*${value.slice(-4)}`,
      () => value.replace(/[a-z0-9]/, '?'),
      () => value.replace(/acme/g, 'intruder'),
      () => `${value}-fork`,
      () => value.replace(/main/, 'ma*'),
      () => '*',
      () => `${value}*x`,
    ])();
  const keyName = (key: string) => {
    const name = `${HOST}:${key}`;
    return chance(0.2) ? name.replace(/[a-z]/g, (c) => (chance(0.3) ? c.toUpperCase() : c)) : name;
  };
  const condition = (): Statement['Condition'] => {
    const block: Record<string, Record<string, unknown>> = {};
    const operators = 1 + Math.floor(r() * 3);
    for (let i = 0; i < operators; i++) {
      const kind = pick(['StringEquals', 'StringEquals', 'StringLike', 'StringLike', 'StringNotEquals', 'StringNotLike', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'Null', 'Bool']);
      if (kind === 'Bool') {
        block[`Bool${chance(0.3) ? 'IfExists' : ''}`] = { [chance(0.5) ? 'aws:SecureTransport' : 'AWS:securetransport']: pick(['true', 'false', 'TRUE', true, false]) };
        continue;
      }
      if (kind === 'Null') {
        block.Null = { [keyName(pick(keys))]: pick(['true', 'false']) };
        continue;
      }
      const set = pick(['', '', '', 'ForAnyValue:', 'ForAllValues:']);
      const operator = `${set}${kind}${chance(0.25) ? 'IfExists' : ''}`;
      const entries: Record<string, unknown> = block[operator] ?? {};
      for (let k = 0, count = 1 + Math.floor(r() * 2); k < count; k++) {
        const key = pick(keys);
        const values = Array.from({ length: 1 + Math.floor(r() * 3) }, () => (kind.includes('Like') ? variant(valueOf(key)) : pick([valueOf(key), valueOf(key), flipCase(valueOf(key)), variant(valueOf(key)).replace(/[*?]/g, '')])));
        entries[keyName(key)] = values.length === 1 && chance(0.5) ? values[0] : values;
      }
      block[operator] = entries;
    }
    return block;
  };
  const statement = (effect: 'Allow' | 'Deny'): Statement => ({
    Effect: effect,
    Principal: pick([{ Federated: PROVIDER }, { Federated: PROVIDER }, { Federated: PROVIDER }, { Federated: `arn:aws:iam::222222222222:oidc-provider/${HOST}` }, '*', { Federated: [PROVIDER, 'arn:aws:iam::111111111111:oidc-provider/gitlab.com'] }]),
    Action: pick(['sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRole*', 'sts:*', '*', 'sts:AssumeRole', ['sts:TagSession', 'sts:AssumeRoleWithWebIdentity'], 'STS:assumerolewithwebidentity', 'sts:AssumeRoleWith?ebIdentity']),
    ...(chance(0.9) ? { Condition: condition() } : {}),
  });
  const statements = [statement('Allow')];
  for (let i = 0, more = Math.floor(r() * 3); i < more; i++) statements.push(statement(chance(0.4) ? 'Deny' : 'Allow'));
  return { n, run, shape, claims, request, policy: { Version: '2012-10-17', Statement: statements }, altered };
}

/** The simulator's verdict on the role's trust policy as the only policy: a resource policy, same account. */
function simulate(c: Case): boolean {
  const contextVariables: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(c.request.context)) if (value !== undefined) contextVariables[key] = typeof value === 'boolean' ? String(value) : value;
  const request = new AwsRequestImpl(PROVIDER, { resource: `arn:aws:iam::${ACCOUNT}:role/deploy`, accountId: ACCOUNT }, c.request.action, new RequestContextImpl(contextVariables));
  const analysis = authorize({
    request,
    sessionPolicy: undefined,
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: loadPolicy(c.policy, { name: 'trust' }),
    permissionBoundaries: undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: { simulationMode: 'Strict', discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
    serviceSettings: { s3: { blockPublicAccess: undefined } },
  }) as { result: string };
  return analysis.result === 'Allowed';
}

const corpus = Array.from({ length: CASES }, (_, n) => generate(n));

describe('our IAM evaluator and an independent simulator', () => {
  it(`agree on ${CASES} generated trust policies and tokens`, () => {
    const disagreements = corpus.flatMap((c) => {
      const ours = evaluate(c.policy, c.request);
      const theirs = simulate(c);
      return ours.allowed === theirs ? [] : [{ n: c.n, ours: ours.allowed, why: ours.why, simulator: theirs, context: c.request.context, policy: c.policy }];
    });
    if (disagreements.length > 0) console.log(JSON.stringify(disagreements.slice(0, 5), null, 2));
    expect(disagreements.map((d) => d.n)).toEqual([]);
  });

  it('agree on policy variables, resolved or not (AWS: a variable it cannot resolve may invalidate the statement)', () => {
    const sub = `${HOST}:sub`;
    const resolved = `repo:\${${HOST}:repository}:*`;
    const missing = `\${${HOST}:nothing}`;
    const request: Request = { action: 'sts:AssumeRoleWithWebIdentity', principal: { federated: PROVIDER }, context: { [sub]: 'repo:acme/webapp:ref:refs/heads/main', [`${HOST}:repository`]: 'acme/webapp' } };
    const allow: Statement = { Effect: 'Allow', Principal: { Federated: PROVIDER }, Action: 'sts:AssumeRoleWithWebIdentity' };
    const cases: Case[] = [];
    for (const operator of ['StringEquals', 'StringLike', 'StringNotEquals', 'StringNotLike', 'StringNotEqualsIfExists', 'ForAnyValue:StringNotLike', 'ForAllValues:StringNotEquals']) {
      for (const values of [resolved, missing, [missing, 'repo:acme/webapp:ref:refs/heads/main'], [missing, 'repo:other/thing:*'], [resolved, missing]]) {
        const condition: Statement = { ...allow, Condition: { [operator]: { [sub]: values } } };
        for (const statements of [[condition], [allow, { ...condition, Effect: 'Deny' as const }]]) {
          cases.push({ n: cases.length, policy: { Version: '2012-10-17', Statement: statements }, request } as Case);
        }
      }
    }
    const disagreements = cases.filter((c) => evaluate(c.policy, c.request).allowed !== simulate(c)).map((c) => c.policy.Statement);
    expect(disagreements).toEqual([]);
  });

  it('the corpus reaches both verdicts, through both a Deny and every operator family', () => {
    const verdicts = corpus.map((c) => evaluate(c.policy, c.request));
    expect(corpus.filter(simulate).length).toBeGreaterThan(CASES / 10);
    expect(verdicts.filter((v) => v.allowed).length).toBeGreaterThan(CASES / 10);
    expect(verdicts.filter((v) => !v.allowed).length).toBeGreaterThan(CASES / 10);
    expect(verdicts.filter((v) => v.deciding?.effect === 'Deny').length).toBeGreaterThan(10);
    const operators = new Set(corpus.flatMap((c) => c.policy.Statement.flatMap((s) => Object.keys(s.Condition ?? {}))));
    for (const op of ['StringEquals', 'StringNotLike', 'ForAnyValue:StringLike', 'ForAllValues:StringEquals', 'StringEqualsIfExists', 'Null', 'Bool']) expect(operators).toContain(op);
  });
});

describe('the STS emulator', () => {
  it("answers as the evaluator does, through a real AssumeRoleWithWebIdentity", async () => {
    const real = corpus.filter((c) => !c.altered).slice(0, 12);
    const issuer = await startIssuer();
    const sts = await startSts({ jwks: { 'https://token.actions.githubusercontent.com': issuer.jwksUri }, accounts: [{ id: ACCOUNT, oidcProviders: [{ url: 'https://token.actions.githubusercontent.com', clientIds: ['sts.amazonaws.com', 'api://deployer'] }], roles: [] }] });
    const client = new STSClient({ region: 'us-east-1', endpoint: sts.url, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' }, maxAttempts: 1 });
    try {
      const answers: { n: number; emulator: boolean; evaluator: boolean; simulator: boolean }[] = [];
      for (const c of real) {
        sts.accounts[0]!.roles = [{ name: 'deploy', trustPolicy: c.policy }];
        issuer.run = { ...c.run, ownerId: c.run.ownerId ?? '', repoId: c.run.repoId ?? '', shape: c.shape };
        const token = await issuer.mint(String(c.claims.aud));
        const emulator = await client.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/deploy`, RoleSessionName: 'differential', WebIdentityToken: token })).then(
          () => true,
          (error: { name?: string }) => (error.name === 'AccessDenied' ? false : Promise.reject(error)),
        );
        answers.push({ n: c.n, emulator, evaluator: evaluate(c.policy, c.request).allowed, simulator: simulate(c) });
      }
      const disagree = answers.filter((a) => a.emulator !== a.evaluator || a.emulator !== a.simulator);
      if (disagree.length > 0) console.log(JSON.stringify(disagree, null, 2));
      expect(disagree).toEqual([]);
      expect(answers.some((a) => a.emulator)).toBe(true);
      expect(answers.some((a) => !a.emulator)).toBe(true);
    } finally {
      client.destroy();
      await sts.close();
      await issuer.close();
    }
  });
});
