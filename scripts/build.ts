// Builds dist/: one minified ESM bundle per entry point, with shared code in chunks so that the post
// step and the credential helper's fast path load only what they use.
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import * as esbuild from 'esbuild';
import { LOADER, WASM, buildTerraformEvaluator } from './terraform-wasm.ts';

// @actions/* declare no `sideEffects`, so esbuild would keep all of @actions/core's HTTP client (~420 kB)
// for the few functions used. Their modules have no import-time effects, so let them be tree-shaken.
const PURE_PACKAGES = /node_modules\/@(?:actions|aws-sdk|smithy)\//;
const pureActionsToolkit: esbuild.Plugin = {
  name: 'pure-actions-toolkit',
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'resolved' || args.path.startsWith('node:')) return undefined;
      const result = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'resolved' });
      return PURE_PACKAGES.test(result.path) ? { ...result, sideEffects: false } : result;
    });
  },
};

// A built-in loads when a module importing it is evaluated, even through the CommonJS facade below.
// Two of @actions/core's modules, in the main step's first chunk, load one before the token request for
// a call made at the end: file-command.js needs node:crypto (~5 ms) only for a delimiter, and summary.js
// reads fs.promises as it loads (Node's promise-based fs and readline, ~2 ms). Theirs load on first use.
const LAZY_BUILTINS: { importer: RegExp; name: string; contents: string }[] = [
  {
    importer: /@actions\/core\/lib\/file-command\.js$/,
    name: 'crypto',
    contents: "export const randomUUID = () => process.getBuiltinModule('node:crypto').randomUUID();",
  },
  {
    importer: /@actions\/core\/lib\/summary\.js$/,
    name: 'fs',
    contents: [
      "const fs = process.getBuiltinModule('node:fs');",
      'export const constants = fs.constants;',
      'export const promises = Object.fromEntries(["access", "appendFile", "writeFile"].map((f) => [f, (...args) => fs.promises[f](...args)]));',
    ].join('\n'),
  },
];

