// The files `slotcp serve` writes (--pcap, --stats) are often written by root into shared
// directories such as /tmp, and the pcap holds every payload byte. So they are made new,
// mode 0600, with O_EXCL|O_NOFOLLOW: a symlink planted at the path (or at a temporary
// name) is never followed, and an existing file is replaced only when asked (--overwrite),
// and then only a regular file, by unlinking it and making a new one.
import { closeSync, constants, lstatSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './args';

const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
export const FILE_MODE = 0o600;

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Throws a UsageError naming `flag` when `path` may not be (re)placed: a symlink or
 *  other non-regular file always, an existing regular file unless `overwrite`. Returns
 *  whether a regular file is there. */
export function checkTarget(path: string, flag: string, overwrite: boolean): boolean {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new UsageError(`${flag}: cannot check ${path}: ${message(err)}`);
  }
  if (stat.isSymbolicLink()) throw new UsageError(`${flag}: ${path} is a symbolic link (not following it)`);
  if (!stat.isFile()) throw new UsageError(`${flag}: ${path} exists and is not a regular file`);
  if (!overwrite) throw new UsageError(`${flag}: ${path} exists (give --overwrite to replace it)`);
  return true;
}

/** Makes `path` a new empty file, mode 0600, and returns its descriptor (see the top). */
export function createNewFile(path: string, flag: string, overwrite: boolean): number {
  if (checkTarget(path, flag, overwrite)) {
    try {
      unlinkSync(path);
    } catch (err) {
      throw new UsageError(`${flag}: cannot replace ${path}: ${message(err)}`);
    }
  }
  try {
    return openSync(path, CREATE_NEW, FILE_MODE);
  } catch (err) {
    throw new UsageError(`${flag}: cannot create ${path}: ${message(err)}`);
  }
}

/** A new file beside `path` under a name nobody can guess (so nobody can plant a symlink
 *  there first), mode 0600. Returns its name and descriptor. */
function temporaryBeside(path: string): { name: string; fd: number } {
  const name = join(dirname(path), `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  return { name, fd: openSync(name, CREATE_NEW, FILE_MODE) };
}

/** Replaces `path` whole with `text` (a temporary file renamed over it, so a reader never
 *  sees half a file; rename replaces a symlink at `path` itself, never its target).
 *  Throws the system error on failure, leaving no temporary file behind. */
export function replaceFile(path: string, text: string): void {
  const { name, fd } = temporaryBeside(path);
  try {
    try {
      const bytes = Buffer.from(text);
      for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at);
    } finally {
      closeSync(fd);
    }
    renameSync(name, path);
  } catch (err) {
    try { unlinkSync(name); } catch { /* already gone */ }
    throw err;
  }
}

/** Checks, before anything is bound, that `path` can later be replaced by replaceFile():
 *  the target rules of checkTarget(), and a temporary file can be made (then removed)
 *  in its directory. */
export function checkReplaceable(path: string, flag: string, overwrite: boolean): void {
  checkTarget(path, flag, overwrite);
  let temporary: { name: string; fd: number };
  try {
    temporary = temporaryBeside(path);
  } catch (err) {
    throw new UsageError(`${flag}: cannot write in ${dirname(path)}: ${message(err)}`);
  }
  closeSync(temporary.fd);
  unlinkSync(temporary.name);
}
