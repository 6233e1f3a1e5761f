/**
 * What a rule does with its events: run a command (an argv, never a shell) or
 * hand them to a plugin module loaded into the runner's process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { ErrorCode, VigilError, eventVariables, type WatchEvent } from '@vigilfs/core';
import type { Rule } from './config.js';
import { describeError, type Logger } from './log.js';

/** One rule's action. `run` never rejects: failures are logged with the rule's name. */
export interface Action {
  /** Runs the action for one job (the events delivered together). */
  run(events: WatchEvent[]): Promise<void>;
  /** Sends `signal` to every command still running. */
  kill(signal: NodeJS.Signals): void;
  /** Releases the action (a plugin's cleanup). */
  close(): Promise<void>;
}

/** The argument placeholders a command may use; each is replaced only when it is a whole argument. */
export const PLACEHOLDERS = ['{path}', '{oldPath}', '{type}', '{kind}', '{paths}'] as const;

/**
 * The argv for one job. An argument that is exactly a placeholder is replaced
 * (by the last event's path, old path, type or kind; `{paths}` by one argument
 * per distinct path in the job); any other argument, even one that contains a
 * placeholder, is passed as written. Nothing is ever interpreted by a shell.
 */
export function commandArgv(command: readonly string[], events: readonly WatchEvent[]): string[] {
  const last = events[events.length - 1]!;
  const out: string[] = [];
  for (const arg of command) {
    switch (arg) {
      case '{path}':
        out.push(last.path);
        break;
      case '{oldPath}':
        out.push(last.oldPath ?? '');
        break;
      case '{type}':
        out.push(last.type);
        break;
      case '{kind}':
        out.push(last.kind);
        break;
      case '{paths}':
        out.push(...new Set(events.map((e) => e.path)));
        break;
      default:
        out.push(arg);
    }
  }
  return out;
}

/** The variables a command receives on top of the runner's own environment: the rule's name and core's `VIGIL_EVENT_*`. */
export function commandEnv(rule: string, events: readonly WatchEvent[], base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, VIGIL_RULE: rule, ...eventVariables(events) };
}

/** Runs `rule.command` once per job with spawn (no shell), in `rule.cwd`. */
export class CommandAction implements Action {
  #rule: Rule;
  #log: Logger;
  #children = new Set<ChildProcess>();

  constructor(rule: Rule, log: Logger) {
    this.#rule = rule;
    this.#log = log;
  }

  run(events: WatchEvent[]): Promise<void> {
    const argv = commandArgv(this.#rule.command!, events);
    const shown = argv.map((a) => JSON.stringify(a)).join(' ');
    this.#log.info(`run ${shown}`);
    const started = Date.now();
    return new Promise((resolve) => {
      let child: ChildProcess;
      try {
        child = spawn(argv[0]!, argv.slice(1), {
          cwd: this.#rule.cwd,
          env: commandEnv(this.#rule.name, events),
          stdio: ['ignore', 'inherit', 'inherit'],
        });
      } catch (e) {
        this.#log.error(`cannot run ${shown}: ${describeError(e)}`);
        resolve();
        return;
      }
      this.#children.add(child);
      let failed = false;
      child.on('error', (e) => {
        failed = true;
        this.#log.error(`cannot run ${shown}: ${describeError(e)}`);
      });
      child.on('close', (code, signal) => {
        this.#children.delete(child);
        if (signal) this.#log.error(`command killed by ${signal}: ${shown}`);
        else if (code !== 0 && !failed) this.#log.error(`command exited with status ${code}: ${shown}`);
        else if (!failed) this.#log.debug(`done in ${Date.now() - started} ms: ${shown}`);
        resolve();
      });
    });
  }

  kill(signal: NodeJS.Signals): void {
    for (const c of this.#children) c.kill(signal);
  }

  async close(): Promise<void> {}
}

/** A plugin's event handler: receives each job's events; may return a promise. */
export type PluginHandler = (events: WatchEvent[]) => void | Promise<void>;

/** What a plugin's setup function receives. */
export interface PluginContext {
  /** The rule's `config` field, as written. */
  config: unknown;
  /** A logger whose lines carry the rule's name. */
  logger: Logger;
  /** The rule's name. */
  rule: string;
  /** Registers a handler for the rule's events; returns a function that removes it. */
  subscribe(handler: PluginHandler): () => void;
}

/** A plugin module's setup: the default export, or an export named `setup`. May return a cleanup function. */
export type PluginSetup = (context: PluginContext) => void | (() => void | Promise<void>) | Promise<void | (() => void | Promise<void>)>;

/** Loads `rule.plugin` and calls its setup; handler exceptions are logged and the rule goes on. */
export class PluginAction implements Action {
  #rule: Rule;
  #log: Logger;
  #handlers = new Set<PluginHandler>();
  #cleanup: (() => void | Promise<void>) | undefined;

  constructor(rule: Rule, log: Logger) {
    this.#rule = rule;
    this.#log = log;
  }

  /** Imports the module; a missing module or one with no setup function is an `INVALID_OPTION` error. */
  async load(): Promise<PluginSetup> {
    const file = this.#rule.plugin!;
    const where = `${this.#rule.file}: rule "${this.#rule.name}": field "plugin": `;
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND';
      throw new VigilError(missing ? ErrorCode.PATH_NOT_FOUND : ErrorCode.INVALID_OPTION, `${where}cannot load ${file}: ${describeError(e)}`, {
        path: file,
        cause: e,
      });
    }
    const def = mod.default as Record<string, unknown> | ((...a: unknown[]) => unknown) | undefined;
    const setup =
      typeof def === 'function'
        ? def
        : typeof mod.setup === 'function'
          ? mod.setup
          : typeof def === 'object' && def !== null && typeof def.setup === 'function'
            ? def.setup
            : undefined;
    if (!setup) throw new VigilError(ErrorCode.INVALID_OPTION, `${where}${file} exports neither a default function nor setup()`, { path: file });
    return setup as PluginSetup;
  }

  /** Calls the plugin's setup. Throws what it throws (the runner logs it and disables the rule). */
  async setup(setup: PluginSetup): Promise<void> {
    const result = await setup({
      config: this.#rule.config,
      logger: this.#log,
      rule: this.#rule.name,
      subscribe: (handler) => {
        if (typeof handler !== 'function') throw new VigilError(ErrorCode.INVALID_ARGUMENT, 'subscribe() takes a function');
        this.#handlers.add(handler);
        return () => void this.#handlers.delete(handler);
      },
    });
    if (typeof result === 'function') this.#cleanup = result;
  }

  async run(events: WatchEvent[]): Promise<void> {
    for (const handler of [...this.#handlers]) {
      try {
        await handler(events.map((e) => ({ ...e })));
      } catch (e) {
        this.#log.error(`plugin handler failed: ${describeError(e)}`);
      }
    }
  }

  kill(): void {}

  async close(): Promise<void> {
    const cleanup = this.#cleanup;
    this.#cleanup = undefined;
    this.#handlers.clear();
    if (!cleanup) return;
    try {
      await cleanup();
    } catch (e) {
      this.#log.error(`plugin cleanup failed: ${describeError(e)}`);
    }
  }
}
