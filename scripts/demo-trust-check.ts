// The demo's last part: the trust check on a sample repository with the after-merge mistake. Its pull
// request runs are admitted, its push to main will be refused, a look-alike repository gets in, and the
// check advises the change that fixes both.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../test/standins/runner.ts';

const SAMPLE = path.join(ROOT, 'test/fixtures/repos/demo');

/**
 * Runs dist/trust-check.js in the sample repository and prints what it says; false if it did not find the mistake.
 * Git stops at the sample, which is a repository of its own, not a folder of this project's checkout.
 */
export async function demoTrustCheck(bold: (s: string) => string): Promise<boolean> {
  console.log(bold('\n5. Before the merge: the trust check reads the workflows and the Terraform, and predicts each token'));
  console.log('    ci.yml runs on pull_request, deploy.yml on push to main; infra/iam.tf trusts repo:${local.repo}*:pull_request');
  console.log(bold('\n▶ npx trust-check --repository acme/webapp infra/'));
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/trust-check.js'), '--repository', 'acme/webapp', 'infra/'], { cwd: SAMPLE, env: { ...process.env, GIT_CEILING_DIRECTORIES: path.dirname(SAMPLE) }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (exit) => resolve({ code: exit, stdout: out }));
  });
  console.log(stdout.trimEnd().replace(/^/gm, '    '));
  console.log(`    (exit ${code})`);
  const found = code === 1 && /REFUSED/.test(stdout) && /look-alike/.test(stdout) && /Change the GitHub statement/.test(stdout);
  if (!found) console.log('    UNEXPECTED: the check should find the refused push, the look-alike stranger and a fix');
  return found;
}
