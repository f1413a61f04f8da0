// A loopback forward proxy (CONNECT tunnels, as HTTPS clients use a proxy) that records what went through it, to prove
// the action routes its traffic through http-proxy / HTTPS_PROXY. Given credentials, it answers 407 to any
// request without them in Proxy-Authorization (Basic), as corporate proxies do.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Proxy {
  url: string;
  /** host:port of every request forwarded. */
  seen: string[];
  /** host:port of every request refused with 407. */
  refused: string[];
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** user:password the proxy requires. */
  credentials?: string;
}

const PROXY_AUTHENTICATE = 'Basic realm="stand-in proxy"';

export async function startProxy({ credentials }: ProxyOptions = {}): Promise<Proxy> {
  const seen: string[] = [];
  const refused: string[] = [];
  const sockets = new Set<net.Socket>();
  const authorized = (header: string | undefined) => credentials === undefined || header === `Basic ${Buffer.from(credentials).toString('base64')}`;
  // Every stand-in speaks HTTPS, so clients only ever ask for tunnels (CONNECT).
  const server = http.createServer((_req, res) => res.writeHead(501).end());
  server.on('connect', (req, client: net.Socket, head: Buffer) => {
    if (!authorized(req.headers['proxy-authorization'])) {
      refused.push(req.url ?? '');
      client.end(`HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: ${PROXY_AUTHENTICATE}\r\n\r\n`);
      return;
    }
    seen.push(req.url ?? '');
    const [host = '', port = '443'] = (req.url ?? '').split(':');
    // Traffic stays on this machine: tunnels anywhere else are recorded and refused.
    if (host !== '127.0.0.1' && host !== 'localhost') {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
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
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
