import { defineConfig } from 'vitest/config';

/**
 * The use-case tests alone, for mutation testing (`npm run test:mutation`): they run in-process
 * with memory stores and a stand-in Astro on loopback, so they need neither dist/ nor Redis.
 */
export default defineConfig({
  test: {
    include: ['test/app/**/*.test.ts'],
    testTimeout: 20_000,
  },
});
