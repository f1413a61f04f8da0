// The STS calls this action makes, each signed as its source needs: AssumeRoleWithWebIdentity unsigned,
// AssumeRole and GetCallerIdentity with given keys or the SDK's default credential chain. The SDK retries
// nothing (maxAttempts: 1): retry.ts is the only retry layer. Every failure leaves here as an AwsError or
// a NetworkError, plain data that retry.ts classifies and diagnose.ts explains.
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient, type AssumeRoleResponse } from '@aws-sdk/client-sts';
import { AwsError, NetworkError, TokenError } from './errors.ts';
import type { Agents } from './http.ts';

/** Whose credentials these are. */
export interface Identity {
  /** The assumed-role session (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION) or the IAM user. */
  arn: string;
  accountId: string;
}

export interface Credentials extends Identity {
  accessKeyId: string;
  secretAccessKey: string;
  /** Empty for an IAM user's long-term key. */
  sessionToken: string;
  /** Undefined for an IAM user's long-term key, which does not expire. */
  expiration: Date | undefined;
}

export interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

/** What signs a call: given keys, or the SDK's default chain (instance profile, container, EKS Pod Identity, ~/.aws). */
export type Signer = Keys | 'default-chain';

const CONNECT_TIMEOUT_MS = 3_000;
export const REQUEST_TIMEOUT_MS = 5_000;

export interface StsOptions {
  region: string;
  /** The endpoint the step chose (sts-endpoint.ts); without it, the region's endpoint (AWS_USE_FIPS_ENDPOINT honoured). */
  endpoint: string | undefined;
  agents: Agents;
}

/**
 * Runs a request through the client's whole pipeline except the network: endpoint rules, the shared
 * config files (region, FIPS, dual-stack, app id, retry mode: read on first use), serializer, user agent.
 * Called while the OIDC token is in flight, it moves ~35 ms of first-use work (mostly lazy compilation)
 * off the path between the token's arrival and the STS call, and opens the connection that call will
 * take (DNS, TCP, TLS: two round trips) to the endpoint the SDK resolved, so that the call costs one.
 */
