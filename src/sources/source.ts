// The one interface every way of obtaining credentials implements. Delivery (masking, environment,
// outputs, profiles, summary) works from what a source returns and never asks which source it was.
import type { Config } from '../config.ts';
import type { Credentials, Identity, SessionRequest, Sts } from '../sts.ts';

export interface Source {
  /** Where the credentials come from, for the log: "GitHub's OIDC token", "aws-access-key-id", … */
  readonly label: string;
  /**
   * One attempt, under exchange.ts's retry policy. `freshToken`: STS said the last web identity token
   * had expired. Returns an Identity alone when the credentials stay where every tool already finds them.
   */
  attempt(sts: Sts, freshToken: boolean): Promise<Credentials | Identity>;
  /** Each attempt yields new credentials (STS issues them), so asking again can change them. */
  readonly issuesNew: boolean;
  /** The STS call that obtains them: what a refusal is a refusal of. */
  readonly call: 'AssumeRole' | 'AssumeRoleWithWebIdentity' | 'GetCallerIdentity';
}

/** Credentials to hand out, as opposed to an identity whose credentials stay where they are. */
export function isCredentials(obtained: Credentials | Identity): obtained is Credentials {
  return 'accessKeyId' in obtained;
}

/** The session every source asks STS for, from the inputs the main step and the credential helper share. */
export function sessionRequest(settings: Pick<Config, 'sessionName' | 'durationSeconds' | 'inlineSessionPolicy' | 'managedSessionPolicies'>, roleArn: string): SessionRequest {
  return {
    roleArn,
    sessionName: settings.sessionName,
    durationSeconds: settings.durationSeconds,
    policy: settings.inlineSessionPolicy,
    policyArns: settings.managedSessionPolicies,
  };
}
