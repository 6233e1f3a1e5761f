// Follow a log file through rotation, like `tail -F`: print each new line as
// it is appended, and keep following when the file is rotated (renamed away
// and created anew, or truncated). vigil watches a single file by its name
// (rule R9), so the watch survives the file disappearing and coming back. The
// follower keeps the old file open until it has read it to the end, so lines
// written just before a rotation are not lost, then switches to the new file
// (a different inode) and reads it from its start. Partial lines wait for
// their newline. Run: node examples/follow-log.mjs /var/log/app.log
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { watch } from '../packages/vigilfs/dist/index.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: node examples/follow-log.mjs <file>');
  process.exit(2);
}

let fd; // the file being read, possibly already renamed away
let ino;
let offset = 0;
let partial = '';

function open(fromStart) {
  try {
    fd = openSync(file, 'r');
  } catch {
    fd = undefined; // not there right now; the next event brings it back
    return;
  }
  const st = fstatSync(fd);
  ino = st.ino;
  offset = fromStart ? 0 : st.size;
}

/** Reads what was appended to the open file since the last read and prints whole lines. */
function drain() {
  if (fd === undefined) return;
  const size = fstatSync(fd).size;
  if (size < offset) offset = 0; // truncated in place (copytruncate rotation)
  const buf = Buffer.alloc(64 * 1024);
  while (offset < size) {
    const n = readSync(fd, buf, 0, buf.length, offset);
    if (n === 0) break;
    offset += n;
    partial += buf.toString('utf8', 0, n);
  }
  const lines = partial.split('\n');
  partial = lines.pop();
  for (const line of lines) console.log(line);
}

/** On any event: finish the file we have, then switch if the name now points at another file. */
function check() {
  drain();
  let current;
  try {
    current = statSync(file).ino;
  } catch {
    return; // rotated away, the new file not created yet
  }
  if (current !== ino) {
    if (fd !== undefined) closeSync(fd);
    partial = '';
    open(true);
    drain();
  }
}

const watcher = await watch(file);
open(false); // like tail -F: start at the end of what is there now
console.error('ready');
watcher.on('events', check);
watcher.on('error', (err) => console.error(`error: ${err.code}: ${err.message}`));
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void watcher.close());
