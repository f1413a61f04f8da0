// The real iam:GetRole behind readFromAws, for the entry point to hand over with its client.
import { GetRoleCommand, NoSuchEntityException, type IAMClient } from '@aws-sdk/client-iam';

export function getRoleWith(client: IAMClient): (name: string) => Promise<{ arn: string; document: string }> {
  return async (name) => {
    try {
      const { Role } = await client.send(new GetRoleCommand({ RoleName: name }));
      return { arn: Role?.Arn ?? '', document: Role?.AssumeRolePolicyDocument ?? '' };
    } catch (error) {
      // IAM's own message says it ("The role with name x cannot be found."); the SDK's stack would not help.
      if (error instanceof NoSuchEntityException) throw new Error(error.message, { cause: error });
      throw error;
    }
  };
}
