// The public API as a user meets it: the async iterator, info(), typed errors
// for bad input (R10), VIGIL_BACKEND (S2), and warnings that do not end watching.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveWatchOptions } from '@vigilfs/core';
import { VigilError, Watcher, backends, watch, type WatchEvent } from '../src/index.js';

// Backends that can run on this machine (fsevents is macOS only; its probe says so and the conformance test reports it skipped).
const runnableHere = (await Promise.all(backends.map(async (b) => ((await b.probe(tmpdir())).ok ? b.name : undefined)))).filter(
  (n): n is string => n !== undefined,
);

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'vigil-api-'));
  dirs.push(d);
  return d;
}

async function until(cond: () => boolean, deadline = 10_000): Promise<void> {
  const end = Date.now() + deadline;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function rejection(p: Promise<unknown>): Promise<VigilError> {
  try {
    await p;
  } catch (e) {
    expect(VigilError.isVigilError(e)).toBe(true);
    return e as VigilError;
  }
  throw new Error('expected a rejection');
}

describe.each(runnableHere)('watch() with backend %s', (backend) => {
  it('delivers batches through the async iterator, and ends it on close()', async () => {
    const dir = tempDir();
    const watcher = await watch(dir, { backend, pollInterval: 50 });
    const seen: WatchEvent[] = [];
    const reading = (async () => {
      for await (const batch of watcher) {
        seen.push(...batch);
        if (seen.some((e) => e.type === 'create' && e.path.endsWith('hello.txt'))) break;
      }
    })();
    writeFileSync(path.join(dir, 'hello.txt'), 'hi');
    await reading;
    expect(seen.find((e) => e.path.endsWith('hello.txt'))).toMatchObject({ type: 'create', kind: 'file' });
    const after = (async () => {
      const out: WatchEvent[][] = [];
      for await (const batch of watcher) out.push(batch);
      return out;
    })();
    await watcher.close();
    await expect(after).resolves.toEqual([]);
    expect(watcher.closed).toBe(true);
  });

  it('ends the iterator with ROOT_REMOVED when the last root goes (the watcher closes), after the deletes', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'f'), 'x');
    const watcher = await watch(dir, { backend, pollInterval: 50 });
    const seen: WatchEvent[] = [];
    const reading = (async () => {
      for await (const batch of watcher) seen.push(...batch);
    })();
    rmSync(dir, { recursive: true });
    const error = await rejection(reading);
    expect(error.code).toBe('ROOT_REMOVED');
    expect(error.path).toBe(dir);
    expect(seen.map((e) => `${e.type} ${path.relative(dir, e.path) || '.'}`)).toEqual(['delete f', 'delete .']);
    // A poller finds the root gone by scanning: those deletes are `rescan`, as every polled change is.
    expect(new Set(seen.map((e) => e.origin))).toEqual(new Set([backend === 'poll' ? 'rescan' : 'os']));
    expect(watcher.closed).toBe(true);
  });

  it('keeps the iterator going when one of two roots ends: an error for that root, not the end of the watcher', async () => {
    const gone = tempDir();
    const kept = tempDir();
    const watcher = await watch([gone, kept], { backend, pollInterval: 50 });
    const errors: VigilError[] = [];
    watcher.on('error', (e) => errors.push(e));
    const seen: WatchEvent[] = [];
    const reading = (async () => {
      for await (const batch of watcher) seen.push(...batch);
    })().then(
      () => 'ended',
      (e: unknown) => e,
    );
    rmSync(gone, { recursive: true });
    await until(() => errors.length > 0);
    expect(errors).toEqual([expect.objectContaining({ code: 'ROOT_REMOVED', path: gone })]);
    writeFileSync(path.join(kept, 'after'), 'x');
    await until(() => seen.some((e) => e.path === path.join(kept, 'after')));
    expect(seen.filter((e) => e.type === 'delete').map((e) => e.path)).toEqual([gone]);
    expect(watcher.closed).toBe(false);
    await watcher.close();
    expect(await reading).toBe('ended');
  });

  it('with only an iterator, a root that ends while others run becomes a process warning', async () => {
    const gone = tempDir();
    const kept = tempDir();
    const watcher = await watch([gone, kept], { backend, pollInterval: 50 });
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const reading = (async () => {
        for await (const _ of watcher);
      })().then(
        () => 'ended',
        (e: unknown) => e,
      );
      rmSync(gone, { recursive: true });
      await until(() => warnings.some((w) => (w as { code?: string }).code === 'ROOT_REMOVED'));
      expect(watcher.closed).toBe(false);
      await watcher.close();
      expect(await reading).toBe('ended');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('says which backend serves the root and why', async () => {
    const dir = tempDir();
    const watcher = await watch(dir, { backend });
    const [info] = watcher.info();
    expect(info).toMatchObject({ root: dir, kind: 'directory', backend, entries: 1 });
    expect(info!.reason).toMatch(/forced by the backend option/);
    await watcher.close();
  });
});

