/**
 * The records of one ReadDirectoryChangesW completion, parsed in TypeScript
 * (style.md: the addon forwards raw bytes; meaning lives here).
 *
 * A completion's buffer is a chain of records, each starting where the
 * previous one's `NextEntryOffset` says (0 ends the chain):
 *
 * - `FILE_NOTIFY_INFORMATION` (ReadDirectoryChangesW): NextEntryOffset,
 *   Action, FileNameLength (bytes), then the name, 12 bytes of header;
 * - `FILE_NOTIFY_EXTENDED_INFORMATION` (ReadDirectoryChangesExW with
 *   ReadDirectoryNotifyExtendedInformation, Windows 10 1709+): NextEntryOffset,
 *   Action, four FILETIMEs, AllocatedLength, FileSize, FileAttributes,
 *   ReparsePointTag, FileId, ParentFileId, FileNameLength, then the name,
 *   84 bytes of header.
 *
 * Windows aligns records to 4 bytes; Wine packs them on 2
 * (windows-under-wine.md §4.7), so headers are read with a DataView at any
 * offset, never through an aligned view. Names are UTF-16LE and not
 * necessarily valid UTF-16: a JS string holds the code units exactly, lone
 * surrogates included, which is how core's win32 path policy carries such
 * names (core/src/names.ts; `win32FsPath` hands them back to `fs`).
 *
 * A buffer that does not hold together (a header or name running past its
 * end, a chain pointing backwards or into a name, an odd name length, a NUL
 * in a name) is reported as a value, never thrown: the backend treats it as a
 * loss (a rescan and one OVERFLOW warning).
 */

/** Bytes before the name in a FILE_NOTIFY_INFORMATION record. */
export const PLAIN_HEADER_BYTES = 12;
/** Bytes before the name in a FILE_NOTIFY_EXTENDED_INFORMATION record. */
export const EXTENDED_HEADER_BYTES = 84;

/** Field offsets of FILE_NOTIFY_EXTENDED_INFORMATION (winnt.h). */
export const EXTENDED_OFFSETS = {
  nextEntryOffset: 0,
  action: 4,
  creationTime: 8,
  lastModificationTime: 16,
  lastChangeTime: 24,
  lastAccessTime: 32,
  allocatedLength: 40,
  fileSize: 48,
  fileAttributes: 56,
  reparsePointTag: 60,
  fileId: 64,
  parentFileId: 72,
  fileNameLength: 80,
  fileName: 84,
} as const;

/** What FILE_NOTIFY_EXTENDED_INFORMATION adds to a record. Times are FILETIMEs (100 ns ticks since 1601-01-01 UTC). */
export interface ExtendedFields {
  creationTime: bigint;
  lastModificationTime: bigint;
  lastChangeTime: bigint;
  lastAccessTime: bigint;
  allocatedLength: bigint;
  fileSize: bigint;
  /** FILE_ATTRIBUTE_* bits. */
  fileAttributes: number;
  /** IO_REPARSE_TAG_* when FILE_ATTRIBUTE_REPARSE_POINT is set (else the EA size). */
  reparsePointTag: number;
  /** The NTFS/ReFS file id (64-bit), stable across renames: what pairs a move's halves. */
  fileId: bigint;
  parentFileId: bigint;
}

/** One record. */
export interface RdcwRecord {
  /** FILE_ACTION_*: 1 added … 5 renamed new name; anything else is kept as is (the action table looks at it). */
  action: number;
  /** The name relative to the watched directory, `\`-separated, exactly as the OS gave it (lone surrogates kept). */
  name: string;
  /** Present when the buffer holds extended records. */
  extended?: ExtendedFields;
  /** Byte offset of the record in its buffer (for messages and tests). */
  offset: number;
}

/** Why a buffer could not be read to its end. */
export const Damage = {
  /** A header does not fit in what is left of the buffer. */
  TRUNCATED_HEADER: 'truncated-header',
  /** A name runs past the end of the buffer. */
  TRUNCATED_NAME: 'truncated-name',
  /** FileNameLength is odd: not UTF-16. */
  ODD_NAME_LENGTH: 'odd-name-length',
  /** NextEntryOffset points into the record's own header or name. */
  OVERLAPPING_NEXT: 'overlapping-next',
  /** NextEntryOffset points past the end of the buffer. */
  NEXT_PAST_END: 'next-past-end',
  /** A name holds a NUL code unit, which no Windows name can. */
  NUL_IN_NAME: 'nul-in-name',
} as const;
/** One of {@link Damage}'s values. */
export type Damage = (typeof Damage)[keyof typeof Damage];

