/**
 * vigil's Windows backend, `rdcw`: one recursive ReadDirectoryChangesW handle
 * per root (windows-rdcw.md §3: a handle per directory would lock every
 * subdirectory against rename and delete). The addon reads and forwards each
 * completion's bytes; records.ts parses them, actions.ts says what they mean,
 * core does the rest (pairing, expansion, settling for close-write, rescans).
 *
 * What the backend handles itself:
 * - losses (R7): `batch.overflow` (a zero-byte completion or
 *   ERROR_NOTIFY_ENUM_DIR, §1), an empty buffer, or a buffer that does not
 *   parse become one rescan of the root, which core reports with one
 *   OVERFLOW warning;
 * - the root deleted (ERROR_ACCESS_DENIED on the read, §11) or moved (the
 *   handle follows the directory: its final path, compared after each
 *   completion and at an interval, differs from where it was): core reports
 *   the deletes and ends the root with ROOT_REMOVED (R9);
 * - a share without change notification (ERROR_INVALID_FUNCTION, §2): the
 *   root is handed to core's poller, and `info()` says why;
 * - 8.3 short names in records (§5): resolved while they exist, else a look
 *   at the tree of the directory that held them (short-names.ts).
 *
 * It never opens a user's file (§4): it looks through core, which lstats.
 */
import { lstat } from 'node:fs/promises';
import {
  ErrorCode,
  VigilError,
  joinPath,
  toFsPath,
  type Backend,
  type BackendCapabilities,
  type BackendSubscription,
  type FilesystemDescription,
  type ProbeResult,
  type SubscribeContext,
} from '@vigilfs/core';
import type { AddonLoad } from '@vigilfs/native-loader';
import { ActionTranslator, FileAction, sameNameIgnoringCase, type PlacedRecord } from './actions.js';
import { isRdcwError, loadRdcwAddon, type RdcwAddon, type RdcwBatch, type RdcwError, type RdcwRoot } from './addon.js';
import { BACKEND, Win32Error, rdcwError } from './errors.js';
import { parseRecords, type RdcwRecord } from './records.js';
import { mayBeShortName, resolveShortNames } from './short-names.js';

/** Renames pair by the OS's adjacent old/new records, close-write is emulated by settling, losses are signalled. */
export const RDCW_CAPABILITIES: BackendCapabilities = { renamePairing: 'os', closeWrite: false, overflowSignal: true };

/**
 * Buffer for a local volume: 1 MiB, as parcel uses, so a burst rarely
 * overflows; the addon retries with 64 KiB where a share refuses more (§2).
 */
export const LOCAL_BUFFER_BYTES = 1024 * 1024;
/** Buffer for a network drive: over 64 KiB fails there with ERROR_INVALID_PARAMETER (§2). */
export const REMOTE_BUFFER_BYTES = 64 * 1024;
/** How often the root's final path is compared with where it was when nothing else prompts it (ms). */
export const ROOT_CHECK_MS = 1000;

/** How the backend is built; the defaults are the live backend's. Tests pass a fake addon. */
export interface RdcwBackendOptions {
  /** The addon, or why there is none (default: the native loader). */
  load?: () => AddonLoad<RdcwAddon>;
  /** The platform the probe answers for (default: this process's). */
  platform?: NodeJS.Platform;
  /** See {@link ROOT_CHECK_MS}. */
  rootCheckMs?: number;
  /** Buffer size in bytes (default: VIGIL_RDCW_BUFFER_BYTES, else by drive type). */
  bufferBytes?: number;
}

/** `C:\x` → `\\?\C:\x`, `\\srv\share\x` → `\\?\UNC\srv\share\x`: the form that lifts MAX_PATH (§6). Other paths are left alone. */
export function verbatimPath(p: string): string {
  if (p.startsWith('\\\\?\\')) return p;
  if (/^[A-Za-z]:\\/.test(p)) return `\\\\?\\${p}`;
  if (p.startsWith('\\\\') && !p.startsWith('\\\\.\\')) return `\\\\?\\UNC\\${p.slice(2)}`;
  return p;
}

