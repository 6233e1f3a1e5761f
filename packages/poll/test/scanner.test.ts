// Behaviour of the directory-set scanner, run against both implementations
// (native addon and pure JS) with real files in os.tmpdir(). No sleeps: mtimes
// are set explicitly with utimesSync so comparisons are deterministic.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeName, toFsPath } from '@vigilfs/core';
import {
  JsDirSetScanner,
  NativeDirSetScanner,
  createDirSetScanner,
  loadNativeBinding,
  type DirChanges,
  type DirSetScanner,
  type ScannedEntry,
} from '../src/scanner/index.js';

const native = loadNativeBinding();
const strict = process.env.CI === 'true' || process.env.CI === '1';
if (!native.ok && strict) throw new Error(`the native scanner must load in CI: ${native.reason}`);

type Make = (options?: { followSymlinks?: boolean }) => DirSetScanner;
const implementations: [string, Make | undefined][] = [
  ['native', native.ok ? (o) => new NativeDirSetScanner(native.binding, o) : undefined],
  ['js', (o) => new JsDirSetScanner(o)],
];

/** Sorted, so assertions do not depend on readdir order (which is unspecified). */
function norm(changes: DirChanges[]) {
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return changes.map((c) => ({
    ...c,
    added: [...c.added].sort(byName),
    removed: [...c.removed].sort(),
    changed: [...c.changed].sort(byName),
  }));
}

function names(entries: ScannedEntry[]): string[] {
  return entries.map((e) => e.name).sort();
}

