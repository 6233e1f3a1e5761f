// An ingest folder: process each file dropped into `incoming/` exactly once,
// and only when it is complete. A file can arrive three ways, and each has its
// own "complete" signal: written in place (complete at its `close-write`: the
// writer closed it); written under a temporary name in the folder and renamed
// into place (a `rename` to a non-temporary name: complete at once, since
// rename is atomic); or moved in from elsewhere on the same filesystem (a
// `create` with no write session after it: complete at once). A `create` alone
// cannot say which of the first and the last it is, so a created file waits
// `quiet` ms: a `modify` means a writer is at work and the file waits for its
// `close-write`; silence means it was moved in. Producers who can should write
// elsewhere and move the file in (or use a `.part` name and rename it): that
// is never ambiguous. Temporary names (`*.part`, dotfiles) are never processed.
// Processing claims the file by renaming it into `done/` (atomic: a second
// event or a second ingest process gets ENOENT and skips it), then prints its
// name, size and SHA-256. Files already waiting at start are processed first.
// Run: node examples/ingest.mjs <incoming-dir> <done-dir> [quiet-ms]
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { watch } from '../packages/vigilfs/dist/index.js';

const [incoming, done, quietArg] = process.argv.slice(2);
if (!incoming || !done) {
  console.error('usage: node examples/ingest.mjs <incoming-dir> <done-dir> [quiet-ms]');
  process.exit(2);
}
const quiet = Number(quietArg ?? 1000);
mkdirSync(incoming, { recursive: true });
mkdirSync(done, { recursive: true });

const temporary = (p) => /\.part$/.test(p) || path.basename(p).startsWith('.');
const waiting = new Map(); // path -> timer of a created file we have not heard from since
const writing = new Set(); // paths with a write session open

function ingest(file) {
  clearTimeout(waiting.get(file));
  waiting.delete(file);
  writing.delete(file);
  if (temporary(file) || path.dirname(file) !== path.resolve(incoming)) return;
  const target = path.join(done, path.basename(file));
  try {
    if (!statSync(file).isFile()) return;
    renameSync(file, target); // the claim: exactly one rename of this file succeeds
  } catch (e) {
    if (e.code === 'ENOENT') return; // already claimed (a duplicate event, or another ingest process)
    throw e;
  }
  const data = readFileSync(target);
  console.log(`ingested ${path.basename(file)} ${data.length} bytes sha256=${createHash('sha256').update(data).digest('hex')}`);
}

const watcher = await watch(incoming);
watcher.on('events', (batch) => {
  for (const e of batch) {
    // kind may be 'unknown' when the entry was gone before vigil could inspect it (moved on already).
    if (e.kind === 'directory' || e.kind === 'symlink') continue;
    if (e.type === 'close-write' || e.type === 'rename') ingest(e.path);
    else if (e.type === 'modify') {
      writing.add(e.path); // a writer is at work: wait for its close-write
      clearTimeout(waiting.get(e.path));
      waiting.delete(e.path);
    } else if (e.type === 'create' && !writing.has(e.path)) {
      waiting.set(
        e.path,
        setTimeout(() => ingest(e.path), quiet),
      );
    } else if (e.type === 'delete') {
      clearTimeout(waiting.get(e.path));
      waiting.delete(e.path);
      writing.delete(e.path);
    }
  }
});
watcher.on('warning', (w) => console.error(`warning: ${w.code}: ${w.message}`));

// Files that were already complete before we started (after watch() resolved, so none slips between).
for (const name of readdirSync(incoming).sort()) {
  const file = path.resolve(incoming, name);
  if (statSync(file).isFile()) ingest(file);
}
console.error('ready');
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void watcher.close());
