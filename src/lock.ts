// The credential helper's lock: concurrent helpers for one profile (Terraform runs providers in parallel)
// share a single STS call. Processes share nothing but the file system, so the lock is made of directories.
//
// Each acquisition creates a new generation, `<lock>.<n>`, one above the newest: mkdir is atomic, so of all
// who try one generation exactly one owns it. Names are never reused and nothing is ever deleted while the
// job runs (the post step removes the folder), so whatever a waiter concluded about a generation, released
// or abandoned, stays true however the others interleave: two waiters who both judge the newest generation
// abandoned race for the same next one and one of them wins; no one can remove a lock another has just
// taken. The owner releases by marking its own generation, which cannot touch a newer one: an owner that
// outlived the stale limit, and was superseded, still releases without error.
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** The file system operations the lock uses (node:fs/promises by default; tests drive their own). */
export interface LockFs {
  mkdir(dir: string, options: { mode: number }): Promise<unknown>;
  readdir(dir: string): Promise<string[]>;
  stat(file: string): Promise<{ mtimeMs: number }>;
}

export interface LockOptions {
  fs?: LockFs;
  /** Current time in ms. */
  now?: () => number;
  /** A generation this old and not released was abandoned: its owner died. */
  staleMs?: number;
  /** How long a waiter sleeps between looks. */
  pollMs?: number;
}

// Longer than one refresh can take (60 s of retries plus a last attempt).
const STALE_LOCK_MS = 90_000;
const LOCK_POLL_MS = 25;
const RELEASED = 'released';

const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

async function newestGeneration(fs: LockFs, lock: string): Promise<number> {
  const prefix = `${path.basename(lock)}.`;
  let newest = 0;
  for (const name of await fs.readdir(path.dirname(lock))) {
    const n = name.startsWith(prefix) ? Number(name.slice(prefix.length)) : NaN;
    if (Number.isSafeInteger(n) && n > newest) newest = n;
  }
  return newest;
}

async function exists(fs: LockFs, file: string): Promise<boolean> {
  try {
    await fs.stat(file);
    return true;
  } catch (error) {
    if (code(error) === 'ENOENT') return false;
    throw error;
  }
}

/** One attempt: the generation directory now owned, or undefined if the lock is held (or was just taken). */
export async function tryAcquire(lock: string, { fs = { mkdir, readdir, stat }, now = Date.now, staleMs = STALE_LOCK_MS }: LockOptions = {}): Promise<string | undefined> {
  const newest = await newestGeneration(fs, lock);
  if (newest > 0) {
    const current = `${lock}.${newest}`;
    if (!(await exists(fs, path.join(current, RELEASED))) && now() - (await fs.stat(current)).mtimeMs <= staleMs) return undefined;
  }
  try {
    await fs.mkdir(`${lock}.${newest + 1}`, { mode: 0o700 });
    return `${lock}.${newest + 1}`;
  } catch (error) {
    if (code(error) === 'EEXIST') return undefined;
    throw error;
  }
}

/** Marks a generation released. Only ever its owner's own directory; gone already (post ran) is fine. */
export async function release(generation: string, { fs = { mkdir, readdir, stat } }: LockOptions = {}): Promise<void> {
  try {
    await fs.mkdir(path.join(generation, RELEASED), { mode: 0o700 });
  } catch (error) {
    if (code(error) !== 'ENOENT' && code(error) !== 'EEXIST') throw error;
  }
}

export async function withLock<T>(lock: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  let generation: string | undefined;
  while (!(generation = await tryAcquire(lock, options))) await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? LOCK_POLL_MS));
  try {
    return await fn();
  } finally {
    await release(generation, options);
  }
}
