/**
 * Entry point: load `.env`, validate the configuration, start the app, stop it cleanly on SIGTERM
 * and SIGINT. A bad configuration stops start-up with one line per problem (never a secret).
 */
import 'dotenv/config';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

async function main(): Promise<void> {
  let config;
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
  const built = await createApp(config);
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
