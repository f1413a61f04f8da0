// sts:AssumeRole signed with AWS credentials the runner already has: the environment's (role-chaining),
// the aws-access-key-id inputs, or the SDK's default chain on a self-hosted runner without an OIDC token.
// Session tags, transitive tag keys and the external ID apply here only: web identity sessions take
// their tags from the token.
import { AwsError } from '../errors.ts';
import { DROPPABLE_TAG_KEYS } from '../session-tags.ts';
import type { Chaining, SessionRequest, Signer } from '../sts.ts';
import type { Source } from './source.ts';

export function assumeRole(label: string, signer: Signer, request: SessionRequest, chaining: Chaining): Source {
  let roleArn = request.roleArn.startsWith('arn:') ? request.roleArn : undefined;
  return {
    label,
    issuesNew: true,
    call: 'AssumeRole',
    async attempt(sts) {
      // role-to-assume may be a bare name: the role is then in the signing credentials' account and partition.
      if (!roleArn) {
        const { arn, accountId } = await sts.callerIdentity(signer);
        roleArn = `arn:${arn.split(':')[1] ?? 'aws'}:iam::${accountId}:role/${request.roleArn}`;
      }
      try {
        return await sts.assumeRole(signer, { ...request, roleArn }, chaining);
      } catch (error) {
        // As configure-aws-credentials does: the context tags go, the identity tags and the user's stay.
        const fewer = chaining.tags.filter((t) => !DROPPABLE_TAG_KEYS.includes(t.Key));
        if (!(error instanceof AwsError && error.code === 'PackedPolicyTooLarge' && fewer.length < chaining.tags.length)) throw error;
        const transitiveTagKeys = chaining.transitiveTagKeys.filter((key) => fewer.some((t) => t.Key === key));
        return sts.assumeRole(signer, { ...request, roleArn }, { ...chaining, tags: fewer, transitiveTagKeys });
      }
    },
  };
}
