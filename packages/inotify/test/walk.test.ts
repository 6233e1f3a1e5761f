import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { toFsPath } from '@vigilfs/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DT, IN, Inotify, walkAndWatch, watchTree, type WalkResult } from '../src/index.js';
import { Collector, makeTempDir } from './helpers.js';

let tmp: { dir: string; cleanup: () => void };
let ino: Inotify;
const MASK = IN.IN_CREATE | IN.IN_DELETE | IN.IN_MOVE | IN.IN_ONLYDIR | IN.IN_DONT_FOLLOW;

beforeEach(() => {
  tmp = makeTempDir();
  ino = new Inotify();
});

afterEach(async () => {
  await ino.close();
  tmp.cleanup();
});

/** A small tree: 3 levels, files, a symlink, a FIFO, a name that is not UTF-8. */
function makeTree(root: string): number {
  let dirs = 1;
  for (let a = 0; a < 4; a++) {
    const da = path.join(root, `d${a}`);
    mkdirSync(da);
    dirs++;
    for (let f = 0; f < 10; f++) writeFileSync(path.join(da, `f${f}.txt`), '');
    for (let b = 0; b < 3; b++) {
      const db = path.join(da, `e ${b}`);
      mkdirSync(db);
      dirs++;
      for (let f = 0; f < 5; f++) writeFileSync(path.join(db, `g${f}`), '');
    }
  }
  writeFileSync(path.join(root, 'top'), '');
  symlinkSync('d0', path.join(root, 'link-to-d0'));
  execFileSync('mkfifo', [path.join(root, 'fifo')]);
  writeFileSync(Buffer.from(`${root}/bad\xff`, 'latin1'), '');
  return dirs;
}

function kindOf(d: import('node:fs').Dirent): string {
  if (d.isFile()) return 'file';
  if (d.isDirectory()) return 'directory';
  if (d.isSymbolicLink()) return 'symlink';
  return 'other';
}

function expectSameAsReaddir(result: WalkResult): void {
  const expected = readdirSync(toFsPath(result.path) as string, { withFileTypes: true, encoding: 'buffer' })
    .map((d) => `${kindOf(d as unknown as import('node:fs').Dirent)}:${(d.name as unknown as Buffer).toString('hex')}`)
    .sort();
  const got = result.entries.map((e) => `${e.kind}:${Buffer.from(toFsPath(e.name)).toString('hex')}`).sort();
  expect(got).toEqual(expected);
}

