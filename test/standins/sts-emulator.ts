// A loopback stand-in for AWS STS. It speaks the query protocol with XML answers, verifies web identity
// tokens against the issuer's keys, checks expiry, audience and the role's trust policy, verifies SigV4
// on signed calls (with the region scope, for calls naming STS's own host names), and refuses with AWS's own error codes and messages. It is never told what to answer:
// every refusal comes from evaluating the request against the accounts it was given. It also answers
// IAM GetRole and ListRoles (paginated) with the roles it holds (for the trust check's --from-aws and
// --all-roles), refusing IAM actions a user is denied as IAM does. Faults (throttling,
// 5xx, resets, hangs, unreadable bodies) and a rate limit are switches.
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { compactVerify, createLocalJWKSet, decodeJwt, type JSONWebKeySet } from 'jose';
import type { Claims } from '../../src/github/claims.ts';
import { evaluate, webIdentityRequest, type Request } from '../../src/iam/evaluate.ts';
import type { PolicyDocument } from '../../src/iam/policy.ts';
import { standinTls } from './tls.ts';

// Trust policies are judged by the project's one IAM evaluator, so the emulator and the trust check
// cannot disagree on what a policy admits.
export type { PolicyDocument, Statement as PolicyStatement } from '../../src/iam/policy.ts';

export interface Role {
  name: string;
  trustPolicy: PolicyDocument;
  /** Seconds; AWS's default is 3600. */
  maxSessionDuration?: number;
  /** Sent verbatim as AssumeRolePolicyDocument instead of `trustPolicy`, URL-encoded: a document a reader cannot decode. */
  rawTrustPolicy?: string;
}

/** An IAM user with a long-term access key (AKIA…), as self-hosted setups and static-key workflows use. */
export interface User {
  name: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** IAM actions (iam:ListRoles, ...) this user's policies do not allow: refused with AccessDenied. */
  denied?: string[];
}

export interface Account {
  id: string;
  /** IAM OIDC providers: the issuer URL and the audiences (client IDs) registered for it. */
  oidcProviders: { url: string; clientIds: string[] }[];
  roles: Role[];
  users?: User[];
}

export type Fault = 'throttle' | 'server-error' | 'reset' | 'hang' | 'garbage' | 'idp-error' | 'region-disabled';

export interface Call {
  action: string;
  roleArn: string | undefined;
  sessionName: string | undefined;
  /** 'OK', an error code, or the fault injected. */
  result: string;
  at: number;
  /** The inline session policy (Policy) as it arrived. */
  policy: string | undefined;
  /** The managed session policy ARNs (PolicyArns.member.N.arn), in member order. */
  policyArns: string[];
  /** The access key ID of the credentials this call issued, if it issued any. */
  accessKeyId: string | undefined;
  /** AssumeRoleWithWebIdentity: the `aud` of the token presented, as it arrived. */
  audience: string | undefined;
  /** The TLS connection it came on: 1 for the first the emulator accepted, and so on. */
  connection: number;
  /** The Host it named: 127.0.0.1:PORT, or STS's own (sts.REGION.amazonaws.com) when it came through the proxy stand-in. */
  host: string | undefined;
}

function audienceOf(jwt: string | null): string | undefined {
  if (!jwt) return undefined;
  try {
    const { aud } = decodeJwt(jwt);
    return Array.isArray(aud) ? aud.join(',') : aud;
  } catch {
    return undefined;
  }
}

export interface StsOptions {
  accounts: Account[];
  /** Issuer URL → JWKS URI (what OIDC discovery would find at the issuer). */
  jwks: Record<string, string>;
  /** Requests per second, with a burst of as many. */
  rateLimit?: number;
  /** The most roles one ListRoles page holds, whatever MaxItems asks (IAM may return fewer than asked). */
  listRolesPageSize?: number;
}

