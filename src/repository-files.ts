// The only way the trust check reads files. Whoever opens a pull request controls every file and link in
// it, so each path is resolved with its links followed and read only when it lands inside the repository
// root, is a regular file and is no larger than MAX_FILE_BYTES. A refusal names the path as given and
// never holds a byte of what is there. Used by the entry point only: readers get it as PolicyFiles.
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { PolicyFiles } from './policies/found.ts';

/** Policies and workflows are kilobytes; a `terraform show -json` plan of a large estate is a few MiB. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

/** A path the check does not read: missing, or refused (outside the root, not a regular file, too large). */
export class RepositoryFileError extends Error {
  readonly missing: boolean;
  constructor(message: string, missing = false) {
    super(message);
    this.missing = missing;
  }
}

export interface RepositoryFiles extends PolicyFiles {
  /** The repository root, links resolved. */
  readonly root: string;
  /** Whether a path, as written (links not followed), lies outside the root: for advice, not for reading. */
  outside(given: string): boolean;
}

// O_NONBLOCK: a FIFO swapped in after the check below still cannot make open() wait for a writer.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

export function repositoryFiles(root: string, maxBytes = MAX_FILE_BYTES): RepositoryFiles {
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch (error) {
    throw new RepositoryFileError(`the repository root ${root} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // A folder reached again under another name (a link to it, or to a folder above it) would be walked
  // again, and a link back up would be walked without end: each folder is listed under one name only.
  const listedAs = new Map<string, string>();

  const escapes = (real: string) => {
    const relative = path.relative(realRoot, real);
    return relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  };

  /** The path with every link followed, when it lies inside the root. */
  const inside = (given: string): string => {
    let real: string;
    try {
      real = realpathSync(path.resolve(given));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new RepositoryFileError(`${given}: no such file or folder`, true);
      throw new RepositoryFileError(`${given}: cannot be resolved (${code ?? 'error'})`);
    }
    if (escapes(real)) {
      throw new RepositoryFileError(`${given} is outside the repository root ${realRoot} (links followed): not read`);
    }
    return real;
  };

  return {
    root: realRoot,
    outside(given) {
      // As written, from the working folder: a link inside the repository that leads out is the reader's to refuse.
      const cwd = process.cwd();
      return escapes(path.join(realRoot, path.relative(path.resolve(cwd, path.relative(realpathSync(cwd), realRoot)), path.resolve(given))));
    },
    read(file) {
      const real = inside(file);
      const kind = statSync(real);
      if (kind.isDirectory()) throw new RepositoryFileError(`${file} is a folder, not a file`);
      if (!kind.isFile()) throw new RepositoryFileError(`${file} is not a regular file (a device, FIFO or socket): not read`);
      const tooLarge = () => new RepositoryFileError(`${file} is larger than the limit of ${maxBytes} bytes: not read`);
      if (kind.size > maxBytes) throw tooLarge();
      const fd = openSync(real, READ_FLAGS);
      try {
        const opened = fstatSync(fd);
        if (!opened.isFile()) throw new RepositoryFileError(`${file} is not a regular file (a device, FIFO or socket): not read`);
        // Read until the end or one byte past the limit, whatever the size said: a file can grow after the
        // stat, and /proc's files say 0.
        const chunks: Buffer[] = [];
        let length = 0;
        for (;;) {
          const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes + 1 - length));
          const n = readSync(fd, chunk, 0, chunk.length, null);
          if (n === 0) break;
          chunks.push(chunk.subarray(0, n));
          length += n;
          if (length > maxBytes) throw tooLarge();
        }
        return Buffer.concat(chunks, length).toString('utf8');
      } finally {
        closeSync(fd);
      }
    },
    list(dir) {
      const real = inside(dir);
      const key = path.resolve(dir);
      const first = listedAs.get(real);
      if (first !== undefined && first !== key) throw new RepositoryFileError(`${dir} is the folder ${path.relative(process.cwd(), first) || '.'} again, reached through a link: read once`);
      listedAs.set(real, key);
      return readdirSync(real).sort();
    },
    isDirectory(p) {
      return statSync(inside(p)).isDirectory();
    },
  };
}
