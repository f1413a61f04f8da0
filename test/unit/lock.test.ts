// The helper's lock under every interleaving of its file system operations: a scheduler runs the
// contenders one operation at a time over an in-memory file system and enumerates every order.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { release, tryAcquire, withLock, type LockFs } from '../../src/lock.ts';
import { ROOT } from '../standins/runner.ts';

const DIR = '/t';
const LOCK = `${DIR}/deploy.lock`;
const STALE = 90_000;
const NOW = 1_000_000;

const fsError = (code: string, p: string) => Object.assign(new Error(`${code}: ${p}`), { code });

/** Directories only, which is all the lock uses. It has no way to delete: the lock never needs one. */
class MemoryFs {
  readonly dirs = new Map<string, number>([[DIR, 0]]);
  /** Which contender made each mkdir attempt on a path. */
  readonly attempts: { who: string; dir: string }[] = [];

  view(who: string, turn: () => Promise<void>): LockFs {
    return {
      mkdir: async (dir) => {
        await turn();
        this.attempts.push({ who, dir });
        if (this.dirs.has(dir)) throw fsError('EEXIST', dir);
        if (!this.dirs.has(path.posix.dirname(dir))) throw fsError('ENOENT', dir);
        this.dirs.set(dir, NOW);
      },
      readdir: async (dir) => {
        await turn();
        return [...this.dirs.keys()].filter((d) => path.posix.dirname(d) === dir).map((d) => path.posix.basename(d));
      },
      stat: async (file) => {
        await turn();
        const mtimeMs = this.dirs.get(file);
        if (mtimeMs === undefined) throw fsError('ENOENT', file);
        return { mtimeMs };
      },
    };
  }
}

type Contender = (fs: LockFs) => Promise<unknown>;

/**
 * Runs the contenders with the given choices of who moves next at each step (0 when the choices run
 * out). Returns each one's outcome and how many could have moved at each step.
 */
async function runOnce(setUp: (fs: MemoryFs) => void, contenders: Record<string, Contender>, choices: number[]) {
  const fs = new MemoryFs();
  setUp(fs);
  const waiting = new Map<string, () => void>();
  const outcomes: Record<string, unknown> = {};
  let running = Object.keys(contenders).length;
  for (const [who, run] of Object.entries(contenders)) {
    void run(fs.view(who, () => new Promise<void>((resolve) => waiting.set(who, resolve))))
      .then((value) => (outcomes[who] = value), (error: unknown) => (outcomes[who] = error))
      .finally(() => running--);
  }
  const branching: number[] = [];
  for (;;) {
    // No real I/O: once the event loop turns, every contender is waiting for its turn or finished.
    await new Promise((resolve) => setImmediate(resolve));
    if (waiting.size === 0 && running === 0) break;
    const ready = [...waiting.keys()].sort();
    const pick = ready[choices[branching.length] ?? 0] ?? '';
    branching.push(ready.length);
    const resume = waiting.get(pick);
    waiting.delete(pick);
    resume?.();
  }
  return { fs, outcomes, branching };
}

/** Every interleaving, depth first: calls check with each run's outcome. Returns how many there were. */
async function everyInterleaving(setUp: (fs: MemoryFs) => void, contenders: Record<string, Contender>, check: (run: Awaited<ReturnType<typeof runOnce>>) => void): Promise<number> {
  let choices: number[] = [];
  let count = 0;
  for (;;) {
    const run = await runOnce(setUp, contenders, choices);
    check(run);
    count++;
    const taken = run.branching.map((_, i) => choices[i] ?? 0);
    let i = taken.length - 1;
    while (i >= 0 && (taken[i] ?? 0) + 1 >= (run.branching[i] ?? 0)) i--;
    if (i < 0) return count;
    choices = [...taken.slice(0, i), (taken[i] ?? 0) + 1];
  }
}

const acquire: Contender = (fs) => tryAcquire(LOCK, { fs, now: () => NOW, staleMs: STALE });
const abandoned = (fs: MemoryFs) => fs.dirs.set(`${LOCK}.1`, NOW - STALE - 1);