function expectedEntry(dir: string, name: string, follow = false): ScannedEntry {
  const p = path.join(dir, name);
  let st: fs.Stats;
  try {
    st = follow ? fs.statSync(p) : fs.lstatSync(p);
  } catch {
    st = fs.lstatSync(p);
  }
  const kind = st.isFile() ? 'file' : st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'symlink' : 'other';
  return { name, kind, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
}

describe.each(implementations)('%s scanner', (label, make) => {
  let root: string;
  let scanner: DirSetScanner;
  const open = (o?: { followSymlinks?: boolean }) => {
    scanner = make!(o);
    return scanner;
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), `vigil-scanner-${label}-`));
  });
  afterEach(() => {
    scanner?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it.skipIf(!make)('reports its kind', () => {
    expect(open().kind).toBe(label);
  });

  it.skipIf(!make)('reads a directory given twice in one scan once, also when the scan is split over threads', async () => {
    // Big enough (and with enough small directories around it) for the native
    // scan to run in two parts: both copies must not land in different parts.
    const big = path.join(root, 'big');
    fs.mkdirSync(big);
    for (let f = 0; f < 9000; f++) fs.writeFileSync(path.join(big, `f${f}`), '');
    const small = Array.from({ length: 20 }, (_, i) => path.join(root, `s${i}`));
    for (const d of small) fs.mkdirSync(d);
    const s = open();
    s.track([big, ...small]);
    await s.scan();
    for (let round = 0; round < 5; round++) {
      fs.writeFileSync(path.join(big, `new${round}`), '');
      const changes = await s.scan([big, ...small, big]);
      expect(changes.map((c) => [c.dir, names(c.added)])).toEqual([[big, [`new${round}`]]]);
    }
  });

  it.skipIf(!make)('first scan reports every entry as added, with exact stats', async () => {
    fs.writeFileSync(path.join(root, 'a.txt'), 'hello');
    fs.mkdirSync(path.join(root, 'sub'));
    fs.symlinkSync('a.txt', path.join(root, 'link'));
    fs.utimesSync(path.join(root, 'a.txt'), 1_700_000_000.123456, 1_700_000_000.123456);
    const s = open();
    s.track([root]);
    const result = norm(await s.scan());
    expect(result).toEqual([
      {
        dir: root,
        added: ['a.txt', 'link', 'sub'].map((n) => expectedEntry(root, n)),
        removed: [],
        changed: [],
      },
    ]);
    const a = result[0]!.added[0]!;
    expect(a.kind).toBe('file');
    expect(a.size).toBe(5);
    expect(a.mtimeMs).toBe(fs.lstatSync(path.join(root, 'a.txt')).mtimeMs);
    expect(a.mtimeMs % 1).not.toBe(0); // the sub-ms fraction survives
    expect(result[0]!.added.map((e) => e.kind)).toEqual(['file', 'symlink', 'directory']);
  });

  it.skipIf(!make)('an empty tracked directory and an unchanged one report nothing', async () => {
    const s = open();
    s.track([root]);
    expect(await s.scan()).toEqual([]);
    fs.writeFileSync(path.join(root, 'x'), 'x');
    expect(names((await s.scan())[0]!.added)).toEqual(['x']);
    expect(await s.scan()).toEqual([]);
    expect(await s.scan()).toEqual([]);
  });

  it.skipIf(!make)('reports additions, removals and size changes', async () => {
    for (const n of ['keep', 'gone', 'grow']) fs.writeFileSync(path.join(root, n), n);
    const s = open();
    s.track([root]);
    await s.scan();
    fs.writeFileSync(path.join(root, 'new'), 'new');
    fs.unlinkSync(path.join(root, 'gone'));
    fs.appendFileSync(path.join(root, 'grow'), ' more');
    expect(norm(await s.scan())).toEqual([{ dir: root, added: [expectedEntry(root, 'new')], removed: ['gone'], changed: [expectedEntry(root, 'grow')] }]);
    expect(await s.scan()).toEqual([]);
  });

  it.skipIf(!make)('reports a same-size rewrite by its later mtime', async () => {
    const p = path.join(root, 'same');
    fs.writeFileSync(p, 'aaaa');
    fs.utimesSync(p, 1_700_000_000, 1_700_000_000);
    const s = open();
    s.track([root]);
    await s.scan();
    fs.writeFileSync(p, 'bbbb');
    // 0.25 s later: exact in binary. (libuv truncates utimes to whole µs, and a
    // double near 1.7e9 s cannot hold +1 µs exactly, so "+0.000001" is a no-op.)
    fs.utimesSync(p, 1_700_000_000, 1_700_000_000.25);
    const [c] = await s.scan();
    expect(c!.changed).toEqual([expectedEntry(root, 'same')]);
    expect(c!.changed[0]!.size).toBe(4);
    expect(c!.added).toEqual([]);
    expect(c!.removed).toEqual([]);
  });

  it.skipIf(!make)('reports a replacement by rename as removed and added', async () => {
    fs.writeFileSync(path.join(root, 'a'), 'old');
    const s = open();
    s.track([root]);
    await s.scan();
    const oldIno = fs.lstatSync(path.join(root, 'a')).ino;
    fs.writeFileSync(path.join(root, 'a.tmp'), 'new');
    fs.renameSync(path.join(root, 'a.tmp'), path.join(root, 'a'));
    const [c] = await s.scan();
    expect(c!.removed).toEqual(['a']);
    expect(c!.added).toEqual([expectedEntry(root, 'a')]);
    expect(c!.added[0]!.ino).not.toBe(oldIno);
    expect(c!.changed).toEqual([]);
  });

  it.skipIf(!make)('reports a file replaced by a directory (even if the inode is reused)', async () => {
    fs.writeFileSync(path.join(root, 'a'), 'file');
    const s = open();
    s.track([root]);
    await s.scan();
    fs.unlinkSync(path.join(root, 'a'));
    fs.mkdirSync(path.join(root, 'a'));
    const [c] = await s.scan();
    expect(c!.removed).toEqual(['a']);
    expect(c!.added).toEqual([expectedEntry(root, 'a')]);
    expect(c!.added[0]!.kind).toBe('directory');
  });

  it.skipIf(!make)('a deleted tracked directory reports ENOENT once, with every name removed', async () => {
    const dir = path.join(root, 'd');
    fs.mkdirSync(dir);
    for (const n of ['x', 'y', 'z']) fs.writeFileSync(path.join(dir, n), n);
    const s = open();
    s.track([dir]);
    await s.scan();
    fs.rmSync(dir, { recursive: true });
    expect(norm(await s.scan())).toEqual([{ dir, added: [], removed: ['x', 'y', 'z'], changed: [], error: { errno: 'ENOENT', syscall: 'opendir' } }]);
    expect(await s.scan()).toEqual([]); // still gone: not reported again
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'w'), 'w');
    expect(norm(await s.scan())).toEqual([{ dir, added: [expectedEntry(dir, 'w')], removed: [], changed: [] }]);
  });

  it.skipIf(!make)('a tracked directory replaced by a file reports ENOTDIR', async () => {
    const dir = path.join(root, 'd');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'x'), 'x');
    const s = open();
    s.track([dir]);
    await s.scan();
    fs.rmSync(dir, { recursive: true });
    fs.writeFileSync(dir, 'now a file');
    expect(await s.scan()).toEqual([{ dir, added: [], removed: ['x'], changed: [], error: { errno: 'ENOTDIR', syscall: 'opendir' } }]);
  });

  it.skipIf(!make)('names with spaces, newlines, dashes and invalid UTF-8 round-trip byte-exact', async () => {
    const raw = [
      Buffer.from('with space'),
      Buffer.from('new\nline'),
      Buffer.from('-leading-dash'),
      Buffer.from([0x66, 0xff, 0x6f]),
      Buffer.from('日本語 ✓'),
      Buffer.from([0xed, 0xa0, 0x80, 0x2e, 0x74]), // an encoded surrogate: invalid UTF-8
    ];
    const rootBytes = Buffer.from(root);
    const join = (...parts: Buffer[]) => Buffer.concat(parts.flatMap((p, i) => (i ? [Buffer.from('/'), p] : [p])));
    for (const n of raw) fs.writeFileSync(join(rootBytes, n), n);
    // The tracked directory's own path is not valid UTF-8 either.
    const subBytes = Buffer.from([0x64, 0x69, 0x72, 0xfe]);
    fs.mkdirSync(join(rootBytes, subBytes));
    fs.writeFileSync(join(rootBytes, subBytes, raw[3]!), 'inner');
    const sub = decodeName(join(rootBytes, subBytes));

    const s = open();
    s.track([root, sub]);
    const result = await s.scan();
    const top = result.find((c) => c.dir === root)!;
    const got = top.added.map((e) => Buffer.from(toFsPath(e.name)));
    expect(got.map((b) => b.toString('hex')).sort()).toEqual([...raw, subBytes].map((b) => b.toString('hex')).sort());
    for (const e of top.added.filter((x) => x.kind === 'file')) {
      expect(fs.readFileSync(join(rootBytes, Buffer.from(toFsPath(e.name))))).toEqual(Buffer.from(toFsPath(e.name)));
    }
    const inner = result.find((c) => c.dir === sub)!;
    expect(inner.added.map((e) => Buffer.from(toFsPath(e.name)))).toEqual([raw[3]]);
    expect(inner.added[0]!.size).toBe(5);

    fs.unlinkSync(join(rootBytes, raw[3]!));
    const [after] = await s.scan([root]);
    expect(after!.removed.map((n) => Buffer.from(toFsPath(n)))).toEqual([raw[3]]);
  });

  it.skipIf(!make)('lstats by default; followSymlinks stats through links, falling back for dangling and looping ones', async () => {
    fs.mkdirSync(path.join(root, 'target-dir'));
    fs.writeFileSync(path.join(root, 'target-file'), '12345678');
    fs.symlinkSync('target-dir', path.join(root, 'to-dir'));
    fs.symlinkSync('target-file', path.join(root, 'to-file'));
    fs.symlinkSync('missing', path.join(root, 'dangling'));
    fs.symlinkSync('loop', path.join(root, 'loop'));
    const kinds = (c: DirChanges) => Object.fromEntries(c.added.map((e) => [e.name, e.kind]));

    const plain = open();
    plain.track([root]);
    const [p] = await plain.scan();
    expect(kinds(p!)).toEqual({
      'target-dir': 'directory',
      'target-file': 'file',
      'to-dir': 'symlink',
      'to-file': 'symlink',
      dangling: 'symlink',
      loop: 'symlink',
    });
    plain.close();

    const follow = open({ followSymlinks: true });
    follow.track([root]);
    const [f] = await follow.scan();
    expect(kinds(f!)).toEqual({
      'target-dir': 'directory',
      'target-file': 'file',
      'to-dir': 'directory',
      'to-file': 'file',
      dangling: 'symlink',
      loop: 'symlink',
    });
    const toDir = f!.added.find((e) => e.name === 'to-dir')!;
    const targetDir = fs.statSync(path.join(root, 'target-dir'));
    expect([toDir.dev, toDir.ino]).toEqual([targetDir.dev, targetDir.ino]); // what loop detection needs
    expect(f!.added.find((e) => e.name === 'to-file')!.size).toBe(8);
    for (const e of f!.added) expect(e).toEqual(expectedEntry(root, e.name, true));

    // Retargeting a followed link is a replacement (new identity).
    fs.unlinkSync(path.join(root, 'to-file'));
    fs.symlinkSync('target-dir', path.join(root, 'to-file'));
    const [r] = await follow.scan();
    expect(r!.removed).toEqual(['to-file']);
    expect(r!.added.map((e) => [e.name, e.kind])).toEqual([['to-file', 'directory']]);
  });

  it.skipIf(!make)('untrack forgets a directory; tracking it again starts from an empty baseline', async () => {
    const a = path.join(root, 'a');
    const b = path.join(root, 'b');
    fs.mkdirSync(a);
    fs.mkdirSync(b);
    fs.writeFileSync(path.join(a, '1'), '1');
    fs.writeFileSync(path.join(b, '1'), '1');
    const s = open();
    s.track([a, b]);
    expect((await s.scan()).map((c) => c.dir)).toEqual([a, b]); // tracking order
    s.untrack([a, path.join(root, 'never-tracked')]);
    fs.writeFileSync(path.join(a, '2'), '2');
    fs.writeFileSync(path.join(b, '2'), '2');
    expect((await s.scan()).map((c) => [c.dir, names(c.added)])).toEqual([[b, ['2']]]);
    expect(await s.scan([a])).toEqual([]); // not tracked: ignored
    s.track([a]);
    expect((await s.scan([a])).map((c) => [c.dir, names(c.added)])).toEqual([[a, ['1', '2']]]);
  });

  it.skipIf(!make)('scan(dirs) reads only those, in the order given', async () => {
    const a = path.join(root, 'a');
    const b = path.join(root, 'b');
    fs.mkdirSync(a);
    fs.mkdirSync(b);
    const s = open();
    s.track([a, b]);
    await s.scan();
    fs.writeFileSync(path.join(a, 'x'), 'x');
    fs.writeFileSync(path.join(b, 'y'), 'y');
    expect((await s.scan([a])).map((c) => c.dir)).toEqual([a]);
    fs.writeFileSync(path.join(a, 'z'), 'z');
    expect((await s.scan([b, a])).map((c) => [c.dir, names(c.added)])).toEqual([
      [b, ['y']],
      [a, ['z']],
    ]);
  });

  it.skipIf(!make)('track/untrack during a scan take effect for the next scan; scans are serialized', async () => {
    const a = path.join(root, 'a');
    const b = path.join(root, 'b');
    const c = path.join(root, 'c');
    for (const d of [a, b, c]) {
      fs.mkdirSync(d);
      fs.writeFileSync(path.join(d, 'f'), 'f');
    }
    const s = open();
    s.track([a, b]);
    const first = s.scan();
    s.track([c]); // not part of the scan in flight
    s.untrack([b]); // its changes from the scan in flight are dropped
    const second = s.scan(); // waits for the first, never rejects
    expect((await first).map((x) => x.dir)).toEqual([a]);
    expect((await second).map((x) => x.dir)).toEqual([c]);
    // Two queued scans: the change is reported once, by the first.
    fs.writeFileSync(path.join(a, 'g'), 'g');
    const [p, q] = await Promise.all([s.scan(), s.scan()]);
    expect(p!.map((x) => [x.dir, names(x.added)])).toEqual([[a, ['g']]]);
    expect(q).toEqual([]);
  });

  it.skipIf(!make)('diffs large directories whose order and names change', async () => {
    const s = open();
    s.track([root]);
    for (let i = 0; i < 400; i++) fs.writeFileSync(path.join(root, `f${i}`), '');
    expect((await s.scan())[0]!.added).toHaveLength(400);
    // Same count, different names: forces the sorted comparison.
    for (let i = 0; i < 100; i++) fs.renameSync(path.join(root, `f${i}`), path.join(root, `g${i}`));
    for (let i = 100; i < 150; i++) fs.writeFileSync(path.join(root, `f${i}`), 'grown');
    const [c] = norm(await s.scan());
    expect(c!.removed).toEqual(Array.from({ length: 100 }, (_, i) => `f${i}`).sort());
    expect(names(c!.added)).toEqual(Array.from({ length: 100 }, (_, i) => `g${i}`).sort());
    expect(names(c!.changed)).toEqual(Array.from({ length: 50 }, (_, i) => `f${i + 100}`).sort());
    // Renamed, so identity kept: same inodes as before under new names.
    expect(await s.scan()).toEqual([]);
  });

  it.skipIf(!make)('close rejects scans in flight and later calls', async () => {
    fs.writeFileSync(path.join(root, 'x'), 'x');
    const s = open();
    s.track([root]);
    const inFlight = s.scan();
    const queued = s.scan();
    s.close();
    await expect(inFlight).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(queued).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(s.scan()).rejects.toMatchObject({ name: 'VigilError', code: 'CLOSED' });
    expect(() => s.track([root])).toThrow(expect.objectContaining({ code: 'CLOSED' }));
    expect(() => s.untrack([root])).toThrow(expect.objectContaining({ code: 'CLOSED' }));
    s.close(); // idempotent
  });
});

