/**
 * Builds ReadDirectoryChangesW buffers byte by byte, as Windows lays them out
 * (records aligned to 4 bytes) or as Wine does (packed on 2), in either
 * layout. Names are written code unit by code unit, so lone surrogates go in
 * as they are.
 */

/** One record to write. `fileId` and friends only matter in the extended layout. */
export interface RecordSpec {
  action: number;
  name: string;
  fileId?: bigint;
  parentFileId?: bigint;
  attributes?: number;
  reparseTag?: number;
  fileSize?: bigint;
  lastModificationTime?: bigint;
}

export interface BuildOptions {
  extended?: boolean;
  /** 4 as on Windows, 2 as under Wine. */
  align?: 2 | 4;
}

/** FILE_NOTIFY_INFORMATION / FILE_NOTIFY_EXTENDED_INFORMATION chain. */
export function buildBuffer(records: readonly RecordSpec[], { extended = false, align = 4 }: BuildOptions = {}): ArrayBuffer {
  const header = extended ? 84 : 12;
  const sizes = records.map((r) => header + r.name.length * 2);
  const padded = sizes.map((s) => Math.ceil(s / align) * align);
  const total = padded.slice(0, -1).reduce((a, b) => a + b, 0) + (sizes[sizes.length - 1] ?? 0);
  const buffer = new ArrayBuffer(total);
  const view = new DataView(buffer);
  let offset = 0;
  records.forEach((r, i) => {
    const last = i === records.length - 1;
    view.setUint32(offset, last ? 0 : padded[i]!, true);
    view.setUint32(offset + 4, r.action, true);
    if (extended) {
      view.setBigUint64(offset + 16, r.lastModificationTime ?? 0n, true);
      view.setBigUint64(offset + 48, r.fileSize ?? 0n, true);
      view.setUint32(offset + 56, r.attributes ?? 0x20, true);
      view.setUint32(offset + 60, r.reparseTag ?? 0, true);
      view.setBigUint64(offset + 64, r.fileId ?? 0n, true);
      view.setBigUint64(offset + 72, r.parentFileId ?? 0n, true);
      view.setUint32(offset + 80, r.name.length * 2, true);
    } else {
      view.setUint32(offset + 8, r.name.length * 2, true);
    }
    for (let k = 0; k < r.name.length; k++) view.setUint16(offset + header + k * 2, r.name.charCodeAt(k), true);
    offset += padded[i]!;
  });
  return buffer;
}

/** Bytes from a hex string with spaces. */
export function hex(text: string): ArrayBuffer {
  const bytes = text.replace(/\s+/g, '');
  const out = new Uint8Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(bytes.slice(i * 2, i * 2 + 2), 16);
  return out.buffer;
}