describe('the helper lock', () => {
  it('two waiters who both judge the lock abandoned: exactly one takes it, and nothing the other does can undo that', async () => {
    let bothJudgedStale = 0;
    const count = await everyInterleaving(abandoned, { a: acquire, b: acquire }, ({ fs, outcomes }) => {
      const owners = Object.values(outcomes).filter((o) => o !== undefined);
      expect(owners).toEqual([`${LOCK}.2`]);
      expect([...fs.dirs.keys()].sort()).toEqual([DIR, `${LOCK}.1`, `${LOCK}.2`]);
      if (fs.attempts.filter((a) => a.dir === `${LOCK}.2`).length === 2) bothJudgedStale++;
    });
    expect(count).toBeGreaterThan(10);
    // The race the old lock lost is among the interleavings: both decided to take over.
    expect(bothJudgedStale).toBeGreaterThan(0);
  });

  it('an owner that outlived the stale limit releases without error, and leaves the new owner holding the lock', async () => {
    const count = await everyInterleaving(
      abandoned,
      { a: acquire, b: acquire, old: (fs) => release(`${LOCK}.1`, { fs }) },
      ({ fs, outcomes }) => {
        expect(outcomes.old).toBeUndefined();
        const owners = [outcomes.a, outcomes.b].filter((o) => o !== undefined);
        expect(owners).toEqual([`${LOCK}.2`]);
        expect(fs.dirs.has(`${LOCK}.2/released`)).toBe(false);
      },
    );
    expect(count).toBeGreaterThan(50);
  });

  it('never takes a lock that is held and fresh; takes it once released', async () => {
    const held = (fs: MemoryFs) => fs.dirs.set(`${LOCK}.1`, NOW - STALE);
    await everyInterleaving(held, { a: acquire, b: acquire }, ({ outcomes }) => expect(outcomes).toEqual({ a: undefined, b: undefined }));
    await everyInterleaving(held, { a: acquire, b: acquire, owner: (fs) => release(`${LOCK}.1`, { fs }) }, ({ fs, outcomes }) => {
      const owners = [outcomes.a, outcomes.b].filter((o) => o !== undefined);
      // Whoever looked before the release waits; at most one takes the next generation.
      expect(owners.length).toBeLessThanOrEqual(1);
      expect(fs.dirs.has(`${LOCK}.1/released`)).toBe(true);
    });
  });

  it('on disk: a refresh that outlives the stale limit still returns its result, and the next owner is undisturbed', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lock-'));
    const lock = path.join(dir, 'deploy.lock');
    try {
      let later: Promise<string> | undefined;
      const first = await withLock(lock, async () => {
        // 100 s on: another helper finds this lock abandoned and takes the next generation.
        later = withLock(lock, async () => 'second', { now: () => Date.now() + 100_000 });
        await new Promise((resolve) => setTimeout(resolve, 50));
        return 'first';
      });
      expect(first).toBe('first');
      expect(await later).toBe('second');
      expect(readdirSync(dir).sort()).toEqual(['deploy.lock.1', 'deploy.lock.2']);
      expect(readdirSync(`${lock}.2`)).toEqual(['released']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on disk: processes contending for an abandoned lock never overlap and lose no update', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lock-'));
    const lock = path.join(dir, 'deploy.lock');
    try {
      writeFileSync(path.join(dir, 'counter'), '0');
      mkdirSync(`${lock}.1`);
      const hourAgo = new Date(Date.now() - 3_600_000);
      utimesSync(`${lock}.1`, hourAgo, hourAgo);
      const contender = path.join(ROOT, 'test/standins/lock-contender.ts');
      const codes = await Promise.all(
        Array.from({ length: 6 }, () => new Promise<number | null>((resolve) => spawn(process.execPath, [contender, lock, '5'], { stdio: 'inherit' }).on('close', resolve))),
      );
      expect(codes).toEqual([0, 0, 0, 0, 0, 0]);
      expect(readFileSync(path.join(dir, 'counter'), 'utf8')).toBe('30');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
