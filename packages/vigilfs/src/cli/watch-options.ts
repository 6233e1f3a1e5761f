/**
 * The options of `vigil [watch]`: the table the parser and the help are made
 * from, and their checking into {@link WatchSettings}. Every bad value is a
 * {@link UsageError} (exit 2) that says what the option takes.
 */
import path from 'node:path';
import { EventType, MAX_TIMER_MS, type WatchOptions } from '@vigilfs/core';
import { backends } from '../index.js';
import { parseArguments, type OptionSpec } from './arguments.js';
import { UsageError } from './exit.js';
import { parseFormat, type Formatter } from './format.js';

const EVENT_TYPES = Object.values(EventType) as string[];

/** Every option of `vigil [watch]`, in help order. */
export const WATCH_OPTIONS: readonly OptionSpec[] = [
  {
    section: 'What to watch',
    name: 'ignore',
    value: '<glob>',
    multiple: true,
    help: 'leave paths out; repeatable. A glob without "/" matches a name at\nany depth (node_modules, *.log); ignored directories are never scanned',
  },
  { section: 'What to watch', name: 'no-recursive', help: "watch only the directories' own entries (depth 0)" },
  { section: 'What to watch', name: 'depth', value: '<n>', help: 'watch n levels below each directory (0 = --no-recursive); default all' },
  { section: 'What to watch', name: 'follow-symlinks', help: 'follow symlinks (loops are detected)' },
  {
    section: 'What to watch',
    name: 'backend',
    value: '<name>',
    help: `auto (default) or a backend name: ${backends.map((b) => b.name).join(', ')} (also VIGIL_BACKEND)`,
  },
  { section: 'What to watch', name: 'poll-interval', value: '<ms>', help: 'time between scans for polled roots (default 1000)' },
  {
    section: 'What to watch',
    name: 'settle',
    value: '<ms>',
    help: "quiet period for an emulated close-write (default 300);\nfalse (or off) turns emulation off, as the API's settle: false does",
  },

  {
    section: 'Which events',
    short: 'e',
    name: 'event',
    value: '<types>',
    multiple: true,
    help: `only these event types, comma-separated; repeatable:\n${EVENT_TYPES.join(', ')} (close_write works too)`,
  },
  { section: 'Which events', name: 'initial', help: 'first report every existing entry as a create (origin rescan)' },
  { section: 'Which events', name: 'once', help: 'exit 0 after the first matching event (with a command: run it\nonce, then exit with its status)' },
  { section: 'Which events', short: 't', name: 'timeout', value: '<seconds>', help: 'exit 3 when no matching event came for this long (fractions allowed)' },

  { section: 'Output (stdout: one record per event)', name: 'json', help: 'one JSON object per event' },
  {
    section: 'Output (stdout: one record per event)',
    short: 'f',
    name: 'format',
    value: '<fmt>',
    help: 'print each event as <fmt>: %e type, %p path, %o old path (renames;\nempty otherwise), %k kind, %O origin, %T time (ISO 8601, UTC), %% a %',
  },
  {
    section: 'Output (stdout: one record per event)',
    short: 'P',
    name: 'paths-only',
    help: 'print only the path (the new one for a rename), like --format %p',
  },
  { section: 'Output (stdout: one record per event)', short: '0', name: 'null', help: 'end each record with a NUL byte instead of a newline (xargs -0)' },
  {
    section: 'Output (stdout: one record per event)',
    short: 'q',
    name: 'quiet',
    help: 'no "watching ..." or "running ..." lines on stderr (warnings and\nerrors still go there)',
  },

  {
    section: 'Running a command (vigil [paths...] -- <command> [args...])',
    name: 'restart',
    help: 'on a change, stop the running command (SIGTERM to its process\ngroup, SIGKILL after --grace ms) and start it again',
  },
  {
    section: 'Running a command (vigil [paths...] -- <command> [args...])',
    short: 'd',
    name: 'debounce',
    value: '<ms>',
    help: 'collect the events of this long before running (default 50)',
  },
  { section: 'Running a command (vigil [paths...] -- <command> [args...])', name: 'now', help: 'also run the command once at start, before any change' },
  {
    section: 'Running a command (vigil [paths...] -- <command> [args...])',
    name: 'grace',
    value: '<ms>',
    help: 'how long a stopped command gets between SIGTERM and SIGKILL\n(default 2000)',
  },

  { section: 'Other', short: 'h', name: 'help', help: 'this help' },
  { section: 'Other', short: 'V', name: 'version', help: 'the version' },
];

/** How events are printed. */
export type OutputMode = { kind: 'human' } | { kind: 'json' } | { kind: 'format'; format: Formatter };

/** What `vigil [watch]` was asked to do, checked. */
export interface WatchSettings {
  /** Absolute paths to watch. */
  paths: string[];
  /** Options for `watch()`. */
  watchOptions: WatchOptions;
  /** Event types to report or act on; undefined for all. */
  types: ReadonlySet<string> | undefined;
  once: boolean;
  /** Milliseconds without a matching event before exit status 3. */
  timeoutMs: number | undefined;
  /** How events are printed; undefined when none are printed (a command runs and no output option was given). */
  output: OutputMode | undefined;
  /** Record terminator: newline, or NUL with `-0`. */
  terminator: '\n' | '\0';
  quiet: boolean;
  /** Argv of the command to run on changes. */
  command: string[] | undefined;
  restart: boolean;
  debounceMs: number;
  now: boolean;
  graceMs: number;
}

/** `vigil --help` and `vigil --version` (the caller prints them). */
export type WatchRequest = { kind: 'help' } | { kind: 'version' } | { kind: 'watch'; settings: WatchSettings };