async function prepareClient(client: STSClient, agents: Agents): Promise<void> {
  const command = new AssumeRoleWithWebIdentityCommand({ RoleArn: 'arn:aws:iam::000000000000:role/prepare', RoleSessionName: 'prepare', WebIdentityToken: 'prepare' });
  command.middlewareStack.add(
    () => (args) => {
      const { protocol, hostname, port } = args.request as { protocol: string; hostname: string; port?: number };
      agents.httpsAgent.preconnect(new URL(`${protocol}//${hostname}${port ? `:${port}` : ''}`));
      return Promise.reject(new Error('not sent'));
    },
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

/** What AssumeRole adds to a session request. */
export interface Chaining {
  tags: Tag[];
  /** Only these pass to later hops: STS refuses a hop that sets a tag its caller made transitive. */
  transitiveTagKeys: string[];
  externalId: string | undefined;
}

export interface Sts {
  assumeRoleWithWebIdentity(request: SessionRequest, webIdentityToken: string): Promise<Credentials>;
  assumeRole(signer: Signer, request: SessionRequest, chaining: Chaining): Promise<Credentials>;
  /** Proves the signer's credentials work (GetCallerIdentity) and returns them with their identity. */
  callerIdentity(signer: Signer): Promise<Credentials>;
  /** Runs the web identity client's first-use work and opens its connection (see prepareClient), sending nothing. */
  prepare(): Promise<void>;
  /** Closes the clients and every connection, the one prepare opened included. */
  destroy(): void;
}

export function createSts(options: StsOptions): Sts {
  // Where the user typed the endpoint (the input, or the variables the SDK reads), a host name that does
  // not resolve is a typo; the SDK's own regional host failing to resolve is a resolver blip.
  const typedHost = Boolean(options.endpoint);
  const call = <T>(operation: () => Promise<T>) => normalized(typedHost, operation);
  const clients = new Map<Signer | undefined, STSClient>();
  const client = (signer: Signer | undefined): STSClient => {
    let c = clients.get(signer);
    if (!c) {
      c = new STSClient({
        region: options.region,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        // The SDK would otherwise take an endpoint from the environment or a config file's profile: the
        // step has already chosen (sts-endpoint.ts), and the helper must not choose again.
        ignoreConfiguredEndpointUrls: true,
        ...(signer ? { credentials: credentialsOf(signer) } : {}),
        maxAttempts: 1,
        requestHandler: {
          connectionTimeout: CONNECT_TIMEOUT_MS,
          requestTimeout: REQUEST_TIMEOUT_MS,
          throwOnRequestTimeout: true,
          httpAgent: options.agents.httpAgent,
          httpsAgent: options.agents.httpsAgent,
        },
      });
      clients.set(signer, c);
    }
    return c;
  };
  return {
    async assumeRoleWithWebIdentity(request, webIdentityToken) {
      return toCredentials(await call(() => client(undefined).send(new AssumeRoleWithWebIdentityCommand({ ...common(request), WebIdentityToken: webIdentityToken }))));
    },
    async assumeRole(signer, request, chaining) {
      const command = new AssumeRoleCommand({
        ...common(request),
        ...(chaining.tags.length > 0 ? { Tags: chaining.tags } : {}),
        ...(chaining.transitiveTagKeys.length > 0 ? { TransitiveTagKeys: chaining.transitiveTagKeys } : {}),
        ...(chaining.externalId ? { ExternalId: chaining.externalId } : {}),
      });
      return toCredentials(await call(() => client(signer).send(command)));
    },
    async callerIdentity(signer) {
      const c = client(signer);
      const identity = await call(() => c.send(new GetCallerIdentityCommand({})));
      const keys = await call(() => c.config.credentials());
      if (!identity.Arn || !identity.Account) throw new AwsError('UnreadableResponse', 'STS answered GetCallerIdentity without an identity');
      return {
        arn: identity.Arn,
        accountId: identity.Account,
        accessKeyId: keys.accessKeyId,
        secretAccessKey: keys.secretAccessKey,
        sessionToken: keys.sessionToken ?? '',
        expiration: keys.expiration,
      };
    },
    prepare() {
      return prepareClient(client(undefined), options.agents);
    },
    destroy() {
      for (const c of clients.values()) c.destroy();
      // The SDK destroys the agents only once a request has reached them: the connection prepare opened may not have.
      options.agents.httpsAgent.destroy();
    },
  };
}

type Provider = () => Promise<Keys & { expiration?: Date | undefined }>;

function credentialsOf(signer: Signer): Provider {
  if (signer !== 'default-chain') return () => Promise.resolve({ ...signer });
  // Loaded only by the runners that use it (self-hosted on EC2, ECS, EKS).
  let provider: Promise<Provider> | undefined;
  return async () => {
    provider ??= import('@aws-sdk/credential-providers').then(({ fromNodeProviderChain }) => fromNodeProviderChain());
    try {
      return await (await provider)();
    } catch (error) {
      // On a GitHub-hosted runner the chain is the fallback of a job that may not request a token.
      throw new TokenError('no-permission', `no OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set), and the SDK's default credential chain found no AWS credentials either: ${(error as Error).message}`);
    }
  };
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

async function normalized<T>(typedHost: boolean, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw normalize(error, typedHost);
  }
}

interface SdkError {
  name?: string;
  code?: string;
  /** Node's ERR_PROXY_TUNNEL: what the proxy answered to CONNECT. */
  statusCode?: number;
  /** The error code as STS sent it; the SDK's `name` adds "Exception" to some (InvalidIdentityTokenException). */
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** SDK errors → AwsError (STS answered) or NetworkError (it did not). `typedHost`: the endpoint is the user's. */
export function normalize(error: unknown, typedHost = false): Error {
  const e = (error ?? {}) as SdkError;
  if (e.code === 'ERR_PROXY_TUNNEL') return new NetworkError(e.code, e.message ?? e.code, { proxyStatus: e.statusCode ?? 0 });
  if (e.code && /^E[A-Z_]+$/.test(e.code)) return new NetworkError(e.code, e.message ?? e.code, { typedHost });
  if (e.name === 'TimeoutError') return new NetworkError('ETIMEDOUT', e.message ?? 'request timed out');
  if (e.$metadata) {
    const status = e.$metadata.httpStatusCode;
    // A plain-HTTP endpoint behind a proxy that wants credentials: the proxy answered, not STS.
    if (status === 407) return new NetworkError('ERR_PROXY_AUTH', 'the proxy answered HTTP 407 Proxy Authentication Required', { proxyStatus: 407 });
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