describe('walker', () => {
  it('returns the same entries and kinds as fs.readdirSync, level by level, and watches each directory', async () => {
    const total = makeTree(tmp.dir);
    let level = [tmp.dir];
    const all: WalkResult[] = [];
    while (level.length) {
      const results = await walkAndWatch(ino, level, MASK);
      expect(results.map((r) => r.path)).toEqual(level);
      all.push(...results);
      level = results.flatMap((r) => r.entries.filter((e) => e.kind === 'directory').map((e) => path.join(r.path, e.name)));
    }
    expect(all).toHaveLength(total);
    for (const r of all) {
      expect(r.watchError).toBeUndefined();
      expect(r.readError).toBeUndefined();
      expect(r.wd).toBeGreaterThan(0);
      expect(ino.pathOf(r.wd!)).toBe(r.path);
      expectSameAsReaddir(r);
    }
    expect(new Set(all.map((r) => r.wd)).size).toBe(total);
    const top = all[0]!.entries;
    expect(top.find((e) => e.name === 'link-to-d0')?.kind).toBe('symlink');
    expect(top.find((e) => e.name === 'fifo')?.kind).toBe('other');
    expect(top.some((e) => Buffer.from(toFsPath(e.name)).equals(Buffer.from('bad\xff', 'latin1')))).toBe(true);
  });

  it('watches before listing: events in walked directories arrive with their paths', async () => {
    makeTree(tmp.dir);
    const seen = new Collector(ino);
    const summary = await watchTree(ino, [tmp.dir], MASK);
    expect(summary.failed).toEqual([]);
    expect(summary.directories).toBe(17);
    const deep = path.join(tmp.dir, 'd3', 'e 2', 'new');
    writeFileSync(deep, '');
    await seen.until((ev) => ev.some((e) => e.path === deep), 5000, 'create in a deep directory');
  });

  it('reports per-directory errors as data and keeps going', async () => {
    const file = path.join(tmp.dir, 'file');
    writeFileSync(file, '');
    mkdirSync(path.join(tmp.dir, 'ok'));
    const missing = path.join(tmp.dir, 'missing');
    const [a, b, c] = await walkAndWatch(ino, [missing, file, path.join(tmp.dir, 'ok')], MASK);
    expect(a!.wd).toBeUndefined();
    expect(a!.watchError).toMatchObject({ code: 'PATH_NOT_FOUND', errno: 'ENOENT', syscall: 'inotify_add_watch', path: missing });
    expect(a!.readError).toMatchObject({ code: 'PATH_NOT_FOUND', syscall: 'open' });
    expect(b!.watchError).toMatchObject({ code: 'NOT_A_DIRECTORY', errno: 'ENOTDIR' });
    expect(b!.readError).toMatchObject({ code: 'NOT_A_DIRECTORY', syscall: 'open' });
    expect(c!.wd).toBeGreaterThan(0);
    expect(c!.entries).toEqual([]);
  });

  it('does not follow a symlinked directory when the mask has IN_DONT_FOLLOW', async () => {
    mkdirSync(path.join(tmp.dir, 'real'));
    writeFileSync(path.join(tmp.dir, 'real', 'x'), '');
    symlinkSync('real', path.join(tmp.dir, 'link'));
    const [r] = await walkAndWatch(ino, [path.join(tmp.dir, 'link')], MASK);
    expect(r!.watchError?.code).toBe('NOT_A_DIRECTORY'); // IN_ONLYDIR on the link itself
    expect(r!.readError?.errno).toBe('ENOTDIR'); // O_NOFOLLOW|O_DIRECTORY on a symlink
    expect(r!.entries).toEqual([]);
  });

  it('watchTree honours descend() (ignore filters live in JS)', async () => {
    makeTree(tmp.dir);
    const visited: string[] = [];
    const summary = await watchTree(ino, [tmp.dir], MASK, {
      descend: (p) => !p.endsWith('d1'),
      onDirectory: (r) => visited.push(path.relative(tmp.dir, r.path)),
      concurrency: 3,
    });
    expect(summary.directories).toBe(13);
    expect(visited.some((v) => v.startsWith('d1'))).toBe(false);
    expect(visited[0]).toBe('');
  });

  it('reads a chunk by position: subdirectories found across empty and failed directories, names decoded once', async () => {
    // empty, then a directory with two subdirectories and a file, then a missing one, then one subdirectory.
    const dirs = ['empty', 'two', 'missing', 'one'].map((d) => path.join(tmp.dir, d));
    mkdirSync(dirs[0]!);
    mkdirSync(path.join(dirs[1]!, 'x'), { recursive: true });
    mkdirSync(path.join(dirs[1]!, 'y\nz'));
    writeFileSync(path.join(dirs[1]!, 'f'), '');
    mkdirSync(path.join(dirs[3]!, 'only'), { recursive: true });
    const chunk = await ino.walkChunk(dirs, MASK);
    expect(chunk.length).toBe(4);
    expect(chunk.anyFailed).toBe(true);
    expect([0, 1, 2, 3].map((i) => chunk.count(i))).toEqual([0, 3, 0, 1]);
    expect(chunk.wd(2)).toBe(-1);
    expect(chunk.watchErrno(2)).toBe('ENOENT');
    expect(chunk.readErrno(2)).toBe('ENOENT');
    expect(chunk.readSyscall(2)).toBe('open');
    expect(chunk.watchErrno(1)).toBeUndefined();
    const found: string[] = [];
    chunk.forEachOfType(DT.DT_DIR, (i, k) => found.push(path.join(chunk.dirs[i]!, chunk.names(i)[k]!)));
    expect(found.sort()).toEqual([path.join(dirs[1]!, 'x'), path.join(dirs[1]!, 'y\nz'), path.join(dirs[3]!, 'only')].sort());
    expect(chunk.names(1)).toBe(chunk.names(1));
    expect([...chunk.dTypes(1)].sort()).toEqual([DT.DT_DIR, DT.DT_DIR, DT.DT_REG].sort());
    expect(chunk.types.length).toBe(4);
  });

  it('rejects with CLOSED after close()', async () => {
    await ino.close();
    await expect(walkAndWatch(ino, [tmp.dir], MASK)).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
