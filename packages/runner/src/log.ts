/**
 * The runner's log: one line per message on stderr, prefixed with the rule's
 * name, filtered by verbosity (`-v` shows rule starts and each action, `-vv`
 * each event and each queued, coalesced or dropped job).
 */
import { VigilError } from '@vigilfs/core';

/** A logger as plugins receive it: every line carries the rule's name. */
export interface Logger {
  /** Always shown: something failed (a command's non-zero exit, a plugin's exception). */
  error(message: string): void;
  /** Always shown: something is off but work goes on (a watcher warning). */
  warn(message: string): void;
  /** Shown with `-v`: what the runner does (rules ready, actions run). */
  info(message: string): void;
  /** Shown with `-vv`: every event and every queueing decision. */
  debug(message: string): void;
}

/** A logger at `verbosity` (0, 1 for `-v`, 2 for `-vv`) writing lines to `write`; `scope` names the rule. */
export function createLogger(verbosity: number, write: (line: string) => void, scope?: string): Logger {
  const prefix = `vigil run: ${scope !== undefined ? `[${scope}] ` : ''}`;
  const line = (level: string, message: string): void => write(`${prefix}${level}${message}\n`);
  return {
    error: (m) => line('error: ', m),
    warn: (m) => line('warning: ', m),
    info: (m) => {
      if (verbosity >= 1) line('', m);
    },
    debug: (m) => {
      if (verbosity >= 2) line('', m);
    },
  };
}

/** An error as one log line: `CODE: message` for VigilErrors, the message (and first stack frame) otherwise. */
export function describeError(e: unknown): string {
  if (VigilError.isVigilError(e)) return `${e.code}: ${e.message}`;
  if (e instanceof Error) {
    const frame = e.stack
      ?.split('\n')
      .find((l) => l.trimStart().startsWith('at '))
      ?.trim();
    return `${e.name}: ${e.message}${frame ? ` (${frame})` : ''}`;
  }
  return String(e);
}
