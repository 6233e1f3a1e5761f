/**
 * Finding, loading and speaking to the vigil_poll addon (native/poll).
 *
 * Search order, for each package root found (see {@link nativeCandidates}):
 *   1. <root>/prebuilds/<platform>-<arch>[-<libc>]/vigil_poll.node
 *   2. <root>/../../native/poll/build/Release/vigil_poll.node  (workspace checkout)
 * The package root is found by walking up from this module's file to the
 * package.json named @vigilfs/poll, which works both from src/scanner/ (vitest)
 * and from a bundle in dist/ (tsup); then, if this code was bundled into
 * another package, through `require.resolve('@vigilfs/poll/package.json')`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getSystemErrorName } from 'node:util';
import { decodeName } from '@vigilfs/core';
import { ScanSyscall, type DirChanges, type EntryKind, type ScannedEntry } from './types.js';

/** The addon's scanner object (native/poll/src/poll_scanner.h). */
export interface NativePollScanner {
  track(path: Buffer): number;
  untrack(id: number): void;
  /** `parts`: pool threads to split the directories over (default 1). */
  scan(ids?: Uint32Array, parts?: number): Promise<Buffer | null>;
  memoryBytes(): number | undefined;
  close(): void;
}

/** The addon's exports. */
export interface NativeBinding {
  PollScanner: new (followSymlinks: boolean) => NativePollScanner;
  formatVersion: number;
}

/** Outcome of loading the addon: the binding and where it came from, or why not. */
export type NativeLoad =
  | { ok: true; binding: NativeBinding; file: string }
  | { ok: false; reason: string };

const PACKAGE_NAME = '@vigilfs/poll';
const ADDON_FILE = 'vigil_poll.node';
const FORMAT_VERSION = 1;

/** This module's own file, in the ESM build, the CJS build and under vitest. */
function moduleFile(): string | undefined {
  // The CJS bundle has __filename; ESM has import.meta.url.
  if (typeof __filename === 'string' && __filename) return __filename;
  try {
    return fileURLToPath(import.meta.url);
  } catch {
    return undefined;
  }
}

