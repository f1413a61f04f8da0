// Files that hold credentials: created 0600 inside a 0700 folder of our own under RUNNER_TEMP, written
// to a fresh temporary file and renamed into place (readers never see half a file), never through a
// symlink. Light on purpose: the credential helper's fast path loads this and nothing else.
//
// Windows has neither: it ignores POSIX modes (0600 sets nothing but "not read-only") and has no
// O_NOFOLLOW. There the files are as private as RUNNER_TEMP, whose ACL they inherit (on GitHub's hosted
// runners, the runner's own work folder), and a link is refused by looking before opening and checking,
// once open, that the file opened is the one looked at.
import { constants, fstatSync, lstatSync, mkdtempSync, openSync, closeSync, readFileSync, renameSync, writeSync, unlinkSync, type Stats } from 'node:fs';
import path from 'node:path';

/** What the platform offers to refuse links; a parameter so both ways are tested on every OS. */
export interface LinkGuard {
  /** fs.constants.O_NOFOLLOW: undefined on Windows. */
  noFollow: number | undefined;
  lstat: (file: string) => Stats;
}

export const HOST: LinkGuard = { noFollow: constants.O_NOFOLLOW, lstat: lstatSync };

/** Creates the action's private folder under RUNNER_TEMP. */
export function createPrivateDir(runnerTemp: string | undefined): string {
  if (!runnerTemp) throw new Error('RUNNER_TEMP is not set: the runner provides it to every step');
  return mkdtempSync(path.join(runnerTemp, 'oidc-aws-credentials-'));
}

function refuseSymlink(file: string, guard: LinkGuard): void {
  try {
    if (guard.lstat(file).isSymbolicLink()) throw new Error(`refusing to write ${file}: it is a symbolic link`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Opens an existing file for reading, never through a symbolic link (or junction). */
function openNoFollow(file: string, guard: LinkGuard): number {
  if (guard.noFollow !== undefined) return openSync(file, constants.O_RDONLY | guard.noFollow);
  const looked = guard.lstat(file);
  if (looked.isSymbolicLink()) throw new Error(`refusing to read ${file}: it is a symbolic link`);
  const fd = openSync(file, constants.O_RDONLY);
  const opened = fstatSync(fd);
  if (opened.ino !== looked.ino || opened.dev !== looked.dev) {
    closeSync(fd);
    throw new Error(`refusing to read ${file}: it was replaced while being opened`);
  }
  return fd;
}

export function writeSecretFile(file: string, content: string, guard: LinkGuard = HOST): void {
  refuseSymlink(file, guard);
  // O_EXCL makes the name unique among writers (pid and time make a clash unlikely in the first place),
  // and it never follows a link, on Windows too: what is opened is a new file. rename replaces a link
  // that appeared at `file` since the look above, rather than writing through it.
  const temp = `${file}.${process.pid}.${process.hrtime.bigint()}.tmp`;
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, file);
  } catch (error) {
    unlinkSync(temp);
    throw error;
  }
}

/** Reads a file we wrote, refusing one that was swapped for a symlink. Undefined when it does not exist. */
export function readPrivateFile(file: string, guard: LinkGuard = HOST): string | undefined {
  let fd: number;
  try {
    fd = openNoFollow(file, guard);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
