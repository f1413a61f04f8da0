// A source that does not name its account (CloudFormation's ${AWS::AccountId}, Terraform's
// aws_caller_identity) leaves a placeholder; once the account is known (the role a workflow assumes,
// ROLE_ARN=PATH), it takes the placeholder's place in the document and the ARN.
import { toPolicyDocument } from '../iam/policy.ts';
import type { FoundPolicy } from './found.ts';

export function forAccount(found: FoundPolicy, account: string, why: string): FoundPolicy {
  if (!found.accountPlaceholders?.length) return found;
  const placeholders = found.accountPlaceholders;
  const put = (text: string) => placeholders.reduce((t, p) => t.split(p).join(account), text);
  const rest = { ...found };
  delete rest.accountPlaceholders;
  return {
    ...rest,
    document: toPolicyDocument(JSON.parse(put(JSON.stringify(found.document)))),
    ...(found.roleArn ? { roleArn: put(found.roleArn) } : {}),
    assumed: [
      ...found.assumed.filter((a) => !placeholders.some((p) => a.includes(p.slice(2, -1)) && a.includes('left as'))),
      ...placeholders.map((p) => `${p.slice(2, -1)} = ${account} (${why})`),
    ],
  };
}
