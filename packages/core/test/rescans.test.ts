// Rescans requested while one is still queued join it (session/rescan-queue.ts).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Backend, BackendSink } from '../src/backend.js';
import { kindOnly } from '../src/tree-index.js';
import { walkTree } from '../src/walk-tree.js';
import { createWatcher } from '../src/watcher/create-watcher.js';

describe('rescans requested while one is still queued', () => {
  /** A scripted backend over a real directory: the index holds `listed` (names known from a listing alone), the test drives the sink. */
  async function scripted(listed: Record<string, string[]>) {
    const root = mkdtempSync(join(tmpdir(), 'vigil-rescans-'));
    let sink!: BackendSink;
    let walked = false;
    const backend: Backend = {
      name: 'scripted',
      probe: async () => ({ ok: true, capabilities: { renamePairing: 'os', closeWrite: true, overflowSignal: true } }),
      async subscribe(ctx) {
        sink = ctx.sink;
        return {
          // The first walk lists `listed` (kinds only, as inotify's walk does); rescans read the disk.
          walk: async (start, options) => {
            if (walked) return walkTree(start, options);
            walked = true;
            for (const [dir, names] of Object.entries(listed)) {
              const entries = names.map((n) => kindOnly(n.endsWith('/') ? 'directory' : 'file'));
              const plain = names.map((n) => n.replace(/\/$/, ''));
              options.onListing(dir ? join(root, dir) : root, { length: plain.length, names: () => plain, at: (i) => entries[i]! });
            }
            return kindOnly('directory');
          },
          close: async () => undefined,
        };
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

  it("join it: one rescan, one OVERFLOW warning, each request's `since` kept for its own subtree", async () => {
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
