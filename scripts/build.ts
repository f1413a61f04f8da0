// Builds dist/: one minified ESM bundle per entry point, with shared code in chunks so that the post
// step and the credential helper's fast path load only what they use.
import { chmod, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import * as esbuild from 'esbuild';
import { hcl2jsonWasm } from './hcl2json-wasm.ts';

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

// An ES import of a Node built-in goes through a facade that reads every export at load time: node:http's
// lazy WebSocket getter alone loads Node's whole fetch stack (undici, http2, worker_threads: ~20 ms and
// several MB), and the facades of crypto, fs, process … cost ~10 ms more. As CommonJS modules, the
// built-ins are read property by property when used, so each getter runs only if its code path does.
const builtinsAsCommonJs: esbuild.Plugin = {
  name: 'builtins-as-commonjs',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_/0-9]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      return builtinModules.includes(name) ? { path: name, namespace: 'builtin' } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = process.getBuiltinModule(${JSON.stringify(`node:${args.path}`)});`,
      loader: 'js',
    }));
  },
};

await rm('dist', { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: ['src/main.ts', 'src/post.ts', 'src/refresh.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  // Prefer the SDK's ES modules: they tree-shake, its CommonJS builds do not.
  mainFields: ['module', 'main'],
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'linked',
  plugins: [builtinsAsCommonJs, pureActionsToolkit],
  metafile: true,
  logLevel: 'warning',
});
// dist/ says its own module type: the runner executes it whatever the root package.json says.
await writeFile('dist/package.json', '{ "type": "module" }\n');

// The credential helper's entry point runs hundreds of times per job: a single CommonJS file starts
// faster than an ES module graph. Its slow path is the refresh.js entry above, imported on a cache miss.
const helper = await esbuild.build({
  entryPoints: ['src/credential-process.ts'],
  outfile: 'dist/credential-process.cjs',
  bundle: true,
  minify: true,
  format: 'cjs',
  platform: 'node',
  target: 'node24',
  legalComments: 'linked',
  plugins: [
    builtinsAsCommonJs,
    { name: 'refresh-entry', setup: (b) => b.onResolve({ filter: /^\.\/refresh\.ts$/ }, () => ({ path: './refresh.js', external: true })) },
  ],
  metafile: true,
  logLevel: 'warning',
});
// The trust check is a tool of its own (a bin and trust-check/action.yml): one file, built apart, so the
// action's bundles and chunks hold nothing of it. hcl2json's WebAssembly goes beside it (dist/hcl2json.wasm.gz).
const trustCheck = await esbuild.build({
  entryPoints: ['src/trust-check.ts'],
  outfile: 'dist/trust-check.js',
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  mainFields: ['module', 'main'],
  legalComments: 'linked',
  banner: { js: '#!/usr/bin/env node' },
  plugins: [hcl2jsonWasm, builtinsAsCommonJs, pureActionsToolkit],
  metafile: true,
  logLevel: 'warning',
});
// The bin runs it directly (`npx`, a checkout's dist/trust-check.js).
await chmod('dist/trust-check.js', 0o755);
const sizes = Object.entries({ ...result.metafile.outputs, ...helper.metafile.outputs, ...trustCheck.metafile.outputs })
  .filter(([file]) => /\.c?js$/.test(file) && !file.includes('/chunks/'))
  .map(([file, { bytes }]) => `${file} ${(bytes / 1024).toFixed(1)} kB`);
console.log(sizes.join('\n'));
