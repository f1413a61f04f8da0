import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { InputError, TokenError } from '../../src/errors.ts';
import { createAgents } from '../../src/http.ts';
import { createTokenSource, decodeClaims, TOKEN_REUSE_MS } from '../../src/token/source.ts';

// An unsigned JWT is enough: the action only decodes claims, STS verifies.
const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
const agents = createAgents(undefined);

describe('token source', () => {
  it('reuses a token younger than the reuse limit, and reads a new one after it or when asked', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'token-'));
    const file = path.join(dir, 'token');
    let now = 1_000_000;
    const tokens = createTokenSource({ audience: 'sts.amazonaws.com', file, env: {}, agents, now: () => now });

    writeFileSync(file, jwt({ sub: 'first' }));
    expect((await tokens.get(false)).claims.sub).toBe('first');
    writeFileSync(file, jwt({ sub: 'second' }));
    now += TOKEN_REUSE_MS - 1;
    expect((await tokens.get(false)).claims.sub).toBe('first');
    expect((await tokens.get(true)).claims.sub).toBe('second');
    writeFileSync(file, jwt({ sub: 'third' }));
    now += TOKEN_REUSE_MS;
    expect((await tokens.get(false)).claims.sub).toBe('third');
    expect(tokens.last?.claims.sub).toBe('third');
  });

  it('names the input when the token file is missing or empty', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'token-'));
    const missing = createTokenSource({ audience: 'a', file: path.join(dir, 'nope'), env: {}, agents });
    await expect(missing.get(false)).rejects.toThrow(InputError);
    writeFileSync(path.join(dir, 'empty'), '\n');
    const empty = createTokenSource({ audience: 'a', file: path.join(dir, 'empty'), env: {}, agents });
    await expect(empty.get(false)).rejects.toThrow("Input 'web-identity-token-file' names");
  });

  it('says the job may not request a token when the runner gave no endpoint', async () => {
    const tokens = createTokenSource({ audience: 'a', file: undefined, env: {}, agents });
    await expect(tokens.get(false)).rejects.toMatchObject({ failure: 'no-permission' });
  });

  it('refuses a token that is not a JWT', () => {
    expect(() => decodeClaims('not-a-jwt')).toThrow(TokenError);
    expect(decodeClaims(jwt({ sub: 'repo:a/b:ref:refs/heads/main', aud: 'sts.amazonaws.com' })).sub).toBe('repo:a/b:ref:refs/heads/main');
  });
});
