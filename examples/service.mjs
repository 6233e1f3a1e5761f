// Run vigil as a background service that writes the events to a log file.
// `start` launches this same script detached from the terminal (its own session,
// stdin closed, stdout and stderr appended to the log file), waits until the
// service reports that it is watching, and returns; the service writes its pid
// file itself once ready. `stop` sends SIGTERM to the pid in the pid file and
// waits until the service has removed it; `status` says whether it runs.
// Run: node examples/service.mjs start|stop|status <dir> [--log file] [--pid file]
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { log: { type: 'string', default: 'vigil-service.log' }, pid: { type: 'string', default: 'vigil-service.pid' } },
});
const [command, dir = '.'] = positionals;
const logFile = path.resolve(values.log);
const pidFile = path.resolve(values.pid);
const self = fileURLToPath(import.meta.url);

function runningPid() {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    process.kill(pid, 0); // signal 0: does it exist?
    return pid;
  } catch {
    return undefined; // a stale pid file
  }
}

/** Polls `test` until it holds or `ms` pass. */
async function until(test, ms) {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

if (command === 'start') {
  if (runningPid()) {
    console.error(`already running (pid ${runningPid()})`);
    process.exit(1);
  }
  rmSync(pidFile, { force: true });
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, [self, 'serve', path.resolve(dir), '--log', logFile, '--pid', pidFile], {
    detached: true, // its own process group and session: the terminal's Ctrl-C and hangup do not reach it
    stdio: ['ignore', out, out],
  });
  child.unref();
  closeSync(out);
  if (!(await until(() => existsSync(pidFile), 10_000))) {
    console.error(`the service did not start; see ${logFile}`);
    process.exit(1);
  }
  console.log(`started (pid ${child.pid}), logging to ${logFile}`);
} else if (command === 'stop') {
  const pid = runningPid();
  if (!pid) {
    console.log('not running');
    process.exit(0);
  }
  process.kill(pid, 'SIGTERM');
  const gone = () => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  };
  if (!(await until(() => !existsSync(pidFile) && gone(), 10_000))) {
    console.error(`pid ${pid} did not stop`);
    process.exit(1);
  }
  console.log(`stopped (pid ${pid})`);
} else if (command === 'status') {
  const pid = runningPid();
  console.log(pid ? `running (pid ${pid})` : 'not running');
  process.exit(pid ? 0 : 3);
} else if (command === 'serve') {
  // The service itself: stdout and stderr are the log file.
  const { watch } = await import('../packages/vigilfs/dist/index.js');
  const log = (msg) => console.log(`${new Date().toISOString()} ${msg}`);
  const watcher = await watch(dir);
  watcher.on('events', (batch) => {
    for (const e of batch) log(`${e.type} ${e.kind} ${e.oldPath !== undefined ? `${e.oldPath} -> ` : ''}${e.path}`);
  });
  watcher.on('warning', (w) => log(`warning ${w.code}: ${w.message}`));
  watcher.on('error', (err) => log(`error ${err.code}: ${err.message}`));
  watcher.on('close', () => {
    log('stopped');
    rmSync(pidFile, { force: true });
    process.exit(0);
  });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.once(signal, () => void watcher.close());
  log(`watching ${dir} (pid ${process.pid})`);
  // Last, and atomically (write, then rename): a pid file means "ready", never half-written.
  writeFileSync(`${pidFile}.tmp`, `${process.pid}\n`);
  renameSync(`${pidFile}.tmp`, pidFile);
} else {
  console.error('usage: node examples/service.mjs start|stop|status <dir> [--log file] [--pid file]');
  process.exit(2);
}
