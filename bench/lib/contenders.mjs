// One adapter per contender: load() imports the library (before the "before"
// RSS is taken), start() watches `root` and resolves when the contender says it
// is ready. Every adapter delivers events as arrays of
// { type: 'create'|'modify'|'close-write'|'delete'|'rename', path, oldPath?, kind?, origin? }.
import path from 'node:path';

const nsfwTypes = ['create', 'delete', 'modify', 'rename'];
const chokidarTypes = { add: 'create', addDir: 'create', change: 'modify', unlink: 'delete', unlinkDir: 'delete' };

export const contenders = {
  // No watcher: the floor under the idle figures (Node and this harness alone).
  none: {
    load: async () => ({}),
    async start() {
      return { close: async () => {} };
    },
  },
  vigil: {
    load: () => import('vigilfs'),
    async start(mod, root, o, deliver, warn) {
      const w = await mod.watch(root, { backend: o.backend, ...(o.backend === 'poll' ? { pollInterval: o.interval } : {}) });
      w.on('events', deliver); // vigil's events already have this shape
      w.on('warning', (e) => warn(e.code ?? String(e)));
      w.on('error', (e) => warn(`error ${e.code ?? e}`));
      return { close: () => w.close(), knownPaths: () => w.knownPaths(), info: () => w.info?.() };
    },
  },
  parcel: {
    load: () => import('@parcel/watcher'),
    async start(mod, root, _o, deliver, warn) {
      const sub = await mod.subscribe(
        root,
        (err, events) => {
          if (err) warn(String(err.message ?? err));
          else deliver(events.map((e) => ({ type: e.type === 'update' ? 'modify' : e.type, path: e.path })));
        },
        { backend: 'inotify' },
      );
      return { close: () => sub.unsubscribe() };
    },
  },
  nsfw: {
    load: () => import('nsfw'),
    async start(mod, root, _o, deliver, warn) {
      const nsfw = mod.default;
      const w = await nsfw(
        root,
        (events) =>
          deliver(
            events.map((e) =>
              e.action === 3
                ? { type: 'rename', path: path.join(e.newDirectory, e.newFile), oldPath: path.join(e.directory, e.oldFile) }
                : { type: nsfwTypes[e.action], path: path.join(e.directory, e.file) },
            ),
          ),
        { debounceMS: 1, errorCallback: (e) => warn(String(e?.message ?? e)) }, // 1 ms: nsfw's minimum (default 500)
      );
      await w.start();
      return { close: () => w.stop() };
    },
  },
  chokidar: {
    load: () => import('chokidar'),
    async start(mod, root, o, deliver, warn) {
      const polling = o.backend === 'poll';
      const w = mod.watch(root, {
        ignoreInitial: true,
        ...(polling ? { usePolling: true, interval: o.interval, binaryInterval: o.interval } : {}),
      });
      w.on('all', (ev, p) => {
        const type = chokidarTypes[ev];
        if (type) deliver([{ type, path: p, kind: ev.endsWith('Dir') ? 'directory' : 'file' }]);
      });
      w.on('error', (e) => warn(String(e?.code ?? e)));
      const ready = await new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), o.readyCapMs);
        w.once('ready', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      return { close: () => w.close(), notReady: !ready };
    },
  },
};
