/**
 * The flag table and the decoder, from records written after FSEvents.h's
 * documented meanings (not recorded on a Mac): every flag's action, and the
 * seam calls a batch turns into.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackendSink } from '@vigilfs/core';
import { ACTION_PRECEDENCE, F, FLAGS, actionOf, createDecoder, flagNames, parseFlags } from '../src/index.js';

function recordingSink(): { sink: BackendSink; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const sink: BackendSink = {
    events: (b) => calls.push(['events', b]),
    changed: (paths, options) => calls.push(['changed', [...paths], options ?? {}]),
    diff: (d) => calls.push(['diff', d]),
    rescan: async (subtree, reason) => void calls.push(['rescan', subtree, reason]),
    unwatchable: (dir) => calls.push(['unwatchable', dir]),
    warning: (e) => calls.push(['warning', e.code]),
    rootRemoved: () => calls.push(['rootRemoved']),
    fatal: (e) => calls.push(['fatal', e.code]),
    mountsChanged: () => calls.push(['mountsChanged']),
  };
  return { sink, calls };
}

describe('flag table', () => {
  it('has the FSEvents.h values, each a distinct bit, each with an action', () => {
    const seen = new Set<number>();
    for (const f of FLAGS) {
      expect(f.value & (f.value - 1), f.name).toBe(0);
      expect(seen.has(f.value), f.name).toBe(false);
      seen.add(f.value);
      expect(ACTION_PRECEDENCE).toContain(f.action);
    }
    expect(F.MustScanSubDirs).toBe(0x1);
    expect(F.ItemRenamed).toBe(0x800);
    expect(F.ItemCloned).toBe(0x400000);
  });

  it('gives every flag alone its own action (descriptive ones are looked at)', () => {
    for (const f of FLAGS) {
      const expected = f.action === 'describes' || f.action === 'ignore' ? 'look' : f.action;
      expect(actionOf(f.value), f.name).toBe(expected);
    }
  });

  it('lets a rename or a drop win over accumulated content flags', () => {
    expect(actionOf(F.ItemCreated | F.ItemModified | F.ItemRenamed | F.ItemIsFile)).toBe('look-moved');
    expect(actionOf(F.MustScanSubDirs | F.UserDropped | F.ItemCreated)).toBe('rescan');
    expect(actionOf(F.HistoryDone)).toBe('consume');
  });

  it('round-trips names', () => {
    const flags = F.ItemCreated | F.ItemModified | F.ItemIsFile;
    expect(parseFlags(flagNames(flags).join('|'))).toBe(flags);
    expect(parseFlags('Created|IsDir')).toBe(F.ItemCreated | F.ItemIsDir);
    expect(() => parseFlags('Nonsense')).toThrow(/unknown FSEvents flag/);
  });
});

describe('decoder', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-fsevents-decode-'));
  const real = fs.realpathSync(root);

  it('routes content records to a look, rename halves to a look that holds them, in order', () => {
    const { sink, calls } = recordingSink();
    const decode = createDecoder({ root: real, recursive: true, sink });
    decode([
      { path: `${real}/a`, flags: F.ItemCreated | F.ItemModified | F.ItemRemoved | F.ItemIsFile, id: 10 },
      { path: `${real}/b`, flags: F.ItemRenamed | F.ItemIsFile, id: 11 },
      { path: `${real}/c`, flags: F.ItemRenamed | F.ItemIsFile, id: 12 },
      { path: `${real}/d`, flags: F.ItemModified | F.ItemIsFile, id: 13 },
      { path: '/', flags: F.HistoryDone, id: 14 },
    ]);
    expect(calls).toEqual([
      ['changed', [`${real}/a`], {}],
      ['changed', [`${real}/b`, `${real}/c`], { moved: true }],
      ['changed', [`${real}/d`], {}],
    ]);
  });

  it('rescans a dropped subtree, or the root when the dropped path is above it', () => {
    const { sink, calls } = recordingSink();
    const decode = createDecoder({ root: real, recursive: true, sink });
    decode([{ path: `${real}/sub`, flags: F.MustScanSubDirs | F.UserDropped, id: 1 }]);
    decode([{ path: path.dirname(real), flags: F.MustScanSubDirs | F.KernelDropped, id: 2 }]);
    expect(calls).toEqual([
      ['rescan', `${real}/sub`, 'overflow'],
      ['rescan', real, 'overflow'],
    ]);
  });

  it('reports records under the root core watches when the stream spells it otherwise (/private/var for /var)', () => {
    const { sink, calls } = recordingSink();
    const decode = createDecoder({ root: real, recordRoot: `/private${real}`, recursive: true, sink });
    decode([{ path: `/private${real}/x`, flags: F.ItemCreated | F.ItemIsFile, id: 1 }]);
    expect(calls).toEqual([['changed', [`${real}/x`], {}]]);
  });

  it('rescans a root that RootChanged names when it is there, ends it when it is gone', () => {
    const { sink, calls } = recordingSink();
    createDecoder({ root: real, recursive: true, sink })([{ path: real, flags: F.RootChanged, id: 0 }]);
    const gone = path.join(real, 'not-there');
    createDecoder({ root: gone, recursive: true, sink })([{ path: gone, flags: F.RootChanged, id: 0 }]);
    expect(calls).toEqual([['rescan', real, 'unknown'], ['rootRemoved']]);
  });

  it('feeds Mount/Unmount to the mount input, and keeps only the root entries when not recursive', () => {
    const { sink, calls } = recordingSink();
    const decode = createDecoder({ root: real, recursive: false, sink });
    decode([
      { path: `${real}/vol`, flags: F.Mount | F.ItemIsDir, id: 1 },
      { path: `${real}/f`, flags: F.ItemModified | F.ItemIsFile, id: 2 },
      { path: `${real}/d/g`, flags: F.ItemModified | F.ItemIsFile, id: 3 },
    ]);
    expect(calls).toEqual([['mountsChanged'], ['changed', [`${real}/f`], {}]]);
  });
});

describe('live source', () => {
  it('is not attempted off macOS: probing says why (BACKEND_UNAVAILABLE when forced)', async () => {
    const { fseventsBackend, loadFsevents } = await import('../src/index.js');
    if (process.platform === 'darwin') return expect(loadFsevents().ok).toBe(true);
    const probe = await fseventsBackend.probe(os.tmpdir());
    expect(probe).toEqual({ ok: false, reason: `FSEvents exists only on macOS (this is ${process.platform})`, unexpected: false });
  });
});
