/**
 * Loading and speaking to the vigil_poll addon (native/poll), through
 * @vigilfs/native-loader: the prebuilt package for this platform first
 * (`@vigilfs/poll-<platform>-<arch>[-<libc>]`), then the local build.
 */
import { getSystemErrorName } from 'node:util';
import { decodeName } from '@vigilfs/core';
import { addonCandidates, loadAddon, type AddonSpec } from '@vigilfs/native-loader';
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
export type NativeLoad = { ok: true; binding: NativeBinding; file: string } | { ok: false; reason: string };

const FORMAT_VERSION = 1;

const SPEC = {
  name: 'poll',
  file: 'vigil_poll.node',
  from: import.meta.url,
  check: (b: NativeBinding) =>
    b.formatVersion !== FORMAT_VERSION ? `result format ${String(b.formatVersion)}, expected ${FORMAT_VERSION} (rebuild it)` : undefined,
} satisfies AddonSpec<NativeBinding>;

/** Every path the loader tries, in order. */
export function nativeCandidates(): string[] {
  return addonCandidates(SPEC).map((c) => c.file);
}

let cached: NativeLoad | undefined;

/** Loads the addon once per process; never throws. */
export function loadNativeBinding(): NativeLoad {
  if (!cached) {
    const load = loadAddon(SPEC);
    cached = load.ok ? { ok: true, binding: load.addon, file: load.file } : { ok: false, reason: load.reason };
  }
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
