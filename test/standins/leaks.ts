// The secret scan every integration test runs: no credential or token in clear anywhere a person could
// read it. The only place a credential or an OIDC token may appear raw on stdout is its own ::add-mask::
// command, which the runner consumes; they are never exported, output or saved, and the runner's request
// token appears nowhere at all.
import type { Issuer } from './oidc-issuer.ts';
import type { StepResult } from './runner.ts';
import type { Sts } from './sts-emulator.ts';

export function findLeaks(results: StepResult[], issuer: Issuer, sts: Sts): string[] {
  const credentials = [
    ...sts.issued.flatMap((c) => [c.accessKeyId, c.secretAccessKey, c.sessionToken]),
    ...sts.accounts.flatMap((a) => a.users ?? []).flatMap((u) => [u.accessKeyId, u.secretAccessKey]),
  ];
  const tokens = [...issuer.issued, issuer.requestToken];
  const leaks: string[] = [];
  results.forEach((r, step) => {
    const where = (place: string) => `step ${step + 1}: ${place}`;
    for (const secret of [...credentials, ...tokens]) {
      const short = `${secret.slice(0, 8)}…`;
      if (r.stderr.includes(secret)) leaks.push(where(`stderr holds ${short}`));
      if (r.summary.includes(secret)) leaks.push(where(`job summary holds ${short}`));
      if (r.log.some((line) => line.includes(secret))) leaks.push(where(`log shows ${short}`));
      for (const line of r.stdout.split('\n')) {
        if (line.includes(secret) && line !== `::add-mask::${secret}`) leaks.push(where(`stdout line prints ${short}`));
      }
    }
    for (const token of tokens) {
      const printed = r.stdout.split('\n').filter((line) => line !== `::add-mask::${token}`);
      const everywhere = [...printed, JSON.stringify(r.exported), JSON.stringify(r.outputs), JSON.stringify(r.state)];
      if (everywhere.some((text) => text.includes(token))) leaks.push(where(`OIDC token ${token.slice(0, 8)}… written out`));
    }
  });
  return leaks;
}
