// The built trust check carries HashiCorp's evaluator beside itself: run from a folder that holds only
// dist/trust-check.js and the two assets the build puts next to it (no node_modules, no src/), it reads a
// Terraform module; without the WebAssembly, it still reads what is not Terraform (the evaluator is
// loaded only when a Terraform file is read). Needs `npm run build` (pretest runs it).
import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from '@jest/globals';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function bundleIn(files: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'terraform-bundle-'));
  dirs.push(dir);
  for (const f of ['trust-check.js', 'package.json', ...files]) await copyFile(resolve('dist', f), join(dir, f));
  return dir;
}

const run = (dir: string, args: string[]) => spawnSync(process.execPath, [join(dir, 'trust-check.js'), '--json', '--repository', 'acme/web', '--workflows', resolve('test/fixtures/repos/after-merge/.github/workflows'), ...args], { cwd: dir, encoding: 'utf8' });

it('reads a Terraform module with the WebAssembly beside the bundle', async () => {
  const dir = await bundleIn(['terraform-eval.wasm.gz', 'wasm_exec.js']);
  const { stdout, stderr } = run(dir, [`arn:aws:iam::111111111111:role/deploy=${resolve('test/fixtures/policies/terraform-tags')}`]);
  expect(stderr).toBe('');
  const report = JSON.parse(stdout) as { runs: { policy: string; why: string }[] };
  expect(report.runs.map((r) => [r.policy, r.why])).toContainEqual([`${resolve('test/fixtures/policies/terraform-tags')}/iam.tf#aws_iam_role.release`, expect.stringContaining("'repo:octo-org/octo-repo:ref:refs/tags/v*'")]);
});

it('without the WebAssembly, a JSON policy is still read: the evaluator is loaded only for Terraform', async () => {
  const dir = await bundleIn([]);
  const policy = join(dir, 'trust.json');
  await writeFile(policy, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:acme/web:ref:refs/heads/main' } } }] }));
  const { stdout, stderr } = run(dir, [`arn:aws:iam::111111111111:role/deploy=${policy}`]);
  expect(stderr).toBe('');
  expect((JSON.parse(stdout) as { runs: { policy: string }[] }).runs.map((r) => r.policy)).toContain(policy);
});
