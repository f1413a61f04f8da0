// A loopback stand-in for GitHub's OIDC issuer and the runner's ID-token endpoint. It signs RS256 tokens
// with GitHub's claim set, builds `sub` the way GitHub does, and serves discovery and JWKS like
// token.actions.githubusercontent.com. Faults are switches, so tests can make it fail the way GitHub does.
import { randomBytes, randomUUID } from 'node:crypto';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { claimsFor, GITHUB_ISSUER, type Run, type SubjectShape } from '../../src/github/claims.ts';
import { standinTls } from './tls.ts';

export { GITHUB_ISSUER };

/** The run the token describes; its claims, sub included, come from the project's one model of GitHub's claims. */
export interface RunContext extends Omit<Run, 'workflowRef'> {
  ownerId: string;
  repoId: string;
  /** The workflow that was triggered; by default deploy.yml at the run's ref. */
  workflowRef?: string;
  /** The repository's subject template and form (custom include_claim_keys, immutable OWNER@ID/REPO@ID). */
  shape?: SubjectShape;
}

export const DEFAULT_RUN: RunContext = {
  owner: 'acme',
  repo: 'webapp',
  ownerId: '1001',
  repoId: '2002',
  ref: 'refs/heads/main',
  eventName: 'push',
};

export interface IssuerFaults {
  /** HTTP statuses the next token requests answer with, one per request (e.g. [503, 503]). */
  tokenStatuses: number[];
  /** Token requests to leave unanswered (the connection stays open). */
  tokenHangs: number;
  /** Every Nth JWKS request fails (STS then cannot retrieve the verification key). 0: never. */
  jwksFailEvery: number;
  /** The next N JWKS requests fail, whatever jwksFailEvery says. */
  jwksFailures: number;
  /** The next N tokens are issued already expired (as if the runner had held them too long). */
  expiredTokens: number;
}

export interface Issuer {
  /** ACTIONS_ID_TOKEN_REQUEST_URL: already holds a query, as the runner's does. */
  requestUrl: string;
  requestToken: string;
  /** Where STS finds the keys for GITHUB_ISSUER. */
  jwksUri: string;
  run: RunContext;
  /** Seconds a token lives (GitHub: 300). */
  lifetimeSeconds: number;
  /** Seconds added to the issuer's clock (to simulate a runner whose clock is off). */
  clockSkewSeconds: number;
  faults: IssuerFaults;
  /** While set, token requests wait for it before being answered: the token stays in flight as long as a test needs. */
  hold: Promise<unknown> | undefined;
  /** clientHellos: TLS handshakes begun (the client's hello has arrived), before any request can. */
  stats: { clientHellos: number; tokenRequests: number; tokensIssued: number; jwksRequests: number };
  /** Every token issued, so tests can prove none leaks. */
  issued: string[];
  mint(audience: string, overrides?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export async function startIssuer(run: Partial<RunContext> = {}): Promise<Issuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = randomBytes(8).toString('hex');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const requestToken = randomBytes(24).toString('base64url');
  const open = new Set<http.ServerResponse>();

  const issuer: Issuer = {
    requestUrl: '',
    requestToken,
    jwksUri: '',
    run: { ...DEFAULT_RUN, ...run },
    lifetimeSeconds: 300,
    clockSkewSeconds: 0,
    faults: { tokenStatuses: [], tokenHangs: 0, jwksFailEvery: 0, jwksFailures: 0, expiredTokens: 0 },
    hold: undefined,
    stats: { clientHellos: 0, tokenRequests: 0, tokensIssued: 0, jwksRequests: 0 },
    issued: [],
    async mint(audience, overrides = {}) {
      const r = issuer.run;
      let now = Math.floor(Date.now() / 1000) + issuer.clockSkewSeconds;
      if (issuer.faults.expiredTokens > 0) {
        issuer.faults.expiredTokens -= 1;
        now -= issuer.lifetimeSeconds + 60;
      }
      const workflowRef = r.workflowRef ?? `${r.owner}/${r.repo}/.github/workflows/deploy.yml@${r.ref}`;
      const claims = {
        jti: randomUUID(),
        sha: randomBytes(20).toString('hex'),
        repository_visibility: 'private',
        run_id: '7001',
        run_number: '42',
        run_attempt: '1',
        actor: 'octocat',
        actor_id: '583231',
        workflow: 'Deploy',
        ref_protected: 'false',
        workflow_sha: randomBytes(20).toString('hex'),
        job_workflow_sha: randomBytes(20).toString('hex'),
        runner_environment: 'github-hosted',
        ...claimsFor({ ...r, workflowRef }, audience, r.shape),
        ...overrides,
      };
      const jwt = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .setIssuer(GITHUB_ISSUER)
        .setIssuedAt(now)
        .setNotBefore(now - 5)
        .setExpirationTime(now + issuer.lifetimeSeconds)
        .sign(privateKey);
      issuer.stats.tokensIssued += 1;
      issuer.issued.push(jwt);
      return jwt;
    },
    close: () =>
      new Promise((resolve) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const { key, cert } = await standinTls();
  const server = https.createServer({ key, cert }, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/_apis/token') {
      issuer.stats.tokenRequests += 1;
      if (issuer.faults.tokenHangs > 0) {
        issuer.faults.tokenHangs -= 1;
        open.add(res);
        return;
      }
      const status = issuer.faults.tokenStatuses.shift();
      void Promise.resolve(issuer.hold).then(async () => {
        if (status !== undefined) return send(status, { message: 'injected fault' });
        if (req.headers.authorization !== `Bearer ${requestToken}`) return send(401, { message: 'Bad credentials' });
        const value = await issuer.mint(url.searchParams.get('audience') ?? `https://github.com/${issuer.run.owner}`);
        send(200, { count: value.length, value });
      });
      return;
    }
    if (url.pathname === '/.well-known/openid-configuration') {
      return send(200, { issuer: GITHUB_ISSUER, jwks_uri: issuer.jwksUri, id_token_signing_alg_values_supported: ['RS256'] });
    }
    if (url.pathname === '/.well-known/jwks') {
      issuer.stats.jwksRequests += 1;
      const every = issuer.faults.jwksFailEvery;
      if (issuer.faults.jwksFailures > 0) {
        issuer.faults.jwksFailures -= 1;
        return send(503, { message: 'unavailable' });
      }
      if (every > 0 && issuer.stats.jwksRequests % every === 0) return send(503, { message: 'unavailable' });
      return send(200, { keys: [jwk] });
    }
    send(404, { message: 'Not Found' });
  });
  // The server derives its first keys from the client's hello: the first key line of a connection marks its arrival.
  const hellos = new WeakSet<object>();
  server.on('keylog', (_line, socket) => {
    if (hellos.has(socket)) return;
    hellos.add(socket);
    issuer.stats.clientHellos += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `https://127.0.0.1:${port}`;
  issuer.requestUrl = `${base}/_apis/token?api-version=2.0`;
  issuer.jwksUri = `${base}/.well-known/jwks`;
  return issuer;
}
