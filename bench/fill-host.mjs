/**
 * Used only by the memory figure (part 6) to fill the cache with 20,000 users in seconds: it
 * runs the BUILT app exactly as dist/index.js does (same config from the environment, same
 * createApp, same start), except that the client-side Astro request budget is lifted through
 * createApp's `policy` option. With the real budget (ASTRO_REQUESTS_PER_SECOND ≤ 25) caching
 * 20,000 distinct users would take over 13 minutes. The bench also reports dist/index.js's own
 * idle RSS beside this host's, to show the two are the same program.
 *
 * Env: as dist/index.js, plus BENCH_ASTRO_RPS (default 100000) and BENCH_DIST (the build to run,
 * default ../dist).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = process.env.BENCH_DIST ?? new URL('../dist', import.meta.url).pathname;
const { createApp } = await import(pathToFileURL(join(dist, 'compose.js')).href);
const { loadConfig } = await import(pathToFileURL(join(dist, 'config.js')).href);

const config = loadConfig(process.env);
const built = await createApp(config, { policy: { requestsPerSecond: Number(process.env.BENCH_ASTRO_RPS ?? 100_000), maxQueuePerToken: 100_000 } });
// With --expose-gc, SIGUSR2 runs full garbage collections, so the bench can read the memory the
// app retains rather than how far the heap grew while filling.
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  globalThis.gc?.();
});
process.on('SIGTERM', () => {
  built.stop().finally(() => process.exit(0));
});
await built.start();
