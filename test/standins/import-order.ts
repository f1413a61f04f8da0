// Preloaded into a step (NODE_OPTIONS=--import) to learn whether the token request left (over HTTPS: its
// TLS hello) before the SDK began to load. When the step first loads the chunk holding the SDK, this hook blocks it (as evaluating
// the SDK's modules does) and waits for the test, another process, to see the request arrive: a request
// already written arrives; one still waiting for the event loop cannot leave while the step is blocked.
import { existsSync, writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const ARRIVED = process.env.IMPORT_ORDER_ARRIVED ?? '';
const VERDICT = process.env.IMPORT_ORDER_VERDICT ?? '';
// Generous: a request that has left reaches a busy test process in far less.
const WAIT_MS = 10_000;
let checked = false;

registerHooks({
  load(url, context, nextLoad) {
    if (!checked && /\/chunks\/(?:obtain|sts)-[^/]*\.js$/.test(url)) {
      checked = true;
      const until = Date.now() + WAIT_MS;
      const pause = new Int32Array(new SharedArrayBuffer(4));
      while (!existsSync(ARRIVED) && Date.now() < until) Atomics.wait(pause, 0, 0, 5);
      writeFileSync(VERDICT, existsSync(ARRIVED) ? 'arrived' : 'not arrived');
    }
    return nextLoad(url, context);
  },
});
