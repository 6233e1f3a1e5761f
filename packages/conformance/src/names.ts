/**
 * Byte-exact names for scenarios (R12). A scenario writes a name that is not
 * valid UTF-8 as `"f\xff"`; the suite carries it as a string in which each such
 * byte is the lone surrogate U+DC00+byte (Python's `surrogateescape`, the
 * representation vigil documents for event paths), and turns it back into bytes
 * for every `fs` call. Written here independently of vigil's own decoder, so a
 * bug there cannot hide behind the same bug in the suite.
 */

const LONE = /[\uDC80-\uDCFF]/;

/** The bytes of a surrogate-escaped name. */
export function toBytes(name: string): Buffer {
  if (!LONE.test(name)) return Buffer.from(name, 'utf8');
  const parts: Buffer[] = [];
  let run = '';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const prev = i > 0 ? name.charCodeAt(i - 1) : 0;
    if (c >= 0xdc80 && c <= 0xdcff && !(prev >= 0xd800 && prev <= 0xdbff)) {
      if (run) parts.push(Buffer.from(run, 'utf8'));
      run = '';
      parts.push(Buffer.from([c - 0xdc00]));
    } else {
      run += name[i];
    }
  }
  if (run) parts.push(Buffer.from(run, 'utf8'));
  return Buffer.concat(parts);
}

/** What to hand to `fs` for a (possibly escaped) path: the string itself, or its bytes. */
export function fsPath(name: string): string | Buffer {
  return LONE.test(name) ? toBytes(name) : name;
}

/** Decodes bytes from the OS: valid UTF-8 as text, every other byte as U+DC00+byte. */
export function fromBytes(bytes: Buffer): string {
  const fast = bytes.toString('utf8');
  if (!fast.includes('\uFFFD')) return fast;
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const n = utf8Length(bytes, i);
    if (n === 0) {
      out += String.fromCharCode(0xdc00 + bytes[i]!);
      i++;
    } else {
      out += bytes.toString('utf8', i, i + n);
      i += n;
    }
  }
  return out;
}

/** Length of the well-formed UTF-8 sequence starting at `i` (0 if none does). */
function utf8Length(b: Buffer, i: number): number {
  const b0 = b[i]!;
  const tail = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const x = b[i + k];
    return x !== undefined && x >= lo && x <= hi;
  };
  if (b0 < 0x80) return 1;
  if (b0 >= 0xc2 && b0 <= 0xdf) return tail(1) ? 2 : 0;
  if (b0 === 0xe0) return tail(1, 0xa0) && tail(2) ? 3 : 0;
  if (b0 === 0xed) return tail(1, 0x80, 0x9f) && tail(2) ? 3 : 0;
  if (b0 >= 0xe1 && b0 <= 0xef) return tail(1) && tail(2) ? 3 : 0;
  if (b0 === 0xf0) return tail(1, 0x90) && tail(2) && tail(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return tail(1) && tail(2) && tail(3) ? 4 : 0;
  if (b0 === 0xf4) return tail(1, 0x80, 0x8f) && tail(2) && tail(3) ? 4 : 0;
  return 0;
}

/** A name as a scenario would write it: quoted, with escapes, when it needs them. */
export function showName(name: string): string {
  if (/^[A-Za-z0-9._/+@,:-]+$/.test(name) && !name.startsWith('-')) return name;
  let out = '"';
  for (const ch of name) {
    const c = ch.charCodeAt(0);
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch.length === 1 && c >= 0xdc80 && c <= 0xdcff) out += `\\x${(c - 0xdc00).toString(16)}`;
    else if (c < 0x20) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
