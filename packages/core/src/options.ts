/**
 * watch()'s arguments, checked and resolved in one place. Every value that is
 * not what an option takes is an INVALID_OPTION (or, for the paths,
 * INVALID_ARGUMENT) naming the option and what it takes: nothing is coerced,
 * nothing unknown is silently accepted.
 */
import path from 'node:path';
import { ErrorCode, VigilError } from './errors.js';
import type { IgnoreRule } from './ignore.js';

/** Options of `watch()`. Every field is optional. */
export interface WatchOptions {
  /**
   * `'auto'` (default) picks per root (S1); a backend name forces it (S2). The
   * `VIGIL_BACKEND` environment variable is used when this is not given.
   */
  backend?: string;
  /** Globs, RegExps or predicates for paths to leave out; ignored directories are never scanned (see ignore.ts). */
  ignore?: IgnoreRule | readonly IgnoreRule[];
  /** How deep to watch below a directory root: 0 = its entries only, 1 = theirs too, …; default unlimited. */
  depth?: number;
  /** The directory relative paths are resolved against. Default: `process.cwd()`. */
  cwd?: string;
  /** Milliseconds between scans of polled roots. Default 1000. */
  pollInterval?: number;
  /** Milliseconds between scans of network/FUSE mounts polled inside a natively watched tree. Default: pollInterval. */
  remotePollInterval?: number;
  /** Quiet period (ms) before an emulated close-write; `false` turns emulation off. Default 300. */
  settle?: number | false;
  /** Follow symlinks, with loop detection (R11). Default false: a symlink is an entry of kind `symlink`. */
  followSymlinks?: boolean;
  /** When the OS runs out of watches: poll the directories that got none (default) or fail with WATCH_LIMIT. */
  onWatchLimit?: 'poll' | 'error';
  /** Keep the process alive while watching (default true), like `fs.watch`'s `persistent`. */
  persistent?: boolean;
  /** Deliver the entries that exist when watching starts as one first batch of `create` events (origin `rescan`). Default false. */
  initial?: boolean;
}

/** WatchOptions with every default filled in; what core and backends see. */
export interface ResolvedWatchOptions {
  /** The backend asked for: `'auto'` or a name. */
  backend: string;
  /** Who asked for the backend: 'default', the backend option, or VIGIL_BACKEND. */
  backendSource: 'default' | 'option' | 'environment';
  ignore: readonly IgnoreRule[];
  depth: number;
  pollInterval: number;
  remotePollInterval: number;
  settle: number | false;
  followSymlinks: boolean;
  onWatchLimit: 'poll' | 'error';
  persistent: boolean;
  initial: boolean;
}

/** The longest delay a Node.js timer takes (2^31 − 1 ms, about 24.8 days); past it Node fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const KNOWN: readonly (keyof WatchOptions)[] = [
  'backend',
  'ignore',
  'depth',
  'cwd',
  'pollInterval',
  'remotePollInterval',
  'settle',
  'followSymlinks',
  'onWatchLimit',
  'persistent',
  'initial',
];

/** What users of other watchers reach for, and vigil's name for it. */
const KNOWN_ALIASES: Readonly<Record<string, string>> = {
  ignored: 'ignore',
  usePolling: "backend: 'poll'",
  interval: 'pollInterval',
  binaryInterval: 'pollInterval',
  awaitWriteFinish: 'settle',
  ignoreInitial: 'initial',
  recursive: 'depth',
  atomic: 'nothing: vigil reports an atomic save as one rename',
};

function invalid(option: string, takes: string, got: unknown): VigilError {
  return new VigilError(ErrorCode.INVALID_OPTION, `${option} must be ${takes}, got ${show(got)}`);
}

/** A value as a user would recognise it in a message (JSON turns 1e309 into null, NaN into null, and so on). */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  if (typeof value === 'function') return 'a function';
  if (value instanceof RegExp) return String(value);
  if (Array.isArray(value)) return `an array (${value.length} items)`;
  return `a ${typeof value}`;
}

/** A number of milliseconds a timer can wait: finite, integer-or-not, within [min, MAX_TIMER_MS]. */
function milliseconds(option: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > MAX_TIMER_MS) {
    throw invalid(option, `a number of milliseconds from ${min} to ${MAX_TIMER_MS}`, value);
  }
  return value;
}

function boolean(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalid(option, 'true or false', value);
  return value;
}

