import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, renameSync, rmdirSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { toFsPath } from '@vigilfs/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IN, Inotify, type InotifyEvent } from '../src/index.js';
import { Collector, makeTempDir } from './helpers.js';

let tmp: { dir: string; cleanup: () => void };
const open: Inotify[] = [];

function inotify(options?: ConstructorParameters<typeof Inotify>[0]): Inotify {
  const i = new Inotify(options);
  open.push(i);
  return i;
}

beforeEach(() => {
  tmp = makeTempDir();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((i) => i.close()));
  tmp.cleanup();
});

/** pendingBytes() once it is 0, or what it still says after 2 s: it is 0 only when nothing can be pending. */
async function drained(ino: Inotify): Promise<number> {
  for (const deadline = Date.now() + 2000; ino.pendingBytes() !== 0 && Date.now() < deadline; ) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  return ino.pendingBytes();
}

const has = (mask: number, bit: number): boolean => (mask & bit) !== 0;
const find = (events: InotifyEvent[], name: string, bit: number) => events.find((e) => e.name === name && has(e.mask, bit));

/** Thread ids of this process named by the addon's reader (pthread_setname_np). */
function readerThreads(): Set<string> {
  return new Set(
    readdirSync('/proc/self/task').filter((t) => {
      try {
        return readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim() === 'vigil-inotify';
      } catch {
        return false; // the thread ended while we looked
      }
    }),
  );
}

