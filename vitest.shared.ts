import { defineConfig } from 'vitest/config';

/**
 * Every package tests its sources, not its build: the `@eventfan/source` export condition points
 * at src — for test files, and for globalSetup files, which run in vitest's own environment.
 * Each run also leaves a JSON report that `scripts/test-summary.ts` adds up after `npm test`.
 */
export default defineConfig({
  resolve: { conditions: ['@eventfan/source'] },
  ssr: { resolve: { conditions: ['@eventfan/source'] } },
  environments: { __vitest__: { resolve: { conditions: ['@eventfan/source'] } } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 180_000,
    reporters: ['default', ['json', { outputFile: '.cache/vitest-report.json' }]],
  },
});
