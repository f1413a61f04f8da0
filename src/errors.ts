// The failures the action can meet, as plain data. Defined apart from the code that throws them so that
// retry.ts and diagnose.ts can read them without loading the SDK or touching the network.

/** An input the user gave is wrong; always names the input. */
export class InputError extends Error {
  readonly input: string;
  constructor(input: string, problem: string) {
    super(`Input '${input}' ${problem}`);
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

/** A network failure that never reached an HTTP status; `code` is errno-style (ETIMEDOUT, ECONNRESET …). */
export class NetworkError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'NetworkError';
    this.code = code;
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