describe('Inotify events', () => {
  it('reports create, modify, close-write and delete with paths', async () => {
    const ino = inotify();
    const seen = new Collector(ino);
    const wd = ino.addWatch(tmp.dir, IN.IN_ALL_EVENTS);
    expect(ino.pathOf(wd)).toBe(tmp.dir);

    const file = path.join(tmp.dir, 'f.txt');
    const fd = openSync(file, 'w');
    writeSync(fd, 'hello');
    closeSync(fd);
    unlinkSync(file);
    await seen.until((ev) => find(ev, 'f.txt', IN.IN_DELETE) !== undefined, 5000, 'IN_DELETE');

    const mine = seen.events.filter((e) => e.name === 'f.txt');
    const order = mine.map((e) => e.mask & IN.IN_ALL_EVENTS);
    const at = (bit: number) => order.findIndex((m) => has(m, bit));
    expect(at(IN.IN_CREATE)).toBeGreaterThanOrEqual(0);
    expect(at(IN.IN_CREATE)).toBeLessThan(at(IN.IN_MODIFY));
    expect(at(IN.IN_MODIFY)).toBeLessThan(at(IN.IN_CLOSE_WRITE));
    expect(at(IN.IN_CLOSE_WRITE)).toBeLessThan(at(IN.IN_DELETE));
    for (const e of mine) {
      expect(e.wd).toBe(wd);
      expect(e.path).toBe(file);
      expect(e.watchPath).toBe(tmp.dir);
    }
  });

  it('pairs IN_MOVED_FROM and IN_MOVED_TO by cookie, within and across watches', async () => {
    const ino = inotify();
    const seen = new Collector(ino);
    const other = path.join(tmp.dir, 'other');
    mkdirSync(other);
    const wdA = ino.addWatch(tmp.dir, IN.IN_MOVE | IN.IN_CREATE);
    const wdB = ino.addWatch(other, IN.IN_MOVE);
    writeFileSync(path.join(tmp.dir, 'a'), 'x');
    renameSync(path.join(tmp.dir, 'a'), path.join(tmp.dir, 'b'));
    renameSync(path.join(tmp.dir, 'b'), path.join(other, 'c'));
    await seen.until((ev) => find(ev, 'c', IN.IN_MOVED_TO) !== undefined, 5000, 'move into other');

    const fromA = find(seen.events, 'a', IN.IN_MOVED_FROM)!;
    const toB = find(seen.events, 'b', IN.IN_MOVED_TO)!;
    expect(fromA.cookie).not.toBe(0);
    expect(toB.cookie).toBe(fromA.cookie);
    expect([fromA.wd, toB.wd]).toEqual([wdA, wdA]);

    const fromB = find(seen.events, 'b', IN.IN_MOVED_FROM)!;
    const toC = find(seen.events, 'c', IN.IN_MOVED_TO)!;
    expect(fromB.cookie).not.toBe(fromA.cookie);
    expect(toC.cookie).toBe(fromB.cookie);
    expect([fromB.wd, toC.wd]).toEqual([wdA, wdB]);
    expect(toC.path).toBe(path.join(other, 'c'));
  });

  it('reports a watched directory going away: IN_DELETE_SELF, then IN_IGNORED, and forgets the wd', async () => {
    const ino = inotify();
    const seen = new Collector(ino);
    const sub = path.join(tmp.dir, 'sub');
    mkdirSync(sub);
    ino.addWatch(tmp.dir, IN.IN_CREATE | IN.IN_DELETE);
    const wd = ino.addWatch(sub, IN.IN_DELETE_SELF);
    rmdirSync(sub);
    // The kernel queues the watch's IN_DELETE_SELF/IN_IGNORED and the parent's IN_DELETE at nearly the same
    // moment but not atomically, so the reader can hand them over in two batches: wait for both.
    await seen.until(
      (ev) => ev.some((e) => e.wd === wd && has(e.mask, IN.IN_IGNORED)) && find(ev, 'sub', IN.IN_DELETE) !== undefined,
      5000,
      "IN_IGNORED and the parent's IN_DELETE",
    );
    const self = seen.events.findIndex((e) => e.wd === wd && has(e.mask, IN.IN_DELETE_SELF));
    const ignored = seen.events.findIndex((e) => e.wd === wd && has(e.mask, IN.IN_IGNORED));
    expect(self).toBeGreaterThanOrEqual(0);
    expect(self).toBeLessThan(ignored);
    expect(seen.events[ignored]!.path).toBe(sub);
    expect(ino.pathOf(wd)).toBeUndefined();
    const parent = find(seen.events, 'sub', IN.IN_DELETE)!;
    expect(has(parent.mask, IN.IN_ISDIR)).toBe(true);
  });

  it('removeWatch leads to IN_IGNORED; a second removeWatch is INVALID_ARGUMENT', async () => {
    const ino = inotify();
    const seen = new Collector(ino);
    const wd = ino.addWatch(tmp.dir, IN.IN_CREATE);
    ino.removeWatch(wd);
    await seen.until((ev) => ev.some((e) => e.wd === wd && has(e.mask, IN.IN_IGNORED)), 5000, 'IN_IGNORED');
    expect(() => ino.removeWatch(wd)).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT', errno: 'EINVAL' }));
  });

  it('delivers IN_Q_OVERFLOW when a burst exceeds max_queued_events (reader started after the burst)', async () => {
    const max = Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8'));
    expect(max).toBeGreaterThan(0);
    expect(max, 'burst would be too large for a unit test').toBeLessThanOrEqual(200_000);
    const ino = inotify({ start: false });
    const seen = new Collector(ino);
    ino.addWatch(tmp.dir, IN.IN_CREATE);
    const burst = max + 2000;
    for (let i = 0; i < burst; i++) closeSync(openSync(path.join(tmp.dir, `f${i}`), 'w'));
    ino.start();
    await seen.until((ev) => ev.some((e) => has(e.mask, IN.IN_Q_OVERFLOW)), 10_000, 'IN_Q_OVERFLOW');
    const overflow = seen.events.filter((e) => has(e.mask, IN.IN_Q_OVERFLOW));
    expect(overflow).toHaveLength(1);
    expect(overflow[0]!.wd).toBe(-1);
    expect(overflow[0]!.path).toBeUndefined();
    // The kernel queues exactly max_queued_events records, then the overflow marker.
    expect(seen.events.at(-1)).toBe(overflow[0]);
    // (How many batches carried them is not asserted: reads pile up in the mailbox until JS takes it,
    // so one batch or several both happen, depending on when the event loop gets there.)
    expect(seen.events.filter((e) => has(e.mask, IN.IN_CREATE))).toHaveLength(max);
  }, 60_000);

  it('round-trips names with spaces, newlines, leading dashes and invalid UTF-8 byte-exact', async () => {
    const names = [
      Buffer.from('with space'),
      Buffer.from('new\nline'),
      Buffer.from('-dash'),
      Buffer.from([0x66, 0xff, 0x6f]),
      Buffer.from('é€𝄞'),
      Buffer.alloc(255, 0x61),
    ];
    const ino = inotify();
    const seen = new Collector(ino);
    ino.addWatch(tmp.dir, IN.IN_CREATE);
    for (const name of names) writeFileSync(Buffer.concat([Buffer.from(`${tmp.dir}/`), name]), '');
    await seen.until((ev) => ev.length >= names.length, 5000, 'all creates');
    const got = seen.events.map((e) => toFsPath(e.name));
    expect(got.map((g) => Buffer.from(g).toString('hex'))).toEqual(names.map((n) => n.toString('hex')));
    const fullPaths = seen.events.map((e) => Buffer.from(toFsPath(e.path!)).toString('hex'));
    expect(fullPaths).toEqual(names.map((n) => Buffer.concat([Buffer.from(`${tmp.dir}/`), n]).toString('hex')));
  });

  it('watches a directory whose own name is not UTF-8, given as Buffer or as decoded string', async () => {
    const rawDir = Buffer.concat([Buffer.from(`${tmp.dir}/`), Buffer.from([0x64, 0xfe])]);
    mkdirSync(rawDir);
    const ino = inotify();
    const seen = new Collector(ino);
    const wd = ino.addWatch(rawDir, IN.IN_CREATE);
    const decoded = ino.pathOf(wd)!;
    expect(Buffer.from(toFsPath(decoded))).toEqual(rawDir);
    expect(ino.addWatch(decoded, IN.IN_CREATE)).toBe(wd); // same inode, same wd
    writeFileSync(Buffer.concat([rawDir, Buffer.from('/x')]), '');
    await seen.until((ev) => ev.length > 0, 5000, 'create');
    expect(Buffer.from(toFsPath(seen.events[0]!.path!))).toEqual(Buffer.concat([rawDir, Buffer.from('/x')]));
  });

  it('iterates events with for await, and close() ends the iteration', async () => {
    const ino = inotify();
    ino.addWatch(tmp.dir, IN.IN_CREATE);
    const got: string[] = [];
    const loop = (async () => {
      for await (const event of ino) {
        got.push(event.name);
        if (got.length === 2) void ino.close();
      }
    })();
    writeFileSync(path.join(tmp.dir, 'one'), '');
    writeFileSync(path.join(tmp.dir, 'two'), '');
    await loop;
    expect(got).toEqual(['one', 'two']);
  });

  it('close() releases the fd and the thread, and no listener runs after it', async () => {
    // Thread ids, not counts: a reader closed by the previous test may still be leaving /proc.
    const threadsBefore = readerThreads();
    const ino = inotify();
    const observer = inotify();
    const fd = ino.fd;
    expect(readlinkSync(`/proc/self/fd/${fd}`)).toBe('anon_inode:inotify');
    const ours = [...readerThreads()].filter((t) => !threadsBefore.has(t));
    expect(ours).toHaveLength(2);
    const alive = (): number => ours.filter((t) => readerThreads().has(t)).length;

    let afterClose = 0;
    let closed = false;
    ino.on('events', () => {
      if (closed) afterClose++;
    });
    ino.addWatch(tmp.dir, IN.IN_CREATE);
    const seen = new Collector(observer);
    observer.addWatch(tmp.dir, IN.IN_CREATE);
    // Events queued in the kernel and possibly already in flight to JS when close() runs.
    for (let i = 0; i < 200; i++) writeFileSync(path.join(tmp.dir, `before${i}`), '');
    await ino.close();
    closed = true;
    for (let i = 0; i < 200; i++) writeFileSync(path.join(tmp.dir, `after${i}`), '');
    writeFileSync(path.join(tmp.dir, 'marker'), '');
    await seen.until((ev) => ev.some((e) => e.name === 'marker'), 5000, 'marker');

    expect(afterClose).toBe(0);
    expect(ino.fd).toBe(-1);
    let link: string | undefined;
    try {
      link = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      link = undefined;
    }
    expect(link).not.toBe('anon_inode:inotify');
    // join() returns once the thread has exited; the kernel reaps its /proc entry a moment later.
    const deadline = Date.now() + 5000;
    while (alive() !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(alive()).toBe(1);
    expect(() => ino.addWatch(tmp.dir, IN.IN_CREATE)).toThrowError(expect.objectContaining({ code: 'CLOSED' }));
    await ino.close(); // idempotent
  });

  it('does not start reading with {start: false} until start()', async () => {
    const ino = inotify({ start: false });
    const seen = new Collector(ino);
    ino.addWatch(tmp.dir, IN.IN_CREATE);
    writeFileSync(path.join(tmp.dir, 'early'), '');
    const observer = inotify();
    const marks = new Collector(observer);
    observer.addWatch(tmp.dir, IN.IN_CREATE);
    writeFileSync(path.join(tmp.dir, 'marker'), '');
    await marks.until((ev) => ev.some((e) => e.name === 'marker'), 5000, 'marker');
    expect(seen.events).toHaveLength(0);
    ino.start();
    await seen.until((ev) => ev.some((e) => e.name === 'marker'), 5000, 'queued events');
    expect(seen.events.map((e) => e.name)).toEqual(['early', 'marker']);
  });

  it('joins what the reader read while the JS thread was busy into one batch', async () => {
    const ino = inotify();
    const seen = new Collector(ino);
    ino.addWatch(tmp.dir, IN.IN_CREATE);
    // This thread is blocked in spawnSync while the child creates the files, and the reader thread
    // reads as they come, many times.
    const r = spawnSync(process.execPath, [
      '-e',
      `const fs=require('fs'),p=require('path');for(let i=0;i<3000;i++)fs.writeFileSync(p.join(process.argv[1],'f'+i),'');`,
      tmp.dir,
    ]);
    expect(r.status, String(r.stderr)).toBe(0);
    // Still without yielding to the event loop: wait until the reader has read every record, i.e. until
    // pendingBytes() is all batch bytes (16-byte header + name padded to 4 per record), none left in the kernel.
    const names = Array.from({ length: 3000 }, (_, i) => `f${i}`);
    const packed = names.reduce((n, name) => n + 16 + Math.ceil(name.length / 4) * 4, 0);
    for (const deadline = Date.now() + 5000; ino.pendingBytes() !== packed && Date.now() < deadline; );
    expect(ino.pendingBytes()).toBe(packed);
    await seen.until((ev) => ev.length >= 3000, 5000, '3000 creates');
    expect(seen.events.map((e) => e.name)).toEqual(names);
    expect(seen.batches).toBe(1);
  });

  it('pendingBytes() counts events not yet delivered: unread in the kernel, or read and waiting for JS', async () => {
    const ino = inotify({ start: false });
    const seen = new Collector(ino);
    ino.addWatch(tmp.dir, IN.IN_CREATE);
    expect(ino.pendingBytes()).toBe(0);
    writeFileSync(path.join(tmp.dir, 'a'), ''); // one IN_CREATE record: 16 bytes + the name padded to 16
    expect(ino.pendingBytes()).toBe(32);
    ino.start();
    await seen.until((ev) => ev.some((e) => e.name === 'a'), 5000, 'the create');
    // After a hand-off the reader thread reads once more until EAGAIN, and counts 1 while that read is
    // in flight (a record could be inside it): 0 follows within that one syscall, so wait for it.
    expect(await drained(ino)).toBe(0);
    // Read by the reader thread while this thread is busy: still pending until the listener has it.
    writeFileSync(path.join(tmp.dir, 'b'), '');
    const deadline = Date.now() + 5000;
    while (ino.pendingBytes() === 0 && Date.now() < deadline); // spin: no event can be delivered meanwhile
    expect(ino.pendingBytes()).toBeGreaterThan(0);
    expect(seen.events.some((e) => e.name === 'b')).toBe(false);
    await seen.until((ev) => ev.some((e) => e.name === 'b'), 5000, 'the second create');
    expect(await drained(ino)).toBe(0);
    await ino.close();
    expect(ino.pendingBytes()).toBe(0);
  });
});
