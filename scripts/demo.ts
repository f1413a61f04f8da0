// `npm run demo`: runs the built action (dist/) exactly as the runner would, against the loopback OIDC
// issuer and STS emulator, and prints what a workflow log would show. Nothing leaves 127.0.0.1.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GITHUB_ISSUER } from '../test/standins/oidc-issuer.ts';
import { ROOT, type StepResult } from '../test/standins/runner.ts';
import { githubTrustPolicy } from '../test/standins/sts-emulator.ts';
import { ACCOUNT, OTHER_ACCOUNT, defaultAccounts, roleArn, startWorld } from '../test/standins/world.ts';
import { demoAllRoles, demoTrustCheck } from './demo-trust-check.ts';

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const indent = (text: string) => text.replace(/^/gm, '    ');

/** Prints a step as the workflow log shows it; the demo exits non-zero if a step did not end as expected. */
function show(title: string, result: StepResult, mask: (s: string) => string, expectedExit = 0): void {
  console.log(`\n${bold(`▶ ${title}`)}  (exit ${result.exitCode}, ${result.durationMs.toFixed(0)} ms)`);
  if (result.exitCode !== expectedExit) {
    console.log(`    UNEXPECTED: this step should have exited ${expectedExit}`);
    process.exitCode = 1;
  }
  console.log(indent(result.log.join('\n') || '(no output)'));
  const env = Object.entries(result.exported);
  if (env.length > 0) {
    console.log(bold('  Environment for later steps:'));
    for (const [name, value] of env) console.log(`    ${name}=${mask(value)}`);
  }
  const outputs = Object.entries(result.outputs);
  if (outputs.length > 0) {
    console.log(bold('  Outputs:'));
    for (const [name, value] of outputs) console.log(`    ${name}=${mask(value)}`);
  }
  if (result.summary) console.log(`${bold('  Job summary:')}\n${indent(result.summary.trimEnd())}`);
}

const accounts = defaultAccounts();
accounts.push({
  id: OTHER_ACCOUNT,
  oidcProviders: [{ url: GITHUB_ISSUER, clientIds: ['sts.amazonaws.com'] }],
  roles: [{ name: 'audit', trustPolicy: githubTrustPolicy(OTHER_ACCOUNT, 'repo:acme/webapp:*') }],
});
const world = await startWorld({ accounts });
try {
  console.log(bold('Stand-ins on 127.0.0.1:'));
  console.log(`  GitHub OIDC token endpoint  ${world.issuer.requestUrl}`);
  console.log(`  AWS STS emulator            ${world.sts.url}`);
  console.log(`  Role ${roleArn('deploy')} trusts repo:acme/webapp:*`);

  const inputs = { 'aws-region': 'us-east-1', 'role-to-assume': roleArn('deploy'), 'role-session-name': 'deploy-7001' };
  console.log(bold('\n1. A push to main, assuming the role'));
  console.log(indent(`- uses: ./\n  with:\n${Object.entries(inputs).map(([k, v]) => `    ${k}: ${v}`).join('\n')}`));
  const job = await world.job();
  show('Run oidc-aws-credentials', await job.main(inputs), (s) => job.mask(s));
  show('Post Run oidc-aws-credentials', await job.post(), (s) => job.mask(s));

  console.log(bold('\n2. The same job after the role was locked to pull requests: AWS says no, the action says why'));
  world.sts.accounts[0]!.roles.push({ name: 'pr-only', trustPolicy: githubTrustPolicy(ACCOUNT, 'repo:acme/webapp:pull_request') });
  const refused = await world.job();
  show('Run oidc-aws-credentials', await refused.main({ 'aws-region': 'us-east-1', 'role-to-assume': roleArn('pr-only') }), (s) => refused.mask(s), 1);

  console.log(bold('\n3. STS throttles twice (many jobs at once): retried with jittered backoff'));
  world.sts.faults.push('throttle', 'throttle');
  const busy = await world.job();
  show('Run oidc-aws-credentials', await busy.main({ 'aws-region': 'us-east-1', 'role-to-assume': roleArn('deploy') }), (s) => busy.mask(s));

  console.log(bold('\n4. Two roles in two accounts, by profile name, in a later step'));
  const profiles = `deploy: ${roleArn('deploy')}\naudit: ${roleArn('audit', OTHER_ACCOUNT)}`;
  console.log(indent(`- uses: ./\n  with:\n    aws-region: us-east-1\n    profiles: |\n${profiles.replace(/^/gm, '      ')}`));
  const multi = await world.job();
  show('Run oidc-aws-credentials', await multi.main({ 'aws-region': 'us-east-1', profiles }), (s) => multi.mask(s));
  console.log(indent(`AWS_CONFIG_FILE:\n${indent(multi.env.AWS_CONFIG_FILE ? readFileSync(multi.env.AWS_CONFIG_FILE, 'utf8').trim() : '')}`));
  const later = await multi.node([path.join(ROOT, 'test/standins/whoami.ts'), 'deploy', 'audit']);
  console.log(`\n${bold('▶ Run aws sts get-caller-identity --profile deploy / --profile audit')}  (credential_process, from the cache)`);
  for (const [profile, arn] of Object.entries(JSON.parse(later.stdout) as Record<string, string>)) {
    console.log(`    ${profile}: ${arn}`);
    if (!arn.startsWith('arn:aws:sts::')) process.exitCode = 1;
  }
  show('Post Run oidc-aws-credentials', await multi.post(), (s) => multi.mask(s));
} finally {
  await world.close();
}
if (!(await demoTrustCheck(bold))) process.exitCode = 1;
if (!(await demoAllRoles(bold))) process.exitCode = 1;
