// --from-aws: the trust policies of roles managed by hand, read with iam:GetRole through a client the
// entry point builds (the reader itself never touches the network).
import { decodeDocument, trustPolicy } from './iam-json.ts';
import { PolicyReadError, ROLE_ARN, type FoundPolicy, type ReadResult } from './found.ts';


/** Each role (an ARN or a name) once; a failure for one role is its error, and the others are still read. */
export async function readFromAws(roles: string[], getRole: (name: string) => Promise<{ arn: string; document: string }>): Promise<ReadResult> {
  const result: ReadResult = { policies: [], errors: [], assumed: [] };
  const found = await Promise.all(
    [...new Set(roles)].map(async (role): Promise<FoundPolicy | { file: string; message: string }> => {
      const file = `aws:${role}`;
      const arn = ROLE_ARN.exec(role);
      if (!arn && !/^[\w+=,.@-]+$/.test(role)) return { file, message: `${JSON.stringify(role)} is neither a role ARN nor a role name` };
      const name = arn ? (arn[2] ?? '') : role;
      try {
        const answer = await getRole(name);
        if (arn && answer.arn.split(':')[4] !== arn[1]) {
          return { file, message: `the credentials read account ${answer.arn.split(':')[4]}, not ${arn[1]}: iam:GetRole reads only the caller's own account` };
        }
        return { where: `aws:${answer.arn}`, file, roleArn: answer.arn, roleName: name, document: trustPolicy(file, decodeDocument(answer.document)), assumed: [] };
      } catch (error) {
        if (error instanceof PolicyReadError) return { file, message: error.message };
        return { file, message: `iam:GetRole ${name}: ${(error as Error).message}` };
      }
    }),
  );
  for (const f of found) {
    if ('document' in f) result.policies.push(f);
    else result.errors.push(f);
  }
  return result;
}
