/**
 * `vigil info [paths...]`: for each path, the filesystem it is on, the backend
 * `auto` picks there and why, every backend's availability, and the inotify
 * limits. A path that does not exist is a `PATH_NOT_FOUND` message (exit 2),
 * never a report about the filesystem of its parent.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, VigilError } from '@vigilfs/core';
import { readMounts } from '@vigilfs/fsinfo';
import { backends, describeFilesystem, readInotifyLimits, watch, type FilesystemReport } from '../index.js';
import { optionHelp, parseArguments, type OptionSpec } from './arguments.js';
import { ExitCode } from './exit.js';
import { errorText } from './output.js';

/** Every option of `vigil info`. */
export const INFO_OPTIONS: readonly OptionSpec[] = [
  { name: 'json', help: 'print the report as JSON (an object for one path, an array for several)' },
  { short: 'h', name: 'help', help: 'this help' },
];

/** `vigil info --help`. */
export const INFO_HELP = `Usage: vigil info [paths...] [--json]

For each path (default: the current directory): the filesystem it is on, the
backend auto picks there and why (and for mounts below it), each backend's
availability, and the inotify limits.

Options:
${optionHelp(INFO_OPTIONS)}

Exit status: 0 when every path was reported, 2 for bad usage or a path that
does not exist (PATH_NOT_FOUND; the other paths are still reported).
`;

/** What `vigil info` says about one path. */
interface InfoReport {
  path: string;
  filesystem: FilesystemReport;
  auto: { subtree: string; backend: string; reason: string; filesystem?: string }[] | { error: string };
  backends: { name: string; probe: { ok: boolean; reason?: string } }[];
  inotifyLimits: ReturnType<typeof readInotifyLimits>;
}

/** True for a mount point (so that `vigil info` still shows how mounts inside the path are watched). */
function isMountPoint(p: string): boolean {
  return readMounts().some((m) => m.mountPoint === p);
}

/** Throws PATH_NOT_FOUND (or NOT_A_DIRECTORY, IO_ERROR) when `target` cannot be reached. */
function mustExist(target: string): void {
  try {
    statSync(target);
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code;
    const code =
      errno === 'ENOENT'
        ? ErrorCode.PATH_NOT_FOUND
        : errno === 'ENOTDIR'
          ? ErrorCode.NOT_A_DIRECTORY
          : errno === 'EACCES' || errno === 'EPERM'
            ? ErrorCode.PERMISSION_DENIED
            : ErrorCode.IO_ERROR;
    const what =
      errno === 'ENOENT' ? 'no such file or directory' : errno === 'ENOTDIR' ? 'a component of the path is not a directory' : `cannot stat (${errno})`;
    throw new VigilError(code, `${target}: ${what}`, { path: target, errno, syscall: 'stat' });
  }
}

async function report(target: string): Promise<InfoReport> {
  mustExist(target);
  const fs = describeFilesystem(target);
  if (!fs) throw new VigilError(ErrorCode.PATH_NOT_FOUND, `${target}: no such file or directory`, { path: target });
  const available = await Promise.all(backends.map(async (b) => ({ name: b.name, probe: await b.probe(target) })));
  let auto: InfoReport['auto'];
  try {
    // Ignore everything below the root: only the choice is wanted, not a walk of the tree.
    const w = await watch(target, { backend: 'auto', ignore: (p) => p !== target && !isMountPoint(p) });
    auto = w.info().map((i) => ({ subtree: i.root, backend: i.backend, reason: i.reason, filesystem: i.filesystem?.type }));
    await w.close();
  } catch (e) {
    auto = { error: errorText(e) };
  }
  return { path: target, filesystem: fs, auto, backends: available, inotifyLimits: readInotifyLimits() };
}

function humanReport(r: InfoReport): string {
  const fs = r.filesystem;
  const lines = [
    `path:        ${r.path}`,
    `filesystem:  ${fs.type}${fs.magic !== undefined ? ` (statfs magic 0x${fs.magic.toString(16)})` : ''}${fs.mountPoint ? `, mounted at ${fs.mountPoint}` : ''}`,
  ];
  lines.push(`             ${fs.watch === 'poll' ? 'polled by default' : 'watched natively'}: ${fs.reason}`);
  if ('error' in r.auto) lines.push(`auto picks:  ${r.auto.error}`);
  else {
    for (const [i, a] of r.auto.entries()) {
      const where = a.subtree === r.path ? '' : `${a.subtree}: `;
      lines.push(`${i === 0 ? 'auto picks:  ' : '             '}${where}${a.backend} (${a.reason})`);
    }
  }
  lines.push('backends:');
  for (const b of r.backends) lines.push(`  ${b.name.padEnd(9)} ${b.probe.ok ? 'available' : `unavailable: ${b.probe.reason}`}`);
  const limits = r.inotifyLimits;
  if (limits) {
    lines.push('inotify limits:');
    lines.push(`  fs.inotify.max_user_watches   ${limits.maxUserWatches}`);
    lines.push(`  fs.inotify.max_user_instances ${limits.maxUserInstances}`);
    lines.push(`  fs.inotify.max_queued_events  ${limits.maxQueuedEvents}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Runs `vigil info`; resolves with the exit status. */
export async function runInfo(argv: readonly string[], cwd = process.cwd()): Promise<number> {
  const { values, positionals, command } = parseArguments(argv, INFO_OPTIONS, 'vigil info --help');
  if (values.has('help')) {
    process.stdout.write(INFO_HELP);
    return ExitCode.OK;
  }
  const targets = [...(positionals.length ? positionals : ['.']), ...(command ?? [])].map((p) => path.resolve(cwd, p));
  const reports: InfoReport[] = [];
  let status: number = ExitCode.OK;
  for (const target of targets) {
    try {
      reports.push(await report(target));
    } catch (e) {
      process.stderr.write(`vigil: ${errorText(e)}\n`);
      status = VigilError.isVigilError(e) && e.code !== ErrorCode.PATH_NOT_FOUND && e.code !== ErrorCode.NOT_A_DIRECTORY ? ExitCode.RUNTIME : ExitCode.USAGE;
    }
  }
  if (values.has('json')) {
    if (reports.length) process.stdout.write(`${JSON.stringify(targets.length === 1 ? reports[0] : reports, null, 2)}\n`);
  } else process.stdout.write(reports.map(humanReport).join('\n'));
  return status;
}
