/**
 * `vigil --help`: the usage, then every option of the option table (so the
 * two cannot disagree), the exit statuses and the command's environment.
 */
import { optionHelp } from './arguments.js';
import { WATCH_OPTIONS } from './watch-options.js';

/** The text of `vigil --help` (docs/cli.md documents the same options, statuses and variables). */
export const HELP = `vigil: portable file watching that tells the truth

Usage:
  vigil [watch] [paths...] [options]            print changes (default path: .)
  vigil [watch] [paths...] [options] -- <command> [args...]
                                                run a command on changes (no shell)
  vigil info [paths...] [--json]                filesystem, backend auto picks and
                                                why, backends, inotify limits
  vigil run [--config <file-or-dir>]            run rules: commands or plugins on
                                                changes (vigil run --help)
  vigil --help | --version
${optionHelp(WATCH_OPTIONS)}

The command gets VIGIL_EVENT_TYPE, VIGIL_EVENT_PATH, VIGIL_EVENT_OLD_PATH,
VIGIL_EVENT_KIND, VIGIL_EVENT_ORIGIN (of the last event of the window),
VIGIL_EVENT_COUNT (as vigil run's rule commands do) and VIGIL_PATHS (every
changed path, one per line) in its environment.

Exit status: 0 after Ctrl-C/SIGTERM, after --once's event, or when stdout's
reader goes away; 1 when watching fails or a root is removed, or the command
cannot be started; 2 for bad usage (unknown option or event type, bad value,
missing path, unknown backend); 3 when --timeout passes with no matching event.
With --once and a command, vigil exits with the command's status.
Full reference: docs/cli.md
`;
