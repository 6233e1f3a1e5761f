/**
 * The `vigil` command: watch directories and print their changes, for people
 * (one aligned line per event) and for scripts (`--json`, one object per line).
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { createRequire } from 'node:module';
import { VigilError, type Watcher, type WatchEvent } from '@vigilfs/core';
import { readMounts } from '@vigilfs/fsinfo';
import { backends, describeFilesystem, readInotifyLimits, watch } from './index.js';

const HELP = `vigil: portable file watching that tells the truth

Usage:
  vigil [watch] [paths...] [options]   watch paths (default: the current directory)
  vigil info [path]                    show backends, the one auto picks for path and why,
                                       the filesystem type and the inotify limits
  vigil run [--config <file-or-dir>]   run rules: commands or plugins on changes
                                       (vigil run --help; @vigilfs/runner)
  vigil --help | --version

Watch options:
  --json                 one JSON object per event line (for scripts)
  --backend <name>       auto (default) or one of: ${backends.map((b) => b.name).join(', ')}
                         (also VIGIL_BACKEND)
  --ignore <glob>        leave paths out; repeatable. A glob without "/" matches a
                         name at any depth (node_modules, *.log); ignored
                         directories are never scanned
  --poll-interval <ms>   time between scans for polled roots (default 1000)
  --settle <ms>          quiet period for emulated close-write (default 300)
  --follow-symlinks      follow symlinks (loops are detected)

Exit status: 0 after Ctrl-C or SIGTERM, 1 when a root is removed or watching
fails, 2 for bad usage (unknown option, missing path, unknown backend).
`;

function fail(message: string, status = 2): never {
  process.stderr.write(`vigil: ${message}\n`);
  process.exit(status);
}

/** A path with control characters made visible, so one event stays one line. */
function printable(p: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]|[\uDC80-\uDCFF]/.test(p) ? JSON.stringify(p) : p;
}

