// One run of bench/watch-limit.mjs in a fresh process: watch, measure idle CPU, then create-to-event delays.
import fs from 'node:fs';
import path from 'node:path';

const { vigil, root, backend, pollInterval, probeDirs, tag } = JSON.parse(process.argv[2]);
const { watch } = await import(vigil);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const w = await watch(root, { backend, pollInterval });
let limitWarning = false;
w.on('warning', (e) => {
  if (e.code === 'WATCH_LIMIT') limitWarning = true;
});
const seen = new Map();
w.on('events', (batch) => {
  const t = performance.now();
  for (const e of batch) if (e.type === 'create' && !seen.has(e.path)) seen.set(e.path, t);
});
// Let start-up work (first reads of polled directories) finish, then measure idle CPU over 10 s.
await sleep(3000);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await sleep(10_000);
const used = process.cpuUsage(cpu0);
const idleCpuMsPerS = (used.user + used.system) / 1000 / ((performance.now() - t0) / 1000);
// Creates spread over the tree (most in directories without a watch), one at a time.
const delays = [];
let missed = 0;
for (let i = 0; i < probeDirs.length; i++) {
  const file = path.join(probeDirs[i], `probe-${tag}-${i}`);
  const at = performance.now();
  fs.writeFileSync(file, 'x');
  const deadline = at + 4 * pollInterval + 15_000;
  while (!seen.has(file) && performance.now() < deadline) await sleep(5);
  if (seen.has(file)) delays.push(seen.get(file) - at);
  else missed++;
  // Start the next probe at an unrelated moment of the poll cycle.
  await sleep(137);
}
delays.sort((a, b) => a - b);
await w.close();
process.send({ limitWarning, idleCpuMsPerS, latencyMedian: delays[Math.floor(delays.length / 2)] ?? NaN, latencyMax: delays.at(-1) ?? NaN, missed }, () =>
  process.exit(0),
);
