// sts:AssumeRole signed with AWS credentials the runner already has: the environment's (role-chaining),
// the aws-access-key-id inputs, or the SDK's default chain on a self-hosted runner without an OIDC token.
// Session tags, transitive tag keys and the external ID apply here only: web identity sessions take
// their tags from the token.
import type { Chaining, SessionRequest, Signer } from '../sts.ts';
import type { Source } from './source.ts';

export function assumeRole(label: string, signer: Signer, request: SessionRequest, chaining: Chaining): Source {
  return {
    label,
    issuesNew: true,
    attempt: (sts) => sts.assumeRole(signer, request, chaining),
  };
}
