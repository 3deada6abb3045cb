/**
 * Entry point: load `.env`, validate the configuration, start the app, stop it cleanly on SIGTERM
 * and SIGINT. A bad configuration stops start-up with one line per problem (never a secret).
 */
import 'dotenv/config';
import { createApp } from './compose.js';
import { ConfigError, loadConfig, secretsOf, type Config } from './config.js';
import { createScrubber } from './logger.js';

/** Where the store is, for a message: the SQLite file, or Redis's host without credentials. */
function storeWhere(store: Config['store']): string {
  if (store.kind === 'sqlite') return `the SQLite file ${store.path}`;
  if (store.kind === 'redis') {
    try {
      return `Redis at ${new URL(store.url).host}`;
    } catch {
      return 'Redis';
    }
  }
  return 'the memory store';
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) process.stderr.write(`astro-user: ${p}\n`);
      process.stderr.write('astro-user: see .env.example for every variable.\n');
      process.exit(1);
    }
    throw err;
  }
  let built: Awaited<ReturnType<typeof createApp>>;
  try {
    built = await createApp(config);
  } catch (err) {
    const reason = createScrubber(secretsOf(config))((err as Error).message ?? String(err));
    const hint = config.store.kind === 'sqlite' ? ' Check STORE_URL: its folder must exist or be creatable, and be writable.' : config.store.kind === 'redis' ? ' Check STORE_URL (or REDIS_URL).' : '';
    process.stderr.write(`astro-user: could not open ${storeWhere(config.store)} (${reason}).${hint}\n`);
    process.exit(1);
  }
  const { log } = built;
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection'));

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    built
      .stop()
      .then(() => {
        log.flush();
        process.exit(0);
      })
      .catch((err: unknown) => {
        log.error({ err }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  try {
    const { port } = await built.start();
    log.info(
      { port, mode: config.slack.appToken ? 'socket' : 'http', store: built.stores.kind, astroApi: config.astro.apiUrl },
      config.slack.appToken ? 'astro-user connected over Socket Mode' : `astro-user listening on port ${port}`,
    );
  } catch (err) {
    process.stderr.write(`astro-user: ${(err as Error).message}\n`);
    await built.stop();
    process.exit(1);
  }
}

void main();
