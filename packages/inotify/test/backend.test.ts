// Behaviour that belongs to the inotify backend alone: overflow recovery,
// renames split across reads, the watch limit. Everything else is a
// conformance scenario (packages/conformance), run against every backend.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ScanCollector,
  createIgnorePredicate,
  createWatcher,
  resolveWatchOptions,
  scanTree,
  type BackendSink,
  type ScanEntry,
  type VigilError,
  type WatchEvent,
  type Watcher,
} from '@vigilfs/core';
import { pollBackend } from '@vigilfs/poll';
import { inotifyBackend } from '../src/index.js';
import { makeTempDir } from './helpers.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function watchWithInotify(root: string): Promise<{ watcher: Watcher; events: WatchEvent[]; warnings: VigilError[] }> {
  const watcher = await createWatcher({ backends: [inotifyBackend] }, root);
  cleanups.push(() => watcher.close());
  const events: WatchEvent[] = [];
  const warnings: VigilError[] = [];
  watcher.on('events', (b) => events.push(...b));
  watcher.on('warning', (w) => warnings.push(w));
  return { watcher, events, warnings };
}

async function until(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every path under `root` (root included), as vigil names them. */
function diskPaths(root: string): string[] {
  const out = [root];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      out.push(p);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out.sort();
}

/** Runs a burst in a child process while this thread is blocked, so the kernel queue fills untouched. */
function burstWhileStalled(script: string, root: string): void {
  const r = spawnSync(process.execPath, ['-e', script, root], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`burst failed: ${r.stderr}`);
}

describe('inotify backend', () => {
  it('recovers from a queue overflow: after the rescan the known paths equal the disk (R7)', async () => {
    const { dir, cleanup } = makeTempDir();
    cleanups.push(cleanup);
    for (let d = 0; d < 5; d++) {
      mkdirSync(path.join(dir, `old${d}`));
      for (let f = 0; f < 20; f++) writeFileSync(path.join(dir, `old${d}`, `f${f}`), 'x');
    }
    // One byte in flight: while the JS thread is blocked the reader stops after
    // one read, so the kernel queue (16384 here) must overflow.
    process.env.VIGIL_INOTIFY_BYTES_IN_FLIGHT = '1';
    cleanups.push(() => void delete process.env.VIGIL_INOTIFY_BYTES_IN_FLIGHT);
    const { watcher, warnings } = await watchWithInotify(dir);
    // 21,000 creates in watched directories (more than max_queued_events, 16384
    // here), a new populated directory, a deleted one and a directory rename, all while the JS thread is blocked in spawnSync.
    burstWhileStalled(
      `const fs=require('fs'),p=require('path'),r=process.argv[1];
       for(let d=2;d<5;d++)for(let f=0;f<7000;f++)fs.writeFileSync(p.join(r,'old'+d,'n'+f),'');
       fs.mkdirSync(p.join(r,'newdir'));for(let f=0;f<100;f++)fs.writeFileSync(p.join(r,'newdir','f'+f),'');
       fs.rmSync(p.join(r,'old0'),{recursive:true});fs.renameSync(p.join(r,'old1'),p.join(r,'renamed1'));`,
      dir,
    );
    await until(() => warnings.some((w) => w.code === 'OVERFLOW'), 'the OVERFLOW warning');
    const disk = diskPaths(dir);
    await until(() => watcher.knownPaths().length === disk.length, 'the rescan to complete');
    await watcher.idle();
    expect(watcher.knownPaths().sort()).toEqual(disk);
  });

  it('ends the root when the rescan after an overflow finds the root gone (R9, R7)', async () => {
    const { dir: parent, cleanup } = makeTempDir();
    cleanups.push(cleanup);
    const dir = path.join(parent, 'root');
    mkdirSync(dir);
    for (let d = 0; d < 40; d++) {
      mkdirSync(path.join(dir, `d${d}`));
      for (let f = 0; f < 500; f++) writeFileSync(path.join(dir, `d${d}`, `f${f}`), '');
    }
    // As above: the kernel queue overflows, and the root's own IN_DELETE_SELF is among the records lost.
    process.env.VIGIL_INOTIFY_BYTES_IN_FLIGHT = '1';
    cleanups.push(() => void delete process.env.VIGIL_INOTIFY_BYTES_IN_FLIGHT);
    const { watcher, warnings } = await watchWithInotify(dir);
    const errors: VigilError[] = [];
    watcher.on('error', (e) => errors.push(e));
    burstWhileStalled(`require('fs').rmSync(process.argv[1], { recursive: true });`, dir);
    await until(() => errors.length > 0, 'the ROOT_REMOVED error');
    expect(warnings.map((w) => w.code)).toContain('OVERFLOW');
    expect(errors.map((e) => e.code)).toEqual(['ROOT_REMOVED']);
    expect(watcher.closed).toBe(true);
    expect(watcher.knownPaths()).toEqual([]);
  });

  it('pairs every rename, also when a pair is split across two reads (R5)', async () => {
    const { dir, cleanup } = makeTempDir();
    cleanups.push(cleanup);
    mkdirSync(path.join(dir, 'a'));
    mkdirSync(path.join(dir, 'b'));
    const count = 6000;
    // Long names make the queue larger than one read (256 KiB), so some pairs straddle a read.
    const long = 'x'.repeat(40);
    for (let i = 0; i < count; i++) writeFileSync(path.join(dir, 'a', `${long}${i}`), '');
    const { events } = await watchWithInotify(dir);
    burstWhileStalled(
      `const fs=require('fs'),p=require('path'),r=process.argv[1];
       for(let i=0;i<${count};i++){const n='${long}'+i;fs.renameSync(p.join(r,'a',n),p.join(r,i%2?'b':'a',n+'.moved'));}`,
      dir,
    );
    await until(() => events.length >= count, `${count} rename events`);
    await until(() => events.filter((e) => e.type === 'rename').length === count, 'all renames paired', 5000).catch(() => undefined);
    const summary = { rename: 0, other: [] as string[] };
    for (const e of events)
      if (e.type === 'rename') summary.rename++;
      else summary.other.push(`${e.type} ${e.path}`);
    expect(summary.other.slice(0, 5)).toEqual([]);
    expect(summary.rename).toBe(count);
  });

  it('polls the directories that cannot get a watch, with one WATCH_LIMIT warning naming the sysctl (R10)', async () => {
    // VIGIL_INOTIFY_MAX_WATCHES is the backend's own hook: its instances act as if
    // fs.inotify.max_user_watches were reached after that many watches. The sysctl
    // itself is never lowered (that would hit every process of the user).
    const { dir, cleanup } = makeTempDir();
    cleanups.push(cleanup);
    for (let d = 0; d < 30; d++) mkdirSync(path.join(dir, `d${d}`, 'sub'), { recursive: true });
    process.env.VIGIL_INOTIFY_MAX_WATCHES = '10';
    cleanups.push(() => void delete process.env.VIGIL_INOTIFY_MAX_WATCHES);
    const watcher = await createWatcher({ backends: [inotifyBackend], poller: pollBackend }, dir, { backend: 'inotify', pollInterval: 50 });
    cleanups.push(() => watcher.close());
    const events: WatchEvent[] = [];
    const warnings: VigilError[] = [];
    watcher.on('events', (b) => events.push(...b));
    watcher.on('warning', (w) => warnings.push(w));
    // Files created in directories that got no watch are reported, by polling.
    const late = [path.join(dir, 'd29', 'late.txt'), path.join(dir, 'd28', 'sub', 'deep.txt')];
    for (const f of late) writeFileSync(f, 'x');
    await until(() => late.every((f) => events.some((e) => e.type === 'create' && e.path === f)), 'the creates in unwatched directories');
    expect(warnings.filter((w) => w.code === 'WATCH_LIMIT')).toHaveLength(1);
    expect(warnings[0]!.message).toContain('fs.inotify.max_user_watches');
    expect(warnings[0]!.message).toContain('polled every 50 ms');
    expect(watcher.info()[0]!.details).toMatch(/\d+ directories polled/);
    // Nothing reported twice, nothing made up: the index equals the disk.
    await watcher.idle();
    expect(
      events
        .filter((e) => e.type === 'create')
        .map((e) => e.path)
        .sort(),
    ).toEqual(late.sort());
    expect(watcher.knownPaths().sort()).toEqual(diskPaths(dir));
    // With onWatchLimit: 'error', watch() fails instead.
    const strict = createWatcher({ backends: [inotifyBackend], poller: pollBackend }, dir, { backend: 'inotify', onWatchLimit: 'error' });
    await expect(strict).rejects.toMatchObject({ code: 'WATCH_LIMIT' });
  });

  it('rescans with the native walker exactly as scanTree does: same entries, stats and order, ignores honoured', async () => {
    const { dir, cleanup } = makeTempDir();
    cleanups.push(cleanup);
    for (let d = 0; d < 3; d++) {
      for (let e = 0; e < 3; e++) {
        const sub = path.join(dir, `d${d}`, `e ${e}`);
        mkdirSync(sub, { recursive: true });
        for (let f = 0; f < 4; f++) writeFileSync(path.join(sub, `f${f}`), 'x'.repeat(f * 10));
      }
    }
    mkdirSync(path.join(dir, 'd0', 'empty'));
    mkdirSync(path.join(dir, 'node_modules', 'pkg'), { recursive: true });
    writeFileSync(path.join(dir, 'node_modules', 'pkg', 'index.js'), '');
    writeFileSync(path.join(dir, 'line\nbreak'), '');
    writeFileSync(Buffer.from(`${dir}/bad\xff`, 'latin1'), '');
    writeFileSync(path.join(dir, 'd1', 'skip.log'), '');
    symlinkSync('d0', path.join(dir, 'link'));
    spawnSync('mkfifo', [path.join(dir, 'fifo')]);

    const ignore = createIgnorePredicate(dir, ['node_modules', '*.log']);
    const warnings: VigilError[] = [];
    const sink = {
      warning: (w: VigilError) => warnings.push(w),
      fatal: (e: VigilError) => warnings.push(e),
      unwatchable: (_: string, e: VigilError) => warnings.push(e),
    } as unknown as BackendSink;
    const [options] = [resolveWatchOptions({ settle: false })];
    const sub = await inotifyBackend.subscribe({
      root: dir,
      recursive: true,
      ignore,
      options,
      capabilities: { renamePairing: 'os', closeWrite: true, overflowSignal: true },
      sink,
      known: () => undefined,
      knownNames: () => [],
    });
    cleanups.push(() => sub.close());
    expect(sub.walk).toBeTypeOf('function');
    const onWarning = (w: VigilError): void => {
      warnings.push(w);
    };
    const show = (entries: { path: string; stat: object }[]): string[] => entries.map((e) => `${e.path} ${JSON.stringify({ ...e.stat, name: undefined })}`);
    const nativeScan = async (start: string, onGone: (d: string) => void): Promise<ScanEntry[]> => {
      const collector = new ScanCollector();
      const entry = await sub.walk!(start, { ignore, stats: true, onListing: collector.onListing, onWarning, onGone });
      return collector.entries(start, entry);
    };
    for (const start of [dir, path.join(dir, 'd2'), path.join(dir, 'd1', 'e 1', 'f3'), path.join(dir, 'missing')]) {
      const gone: string[][] = [[], []];
      const native = await nativeScan(start, (d) => gone[0]!.push(d));
      const portable = await scanTree(start, { ignore, onWarning, onGone: (d) => gone[1]!.push(d) });
      expect(show(native)).toEqual(show(portable));
      expect(gone[0]).toEqual(gone[1]);
    }
    const all = await nativeScan(dir, () => undefined);
    expect(all.length).toBe(1 + 3 + 9 + 36 + 1 + 4); // root, d*, e*, files, empty, line break/bad/link/fifo
    expect(all.some((e) => e.path.includes('node_modules') || e.path.endsWith('.log'))).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('keeps events from directories a scan has just watched, before their watches reached JS (R1)', async () => {
    // A tree moved in from outside is scanned by the native walker (level by level,
    // on pool threads); a writer fills its deepest directories meanwhile. An event
    // for a watch added on a pool thread can reach JS before the chunk that says
    // which directory the watch is for: it must wait, not be dropped.
    const { dir, cleanup } = makeTempDir();
    cleanups.push(cleanup);
    const root = path.join(dir, 'root');
    const stage = path.join(dir, 'stage');
    mkdirSync(root);
    const dirs = 600;
    const rounds = 8;
    const { watcher } = await watchWithInotify(root);
    const writer = `
      const fs = require('fs');
      const [stage, root, dirs, rounds] = process.argv.slice(1);
      for (let i = 0; i < +dirs; i++) fs.mkdirSync(stage + '/A/d' + i + '/x/y', { recursive: true });
      fs.renameSync(stage + '/A', root + '/A');
      for (let r = 0; r < +rounds; r++) for (let i = 0; i < +dirs; i++) fs.closeSync(fs.openSync(root + '/A/d' + i + '/x/y/f' + r, 'w'));`;
    // Not spawnSync: this thread must stay free to scan while the writer runs.
    const child = spawn(process.execPath, ['-e', writer, stage, root, String(dirs), String(rounds)], { stdio: 'inherit' });
    const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(status).toBe(0);
    const disk = diskPaths(root);
    expect(disk.length).toBe(2 + dirs * (3 + rounds));
    await until(() => watcher.knownPaths().length >= disk.length, 'every moved directory and new file known');
    expect([...watcher.knownPaths()].sort()).toEqual(disk);
  });
});
