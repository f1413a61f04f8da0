// The built trust check carries HashiCorp's evaluator beside itself: run from a folder that holds only
// dist/trust-check.js and the two assets the build puts next to it (no node_modules, no src/), it reads a
// Terraform module; without the WebAssembly, it still reads what is not Terraform (the evaluator is
// loaded only when a Terraform file is read). The check reads only inside the repository root (here the
// folder it runs in), so the folder also holds a copy of the workflows and the Terraform module it reads.
// Needs `npm run build` (pretest runs it).
import { spawnSync } from 'node:child_process';
import { copyFile, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from '@jest/globals';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function bundleIn(files: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'terraform-bundle-'));
  dirs.push(dir);
  for (const f of ['trust-check.js', 'package.json', ...files]) await copyFile(resolve('dist', f), join(dir, f));
  await cp(resolve('test/fixtures/repos/after-merge/.github/workflows'), join(dir, '.github/workflows'), { recursive: true });
  return dir;
}

const run = (dir: string, args: string[]) => spawnSync(process.execPath, [join(dir, 'trust-check.js'), '--json', '--repository', 'acme/web', ...args], { cwd: dir, encoding: 'utf8' });

it('reads a Terraform module with the WebAssembly beside the bundle', async () => {
  const dir = await bundleIn(['terraform-eval.wasm.gz', 'wasm_exec.js']);
  await cp(resolve('test/fixtures/policies/terraform-tags'), join(dir, 'terraform-tags'), { recursive: true });
  const { stdout, stderr } = run(dir, ['arn:aws:iam::111111111111:role/deploy=terraform-tags']);
  expect(stderr).toBe('');
  const report = JSON.parse(stdout) as { runs: { policy: string; why: string }[] };
  expect(report.runs.map((r) => [r.policy, r.why])).toContainEqual(['terraform-tags/iam.tf#aws_iam_role.release', expect.stringContaining("'repo:octo-org/octo-repo:ref:refs/tags/v*'")]);
});

it('without the WebAssembly, a JSON policy is still read: the evaluator is loaded only for Terraform', async () => {
  const dir = await bundleIn([]);
  await writeFile(join(dir, 'trust.json'), JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:acme/web:ref:refs/heads/main' } } }] }));
  const { stdout, stderr } = run(dir, ['arn:aws:iam::111111111111:role/deploy=trust.json']);
  expect(stderr).toBe('');
  expect((JSON.parse(stdout) as { runs: { policy: string }[] }).runs.map((r) => r.policy)).toContain('trust.json');
});
