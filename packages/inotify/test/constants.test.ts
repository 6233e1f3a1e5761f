import { describe, expect, it } from 'vitest';
import { DT, IN, kindFromDType, loadInotifyAddon, maskToNames } from '../src/index.js';

const loaded = loadInotifyAddon();

describe('IN_* constants', () => {
  it.runIf(loaded.ok)('match <sys/inotify.h> as compiled into the addon, every one', () => {
    if (!loaded.ok) return;
    const c = loaded.addon.constants;
    for (const [name, value] of Object.entries(IN)) {
      if (name === 'IN_MASK_CREATE' && c[name] === undefined) continue; // headers older than glibc 2.29
      expect(c[name], name).toBe(value);
    }
    for (const [name, value] of Object.entries(DT)) expect(c[name], name).toBe(value);
  });

  it('have the values the kernel ABI fixes', () => {
    expect(IN.IN_CREATE).toBe(0x100);
    expect(IN.IN_MOVED_TO).toBe(0x80);
    expect(IN.IN_Q_OVERFLOW).toBe(0x4000);
    expect(IN.IN_ISDIR).toBe(0x40000000);
    expect(IN.IN_ONESHOT).toBe(0x80000000);
    expect(IN.IN_ALL_EVENTS).toBe(0xfff);
    expect(IN.IN_MOVE).toBe(IN.IN_MOVED_FROM | IN.IN_MOVED_TO);
    expect(IN.IN_CLOSE).toBe(IN.IN_CLOSE_WRITE | IN.IN_CLOSE_NOWRITE);
  });
});

describe('maskToNames', () => {
  it('names single bits, lowest first', () => {
    expect(maskToNames(IN.IN_CREATE | IN.IN_ISDIR)).toEqual(['IN_CREATE', 'IN_ISDIR']);
    expect(maskToNames(IN.IN_IGNORED)).toEqual(['IN_IGNORED']);
    expect(maskToNames(0)).toEqual([]);
  });

  it('decomposes composites instead of naming them', () => {
    expect(maskToNames(IN.IN_MOVE)).toEqual(['IN_MOVED_FROM', 'IN_MOVED_TO']);
    expect(maskToNames(IN.IN_ALL_EVENTS)).toHaveLength(12);
  });

  it('reads negative numbers (JS | on IN_ONESHOT) as unsigned', () => {
    expect(maskToNames(IN.IN_ONESHOT | IN.IN_CREATE)).toEqual(['IN_CREATE', 'IN_ONESHOT']);
    expect(maskToNames(-0x80000000)).toEqual(['IN_ONESHOT']);
  });

  it('lists unknown bits as hex and never throws', () => {
    expect(maskToNames(0x1000 | IN.IN_DELETE)).toEqual(['IN_DELETE', '0x1000']);
    expect(maskToNames(0x00ff0000)).toEqual(['0x10000', '0x20000', '0x40000', '0x80000', '0x100000', '0x200000', '0x400000', '0x800000']);
    expect(maskToNames(0x08000000)).toEqual(['0x8000000']);
    for (const weird of [NaN, Infinity, -1, 2 ** 40, 1.5]) expect(() => maskToNames(weird)).not.toThrow();
    expect(maskToNames(-1)).toHaveLength(32);
  });
});

describe('kindFromDType', () => {
  it('maps every DT_* and unknown values', () => {
    expect(kindFromDType(DT.DT_REG)).toBe('file');
    expect(kindFromDType(DT.DT_DIR)).toBe('directory');
    expect(kindFromDType(DT.DT_LNK)).toBe('symlink');
    for (const t of [DT.DT_FIFO, DT.DT_SOCK, DT.DT_CHR, DT.DT_BLK]) expect(kindFromDType(t)).toBe('other');
    expect(kindFromDType(DT.DT_UNKNOWN)).toBe('unknown');
    expect(kindFromDType(99)).toBe('unknown');
  });
});