export interface Sts {
  url: string;
  accounts: Account[];
  /** Applied to the next calls, one each, in order. */
  faults: Fault[];
  /** The next this many IAM calls (GetRole, ListRoles) are answered Throttling, as IAM's low rate limit does. */
  throttleIam: number;
  /** If set, credentials expire this many seconds after issue, whatever was asked (to age them quickly). */
  credentialLifetimeSeconds: number | undefined;
  calls: Call[];
  /** While set, AssumeRoleWithWebIdentity calls wait for it before being answered: a barrier for tests of concurrent callers. */
  hold: Promise<unknown> | undefined;
  /** Every credential issued, so tests can prove none leaks. */
  issued: { accessKeyId: string; secretAccessKey: string; sessionToken: string }[];
  /** TLS handshakes completed: one per connection a client opened. */
  handshakes: number;
  /** The next this many connections are closed by the emulator as soon as their handshake is done. */
  closeAfterHandshake: number;
  /** Connections closed that way whose client has closed its side too (it has seen the close). */
  closedAfterHandshake: number;
  close(): Promise<void>;
}

/** Session tags by lower-cased key (STS compares keys case-insensitively), with the key as sent. */
type Tags = Map<string, { key: string; value: string }>;

interface Session {
  secretAccessKey: string;
  sessionToken: string;
  roleArn: string;
  assumedArn: string;
  accountId: string;
  expiration: number;
  tags: Tags;
  /** Lower-cased keys of the tags the next hop in a chain inherits. */
  transitive: Set<string>;
}

/** Whoever signed a call: a role session (temporary keys) or an IAM user (long-term keys). */
interface Caller {
  arn: string;
  accountId: string;
  /** A role session signing AssumeRole is role chaining, which STS caps at one hour. */
  chained: boolean;
  tags: Tags;
  transitive: Set<string>;
}

class StsFailure extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const IAM_ACTIONS = new Set(['GetRole', 'ListRoles']);
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/([\w+=,.@/-]+)$/;
const SESSION_NAME = /^[\w+=,.@-]*$/;

const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
const denied = (action: string) => new StsFailure(403, 'AccessDenied', `Not authorized to perform ${action}`);
const validation = (message: string) => new StsFailure(400, 'ValidationError', message);
const invalidParameter = (message: string) => new StsFailure(400, 'InvalidParameterValue', message);
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

