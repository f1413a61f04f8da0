// The Terraform reader still works once esbuild has bundled it into one ES module with the
// hcl2json-wasm plugin: run from a folder with no node_modules, it finds its WebAssembly beside itself.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from '@jest/globals';
import * as esbuild from 'esbuild';
import { hcl2jsonWasm } from '../../scripts/hcl2json-wasm.ts';

let dir = '';
afterAll(() => rm(dir, { recursive: true, force: true }));

function run(file: string, args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [file, ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

it('a bundle reads a Terraform module, with the WebAssembly copied beside the file that loads it', async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcl2json-bundle-'));
  const entry = join(dir, 'entry.ts');
  await writeFile(
    entry,
    `import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readPolicies } from ${JSON.stringify(resolve('src/policies/read.ts'))};
const files = { read: (f: string) => readFileSync(f, 'utf8'), list: (d: string) => readdirSync(d), isDirectory: (p: string) => statSync(p).isDirectory() };
const { policies, errors } = await readPolicies([process.argv[2] ?? ''], files);
console.log(JSON.stringify({ policies: policies.map((p) => [p.where, p.document]), errors }));
`,
  );
  await esbuild.build({
    entryPoints: [entry],
    outdir: join(dir, 'out'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    minify: true,
    metafile: true,
    plugins: [hcl2jsonWasm],
    // The project's build bundles Node's built-ins itself; a plain ES bundle needs `require` for them.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  expect((await readdir(join(dir, 'out'))).sort()).toEqual(['entry.js', 'hcl2json.wasm.gz']);
  const fixture = resolve('test/fixtures/policies/terraform-tags');
  const { code, stdout, stderr } = await run(join(dir, 'out', 'entry.js'), [fixture], dir);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const out = JSON.parse(stdout) as { policies: [string, { Statement: { Condition: unknown }[] }][]; errors: unknown[] };
  expect(out.errors).toEqual([]);
  expect(out.policies.map(([where, doc]) => [where, doc.Statement[0]?.Condition])).toEqual([
    [`${fixture}/iam.tf#aws_iam_role.release`, { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' }, StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:octo-org/octo-repo:ref:refs/tags/v*' } }],
  ]);
});
