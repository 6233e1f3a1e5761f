#!/usr/bin/env node
// Runs pnpm 10 for a machine that has only Node and npm: a pnpm 10 on PATH if
// there is one, else `npx -y pnpm@10`. corepack is not used: it cannot verify
// package signatures on the machines this project is built on (environment.md).
import { spawnSync } from 'node:child_process';

const PNPM_VERSION = '10';

function pnpmOnPath() {
  const r = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
  return r.status === 0 && r.stdout.trim().startsWith(`${PNPM_VERSION}.`);
}

export function runPnpm(args, options = {}) {
  const [cmd, argv] = pnpmOnPath() ? ['pnpm', args] : ['npx', ['-y', `pnpm@${PNPM_VERSION}`, ...args]];
  const r = spawnSync(cmd, argv, { stdio: 'inherit', shell: process.platform === 'win32', ...options });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exit(runPnpm(process.argv.slice(2)));
}
