// The demo's last parts: the trust check on a sample repository with the after-merge mistake (its pull
// request runs are admitted, its push to main will be refused, a look-alike repository gets in, and the
// check advises the change that fixes both), then on every role of an account (--all-roles).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../test/standins/runner.ts';
import { githubTrustPolicy, startSts, type Role } from '../test/standins/sts-emulator.ts';
import { standinTls } from '../test/standins/tls.ts';
import { fit } from './demo-fit.ts';

const SAMPLE = path.join(ROOT, 'test/fixtures/repos/demo');

/**
 * Runs dist/trust-check.js in the sample repository and prints what it says; false if it did not find the mistake.
 * Git stops at the sample, which is a repository of its own, not a folder of this project's checkout.
 */
export async function demoTrustCheck(bold: (s: string) => string): Promise<boolean> {
  console.log(bold('\n5. Before the merge: the trust check reads the workflows and the Terraform, and predicts each token'));
  console.log(fit('ci.yml runs on pull_request, deploy.yml on push to main; infra/iam.tf trusts repo:${local.repo}*:pull_request'));
  console.log(bold('\n▶ npx trust-check --repository acme/webapp infra/'));
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/trust-check.js'), '--repository', 'acme/webapp', 'infra/'], { cwd: SAMPLE, env: { ...process.env, GIT_CEILING_DIRECTORIES: path.dirname(SAMPLE) }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (exit) => resolve({ code: exit, stdout: out }));
  });
  console.log(stdout.trimEnd()); // as the check prints it: its own lines fit 100 columns
  console.log(`(exit ${code})`);
  const found = code === 1 && /REFUSED/.test(stdout) && /look-alike/.test(stdout) && /Change the GitHub statement/.test(stdout);
  if (!found) console.log('    UNEXPECTED: the check should find the refused push, the look-alike stranger and a fix');
  return found;
}

/**
 * The account view: an IAM stand-in holding a few dozen roles (services' roles, clean GitHub roles, one with no
 * sub, one `repo:acme/*`, one keyed on a public reusable workflow's job_workflow_ref, which a repository with
 * its own subject template gets into), listed with iam:ListRoles and judged with --org acme. False if the
 * check did not find the three.
 */
export async function demoAllRoles(bold: (s: string) => string): Promise<boolean> {
  const account = '111111111111';
  const auditor = { name: 'security-audit', accessKeyId: 'AKIADEMOSECURITY0001', secretAccessKey: 'demo-secret' };
  const github = (sub: string | string[]) => githubTrustPolicy(account, sub, {}, 'StringEquals');
  const roles: Role[] = [
    ...Array.from({ length: 20 }, (_, i): Role => ({ name: `lambda-${i}`, trustPolicy: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] } })),
    ...['webapp', 'api', 'billing', 'docs', 'infra', 'mobile', 'search', 'terraform'].map((repo): Role => ({ name: `deploy-${repo}`, trustPolicy: github([`repo:acme/${repo}:ref:refs/heads/main`, `repo:acme/${repo}:environment:production`]) })),
    { name: 'ci-any-acme', trustPolicy: githubTrustPolicy(account, 'repo:acme/*') },
    { name: 'legacy-no-sub', trustPolicy: { Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } } }] } },
    { name: 'shared-pipeline', trustPolicy: github('job_workflow_ref:acme/pipelines/.github/workflows/deploy.yml@refs/heads/main') },
  ];
  const sts = await startSts({ jwks: {}, listRolesPageSize: 10, accounts: [{ id: account, oidcProviders: [], users: [auditor], roles }] });
  try {
    console.log(bold(`\n6. A security team's question: of the ${roles.length} roles in account ${account},\n   which admit repositories that are not acme's?`));
    console.log(fit('The IAM stand-in answers ListRoles 10 roles a page; legacy-no-sub has no sub, ci-any-acme trusts repo:acme/*, shared-pipeline trusts a public reusable workflow'));
    console.log(bold('\n▶ npx trust-check --from-aws --all-roles --org acme'));
    const env = { ...process.env, ...(await standinTls()).env, AWS_ENDPOINT_URL_IAM: sts.url, AWS_ACCESS_KEY_ID: auditor.accessKeyId, AWS_SECRET_ACCESS_KEY: auditor.secretAccessKey, AWS_REGION: 'us-east-1' };
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'dist/trust-check.js'), '--from-aws', '--all-roles', '--org', 'acme'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', (exit) => resolve({ code: exit, stdout: out }));
    });
    console.log(stdout.trimEnd()); // as the check prints it: its own lines fit 100 columns
    console.log(`(exit ${code}, ${sts.calls.filter((c) => c.action === 'ListRoles').length} ListRoles calls)`);
    const found = code === 1 && /legacy-no-sub\s+who gets in: repositories of other owners\s+ADMITS/.test(stdout) && /ci-any-acme\s+who gets in: any repository of acme\s+only acme's/.test(stdout) && /shared-pipeline\s+who gets in: repositories of other owners\s+ADMITS/.test(stdout);
    if (!found) console.log('    UNEXPECTED: the check should find legacy-no-sub and shared-pipeline, and list ci-any-acme as any repository of acme');
    return found;
  } finally {
    await sts.close();
  }
}
