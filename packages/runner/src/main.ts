/**
 * `vigil run`: load the rules, start a watcher per rule, run their actions,
 * and stop cleanly on SIGTERM or SIGINT.
 */
import { parseArgs } from 'node:util';
import { nearestOption, VigilError } from '@vigilfs/core';
import { findConfig, loadRules, type Rule } from './config.js';
import { createLogger, describeError } from './log.js';
import { RuleRunner, type WatchFunction } from './rule-runner.js';

/** Usage text of `vigil run`. */
export const RUN_HELP = `Usage: vigil run [--config <file-or-dir>] [-v]... [--grace <ms>] [--check] [--print-env]

Watches the paths of every rule and runs its command (an argv, no shell) or
plugin on their changes. Rules are YAML or JSON: one file with a list, or a
directory with a file per rule.

Options:
  -c, --config <path>  a rule file or a directory of them (default: VIGIL_CONFIG,
                       VIGIL_CONFIG_DIR, ./vigil.rules.yaml|yml|json, then
                       $XDG_CONFIG_HOME/vigil/rules.d)
  -v, --verbose        more output; repeat (-vv) to log every event and queueing decision
  --grace <ms>         on SIGTERM/SIGINT, how long running commands may take to
                       finish before they get SIGTERM (default 5000)
  --check              load and check the rules, print them, and exit
  --print-env          list the environment variables vigil run honours and sets

Exit status: 0 after SIGTERM/SIGINT or --check, 1 when every rule has ended
(a root removed, a plugin failed to set up), 2 for bad usage or an invalid
rule (the message names the file, the rule and the field) or a missing path.
`;

/** Every environment variable `vigil run` reads or sets, with a one-line description. */
export const ENVIRONMENT: readonly { name: string; scope: 'config' | 'command'; description: string }[] = [
  { name: 'VIGIL_CONFIG', scope: 'config', description: 'rule file to load when --config is not given' },
  { name: 'VIGIL_CONFIG_DIR', scope: 'config', description: 'directory of rule files (*.yaml, *.yml, *.json), when neither --config nor VIGIL_CONFIG is set' },
  { name: 'XDG_CONFIG_HOME', scope: 'config', description: 'base of the last default, $XDG_CONFIG_HOME/vigil/rules.d (default ~/.config)' },
  {
    name: 'VIGIL_BACKEND',
    scope: 'config',
    description: 'backend for rules that name none (auto, inotify, fsevents, rdcw or poll); an unavailable one is an error',
  },
  { name: 'VIGIL_RULE', scope: 'command', description: "the rule's name" },
  { name: 'VIGIL_EVENT_TYPE', scope: 'command', description: 'create, modify, close-write, delete or rename (the last event of the job)' },
  { name: 'VIGIL_EVENT_PATH', scope: 'command', description: 'absolute path of the event (for a rename, the new path)' },
  { name: 'VIGIL_EVENT_OLD_PATH', scope: 'command', description: 'rename only: the old path; empty for other events' },
  { name: 'VIGIL_EVENT_KIND', scope: 'command', description: 'file, directory, symlink, other or unknown' },
  { name: 'VIGIL_EVENT_ORIGIN', scope: 'command', description: 'os, rescan or emulated: who vouches for the event' },
  {
    name: 'VIGIL_EVENT_COUNT',
    scope: 'command',
    description: 'number of events in the job (1 without debounce; more when a debounce window collected several)',
  },
];

/** What `main` needs from its host: vigil's `watch()`, and where to write (defaults: the process's streams). */
export interface MainOptions {
  /** vigil's `watch` (the vigil CLI passes its own). */
  watch: WatchFunction;
  /** Where log lines go (default stderr). */
  stderr?: (text: string) => void;
  /** Where `--print-env` and `--check` output goes (default stdout). */
  stdout?: (text: string) => void;
  /** Environment for config discovery (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Signals that stop the runner (default SIGTERM and SIGINT). */
  signals?: NodeJS.Signals[];
}

const RUN_OPTIONS = {
  config: { type: 'string', short: 'c' },
  verbose: { type: 'boolean', short: 'v', multiple: true },
  grace: { type: 'string' },
  check: { type: 'boolean' },
  'print-env': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * A parseArgs error in vigil's words: "unknown option --confg (did you mean
 * --config?)", "--config needs a value", rather than Node's text.
 */
function usageMessage(e: unknown, options: Record<string, { type: string; short?: string }>): string {
  const err = e as { code?: string; message?: string };
  const names = Object.keys(options);
  const quoted = /'(-[^']*)'/.exec(err.message ?? '')?.[1];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted) {
    const bare = quoted.replace(/^--?/, '').split('=')[0]!;
    const near = quoted.startsWith('--') ? nearestOption(bare, names) : undefined;
    return `unknown option ${quoted.startsWith('--') ? `--${bare}` : quoted}${near !== undefined && names.includes(near) ? ` (did you mean --${near}?)` : ''}`;
  }
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const name = names.find((n) => (err.message ?? '').includes(`--${n}`));
    if (name) return options[name]!.type === 'string' ? `--${name} needs a value` : `--${name} takes no value`;
  }
  if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && quoted === undefined) {
    const arg = /'([^']*)'/.exec(err.message ?? '')?.[1];
    return `unexpected argument ${arg !== undefined ? JSON.stringify(arg) : ''} (vigil run takes options only; rules name their paths)`;
  }
  return err.message ?? String(e);
}

