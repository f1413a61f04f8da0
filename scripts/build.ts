// Builds dist/: one minified ESM bundle per entry point, with shared code in chunks so that the post
// step and the credential helper's fast path load only what they use.
import { rm } from 'node:fs/promises';
import * as esbuild from 'esbuild';

// @actions/* declare no `sideEffects`, so esbuild would keep all of @actions/core's HTTP client (~420 kB)
// for the few functions used. Their modules have no import-time effects, so let them be tree-shaken.
const pureActionsToolkit: esbuild.Plugin = {
  name: 'pure-actions-toolkit',
  setup(build) {
    build.onResolve({ filter: /^@actions\// }, async (args) => {
      if (args.pluginData === 'resolved') return undefined;
      const result = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'resolved' });
      return { ...result, sideEffects: false };
    });
  },
};

await rm('dist', { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: ['src/main.ts', 'src/post.ts', 'src/credential-process.ts'],
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
  // Bundled CommonJS that calls require() needs one in an ES module.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  plugins: [pureActionsToolkit],
  metafile: true,
  logLevel: 'warning',
});
const sizes = Object.entries(result.metafile.outputs)
  .filter(([file]) => file.endsWith('.js'))
  .map(([file, { bytes }]) => `${file} ${(bytes / 1024).toFixed(1)} kB`);
console.log(sizes.join('\n'));