describe.skipIf(!native.ok)('native and JS scanners agree', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-scanner-agree-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('give identical results on the same tree, step by step', async () => {
    const dirs = [root, path.join(root, 'a'), path.join(root, 'a', 'b'), path.join(root, 'gone')];
    for (const d of dirs.slice(1)) fs.mkdirSync(d, { recursive: true });
    for (const [i, d] of dirs.entries()) for (let j = 0; j < 20; j++) fs.writeFileSync(path.join(d, `f${j}`), 'x'.repeat(i + j));
    fs.symlinkSync('a', path.join(root, 'link'));
    const scanners = [new NativeDirSetScanner((native as Extract<typeof native, { ok: true }>).binding), new JsDirSetScanner()];
    const both = async () => {
      const [n, j] = await Promise.all(scanners.map((s) => s.scan()));
      expect(norm(n!)).toEqual(norm(j!));
      return n!;
    };
    try {
      for (const s of scanners) s.track(dirs);
      expect((await both()).length).toBe(4);
      fs.rmSync(path.join(root, 'gone'), { recursive: true });
      fs.writeFileSync(path.join(root, 'a', 'f3'), 'changed content');
      fs.unlinkSync(path.join(root, 'a', 'b', 'f1'));
      fs.mkdirSync(path.join(root, 'a', 'b', 'f1'));
      expect((await both()).length).toBe(4); // root's mtime changed too ('gone' removed)
      expect(await both()).toEqual([]);
    } finally {
      for (const s of scanners) s.close();
    }
  });
});

describe('createDirSetScanner', () => {
  it('prefers native when it loads, and JS when asked, saying why', () => {
    const auto = createDirSetScanner();
    expect(auto.kind).toBe(native.ok ? 'native' : 'js');
    if (!native.ok) expect(auto.nativeUnavailableReason).toContain('vigil_poll');
    auto.close();
    const js = createDirSetScanner({ prefer: 'js', followSymlinks: true });
    expect(js.kind).toBe('js');
    expect(js.nativeUnavailableReason).toBe("'js' was preferred");
    js.close();
  });
});
