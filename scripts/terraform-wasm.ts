// The trust check's Terraform evaluator (src/policies/terraform-eval/, Go on HashiCorp's hcl/v2 and cty),
// built to WebAssembly from Debian's packages of those libraries in GOPATH mode, and Go's own loader for
// it (misc/wasm/wasm_exec.js). Both go beside dist/trust-check.js, which loads them the first time it reads
// Terraform. The build is reproducible (-trimpath, no build ID, gzip without a timestamp): CI rebuilds dist/
// and requires it byte-identical. Where Go or the libraries are missing (GitHub's Windows and macOS
// runners), the assets already in dist/ are kept.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const WASM = 'terraform-eval.wasm.gz';
export const LOADER = 'wasm_exec.js';
const SOURCE = 'src/policies/terraform-eval';
const GOPATH = '/usr/share/gocode';
// What Debian's packages golang-github-hashicorp-hcl-v2-dev, golang-github-zclconf-go-cty-dev and
// golang-github-apparentlymart-go-textseg-dev install.
const LIBRARIES = ['github.com/hashicorp/hcl/v2', 'github.com/zclconf/go-cty/cty', 'github.com/apparentlymart/go-textseg/textseg'];

/** The built assets by file name, or why they cannot be built here. */
export async function buildTerraformEvaluator(): Promise<Map<string, Buffer> | string> {
  const go = spawnSync('go', ['env', 'GOROOT'], { encoding: 'utf8' });
  if (go.status !== 0) return 'Go is not installed';
  const missing = LIBRARIES.filter((l) => !existsSync(join(GOPATH, 'src', l)));
  if (missing.length > 0) return `${missing.join(', ')} not in ${GOPATH} (Debian's golang-*-dev packages)`;
  const work = await mkdtemp(join(tmpdir(), 'terraform-eval-'));
  try {
    const pkg = join(work, 'src', 'terraform-eval');
    await mkdir(pkg, { recursive: true });
    for (const f of (await readdir(SOURCE)).filter((f) => f.endsWith('.go'))) await cp(join(SOURCE, f), join(pkg, f));
    const out = join(work, 'terraform-eval.wasm');
    const env = { ...process.env, GO111MODULE: 'off', GOPATH: `${work}:${GOPATH}`, GOOS: 'js', GOARCH: 'wasm', CGO_ENABLED: '0', GOFLAGS: '' };
    const build = spawnSync('go', ['build', '-trimpath', '-ldflags=-s -w -buildid=', '-o', out, '.'], { cwd: pkg, env, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`go build of ${SOURCE} failed:\n${build.stderr}`);
    return new Map([
      [WASM, gzipSync(await readFile(out), { level: 9 })],
      [LOADER, await readFile(join(go.stdout.trim(), 'misc', 'wasm', LOADER))],
    ]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