describe('bad input gets a typed error and nothing else breaks (R10)', () => {
  it('a missing root is PATH_NOT_FOUND with the path', async () => {
    const missing = path.join(tempDir(), 'nope');
    const e = await rejection(watch(missing));
    expect(e).toMatchObject({ code: 'PATH_NOT_FOUND', path: missing, errno: 'ENOENT', syscall: 'stat' });
  });

  it('a file where a directory was expected is NOT_A_DIRECTORY', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'file'), 'x');
    const e = await rejection(watch(path.join(dir, 'file', 'below')));
    expect(e).toMatchObject({ code: 'NOT_A_DIRECTORY', errno: 'ENOTDIR' });
  });

  it('an unknown or unusable forced backend is BACKEND_UNAVAILABLE, also through VIGIL_BACKEND (S2)', async () => {
    const dir = tempDir();
    const e = await rejection(watch(dir, { backend: 'carrier-pigeon' }));
    expect(e.code).toBe('BACKEND_UNAVAILABLE');
    expect(e.message).toContain('known: inotify, fsevents, rdcw, poll');
    process.env.VIGIL_BACKEND = 'poll';
    try {
      const w = await watch(dir);
      expect(w.info()[0]).toMatchObject({ backend: 'poll', reason: expect.stringContaining('VIGIL_BACKEND') });
      await w.close();
    } finally {
      delete process.env.VIGIL_BACKEND;
    }
  });

  it('bad options are INVALID_OPTION, bad paths INVALID_ARGUMENT, each naming what it takes', async () => {
    const dir = tempDir();
    expect((await rejection(watch(dir, { pollInterval: -1 }))).code).toBe('INVALID_OPTION');
    expect((await rejection(watch(dir, { settle: Number.NaN }))).code).toBe('INVALID_OPTION');
    const huge = await rejection(watch(dir, { pollInterval: 2 ** 31 }));
    expect(huge.code).toBe('INVALID_OPTION');
    expect(huge.message).toContain('2147483647');
    expect((await rejection(watch(dir, { ignore: 42 as never }))).message).toContain('ignore must be');
    expect((await rejection(watch(dir, { ignore: [42] as never }))).message).toContain('ignore[0] must be');
    expect((await rejection(watch(dir, { followSymlinks: 'yes' as never }))).code).toBe('INVALID_OPTION');
    const typo = await rejection(watch(dir, { ignored: ['x'] } as never));
    expect(typo.code).toBe('INVALID_OPTION');
    expect(typo.message).toContain('did you mean ignore?');
    for (const bad of [42, null, '', []]) expect((await rejection(watch(bad as never))).code, JSON.stringify(bad)).toBe('INVALID_ARGUMENT');
  });

  it("depth limits how deep a tree is watched (0: the root directory's entries only)", async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    const w = await watch(dir, { depth: 0, pollInterval: 50 });
    const seen: string[] = [];
    w.on('events', (b) => seen.push(...b.map((e) => `${e.type} ${path.relative(dir, e.path)}`)));
    writeFileSync(path.join(dir, 'a', 'b', 'deep'), 'x');
    writeFileSync(path.join(dir, 'a', 'inside'), 'x');
    writeFileSync(path.join(dir, 'top'), 'x');
    await until(() => seen.includes('create top'));
    await w.idle();
    expect(seen.filter((e) => e.startsWith('create'))).toEqual(['create top']);
    expect(
      w
        .knownPaths()
        .map((p) => path.relative(dir, p))
        .sort(),
    ).toEqual(['', 'a', 'top']);
    await w.close();
  });

  it('resolves relative paths against cwd, delivers the initial listing on request, and adds and removes roots', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'one', 'x'), { recursive: true });
    mkdirSync(path.join(dir, 'two'));
    writeFileSync(path.join(dir, 'two', 'f'), 'x');
    const w = await watch('one', { cwd: dir, initial: true, pollInterval: 50 });
    const seen: WatchEvent[] = [];
    w.on('events', (b) => seen.push(...b));
    await until(() => seen.length > 0);
    expect(seen.map((e) => `${e.type} ${e.path} ${e.origin}`)).toEqual([`create ${path.join(dir, 'one', 'x')} rescan`]);
    await w.add('two');
    expect(w.info().map((i) => i.root)).toEqual([path.join(dir, 'one'), path.join(dir, 'two')]);
    writeFileSync(path.join(dir, 'two', 'g'), 'y');
    await until(() => seen.some((e) => e.path === path.join(dir, 'two', 'g')));
    await w.remove(path.join(dir, 'two'));
    expect(w.info().map((i) => i.root)).toEqual([path.join(dir, 'one')]);
    expect((await rejection(w.remove('/not/a/root'))).code).toBe('INVALID_ARGUMENT');
    await w.close();
  });

  it('remove() with the spelling add() got silences that root; knownPaths() is the initial listing without any event', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'one', 'sub'), { recursive: true });
    writeFileSync(path.join(dir, 'one', 'sub', 'f'), 'x');
    mkdirSync(path.join(dir, 'two'));
    const w = await watch('one', { cwd: dir, pollInterval: 50 });
    expect(w.knownPaths()).toEqual([path.join(dir, 'one'), path.join(dir, 'one', 'sub'), path.join(dir, 'one', 'sub', 'f')]);
    const seen: string[] = [];
    w.on('events', (b) => seen.push(...b.map((e) => path.relative(dir, e.path))));
    await w.add('two');
    await w.remove('two');
    expect(w.info().map((i) => i.root)).toEqual([path.join(dir, 'one')]);
    writeFileSync(path.join(dir, 'two', 'after-remove'), 'x');
    writeFileSync(path.join(dir, 'one', 'later'), 'x');
    await until(() => seen.includes(path.join('one', 'later')));
    // A poll scan of 'two' (had it stayed) would have run by now: the later file's scan came after the write in two.
    await w.idle();
    expect(seen.filter((p) => p.startsWith('two'))).toEqual([]);
    expect(w.knownPaths()).not.toContain(path.join(dir, 'two', 'after-remove'));
    await w.close();
    expect(w.closed).toBe(true);
  });

  it('add() and remove() after close() both reject with CLOSED, naming the path and the call', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'two'));
    const w = await watch(dir);
    await w.close();
    const added = await rejection(w.add(path.join(dir, 'two')));
    const removed = await rejection(w.remove(dir));
    expect(added).toMatchObject({ code: 'CLOSED', path: path.join(dir, 'two'), message: 'add() on a watcher that has closed' });
    expect(removed).toMatchObject({ code: 'CLOSED', path: dir, message: 'remove() on a watcher that has closed' });
    // Checked before the arguments: a closed watcher says so whatever it is given.
    expect((await rejection(w.remove('/not/a/root'))).code).toBe('CLOSED');
    expect((await rejection(w.add([dir, path.join(dir, 'two')]))).path).toBe(dir);
  });

  it('an unreadable subdirectory is a PERMISSION_DENIED warning and the rest is watched', () => {
    // Root reads everything, so this runs as the unprivileged user "nobody" in a child process.
    const dir = tempDir();
    chmodSync(dir, 0o777);
    mkdirSync(path.join(dir, 'locked'));
    writeFileSync(path.join(dir, 'locked', 'secret'), 'x');
    chmodSync(path.join(dir, 'locked'), 0o000);
    const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'unreadable-child.mjs');
    const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/index.js');
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    for (const backend of runnableHere) {
      const r = spawnSync(process.execPath, [child, dist, dir, backend], { encoding: 'utf8', timeout: 30_000, ...asNobody });
      expect(r.stderr, backend).toBe('');
      const out = JSON.parse(r.stdout) as { warnings: { code: string; path: string }[]; created: string[] };
      expect(out.warnings, backend).toContainEqual({ code: 'PERMISSION_DENIED', path: path.join(dir, 'locked') });
      expect(out.created, backend).toContain(path.join(dir, `after-${backend}.txt`));
    }
  });
});

