// The record parser, on byte layouts written by hand, on buffers built in
// Windows' (4-byte aligned) and Wine's (2-byte packed) layouts, on damaged
// buffers, and on the buffers recorded under Wine where present.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Damage, filetimeToMs, parseRecords } from '../src/records.js';
import { buildBuffer, hex } from './record-builder.js';

describe('parseRecords: layouts written by hand', () => {
  it('reads one FILE_NOTIFY_INFORMATION record', () => {
    // NextEntryOffset 0, Action 1 (ADDED), FileNameLength 10, "a.txt" in UTF-16LE.
    const buf = hex('00000000 01000000 0a000000 6100 2e00 7400 7800 7400');
    expect(parseRecords(buf, false)).toEqual({ ok: true, records: [{ action: 1, name: 'a.txt', offset: 0 }] });
  });

  it('walks NextEntryOffset to a record that is not 4-byte aligned (Wine packs on 2)', () => {
    // Record 1: next 14 (12 + 2, no padding), action 4, name "a"; record 2 at byte 14: next 0, action 5, name "b".
    const buf = hex('0e000000 04000000 02000000 6100   00000000 05000000 02000000 6200');
    expect(parseRecords(buf, false)).toEqual({
      ok: true,
      records: [
        { action: 4, name: 'a', offset: 0 },
        { action: 5, name: 'b', offset: 14 },
      ],
    });
  });

  it('reads one FILE_NOTIFY_EXTENDED_INFORMATION record at its documented offsets', () => {
    const buf = new ArrayBuffer(84 + 4);
    const v = new DataView(buf);
    v.setUint32(4, 2, true); // Action: REMOVED
    v.setBigUint64(8, 1n, true); // CreationTime
    v.setBigUint64(16, 132_000_000_000_000_000n, true); // LastModificationTime
    v.setBigUint64(24, 3n, true); // LastChangeTime
    v.setBigUint64(32, 4n, true); // LastAccessTime
    v.setBigUint64(40, 4096n, true); // AllocatedLength
    v.setBigUint64(48, 123n, true); // FileSize
    v.setUint32(56, 0x10, true); // FileAttributes: directory
    v.setUint32(60, 0, true); // ReparsePointTag
    v.setBigUint64(64, 0x0001_0000_0000_002an, true); // FileId
    v.setBigUint64(72, 5n, true); // ParentFileId
    v.setUint32(80, 4, true); // FileNameLength
    v.setUint16(84, 0x64, true); // "d"
    v.setUint16(86, 0x31, true); // "1"
    const parsed = parseRecords(buf, true);
    expect(parsed.ok).toBe(true);
    expect(parsed.records).toEqual([
      {
        action: 2,
        name: 'd1',
        offset: 0,
        extended: {
          creationTime: 1n,
          lastModificationTime: 132_000_000_000_000_000n,
          lastChangeTime: 3n,
          lastAccessTime: 4n,
          allocatedLength: 4096n,
          fileSize: 123n,
          fileAttributes: 0x10,
          reparsePointTag: 0,
          fileId: 0x0001_0000_0000_002an,
          parentFileId: 5n,
        },
      },
    ]);
    // FILETIME of the Unix epoch, and one second after it.
    expect(filetimeToMs(116_444_736_000_000_000n)).toBe(0);
    expect(filetimeToMs(116_444_736_010_000_000n)).toBe(1000);
  });

  it('reads a record inside a larger buffer at an odd byte offset', () => {
    const inner = new Uint8Array(buildBuffer([{ action: 3, name: 'x' }]));
    const outer = new Uint8Array(inner.length + 3);
    outer.set(inner, 1);
    expect(parseRecords(outer.subarray(1, 1 + inner.length), false)).toEqual({ ok: true, records: [{ action: 3, name: 'x', offset: 0 }] });
  });

  it('reads an empty buffer as no records', () => {
    expect(parseRecords(new ArrayBuffer(0), false)).toEqual({ ok: true, records: [] });
  });
});

