/**
 * One rule at work: its watcher, its event filter, its debounce window, and
 * the dispatch of jobs to its action under the rule's concurrency limit and
 * overflow policy.
 */
import { statSync } from 'node:fs';
import { ErrorCode, VigilError, type WatchEvent, type WatchOptions, type Watcher } from '@vigilfs/core';
import { CommandAction, PluginAction, type Action } from './actions.js';
import { OverflowPolicy, type Rule } from './config.js';
import { describeError, type Logger } from './log.js';

/** vigil's `watch()`, injected so that this package does not depend on the `vigil` package (which depends on it). */
export type WatchFunction = (paths: string | readonly string[], options?: WatchOptions) => Promise<Watcher>;

/** Where a rule stands. */
export type RuleState = 'idle' | 'watching' | 'disabled' | 'ended' | 'stopped';

/**
 * Runs one rule. A job is a list of events delivered together: one event for
 * a command rule without debounce, one vigil batch for a plugin rule without
 * debounce, everything collected in one debounce window otherwise.
 */
export class RuleRunner {
  /** The rule this runner serves. */
  readonly rule: Rule;
  #log: Logger;
  #action: Action;
  #watcher: Watcher | undefined;
  #types: Set<string>;
  #pending: WatchEvent[][] = [];
  #running = new Set<Promise<void>>();
  #buffer: WatchEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  #state: RuleState = 'idle';
  #onEnded: () => void;

  /** `onEnded` is called when the rule's watcher ends on its own (a removed root) or its plugin failed to set up. */
  constructor(rule: Rule, log: Logger, onEnded: () => void = () => {}) {
    this.rule = rule;
    this.#log = log;
    this.#onEnded = onEnded;
    this.#types = new Set(rule.events);
    this.#action = rule.plugin !== undefined ? new PluginAction(rule, log) : new CommandAction(rule, log);
  }

  /** Where the rule stands. */
  get state(): RuleState {
    return this.#state;
  }

  /** Actions running now. */
  get running(): number {
    return this.#running.size;
  }

