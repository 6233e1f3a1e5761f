// Exercises the addon directly (no TypeScript) for the leak check: open,
// add/remove watches (including failures), the reader thread with real
// batches, walks (including a close while a walk is in flight), close, and an
// instance left open for environment teardown to clean up.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const addon = require(process.env.VIGIL_INOTIFY_ADDON || path.join(__dirname, '..', 'build', 'Release', 'vigil_inotify.node'));
const C = addon.constants;
const MASK = C.IN_CREATE | C.IN_DELETE | C.IN_MOVE | C.IN_CLOSE_WRITE | C.IN_ONLYDIR | C.IN_DONT_FOLLOW;

const root = fs.mkdtempSync('/dev/shm/vigil-valgrind-');
for (let i = 0; i < 5; i++) {
  fs.mkdirSync(path.join(root, `d${i}`));
  for (let k = 0; k < 20; k++) fs.writeFileSync(path.join(root, `d${i}`, `f${k}`), '');
}
fs.writeFileSync(Buffer.from(`${root}/bad\xff`, 'latin1'), '');

const STATS = 1; // DirWalker::kStats
const walk = (reader, dirs, flags = 0) =>
  new Promise((resolve, reject) =>
    addon.walk(
      reader,
      dirs.map((d) => Buffer.from(d)),
      MASK,
      flags,
      (e, b) => (e ? reject(e) : resolve(b)),
    ),
  );

async function cycle(round) {
  const reader = new addon.InotifyReader();
  const err = reader.open();
  if (err) throw new Error(JSON.stringify(err));
  let records = 0;
  let resolveMarker;
  const marker = new Promise((r) => (resolveMarker = r));
  reader.start((batch) => {
    if (!batch) return;
    records += batch.length;
    if (batch.includes(Buffer.from(`marker${round}`))) resolveMarker();
  });
  if (typeof reader.addWatch(Buffer.from(root), MASK) !== 'number') throw new Error('addWatch failed');
  reader.addWatch(Buffer.from('/nonexistent'), MASK); // error as data
  const packed = await walk(reader, [root, ...[0, 1, 2, 3, 4].map((i) => path.join(root, `d${i}`)), '/nonexistent'], round % 2 ? STATS : 0);
  for (let i = 0; i < 50; i++) fs.writeFileSync(path.join(root, `d${i % 5}`, `new${round}-${i}`), 'x');
  fs.writeFileSync(path.join(root, `marker${round}`), '');
  await marker;
  const wd = reader.addWatch(Buffer.from(path.join(root, 'd0')), MASK);
  reader.removeWatch(wd);
  reader.removeWatch(99999); // EINVAL as data
  reader.pendingBytes();
  const types = addon.lstatTypes(Buffer.from(`${root}\0/nonexistent\0${root}/d0\0unterminated`), 4);
  if (types.length !== 4 || types[0] !== C.DT_DIR || types[1] !== C.DT_UNKNOWN || types[2] !== C.DT_DIR || types[3] !== C.DT_UNKNOWN)
    throw new Error(`lstatTypes: ${types}`);
  const inFlight = walk(reader, [root]); // close while this walk runs
  reader.close();
  await inFlight;
  reader.close(); // idempotent
  return { records, packed: packed.length };
}

(async () => {
  for (let round = 0; round < 5; round++) await cycle(round);
  // Left open and started on purpose: the env cleanup hook must stop it at exit.
  const leftOpen = new addon.InotifyReader();
  leftOpen.open();
  leftOpen.start(() => {});
  leftOpen.unref();
  fs.rmSync(root, { recursive: true, force: true });
  console.log('exercise: ok');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
