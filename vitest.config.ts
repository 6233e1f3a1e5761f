import { defineConfig } from 'vitest/config';

// One run for the whole repository. Packages resolve each other through the
// `source` export condition, so tests run against TypeScript sources while the
// CLI and native tests use the built outputs (npm test builds first).
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Filesystem-event tests are sensitive to CPU starvation on small machines.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
