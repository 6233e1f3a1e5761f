import { link, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, VigilError, decodeName, toFsPath } from '@vigilfs/core';
import { Spool, type SpoolArea, fsWatchWaker, hostPart, uniqueName, type SpoolWatcher, type WatchFunction } from '../src/index.js';
import { watch as vigilWatch } from 'vigilfs';
import { tempDir, vigilHasWatch, waitFor, within } from './helpers.js';

/** A watcher the test drives by hand: nothing wakes a consumer unless `emit` is called. */
class FakeWatcher extends EventEmitter implements SpoolWatcher {
  closed = false;
  async close(): Promise<void> {
    this.closed = true;
  }
  emitCreate(p: string): void {
    this.emit('events', [{ type: 'create', path: p, kind: 'file', origin: 'os' }]);
  }
}

function fakeWatch(onWatch?: (dir: string) => Promise<void>): { watch: WatchFunction; watchers: FakeWatcher[] } {
  const watchers: FakeWatcher[] = [];
  return {
    watchers,
    watch: async (dir) => {
      await onWatch?.(dir);
      const w = new FakeWatcher();
      watchers.push(w);
      return w;
    },
  };
}

/** Resolves after `n` turns of the event loop: lets pending I/O callbacks run, without a timer. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<VigilError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(VigilError.isVigilError(error), `expected a VigilError ${code}, got ${String(error)}`).toBe(true);
  expect((error as VigilError).code).toBe(code);
  return error as VigilError;
}

let root: string;
let cleanup: () => Promise<void>;
const spools: Spool[] = [];

function newSpool(options: ConstructorParameters<typeof Spool>[1] = {}): Spool {
  const s = new Spool(root, options);
  spools.push(s);
  return s;
}

beforeEach(async () => {
  const t = await tempDir();
  root = path.join(t.dir, 'spool');
  cleanup = t.cleanup;
});

afterEach(async () => {
  await Promise.all(spools.splice(0).map((s) => s.close()));
  await cleanup();
});

describe('layout and names', () => {
  it('prepare() creates tmp/, new/ and cur/ and is idempotent', async () => {
    const spool = newSpool();
    await spool.prepare();
    await spool.write('x', 'keep me');
    await spool.prepare();
    expect((await readdir(root)).sort()).toEqual(['cur', 'new', 'tmp']);
    expect(await spool.list('new')).toEqual([path.join(root, 'new', 'keep me')]);
  });

  it('generates maildir-style names that are unique and sort by time', () => {
    const names = Array.from({ length: 20_000 }, () => uniqueName('host'));
    expect(new Set(names).size).toBe(names.length);
    expect(names[0]).toMatch(new RegExp(`^\\d{10}\\.M\\d{6}P${process.pid}Q\\d+R[0-9a-f]{16}\\.host$`));
    const times = names.map((n) => n.slice(0, n.indexOf('P')));
    expect([...times].sort()).toEqual(times);
  });

  it('escapes / and : in the host part', () => {
    expect(hostPart('a/b:c')).toBe('a\\057b\\072c');
    expect(uniqueName('a/b:c')).not.toContain('/');
  });

  it('refuses names that are not one path component', async () => {
    const spool = newSpool();
    await spool.prepare();
    for (const bad of ['', '.', '..', 'a/b', 'nul\0']) {
      await expectCode(spool.create(bad), ErrorCode.INVALID_OPTION);
    }
    await expectCode(spool.move('x', 'new', 'new'), ErrorCode.INVALID_OPTION);
    expect(() => spool.dir('old' as SpoolArea)).toThrow(/unknown spool area/);
  });
});

describe('producing', () => {
  it('a file is in tmp/ while written and appears complete in new/ on commit', async () => {
    const spool = newSpool({ fsync: false });
    await spool.prepare();
    const w = await spool.create();
    await w.write('hello ');
    await w.write(Buffer.from('world'));
    expect(await spool.list('tmp')).toEqual([w.path]);
    expect(await spool.list('new')).toEqual([]);
    const committed = await w.commit();
    expect(committed).toBe(path.join(root, 'new', w.name));
    expect(await readFile(committed, 'utf8')).toBe('hello world');
    expect(await spool.list('tmp')).toEqual([]);
    await expectCode(w.commit(), ErrorCode.CLOSED);
  });

  it('abort() discards the file', async () => {
    const spool = newSpool();
    await spool.prepare();
    const w = await spool.create('draft');
    await w.write('x');
    await w.abort();
    expect(await spool.list('tmp')).toEqual([]);
    expect(await spool.list('new')).toEqual([]);
  });

  it('handles names with spaces, newlines, leading dashes and non-ASCII', async () => {
    const spool = newSpool({ watch: fakeWatch().watch });
    await spool.prepare();
    const names = ['a name with spaces', ' leading and trailing ', '-rf', 'line\nbreak', 'ünïcødé 名前', 'quote\'s "q"'];
    for (const name of names) await spool.write(`content of ${name}`, name);
    expect((await spool.list('new')).map((p) => path.basename(p)).sort()).toEqual([...names].sort());
    const got: string[] = [];
    for (let f = await spool.tryClaim(); f !== undefined; f = await spool.tryClaim()) {
      expect(await readFile(f.path, 'utf8')).toBe(`content of ${f.name}`);
      got.push(f.name);
    }
    expect(got.sort()).toEqual([...names].sort());
    const copied = await spool.copy('a name with spaces', 'cur', 'new');
    expect(await readFile(copied, 'utf8')).toBe('content of a name with spaces');
  });

  it.runIf(process.platform === 'linux')('claims names that are not valid UTF-8, losslessly', async () => {
    const spool = newSpool();
    await spool.prepare();
    const bytes = Buffer.concat([Buffer.from('bad '), Buffer.from([0xff, 0xfe]), Buffer.from(' name')]);
    await writeFile(Buffer.concat([Buffer.from(`${path.join(root, 'new')}/`), bytes]), 'raw');
    const f = await spool.tryClaim();
    expect(f?.name).toBe(decodeName(bytes));
    expect(await readFile(toFsPath(f!.path), 'utf8')).toBe('raw');
  });
});

describe('collisions are refused, never overwritten', () => {
  it('commit of a name already in new/ fails with ALREADY_EXISTS and keeps both files', async () => {
    const spool = newSpool();
    await spool.prepare();
    await spool.write('first', 'same name');
    const w = await spool.create('same name');
    await w.write('second');
    const err = await expectCode(w.commit(), ErrorCode.ALREADY_EXISTS);
    expect(err.errno).toBe('EEXIST');
    expect(err.path).toBe(path.join(root, 'new', 'same name'));
    expect(await readFile(path.join(root, 'new', 'same name'), 'utf8')).toBe('first');
    expect(await readFile(w.path, 'utf8')).toBe('second');
    await w.abort();
    expect(await spool.list('tmp')).toEqual([]);
  });

  it('commit of a name already claimed into cur/ fails', async () => {
    const spool = newSpool();
    await spool.prepare();
    await spool.write('first', 'n');
    expect((await spool.tryClaim())?.name).toBe('n');
    await expectCode(spool.write('second', 'n'), ErrorCode.ALREADY_EXISTS);
    expect(await readFile(path.join(root, 'cur', 'n'), 'utf8')).toBe('first');
    expect(await spool.list('tmp')).toEqual([]);
  });

  it('create() of a name already in tmp/ fails (O_EXCL)', async () => {
    const spool = newSpool();
    await spool.prepare();
    const w = await spool.create('busy');
    await w.write('mine');
    await expectCode(spool.create('busy'), ErrorCode.ALREADY_EXISTS);
    expect(await readFile(w.path, 'utf8')).toBe('mine');
    await w.abort();
  });

  it('move() and copy() refuse an existing target', async () => {
    const spool = newSpool();
    await spool.prepare();
    await spool.write('in new', 'f');
    await writeFile(path.join(root, 'cur', 'f'), 'in cur');
    await expectCode(spool.move('f', 'new', 'cur'), ErrorCode.ALREADY_EXISTS);
    await expectCode(spool.copy('f', 'new', 'cur'), ErrorCode.ALREADY_EXISTS);
    expect(await readFile(path.join(root, 'new', 'f'), 'utf8')).toBe('in new');
    expect(await readFile(path.join(root, 'cur', 'f'), 'utf8')).toBe('in cur');
    expect(await spool.list('tmp')).toEqual([]);
    await expectCode(spool.move('missing', 'new', 'cur'), ErrorCode.PATH_NOT_FOUND);
  });

  it('move() and copy() work when the target is free', async () => {
    const spool = newSpool();
    await spool.prepare();
    await spool.write('data', 'f');
    expect(await spool.copy('f', 'new', 'tmp')).toBe(path.join(root, 'tmp', 'f'));
    expect(await spool.move('f', 'new', 'cur')).toBe(path.join(root, 'cur', 'f'));
    expect(await spool.list('new')).toEqual([]);
    expect(await spool.list('cur')).toEqual([path.join(root, 'cur', 'f')]);
    expect(await spool.list('tmp')).toEqual([path.join(root, 'tmp', 'f')]);
    await spool.remove('f', 'cur');
    expect(await spool.list('cur')).toEqual([]);
  });
});

describe('crash recovery', () => {
  it('a producer that died between link and unlink leaves a harmless second name in tmp/', async () => {
    const spool = newSpool();
    await spool.prepare();
    const w = await spool.create('half done');
    await w.write('complete');
    await w.handle.close();
    await link(w.path, path.join(root, 'new', 'half done')); // link happened, unlink did not
    const f = await spool.tryClaim();
    expect(f?.name).toBe('half done');
    expect(await readFile(f!.path, 'utf8')).toBe('complete');
    const old = new Date(Date.now() - 2 * 3600_000);
    await utimes(w.path, old, old);
    expect(await spool.cleanTmp({ olderThanMs: 3600_000 })).toEqual([w.path]);
    expect(await readFile(f!.path, 'utf8')).toBe('complete'); // cleaning tmp/ never touches cur/
  });

  it('a commit whose link already took effect (NFS retransmit) succeeds instead of failing', async () => {
    const spool = newSpool();
    await spool.prepare();
    const w = await spool.create('retried');
    await w.write('once');
    await link(w.path, path.join(root, 'new', 'retried')); // the "lost reply" link
    expect(await w.commit()).toBe(path.join(root, 'new', 'retried'));
    expect(await spool.list('tmp')).toEqual([]);
    expect(await readFile(path.join(root, 'new', 'retried'), 'utf8')).toBe('once');
  });
});

describe('cleanTmp', () => {
  it('removes only files older than the given age', async () => {
    const spool = newSpool();
    await spool.prepare();
    const old = [await spool.create(), await spool.create('old one')];
    const fresh = await spool.create('fresh one');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    for (const w of old) {
      await w.handle.close();
      await utimes(w.path, twoHoursAgo, twoHoursAgo);
    }
    const removed = await spool.cleanTmp({ olderThanMs: 3600_000 });
    expect(removed.sort()).toEqual(old.map((w) => w.path).sort());
    expect(await spool.list('tmp')).toEqual([fresh.path]);
    expect(await spool.cleanTmp()).toEqual([]); // default 36 h
    await expectCode(spool.cleanTmp({ olderThanMs: Number.NaN }), ErrorCode.INVALID_OPTION);
    await fresh.abort();
  });
});

describe('consuming', () => {
  it('claims files waiting in new/ oldest first (by mtime), each once', async () => {
    const spool = newSpool({ watch: fakeWatch().watch });
    await spool.prepare();
    // Names sort one way, modification times another: mtime wins.
    const names = ['e', 'd', 'c', 'b', 'a', 'with space'];
    const base = Date.now() / 1000 - 1000;
    for (const [i, name] of names.entries()) {
      const p = await spool.write(name, name);
      await utimes(p, base + i, base + i);
    }
    expect((await spool.list('new')).map((p) => path.basename(p))).toEqual(names);
    const got: string[] = [];
    for await (const f of spool) {
      got.push(f.name);
      expect(f.path).toBe(path.join(root, 'cur', f.name));
      if (got.length === names.length) break;
    }
    expect(got).toEqual(names);
    expect(await spool.tryClaim()).toBeUndefined();
  });

  it('a waiting claim is woken by a file event, not by a timer', async () => {
    const fake = fakeWatch();
    const spool = newSpool({ watch: fake.watch });
    await spool.prepare();
    let resolved = false;
    const pending = spool.claim().then((f) => {
      resolved = true;
      return f;
    });
    await waitFor(() => fake.watchers.length === 1, 'the watcher');
    const committed = await spool.write('x', 'late');
    await turns(50);
    expect(resolved).toBe(false); // the file is there, but nobody said so
    fake.watchers[0]!.emit('events', [{ type: 'delete', path: committed }]);
    await turns(50);
    expect(resolved).toBe(false); // a delete cannot bring a file
    fake.watchers[0]!.emitCreate(committed);
    expect((await within(pending, 'the claim')).name).toBe('late');
  });

  it('arms the watcher before the first look at new/ (no lost wakeup)', async () => {
    // A file committed while the watcher is being set up, for which no event
    // ever comes, must still be found: the first readdir follows the arming.
    let producer: Spool | undefined;
    const fake = fakeWatch(async () => {
      producer = newSpool();
      await producer.write('raced', 'during arming');
    });
    const spool = newSpool({ watch: fake.watch });
    await spool.prepare();
    expect((await within(spool.claim(), 'the claim')).name).toBe('during arming');
  });

  it('close() ends a waiting claims() loop and rejects a waiting claim()', async () => {
    const fake = fakeWatch();
    const spool = newSpool({ watch: fake.watch });
    await spool.prepare();
    const loop = (async () => {
      const got: string[] = [];
      for await (const f of spool.claims()) got.push(f.name);
      return got;
    })();
    const waiting = spool.claim();
    waiting.catch(() => undefined); // rejects during close(), checked below
    await waitFor(() => fake.watchers.length === 1, 'the watcher');
    await spool.close();
    expect(await within(loop, 'the loop')).toEqual([]);
    await expectCode(waiting, ErrorCode.CLOSED);
    expect(fake.watchers[0]!.closed).toBe(true);
    await expectCode(spool.claim(), ErrorCode.CLOSED);
  });

  it('an abort signal rejects claim() and ends claims()', async () => {
    const spool = newSpool({ watch: fakeWatch().watch });
    await spool.prepare();
    const ac = new AbortController();
    const waiting = spool.claim({ signal: ac.signal });
    const loop = (async () => {
      for await (const _ of spool.claims({ signal: ac.signal })) throw new Error('nothing to claim');
      return 'ended';
    })();
    ac.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(await within(loop, 'the loop')).toBe('ended');
  });

  it('a fatal watcher error rejects waiting claims when the watcher cannot be re-armed', async () => {
    let calls = 0;
    const fake = fakeWatch(async (dir) => {
      if (++calls > 1) throw new VigilError(ErrorCode.PATH_NOT_FOUND, 'no new/', { path: dir });
    });
    const spool = newSpool({ watch: fake.watch });
    await spool.prepare();
    const waiting = spool.claim();
    await waitFor(() => fake.watchers.length === 1, 'the watcher');
    fake.watchers[0]!.emit('error', new VigilError(ErrorCode.ROOT_REMOVED, 'gone', { path: root }));
    await expectCode(waiting, ErrorCode.ROOT_REMOVED); // the cause, not the failed re-arm
    expect(fake.watchers[0]!.closed).toBe(true);
  });

  it('after a fatal watcher error, a waiting claim re-arms a fresh watcher and goes on', async () => {
    const fake = fakeWatch();
    const spool = newSpool({ watch: fake.watch });
    await spool.prepare();
    const waiting = spool.claim();
    await waitFor(() => fake.watchers.length === 1, 'the watcher');
    fake.watchers[0]!.emit('error', new Error('transient'));
    await waitFor(() => fake.watchers.length === 2, 'a second watcher');
    const p = await newSpool().write('x', 'after re-arm');
    fake.watchers[0]!.emitCreate(p); // the dead watcher is ignored
    fake.watchers[1]!.emitCreate(p);
    expect((await within(waiting, 'the claim')).name).toBe('after re-arm');
  });

  it('a waiting claim rejects with ROOT_REMOVED when the spool is deleted (real vigil)', async () => {
    const spool = newSpool();
    await spool.prepare();
    await spool.watch();
    // Handled from the start: the claim may reject while rm() is still running.
    const waiting = within(spool.claim(), 'the rejection');
    waiting.catch(() => undefined);
    await rm(root, { recursive: true });
    await expectCode(waiting, ErrorCode.ROOT_REMOVED);
  });

  it('claim() before prepare() fails, and works once new/ exists', async () => {
    const spool = newSpool();
    await expectCode(spool.claim(), ErrorCode.PATH_NOT_FOUND);
    await spool.prepare();
    const waiting = spool.claim();
    await newSpool().write('x', 'prepared');
    expect((await within(waiting, 'the claim')).name).toBe('prepared');
  });

  it('two consumers in one process, on the default waker, share 500 files exactly once', async () => {
    const a = newSpool({ fsync: false });
    const b = newSpool();
    const producer = newSpool({ fsync: false });
    await producer.prepare();
    const kindA = await a.watch();
    await b.watch();
    expect(kindA).toBe('vigil');
    const seen = new Map<string, number>();
    const run = async (s: Spool): Promise<void> => {
      for await (const f of s.claims()) seen.set(f.name, (seen.get(f.name) ?? 0) + 1);
    };
    const loops = [run(a), run(b)];
    const produced: string[] = [];
    for (let i = 0; i < 500; i++) produced.push(path.basename(await producer.write(`n${i}`, `file ${i}`)));
    await waitFor(() => seen.size === 500, 'all 500 claims');
    await a.close();
    await b.close();
    await Promise.all(loops);
    expect([...seen.keys()].sort()).toEqual([...produced].sort());
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect((await readdir(path.join(root, 'cur'))).length).toBe(500);
    expect(await readdir(path.join(root, 'new'))).toEqual([]);
  });

  it("the default waker is the real vigil package, and vigil's watch() can be injected as is", async () => {
    expect(await vigilHasWatch()).toBe(true);
    const byDefault = newSpool();
    await byDefault.prepare();
    expect(await byDefault.watch()).toBe('vigil');
    // Type-checks that vigil's watch() satisfies WatchFunction.
    const injected = newSpool({ watch: vigilWatch, backend: 'auto' });
    expect(await injected.watch()).toBe('custom');
    const waiting = injected.claim();
    await newSpool().write('x', 'to the injected one');
    expect((await within(waiting, 'the claim')).name).toBe('to the injected one');
  });

  it('reports an injected watch function as a custom waker', async () => {
    const spool = newSpool({ watch: fakeWatch().watch });
    await spool.prepare();
    expect(spool.waker).toBeUndefined();
    expect(await spool.watch()).toBe('custom');
    expect(spool.waker).toBe('custom');
  });

  it("works on vigil's poll backend (events come from rescans)", async () => {
    const spool = newSpool({ backend: 'poll', pollInterval: 25 });
    await spool.prepare();
    expect(await spool.watch()).toBe('vigil');
    const waiting = spool.claim();
    await newSpool().write('polled', 'by poll');
    const f = await within(waiting, 'the claim');
    expect(f.name).toBe('by poll');
    expect(await readFile(f.path, 'utf8')).toBe('polled');
  });

  it('the fs.watch fallback waker wakes a waiting claim', async () => {
    const spool = newSpool({ watch: (dir) => fsWatchWaker(dir) });
    await spool.prepare();
    await spool.watch();
    const waiting = spool.claim();
    await newSpool().write('via fs.watch', 'fallback');
    expect((await within(waiting, 'the claim')).name).toBe('fallback');
  });

  it('a rescanInterval finds files no event announced', async () => {
    const spool = newSpool({ watch: fakeWatch().watch, rescanInterval: 20 });
    await spool.prepare();
    const waiting = spool.claim();
    await spool.watch();
    await spool.write('x', 'silent');
    expect((await within(waiting, 'the claim')).name).toBe('silent');
    expect((await stat(path.join(root, 'cur', 'silent'))).isFile()).toBe(true);
  });
});
