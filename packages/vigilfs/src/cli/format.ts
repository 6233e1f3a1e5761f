/**
 * How one event is written: the human line, the JSON object, or a `--format`
 * template with %-placeholders.
 */
import type { WatchEvent } from '@vigilfs/core';
import { UsageError } from './exit.js';

/** Turns an event into its record (without the terminator). */
export type Formatter = (e: WatchEvent, now: Date) => string;

/** The `--format` placeholders and what each becomes (docs/cli.md lists the same). */
export const PLACEHOLDERS: Readonly<Record<string, { help: string; value: (e: WatchEvent, now: Date) => string }>> = {
  e: { help: 'event type: create, modify, close-write, delete, rename', value: (e) => e.type },
  p: { help: 'path (absolute; for a rename, the new path)', value: (e) => e.path },
  o: { help: 'old path of a rename; empty for other events', value: (e) => e.oldPath ?? '' },
  k: { help: 'kind: file, directory, symlink, other, unknown', value: (e) => e.kind },
  O: { help: 'origin: os, rescan, emulated', value: (e) => e.origin },
  T: { help: 'time vigil printed the event, ISO 8601 in UTC', value: (_e, now) => now.toISOString() },
};

/** Compiles a `--format` template; an unknown placeholder or a lone % at the end is a usage error. */
export function parseFormat(template: string): Formatter {
  const parts: (string | ((e: WatchEvent, now: Date) => string))[] = [];
  let text = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '%') {
      text += c;
      continue;
    }
    const next = template[i + 1];
    if (next === '%') text += '%';
    else if (next !== undefined && Object.hasOwn(PLACEHOLDERS, next)) {
      if (text) parts.push(text);
      text = '';
      parts.push(PLACEHOLDERS[next]!.value);
    } else {
      const known = Object.keys(PLACEHOLDERS)
        .map((k) => `%${k}`)
        .join(' ');
      throw new UsageError(`--format: ${next === undefined ? 'a lone % at the end' : `unknown placeholder %${next}`} (known: ${known}, and %% for a %)`);
    }
    i++;
  }
  if (text) parts.push(text);
  return (e, now) => parts.map((p) => (typeof p === 'string' ? p : p(e, now))).join('');
}

/** A path with control characters made visible, so one event stays one line. */
export function printable(p: string): string {
  // eslint-disable-next-line no-control-regex
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters in a name is this regex's job
  return /[\u0000-\u001f\u007f]|[\uDC80-\uDCFF]/.test(p) ? JSON.stringify(p) : p;
}

function clock(d: Date): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** `HH:MM:SS.mmm  type  kind  path` (with `old -> new` for renames, and the origin when it is not the OS). */
export function humanLine(e: WatchEvent, now: Date): string {
  const where = e.type === 'rename' ? `${printable(e.oldPath!)} -> ${printable(e.path)}` : printable(e.path);
  const origin = e.origin === 'os' ? '' : ` (${e.origin})`;
  return `${clock(now)}  ${e.type.padEnd(11)} ${e.kind.padEnd(9)} ${where}${origin}`;
}

/** The event as one JSON object. */
export function jsonLine(e: WatchEvent): string {
  return JSON.stringify(e);
}
