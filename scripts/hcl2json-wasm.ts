// esbuild plugin for bundles that read Terraform: @cdktf/hcl2json loads its WebAssembly from
// `${__dirname}/../main.wasm.gz`, which no longer exists once bundled. The plugin makes it look beside
// the bundled file that holds it (import.meta.url) and copies the file there.
import { copyFile, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type * as esbuild from 'esbuild';

const WASM = 'hcl2json.wasm.gz';
const LOADER = '(0, path_1.join)(__dirname, "..", "main.wasm.gz")';

export const hcl2jsonWasm: esbuild.Plugin = {
  name: 'hcl2json-wasm',
  setup(build) {
    const bridge = createRequire(import.meta.url).resolve('@cdktf/hcl2json/lib/bridge.js');
    build.onLoad({ filter: /@cdktf[\\/]hcl2json[\\/]lib[\\/]bridge\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(LOADER)) return { errors: [{ text: `@cdktf/hcl2json no longer loads its WebAssembly with ${LOADER}: update scripts/hcl2json-wasm.ts` }] };
      // bridge.js stays CommonJS (import.meta in it would make esbuild take it for an ES module): it asks an ES module for the URL.
      return { contents: source.replace(LOADER, 'require("hcl2json-wasm:url").default'), loader: 'js' };
    });
    build.onResolve({ filter: /^hcl2json-wasm:url$/ }, () => ({ path: 'url', namespace: 'hcl2json-wasm' }));
    build.onLoad({ filter: /.*/, namespace: 'hcl2json-wasm' }, () => ({ contents: `export default new URL(${JSON.stringify(`./${WASM}`)}, import.meta.url);`, loader: 'js' }));
    // Its Go runtime polyfills `performance` only where Node lacks it (never on Node 24).
    build.onResolve({ filter: /^performance$/ }, () => ({ path: 'performance', external: true }));
    build.onEnd(async (result) => {
      const outputs = Object.entries(result.metafile?.outputs ?? {}).filter(([, o]) => Object.keys(o.inputs).some((i) => resolve(i) === bridge));
      if (result.errors.length === 0 && outputs.length === 0 && result.metafile) return;
      if (!result.metafile) return { errors: [{ text: 'hcl2json-wasm needs metafile: true to know where the bundle put hcl2json' }] };
      await Promise.all(outputs.map(([file]) => copyFile(join(dirname(bridge), '..', 'main.wasm.gz'), join(dirname(file), WASM))));
      return undefined;
    });
  },
};