/**
 * What a buffer held: every record (`ok: true`), or the records before the
 * damage and what the damage is (`ok: false`). An empty buffer is `ok` with no
 * records (a zero-byte completion is the addon's to flag as overflow).
 */
export type ParseResult = { ok: true; records: RdcwRecord[] } | { ok: false; records: RdcwRecord[]; damage: Damage; offset: number; message: string };

/** Reads a UTF-16LE name code unit by code unit: lossless (lone surrogates survive), no TextDecoder replacement. */
function readName(view: DataView, start: number, bytes: number): string | undefined {
  const units = bytes >>> 1;
  let out = '';
  // In chunks: String.fromCharCode with an argument list is fast, but the list must stay well under the engine's limit.
  const chunk: number[] = [];
  for (let i = 0; i < units; i++) {
    const unit = view.getUint16(start + i * 2, true);
    if (unit === 0) return undefined;
    chunk.push(unit);
    if (chunk.length === 4096) {
      out += String.fromCharCode(...chunk);
      chunk.length = 0;
    }
  }
  return out + String.fromCharCode(...chunk);
}

function damaged(records: RdcwRecord[], damage: Damage, offset: number, what: string): ParseResult {
  return { ok: false, records, damage, offset, message: `ReadDirectoryChangesW buffer damaged at byte ${offset}: ${what}` };
}

/**
 * Parses one completion's buffer. `extended` says which layout it holds (the
 * addon's `batch.extended`). Never throws.
 */
export function parseRecords(buffer: ArrayBuffer | ArrayBufferView, extended: boolean): ParseResult {
  const view = ArrayBuffer.isView(buffer) ? new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength) : new DataView(buffer);
  const size = view.byteLength;
  const header = extended ? EXTENDED_HEADER_BYTES : PLAIN_HEADER_BYTES;
  const nameLengthAt = extended ? EXTENDED_OFFSETS.fileNameLength : 8;
  const records: RdcwRecord[] = [];
  if (size === 0) return { ok: true, records };
  let offset = 0;
  for (;;) {
    if (offset + header > size)
      return damaged(records, Damage.TRUNCATED_HEADER, offset, `a ${header}-byte header needs ${offset + header} bytes, the buffer has ${size}`);
    const next = view.getUint32(offset, true);
    const action = view.getUint32(offset + 4, true);
    const nameBytes = view.getUint32(offset + nameLengthAt, true);
    if (nameBytes % 2 !== 0) return damaged(records, Damage.ODD_NAME_LENGTH, offset, `FileNameLength ${nameBytes} is odd`);
    const end = offset + header + nameBytes;
    if (end > size) return damaged(records, Damage.TRUNCATED_NAME, offset, `a ${nameBytes}-byte name runs to byte ${end}, the buffer has ${size}`);
    if (next !== 0 && next < header + nameBytes) {
      return damaged(records, Damage.OVERLAPPING_NEXT, offset, `NextEntryOffset ${next} points into this record (${header + nameBytes} bytes)`);
    }
    const name = readName(view, offset + header, nameBytes);
    if (name === undefined) return damaged(records, Damage.NUL_IN_NAME, offset, 'a name holds a NUL');
    const record: RdcwRecord = { action, name, offset };
    if (extended) {
      const o = EXTENDED_OFFSETS;
      const u64 = (at: number): bigint => view.getBigUint64(offset + at, true);
      record.extended = {
        creationTime: u64(o.creationTime),
        lastModificationTime: u64(o.lastModificationTime),
        lastChangeTime: u64(o.lastChangeTime),
        lastAccessTime: u64(o.lastAccessTime),
        allocatedLength: u64(o.allocatedLength),
        fileSize: u64(o.fileSize),
        fileAttributes: view.getUint32(offset + o.fileAttributes, true),
        reparsePointTag: view.getUint32(offset + o.reparsePointTag, true),
        fileId: u64(o.fileId),
        parentFileId: u64(o.parentFileId),
      };
    }
    records.push(record);
    if (next === 0) return { ok: true, records };
    if (offset + next >= size)
      return damaged(records, Damage.NEXT_PAST_END, offset, `NextEntryOffset ${next} leads to byte ${offset + next}, the buffer has ${size}`);
    offset += next;
  }
}

/** A FILETIME (100 ns ticks since 1601) as epoch milliseconds. */
export function filetimeToMs(filetime: bigint): number {
  return Number(filetime / 10_000n) - 11_644_473_600_000;
}