function isPollPackage(dir: string): boolean {
  const manifest = path.join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/** The @vigilfs/poll package roots to search, nearest first, without duplicates. */
export function packageRoots(fromFile: string | undefined = moduleFile()): string[] {
  const roots: string[] = [];
  if (fromFile) {
    for (let dir = path.dirname(fromFile); ; dir = path.dirname(dir)) {
      if (isPollPackage(dir)) {
        roots.push(dir);
        break;
      }
      if (path.dirname(dir) === dir) break;
    }
    try {
      const manifest = createRequire(fromFile).resolve(`${PACKAGE_NAME}/package.json`);
      const dir = path.dirname(manifest);
      if (!roots.includes(dir)) roots.push(dir);
    } catch {
      // not installed as a dependency of whoever bundled us: nothing more to try
    }
  }
  return roots;
}

/** `linux-x64-glibc`, `linux-arm64-musl`, `darwin-arm64`, `win32-x64`. */
export function prebuildTag(): string {
  const base = `${process.platform}-${process.arch}`;
  if (process.platform !== 'linux') return base;
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return `${base}-${report?.header?.glibcVersionRuntime ? 'glibc' : 'musl'}`;
}

/** Every path the loader tries, in order. */
export function nativeCandidates(fromFile?: string): string[] {
  const tag = prebuildTag();
  const out: string[] = [];
  for (const root of packageRoots(fromFile)) {
    out.push(path.join(root, 'prebuilds', tag, ADDON_FILE));
    out.push(path.resolve(root, '..', '..', 'native', 'poll', 'build', 'Release', ADDON_FILE));
  }
  return out;
}

/** Tries the candidates in order; never throws. */
export function loadNativeFrom(candidates: readonly string[]): NativeLoad {
  const tried: string[] = [];
  for (const file of candidates) {
    if (!existsSync(file)) {
      tried.push(`${file}: not found`);
      continue;
    }
    try {
      const binding = createRequire(file)(file) as NativeBinding;
      if (binding.formatVersion !== FORMAT_VERSION) {
        tried.push(`${file}: result format ${String(binding.formatVersion)}, expected ${FORMAT_VERSION} (rebuild it)`);
        continue;
      }
      return { ok: true, binding, file };
    } catch (err) {
      tried.push(`${file}: ${(err as Error).message}`);
    }
  }
  if (candidates.length === 0) return { ok: false, reason: `could not locate the ${PACKAGE_NAME} package` };
  return { ok: false, reason: `vigil_poll addon not loaded (run \`npm run build\`); tried ${tried.join('; ')}` };
}

let cached: NativeLoad | undefined;

/** Loads the addon once per process; never throws. */
export function loadNativeBinding(): NativeLoad {
  cached ??= loadNativeFrom(nativeCandidates());
  return cached;
}

/** Why the native scanner cannot be used here, or undefined when it can. */
export function nativeUnavailableReason(): string | undefined {
  const load = loadNativeBinding();
  return load.ok ? undefined : load.reason;
}

// Decoding of the packed result (format: native/poll/src/listing_diff.h).

const KINDS: readonly EntryKind[] = ['file', 'directory', 'symlink', 'other'];
const SYSCALLS: readonly (ScanSyscall | undefined)[] = [undefined, ScanSyscall.opendir, ScanSyscall.readdir, ScanSyscall.lstat];
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HEADER_BYTES = 16;
const RECORD_BYTES = 8;
const STAT_BYTES = 32;

/**
 * Turns the addon's packed differences into DirChanges. `dirOf` maps an id to
 * its directory, or undefined when it was untracked meanwhile (then the
 * directory's report is skipped).
 */
/**
 * The name at `buf[at, at + length)`. Straight from the buffer in the common
 * case (no intermediate Buffer view per entry); through the lossless decoder
 * only when the bytes are not valid UTF-8 (a U+FFFD shows up).
 */
function nameAt(buf: Buffer, at: number, length: number): string {
  const fast = buf.toString('utf8', at, at + length);
  return fast.includes('\uFFFD') ? decodeName(buf.subarray(at, at + length)) : fast;
}

export function decodeChanges(buf: Buffer, dirOf: (id: number) => string | undefined): DirChanges[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const le = LITTLE_ENDIAN;
  const out: DirChanges[] = [];
  let at = 0;
  while (at < buf.byteLength) {
    const id = view.getUint32(at, le);
    const errno = view.getInt32(at + 4, le);
    const syscall = view.getUint32(at + 8, le);
    const records = view.getUint32(at + 12, le);
    at += HEADER_BYTES;
    const dir = dirOf(id);
    const changes: DirChanges | undefined = dir === undefined ? undefined : { dir, added: [], removed: [], changed: [] };
    if (changes && errno !== 0) {
      changes.error = { errno: getSystemErrorName(-errno), syscall: SYSCALLS[syscall] ?? ScanSyscall.opendir };
    }
    for (let r = 0; r < records; r++) {
      const tag = view.getUint8(at);
      const kind = view.getUint8(at + 1);
      const nameLength = view.getUint32(at + 4, le);
      at += RECORD_BYTES;
      if (tag === 0) {
        if (changes) changes.removed.push(nameAt(buf, at, nameLength));
        at += nameLength;
        continue;
      }
      if (changes) {
        const entry: ScannedEntry = {
          name: nameAt(buf, at + STAT_BYTES, nameLength),
          kind: KINDS[kind] ?? 'other',
          dev: view.getFloat64(at, le),
          ino: view.getFloat64(at + 8, le),
          size: view.getFloat64(at + 16, le),
          mtimeMs: view.getFloat64(at + 24, le),
        };
        (tag === 1 ? changes.added : changes.changed).push(entry);
      }
      at += STAT_BYTES + nameLength;
    }
    if (changes) out.push(changes);
  }
  return out;
}
