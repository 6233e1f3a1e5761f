import { describe, expect, it } from 'vitest';
import { decodeName, hasEscapedBytes, toFsPath, relativeTo, isWithin, parentPath } from '../src/paths.js';

describe('lossless names (R12)', () => {
  it('leaves valid UTF-8 untouched, including a real U+FFFD', () => {
    for (const s of ['plain', 'with space', 'new\nline', '-dash', 'ünï©ødé', '😀', 'real\uFFFDchar']) {
      const decoded = decodeName(Buffer.from(s, 'utf8'));
      expect(decoded).toBe(s);
      expect(hasEscapedBytes(decoded)).toBe(false);
      expect(toFsPath(decoded)).toBe(s);
    }
  });

  it('escapes each invalid byte as a lone surrogate and restores the exact bytes', () => {
    const samples = [
      Buffer.from([0x66, 0xff, 0x6f]),
      Buffer.from([0xc3]), // truncated 2-byte sequence
      Buffer.from([0xed, 0xa0, 0x80]), // an encoded UTF-16 surrogate: not valid UTF-8
      Buffer.from([0xe2, 0x82]), // truncated 3-byte sequence
      Buffer.concat([Buffer.from('ok-'), Buffer.from([0x80, 0x81]), Buffer.from('😀')]),
      Buffer.from([0xf4, 0x90, 0x80, 0x80]), // above U+10FFFF
    ];
    for (const bytes of samples) {
      const decoded = decodeName(bytes);
      expect(hasEscapedBytes(decoded)).toBe(true);
      expect(Buffer.from(toFsPath(decoded) as Buffer)).toEqual(bytes);
    }
    expect(decodeName(Buffer.from([0x66, 0xff, 0x6f]))).toBe('f\udcffo');
  });

  it('answers path questions without touching the disk', () => {
    expect(isWithin('/a/b/c', '/a/b')).toBe(true);
    expect(isWithin('/a/bc', '/a/b')).toBe(false);
    expect(relativeTo('/a', '/a/b/c')).toBe('b/c');
    expect(parentPath('/a/b')).toBe('/a');
    expect(parentPath('/a')).toBe('/');
  });
});