describe('parseRecords: built chains', () => {
  const names = ['a.txt', 'sub\\deeper\\b', 'ünï€-日本.txt', 'ab', 'x'];
  for (const extended of [false, true]) {
    for (const align of [4, 2] as const) {
      it(`${extended ? 'extended' : 'plain'} records, ${align === 4 ? 'aligned to 4 (Windows)' : 'packed on 2 (Wine)'}`, () => {
        const specs = names.map((name, i) => ({ action: (i % 5) + 1, name, fileId: BigInt(i + 1) }));
        const parsed = parseRecords(buildBuffer(specs, { extended, align }), extended);
        expect(parsed.ok).toBe(true);
        expect(parsed.records.map((r) => [r.action, r.name])).toEqual(specs.map((s) => [s.action, s.name]));
        if (extended) expect(parsed.records.map((r) => r.extended?.fileId)).toEqual([1n, 2n, 3n, 4n, 5n]);
        if (align === 2) expect(parsed.records.some((r) => r.offset % 4 !== 0)).toBe(true);
      });
    }
  }

  it('keeps names that are not valid UTF-16 exactly (lone surrogates), and valid pairs', () => {
    const odd = ['\uD800', 'a\uDC00b', 'x\uDBFF', '\uDFFF\uD800', '😀 ok'];
    const parsed = parseRecords(buildBuffer(odd.map((name) => ({ action: 1, name }))), false);
    expect(parsed.ok).toBe(true);
    expect(parsed.records.map((r) => r.name)).toEqual(odd);
    for (const [i, r] of parsed.records.entries()) expect([...r.name].map((c) => c.codePointAt(0))).toEqual([...odd[i]!].map((c) => c.codePointAt(0)));
  });

  it('reads a name longer than MAX_PATH (no 260-unit assumption, §6)', () => {
    const long = `${'d'.repeat(200)}\\${'e'.repeat(200)}\\${'f'.repeat(5000)}`;
    expect(parseRecords(buildBuffer([{ action: 1, name: long }]), false).records[0]!.name).toBe(long);
  });
});

describe('parseRecords: damaged buffers are values, never throws', () => {
  const good = new Uint8Array(
    buildBuffer(
      [
        { action: 1, name: 'first' },
        { action: 2, name: 'second' },
      ],
      { align: 4 },
    ),
  );
  const cases: [string, () => ArrayBuffer, Damage][] = [
    ['a header cut short', () => good.slice(0, 8).buffer, Damage.TRUNCATED_HEADER],
    ['a name cut short', () => good.slice(0, 16).buffer, Damage.TRUNCATED_NAME],
    ['the second record cut short', () => good.slice(0, good.length - 2).buffer, Damage.TRUNCATED_NAME],
    ['the second header cut short', () => good.slice(0, 24 + 4).buffer, Damage.TRUNCATED_HEADER],
    ['an odd FileNameLength', () => hex('00000000 01000000 03000000 610062'), Damage.ODD_NAME_LENGTH],
    ['NextEntryOffset into the record itself', () => hex('04000000 01000000 02000000 6100 0000'), Damage.OVERLAPPING_NEXT],
    ['NextEntryOffset past the end', () => hex('40000000 01000000 02000000 6100'), Damage.NEXT_PAST_END],
    ['a NUL in a name', () => hex('00000000 01000000 04000000 6100 0000'), Damage.NUL_IN_NAME],
  ];
  for (const [what, make, damage] of cases) {
    it(what, () => {
      const parsed = parseRecords(make(), false);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) {
        expect(parsed.damage).toBe(damage);
        expect(parsed.message).toMatch(/damaged at byte \d+/);
      }
    });
  }

  it('keeps the records before the damage', () => {
    const parsed = parseRecords(good.slice(0, good.length - 2).buffer, false);
    expect(parsed.records.map((r) => r.name)).toEqual(['first']);
  });

  it('never throws on random bytes, in either layout', () => {
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let n = 0; n < 3000; n++) {
      const bytes = new Uint8Array(rand() % 200);
      for (let i = 0; i < bytes.length; i++) bytes[i] = rand() & 0xff;
      // Small offsets and lengths now and then, so some chains get past the first record.
      if (bytes.length >= 12 && n % 2) {
        new DataView(bytes.buffer).setUint32(0, (rand() % 40) & ~1, true);
        new DataView(bytes.buffer).setUint32(8, (rand() % 20) & ~1, true);
      }
      expect(() => parseRecords(bytes.buffer, n % 3 === 0)).not.toThrow();
    }
  });
});

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const recorded = existsSync(fixtures) ? readdirSync(fixtures).filter((f) => /^wine-.*\.bin$/.test(f)) : [];

/** What the native helper's harness wrote beside each recorded buffer. */
interface Sidecar {
  extended: boolean;
  bytes: number;
  records: { nextEntryOffset: number; action: number; name: string }[];
}

describe.skipIf(recorded.length === 0)('parseRecords: buffers recorded under Wine (test/fixtures/wine-*.bin, with their .json)', () => {
  for (const file of recorded) {
    it(file, () => {
      const bytes = readFileSync(path.join(fixtures, file));
      const sidecar = JSON.parse(readFileSync(path.join(fixtures, file.replace(/\.bin$/, '.json')), 'utf8')) as Sidecar;
      expect(bytes.length).toBe(sidecar.bytes);
      const parsed = parseRecords(bytes, sidecar.extended);
      expect(parsed.ok).toBe(true);
      expect(parsed.records.map((r) => ({ action: r.action, name: r.name }))).toEqual(sidecar.records.map((r) => ({ action: r.action, name: r.name })));
      // The offsets the harness read back: Wine's packing (12 + name bytes, no padding).
      const offsets = sidecar.records.map((_, i) => sidecar.records.slice(0, i).reduce((sum, r) => sum + r.nextEntryOffset, 0));
      expect(parsed.records.map((r) => r.offset)).toEqual(offsets);
    });
  }
});