function errorXml(code: string, message: string, status: number, ns = NS): string {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  return `<ErrorResponse xmlns="${ns}">\n  <Error>\n    <Type>${type}</Type>\n    <Code>${code}</Code>\n    <Message>${xmlEscape(message)}</Message>\n  </Error>\n  <RequestId>${randomUUID()}</RequestId>\n</ErrorResponse>\n`;
}

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** PolicyArns.member.N.arn, in member order (the query protocol numbers members from 1). */
function policyArnsOf(params: URLSearchParams): string[] {
  return [...params.entries()]
    .map(([key, value]) => [Number(/^PolicyArns\.member\.(\d+)\.arn$/.exec(key)?.[1]), value] as const)
    .filter(([n]) => Number.isInteger(n))
    .sort(([a], [b]) => a - b)
    .map(([, value]) => value);
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export async function startSts(options: StsOptions): Promise<Sts> {
  const sessions = new Map<string, Session>();
  const open = new Set<import('node:stream').Duplex>();
  let tokens = options.rateLimit ?? 0;
  let refilled = Date.now();

  const sts: Sts = {
    url: '',
    accounts: options.accounts,
    faults: [],
    throttleIam: 0,
    credentialLifetimeSeconds: undefined,
    calls: [],
    hold: undefined,
    issued: [],
    handshakes: 0,
    closeAfterHandshake: 0,
    closedAfterHandshake: 0,
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };

  function rateLimited(): boolean {
    if (!options.rateLimit) return false;
    const now = Date.now();
    tokens = Math.min(options.rateLimit, tokens + ((now - refilled) / 1000) * options.rateLimit);
    refilled = now;
    if (tokens < 1) return true;
    tokens -= 1;
    return false;
  }

  function findRole(roleArn: string): { account: Account; role: Role | undefined } {
    const m = ROLE_ARN.exec(roleArn);
    if (!m) throw validation('Request ARN is invalid');
    const [, accountId = '', name = ''] = m;
    const account = options.accounts.find((a) => a.id === accountId) ?? { id: accountId, oidcProviders: [], roles: [] };
    return { account, role: account.roles.find((r) => r.name === name.split('/').pop()) };
  }

  function validateCommon(params: URLSearchParams): { roleArn: string; sessionName: string; duration: number } {
    const roleArn = params.get('RoleArn') ?? '';
    const sessionName = params.get('RoleSessionName') ?? '';
    const duration = Number(params.get('DurationSeconds') ?? '3600');
    const errors: string[] = [];
    if (!SESSION_NAME.test(sessionName)) errors.push(`Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`);
    if (sessionName.length < 2 || sessionName.length > 64) errors.push(`Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must have length between 2 and 64`);
    if (duration > 43200) errors.push(`Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200`);
    if (duration < 900) errors.push(`Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`);
    const policy = params.get('Policy');
    if (policy && policy.length > 2048) errors.push(`Value '${policy}' at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048`);
    if (errors.length > 0) throw validation(`${errors.length} validation error${errors.length > 1 ? 's' : ''} detected: ${errors.join('; ')}`);
    return { roleArn, sessionName, duration };
  }

  function checkSessionPolicies(params: URLSearchParams): void {
    const policy = params.get('Policy');
    if (policy) {
      let doc: { Statement?: unknown } | undefined;
      try {
        doc = JSON.parse(policy) as { Statement?: unknown };
      } catch {
        doc = undefined;
      }
      if (!doc || typeof doc !== 'object' || !doc.Statement) throw new StsFailure(400, 'MalformedPolicyDocument', 'Syntax errors in policy.');
    }
    const arns = policyArnsOf(params);
    // AWS documents the check, not the format: session policies, policy ARNs and session tags are packed
    // into a binary form with "a separate limit", the request fails when the packed size exceeds 100 %,
    // and the error gives that percentage. The packing itself is unpublished, so this emulator's
    // SIMPLIFICATION is the size formula: 0.55 bytes per policy character (whitespace removed) plus 64 per
    // policy ARN, against a 1,024-byte budget. Only the threshold behaviour and the message are AWS's.
    const packed = Math.ceil((((policy?.replace(/\s+/g, '').length ?? 0) * 0.55 + arns.length * 64) / 1024) * 100);
    if (packed > 100) throw new StsFailure(400, 'PackedPolicyTooLarge', `Packed policy consumes ${packed}% of allotted space, please use smaller policy.`);
  }

  function issue(roleArn: string, accountId: string, sessionName: string, duration: number, tags: Tags = new Map(), transitive = new Set<string>()): { xml: string; arn: string } {
    const accessKeyId = `ASIA${randomBytes(10).toString('hex').toUpperCase().slice(0, 16)}`;
    const secretAccessKey = randomBytes(30).toString('base64');
    const sessionToken = `IQoJb3JpZ2luX2Vj${randomBytes(96).toString('base64')}`;
    const roleName = roleArn.split('/').pop();
    const assumedArn = `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;
    const expiration = Date.now() + (sts.credentialLifetimeSeconds ?? duration) * 1000;
    sessions.set(accessKeyId, { secretAccessKey, sessionToken, roleArn, assumedArn, accountId, expiration, tags, transitive });
    sts.issued.push({ accessKeyId, secretAccessKey, sessionToken });
    const xml =
      `<AssumedRoleUser><AssumedRoleId>AROA${randomBytes(8).toString('hex').toUpperCase()}:${sessionName}</AssumedRoleId><Arn>${assumedArn}</Arn></AssumedRoleUser>` +
      `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>${secretAccessKey}</SecretAccessKey><SessionToken>${sessionToken}</SessionToken>` +
      `<Expiration>${new Date(expiration).toISOString()}</Expiration></Credentials>`;
    return { xml, arn: assumedArn };
  }

  async function assumeRoleWithWebIdentity(params: URLSearchParams): Promise<string> {
    const { roleArn, sessionName, duration } = validateCommon(params);
    const jwt = params.get('WebIdentityToken') ?? '';
    let claims: Record<string, unknown>;
    try {
      claims = decodeJwt(jwt);
    } catch {
      throw new StsFailure(400, 'InvalidIdentityToken', 'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)');
    }
    const iss = String(claims.iss ?? '');
    const { account, role } = findRole(roleArn);
    const provider = account.oidcProviders.find((p) => p.url === iss);
    if (!provider) throw new StsFailure(400, 'InvalidIdentityToken', `No OpenIDConnect provider found in your account for ${iss}`);
    let keys: JSONWebKeySet;
    try {
      const res = await fetch(options.jwks[iss] ?? 'http://127.0.0.1:9/', { signal: AbortSignal.timeout(2000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      keys = (await res.json()) as JSONWebKeySet;
    } catch {
      throw new StsFailure(400, 'InvalidIdentityToken', "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements");
    }
    try {
      await compactVerify(jwt, createLocalJWKSet(keys));
    } catch {
      throw new StsFailure(400, 'InvalidIdentityToken', 'The web identity token signature could not be verified');
    }
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || now >= claims.exp) {
      throw new StsFailure(400, 'ExpiredTokenException', `Token expired: current date/time ${now} must be before the expiration date/time${String(claims.exp)}`);
    }
    const audiences = list(claims.aud as string | string[] | undefined);
    if (!audiences.some((a) => provider.clientIds.includes(a))) throw new StsFailure(400, 'InvalidIdentityToken', 'Incorrect token audience');
    const request = webIdentityRequest(claims as Claims, account.id);
    const federated = request.principal.federated ?? '';
    if (!role || !evaluate(role.trustPolicy, request).allowed) throw denied('sts:AssumeRoleWithWebIdentity');
    if (duration > (role.maxSessionDuration ?? 3600)) throw validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    checkSessionPolicies(params);
    const issued = issue(roleArn, account.id, sessionName, duration);
    return `<AssumeRoleWithWebIdentityResult><SubjectFromWebIdentityToken>${xmlEscape(String(claims.sub))}</SubjectFromWebIdentityToken><Audience>${xmlEscape(audiences[0] ?? '')}</Audience>${issued.xml}<Provider>${federated}</Provider></AssumeRoleWithWebIdentityResult>`;
  }

  /** Whoever signed an IAM call, refused with IAM's own message when their policies do not allow `action`. */
  function iamCaller(req: http.IncomingMessage, body: string, action: string, resource: (account: string) => string): Caller {
    const caller = authenticate(req, body, 'iam');
    const user = options.accounts.flatMap((a) => a.users ?? []).find((u) => `arn:aws:iam::${caller.accountId}:user/${u.name}` === caller.arn);
    if (user?.denied?.includes(action)) {
      throw new StsFailure(403, 'AccessDenied', `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resource(caller.accountId)} because no identity-based policy allows the ${action} action`);
    }
    return caller;
  }

  function findUser(accessKeyId: string): { account: Account; user: User } | undefined {
    for (const account of options.accounts) {
      const user = account.users?.find((u) => u.accessKeyId === accessKeyId);
      if (user) return { account, user };
    }
    return undefined;
  }

  /** SigV4, verified the way STS does it: the caller must hold the secret of a live session or of an IAM user's key. */
  function authenticate(req: http.IncomingMessage, body: string, service: 'sts' | 'iam' = 'sts'): Caller {
    const auth = req.headers.authorization ?? '';
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/(sts|iam)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m || m[4] !== service) throw new StsFailure(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
    const [, accessKeyId = '', date = '', region = '', , signedHeaders = '', signature = ''] = m;
    const session = sessions.get(accessKeyId);
    const iamUser = session ? undefined : findUser(accessKeyId);
    // A session's keys only with its token; a user's long-term key never with one.
    const token = req.headers['x-amz-security-token'];
    if (session ? token !== session.sessionToken : !iamUser || token !== undefined) {
      throw new StsFailure(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    }
    const secretAccessKey = session?.secretAccessKey ?? iamUser?.user.secretAccessKey ?? '';
    const canonicalHeaders = signedHeaders
      .split(';')
      .map((h) => `${h}:${String(req.headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`)
      .join('');
    const canonical = ['POST', '/', '', canonicalHeaders, signedHeaders, createHash('sha256').update(body).digest('hex')].join('\n');
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const scope = `${date}/${region}/${service}/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
    const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
    // STS's own host names fix the scope's region (the global endpoint's is us-east-1); the loopback's
    // names none, so any region is accepted there.
    const endpoint = /^sts(?:\.([a-z0-9-]+))?\.amazonaws\.com(?::443)?$/.exec(String(req.headers.host ?? ''));
    if (endpoint && region !== (endpoint[1] ?? 'us-east-1')) throw new StsFailure(403, 'SignatureDoesNotMatch', 'Credential should be scoped to a valid region. ');
    if (hmac(key, toSign).toString('hex') !== signature) {
      throw new StsFailure(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
    }
    if (iamUser) {
      const arn = `arn:aws:iam::${iamUser.account.id}:user/${iamUser.user.name}`;
      return { arn, accountId: iamUser.account.id, chained: false, tags: new Map(), transitive: new Set() };
    }
    if (!session) throw new Error('unreachable');
    if (Date.now() >= session.expiration) throw new StsFailure(403, 'ExpiredToken', 'The security token included in the request is expired');
    return { arn: session.assumedArn, accountId: session.accountId, chained: true, tags: session.tags, transitive: session.transitive };
  }

  /** Tags and TransitiveTagKeys of an AssumeRole request, checked as STS checks them against the caller's transitive tags. */
  function sessionTags(params: URLSearchParams, caller: Caller): { requested: Tags; tags: Tags; transitive: Set<string> } {
    const requested: Tags = new Map();
    for (let n = 1; params.has(`Tags.member.${n}.Key`); n++) {
      const key = params.get(`Tags.member.${n}.Key`) ?? '';
      const value = params.get(`Tags.member.${n}.Value`) ?? '';
      if (key.length < 1 || key.length > 128 || !TAG_TEXT.test(key)) throw validation(`1 validation error detected: Value '${key}' at 'tags.${n}.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+`);
      if (value.length > 256 || !TAG_TEXT.test(value)) throw validation(`1 validation error detected: Value at 'tags.${n}.member.value' failed to satisfy constraint: Member must have length less than or equal to 256`);
      if (requested.has(key.toLowerCase())) throw invalidParameter('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
      requested.set(key.toLowerCase(), { key, value });
    }
    if (requested.size > 50) throw validation(`1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50`);
    const transitiveKeys: string[] = [];
    for (let n = 1; params.has(`TransitiveTagKeys.member.${n}`); n++) transitiveKeys.push((params.get(`TransitiveTagKeys.member.${n}`) ?? '').toLowerCase());
    if (transitiveKeys.some((k) => !requested.has(k))) throw invalidParameter('The specified transitive tag key must be included in the requested tags.');
    if ([...requested.keys()].some((k) => caller.transitive.has(k))) {
      throw invalidParameter("One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.");
    }
    // The new session holds what was asked plus what it inherits; inherited tags stay transitive.
    const tags: Tags = new Map(requested);
    for (const k of caller.transitive) {
      const inherited = caller.tags.get(k);
      if (inherited) tags.set(k, inherited);
    }
    return { requested, tags, transitive: new Set([...transitiveKeys, ...caller.transitive]) };
  }

  function assumeRole(params: URLSearchParams, caller: Caller): string {
    const { roleArn, sessionName, duration } = validateCommon(params);
    const { account, role } = findRole(roleArn);
    const { requested, tags, transitive } = sessionTags(params, caller);
    const context: Request['context'] = {};
    const externalId = params.get('ExternalId');
    if (externalId !== null) context['sts:ExternalId'] = externalId;
    for (const { key, value } of caller.tags.values()) context[`aws:PrincipalTag/${key}`] = value;
    for (const { key, value } of requested.values()) context[`aws:RequestTag/${key}`] = value;
    if (requested.size > 0) context['aws:TagKeys'] = [...requested.values()].map((t) => t.key);
    const trusts = (action: string) => !!role && evaluate(role.trustPolicy, { action, principal: { aws: caller.arn }, context }).allowed;
    const refuse = (action: string) => new StsFailure(403, 'AccessDenied', `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${roleArn}`);
    if (!role || !trusts('sts:AssumeRole')) throw refuse('sts:AssumeRole');
    if (requested.size > 0 && !trusts('sts:TagSession')) throw refuse('sts:TagSession');
    // Credentials from an assumed role make this a chained assumption: STS caps it at one hour.
    if (caller.chained && duration > 3600) throw validation('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    if (duration > (role.maxSessionDuration ?? 3600)) throw validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    checkSessionPolicies(params);
    return `<AssumeRoleResult>${issue(roleArn, account.id, sessionName, duration, tags, transitive).xml}</AssumeRoleResult>`;
  }

  /** A role as IAM describes it: the trust policy URL-encoded. */
  function roleXml(role: Role, accountId: string, lastUsed: boolean): string {
    const arn = `arn:aws:iam::${accountId}:role/${role.name}`;
    const roleId = `AROA${createHash('sha256').update(arn).digest('hex').slice(0, 17).toUpperCase()}`;
    const document = role.rawTrustPolicy ?? encodeURIComponent(JSON.stringify(role.trustPolicy));
    return (
      `<Path>/</Path><AssumeRolePolicyDocument>${xmlEscape(document)}</AssumeRolePolicyDocument>` +
      `<MaxSessionDuration>${role.maxSessionDuration ?? 3600}</MaxSessionDuration><RoleId>${roleId}</RoleId><RoleName>${xmlEscape(role.name)}</RoleName>` +
      `<Arn>${xmlEscape(arn)}</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate>${lastUsed ? '<RoleLastUsed/>' : ''}`
    );
  }

  /** IAM's GetRole, for the trust check's --from-aws: the caller's own account only, as IAM answers. */
  function getRole(params: URLSearchParams, caller: Caller): string {
    const name = params.get('RoleName') ?? '';
    const role = options.accounts.find((a) => a.id === caller.accountId)?.roles.find((r) => r.name === name);
    if (!role) throw new StsFailure(404, 'NoSuchEntity', `The role with name ${name} cannot be found.`);
    return `<GetRoleResult><Role>${roleXml(role, caller.accountId, true)}</Role></GetRoleResult>`;
  }

  /**
   * IAM's ListRoles, for --all-roles: the caller's own account, MaxItems at a time (IAM's default 100, at
   * most 1000), fewer when the stand-in's page size is smaller, with an opaque Marker while IsTruncated.
   */
  function listRoles(params: URLSearchParams, caller: Caller): string {
    const maxItems = Number(params.get('MaxItems') ?? '100');
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 1000) throw validation(`1 validation error detected: Value '${params.get('MaxItems')}' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000`);
    const marker = params.get('Marker');
    const start = marker === null ? 0 : Number(Buffer.from(marker, 'base64url').toString('utf8').replace(/^roles:/, ''));
    if (!Number.isInteger(start) || start < 0) throw invalidParameter('Invalid Marker.');
    const roles = options.accounts.find((a) => a.id === caller.accountId)?.roles ?? [];
    const end = Math.min(roles.length, start + Math.min(maxItems, options.listRolesPageSize ?? maxItems));
    const members = roles.slice(start, end).map((role) => `<member>${roleXml(role, caller.accountId, false)}</member>`).join('');
    const truncated = end < roles.length;
    const next = truncated ? `<Marker>${Buffer.from(`roles:${end}`).toString('base64url')}</Marker>` : '';
    return `<ListRolesResult><IsTruncated>${truncated}</IsTruncated>${next}<Roles>${members}</Roles></ListRolesResult>`;
  }

  async function handle(action: string, params: URLSearchParams, req: http.IncomingMessage, body: string): Promise<string> {
    switch (action) {
      case 'AssumeRoleWithWebIdentity':
        return assumeRoleWithWebIdentity(params);
      case 'AssumeRole':
        return assumeRole(params, authenticate(req, body));
      case 'GetCallerIdentity': {
        const caller = authenticate(req, body);
        const userId = caller.chained ? `AROA:${caller.arn.split('/').pop()}` : `AIDA${createHash('sha256').update(caller.arn).digest('hex').slice(0, 17).toUpperCase()}`;
        return `<GetCallerIdentityResult><Arn>${caller.arn}</Arn><UserId>${userId}</UserId><Account>${caller.accountId}</Account></GetCallerIdentityResult>`;
      }
      case 'GetRole':
        return getRole(params, iamCaller(req, body, 'iam:GetRole', (account) => `arn:aws:iam::${account}:role/${params.get('RoleName') ?? ''}`));
      case 'ListRoles':
        return listRoles(params, iamCaller(req, body, 'iam:ListRoles', (account) => `arn:aws:iam::${account}:role/`));
      default:
        throw new StsFailure(400, 'InvalidAction', `Could not find operation ${action} for version 2011-06-15`);
    }
  }

  const connectionOf = new WeakMap<object, number>();
  const { key, cert } = await standinTls();
  const server = https.createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const params = new URLSearchParams(body);
      const action = params.get('Action') ?? '';
      const call: Call = { action, roleArn: params.get('RoleArn') ?? undefined, sessionName: params.get('RoleSessionName') ?? undefined, result: 'OK', at: Date.now(), policy: params.get('Policy') ?? undefined, policyArns: policyArnsOf(params), accessKeyId: undefined, audience: audienceOf(params.get('WebIdentityToken')), connection: connectionOf.get(req.socket) ?? 0, host: req.headers.host };
      sts.calls.push(call);
      const reply = (status: number, xml: string) => {
        res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
        res.end(xml);
      };
      const fail = (status: number, code: string, message: string) => {
        call.result = code;
        reply(status, errorXml(code, message, status, IAM_ACTIONS.has(action) ? IAM_NS : NS));
      };
      if (IAM_ACTIONS.has(action) && sts.throttleIam > 0) {
        sts.throttleIam -= 1;
        return fail(400, 'Throttling', 'Rate exceeded');
      }
      const fault = sts.faults.shift();
      if (fault) call.result = fault;
      switch (fault) {
        case 'throttle':
          return fail(400, 'Throttling', 'Rate exceeded');
        case 'server-error':
          return fail(500, 'InternalFailure', 'An internal error has occurred');
        case 'idp-error':
          return fail(400, 'IDPCommunicationError', 'The request could not be fulfilled because the identity provider (IDP) that was asked to verify the incoming identity token could not be reached.');
        case 'reset':
          return req.socket.destroy();
        case 'hang':
          return;
        case 'garbage':
          res.writeHead(502, { 'content-type': 'text/html' });
          return res.end('<html><body><h1>502 Bad Gateway</h1>');
        case 'region-disabled': {
          // AWS names the caller's account bare, in no ARN: "for account:123456789012".
          let account: string | undefined;
          try {
            account = action === 'AssumeRoleWithWebIdentity' ? /^arn:[\w-]+:iam::(\d{12}):/.exec(params.get('RoleArn') ?? '')?.[1] : authenticate(req, body).accountId;
          } catch {
            account = undefined;
          }
          return fail(403, 'RegionDisabledException', `STS is not activated in this region for account:${account ?? '000000000000'}. Your account administrator can activate STS in this region using the IAM Console.`);
        }
        default:
      }
      if (rateLimited()) return fail(400, 'Throttling', 'Rate exceeded');
      Promise.resolve(action === 'AssumeRoleWithWebIdentity' ? sts.hold : undefined).then(() => handle(action, params, req, body)).then(
        (result) => {
          call.accessKeyId = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(result)?.[1];
          reply(200, `<${action}Response xmlns="${IAM_ACTIONS.has(action) ? IAM_NS : NS}">${result}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`);
        },
        (error: unknown) => {
          if (error instanceof StsFailure) return fail(error.status, error.code, error.message);
          fail(500, 'InternalFailure', String(error));
        },
      );
    });
  });
  server.on('connection', (socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  server.on('secureConnection', (socket) => {
    sts.handshakes += 1;
    connectionOf.set(socket, sts.handshakes);
    if (sts.closeAfterHandshake > 0) {
      sts.closeAfterHandshake -= 1;
      socket.on('end', () => (sts.closedAfterHandshake += 1));
      socket.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sts.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return sts;
}

/** The trust policy AWS's documentation recommends for GitHub, for the given sub patterns and audience. */
export function githubTrustPolicy(
  accountId: string,
  sub: string | string[],
  extra: Record<string, string | string[]> = {},
  operator: 'StringEquals' | 'StringLike' = 'StringLike',
  audience = 'sts.amazonaws.com',
): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${accountId}:oidc-provider/token.actions.githubusercontent.com` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition:
          operator === 'StringEquals'
            ? { StringEquals: { 'token.actions.githubusercontent.com:aud': audience, 'token.actions.githubusercontent.com:sub': sub, ...extra } }
            : { StringEquals: { 'token.actions.githubusercontent.com:aud': audience }, StringLike: { 'token.actions.githubusercontent.com:sub': sub, ...extra } },
      },
    ],
  };
}
