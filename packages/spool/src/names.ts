import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ErrorCode, VigilError } from '@vigilfs/core';

/**
 * Maildir-style unique names: `<sec>.M<usec>P<pid>Q<seq>R<random>.<host>`.
 *
 * Each part rules out one kind of collision: the time separates runs of a
 * recycled pid, the pid separates processes on one host, the per-process
 * sequence separates names made within one microsecond, 64 random bits cover
 * clock steps backwards and pid namespaces (containers share a spool across
 * pid 1s), and the host separates machines sharing a filesystem. Because the
 * name starts with zero-padded seconds and microseconds, sorting names sorts
 * them by creation time on one host.
 */

let sequence = 0;

/** The host part of a name, with `/` and `:` escaped as maildir does (`\057`, `\072`). */
export function hostPart(host: string = hostname()): string {
  const h = host.replace(/\\/g, '\\134').replace(/\//g, '\\057').replace(/:/g, '\\072');
  return h === '' ? 'localhost' : h;
}

/**
 * A name that no other process, on this host or another sharing the spool,
 * generates: see the module comment for the format.
 */
export function uniqueName(host?: string): string {
  const nowUs = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
  const sec = (nowUs / 1_000_000n).toString().padStart(10, '0');
  const usec = (nowUs % 1_000_000n).toString().padStart(6, '0');
  sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER;
  const random = randomBytes(8).toString('hex');
  return `${sec}.M${usec}P${process.pid}Q${sequence}R${random}.${hostPart(host)}`;
}

/**
 * Throws `INVALID_OPTION` unless `name` is a single path component: non-empty,
 * not `.` or `..`, without a separator or NUL. Any other character is fine
 * (spaces, newlines, leading dashes, non-UTF-8 bytes carried as lone
 * surrogates; see `decodeName` in @vigilfs/core).
 */
export function assertValidName(name: unknown): asserts name is string {
  const bad =
    typeof name !== 'string' ||
    name === '' ||
    name === '.' ||
    name === '..' ||
    name.includes('/') ||
    name.includes('\0') ||
    (process.platform === 'win32' && name.includes('\\'));
  if (bad) {
    throw new VigilError(ErrorCode.INVALID_OPTION, `invalid spool file name ${JSON.stringify(name)}: must be one non-empty path component`);
  }
}