/** How long commands get after their SIGTERM before SIGKILL. */
const KILL_AFTER_MS = 2000;

/**
 * Runs `vigil run` with `argv` (the arguments after `run`). Resolves with the
 * exit status once the runner has stopped; the caller exits with it.
 */
export async function main(argv: string[], options: MainOptions): Promise<number> {
  const stderr = options.stderr ?? ((t: string) => void process.stderr.write(t));
  const stdout = options.stdout ?? ((t: string) => void process.stdout.write(t));
  const env = options.env ?? process.env;
  let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof RUN_OPTIONS }>>['values'];
  try {
    ({ values } = parseArgs({ args: argv, options: RUN_OPTIONS }));
  } catch (e) {
    stderr(`vigil run: ${usageMessage(e, RUN_OPTIONS)}\nsee vigil run --help\n`);
    return 2;
  }
  if (values.help) {
    stdout(RUN_HELP);
    return 0;
  }
  if (values['print-env']) {
    const width = Math.max(...ENVIRONMENT.map((v) => v.name.length)) + 2;
    const section = (scope: 'config' | 'command'): string =>
      ENVIRONMENT.filter((v) => v.scope === scope)
        .map((v) => `  ${v.name.padEnd(width)}${v.description}\n`)
        .join('');
    stdout(`Read by vigil run:\n${section('config')}Set for each command:\n${section('command')}`);
    return 0;
  }
  const grace = values.grace === undefined ? 5000 : Number(values.grace);
  if (!Number.isFinite(grace) || grace < 0) {
    stderr(`vigil run: --grace must be a number of milliseconds >= 0, got ${JSON.stringify(values.grace)}\n`);
    return 2;
  }
  const verbosity = values.verbose?.length ?? 0;
  const log = createLogger(verbosity, stderr);

  let rules: Rule[];
  try {
    const where = findConfig(values.config, env);
    rules = loadRules(where.path);
    log.info(`${rules.length} rule(s) from ${where.path} (${where.source})`);
  } catch (e) {
    stderr(`vigil run: ${describeError(e)}\n`);
    return 2;
  }
  if (values.check) {
    for (const r of rules) {
      const action = r.command ? `command ${JSON.stringify(r.command)}` : `plugin ${r.plugin}`;
      stdout(
        `${r.name}: ${r.paths.join(', ')} [${r.events.join(', ')}] -> ${action} (debounce ${r.debounce} ms, concurrency ${r.concurrency}, overflow ${r.overflow})\n`,
      );
    }
    return 0;
  }

  // Plugins run in this process: an exception they leave behind must not end the other rules.
  const onUncaught = (e: unknown): void => log.error(`uncaught exception (from a plugin?): ${describeError(e)}`);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);

  let wake: (reason: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => (wake = resolve));
  const runners = rules.map(
    (rule) =>
      new RuleRunner(rule, createLogger(verbosity, stderr, rule.name), () => {
        if (runners.every((r) => r.state === 'ended' || r.state === 'disabled')) wake('ended');
      }),
  );
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let signalled = 0;
  let forceNow: () => void = () => {};
  const onSignal = (signal: NodeJS.Signals): void => {
    signalled++;
    if (signalled === 1) wake(signal);
    else forceNow(); // a second signal cuts the grace period short
  };
  for (const s of signals) process.on(s, onSignal);

  try {
    const started = await Promise.allSettled(runners.map((r) => r.start(options.watch)));
    const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) {
      for (const s of started) if (s.status === 'rejected') stderr(`vigil run: ${describeError(s.reason)}\n`);
      await Promise.all(
        runners.map(async (r) => {
          await r.stop();
          await r.dispose();
        }),
      );
      return VigilError.isVigilError(failure.reason) ? 2 : 1;
    }
    if (runners.every((r) => r.state === 'disabled')) {
      stderr('vigil run: no rule could start\n');
      return 1;
    }
    log.info(`ready: ${runners.filter((r) => r.state === 'watching').length} rule(s) watching`);

    const reason = await stopped;
    if (reason !== 'ended') log.info(`${reason}: stopping (grace ${grace} ms for running commands)`);
    await Promise.all(runners.map((r) => r.stop()));
    const idle = Promise.all(runners.map((r) => r.idle()));
    const busy = (): number => runners.reduce((n, r) => n + r.running, 0);
    await within(idle, grace, (f) => (forceNow = f));
    if (busy()) {
      log.warn(`grace period over: sending SIGTERM to ${busy()} running command(s)`);
      for (const r of runners) r.kill('SIGTERM');
      await within(idle, KILL_AFTER_MS);
      if (busy()) {
        log.warn(`sending SIGKILL to ${busy()} command(s)`);
        for (const r of runners) r.kill('SIGKILL');
        await within(idle, KILL_AFTER_MS);
      }
    }
    await Promise.all(runners.map((r) => r.dispose()));
    log.info('stopped');
    return reason === 'ended' ? 1 : 0;
  } finally {
    for (const s of signals) process.off(s, onSignal);
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
  }
}

/** Resolves when `promise` does or after `ms`, whichever is first; `expose` receives a function that ends the wait early. */
async function within(promise: Promise<unknown>, ms: number, expose?: (finish: () => void) => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    expose?.(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  await Promise.race([promise, timeout]);
  clearTimeout(timer);
}
