// The mask table, walked exhaustively: every bit and every pairing with
// IN_ISDIR maps to a meaning, unknown bits map to `ignore`, nothing throws.
import { describe, expect, it } from 'vitest';
import { IN } from '../src/constants.js';
import { Meaning, WATCH_MASK, meaningOf } from '../src/backend/mask-table.js';

describe('mask table', () => {
  it('gives every single bit, with and without IN_ISDIR, a meaning and never throws', () => {
    const meanings = new Set<string>(Object.values(Meaning));
    for (let bit = 0; bit < 32; bit++) {
      const mask = (1 << bit) >>> 0;
      expect(meanings.has(meaningOf(mask))).toBe(true);
      expect(meanings.has(meaningOf((mask | IN.IN_ISDIR) >>> 0))).toBe(true);
    }
    expect(meaningOf(0)).toBe(Meaning.IGNORE);
    expect(meaningOf(0xffffffff)).toBe(Meaning.OVERFLOW);
  });

  it('maps the records vigil acts on', () => {
    expect(meaningOf(IN.IN_CREATE)).toBe(Meaning.CREATE);
    expect(meaningOf(IN.IN_CREATE | IN.IN_ISDIR)).toBe(Meaning.CREATE);
    expect(meaningOf(IN.IN_DELETE)).toBe(Meaning.DELETE);
    expect(meaningOf(IN.IN_MOVED_FROM)).toBe(Meaning.MOVED_FROM);
    expect(meaningOf(IN.IN_MOVED_TO | IN.IN_ISDIR)).toBe(Meaning.MOVED_TO);
    expect(meaningOf(IN.IN_MODIFY)).toBe(Meaning.MODIFY);
    expect(meaningOf(IN.IN_CLOSE_WRITE)).toBe(Meaning.CLOSE_WRITE);
    expect(meaningOf(IN.IN_DELETE_SELF)).toBe(Meaning.SELF_GONE);
    expect(meaningOf(IN.IN_MOVE_SELF)).toBe(Meaning.SELF_GONE);
    expect(meaningOf(IN.IN_Q_OVERFLOW)).toBe(Meaning.OVERFLOW);
    expect(meaningOf(IN.IN_IGNORED)).toBe(Meaning.WATCH_REMOVED);
    expect(meaningOf(IN.IN_UNMOUNT | IN.IN_IGNORED)).toBe(Meaning.UNMOUNT);
  });

  it('leaves metadata, access and opens alone (R2: metadata is not content)', () => {
    for (const bit of [IN.IN_ATTRIB, IN.IN_ACCESS, IN.IN_OPEN, IN.IN_CLOSE_NOWRITE, 0x1000, 0x80000000]) {
      expect(meaningOf(bit >>> 0)).toBe(Meaning.IGNORE);
    }
  });

  it('watches with a mask that never follows symlinks or watches non-directories', () => {
    expect(WATCH_MASK & IN.IN_DONT_FOLLOW).toBeTruthy();
    expect(WATCH_MASK & IN.IN_ONLYDIR).toBeTruthy();
    expect(WATCH_MASK & IN.IN_EXCL_UNLINK).toBeTruthy();
    expect(WATCH_MASK & IN.IN_ATTRIB).toBe(0);
  });
});
