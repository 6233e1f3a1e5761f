#!/usr/bin/env node
// `npm start [-- args]`: runs the vigil CLI in the directory npm was started from
// (npm changes into the project root first and leaves the original in INIT_CWD).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'packages', 'vigilfs', 'dist', 'cli.js');
const cwd = process.env.INIT_CWD ?? process.cwd();
const r = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { cwd, stdio: 'inherit' });
process.exit(r.status ?? 1);
