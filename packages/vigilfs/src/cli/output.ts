/**
 * Where `vigil` writes: records to stdout, messages to stderr. A reader that
 * closes its end of stdout (`vigil --json . | head -1`) is the normal end of a
 * pipeline, not a crash: the first EPIPE calls `onClosed` once, and nothing is
 * written after it.
 */
import { VigilError, toFsPath } from '@vigilfs/core';

/** stdout and stderr as vigil uses them. */
export interface Output {
  /** Writes one record (the terminator is added). Nothing happens once stdout is closed. */
  record(text: string): void;
  /** Writes `vigil: <text>` to stderr. */
  message(text: string): void;
  /** Writes raw text to stderr (JSON status lines). */
  stderr(text: string): void;
  /** True once the reader closed stdout. */
  readonly closed: boolean;
}

/** Binds vigil's output to the process's streams; `onClosed` runs once when stdout's reader goes away. */
export function processOutput(terminator: string, onClosed: () => void): Output {
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    onClosed();
  };
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') close();
    else {
      process.stderr.write(`vigil: cannot write to stdout: ${e.message}\n`);
      close();
    }
  });
  // A closed stderr is no reason to stop watching; its errors are dropped.
  process.stderr.on('error', () => {});
  return {
    record(text) {
      // A name that is not valid UTF-8 reaches JS with its bytes escaped (lone surrogates): written back
      // as those bytes, so `-P0 | xargs -0` gets the file's real name. Human and JSON records escape
      // such names visibly themselves, so for them this is the string unchanged.
      if (!closed) process.stdout.write(toFsPath(text + terminator));
    },
    message(text) {
      process.stderr.write(`vigil: ${text}\n`);
    },
    stderr(text) {
      process.stderr.write(text);
    },
    get closed() {
      return closed;
    },
  };
}

/** `CODE: message` for vigil's errors, the message for others. */
export function errorText(e: unknown): string {
  return VigilError.isVigilError(e) ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
}
