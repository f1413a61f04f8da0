// Credentials used as they are, once STS has confirmed who they belong to (GetCallerIdentity): static
// keys without role-to-assume, valid credentials already in the environment (use-existing-credentials),
// or the default chain's on a self-hosted runner. `handOut`: whether to export them, or leave them where
// every tool already finds them (the environment, the instance) and report only whose they are.
import type { Signer } from '../sts.ts';
import type { Source } from './source.ts';

export function existing(label: string, signer: Signer, handOut: boolean): Source {
  return {
    label,
    issuesNew: false,
    call: 'GetCallerIdentity',
    async attempt(sts) {
      const credentials = await sts.callerIdentity(signer);
      return handOut ? credentials : { arn: credentials.arn, accountId: credentials.accountId };
    },
  };
}
