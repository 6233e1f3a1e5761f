/**
 * Lossless names (R12). A file name on Linux is any byte string without `/` or
 * NUL; it need not be valid UTF-8. JavaScript strings are UTF-16, and Node turns
 * invalid bytes into U+FFFD, after which the file can no longer be opened.
 *
 * vigil decodes names the way Python's `surrogateescape` does: every byte that
 * is not part of a valid UTF-8 sequence becomes the lone surrogate U+DC80+byte
 * (0x80..0xFF → U+DC80..U+DCFF). Valid names are untouched, so this costs
 * nothing for them; `toFsPath()` turns such a string back into the exact bytes.
 */

const LONE_ESCAPE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;
/** Any low surrogate in the escape range: a cheap first look before the exact test. */
const ANY_ESCAPE_RANGE = /[\uDC80-\uDCFF]/;

/** Decodes a name or path from the bytes the OS gave, losslessly (see module doc). */
export function decodeName(bytes: Uint8Array): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fast = buf.toString('utf8');
  // U+FFFD in the output means either an invalid sequence or a real U+FFFD in the
  // name; only then is the slow exact decoder needed.
  if (!fast.includes('\uFFFD')) return fast;
  return decodeSlow(buf);
}

function decodeSlow(buf: Buffer): string {
  let out = '';
  let i = 0;
  while (i < buf.length) {
    const len = validSequenceLength(buf, i);
    if (len === 0) {
      out += String.fromCharCode(0xdc00 + buf[i]!);
      i += 1;
    } else {
      out += buf.toString('utf8', i, i + len);
      i += len;
    }
  }
  return out;
}

/** Length of the valid UTF-8 sequence at `i`, or 0 if the byte there starts none. */
function validSequenceLength(buf: Buffer, i: number): number {
  const b0 = buf[i]!;
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const b = buf[i + k];
    return b !== undefined && b >= lo && b <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0; // no UTF-16 surrogates
  if (b0 >= 0xe1 && b0 <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** True when a path carries escaped bytes and must be passed to `fs` as a Buffer. */
export function hasEscapedBytes(path: string): boolean {
  return ANY_ESCAPE_RANGE.test(path) && LONE_ESCAPE.test(path);
}

/**
 * The exact bytes of a path decoded by {@link decodeName}. Returns the string
 * itself when it holds no escaped bytes, so it can be handed to any `fs` call.
 */
export function toFsPath(path: string): string | Buffer {
  if (!hasEscapedBytes(path)) return path;
  const parts: Buffer[] = [];
  let run = '';
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    const prev = i > 0 ? path.charCodeAt(i - 1) : 0;
    if (c >= 0xdc80 && c <= 0xdcff && !(prev >= 0xd800 && prev <= 0xdbff)) {
      if (run) parts.push(Buffer.from(run, 'utf8'));
      run = '';
      parts.push(Buffer.from([c - 0xdc00]));
    } else {
      run += path[i];
    }
  }
  if (run) parts.push(Buffer.from(run, 'utf8'));
  return Buffer.concat(parts);
}

/** Joins a directory path and one entry name (both already decoded). */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') || dir.endsWith('\\') ? dir + name : `${dir}${PATH_SEPARATOR}${name}`;
}

/** The separator vigil's paths use: the platform's. */
export const PATH_SEPARATOR: '/' | '\\' = process.platform === 'win32' ? '\\' : '/';

/** The parent directory of an absolute path (itself for a filesystem root). */
export function parentPath(path: string): string {
  const i = path.lastIndexOf(PATH_SEPARATOR);
  if (i <= 0) return path.slice(0, 1) || PATH_SEPARATOR;
  return path.slice(0, i);
}

/** The last component of a path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf(PATH_SEPARATOR) + 1);
}

/** True when `path` is `ancestor` or lies below it. */
export function isWithin(path: string, ancestor: string): boolean {
  if (path === ancestor) return true;
  const prefix = ancestor.endsWith(PATH_SEPARATOR) ? ancestor : ancestor + PATH_SEPARATOR;
  return path.startsWith(prefix);
}

/** `path` relative to `root` with `/` separators ('' for the root itself). */
export function relativeTo(root: string, path: string): string {
  if (path === root) return '';
  const rel = path.slice(root.endsWith(PATH_SEPARATOR) ? root.length : root.length + 1);
  return PATH_SEPARATOR === '/' ? rel : rel.split(PATH_SEPARATOR).join('/');
}
