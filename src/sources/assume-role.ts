// sts:AssumeRole signed with AWS credentials the runner already has: the environment's (role-chaining),
// the aws-access-key-id inputs, or the SDK's default chain on a self-hosted runner without an OIDC token.
// Session tags, transitive tag keys and the external ID apply here only: web identity sessions take
// their tags from the token.
import type { Chaining, SessionRequest, Signer } from '../sts.ts';
import type { Source } from './source.ts';

export function assumeRole(label: string, signer: Signer, request: SessionRequest, chaining: Chaining): Source {
  let roleArn = request.roleArn.startsWith('arn:') ? request.roleArn : undefined;
  return {
    label,
    issuesNew: true,
    async attempt(sts) {
      // role-to-assume may be a bare name: the role is then in the signing credentials' account and partition.
      if (!roleArn) {
        const { arn, accountId } = await sts.callerIdentity(signer);
        roleArn = `arn:${arn.split(':')[1] ?? 'aws'}:iam::${accountId}:role/${request.roleArn}`;
      }
      return sts.assumeRole(signer, { ...request, roleArn }, chaining);
    },
  };
}