describe('the README documents the API', () => {
  const readme = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../README.md'), 'utf8');
  const api = readme.slice(readme.indexOf('## The API'), readme.indexOf('## What the events mean'));

  it('every public member of the watcher, every event and every option', () => {
    const members = Object.getOwnPropertyNames(Watcher.prototype).filter((m) => m !== 'constructor');
    expect(members).toEqual(expect.arrayContaining(['add', 'remove', 'info', 'knownPaths', 'idle', 'close', 'closed']));
    for (const m of members) expect(api, m).toMatch(new RegExp(`\`${m}(\\(|\`)`));
    expect(api).toContain('for await (const batch of watcher)');
    for (const e of ['events', 'warning', 'error', 'close']) expect(api).toContain(`on('${e}'`);
    const options = Object.keys(resolveWatchOptions({}, {})).filter((o) => o !== 'backendSource');
    expect(options.length).toBeGreaterThanOrEqual(11);
    for (const o of options) expect(api, o).toMatch(new RegExp(`^\\| \`${o}\` \\|`, 'm'));
  });

  it('a migration row for every chokidar and @parcel/watcher option and call people reach for', () => {
    const chokidar = api.slice(api.indexOf('### Coming from chokidar'), api.indexOf('### Coming from @parcel/watcher'));
    for (const o of [
      'ignored',
      'persistent',
      'cwd',
      'depth',
      'usePolling',
      'interval',
      'awaitWriteFinish',
      'followSymlinks',
      'ignoreInitial',
      'atomic',
      'add(',
      'unwatch(',
      'close(',
      'getWatched(',
    ])
      expect(chokidar, o).toContain(o);
    const parcel = api.slice(api.indexOf('### Coming from @parcel/watcher'));
    for (const o of ['subscribe(', 'unsubscribe(', 'ignore', 'backend', 'writeSnapshot', 'getEventsSince']) expect(parcel, o).toContain(o);
  });
});