/** A final path without its verbatim prefix, for comparison. */
function plainPath(p: string): string {
  if (p.startsWith('\\\\?\\UNC\\')) return `\\\\${p.slice(8)}`;
  if (p.startsWith('\\\\?\\')) return p.slice(4);
  return p;
}

function bufferBytesFor(options: RdcwBackendOptions, filesystem: FilesystemDescription | undefined): number {
  if (options.bufferBytes) return options.bufferBytes;
  const fromEnv = Number(process.env.VIGIL_RDCW_BUFFER_BYTES);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  // fsinfo's win32 facts name the drive type in parentheses: `NTFS (remote)`.
  return filesystem?.type.includes('(remote)') ? REMOTE_BUFFER_BYTES : LOCAL_BUFFER_BYTES;
}

/** What `info()` says about a root that is polled instead. */
function describePolling(error: RdcwError): string {
  return `${error.code} from ${error.syscall} (${rdcwError(error).message.split(': ').pop()})`;
}

/** The backend named `rdcw`, with its addon from `options.load`. */
export function createRdcwBackend(options: RdcwBackendOptions = {}): Backend {
  const load = options.load ?? loadRdcwAddon;
  const platform = options.platform ?? process.platform;
  return {
    name: BACKEND,
    async probe(_root, filesystem): Promise<ProbeResult> {
      if (platform !== 'win32') return { ok: false, reason: `ReadDirectoryChangesW exists only on Windows (this is ${platform})` };
      const loaded = load();
      if (!loaded.ok) return { ok: false, reason: loaded.reason, unexpected: true };
      if (filesystem?.remote) return { ok: false, reason: `${filesystem.type}: ${filesystem.reason ?? 'no change notification'}` };
      return { ok: true, capabilities: RDCW_CAPABILITIES };
    },
    async subscribe(ctx) {
      const loaded = load();
      if (!loaded.ok) throw new VigilError(ErrorCode.BACKEND_UNAVAILABLE, loaded.reason, { backend: BACKEND });
      return RdcwSubscription.start(ctx, loaded.addon, options);
    },
  };
}

/** The live backend: `backend: 'rdcw'`, picked by `auto` on Windows for local volumes and shares that notify. */
export const rdcwBackend: Backend = createRdcwBackend();

/** One root's watch. */
class RdcwSubscription implements BackendSubscription {
  readonly #ctx: SubscribeContext;
  readonly #addon: RdcwAddon;
  readonly #translator = new ActionTranslator();
  readonly #bufferBytes: number;
  #handle: RdcwRoot | undefined;
  /** Where the handle's directory was when watching started (GetFinalPathNameByHandleW). */
  #baseline: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Batches are handled one after another (short names may need a listing first): this is the chain. */
  #work: Promise<void> = Promise.resolve();
  #inFlight = 0;
  #closed = false;
  /** The root has ended (deleted or moved): nothing more is reported. */
  #ended = false;
  /** Why the root is polled instead, when it is. */
  #polled: string | undefined;
  #layout: 'extended' | 'plain' | undefined;
  /** The root's own lstat is in flight. */
  #lookingAtRoot = false;
  #losses = 0;
  /** When records were last handled: after a loss, files changed since are reported as modified. */
  #lastHandled = Date.now();

  private constructor(ctx: SubscribeContext, addon: RdcwAddon, bufferBytes: number) {
    this.#ctx = ctx;
    this.#addon = addon;
    this.#bufferBytes = bufferBytes;
  }

