// The one place that opens connections: agents (with the proxy, when there is one) for both the token
// endpoint and STS, and a bounded GET for the token endpoint. Node 24's agents speak to proxies
// themselves (`proxyEnv`), so no proxy library is bundled or loaded.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { NetworkError } from './errors.ts';
import type { Proxy } from './proxy.ts';

type Created = (error: Error | null, socket: Duplex) => void;

/** A connection opened ahead of its request: what the agent's createConnection returned and, through a proxy, what it called back with. */
interface Opened {
  returned: Duplex | null | undefined;
  tunnel?: { error: Error | null; socket: Duplex };
  /** The request's callback, once the connection is handed over. */
  handedTo?: Created;
}

// Until a request takes the connection, nobody else listens: a failure only means it opens its own.
const ignore = () => undefined;

/**
 * An HTTPS agent that can open a connection before the request that will use it: `preconnect` calls the
 * agent's own createConnection as the request would (so a proxy's CONNECT tunnel is opened the same way),
 * and the first request to that origin takes it over from createConnection, the public hook custom agents
 * override. A connection that has failed or been closed by then is dropped and the request opens its own,
 * as it would have without one.
 */
export class PreconnectAgent extends https.Agent {
  readonly #opened = new Map<string, Opened>();
  #destroyed = false;

  /** Opens a TLS connection (through the proxy, if it applies) to the origin of `url`, unless one is waiting or the agent is destroyed. */
  preconnect(url: URL): void {
    if (url.protocol !== 'https:' || this.#destroyed) return;
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    // The options the agent hands createConnection for a request to this origin (the SNI name it derives from the host).
    const options = { ...this.options, host, port: Number(url.port || 443), servername: isIP(host) ? '' : host };
    const name = this.getName(options);
    if (this.#opened.has(name)) return;
    const opened: Opened = { returned: undefined };
    opened.returned = super.createConnection(options, (error, socket) => {
      if (opened.handedTo) return opened.handedTo(error, socket);
      opened.tunnel = { error, socket };
      socket?.on('error', ignore);
    });
    opened.returned?.on('error', ignore);
    this.#opened.set(name, opened);
  }

  override createConnection(options: https.RequestOptions, callback?: Created): Duplex | null | undefined {
    const name = this.getName(options);
    const opened = this.#opened.get(name);
    this.#opened.delete(name);
    if (!opened || !callback) return super.createConnection(options, callback);
    const socket = opened.tunnel?.socket ?? opened.returned;
    if (opened.tunnel?.error || !socket || socket.destroyed || !socket.writable) {
      discard(opened);
      return super.createConnection(options, callback);
    }
    opened.returned?.off('error', ignore);
    opened.tunnel?.socket.off('error', ignore);
    // Replays what the agent's own createConnection did: returned a socket, and through a proxy called back.
    if (opened.tunnel) callback(null, opened.tunnel.socket);
    else opened.handedTo = callback;
    return opened.returned;
  }

  override destroy(): void {
    // A step that failed before its first STS call may still be preparing it: nothing opens after this.
    this.#destroyed = true;
    for (const opened of this.#opened.values()) discard(opened);
    this.#opened.clear();
    super.destroy();
  }
}

function discard(opened: Opened): void {
  opened.tunnel?.socket?.destroy();
  opened.returned?.destroy();
}

export interface Agents {
  httpAgent: http.Agent;
  httpsAgent: PreconnectAgent;
}

/** Agents for every connection; with a proxy, Node's agents apply it and its bypass rules (proxy.ts) per host. */
export function createAgents(proxy: Proxy | undefined): Agents {
  // Node reads proxyEnv as it would the environment (lowercase names first): only these keys are given.
  const proxyEnv = proxy ? { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: proxy.noProxy } : undefined;
  return {
    httpAgent: new http.Agent({ proxyEnv }),
    httpsAgent: new PreconnectAgent({ proxyEnv }),
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
 * process.nextTick) and, on a connection that is up at once, write their first bytes (over HTTPS, the TLS
 * hello; the request follows the server's answer, a round trip later). Await it before a long import: a
 * dynamic import loads, links and evaluates as one chain of microtasks, which starves nextTick and the
 * event loop, so a request made just before it would leave only once the import is done. Two turns of
 * the event loop: one to connect, one to write; a turn costs microseconds when nothing else is due.
 */
export async function requestsLeave(): Promise<void> {
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
}
