// The normalizer, from data (cases/normalize.yaml): the same rules every
// backend gets — pairing by identity, expansion of directory deletes, rename
// over existing files, coalescing, ignore filtering, ordering.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Backend, BackendSink, TreeDiff, ScanEntry } from '../src/backend.js';
import { createWatcher } from '../src/watcher.js';
import type { EntryKind, EventType, WatchEvent } from '../src/events.js';
import { kindOnly, type IndexEntry } from '../src/tree-index.js';

interface Case {
  name: string;
  rules?: string[];
  ignore?: string[];
  index: string[];
  diff?: { removed?: string[]; added?: string[]; modified?: string[] };
  raw?: string[];
  expect: string[];
}

// A real, empty root: the scripted backend never reads it, but watch() checks it exists.
const ROOT = mkdtempSync(join(tmpdir(), 'vigil-normalize-'));
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));
const cases = parse(readFileSync(new URL('./cases/normalize.yaml', import.meta.url), 'utf8')) as Case[];
const abs = (p: string): string => `${ROOT}/${p}`;

function parseEntry(line: string): ScanEntry {
  const [p, kind, ino, size, mtime] = line.split(' ');
  return { path: abs(p!), stat: { kind: (kind === 'dir' ? 'directory' : kind) as EntryKind, dev: 1, ino: Number(ino), size: Number(size ?? 0), mtimeMs: Number(mtime ?? 0) } };
}

function parseEvent(line: string): WatchEvent {
  const parts = line.split(' ').map((w) => (w === 'dir' ? 'directory' : w));
  if (parts[0] === 'rename') return { type: 'rename', oldPath: abs(parts[1]!), path: abs(parts[3]!), kind: parts[4] as EntryKind, origin: 'os' };
  return { type: parts[0] as EventType, path: abs(parts[1]!), kind: parts[2] as EntryKind, origin: 'os' };
}

const show = (e: WatchEvent): string =>
  e.type === 'rename'
    ? `rename ${e.oldPath!.slice(ROOT.length + 1)} -> ${e.path.slice(ROOT.length + 1)} ${e.kind}`
    : `${e.type} ${e.path.slice(ROOT.length + 1)} ${e.kind}`;

/** A backend driven by the test: it fills the index from the case and hands the sink over. */
function scriptedBackend(initial: ScanEntry[], onSink: (sink: BackendSink) => void): Backend {
  return {
    name: 'scripted',
    capabilities: { renamePairing: 'os', closeWrite: true, seesRemoteChanges: false, overflowSignal: false },
    probe: async () => ({ ok: true }),
    async subscribe(ctx) {
      const rootEntry: IndexEntry = { kind: 'directory', dev: 1, ino: 100, size: 0, mtimeMs: 0 };
      ctx.index.set(ROOT, rootEntry);
      for (const e of initial) ctx.index.set(e.path, e.stat);
      onSink(ctx.sink);
      return { close: async () => undefined };
    },
  };
}

describe('normalizer cases', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    let sink!: BackendSink;
    const backend = scriptedBackend(c.index.map(parseEntry), (s) => (sink = s));
    const watcher = await createWatcher({ backends: [backend] }, ROOT, { ignore: c.ignore });
    const received: WatchEvent[] = [];
    watcher.on('events', (batch) => received.push(...batch));
    if (c.diff) {
      const diff: TreeDiff = {
        removed: (c.diff.removed ?? []).map(abs),
        added: (c.diff.added ?? []).map(parseEntry),
        modified: (c.diff.modified ?? []).map(parseEntry),
      };
      sink.diff(diff, 'os');
    } else {
      sink.events((c.raw ?? []).map(parseEvent));
    }
    await watcher.idle();
    expect(received.map(show)).toEqual(c.expect.map(parseEvent).map(show));
    await watcher.close();
  });
});

describe('rescans requested while one is still queued', () => {
  /** A scripted backend over a real directory: the index holds `listed` (names known from a listing alone), the test drives the sink. */
  async function scripted(listed: Record<string, string[]>) {
    const root = mkdtempSync(join(tmpdir(), 'vigil-rescans-'));
    let sink!: BackendSink;
    const backend: Backend = {
      name: 'scripted',
      capabilities: { renamePairing: 'os', closeWrite: true, seesRemoteChanges: false, overflowSignal: true },
      probe: async () => ({ ok: true }),
      async subscribe(ctx) {
        ctx.index.set(root, { kind: 'directory', dev: 0, ino: 0, size: 0, mtimeMs: 0 });
        for (const [dir, names] of Object.entries(listed)) {
          const kinds = names.map((n) => kindOnly(n.endsWith('/') ? 'directory' : 'file'));
          ctx.index.addListing(dir ? join(root, dir) : root, names.map((n) => n.replace(/\/$/, '')), kinds);
        }
        sink = ctx.sink;
        return { close: async () => undefined };
      },
    };
    const watcher = await createWatcher({ backends: [backend] }, root, { settle: false });
    const received: string[] = [];
    const overflows: string[] = [];
    watcher.on('events', (batch) => received.push(...batch.map((e) => `${e.type} ${e.path.slice(root.length + 1)} (${e.origin})`)));
    watcher.on('warning', (w) => w.code === 'OVERFLOW' && overflows.push(w.path!.slice(root.length)));
    return {
      root,
      sink,
      watcher,
      received,
      overflows,
      done: async () => {
        await watcher.close();
        rmSync(root, { recursive: true, force: true });
      },
    };
  }

  it('join it: one rescan, one OVERFLOW warning, each request\'s `since` kept for its own subtree', async () => {
    const t = await scripted({ '': ['known', 'sub/'], sub: ['inner'] });
    try {
      writeFileSync(join(t.root, 'known'), 'x');
      mkdirSync(join(t.root, 'sub'));
      writeFileSync(join(t.root, 'sub', 'inner'), 'x');
      writeFileSync(join(t.root, 'new'), 'y');
      const done = [t.sink.rescan(t.root, 'overflow'), t.sink.rescan(join(t.root, 'sub'), 'overflow', { since: 0 }), t.sink.rescan(t.root, 'overflow')];
      await Promise.all(done);
      expect(t.overflows).toEqual(['']);
      // `sub/inner` is reported modified because the request for `sub` asked about changes since 0; `known` is not.
      expect(t.received.sort()).toEqual(['create new (rescan)', 'modify sub/inner (rescan)']);
    } finally {
      await t.done();
    }
  });

  it('run after the events queued in between, so a stale event cannot outlive the rescan (R7)', async () => {
    const t = await scripted({});
    try {
      // Read 1 ended in an overflow; read 2 held a create of x, then another
      // overflow that dropped x's delete. x is not on disk.
      void t.sink.rescan(t.root, 'overflow');
      t.sink.events([{ type: 'create', path: join(t.root, 'x'), kind: 'file' }]);
      await t.sink.rescan(t.root, 'overflow');
      expect(t.received).toEqual(['create x (os)', 'delete x (rescan)']);
      expect(t.watcher.knownPaths()).toEqual([t.root]);
      expect(t.overflows).toEqual(['']);
    } finally {
      await t.done();
    }
  });
});
