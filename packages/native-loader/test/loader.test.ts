// One loader for every addon: where it looks, in what order, and what it says when nothing fits.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addonCandidates, loadAddon, prebuiltPackage, targetTriple } from '../src/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  delete process.env.VIGIL_DEMO_ADDON;
});

/** A fake install: a package that asks for the `demo` addon, maybe with its per-platform package, maybe in a checkout. */
function layout(opts: { prebuilt?: string; checkout?: boolean }) {
  const root = mkdtempSync(path.join(tmpdir(), 'vigil-loader-'));
  dirs.push(root);
  const from = path.join(root, 'node_modules', '@vigilfs', 'demo', 'dist', 'index.js');
  mkdirSync(path.dirname(from), { recursive: true });
  writeFileSync(from, '');
  if (opts.prebuilt !== undefined) {
    const pkg = path.join(root, 'node_modules', prebuiltPackage('demo'));
    mkdirSync(pkg, { recursive: true });
    writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: prebuiltPackage('demo') }));
    writeFileSync(path.join(pkg, 'vigil_demo.node'), opts.prebuilt);
  }
  if (opts.checkout) {
    mkdirSync(path.join(root, 'native', 'demo'), { recursive: true });
    writeFileSync(path.join(root, 'native', 'demo', 'binding.gyp'), '{}');
  }
  return { root, spec: { name: 'demo', file: 'vigil_demo.node', from } };
}

describe('native loader', () => {
  it('names targets the way package os/cpu/libc fields do', () => {
    expect(targetTriple('linux', 'arm64')).toMatch(/^linux-arm64-(glibc|musl)$/);
    expect(targetTriple('win32', 'x64')).toBe('win32-x64');
    expect(prebuiltPackage('rdcw', 'win32-x64')).toBe('@vigilfs/rdcw-win32-x64');
  });

  it('looks at the override, then the per-platform package, then the local build, in that order', () => {
    const { root, spec } = layout({ prebuilt: 'x', checkout: true });
    process.env.VIGIL_DEMO_ADDON = '/explicit/vigil_demo.node';
    expect(addonCandidates(spec).map((c) => c.file)).toEqual([
      '/explicit/vigil_demo.node',
      path.join(root, 'node_modules', prebuiltPackage('demo'), 'vigil_demo.node'),
      path.join(root, 'native', 'demo', 'build', 'Release', 'vigil_demo.node'),
    ]);
  });

  it('says where it looked, why each failed, and how to get one', () => {
    const { spec } = layout({ prebuilt: 'not an ELF file' });
    const load = loadAddon(spec);
    expect(load.ok).toBe(false);
    if (load.ok) return;
    expect(load.tried[0]).toContain('could not be loaded');
    expect(load.reason).toContain(prebuiltPackage('demo'));
    expect(load.reason).toContain('npm run build');
  });

  it('says when vigil ships no binary for this target, and how to build and use one', () => {
    const { root, spec } = layout({});
    writeFileSync(
      path.join(root, 'node_modules', '@vigilfs', 'demo', 'package.json'),
      JSON.stringify({ name: '@vigilfs/demo', optionalDependencies: { '@vigilfs/demo-plan9-mips': '0.1.0' } }),
    );
    const load = loadAddon(spec);
    expect(load.ok).toBe(false);
    if (load.ok) return;
    expect(load.reason).toContain(`vigil ships no prebuilt demo addon for ${targetTriple()} (it ships plan9-mips)`);
    expect(load.reason).toContain('VIGIL_DEMO_ADDON=<checkout>/native/demo/build/Release/vigil_demo.node');
  });

  it('a package that is not installed is named as such', () => {
    const { spec } = layout({});
    const load = loadAddon(spec);
    expect(load.ok).toBe(false);
    if (!load.ok) expect(load.tried[0]).toContain('not installed');
  });

  it('refuses, without loading anything, where the addon does not exist', () => {
    const { spec } = layout({ prebuilt: 'x' });
    expect(loadAddon({ ...spec, platforms: ['win32'] }, 'linux')).toEqual({
      ok: false,
      reason: 'the demo addon exists only on win32; this is linux',
      tried: [],
    });
  });
});
