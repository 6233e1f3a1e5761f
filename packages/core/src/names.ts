/**
 * Lossless names (R12).
 *
 * POSIX: a file name is any byte string without `/` or NUL; it need not be
 * valid UTF-8. JavaScript strings are UTF-16, and Node turns invalid bytes
 * into U+FFFD, after which the file can no longer be opened. vigil decodes
 * names the way Python's `surrogateescape` does: every byte that is not part
 * of a valid UTF-8 sequence becomes the lone surrogate U+DC80+byte
 * (0x80..0xFF → U+DC80..U+DCFF). Valid names are untouched, so this costs
 * nothing for them; {@link posixFsPath} turns such a string back into the
 * exact bytes.
 *
 * Windows: a name is a sequence of UTF-16 units, not necessarily valid UTF-16
 * (a lone surrogate is allowed). A JS string holds it exactly, so names are
 * reported as the OS gave them. To hand such a name back to `fs`, Node's own
 * string conversion would replace the lone surrogate with U+FFFD; libuv reads
 * a Buffer path as WTF-8 (UTF-8 extended to lone surrogates), so
 * {@link win32FsPath} encodes it that way.
 */

/**
 * The bytes of a path, as `fs` takes them: a `Buffer` at run time. Typed as
 * Node's `Buffer` where @types/node is present and as `Uint8Array` where it is
 * not, so vigil's types need nothing from @types/node.
 */
export type FsPathBytes = typeof globalThis extends { Buffer: { prototype: infer B } } ? B : Uint8Array;

const LONE_ESCAPE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;
/** Any low surrogate in the escape range: a cheap first look before the exact test. */
const ANY_ESCAPE_RANGE = /[\uDC80-\uDCFF]/;
/** A surrogate that is not half of a pair. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Decodes a POSIX name or path from the bytes the OS gave, losslessly (see the module doc). */
export function decodePosixName(bytes: Uint8Array): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fast = buf.toString('utf8');
  // U+FFFD in the output means either an invalid sequence or a real U+FFFD in the
  // name; only then is the slow exact decoder needed.
  if (!fast.includes('\uFFFD')) return fast;
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

/** True when a POSIX path carries escaped bytes and must be passed to `fs` as a Buffer. */
export function hasEscapedBytes(path: string): boolean {
  return ANY_ESCAPE_RANGE.test(path) && LONE_ESCAPE.test(path);
}

/**
 * The exact bytes of a POSIX path decoded by {@link decodePosixName}. Returns
 * the string itself when it holds no escaped bytes, so it can be handed to
 * any `fs` call.
 */
export function posixFsPath(path: string): string | FsPathBytes {
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
  return Buffer.concat(parts) as FsPathBytes;
}

/**
 * A Windows path for `fs`: the string itself, or, when it holds a lone
 * surrogate, its WTF-8 bytes (each lone surrogate as the 3-byte sequence
 * UTF-8 would give it if it were a code point), which libuv turns back into
 * the exact UTF-16.
 */
export function win32FsPath(path: string): string | FsPathBytes {
  if (!LONE_SURROGATE.test(path)) return path;
  const bytes: number[] = [];
  for (let i = 0; i < path.length; i++) {
    let c = path.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < path.length) {
      const d = path.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) bytes.push(c);
    else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Buffer.from(bytes) as FsPathBytes;
}
