/**
 * The decoder and core together, on real files: a hand-fed record source
 * delivers records shaped by the documented FSEvents rules (derived, not
 * recorded on a Mac) after real operations in a temp root, and vigil's
 * events are compared. Waits are on conditions with a deadline.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWatcher, type WatchEvent, type Watcher } from '@vigilfs/core';
import { pollBackend } from '@vigilfs/poll';
import { createFseventsBackend, F, FSEVENTS_CAPABILITIES, type FseventsRecord } from '../src/index.js';

/** A record source a test feeds by hand. */
function handSource() {
  let deliver: ((r: FseventsRecord[]) => void) | undefined;
  let id = 1000;
  return {
    feed: (...records: [string, number][]) => deliver!(records.map(([p, flags]) => ({ path: p, flags, id: ++id }))),
    source: () => ({
      async start(_root: string, on: (r: FseventsRecord[]) => void) {
        deliver = on;
      },
      async stop() {
        deliver = () => {};
      },
    }),
  };
}

async function until(cond: () => boolean, what: string, deadline = 5000): Promise<void> {
  const end = Date.now() + deadline;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let watcher: Watcher | undefined;
afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
});

async function start(hand: ReturnType<typeof handSource>) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-fsevents-core-')));
  const backend = createFseventsBackend({ source: hand.source, probe: async () => ({ ok: true, capabilities: FSEVENTS_CAPABILITIES }) });
  const events: WatchEvent[] = [];
  watcher = await createWatcher({ backends: [backend], poller: pollBackend }, dir, { backend: 'fsevents', settle: 100 });
  watcher.on('events', (b) => events.push(...b));
  const shown = () => events.map((e) => `${e.type} ${path.relative(dir, e.path)}${e.oldPath ? ` <- ${path.relative(dir, e.oldPath)}` : ''}`);
  return { dir, events, shown };
}

describe('fsevents decoding through core', () => {
  it('create+modify+remove coalesced on one path reports nothing; a repeated Created on a modified file is a modify', async () => {
    const hand = handSource();
    const { dir, shown } = await start(hand);
    fs.writeFileSync(path.join(dir, 'gone'), 'x');
    fs.rmSync(path.join(dir, 'gone'));
    fs.writeFileSync(path.join(dir, 'kept'), 'x');
    hand.feed(
      [path.join(dir, 'gone'), F.ItemCreated | F.ItemModified | F.ItemRemoved | F.ItemIsFile],
      [path.join(dir, 'kept'), F.ItemCreated | F.ItemModified | F.ItemIsFile],
    );
    await until(() => shown().includes('create kept'), 'create kept');
    fs.appendFileSync(path.join(dir, 'kept'), 'more');
    hand.feed([path.join(dir, 'kept'), F.ItemCreated | F.ItemModified | F.ItemIsFile]);
    await until(() => shown().includes('modify kept'), 'modify kept');
    expect(shown().filter((s) => !s.startsWith('close-write'))).toEqual(['create kept', 'modify kept']);
  });

  it('pairs rename halves that arrive in different callbacks', async () => {
    const hand = handSource();
    const { dir, shown } = await start(hand);
    fs.writeFileSync(path.join(dir, 'a'), 'x');
    hand.feed([path.join(dir, 'a'), F.ItemCreated | F.ItemModified | F.ItemIsFile]);
    await until(() => shown().includes('create a'), 'create a');
    fs.renameSync(path.join(dir, 'a'), path.join(dir, 'b'));
    hand.feed([path.join(dir, 'a'), F.ItemCreated | F.ItemRenamed | F.ItemIsFile]);
    await new Promise((r) => setImmediate(r));
    hand.feed([path.join(dir, 'b'), F.ItemRenamed | F.ItemIsFile]);
    await until(() => shown().includes('rename b <- a'), 'rename b <- a');
    expect(shown().filter((s) => !s.startsWith('close-write'))).toEqual(['create a', 'rename b <- a']);
  });

  it('turns an unpaired Renamed half (a directory moved out of the tree) into a delete after the bound', async () => {
    const hand = handSource();
    const { dir, shown } = await start(hand);
    fs.mkdirSync(path.join(dir, 'd'));
    hand.feed([path.join(dir, 'd'), F.ItemCreated | F.ItemIsDir]);
    await until(() => shown().includes('create d'), 'create d');
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-fsevents-out-'));
    fs.renameSync(path.join(dir, 'd'), path.join(out, 'd'));
    hand.feed([path.join(dir, 'd'), F.ItemRenamed | F.ItemIsDir]);
    await until(() => shown().includes('delete d'), 'delete d');
    expect(shown()).toEqual(['create d', 'delete d']);
  });

  it('rescans on MustScanSubDirs with one OVERFLOW warning', async () => {
    const hand = handSource();
    const { dir, shown } = await start(hand);
    const warnings: string[] = [];
    watcher!.on('warning', (e) => warnings.push(e.code));
    fs.writeFileSync(path.join(dir, 'lost'), 'x');
    hand.feed([dir, F.MustScanSubDirs | F.UserDropped]);
    await until(() => shown().includes('create lost'), 'create lost');
    expect(warnings).toEqual(['OVERFLOW']);
  });
});
