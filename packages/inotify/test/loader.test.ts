import { describe, expect, it } from 'vitest';
import { targetTriple } from '@vigilfs/native-loader';
import { inotifyAddonCandidates, loadInotifyAddon, requireInotifyAddon } from '../src/index.js';

describe('addon loader', () => {
  it('loads the prebuilt package for this platform, which setup fills from the local build', () => {
    const result = loadInotifyAddon();
    expect(result.ok, result.ok ? '' : result.reason).toBe(true);
    expect(requireInotifyAddon().abiVersion).toBe(4);
    if (result.ok) expect(result.file).toContain(`inotify-${targetTriple()}`);
    const candidates = inotifyAddonCandidates();
    expect(candidates[0]).toContain(`inotify-${targetTriple()}`);
    expect(candidates.at(-1)).toMatch(/native\/inotify\/build\/Release\/vigil_inotify\.node$/);
  });
});
