// Files that hold credentials: created 0600 inside a 0700 folder of our own under RUNNER_TEMP, written
// to a fresh temporary file and renamed into place (readers never see half a file), never through a
// symlink. Light on purpose: the credential helper's fast path loads this and nothing else.
import { constants, lstatSync, mkdtempSync, openSync, closeSync, readFileSync, renameSync, writeSync, unlinkSync } from 'node:fs';
import path from 'node:path';

/** Creates the action's private folder under RUNNER_TEMP. */
export function createPrivateDir(runnerTemp: string | undefined): string {
  if (!runnerTemp) throw new Error('RUNNER_TEMP is not set: the runner provides it to every step');
  return mkdtempSync(path.join(runnerTemp, 'oidc-aws-credentials-'));
}

function refuseSymlink(file: string): void {
  try {
    if (lstatSync(file).isSymbolicLink()) throw new Error(`refusing to write ${file}: it is a symbolic link`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

export function writeSecretFile(file: string, content: string): void {
  refuseSymlink(file);
  // O_EXCL makes the name unique among writers; pid and time make a clash unlikely in the first place.
  const temp = `${file}.${process.pid}.${process.hrtime.bigint()}.tmp`;
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
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
export function readPrivateFile(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
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
