// A loopback forward proxy (absolute-form HTTP and CONNECT) that records what went through it, to prove
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
  const server = http.createServer((req, res) => {
    const target = new URL(req.url ?? '/');
    if (!authorized(req.headers['proxy-authorization'])) {
      refused.push(target.host);
      res.writeHead(407, { 'Proxy-Authenticate': PROXY_AUTHENTICATE }).end();
      return;
    }
    seen.push(target.host);
    // Hop-by-hop: the proxy's own headers stop here.
    delete req.headers['proxy-authorization'];
    delete req.headers['proxy-connection'];
    if (target.hostname !== '127.0.0.1') {
      res.writeHead(403).end();
      return;
    }
    const upstream = http.request(target, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
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
