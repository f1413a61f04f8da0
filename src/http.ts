// The one place that opens connections: agents (with the proxy, when there is one) for both the token
// endpoint and STS, and a bounded GET for the token endpoint. Node 24's agents speak to proxies
// themselves (`proxyEnv`), so no proxy library is bundled or loaded.
import http from 'node:http';
import https from 'node:https';
import { NetworkError } from './errors.ts';
import type { Proxy } from './proxy.ts';

export interface Agents {
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
}

/** Agents for every connection; with a proxy, Node's agents apply it and its bypass rules (proxy.ts) per host. */
export function createAgents(proxy: Proxy | undefined): Agents {
  // Node reads proxyEnv as it would the environment (lowercase names first): only these keys are given.
  const proxyEnv = proxy ? { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: proxy.noProxy } : undefined;
  return {
    httpAgent: new http.Agent({ proxyEnv }),
    httpsAgent: new https.Agent({ proxyEnv }),
  };
}

export interface Response {
  status: number;
  body: string;
}

/** GET with a deadline for the whole exchange: a server that accepts and never answers is abandoned. */
export function get(url: string, headers: Record<string, string>, timeoutMs: number, agents: Agents): Promise<Response> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  const agent = target.protocol === 'https:' ? agents.httpsAgent : agents.httpAgent;
  return new Promise((resolve, reject) => {
    const req = client.request(target, { method: 'GET', headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', fail);
    });
    const timer = setTimeout(() => req.destroy(new NetworkError('ETIMEDOUT', `no answer from ${target.host} within ${timeoutMs} ms`)), timeoutMs);
    function fail(error: Error & { code?: string; statusCode?: number }) {
      clearTimeout(timer);
      if (error instanceof NetworkError) reject(error);
      // Node's agent names the proxy in this message without its user info.
      else if (error.code === 'ERR_PROXY_TUNNEL') reject(new NetworkError(error.code, error.message, { proxyStatus: error.statusCode ?? 0 }));
      else reject(new NetworkError(error.code ?? 'ECONNRESET', `${target.host}: ${error.message}`));
    }
    req.on('error', fail);
    req.end();
  });
}

/**
 * Resolves once the requests made so far have left: their sockets connect (net.connect defers that to
 * process.nextTick) and, on a connection that is up at once, write. Await it before a long import: a
 * dynamic import loads, links and evaluates as one chain of microtasks, which starves nextTick and the
 * event loop, so a request made just before it would leave only once the import is done. Two turns of
 * the event loop: one to connect, one to write; a turn costs microseconds when nothing else is due.
 */
export async function requestsLeave(): Promise<void> {
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
}
