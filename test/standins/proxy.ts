// A loopback forward proxy (CONNECT tunnels, as HTTPS clients use a proxy) that records what went through it, to prove
// the action routes its traffic through http-proxy / HTTPS_PROXY. Given credentials, it answers 407 to any
// request without them in Proxy-Authorization (Basic), as corporate proxies do. Given the STS emulator, it
// tunnels STS's own host names (sts.amazonaws.com:443, sts.REGION.amazonaws.com:443) to it, so that clients
// which cannot be pointed at an endpoint (the AWS CLI 2.9's own role chaining) reach it as they would reach AWS;
// the emulator's certificate carries those names.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { STS_HOSTS } from './tls.ts';

export interface Proxy {
  url: string;
  /** host:port of every request forwarded. */
  seen: string[];
  /** host:port of every request refused with 407. */
  refused: string[];
  /** host:port of every tunnel refused with 403 because it would leave the machine. */
  forbidden: string[];
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** user:password the proxy requires. */
  credentials?: string;
  /** The STS emulator's URL: tunnels for STS's own host names go there. */
  sts?: string;
}

const PROXY_AUTHENTICATE = 'Basic realm="stand-in proxy"';

export async function startProxy({ credentials, sts }: ProxyOptions = {}): Promise<Proxy> {
  const seen: string[] = [];
  const refused: string[] = [];
  const forbidden: string[] = [];
  const sockets = new Set<net.Socket>();
  const authorized = (header: string | undefined) => credentials === undefined || header === `Basic ${Buffer.from(credentials).toString('base64')}`;
  // Every stand-in speaks HTTPS, so clients only ever ask for tunnels (CONNECT).
  const server = http.createServer((_req, res) => res.writeHead(501).end());
  server.on('connect', (req, client: net.Socket, head: Buffer) => {
    // Once a CONNECT is handed over, the server no longer listens for the socket's errors: a step that exits
    // while the proxy answers would reset it and throw in the test's process.
    client.on('error', () => client.destroy());
    if (!authorized(req.headers['proxy-authorization'])) {
      refused.push(req.url ?? '');
      client.end(`HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: ${PROXY_AUTHENTICATE}\r\n\r\n`);
      return;
    }
    seen.push(req.url ?? '');
    const [asked = '', port = '443'] = (req.url ?? '').split(':');
    const toSts = sts !== undefined && port === '443' && STS_HOSTS.includes(asked);
    // Traffic stays on this machine: tunnels anywhere else are recorded and refused.
    if (!toSts && asked !== '127.0.0.1' && asked !== 'localhost') {
      forbidden.push(req.url ?? '');
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const target = toSts ? new URL(sts) : { hostname: asked, port };
    const upstream = net.connect(Number(target.port), target.hostname, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    refused,
    forbidden,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