  static start(ctx: SubscribeContext, addon: RdcwAddon, options: RdcwBackendOptions): RdcwSubscription {
    const sub = new RdcwSubscription(ctx, addon, bufferBytesFor(options, ctx.filesystem));
    const opened = addon.watch(verbatimPath(ctx.root), { bufferBytes: sub.#bufferBytes, extended: true }, (batch) => sub.#onBatch(batch));
    if (isRdcwError(opened)) {
      if (opened.error.errno === Win32Error.ERROR_INVALID_FUNCTION) {
        // Handed to the poller once the index is filled: a poller added while core still lists the tree would take
        // what exists for news. Core queues its first listing as soon as subscribe() resolves; a rescan requested
        // after that (setImmediate: past the microtasks that resume core) runs behind it, and costs one scan, which
        // polling repeats every interval anyway.
        const error = opened.error;
        sub.#polled = describePolling(error);
        setImmediate(() => {
          if (sub.#closed) return;
          void ctx.sink.rescan(ctx.root, 'unknown').then(() => {
            if (!sub.#closed) ctx.sink.unwatchable(ctx.root, rdcwError(error, ctx.root));
          });
        });
        return sub;
      }
      throw rdcwError(opened.error, ctx.root);
    }
    sub.#handle = opened;
    if (!ctx.options.persistent) opened.unref?.();
    const final = opened.finalPath();
    if (!isRdcwError(final)) sub.#baseline = plainPath(final);
    sub.#timer = setInterval(() => {
      sub.#checkRoot();
      void sub.#rootStillThere();
    }, options.rootCheckMs ?? ROOT_CHECK_MS);
    sub.#timer.unref();
    return sub;
  }

  readonly moveWindowMs = 20;

  describe(): string {
    if (this.#polled) return `polled: ${this.#polled}`;
    const parts = [`ReadDirectoryChangesW (one recursive handle, ${this.#bufferBytes / 1024} KiB buffer${this.#layout ? `, ${this.#layout} records` : ''})`];
    if (this.#baseline === undefined) parts.push('root moves not detected (no final path)');
    if (this.#losses) parts.push(`${this.#losses} losses rescanned`);
    return parts.join(', ');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#handle?.close();
    await this.#work;
  }

  #onBatch(batch: RdcwBatch): void {
    if (this.#closed || this.#ended) return;
    this.#inFlight++;
    this.#work = this.#work
      .then(() => this.#handleBatch(batch))
      .catch((error: unknown) =>
        this.#ctx.sink.warning(error instanceof VigilError ? error : new VigilError(ErrorCode.IO_ERROR, String(error), { backend: BACKEND, cause: error })),
      )
      .finally(() => this.#inFlight--);
  }

  async #handleBatch(batch: RdcwBatch): Promise<void> {
    if (this.#closed || this.#ended) return;
    this.#layout = batch.extended ? 'extended' : 'plain';
    let lost = batch.overflow === true;
    const records: RdcwRecord[] = [];
    for (const buffer of lost ? [] : batch.buffers) {
      // A completion of zero bytes is Windows' own overflow signal (§1), should the addon pass it on as a buffer.
      const parsed = buffer.byteLength === 0 ? undefined : parseRecords(buffer, batch.extended);
      if (!parsed?.ok) {
        lost = true;
        break;
      }
      records.push(...parsed.records);
    }
    if (lost) {
      this.#lost();
    } else if (records.length) {
      await this.#deliver(records);
      this.#lastHandled = Date.now();
      // Deleting the root removes its own entries last: then see whether the root went too (Wine says nothing more).
      if (records.some((r) => r.action === FileAction.REMOVED && !r.name.includes('\\'))) await this.#rootStillThere();
    }
    if (batch.error) this.#onError(batch.error);
    else this.#checkRoot();
  }

  /** Records were lost: the root is rescanned (core warns once with OVERFLOW). */
  #lost(): void {
    this.#losses++;
    this.#translator.reset();
    void this.#ctx.sink.rescan(this.#ctx.root, 'overflow', { since: this.#lastHandled });
  }

  async #deliver(records: RdcwRecord[]): Promise<void> {
    const { root, recursive, sink } = this.#ctx;
    const placed: PlacedRecord[] = [];
    for (const record of records) {
      const segments = record.name.split('\\').filter((s) => s !== '');
      // A root watched for its own entries only: the handle is recursive, what lies deeper is not asked for.
      if (!recursive && segments.length > 1) continue;
      if (segments.some(mayBeShortName)) {
        const resolved = await resolveShortNames(root, segments, this.#addon.longPathName?.bind(this.#addon));
        if ('unresolvedIn' in resolved) placed.push({ record, path: resolved.unresolvedIn, unresolvedIn: resolved.unresolvedIn });
        else placed.push({ record, path: resolved.path });
        continue;
      }
      let path = root;
      for (const s of segments) path = joinPath(path, s);
      placed.push({ record, path });
    }
    if (this.#closed || this.#ended) return;
    for (const input of this.#translator.translate(placed)) {
      if ('events' in input) sink.events(input.events);
      else sink.changed(input.changed, input.options);
    }
  }

  #onError(error: RdcwError): void {
    const { sink, root } = this.#ctx;
    switch (error.errno) {
      case Win32Error.ERROR_NOTIFY_ENUM_DIR:
        this.#lost();
        return;
      case Win32Error.ERROR_ACCESS_DENIED:
        // The pending read fails this way when the watched directory is deleted (§11; fsnotify and parcel read it so).
        this.#rootGone();
        return;
      case Win32Error.ERROR_INVALID_FUNCTION:
      case Win32Error.ERROR_INVALID_PARAMETER:
        // No change notification on this share, or none with any buffer the addon tried: poll the root.
        this.#poll(error);
        return;
      case Win32Error.ERROR_OPERATION_ABORTED:
        return;
      default:
        this.#ended = true;
        sink.fatal(rdcwError(error, root));
    }
  }

  #poll(error: RdcwError): void {
    this.#polled = describePolling(error);
    clearInterval(this.#timer);
    this.#ctx.sink.unwatchable(this.#ctx.root, rdcwError(error, this.#ctx.root));
  }

  /** `found`: `'scan'` when the root's own lstat found it gone (the deletes are then `rescan`'s), else an OS record or error. */
  #rootGone(found: 'event' | 'scan' = 'event'): void {
    if (this.#ended) return;
    this.#ended = true;
    clearInterval(this.#timer);
    this.#ctx.sink.rootRemoved(found);
  }

  /**
   * Wine never fails the read when the root is deleted, and its handle does
   * not follow a moved root (windows-under-wine.md §4.5, INTERFACE.md): the
   * root's own lstat (attributes only, on the directory already held open)
   * tells. On Windows a deleted root is still there, delete-pending, until the
   * handle closes; the read's ERROR_ACCESS_DENIED tells there.
   */
  async #rootStillThere(): Promise<void> {
    if (this.#lookingAtRoot || this.#closed || this.#ended || this.#polled) return;
    this.#lookingAtRoot = true;
    try {
      const st = await lstat(toFsPath(this.#ctx.root) as string);
      if (!st.isDirectory()) this.#rootGone('scan');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') this.#rootGone('scan');
    } finally {
      this.#lookingAtRoot = false;
    }
  }

  /** The handle follows its directory when it moves (§11): a final path other than the first means the root moved away. */
  #checkRoot(): void {
    if (this.#closed || this.#ended || !this.#handle || this.#baseline === undefined) return;
    const now = this.#handle.finalPath();
    if (isRdcwError(now)) {
      const { errno } = now.error;
      if (errno === Win32Error.ERROR_FILE_NOT_FOUND || errno === Win32Error.ERROR_PATH_NOT_FOUND || errno === Win32Error.ERROR_ACCESS_DENIED) this.#rootGone();
      return;
    }
    if (!sameNameIgnoringCase(plainPath(now), this.#baseline)) this.#rootGone();
  }
}
