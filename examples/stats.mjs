// Keep statistics per event type and print them periodically. Counts every
// event by type (and how many were found by a rescan rather than reported by
// the OS, which after an overflow says how much the kernel dropped), and every
// interval prints the totals as one JSON line, plus the events per second
// since the last line. Run: node examples/stats.mjs [dir] [interval-ms]
import { watch } from '../packages/vigilfs/dist/index.js';

const dir = process.argv[2] ?? '.';
const interval = Number(process.argv[3] ?? 5000);
const totals = { create: 0, modify: 0, 'close-write': 0, delete: 0, rename: 0, rescan: 0 };
let sinceLast = 0;

const watcher = await watch(dir);
watcher.on('events', (batch) => {
  for (const e of batch) {
    totals[e.type]++;
    if (e.origin === 'rescan') totals.rescan++;
  }
  sinceLast += batch.length;
});
watcher.on('warning', (w) => console.error(`warning: ${w.code}: ${w.message}`));
console.error('ready');

const timer = setInterval(() => {
  console.log(JSON.stringify({ ...totals, perSecond: Math.round((sinceLast * 1000) / interval) }));
  sinceLast = 0;
}, interval);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    clearInterval(timer);
    void watcher.close();
  });
}