function timestamp(): string {
  const d = new Date();
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function humanLine(e: WatchEvent): string {
  const where = e.type === 'rename' ? `${printable(e.oldPath!)} -> ${printable(e.path)}` : printable(e.path);
  const origin = e.origin === 'os' ? '' : ` (${e.origin})`;
  return `${timestamp()}  ${e.type.padEnd(11)} ${e.kind.padEnd(9)} ${where}${origin}`;
}

function errorText(e: unknown): string {
  return VigilError.isVigilError(e) ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
}

async function runWatch(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        backend: { type: 'string' },
        ignore: { type: 'string', multiple: true },
        'poll-interval': { type: 'string' },
        settle: { type: 'string' },
        'follow-symlinks': { type: 'boolean', default: false },
      },
    });
  } catch (e) {
    fail(`${(e as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  const number = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) fail(`--${name} needs a number of milliseconds, got "${v}"`);
    return n;
  };
  const paths = positionals.length ? positionals : ['.'];
  const json = values.json;
  const out = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };

  let watcher: Watcher;
  try {
    watcher = await watch(paths.map((p) => path.resolve(p)), {
      backend: values.backend,
      ignore: values.ignore,
      pollInterval: number('poll-interval', values['poll-interval']),
      settle: number('settle', values.settle),
      followSymlinks: values['follow-symlinks'],
    });
  } catch (e) {
    const code = VigilError.isVigilError(e) ? e.code : undefined;
    fail(errorText(e), code === 'PATH_NOT_FOUND' || code === 'NOT_A_DIRECTORY' || code === 'BACKEND_UNAVAILABLE' || code === 'INVALID_OPTION' ? 2 : 1);
  }

  for (const info of watcher.info()) {
    const fs = info.filesystem ? `, ${info.filesystem.type}` : '';
    const msg = `watching ${info.root} with ${info.backend} (${info.reason}${fs}; ${info.entries} entries)`;
    if (json) process.stderr.write(`${JSON.stringify({ ready: { root: info.root, backend: info.backend, reason: info.reason, entries: info.entries } })}\n`);
    else process.stderr.write(`vigil: ${msg}\n`);
  }

  watcher.on('events', (batch) => {
    for (const e of batch) out(json ? JSON.stringify(e) : humanLine(e));
  });
  watcher.on('warning', (w) => {
    process.stderr.write(json ? `${JSON.stringify({ warning: w.toJSON() })}\n` : `vigil: warning: ${errorText(w)}\n`);
  });
  let status = 0;
  watcher.on('error', (err) => {
    status = 1;
    process.stderr.write(json ? `${JSON.stringify({ error: err.toJSON() })}\n` : `vigil: ${errorText(err)}\n`);
  });
  watcher.on('close', () => process.exit(status));

  const stop = (): void => {
    void watcher.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** True for a mount point (so `vigil info` still shows how mounts inside the path are watched). */
function isMountPoint(p: string): boolean {
  return readMounts().some((m) => m.mountPoint === p);
}

async function runInfo(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
  const target = path.resolve(positionals[0] ?? '.');
  const fs = describeFilesystem(target);
  if (!fs) fail(`PATH_NOT_FOUND: ${target}: no such file or directory`);
  const available = await Promise.all(backends.map(async (b) => ({ name: b.name, probe: await b.probe(target) })));
  let auto: { subtree: string; backend: string; reason: string; filesystem?: string }[] | { error: string };
  try {
    // Ignore everything below the root: only the choice is wanted, not a walk of the tree.
    const w = await watch(target, { backend: 'auto', ignore: (p) => p !== target && !isMountPoint(p) });
    auto = w.info().map((i) => ({ subtree: i.root, backend: i.backend, reason: i.reason, filesystem: i.filesystem?.type }));
    await w.close();
  } catch (e) {
    auto = { error: errorText(e) };
  }
  const limits = readInotifyLimits();
  const report = { path: target, filesystem: fs, auto, backends: available, inotifyLimits: limits };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const lines = [`path:        ${target}`, `filesystem:  ${fs.type}${fs.magic !== undefined ? ` (statfs magic 0x${fs.magic.toString(16)})` : ''}${fs.mountPoint ? `, mounted at ${fs.mountPoint}` : ''}`];
  lines.push(`             ${fs.watch === 'poll' ? 'polled by default' : 'watched natively'}: ${fs.reason}`);
  if ('error' in auto) lines.push(`auto picks:  ${auto.error}`);
  else {
    for (const [i, a] of auto.entries()) {
      const where = a.subtree === target ? '' : `${a.subtree}: `;
      lines.push(`${i === 0 ? 'auto picks:  ' : '             '}${where}${a.backend} (${a.reason})`);
    }
  }
  lines.push('backends:');
  for (const b of available) lines.push(`  ${b.name.padEnd(9)} ${b.probe.ok ? 'available' : `unavailable: ${b.probe.reason}`}`);
  if (limits) {
    lines.push('inotify limits:');
    lines.push(`  fs.inotify.max_user_watches   ${limits.maxUserWatches}`);
    lines.push(`  fs.inotify.max_user_instances ${limits.maxUserInstances}`);
    lines.push(`  fs.inotify.max_queued_events  ${limits.maxQueuedEvents}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(HELP);
    return;
  }
  if (first === '--version' || first === '-V') {
    const require = createRequire(import.meta.url);
    process.stdout.write(`${(require('../package.json') as { version: string }).version}\n`);
    return;
  }
  if (first === 'info') return runInfo(rest);
  if (first === 'run') {
    const runner = await import('@vigilfs/runner');
    process.exitCode = await runner.main(rest, { watch });
    // Whatever the rules left behind (a plugin's timer) must not keep the runner alive.
    setTimeout(() => process.exit(), 1000).unref();
    return;
  }
  if (first === 'watch') return runWatch(rest);
  return runWatch(argv);
}

main().catch((e: unknown) => fail(errorText(e), 1));
