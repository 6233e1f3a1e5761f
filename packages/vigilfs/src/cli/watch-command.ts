/**
 * `vigil [watch]`: watch the paths, keep the events of the wanted types, and
 * print them, run a command on them, stop after the first (`--once`) or after
 * a quiet `--timeout`. Resolves with the exit status; the caller exits with it.
 */
import { VigilError, type WatchEvent, type Watcher } from '@vigilfs/core';
import { watch } from '../index.js';
import { CommandRunner } from './command-runner.js';
import { ExitCode } from './exit.js';
import { humanLine, jsonLine } from './format.js';
import { errorText, processOutput } from './output.js';
import type { OutputMode, WatchSettings } from './watch-options.js';

/** Errors of `watch()` that come from what the user typed: exit status 2, like other usage errors. */
const USAGE_CODES = new Set(['PATH_NOT_FOUND', 'NOT_A_DIRECTORY', 'BACKEND_UNAVAILABLE', 'INVALID_OPTION', 'INVALID_ARGUMENT']);

function recordOf(mode: OutputMode, e: WatchEvent, now: Date): string {
  switch (mode.kind) {
    case 'human':
      return humanLine(e, now);
    case 'json':
      return jsonLine(e);
    case 'format':
      return mode.format(e, now);
  }
}

/** Runs `vigil [watch]` with checked settings; resolves with the exit status. */
export async function runWatch(s: WatchSettings): Promise<number> {
  let resolveStatus!: (status: number) => void;
  const done = new Promise<number>((resolve) => (resolveStatus = resolve));
  let watcher: Watcher | undefined;
  let runner: CommandRunner | undefined;
  let timer: NodeJS.Timeout | undefined;
  let finishing = false;
  const finish = (status: number): void => {
    if (finishing) return;
    finishing = true;
    clearTimeout(timer);
    void (async () => {
      await runner?.stop();
      await watcher?.close();
      resolveStatus(status);
    })();
  };

  // A reader that closed stdout (`| head -1`) ends vigil quietly with status 0.
  const out = processOutput(s.terminator, () => finish(ExitCode.OK));
  const json = s.output?.kind === 'json';
  const info = (text: string): void => {
    if (!s.quiet) out.message(text);
  };

  const stop = (): void => finish(ExitCode.OK);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.once('SIGHUP', stop);

  try {
    watcher = await watch(s.paths, s.watchOptions);
  } catch (e) {
    out.message(errorText(e));
    const code = VigilError.isVigilError(e) ? e.code : undefined;
    return code !== undefined && USAGE_CODES.has(code) ? ExitCode.USAGE : ExitCode.RUNTIME;
  }
  if (finishing) {
    await watcher.close();
    return done;
  }

  if (!s.quiet) {
    for (const i of watcher.info()) {
      if (json) out.stderr(`${JSON.stringify({ ready: { root: i.root, backend: i.backend, reason: i.reason, entries: i.entries } })}\n`);
      else {
        // The reason names the filesystem when the choice was made from it; say it once.
        const fsType = i.filesystem && !i.reason.includes(i.filesystem.type) ? `, ${i.filesystem.type}` : '';
        out.message(`watching ${i.root} with ${i.backend} (${i.reason}${fsType}; ${i.entries} ${i.entries === 1 ? 'entry' : 'entries'})`);
      }
    }
  }

  if (s.command) {
    runner = new CommandRunner(s.command, {
      restart: s.restart,
      debounceMs: s.debounceMs,
      graceMs: s.graceMs,
      info,
      error: (text) => out.message(text),
      onFatal: (text) => {
        out.message(text);
        finish(ExitCode.RUNTIME);
      },
    });
    if (s.now) runner.runNow();
  }

  const armTimeout = (): void => {
    if (s.timeoutMs === undefined) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      info(`timeout: no matching event in ${s.timeoutMs! / 1000} s`);
      finish(ExitCode.TIMEOUT);
    }, s.timeoutMs);
  };
  armTimeout();

  let status: number = ExitCode.OK;
  const onClose = (): void => finish(status);
  let onceTaken = false;
  watcher.on('events', (batch) => {
    if (finishing || onceTaken) return;
    const wanted = s.types ? batch.filter((e) => s.types!.has(e.type)) : batch;
    if (wanted.length === 0) return;
    armTimeout();
    const now = new Date();
    const printed = s.once ? wanted.slice(0, 1) : wanted;
    if (s.output) for (const e of printed) out.record(recordOf(s.output, e, now));
    if (!runner) {
      if (s.once) finish(ExitCode.OK);
      return;
    }
    if (!s.once) {
      runner.trigger(wanted);
      return;
    }
    // --once with a command: stop watching, run it for the first event, exit with its status
    // (a signal meanwhile still stops the command, through finish()).
    onceTaken = true;
    clearTimeout(timer);
    watcher!.off('close', onClose);
    const command = runner;
    void (async () => {
      await watcher!.close();
      finish(await command.run(printed));
    })();
  });
  watcher.on('warning', (w) => {
    out.stderr(json ? `${JSON.stringify({ warning: w.toJSON() })}\n` : `vigil: warning: ${errorText(w)}\n`);
  });
  watcher.on('error', (err) => {
    status = ExitCode.RUNTIME;
    out.stderr(json ? `${JSON.stringify({ error: err.toJSON() })}\n` : `vigil: ${errorText(err)}\n`);
  });
  watcher.on('close', onClose);
  return done;
}
