/**
 * The inotify-driven model of FSEvents (test/model, MODEL.md): the records it
 * makes from real changes follow the documented rules, and the backend fed by
 * it recovers from an injected drop. Linux only (the model runs on inotify).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWatcher, type Watcher, type WatchEvent } from '@vigilfs/core';
import { loadInotifyAddon } from '@vigilfs/inotify';
import { pollBackend } from '@vigilfs/poll';
import { createFseventsBackend, F, FSEVENTS_CAPABILITIES, flagNames, type FseventsRecord } from '../src/index.js';
import { inotifyModelSource, type ModelSource } from './model/inotify-model.js';

const here = process.platform === 'linux' && loadInotifyAddon().ok;

async function until(cond: () => boolean, what: string, deadline = 5000): Promise<void> {
  const end = Date.now() + deadline;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** A started model on a fresh temp root; `batches` are its callbacks, `shown` them as `name Flag|Flag`. */
async function model(latencyMs = 40) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-fsevents-model-')));
  const batches: FseventsRecord[][] = [];
  const source = inotifyModelSource({ latencyMs });
  await source.start(dir, (r) => batches.push(r));
  cleanup = () => source.stop();
  const shown = (b: FseventsRecord[]) => b.map((r) => `${path.relative(dir, r.path) || '.'} ${flagNames(r.flags).join('|')}`);
  return { dir, batches, source, shown, all: () => batches.flat() };
}

describe.skipIf(!here)('FSEvents model over inotify', () => {
  it('accumulates the flags of one path within the latency window into one record (M2, M4)', async () => {
    const m = await model(80);
    fs.writeFileSync(path.join(m.dir, 'f'), 'x');
    fs.rmSync(path.join(m.dir, 'f'));
    fs.mkdirSync(path.join(m.dir, 'd'));
    await until(() => m.batches.length > 0, 'a batch');
    expect(m.shown(m.batches[0]!)).toEqual(['f ItemCreated|ItemRemoved|ItemModified|ItemIsFile', 'd ItemCreated|ItemIsDir']);
  });

  it('reports both halves of a rename with Renamed and no link, with increasing ids (M3, M5)', async () => {
    const m = await model();
    fs.writeFileSync(path.join(m.dir, 'a'), 'x');
    await until(() => m.batches.length === 1, 'the create');
    fs.renameSync(path.join(m.dir, 'a'), path.join(m.dir, 'b'));
    await until(() => m.batches.length === 2, 'the rename');
    // `a` was created earlier, so its record still carries Created (M6); `b` is new.
    expect(m.shown(m.batches[1]!)).toEqual(['a ItemCreated|ItemRenamed|ItemIsFile', 'b ItemRenamed|ItemIsFile']);
    const ids = m.all().map((r) => r.id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('repeats Created on a later record of a created path until it is removed (M6)', async () => {
    const m = await model();
    const f = path.join(m.dir, 'f');
    fs.writeFileSync(f, 'x');
    await until(() => m.batches.length === 1, 'the create');
    fs.appendFileSync(f, 'y');
    await until(() => m.batches.length === 2, 'the append');
    expect(m.shown(m.batches[1]!)).toEqual(['f ItemCreated|ItemModified|ItemIsFile']);
  });

  it('reports what a new directory holds when it is first watched (M7)', async () => {
    const m = await model();
    fs.mkdirSync(path.join(m.dir, 'a/b/c'), { recursive: true });
    fs.writeFileSync(path.join(m.dir, 'a/b/c/f'), 'x');
    await until(() => m.all().some((r) => r.path.endsWith('/a/b/c/f')), 'a/b/c/f');
    const names = m.all().map((r) => path.relative(m.dir, r.path));
    for (const p of ['a', 'a/b', 'a/b/c', 'a/b/c/f']) expect(names).toContain(p);
  });

  it('says RootChanged (id 0) when the root goes (M8), and MustScanSubDirs when asked (M9)', async () => {
    const m = await model();
    fs.mkdirSync(path.join(m.dir, 'sub'));
    (m.source as ModelSource).dropEvents(path.join(m.dir, 'sub'));
    await until(() => m.batches.length > 0, 'the drop');
    expect(m.all().find((r) => r.flags & F.MustScanSubDirs)).toMatchObject({ path: path.join(m.dir, 'sub'), flags: F.MustScanSubDirs | F.UserDropped });
    fs.rmSync(m.dir, { recursive: true });
    await until(() => m.all().some((r) => r.flags & F.RootChanged), 'RootChanged');
    expect(m.all().find((r) => r.flags & F.RootChanged)).toEqual({ path: m.dir, flags: F.RootChanged, id: 0 });
  });

  it('drives the backend: an injected drop is a rescan with one OVERFLOW warning', async () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-fsevents-model-')));
    let source: ModelSource | undefined;
    const backend = createFseventsBackend({
      source: () => (source = inotifyModelSource({ latencyMs: 30 })),
      probe: async () => ({ ok: true, capabilities: FSEVENTS_CAPABILITIES }),
    });
    const w: Watcher = await createWatcher({ backends: [backend], poller: pollBackend }, dir, { backend: 'fsevents', settle: false });
    cleanup = () => w.close();
    const events: WatchEvent[] = [];
    const warnings: string[] = [];
    w.on('events', (b) => events.push(...b));
    w.on('warning', (e) => warnings.push(e.code));
    fs.writeFileSync(path.join(dir, 'f'), 'x');
    await until(() => events.length === 1, 'create f');
    source!.dropEvents(dir);
    await until(() => warnings.length === 1, 'OVERFLOW');
    await w.idle();
    expect(warnings).toEqual(['OVERFLOW']);
    expect(events.map((e) => `${e.type} ${path.basename(e.path)} ${e.origin}`)).toEqual(['create f os']);
  });
});
