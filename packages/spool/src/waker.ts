import { watch as fsWatch } from 'node:fs';

/**
 * The few fields of a vigil `WatchEvent` the spool reads. Declared here rather
 * than imported so that any watcher with this shape can be injected.
 */
export interface SpoolWatchEvent {
  /** `'create' | 'modify' | 'close-write' | 'delete' | 'rename'`. */
  type: string;
  /** Absolute path; for a rename, the new one. */
  path: string;
}

/**
 * What the spool needs from a watcher: vigil's `watch()` result satisfies it.
 * `events` delivers batches; `error` is fatal (the watcher has ended); an
 * optional `warning` (for example vigil's overflow notice) is treated as a
 * reason to look at `new/` again.
 */
export interface SpoolWatcher {
  /** Subscribes to `'events'` (an array of events), `'error'` or `'warning'`. */
  // biome-ignore lint/suspicious/noExplicitAny: one listener type for three payloads, so that vigil's Watcher (typed overloads per event) is assignable to it
  on(event: 'events' | 'error' | 'warning', listener: (value: any) => void): unknown;
  /** Stops watching. */
  close(): Promise<void>;
}

/** Options the spool passes on to the watch function. */
export interface SpoolWatchOptions {
  /** vigil backend: `'auto'` (default), `'poll'`, `'inotify'`, … */
  backend?: string;
  /** vigil poll interval in ms, when polling. */
  pollInterval?: number;
}

/**
 * Starts watching `dir` (the spool's `new/`) and resolves once every later
 * change is reported (vigil's R8). The default is vigil's `watch`.
 */
export type WatchFunction = (dir: string, options: SpoolWatchOptions) => Promise<SpoolWatcher>;

/** Which waker serves a spool: vigil, the `fs.watch` fallback, or a watch function the caller injected. */
export type WakerKind = 'vigil' | 'fs.watch' | 'custom';

/** A watcher plus the name of the mechanism behind it. */
export interface OpenedWatcher {
  /** The watcher. */
  watcher: SpoolWatcher;
  /** `'vigil'` unless the fallback was used. */
  kind: WakerKind;
}

// A variable specifier keeps bundlers and the type checker from resolving vigil
// at build time: spool must load (and fall back) even where vigil is absent.
const VIGIL_SPECIFIER = 'vigilfs';

/**
 * Opens the default watcher: vigil's `watch()` when the `vigil` package can be
 * imported and exports one. Otherwise, and only then, a documented fallback
 * built on `fs.watch` (see {@link fsWatchWaker}).
 */
export async function openDefaultWatcher(dir: string, options: SpoolWatchOptions): Promise<OpenedWatcher> {
  let watch: unknown;
  try {
    const mod = (await import(/* @vite-ignore */ VIGIL_SPECIFIER)) as Record<string, unknown>;
    watch = mod.watch ?? (mod.default as Record<string, unknown> | undefined)?.watch;
  } catch (error) {
    if (!isModuleNotFound(error)) throw error;
  }
  if (typeof watch === 'function') {
    const watcher = (await (watch as WatchFunction)(dir, { backend: options.backend ?? 'auto', ...pick(options) })) as SpoolWatcher;
    return { watcher, kind: 'vigil' };
  }
  return { watcher: await fsWatchWaker(dir), kind: 'fs.watch' };
}

function pick(options: SpoolWatchOptions): SpoolWatchOptions {
  return options.pollInterval === undefined ? {} : { pollInterval: options.pollInterval };
}

/**
 * True when the `vigil` package itself is missing. A module missing *inside*
 * an installed vigil (a broken build) is not a reason to fall back quietly:
 * that error is rethrown.
 */
function isModuleNotFound(error: unknown): boolean {
  const e = (error ?? {}) as { code?: unknown; message?: unknown };
  const missing = e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND';
  return missing && typeof e.message === 'string' && /['"]vigil['"]/.test(e.message);
}

/**
 * FALLBACK ONLY, used when `vigil` cannot be imported. Wraps Node's `fs.watch`
 * on one directory: any notification becomes a one-event batch that tells the
 * spool to look at `new/` again (the spool never trusts event contents).
 * It is weaker than vigil: `fs.watch` reports no overflow (inotify
 * `IN_Q_OVERFLOW` is swallowed) and sees nothing on network filesystems, so
 * pair it with the spool's `rescanInterval` option where that matters.
 */
export async function fsWatchWaker(dir: string): Promise<SpoolWatcher> {
  const listeners = { events: new Set<(v: SpoolWatchEvent[]) => void>(), error: new Set<(v: Error) => void>() };
  const w = fsWatch(dir, { persistent: true });
  w.on('change', (_type, filename) => {
    const batch: SpoolWatchEvent[] = [{ type: 'create', path: `${dir}/${String(filename ?? '')}` }];
    for (const l of listeners.events) l(batch);
  });
  w.on('error', (err) => {
    for (const l of listeners.error) l(err);
  });
  return {
    on(event, listener) {
      if (event === 'events' || event === 'error') listeners[event].add(listener);
      return this;
    },
    async close() {
      w.close();
    },
  };
}