// An ES import of a Node built-in goes through a facade that reads every export at load time: node:http's
// lazy WebSocket getter alone loads Node's whole fetch stack (undici, http2, worker_threads: ~20 ms and
// several MB), and the facades of crypto, fs, process … cost ~10 ms more. As CommonJS modules, the
// built-ins are read property by property when used, so each getter runs only if its code path does.
const builtinsAsCommonJs: esbuild.Plugin = {
  name: 'builtins-as-commonjs',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_/0-9]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      const lazy = LAZY_BUILTINS.findIndex((l) => l.name === name && l.importer.test(args.importer));
      if (lazy >= 0) return { path: `${lazy}`, namespace: 'lazy-builtin' };
      // One facade per importing module, bundled with it: shared, each would be a chunk of its own (a
      // hundred bytes, and a module for the loader to resolve, read, compile and link).
      return builtinModules.includes(name) ? { path: name, namespace: 'builtin', suffix: `?${args.importer}` } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({ contents: LAZY_BUILTINS[Number(args.path)]?.contents ?? '', loader: 'js' }));
    build.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = process.getBuiltinModule(${JSON.stringify(`node:${args.path}`)});`,
      loader: 'js',
    }));
  },
};

// The SDK's default credential chain (instance profile, container, EKS Pod Identity, SSO, ~/.aws …) is
// for self-hosted runners. Bundled with the rest, it shares @smithy/@aws-sdk modules with the STS client,
// so esbuild puts what only the chain's SSO, sign-in and Cognito clients use (JSON protocols, their
// serializers) in the chunks every run loads: 10 more modules and 43 kB, ~8 ms of CPU. It is built
// apart (chunks/default-chain.js, below) and loaded the first time a client asks it for credentials.
const DEFAULT_CHAIN = './default-chain.js';
const defaultChainApart: esbuild.Plugin = {
  name: 'default-chain-apart',
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/credential-provider(?:s|-node)$/ }, () => ({ path: 'default-chain', namespace: 'default-chain' }));
    build.onResolve({ filter: /^\.\/default-chain\.js$/ }, () => ({ path: DEFAULT_CHAIN, external: true }));
    build.onLoad({ filter: /.*/, namespace: 'default-chain' }, () => ({
      contents: [
        `let chain;`,
        `const load = () => (chain ??= import(${JSON.stringify(DEFAULT_CHAIN)}));`,
        // client-sts's own default, and fromNodeProviderChain as @aws-sdk/credential-providers defines it.
        `export const defaultProvider = (init = {}) => { let provider; return async (options) => { provider ??= (await load()).defaultProvider(init); return provider(options); }; };`,
        `export const fromNodeProviderChain = (init = {}) => defaultProvider({ ...init });`,
      ].join('\n'),
      loader: 'js',
    }));
  },
};

// What every bundle shares: one minified file per entry for Node 24, its licences linked, its metafile kept
// for the sizes below. ES modules prefer the SDK's ES builds: they tree-shake, its CommonJS builds do not.
const common = { bundle: true, minify: true, platform: 'node', target: 'node24', legalComments: 'linked', metafile: true, logLevel: 'warning' } satisfies esbuild.BuildOptions;
const esm = { ...common, format: 'esm', mainFields: ['module', 'main'] } satisfies esbuild.BuildOptions;

// The Terraform evaluator's WebAssembly, built where Go and Debian's libraries are; elsewhere, the copy in dist/.
const evaluator = await buildTerraformEvaluator();
const terraformAssets = typeof evaluator === 'string' ? new Map(await Promise.all([WASM, LOADER].map(async (f) => [f, await readFile(`dist/${f}`)] as const))) : evaluator;
if (typeof evaluator === 'string') console.log(`Terraform evaluator: ${evaluator}: kept dist/${WASM} and dist/${LOADER} as they are`);
await rm('dist', { recursive: true, force: true });
await mkdir('dist', { recursive: true });
for (const [file, bytes] of terraformAssets) await writeFile(`dist/${file}`, bytes);
const result = await esbuild.build({
  entryPoints: ['src/main.ts', 'src/post.ts', 'src/refresh.ts'],
  outdir: 'dist',
  ...esm,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [defaultChainApart, builtinsAsCommonJs, pureActionsToolkit],
});
// The default chain, one file beside the chunks that import it.
const defaultChain = await esbuild.build({
  stdin: { contents: "export { defaultProvider } from '@aws-sdk/credential-provider-node';", resolveDir: '.', loader: 'js' },
  outfile: 'dist/chunks/default-chain.js',
  ...esm,
  plugins: [builtinsAsCommonJs, pureActionsToolkit],
});
const misplaced = Object.entries(result.metafile.outputs).filter(([file, { imports }]) => imports.some((i) => i.path === DEFAULT_CHAIN) && !file.startsWith('dist/chunks/'));
if (misplaced.length > 0) throw new Error(`${misplaced.map(([file]) => file).join(', ')} import ${DEFAULT_CHAIN}, which is in dist/chunks/`);
// dist/ says its own module type: the runner executes it whatever the root package.json says.
await writeFile('dist/package.json', '{ "type": "module" }\n');

// The credential helper's entry point runs hundreds of times per job: a single CommonJS file starts
// faster than an ES module graph. Its slow path is the refresh.js entry above, imported on a cache miss.
const helper = await esbuild.build({
  entryPoints: ['src/credential-process.ts'],
  outfile: 'dist/credential-process.cjs',
  ...common,
  format: 'cjs',
  plugins: [
    builtinsAsCommonJs,
    { name: 'refresh-entry', setup: (b) => b.onResolve({ filter: /^\.\/refresh\.ts$/ }, () => ({ path: './refresh.js', external: true })) },
  ],
});
// The trust check is a tool of its own (a bin and trust-check/action.yml): one file, built apart, so the
// action's bundles and chunks hold nothing of it. It loads the Terraform evaluator (above) from beside itself.
const trustCheck = await esbuild.build({
  entryPoints: ['src/trust-check.ts'],
  outfile: 'dist/trust-check.js',
  ...esm,
  banner: { js: '#!/usr/bin/env node' },
  plugins: [builtinsAsCommonJs, pureActionsToolkit],
});
// The bin runs it directly (`npx`, a checkout's dist/trust-check.js).
await chmod('dist/trust-check.js', 0o755);
const sizes = Object.entries({ ...result.metafile.outputs, ...defaultChain.metafile.outputs, ...helper.metafile.outputs, ...trustCheck.metafile.outputs })
  .filter(([file]) => /\.c?js$/.test(file) && !file.includes('/chunks/'))
  .map(([file, { bytes }]) => `${file} ${(bytes / 1024).toFixed(1)} kB`);
console.log(sizes.join('\n'));
