// Print every event: the basic loop. Watches a directory (default: the current
// one) recursively and prints one line per event, `type kind path` (with
// `old -> new` for renames), until Ctrl-C. vigil resolves `watch()` only when
// the whole tree is watched, so "ready" on stderr means every later change
// will be printed. Run: node examples/print-events.mjs [dir]
//
// The examples import the built package by a relative path, because the bare
// name 'vigilfs' does not resolve from the workspace root (build with `npm run build`).
// In your own project, write `import { watch } from 'vigilfs'`.
import { watch } from '../packages/vigilfs/dist/index.js';

const watcher = await watch(process.argv[2] ?? '.');
console.error('ready');

watcher.on('events', (batch) => {
  for (const e of batch) {
    console.log(`${e.type} ${e.kind} ${e.oldPath !== undefined ? `${e.oldPath} -> ` : ''}${e.path}`);
  }
});
watcher.on('warning', (w) => console.error(`warning: ${w.code}: ${w.message}`));
watcher.on('error', (err) => console.error(`error: ${err.code}: ${err.message}`));

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void watcher.close());
