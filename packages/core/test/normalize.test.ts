// The normalizer, from data (cases/normalize.yaml): raw, unpaired input in the
// seam's vocabulary (move halves keyed by links or identity, looks, diffs,
// overflow) and the exact events every backend then gets.
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Backend, BackendEvent, BackendSink, ScanEntry, TreeDiff } from '../src/backend.js';
import type { EntryKind, WatchEvent } from '../src/events.js';
import type { IndexEntry } from '../src/tree-index.js';
import { createWatcher } from '../src/watcher/create-watcher.js';

type Step =
  | { events: string[] }
  | { diff: { removed?: string[]; added?: string[]; modified?: string[] } }
  | { changed: string[]; moved?: boolean; recursive?: boolean; contentOnly?: boolean }
  | { overflow: string }
  | { pending: boolean }
  | { write: string };

interface Case {
  name: string;
  rules?: string[];
  ignore?: string[];
  disk?: string[];
  index: string[];
  input: Step[];
  expect: string[];
  warnings?: string[];
}

const cases = parse(readFileSync(new URL('./cases/normalize.yaml', import.meta.url), 'utf8')) as Case[];
const kindOf = (k: string): EntryKind => (k === 'dir' ? 'directory' : (k as EntryKind));

/** One case's world: a real root with the case's disk, and how to read its lines. */
function world(c: Case) {
  const root = mkdtempSync(join(tmpdir(), 'vigil-normalize-'));
  for (const p of c.disk ?? []) {
    if (p.endsWith('/')) mkdirSync(join(root, p), { recursive: true });
    else writeFileSync(join(root, p), 'x');
  }
  const abs = (p: string): string => (p === '.' ? root : `${root}/${p}`);
  const entry = (line: string): ScanEntry => {
    const [p, kind, ino, size, mtime] = line.split(' ');
    if (ino?.startsWith('@')) {
      const st = lstatSync(abs(ino.slice(1)));
      return { path: abs(p!), stat: { kind: kindOf(kind!), dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs } };
    }
    return { path: abs(p!), stat: { kind: kindOf(kind!), dev: 1, ino: Number(ino), size: Number(size ?? 0), mtimeMs: Number(mtime ?? 0) } };
  };
  const record = (line: string): BackendEvent => {
    const [type, p, third, fourth] = line.split(' ');
    const path = abs(p!);
    switch (type) {
      case 'modify':
      case 'close-write':
        return { type, path };
      case 'create':
      case 'delete':
        return { type, path, kind: kindOf(third!) };
      case 'moved-from':
      case 'moved-to':
        return { type, path, kind: kindOf(third!), key: fourth === 'identity' ? 'identity' : { link: Number(fourth!.replace('link=', '')) } };
      default:
        throw new Error(`unknown record ${line}`);
    }
  };
  const show = (e: WatchEvent): string =>
    e.type === 'rename'
      ? `rename ${e.oldPath!.slice(root.length + 1)} -> ${e.path.slice(root.length + 1)} ${e.kind}`
      : `${e.type} ${e.path.slice(root.length + 1)} ${e.kind}`;
  const expected = (line: string): string => line.replace(/ dir$/, ' directory');
  return { root, abs, entry, record, show, expected, done: () => rmSync(root, { recursive: true, force: true }) };
}

/** A backend driven by the test: its walk lists the case's index, its sink is handed over, `pending` is the test's. */
function scriptedBackend(root: string, index: ScanEntry[], state: { pending: boolean; walked: boolean }, onSink: (sink: BackendSink) => void): Backend {
  return {
    name: 'scripted',
    probe: async () => ({ ok: true, capabilities: { renamePairing: 'os', closeWrite: true, overflowSignal: true } }),
    async subscribe(ctx) {
      onSink(ctx.sink);
      return {
        pending: () => state.pending,
        walk: async (start, options) => {
          // The initial walk lists the case's index; later walks (looks, rescans) read the real disk.
          if (start === root && !state.walked) {
            state.walked = true;
            const byDir = new Map<string, { names: string[]; entries: IndexEntry[] }>();
            for (const e of index) {
              const dir = e.path.slice(0, e.path.lastIndexOf('/'));
              const list = byDir.get(dir) ?? { names: [], entries: [] };
              list.names.push(e.path.slice(dir.length + 1));
              list.entries.push(e.stat);
              byDir.set(dir, list);
            }
            const dirs = [...byDir.keys()].sort((a, b) => a.length - b.length);
            for (const d of dirs) {
              const l = byDir.get(d)!;
              options.onListing(d, { length: l.names.length, names: () => l.names, at: (i) => l.entries[i]! });
            }
            return { kind: 'directory', dev: 1, ino: 1, size: 0, mtimeMs: 0 };
          }
          const { walkTree } = await import('../src/walk-tree.js');
          return walkTree(start, options);
        },
        close: async () => undefined,
      };
    },
  } as Backend & { walked?: boolean };
}

describe('normalizer cases', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const w = world(c);
    try {
      let sink!: BackendSink;
      const state = { pending: false, walked: false };
      const backend = scriptedBackend(w.root, c.index.map(w.entry), state, (s) => (sink = s));
      const watcher = await createWatcher({ backends: [backend] }, w.root, { ignore: c.ignore, settle: false });
      const received: WatchEvent[] = [];
      const warnings: string[] = [];
      watcher.on('events', (batch) => received.push(...batch));
      watcher.on('warning', (e) => warnings.push(e.code));
      await new Promise((r) => setImmediate(r));
      for (const step of c.input) {
        if ('events' in step) sink.events(step.events.map(w.record));
        else if ('diff' in step) {
          const diff: TreeDiff = {
            removed: (step.diff.removed ?? []).map(w.abs),
            added: (step.diff.added ?? []).map(w.entry),
            modified: (step.diff.modified ?? []).map(w.entry),
          };
          sink.diff(diff);
        } else if ('changed' in step) sink.changed(step.changed.map(w.abs), { moved: step.moved, recursive: step.recursive, contentOnly: step.contentOnly });
        else if ('overflow' in step) void sink.rescan(w.abs(step.overflow), 'overflow');
        else if ('pending' in step) state.pending = step.pending;
        else if ('write' in step) writeFileSync(w.abs(step.write), 'changed content');
        await watcher.idle();
      }
      // Held halves are decided once nothing is pending and the pairing window has passed: wait for them, with a deadline.
      const deadline = Date.now() + 2000;
      while (received.length < c.expect.length && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5));
        await watcher.idle();
      }
      expect(received.map(w.show)).toEqual(c.expect.map(w.expected));
      expect(warnings).toEqual(c.warnings ?? []);
      await watcher.close();
    } finally {
      w.done();
    }
  });
});
