/**
 * The command of `vigil [paths...] -- <command> [args...]`: run without a
 * shell (the argv as given) in its own process group, after a debounce window
 * of events. Without `--restart` a change during a run queues one more run;
 * with it the running command's process group gets SIGTERM (SIGKILL after the
 * grace period), vigil waits for it to end, and starts it again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { eventVariables, type WatchEvent } from '@vigilfs/core';

/** How the command is run. */
export interface CommandRunnerOptions {
  restart: boolean;
  debounceMs: number;
  graceMs: number;
  /** Writes `vigil: <text>` to stderr (progress lines, only when not quiet). */
  info: (text: string) => void;
  /** Writes `vigil: <text>` to stderr (always). */
  error: (text: string) => void;
  /** Called when the command cannot be started at all (not found, not executable): vigil exits 1. */
  onFatal: (text: string) => void;
}

/**
 * The variables the command gets on top of vigil's environment (docs/cli.md
 * lists them): the `VIGIL_EVENT_*` set a `vigil run` rule command gets, and
 * VIGIL_PATHS, since without `{paths}` placeholders this is how the command
 * learns every path of the window.
 */
export function commandEnvironment(events: readonly WatchEvent[], base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, ...eventVariables(events), VIGIL_PATHS: [...new Set(events.map((e) => e.path))].join('\n') };
}

/** The shell's convention for a status: the exit code, or 128 + the signal's number. */
export function statusOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const n = signal ? (constants.signals as Record<string, number>)[signal] : undefined;
  return 128 + (n ?? 0);
}

/** Runs one command on changes. */
export class CommandRunner {
  readonly #argv: readonly string[];
  readonly #o: CommandRunnerOptions;
  #buffer: WatchEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  #child: ChildProcess | undefined;
  #exited: Promise<number> | undefined;
  /** Events that came while a run was going on (no --restart): one more run after it. */
  #queued: WatchEvent[] | undefined;
  #stopping = false;
  #killing = false;
  #restarts: Promise<void> = Promise.resolve();

  constructor(argv: readonly string[], options: CommandRunnerOptions) {
    this.#argv = argv;
    this.#o = options;
  }

  /** Takes the events of a batch; the first opens a debounce window, the command runs when it closes. */
  trigger(events: readonly WatchEvent[]): void {
    if (this.#stopping || events.length === 0) return;
    this.#buffer.push(...events);
    // The window opens with the first event and is not pushed back by later ones, so a steady stream still runs the command.
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      const job = this.#buffer;
      this.#buffer = [];
      this.#dispatch(job);
    }, this.#o.debounceMs);
  }

  /** Runs the command at once (`--now`), through the same queue or restart as a change. */
  runNow(): void {
    this.#dispatch([]);
  }

  /** Runs the command now for `events` (none for `--now`) and resolves with its status. */
  run(events: readonly WatchEvent[]): Promise<number> {
    const argv = this.#argv;
    const shown = argv.map((a) => (/^[\w./:=@%+-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
    this.#o.info(
      `running ${shown}${events.length ? ` (${events.length} event${events.length === 1 ? '' : 's'}; last: ${events[events.length - 1]!.type} ${events[events.length - 1]!.path})` : ''}`,
    );
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: commandEnvironment(events),
      // Its own process group, so that a restart or a stop reaches whatever it started too.
      detached: process.platform !== 'win32',
    });
    this.#child = child;
    const exited = new Promise<number>((resolve) => {
      child.once('error', (e: NodeJS.ErrnoException) => {
        if (this.#child === child) this.#child = undefined;
        this.#o.onFatal(`cannot run ${argv[0]}: ${e.code === 'ENOENT' ? 'command not found' : e.code === 'EACCES' ? 'permission denied' : e.message}`);
        resolve(127);
      });
      child.once('exit', (code, signal) => {
        if (this.#child === child) this.#child = undefined;
        const status = statusOf(code, signal);
        if (!this.#killing && status !== 0) this.#o.error(`command ${signal ? `killed by ${signal}` : `exited with status ${code}`}: ${shown}`);
        resolve(status);
      });
    });
    this.#exited = exited;
    return exited;
  }

  #dispatch(job: WatchEvent[]): void {
    if (this.#stopping) return;
    if (this.#o.restart) {
      // Serialized: a second change while the first restart waits for the old command to end must not start two.
      this.#restarts = this.#restarts.then(async () => {
        if (this.#stopping) return;
        if (this.#child) {
          this.#o.info('change: restarting the command');
          await this.#kill();
        }
        if (!this.#stopping) void this.run(job);
      });
      return;
    }
    if (this.#child) {
      this.#queued = [...(this.#queued ?? []), ...job];
      return;
    }
    void (async () => {
      let next: WatchEvent[] | undefined = job;
      while (next && !this.#stopping) {
        await this.run(next);
        next = this.#queued;
        this.#queued = undefined;
      }
    })();
  }

  /** SIGTERM to the process group, SIGKILL after the grace period; resolves once the command has exited. */
  async #kill(): Promise<void> {
    const child = this.#child;
    const exited = this.#exited;
    if (!child || !exited) return;
    this.#killing = true;
    signalGroup(child, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), this.#o.graceMs);
    await exited;
    clearTimeout(timer);
    this.#killing = false;
  }

  /** Stops for good: no further runs; a running command is stopped (SIGTERM, then SIGKILL after the grace period). */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queued = undefined;
    await this.#kill();
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (process.platform !== 'win32' && child.pid !== undefined) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // Already gone.
  }
}
