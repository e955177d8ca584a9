import { defineConfig } from 'vitest/config';

/** Every package tests its sources, not its build: the `@eventfan/source` export condition points at src. */
export default defineConfig({
  resolve: { conditions: ['@eventfan/source'] },
  ssr: { resolve: { conditions: ['@eventfan/source'] } },
  test: { testTimeout: 30_000, hookTimeout: 180_000 },
});
