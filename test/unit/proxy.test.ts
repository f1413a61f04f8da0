// proxy.ts: the bypass rules, as curl and the AWS SDKs read NO_PROXY, proven on Node's own agents (the
// agents that carry the traffic decide per host; these tests ask them), and passwords that never show.
import http from 'node:http';
import type { LookupFunction } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { createAgents } from '../../src/http.ts';
import { parseNoProxy, proxySecrets, proxyUrlFrom, redactProxyUrl } from '../../src/proxy.ts';

const PROXY = 'http://127.0.0.1:9';

/** Whether Node's agent, given `noProxy` in its dialect, sends a request for host:port through the proxy. */
function proxied(noProxy: string, host: string, port?: number): boolean {
  const { httpAgent } = createAgents({ url: PROXY, source: 'http-proxy', noProxy });
  // A request for a proxied host is rewritten to absolute form as it is built; it is never sent, and a
  // direct one never even looks its host up.
  const lookup: LookupFunction = (_host, _options, callback) => callback(new Error('no lookups in tests'), '', 4);
  const req = http.request({ host, ...(port ? { port } : {}), path: '/', agent: httpAgent, lookup });
  req.on('error', () => undefined);
  const viaProxy = req.path !== '/';
  req.destroy();
  httpAgent.destroy();
  return viaProxy;
}

const bypass = (list: string, host: string, port?: number) => !proxied(parseNoProxy(list).node, host, port);

describe('NO_PROXY, as curl and the AWS SDKs read it', () => {
  it.each([
    ['example.com', 'example.com', undefined, true],
    ['example.com', 'sts.example.com', undefined, true],
    ['amazonaws.com', 'sts.us-east-1.amazonaws.com', undefined, true],
    ['example.com', 'notexample.com', undefined, false],
    ['example.com', 'example.com.evil.net', undefined, false],
    ['.example.com', 'example.com', undefined, true],
    ['.example.com', 'a.b.example.com', undefined, true],
    ['*.example.com', 'a.example.com', undefined, true],
    ['example.com.', 'www.example.com', undefined, true],
    ['EXAMPLE.com', 'Sts.Example.COM', undefined, true],
    ['*', 'sts.amazonaws.com', undefined, true],
    ['localhost,*', 'sts.amazonaws.com', undefined, true],
    ['localhost  internal.corp', 'git.internal.corp', undefined, true],
    [' , ,localhost,', 'localhost', undefined, true],
    ['example.com:8080', 'example.com', 8080, true],
    ['example.com:8080', 'example.com', 8443, false],
    ['example.com:8080', 'example.com', undefined, false],
    ['192.168.1.7', '192.168.1.7', undefined, true],
    ['192.168.1.7', '192.168.1.70', undefined, false],
    ['10.0.0.0/8', '10.200.3.4', undefined, true],
    ['10.0.0.0/8', '11.0.0.1', undefined, false],
    ['172.16.0.0/12', '172.31.255.255', 443, true],
    ['172.16.0.0/12', '172.32.0.0', undefined, false],
    ['127.0.0.1/32', '127.0.0.1', undefined, true],
    ['0.0.0.0/0', '8.8.8.8', undefined, true],
    ['127.0.0.1:9000', '127.0.0.1', 9000, true],
    ['127.0.0.1:9000', '127.0.0.1', 9001, false],
    ['::1', '::1', undefined, true],
    ['[::1]:9000', '::1', 9000, true],
    ['', 'example.com', undefined, false],
    ['fd00::/8', 'fd00::1', undefined, false],
  ])('NO_PROXY=%j, host %s, port %s: bypass %s', (list, host, port, expected) => {
    expect(bypass(list, host, port)).toBe(expected);
  });

  it("is needed: Node's own reading of NO_PROXY differs (a bare name is that host only; no CIDR)", () => {
    expect(proxied('example.com', 'sts.example.com')).toBe(true);
    expect(proxied('10.0.0.0/8', '10.1.2.3')).toBe(true);
  });

  it('says which entries it cannot honour', () => {
    expect(parseNoProxy('fd00::/8,10.0.0.0/40,.,ok.corp')).toEqual({ node: '.ok.corp', ignored: ['fd00::/8', '10.0.0.0/40', '.'] });
  });
});

describe('proxy passwords', () => {
  it.each([
    ['http://user:s3cret@proxy:3128', 'http://user:***@proxy:3128'],
    ['user:s3cret@proxy.corp:3128', 'user:***@proxy.corp:3128'],
    ['http://user:p@ss@proxy:3128', 'http://user:***@proxy:3128'],
    ['http://tok3n@proxy:3128', 'http://***@proxy:3128'],
    ['http://proxy:3128', 'http://proxy:3128'],
  ])('%s prints as %s', (value, shown) => {
    expect(redactProxyUrl(value)).toBe(shown);
  });

  it('masks the password as written, as decoded and as sent in Proxy-Authorization', () => {
    expect(proxySecrets({ url: 'http://us%40er:p%40ss@proxy:3128/', source: 'HTTPS_PROXY', noProxy: '' })).toEqual(['p@ss', 'p%40ss', Buffer.from('us@er:p@ss').toString('base64')]);
    expect(proxySecrets({ url: 'http://proxy:3128/', source: 'HTTPS_PROXY', noProxy: '' })).toEqual([]);
    expect(proxySecrets(undefined)).toEqual([]);
  });

  it('masks a user without a password, as written, as decoded and as sent (user and an empty password)', () => {
    expect(proxySecrets({ url: 'http://tok%2Fen@proxy:3128/', source: 'HTTPS_PROXY', noProxy: '' })).toEqual(['tok/en', 'tok%2Fen', Buffer.from('tok/en:').toString('base64')]);
  });

  it('reads a "%" that starts no escape as itself, as curl does, and hands it to Node escaped', () => {
    const proxy = proxyUrlFrom('', { HTTPS_PROXY: 'http://u%zz:p%zz%41%@proxy:3128' });
    expect(proxy?.url).toBe('http://u%25zz:p%25zz%41%25@proxy:3128/');
    expect(proxySecrets(proxy && { ...proxy, noProxy: '' })).toEqual(['p%zzA%', 'p%25zz%41%25', Buffer.from('u%zz:p%zzA%').toString('base64')]);
    expect(() => createAgents(proxy && { ...proxy, noProxy: '' })).not.toThrow();
  });

  it('refuses escapes that decode to no UTF-8 text, naming the source and hiding the password', () => {
    expect(() => proxyUrlFrom('http://user:s3cr3t%C3@proxy:3128', {})).toThrow("Input 'http-proxy' has a user or password whose %-escapes are not UTF-8 text, which Node cannot send to the proxy, got 'http://user:***@proxy:3128'");
    expect(() => proxyUrlFrom('', { https_proxy: 'http://%FF@proxy:3128' })).toThrow("Environment variable 'https_proxy' has a user or password whose %-escapes are not UTF-8 text, which Node cannot send to the proxy, got 'http://***@proxy:3128'");
  });
});
