// The failures the action can meet, as plain data. Defined apart from the code that throws them so that
// retry.ts and diagnose.ts can read them without loading the SDK or touching the network.

/** An input the user gave (or an environment variable standing in for one) is wrong; always names it. */
export class InputError extends Error {
  readonly input: string;
  constructor(input: string, problem: string, from: 'input' | 'environment' = 'input') {
    super(`${from === 'input' ? 'Input' : 'Environment variable'} '${input}' ${problem}`);
    this.name = 'InputError';
    this.input = input;
  }
}

export type TokenFailure = 'no-permission' | 'refused' | 'unavailable' | 'malformed';

/** GitHub's token endpoint (or the token itself) failed us. */
export class TokenError extends Error {
  readonly failure: TokenFailure;
  readonly status: number | undefined;
  constructor(failure: TokenFailure, message: string, status?: number) {
    super(message);
    this.name = 'TokenError';
    this.failure = failure;
    this.status = status;
  }
}

/** What the code that met a network failure knows about it, beyond its code. */
export interface NetworkFacts {
  /** The host is one the user typed (sts-endpoint, AWS_ENDPOINT_URL_STS), not one the SDK derived. */
  typedHost?: boolean;
  /** The proxy refused to carry the request and answered this HTTP status (407: credentials). */
  proxyStatus?: number;
}

/** A network failure that never reached the endpoint's answer; `code` is errno-style (ETIMEDOUT, ECONNRESET …). */
export class NetworkError extends Error {
  readonly code: string;
  readonly typedHost: boolean;
  readonly proxyStatus: number | undefined;
  constructor(code: string, message: string, facts: NetworkFacts = {}) {
    super(message);
    this.name = 'NetworkError';
    this.code = code;
    this.typedHost = facts.typedHost ?? false;
    this.proxyStatus = facts.proxyStatus;
  }
}

/** STS answered with an error. */
export class AwsError extends Error {
  readonly code: string;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  constructor(code: string, message: string, status?: number, requestId?: string) {
    super(message);
    this.name = 'AwsError';
    this.code = code;
    this.status = status;
    this.requestId = requestId;
  }
}

/** The credentials belong to an account that allowed-account-ids does not list. */
export class AccountError extends Error {
  readonly accountId: string;
  readonly allowed: string[];
  constructor(accountId: string, allowed: string[]) {
    super(`The credentials belong to account ${accountId}, which allowed-account-ids (${allowed.join(', ')}) does not list`);
    this.name = 'AccountError';
    this.accountId = accountId;
    this.allowed = allowed;
  }
}
