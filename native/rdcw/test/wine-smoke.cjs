// Run by a Windows node.exe (under Wine on Linux, or on Windows itself):
//
//   node.exe wine-smoke.cjs <addon.node> <scenario> <watch dir> <control dir>
//
// Drives the rdcw addon directly and prints one JSON line ("RESULT {...}") with
// what it saw: per step, the raw buffers (base64) and a minimal decoding of
// their FILE_NOTIFY_INFORMATION records ({action, name}). The decoding here is
// only to check the addon; @vigilfs/rdcw has the real parser.
//
// Steps know the watcher has caught up by a cookie: after its operations a
// step creates `.cookie-<n>` and waits for that name's ADDED record (every
// record before it belongs to the step). A step done by the Linux side is
// asked for by writing `<control>/want-<step>`; the Linux side does it, then
// makes the cookie itself. Any other file node.exe writes into the control
// directory (`handshake()`) is a point where the Linux side looks at something;
// the Linux side answers it with `ack-<name>` once it has looked.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const [addonPath, scenario, dir, control] = process.argv.slice(2);
const addon = require(addonPath);
const ACTIONS = { 1: 'added', 2: 'removed', 3: 'modified', 4: 'renamed_old', 5: 'renamed_new' };

function decode(ab, extended) {
  // Records are 2-byte aligned under Wine: read through a DataView, walk NextEntryOffset.
  const v = new DataView(ab);
  const out = [];
  let off = 0;
  const nameAt = extended ? 72 : 12;
  const lenAt = extended ? 68 : 8;
  for (;;) {
    if (off + nameAt > ab.byteLength) break;
    const next = v.getUint32(off, true);
    const action = v.getUint32(off + 4, true);
    const len = v.getUint32(off + lenAt, true);
    const name = Buffer.from(ab, off + nameAt, len).toString('utf16le');
    out.push({ action, name, offset: off });
    if (next === 0) break;
    off += next;
  }
  return out;
}

const batches = [];
let wake = null;
let afterClose = 0;
let closed = false;
function onBatch(batch) {
  if (closed) afterClose++;
  batches.push(batch);
  if (wake) wake();
}

/** Resolves when pred() holds (checked on each batch and every 20 ms), or rejects after ms. */
async function until(pred, ms, what) {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => {
      wake = r;
      setTimeout(r, 20);
    });
    wake = null;
  }
}

function records(from) {
  const out = [];
  for (const b of batches.slice(from)) {
    for (const ab of b.buffers) for (const r of decode(ab, b.extended)) out.push(r);
  }
  return out;
}

/**
 * Writes `name` in the watched directory and waits until a second watch on it
 * (a witness) reports the create: by then a watch closed before the write has
 * had the same chance to report it, with no fixed wait.
 */
async function writeWitnessed(name) {
  const seen = [];
  const witness = addon.watch(dir, { bufferBytes: 64 * 1024, extended: false }, (b) => {
    for (const ab of b.buffers) for (const r of decode(ab, b.extended)) seen.push(r);
  });
  fs.writeFileSync(wdir(name), 'x');
  await until(() => seen.some((r) => r.action === 1 && r.name === name), 10_000, `the witness to see ${name}`);
  await witness.close();
}

/** Writes `<control>/<name>` and waits for the Linux side's `ack-<name>`: it has done its look at this point. */
async function handshake(name) {
  fs.writeFileSync(path.join(control, name), '');
  const ack = path.join(control, `ack-${name}`);
  await until(() => fs.existsSync(ack), 10_000, `the Linux side's ${path.basename(ack)}`);
}

let cookieN = 0;
const steps = [];
/** Runs ops (or asks the Linux side to), then waits for the cookie; records the step. */
async function step(name, ops, { linux = false } = {}) {
  const from = batches.length;
  const cookie = `.cookie-${++cookieN}`;
  if (linux) {
    fs.writeFileSync(path.join(control, `want-${name}`), cookie);
  } else {
    await ops();
    fs.closeSync(fs.openSync(path.join(dir, cookie), 'w'));
  }
  await until(() => records(from).some((r) => r.action === 1 && r.name === cookie), 10_000, `cookie of ${name}`);
  const got = batches.slice(from);
  steps.push({
    name,
    records: records(from)
      .filter((r) => !r.name.startsWith('.cookie-'))
      .map(({ action, name }) => ({ action: ACTIONS[action] ?? action, name })),
    batches: got.map((b) => ({
      extended: b.extended,
      overflow: b.overflow === true,
      error: b.error,
      buffers: b.buffers.map((ab) => Buffer.from(ab).toString('base64')),
    })),
  });
}

