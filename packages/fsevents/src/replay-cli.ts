#!/usr/bin/env node
/**
 * `vigil-fsevents-replay <file.replay>...`: runs each replay file (format in
 * the package README) through the fsevents decoding on this machine and
 * prints vigil's events as JSON lines (`{"file":…,"type":…,"kind":…,"path":…}`,
 * paths relative to the watched root; warnings and errors as
 * `{"file":…,"warning":CODE}` / `{"file":…,"error":CODE}`). A file with
 * `expect:` that does not match prints both lists on stderr; the exit status
 * is then 1.
 */
import { replayFile } from './replay.js';

const files = process.argv.slice(2);
if (files.length === 0 || files.includes('--help')) {
  process.stderr.write('usage: vigil-fsevents-replay <file.replay>...\n');
  process.exit(files.length === 0 ? 2 : 0);
}
let failed = 0;
for (const file of files) {
  const r = await replayFile(file);
  let e = 0;
  for (const line of r.shown) {
    const [word, code] = line.split(' ');
    if (word === 'warning' || word === 'error') process.stdout.write(`${JSON.stringify({ file, [word]: code })}\n`);
    else process.stdout.write(`${JSON.stringify({ file, ...r.events[e++] })}\n`);
  }
  if (!r.ok) {
    failed++;
    process.stderr.write(
      `${file}: events differ from expect:\n  expected:\n${r.script.expect!.map((l) => `    ${l}\n`).join('')}  received:\n${r.shown.map((l) => `    ${l}\n`).join('')}`,
    );
  }
}
process.exit(failed ? 1 : 0);
