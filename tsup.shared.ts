import { defineConfig, type Options } from 'tsup';

/**
 * The build every vigil package shares: ESM and CommonJS, declarations
 * generated from the sources (never hand-written), Node 20. `shims` gives the
 * CommonJS build `import.meta.url`, which the addon loaders and the
 * conformance suite resolve their files from.
 */
export function libraryConfig(extra: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    shims: true,
    ...extra,
  });
}
