import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addonCandidates, loadFrom, loadInotifyAddon, prebuildTarget, requireInotifyAddon } from '../src/index.js';
import { makeTempDir } from './helpers.js';

describe('addon loader', () => {
  it('loads the local build here (prebuild first, then native/inotify/build)', () => {
    const result = loadInotifyAddon();
    expect(result.ok, result.ok ? '' : result.reason).toBe(true);
    expect(requireInotifyAddon().abiVersion).toBe(4);
    const candidates = addonCandidates();
    expect(candidates.some((f) => f.endsWith(path.join('prebuilds', prebuildTarget(), 'vigil_inotify.node')))).toBe(true);
    expect(candidates.at(-1)).toMatch(/native\/inotify\/build\/Release\/vigil_inotify\.node$/);
    expect(prebuildTarget()).toMatch(/^linux-(x64|arm64|[a-z0-9]+)-(glibc|musl)$/);
  });

  it('names every place it looked and why each failed', () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const garbage = path.join(dir, 'garbage.node');
      writeFileSync(garbage, 'not an ELF file');
      const missing = path.join(dir, 'missing.node');
      const result = loadFrom([missing, garbage], 'linux');
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.reason).toContain(`${missing}: not found`);
      expect(result.reason).toContain(`${garbage}: could not be loaded`);
    } finally {
      cleanup();
    }
  });

  it('fails cleanly, without loading anything, off Linux', () => {
    const result = loadFrom(addonCandidates(), 'darwin');
    expect(result).toEqual({ ok: false, reason: 'inotify exists only on Linux; this is darwin' });
  });
});