function result(extra) {
  process.stdout.write(`RESULT ${JSON.stringify({ scenario, version: process.version, ...extra })}\n`);
}

const wdir = (p) => path.join(dir, p);

async function main() {
  if (scenario === 'basic') {
    const vol = addon.volumeInfo(dir);
    const root = addon.watch(dir, { bufferBytes: 64 * 1024, extended: true }, onBatch);
    if (root.error) return result({ watchError: root.error });
    const finalPath = root.finalPath();
    await step('create', () => fs.writeFileSync(wdir('a.txt'), 'hello'));
    await step('rename', () => fs.renameSync(wdir('a.txt'), wdir('b.txt')));
    await step('delete', () => fs.unlinkSync(wdir('b.txt')));
    await step('mkdir', () => fs.mkdirSync(wdir('d')));
    await step('rmdir', () => fs.rmdirSync(wdir('d')));
    await step('unicode', () => fs.writeFileSync(wdir('ünï€-日本.txt'), ''));
    await step('linux-create', null, { linux: true });
    await step('linux-rename', null, { linux: true });
    await step('linux-delete', null, { linux: true });
    const p = root.close();
    closed = true;
    const closeResult = await p;
    await writeWitnessed('after-close.txt');
    return result({
      abiVersion: addon.abiVersion,
      volumeInfo: vol,
      finalPath,
      closeResult: closeResult ?? null,
      steps,
      afterClose,
      totalBatches: batches.length,
    });
  }
  if (scenario === 'root-delete') {
    const sub = wdir('root');
    fs.mkdirSync(sub);
    fs.writeFileSync(path.join(sub, 'child.txt'), 'x');
    const root = addon.watch(sub, { bufferBytes: 64 * 1024, extended: false }, onBatch);
    if (root.error) return result({ watchError: root.error });
    fs.rmSync(sub, { recursive: true });
    // Windows ends the read with ERROR_ACCESS_DENIED; Wine never does (the test asserts which). Whether an error
    // came is judged once the child's REMOVED has come and a write beside the root has reached a witness: by then
    // a read the deletion fails has had the same chance to complete (it waited a fixed 1 s before).
    await until(() => records(0).some((r) => r.action === 2 && r.name === 'child.txt'), 10_000, 'the REMOVED of child.txt');
    await writeWitnessed('beside-root.txt');
    const errors = batches.filter((b) => b.error).map((b) => b.error);
    const recs = records(0).map(({ action, name }) => ({ action: ACTIONS[action] ?? action, name }));
    await root.close();
    return result({ records: recs, errors, finalPathAfter: null });
  }
  if (scenario === 'overflow') {
    // A 256-byte buffer and names whose one record (12 + 2 × 150 bytes) cannot fit in it: every read of them
    // overflows, whatever the timing (with short names, a prompt re-arm under load fits each record).
    const root = addon.watch(dir, { bufferBytes: 256, extended: false }, onBatch);
    if (root.error) return result({ watchError: root.error });
    for (let i = 0; i < 20; i++) fs.writeFileSync(wdir(`${'x'.repeat(147)}${String(i).padStart(3, '0')}`), '');
    await until(() => batches.some((b) => b.overflow), 5000, 'an overflow batch').catch(() => {});
    const overflows = batches.filter((b) => b.overflow).length;
    // Still alive after overflow: a later change still comes through. An overflow discards every record pending
    // with it, so a change made while long-name records are still pending is lost too (seen on a slow run): a
    // change is tried again only when an overflow came after it (its record may have gone with that one), never
    // after a pause; each overflow empties what was pending, so there are at most 20 of them. A change with
    // neither its record nor an overflow within the deadline is a dead watch.
    let alive = '';
    const made = [];
    for (let attempt = 0; attempt < 25 && !alive; attempt++) {
      const from = batches.length;
      const name = `z${attempt}`;
      made.push(name);
      fs.mkdirSync(wdir(name));
      const arrived = () => records(from).find((r) => r.action === 1 && made.includes(r.name));
      await until(() => arrived() || batches.slice(from).some((b) => b.overflow), 3000, `${name} or an overflow after it`).catch(() => {});
      alive = arrived()?.name ?? '';
      if (!alive && !batches.slice(from).some((b) => b.overflow)) break;
    }
    await root.close();
    return result({ overflows, alive, tries: made.length, errors: batches.filter((b) => b.error).map((b) => b.error) });
  }
  if (scenario === 'throwing-listener') {
    // A listener that throws: the exception is uncaught (reported by Node), and the batches after it still come.
    const thrown = [];
    process.on('uncaughtException', (e) => thrown.push(String(e.message)));
    let first = true;
    const root = addon.watch(dir, { bufferBytes: 65536, extended: false }, (b) => {
      onBatch(b);
      if (first) {
        first = false;
        throw new Error('listener threw');
      }
    });
    if (root.error) return result({ watchError: root.error });
    await step('first', () => fs.writeFileSync(wdir('one.txt'), '1'));
    await step('second', () => fs.writeFileSync(wdir('two.txt'), '2'));
    await root.close();
    return result({ thrown, steps: steps.map((s) => ({ name: s.name, records: s.records })) });
  }
  if (scenario === 'errors') {
    const missing = addon.watch(wdir('no-such-dir'), { bufferBytes: 65536, extended: false }, onBatch);
    const file = wdir('file.txt');
    fs.writeFileSync(file, '');
    const notDir = addon.watch(file, { bufferBytes: 65536, extended: false }, onBatch);
    let typeError = null;
    try {
      addon.watch(42, {}, onBatch);
    } catch (e) {
      typeError = `${e.name}: ${e.message}`;
    }
    fs.mkdirSync(wdir('Long Directory Name'));
    const short = addon.longPathName(wdir('LONGDI~1'));
    return result({
      missing,
      notDir,
      typeError,
      volumeMissing: addon.volumeInfo('Q:\\no\\such'),
      longPath: { short, missing: addon.longPathName(wdir('nope')) ?? null, plain: addon.longPathName(dir) },
    });
  }
  if (scenario === 'exit-open') {
    // process.exit with a watcher open and events in flight: the env cleanup hook must close it cleanly.
    const root = addon.watch(dir, { bufferBytes: 64 * 1024, extended: false }, onBatch);
    if (root.error) return result({ watchError: root.error });
    for (let i = 0; i < 50; i++) fs.writeFileSync(wdir(`x${i}.txt`), 'x');
    result({ exiting: true });
    process.exit(0);
  }
  if (scenario === 'exit-unref') {
    // An unref'd watcher lets the process end by itself; the env cleanup hook closes it.
    const root = addon.watch(dir, { bufferBytes: 64 * 1024, extended: false }, onBatch);
    if (root.error) return result({ watchError: root.error });
    root.unref();
    fs.writeFileSync(wdir('y.txt'), 'y');
    result({ unrefd: true });
    return new Promise(() => {}); // nothing keeps the loop alive: node exits with code 0
  }
  if (scenario === 'close-in-callback') {
    // close() from inside onBatch: the rest of that batch and everything after it are dropped.
    let calls = 0;
    let root;
    const closing = new Promise((resolve) => {
      root = addon.watch(dir, { bufferBytes: 64 * 1024, extended: false }, () => {
        calls++;
        resolve(root.close());
      });
    });
    if (root.error) return result({ watchError: root.error });
    for (let i = 0; i < 20; i++) fs.writeFileSync(wdir(`c${i}.txt`), 'c');
    await closing;
    await writeWitnessed('after.txt');
    const fp = root.finalPath();
    // A watcher dropped without close() is closed when collected (needs --expose-gc): collect until a
    // FinalizationRegistry says it was (each poll tick is a timer, after the addon's finalizer has had its
    // setImmediate), then a witnessed write shows that the dropped watcher no longer reports (it may still have
    // had the tail of after.txt's records before it was collected: only the later write's name counts).
    const dropped = { collected: false, sawAfterCollected: 0 };
    const registry = new FinalizationRegistry(() => {
      dropped.collected = true;
    });
    registry.register(
      addon.watch(dir, { bufferBytes: 64 * 1024, extended: false }, (b) => {
        for (const ab of b.buffers) for (const r of decode(ab, b.extended)) if (r.name === 'after-gc.txt') dropped.sawAfterCollected++;
      }),
      'dropped',
    );
    await until(
      () => {
        globalThis.gc();
        return dropped.collected;
      },
      10_000,
      'the dropped watcher to be collected',
    );
    await writeWitnessed('after-gc.txt');
    return result({ calls, finalPathAfterClose: fp, dropped });
  }
  if (scenario === 'burst') {
    // 2000 files made by a Linux process while the listener keeps JS busy (5 ms a call): completions made
    // meanwhile must arrive coalesced (several buffers in one batch), none lost.
    const root = addon.watch(dir, { bufferBytes: 64 * 1024, extended: false }, (b) => {
      onBatch(b);
      const until = Date.now() + 5;
      while (Date.now() < until) {}
    });
    if (root.error) return result({ watchError: root.error });
    await step('burst', null, { linux: true });
    await root.close();
    const names = new Set(steps[0].records.filter((r) => r.action === 'added').map((r) => r.name));
    const got = steps[0].batches;
    return result({
      added: names.size,
      batches: got.length,
      buffers: got.reduce((n, b) => n + b.buffers.length, 0),
      maxBuffersInBatch: Math.max(...got.map((b) => b.buffers.length)),
      overflows: got.filter((b) => b.overflow).length,
    });
  }
  if (scenario === 'wine-facts') {
    // Facts behind the conformance expected failures under Wine (tests/wine/rdcw-conformance-wine.test.ts).
    const facts = {};
    // 1. The root moved away: does the handle's final path follow it?
    const moving = wdir('moving');
    fs.mkdirSync(moving);
    const r1 = addon.watch(moving, { bufferBytes: 65536, extended: false }, () => {});
    const before = r1.finalPath();
    fs.renameSync(moving, wdir('moved'));
    facts.rootMoved = { before, after: r1.finalPath() };
    await r1.close();
    // 1b. The root removed while watched: is it still there (delete pending until the handle closes)?
    const doomed = wdir('doomed');
    fs.mkdirSync(doomed);
    fs.writeFileSync(path.join(doomed, 'x'), 'x');
    const r2 = addon.watch(doomed, { bufferBytes: 65536, extended: false }, () => {});
    fs.rmSync(doomed, { recursive: true });
    let lstat;
    try {
      lstat = fs.lstatSync(doomed).isDirectory() ? 'directory' : 'other';
    } catch (e) {
      lstat = e.code;
    }
    facts.rootRemoved = { lstatWhileWatched: lstat, finalPath: r2.finalPath() };
    await r2.close();
    const root = addon.watch(dir, { bufferBytes: 65536, extended: false }, onBatch);
    // 2. Atomic replace, then an append to the replaced file: under which name does the append come?
    fs.writeFileSync(wdir('f'), 'v1');
    await step('atomic-replace', () => {
      fs.writeFileSync(wdir('f.tmp'), 'v2');
      fs.renameSync(wdir('f.tmp'), wdir('f'));
    });
    await step('append-after-replace', () => fs.appendFileSync(wdir('f'), 'v3'));
    // 3. A directory renamed, then a file written inside it: under which path?
    fs.mkdirSync(wdir('sub'));
    await step('dir-rename', () => fs.renameSync(wdir('sub'), wdir('sub2')));
    await step('write-in-renamed-dir', () => fs.writeFileSync(path.join(wdir('sub2'), 'g'), 'g'));
    // 4. unlink then create: does the new file get the old one's file index?
    fs.writeFileSync(wdir('old'), 'old');
    const oldIno = fs.statSync(wdir('old')).ino;
    fs.unlinkSync(wdir('old'));
    fs.writeFileSync(wdir('new'), 'new');
    facts.inodeReused = { old: String(oldIno), new: String(fs.statSync(wdir('new')).ino) };
    // 5. Symlinks from inside Wine.
    try {
      fs.symlinkSync(wdir('new'), wdir('link'));
      facts.symlink = { created: true, lstatIsLink: fs.lstatSync(wdir('link')).isSymbolicLink() };
    } catch (e) {
      facts.symlink = { created: false, error: e.code };
    }
    // 6. Names Windows does not allow.
    try {
      fs.writeFileSync(wdir('line\nbreak'), 'x');
      facts.newlineName = 'created';
    } catch (e) {
      facts.newlineName = e.code;
    }
    await root.close();
    return result({ facts, steps: steps.map((s) => ({ name: s.name, records: s.records })) });
  }
  if (scenario === 'leak') {
    const cycles = Number(process.env.CYCLES ?? 300);
    const mem = [];
    const t0 = Date.now();
    for (let i = 0; i < cycles; i++) {
      const root = addon.watch(dir, { bufferBytes: 64 * 1024, extended: false }, onBatch);
      if (root.error) return result({ watchError: root.error, cycle: i });
      if (i % 10 === 0) fs.writeFileSync(wdir('touch.txt'), String(i));
      if (i === 0) {
        // One sample with the watch open, so the counts after close() have something to differ from.
        await handshake('open-0');
      }
      await root.close();
      if (i % 50 === 0 || i === cycles - 1) {
        globalThis.gc?.();
        mem.push({ cycle: i, rss: process.memoryUsage().rss, external: process.memoryUsage().external });
        await handshake(`cycle-${i}`); // the Linux side counts the wineserver's fds at this point
      }
    }
    return result({ cycles, ms: Date.now() - t0, mem });
  }
  throw new Error(`unknown scenario ${scenario}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    result({ fatal: String(e?.stack ?? e), steps });
    process.exit(1);
  },
);
