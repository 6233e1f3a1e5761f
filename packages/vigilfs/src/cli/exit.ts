/**
 * The exit statuses of `vigil`, one meaning each, and the usage error that
 * carries status 2 from wherever a mistake in the command line is found.
 */

/** vigil's exit statuses (documented in docs/cli.md; every subcommand uses the same ones). */
export const ExitCode = {
  /** Stopped by Ctrl-C or SIGTERM, `--once` saw its event, or stdout was closed by its reader. */
  OK: 0,
  /** Watching failed or ended: a root removed, an OS error, a command that cannot be started. */
  RUNTIME: 1,
  /** Bad usage: an unknown option, a bad value, a missing path, an unknown backend or event type. */
  USAGE: 2,
  /** `--timeout` passed with no matching event. */
  TIMEOUT: 3,
} as const;
/** One of {@link ExitCode}'s values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A mistake in the command line: printed as `vigil: <message>` plus a pointer to the help, exit status 2. */
export class UsageError extends Error {
  /** The help to point at (`vigil --help`, `vigil info --help`). */
  readonly help: string;
  constructor(message: string, help = 'vigil --help') {
    super(message);
    this.name = 'UsageError';
    this.help = help;
  }
}
