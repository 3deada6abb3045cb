/**
 * Used only by the flood figure (part 7): runs the BUILT app exactly as dist/index.js does (same
 * config from the environment, same createApp, same start), then installs the request guard
 * (dist/server/request-guard.js) on the HTTP server Bolt's receiver started. Once the app's own
 * start() installs the guard, this second call changes nothing (guardServer is idempotent), and
 * this host measures the app as shipped.
 *
 * Env: as dist/index.js, plus BENCH_DIST (the build to run, default ../dist).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = process.env.BENCH_DIST ?? new URL('../dist', import.meta.url).pathname;
const { createApp } = await import(pathToFileURL(join(dist, 'compose.js')).href);
const { loadConfig } = await import(pathToFileURL(join(dist, 'config.js')).href);
const { guardServer } = await import(pathToFileURL(join(dist, 'server', 'request-guard.js')).href);

const config = loadConfig(process.env);
const built = await createApp(config);
process.on('SIGTERM', () => {
  built.stop().finally(() => process.exit(0));
});
await built.start();
// Bolt 5's HTTPReceiver keeps the server it started as `server` (not a typed part of App's API).
const server = built.app.receiver?.server;
if (!server) throw new Error('guard-host: no HTTP server found on the Bolt receiver');
guardServer(server);
