/**
 * The `vigil` command: picks the subcommand and exits with its status. The
 * parts: cli/arguments.ts (parsing from an option table), cli/watch-options.ts
 * (the watch options and their checks), cli/format.ts (how an event is
 * printed), cli/output.ts (stdout, stderr, EPIPE), cli/watch-command.ts
 * (watching), cli/command-runner.ts (`-- <command>`), cli/info-command.ts
 * (`vigil info`), cli/help.ts, cli/exit.ts (the exit statuses).
 */
import { createRequire } from 'node:module';
import { ExitCode, UsageError } from './cli/exit.js';
import { HELP } from './cli/help.js';
import { runInfo } from './cli/info-command.js';
import { errorText } from './cli/output.js';
import { runWatch } from './cli/watch-command.js';
import { parseWatchArguments } from './cli/watch-options.js';
import { watch } from './index.js';

function version(): string {
  const require = createRequire(import.meta.url);
  return (require('../package.json') as { version: string }).version;
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === 'help') {
    process.stdout.write(HELP);
    return ExitCode.OK;
  }
  if (first === 'info') return runInfo(rest);
  if (first === 'run') {
    const runner = await import('@vigilfs/runner');
    const status = await runner.main(rest, { watch });
    // Whatever the rules left behind (a plugin's timer) must not keep the runner alive.
    setTimeout(() => process.exit(status), 1000).unref();
    process.exitCode = status;
    return status;
  }
  const request = parseWatchArguments(first === 'watch' ? rest : argv);
  if (request.kind === 'help') {
    process.stdout.write(HELP);
    return ExitCode.OK;
  }
  if (request.kind === 'version') {
    process.stdout.write(`${version()}\n`);
    return ExitCode.OK;
  }
  // Watching has its own EPIPE handling: it stops a running command before exiting.
  process.stdout.off('error', onStdoutError);
  return runWatch(request.settings);
}

/** A reader that closes stdout early (`vigil info | head -1`) ends vigil quietly. */
function onStdoutError(e: NodeJS.ErrnoException): void {
  if (e.code === 'EPIPE') process.exit(ExitCode.OK);
}
process.stdout.on('error', onStdoutError);

main(process.argv.slice(2)).then(
  (status) => {
    if (process.argv[2] === 'run') return; // the runner's own timer exits
    process.exit(status);
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`vigil: ${e.message}\nsee ${e.help}\n`);
      process.exit(ExitCode.USAGE);
    }
    process.stderr.write(`vigil: ${errorText(e)}\n`);
    process.exit(ExitCode.RUNTIME);
  },
);