function milliseconds(option: string, v: string, min: number): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < min || n > MAX_TIMER_MS) {
    throw new UsageError(`--${option} takes a whole number of milliseconds from ${min} to ${MAX_TIMER_MS}, got "${v}"`);
  }
  return n;
}

/**
 * `--settle`: milliseconds, or `false`/`off` for the API's `settle: false`.
 * `0` stays what it is in the API, emulation with no quiet period, so that a
 * number means the same on the command line as in `watch()`.
 */
function settleOption(v: string): number | false {
  if (v === 'false' || v === 'off') return false;
  try {
    return milliseconds('settle', v, 0);
  } catch {
    throw new UsageError(`--settle takes a whole number of milliseconds from 0 to ${MAX_TIMER_MS}, or false (no emulated close-write), got "${v}"`);
  }
}

/** Event types from `-e` values: comma-separated, repeatable, `close_write` spelled either way. */
export function parseEventTypes(values: readonly string[]): Set<string> {
  const types = new Set<string>();
  for (const v of values) {
    for (const raw of v.split(',')) {
      const t = raw.trim().toLowerCase().replace(/_/g, '-');
      if (!EVENT_TYPES.includes(t)) throw new UsageError(`unknown event type "${raw}" for -e/--event (valid: ${EVENT_TYPES.join(', ')})`);
      types.add(t);
    }
  }
  return types;
}

/** Parses and checks the arguments of `vigil [watch]`. */
export function parseWatchArguments(argv: readonly string[], cwd = process.cwd()): WatchRequest {
  const { values, positionals, command } = parseArguments(argv, WATCH_OPTIONS);
  if (values.has('help')) return { kind: 'help' };
  if (values.has('version')) return { kind: 'version' };
  const str = (name: string): string | undefined => values.get(name) as string | undefined;
  const flag = (name: string): boolean => values.has(name);

  if (command !== undefined && command.length === 0) throw new UsageError('-- must be followed by a command to run (vigil [paths...] -- make test)');
  if (command !== undefined && command[0] === '') throw new UsageError('the command after -- is empty');

  const watchOptions: WatchOptions = {};
  const ignore = values.get('ignore') as string[] | undefined;
  if (ignore) {
    if (ignore.some((g) => g === '')) throw new UsageError('--ignore takes a glob, got ""');
    watchOptions.ignore = ignore;
  }
  const backend = str('backend');
  if (backend !== undefined) watchOptions.backend = backend;
  if (flag('follow-symlinks')) watchOptions.followSymlinks = true;
  if (flag('initial')) watchOptions.initial = true;
  const pollInterval = str('poll-interval');
  if (pollInterval !== undefined) watchOptions.pollInterval = milliseconds('poll-interval', pollInterval, 10);
  const settle = str('settle');
  if (settle !== undefined) watchOptions.settle = settleOption(settle);
  const depth = str('depth');
  if (flag('no-recursive') && depth !== undefined && depth !== '0') throw new UsageError(`--no-recursive and --depth ${depth} disagree; give one`);
  if (flag('no-recursive')) watchOptions.depth = 0;
  else if (depth !== undefined) {
    const n = Number(depth);
    if (depth.trim() === '' || !Number.isInteger(n) || n < 0) throw new UsageError(`--depth takes a whole number >= 0, got "${depth}"`);
    watchOptions.depth = n;
  }

  const eventValues = values.get('event') as string[] | undefined;
  const types = eventValues ? parseEventTypes(eventValues) : undefined;

  let timeoutMs: number | undefined;
  const timeout = str('timeout');
  if (timeout !== undefined) {
    const s = Number(timeout);
    if (timeout.trim() === '' || !Number.isFinite(s) || s <= 0 || s * 1000 > MAX_TIMER_MS) {
      throw new UsageError(`--timeout takes a number of seconds above 0 and up to ${Math.floor(MAX_TIMER_MS / 1000)}, got "${timeout}"`);
    }
    timeoutMs = Math.max(1, Math.round(s * 1000));
  }

  const chosen = ['json', 'format', 'paths-only'].filter((o) => values.has(o));
  if (chosen.length > 1) throw new UsageError(`${chosen.map((o) => `--${o}`).join(' and ')} choose different outputs; give one`);
  let output: OutputMode | undefined;
  if (flag('json')) output = { kind: 'json' };
  else if (str('format') !== undefined) output = { kind: 'format', format: parseFormat(str('format')!) };
  else if (flag('paths-only')) output = { kind: 'format', format: parseFormat('%p') };
  else if (command === undefined) output = { kind: 'human' };

  for (const only of ['restart', 'debounce', 'now', 'grace']) {
    if (values.has(only) && command === undefined)
      throw new UsageError(
        `--${only} is for running a command: vigil [paths...] --${only}${only === 'debounce' || only === 'grace' ? ' <ms>' : ''} -- <command> [args...]`,
      );
  }
  if (flag('now') && flag('once')) throw new UsageError('--now and --once disagree (--once runs the command a single time, after a change); give one');
  if (flag('restart') && flag('once')) throw new UsageError('--restart and --once disagree (--once runs the command a single time); give one');

  return {
    kind: 'watch',
    settings: {
      paths: (positionals.length ? positionals : ['.']).map((p) => {
        if (p === '') throw new UsageError('a path is empty (write . for the current directory)');
        return path.resolve(cwd, p);
      }),
      watchOptions,
      types,
      once: flag('once'),
      timeoutMs,
      output,
      terminator: flag('null') ? '\0' : '\n',
      quiet: flag('quiet'),
      command,
      restart: flag('restart'),
      debounceMs: str('debounce') === undefined ? 50 : milliseconds('debounce', str('debounce')!, 0),
      now: flag('now'),
      graceMs: str('grace') === undefined ? 2000 : milliseconds('grace', str('grace')!, 0),
    },
  };
}
