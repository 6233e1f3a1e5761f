#!/usr/bin/env node
// `npm run lint`: Biome's linter and formatter check on TypeScript, JavaScript
// and JSON (biome.jsonc), and clang-format's check on the C++ under native/
// (.clang-format). Nothing is rewritten; `npm run format` rewrites.
//
// clang-format is a system tool (Debian's clang-format; .ci/run installs it).
// Without it the C++ check is not passed silently: it fails under CI=true and
// says so otherwise.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const write = process.argv.includes('--write');
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });

const biome = path.join(root, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
const js = run(process.execPath, [biome, write ? 'format' : 'check', ...(write ? ['--write'] : []), '.']);

const tracked = spawnSync('git', ['ls-files', '-z', '--', 'native/*.cc', 'native/*.cpp', 'native/*.h'], { cwd: root, encoding: 'utf8' });
const cxx = tracked.status === 0 ? tracked.stdout.split('\0').filter(Boolean) : [];
let cxxStatus = 0;
if (cxx.length > 0) {
  const r = run('clang-format', write ? ['-i', ...cxx] : ['--dry-run', '--Werror', ...cxx]);
  if (r.error) {
    process.stderr.write(`lint: clang-format not found, ${cxx.length} C++ files not checked (apt-get install clang-format)\n`);
    cxxStatus = process.env.CI ? 1 : 0;
  } else {
    cxxStatus = r.status ?? 1;
  }
}
process.exit(js.status || cxxStatus);
