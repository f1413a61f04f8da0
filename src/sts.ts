// The STS client and the two calls this action makes. The SDK retries nothing (maxAttempts: 1): retry.ts
// is the only retry layer. Every failure leaves here as an AwsError or a NetworkError, plain data that
// retry.ts classifies and diagnose.ts explains.
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, STSClient, type AssumeRoleResponse } from '@aws-sdk/client-sts';
import { fromEnv } from '@aws-sdk/credential-providers';
import { AwsError, NetworkError } from './errors.ts';
import type { Agents } from './http.ts';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  /** The assumed-role ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION). */
  arn: string;
  accountId: string;
}

export const CONNECT_TIMEOUT_MS = 3_000;
export const REQUEST_TIMEOUT_MS = 5_000;

export interface StsOptions {
  region: string;
  /** The sts-endpoint input; without it the SDK honours AWS_ENDPOINT_URL_STS, AWS_USE_FIPS_ENDPOINT and the regional endpoint. */
  endpoint: string | undefined;
  agents: Agents;
  /** Role chaining signs with the credentials already in the environment; web identity needs none. */
  signWithEnvironmentCredentials: boolean;
}

export function createStsClient(options: StsOptions): STSClient {
  return new STSClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.signWithEnvironmentCredentials ? { credentials: fromEnv() } : {}),
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: CONNECT_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
      httpAgent: options.agents.httpAgent,
      httpsAgent: options.agents.httpsAgent,
    },
  });
}

/**
 * Runs a request through the client's whole pipeline except the network: endpoint rules, the shared
 * config files (region, FIPS, dual-stack, app id, retry mode: read on first use), serializer, user agent.
 * Called while the OIDC token is in flight, it moves ~35 ms of first-use work (mostly lazy compilation)
 * off the path between the token's arrival and the STS call.
 */
export async function prepare(client: STSClient): Promise<void> {
  const command = new AssumeRoleWithWebIdentityCommand({ RoleArn: 'arn:aws:iam::000000000000:role/prepare', RoleSessionName: 'prepare', WebIdentityToken: 'prepare' });
  command.middlewareStack.add(
    () => () => Promise.reject(new Error('not sent')),
    { step: 'finalizeRequest', priority: 'low', name: 'stopBeforeSending' },
  );
  await client.send(command).catch(() => undefined);
}

export interface SessionRequest {
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
  policy: string | undefined;
  policyArns: string[];
}

export interface Tag {
  Key: string;
  Value: string;
}

export async function assumeRoleWithWebIdentity(client: STSClient, request: SessionRequest, webIdentityToken: string): Promise<Credentials> {
  return toCredentials(await call(() => client.send(new AssumeRoleWithWebIdentityCommand({ ...common(request), WebIdentityToken: webIdentityToken }))));
}

export async function assumeRole(client: STSClient, request: SessionRequest, tags: Tag[]): Promise<Credentials> {
  const command = new AssumeRoleCommand({
    ...common(request),
    ...(tags.length > 0 ? { Tags: tags, TransitiveTagKeys: tags.map((t) => t.Key) } : {}),
  });
  return toCredentials(await call(() => client.send(command)));
}

function common(request: SessionRequest) {
  return {
    RoleArn: request.roleArn,
    RoleSessionName: request.sessionName,
    DurationSeconds: request.durationSeconds,
    ...(request.policy ? { Policy: request.policy } : {}),
    ...(request.policyArns.length > 0 ? { PolicyArns: request.policyArns.map((arn) => ({ arn })) } : {}),
  };
}

async function call<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw normalize(error);
  }
}

interface SdkError {
  name?: string;
  code?: string;
  /** The error code as STS sent it; the SDK's `name` adds "Exception" to some (InvalidIdentityTokenException). */
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** SDK errors → AwsError (STS answered) or NetworkError (it did not). */
export function normalize(error: unknown): Error {
  const e = (error ?? {}) as SdkError;
  if (e.code && /^E[A-Z_]+$/.test(e.code)) return new NetworkError(e.code, e.message ?? e.code);
  if (e.name === 'TimeoutError') return new NetworkError('ETIMEDOUT', e.message ?? 'request timed out');
  if (e.$metadata) {
    const status = e.$metadata.httpStatusCode;
    // No code: the body was not an STS answer (a proxy's HTML page, a truncated response).
    if (!e.Code) return new AwsError('UnreadableResponse', `STS answered HTTP ${status ?? '?'} with a body that is not an STS response`, status, e.$metadata.requestId);
    return new AwsError(e.Code, e.message ?? '', status, e.$metadata.requestId);
  }
  return error instanceof Error ? error : new Error(String(error));
}

function toCredentials(response: AssumeRoleResponse): Credentials {
  const c = response.Credentials;
  const arn = response.AssumedRoleUser?.Arn;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration || !arn) {
    throw new AwsError('UnreadableResponse', 'STS answered without complete credentials');
  }
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    expiration: c.Expiration,
    arn,
    accountId: arn.split(':')[4] ?? '',
  };
}