/** The known option closest to `name` (edit distance, case-insensitive), when it is close enough to be a typo. */
export function nearestOption(name: string, known: readonly string[] = KNOWN): string | undefined {
  const alias = KNOWN_ALIASES[name];
  if (alias) return alias;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = k;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/**
 * Checks watch()'s `paths` argument and makes every path absolute (against
 * `cwd`). Paths stay as the user spelled them otherwise: events are reported
 * under them.
 */
export function resolvePaths(paths: unknown, cwd: string): string[] {
  const list = typeof paths === 'string' ? [paths] : Array.isArray(paths) ? (paths as unknown[]) : undefined;
  if (!list) throw new VigilError(ErrorCode.INVALID_ARGUMENT, `watch() takes a path or an array of paths, got ${show(paths)}`);
  if (list.length === 0) throw new VigilError(ErrorCode.INVALID_ARGUMENT, 'watch() needs at least one path');
  return list.map((p, i) => {
    const where = Array.isArray(paths) ? `paths[${i}]` : 'path';
    if (typeof p !== 'string') throw new VigilError(ErrorCode.INVALID_ARGUMENT, `${where} must be a string, got ${show(p)}`);
    // '' is no path at all; treating it as the current directory would watch what nobody named.
    if (p === '') throw new VigilError(ErrorCode.INVALID_ARGUMENT, `${where} is empty (write '.' for the current directory)`);
    if (p.includes('\0')) throw new VigilError(ErrorCode.INVALID_ARGUMENT, `${where} contains a NUL character`, { path: p });
    return path.resolve(cwd, p);
  });
}

/** Checks every option and fills in the defaults. */
export function resolveWatchOptions(options: unknown, env: { VIGIL_BACKEND?: string } = process.env): ResolvedWatchOptions & { cwd: string } {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object' || Array.isArray(options))
    throw new VigilError(ErrorCode.INVALID_ARGUMENT, `watch() options must be an object, got ${show(options)}`);
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if ((KNOWN as readonly string[]).includes(key)) continue;
    const near = nearestOption(key);
    throw new VigilError(
      ErrorCode.INVALID_OPTION,
      `unknown option ${JSON.stringify(key)}${near ? ` (did you mean ${near}?)` : ''}; vigil takes ${KNOWN.join(', ')}`,
    );
  }
  const given = (k: keyof WatchOptions): boolean => o[k] !== undefined;

  let backend = 'auto';
  let backendSource: ResolvedWatchOptions['backendSource'] = 'default';
  if (given('backend')) {
    if (typeof o.backend !== 'string' || o.backend === '') throw invalid('backend', "'auto' or a backend name", o.backend);
    backend = o.backend;
    backendSource = 'option';
  } else if (env.VIGIL_BACKEND) {
    backend = env.VIGIL_BACKEND;
    backendSource = 'environment';
  }

  let ignore: readonly IgnoreRule[] = [];
  if (given('ignore')) {
    const rules = Array.isArray(o.ignore) ? (o.ignore as unknown[]) : [o.ignore];
    rules.forEach((rule, i) => {
      const ok = (typeof rule === 'string' && rule !== '') || rule instanceof RegExp || typeof rule === 'function';
      if (!ok)
        throw invalid(
          Array.isArray(o.ignore) ? `ignore[${i}]` : 'ignore',
          'a glob string, a RegExp or a function (path, kind) => boolean, or an array of them',
          rule,
        );
    });
    ignore = rules as IgnoreRule[];
  }

  let depth = Infinity;
  if (given('depth')) {
    if (typeof o.depth !== 'number' || !(Number.isInteger(o.depth) || o.depth === Infinity) || o.depth < 0)
      throw invalid('depth', "an integer >= 0 (0: the root directory's entries only) or Infinity", o.depth);
    depth = o.depth;
  }

  let cwd = process.cwd();
  if (given('cwd')) {
    if (typeof o.cwd !== 'string' || o.cwd === '') throw invalid('cwd', 'a directory path', o.cwd);
    cwd = path.resolve(o.cwd);
  }

  const pollInterval = given('pollInterval') ? milliseconds('pollInterval', o.pollInterval, 10) : 1000;
  const remotePollInterval = given('remotePollInterval') ? milliseconds('remotePollInterval', o.remotePollInterval, 10) : pollInterval;

  let settle: number | false = 300;
  if (given('settle')) {
    if (o.settle === false) settle = false;
    else {
      try {
        settle = milliseconds('settle', o.settle, 0);
      } catch {
        throw invalid('settle', `a number of milliseconds from 0 to ${MAX_TIMER_MS}, or false`, o.settle);
      }
    }
  }

  let onWatchLimit: 'poll' | 'error' = 'poll';
  if (given('onWatchLimit')) {
    if (o.onWatchLimit !== 'poll' && o.onWatchLimit !== 'error') throw invalid('onWatchLimit', "'poll' or 'error'", o.onWatchLimit);
    onWatchLimit = o.onWatchLimit;
  }

  return {
    backend,
    backendSource,
    ignore,
    depth,
    cwd,
    pollInterval,
    remotePollInterval,
    settle,
    followSymlinks: given('followSymlinks') ? boolean('followSymlinks', o.followSymlinks) : false,
    onWatchLimit,
    persistent: given('persistent') ? boolean('persistent', o.persistent) : true,
    initial: given('initial') ? boolean('initial', o.initial) : false,
  };
}
