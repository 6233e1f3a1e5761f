// Chain two handlers: a filter, then a logger. Each handler receives a batch
// and passes what it keeps to the next one, so stages can be added, removed or
// reordered without touching each other. Here the filter drops directories and
// editor scratch files (*.tmp, *.swp, names starting with "~" or ".#"), and the
// logger prints what is left as JSON lines. (For work that should run as
// separate commands, see `vigil run` and packages/runner/README.md instead.)
// Run: node examples/chain.mjs [dir]
import path from 'node:path';
import { watch } from '../packages/vigilfs/dist/index.js';

/** Builds one handler out of stages `(batch, next) => void`. */
function chain(...stages) {
  return (batch) => {
    const run = (i, b) => {
      if (i < stages.length && b.length > 0) stages[i](b, (kept) => run(i + 1, kept));
    };
    run(0, batch);
  };
}

const scratch = /\.(tmp|swp)$|^~|^\.#/;
const onlyFiles = (batch, next) => next(batch.filter((e) => e.kind !== 'directory' && !scratch.test(path.basename(e.path))));
const logger = (batch) => {
  for (const e of batch) console.log(JSON.stringify({ type: e.type, path: e.path, ...(e.oldPath ? { oldPath: e.oldPath } : {}) }));
};

const watcher = await watch(process.argv[2] ?? '.');
watcher.on('events', chain(onlyFiles, logger));
console.error('ready');
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void watcher.close());