  /**
   * Checks the paths, loads the plugin and starts watching. A missing path
   * (`PATH_NOT_FOUND`), an unloadable plugin or an unavailable backend
   * rejects; a plugin whose setup throws is logged and the rule is disabled.
   */
  async start(watch: WatchFunction): Promise<void> {
    const where = `${this.rule.file}: rule "${this.rule.name}": field "paths": `;
    for (const p of this.rule.paths) {
      try {
        statSync(p);
      } catch (e) {
        const errno = (e as NodeJS.ErrnoException).code;
        throw new VigilError(
          errno === 'ENOENT' ? ErrorCode.PATH_NOT_FOUND : ErrorCode.IO_ERROR,
          `${where}${p}: ${errno === 'ENOENT' ? 'no such file or directory' : describeError(e)}`,
          { path: p, errno, cause: e },
        );
      }
    }
    if (this.#action instanceof PluginAction) {
      const setup = await this.#action.load();
      try {
        await this.#action.setup(setup);
      } catch (e) {
        this.#log.error(`plugin setup failed, rule disabled: ${describeError(e)}`);
        this.#state = 'disabled';
        await this.#action.close();
        this.#onEnded();
        return;
      }
    }
    const options: WatchOptions = { ignore: this.rule.ignore };
    if (this.rule.backend !== undefined) options.backend = this.rule.backend as WatchOptions['backend'];
    if (this.rule.pollInterval !== undefined) options.pollInterval = this.rule.pollInterval;
    if (this.rule.settle !== undefined) options.settle = this.rule.settle;
    let watcher: Watcher;
    try {
      watcher = await watch(this.rule.paths, options);
    } catch (e) {
      await this.#action.close();
      if (VigilError.isVigilError(e)) {
        throw new VigilError(e.code, `${this.rule.file}: rule "${this.rule.name}": ${e.message}`, {
          path: e.path,
          backend: e.backend,
          errno: e.errno,
          syscall: e.syscall,
          cause: e,
        });
      }
      throw e;
    }
    this.#watcher = watcher;
    this.#state = 'watching';
    watcher.on('events', (batch) => this.#onBatch(batch));
    watcher.on('warning', (w) => this.#log.warn(describeError(w)));
    watcher.on('error', (err) => this.#log.error(describeError(err)));
    watcher.on('close', () => {
      if (this.#state !== 'watching') return;
      this.#state = 'ended';
      this.#log.error('watching ended');
      this.#onEnded();
    });
    for (const info of watcher.info()) this.#log.info(`watching ${info.root} with ${info.backend} (${info.reason})`);
  }

  #onBatch(batch: WatchEvent[]): void {
    if (this.#state !== 'watching') return;
    const wanted = batch.filter((e) => this.#types.has(e.type));
    for (const e of wanted) this.#log.debug(`event ${e.type} ${e.kind} ${e.oldPath !== undefined ? `${e.oldPath} -> ` : ''}${e.path}`);
    if (wanted.length === 0) return;
    if (this.rule.debounce > 0) {
      this.#buffer.push(...wanted);
      // The window opens with its first event and closes `debounce` ms later, so that
      // a steady stream of events still gets delivered (a trailing reset would starve it).
      this.#timer ??= setTimeout(() => {
        this.#timer = undefined;
        const job = this.#buffer;
        this.#buffer = [];
        if (job.length) this.#submit(job);
      }, this.rule.debounce);
    } else if (this.rule.command) {
      for (const e of wanted) this.#submit([e]);
    } else this.#submit(wanted);
  }

  #submit(job: WatchEvent[]): void {
    if (this.#running.size < this.rule.concurrency) {
      this.#start(job);
      return;
    }
    switch (this.rule.overflow) {
      case OverflowPolicy.QUEUE:
        this.#pending.push(job);
        this.#log.debug(`queued ${count(job)} (${this.#pending.length} job(s) waiting)`);
        break;
      case OverflowPolicy.COALESCE: {
        // Keep only the latest pending event per path: drop older pending events for these paths.
        const paths = new Set(job.map((e) => e.path));
        let dropped = 0;
        this.#pending = this.#pending
          .map((pending) =>
            pending.filter((e) => {
              const keep = !paths.has(e.path);
              if (!keep) dropped++;
              return keep;
            }),
          )
          .filter((pending) => pending.length > 0);
        this.#pending.push(job);
        this.#log.debug(`queued ${count(job)}${dropped ? `, coalesced away ${dropped} older event(s)` : ''} (${this.#pending.length} job(s) waiting)`);
        break;
      }
      case OverflowPolicy.DROP:
        this.#log.info(
          `dropped ${count(job)} (${this.#running.size} action(s) running, concurrency ${this.rule.concurrency}): ${job.map((e) => e.path).join(', ')}`,
        );
        break;
    }
  }

  #start(job: WatchEvent[]): void {
    const p: Promise<void> = this.#action
      .run(job)
      .catch((e: unknown) => this.#log.error(describeError(e)))
      .finally(() => {
        this.#running.delete(p);
        this.#pump();
      });
    this.#running.add(p);
  }

  #pump(): void {
    while (this.#state === 'watching' && this.#running.size < this.rule.concurrency && this.#pending.length) {
      this.#start(this.#pending.shift()!);
    }
  }

  /** Stops watching; pending and debounced jobs are discarded (and logged). Running actions go on. */
  async stop(): Promise<void> {
    if (this.#state === 'watching') this.#state = 'stopped';
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const discarded = this.#pending.reduce((n, job) => n + job.length, 0) + this.#buffer.length;
    if (discarded) this.#log.info(`stopping: ${discarded} pending event(s) not delivered`);
    this.#pending = [];
    this.#buffer = [];
    await this.#watcher?.close();
  }

  /** Resolves when no action of this rule runs. */
  async idle(): Promise<void> {
    while (this.#running.size) await Promise.all([...this.#running]);
  }

  /** Sends `signal` to the rule's running commands. */
  kill(signal: NodeJS.Signals): void {
    this.#action.kill(signal);
  }

  /** Releases the action (runs a plugin's cleanup). */
  async dispose(): Promise<void> {
    await this.#action.close();
  }
}

function count(job: WatchEvent[]): string {
  return job.length === 1 ? `${job[0]!.type} ${job[0]!.path}` : `${job.length} events`;
}
