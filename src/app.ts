/**
 * Builds the astro-user Bolt app from a {@link Config} without starting it, so that tests can
 * start it on port 0 against stand-in servers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel, type CustomRoute } from '@slack/bolt';
import { createAstroClient, type AstroClient } from './astro/client.js';
import type { Config } from './config.js';
import { secretsOf } from './config.js';
import { createLookup, type Lookup } from './lookup/lookup.js';
import { createRecentLookups } from './lookup/recent.js';
import { defaultSettings, type SettingsResolver } from './lookup/settings.js';
import { createLogger, toSlackLogger, type Logger } from './logger.js';
import { registerListeners } from './slack/listeners/index.js';
import { BestEffortCache } from './store/best-effort-cache.js';
import { openStores, type Stores } from './store/index.js';

/** Parts a test (or a later feature) may supply instead of the defaults. */
export interface AppDeps {
  log?: Logger;
  stores?: Stores;
  astro?: AstroClient;
  settings?: SettingsResolver;
  /** Hold Slack's HTTP response until listeners finish (deterministic tests only; never on a server). */
  processBeforeResponse?: boolean;
}

/** A built, not yet started, astro-user app. */
export interface AstroUserApp {
  app: App;
  lookup: Lookup;
  stores: Stores;
  log: Logger;
  /**
   * Verifies the bot token with Slack (`auth.test`) and starts listening on `config.port`
   * (HTTP mode) or connects over Socket Mode.
   * @returns the TCP port the HTTP server listens on.
   * @throws {Error} when Slack refuses the bot token or the port is taken.
   */
  start(): Promise<{ port: number }>;
  /** Stops taking requests, then closes the stores. Safe to call twice. */
  stop(): Promise<void>;
}

/** Wall-clock time allowed for one Slack Web API call, in ms (Slack asks apps to answer in 3 s). */
const SLACK_API_TIMEOUT_MS = 5000;
/** How often expired store rows are deleted, in ms. */
const PURGE_INTERVAL_MS = 10 * 60 * 1000;
/** Wall-clock time allowed for a post to a `response_url`, in ms. */
const RESPOND_TIMEOUT_MS = 5000;

/** `GET /healthz`: 200 with a small JSON body; no secrets, no IDs. */
function healthRoute(stores: Stores): CustomRoute {
  return {
    path: '/healthz',
    method: ['GET'],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ ok: true, store: stores.kind }));
    },
  };
}

/** fetch with a default timeout, for `respond()` posts, which Bolt makes with bare fetch. */
const fetchWithTimeout: typeof fetch = (input, init) =>
  fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(RESPOND_TIMEOUT_MS) });

/**
 * Creates the app: logger, stores, Astro client, lookup, Bolt app with its receiver and listeners.
 *
 * @throws {Error} when a store cannot be opened (e.g. the SQLite file's folder is not writable).
 */
export async function createApp(config: Config, deps: AppDeps = {}): Promise<AstroUserApp> {
  const log = deps.log ?? createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  const stores = deps.stores ?? (await openStores(config.store, { log }));
  const astro = deps.astro ?? createAstroClient();
  const cache = new BestEffortCache(stores.cache, { log: log.child({ component: 'cache' }) });
  const lookup = createLookup({
    astro,
    settings: deps.settings ?? defaultSettings(config.astro),
    cache,
    cacheTtlMs: config.cacheTtlSeconds * 1000,
  });

  const slackLogger = toSlackLogger(log);
  const customRoutes = [healthRoute(stores)];
  const clientOptions = {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    timeout: SLACK_API_TIMEOUT_MS,
    retryConfig: { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 500 },
    fetch: fetchWithTimeout,
  };
  const socketMode = Boolean(config.slack.appToken);
  let receiver: HTTPReceiver | undefined;
  const app = socketMode
    ? new App({
        token: config.slack.botToken,
        appToken: config.slack.appToken,
        socketMode: true,
        customRoutes,
        installerOptions: { port: config.port },
        logger: slackLogger,
        logLevel: LogLevel.INFO,
        clientOptions,
        deferInitialization: true,
      })
    : new App({
        token: config.slack.botToken,
        receiver: (receiver = new HTTPReceiver({
          signingSecret: config.slack.signingSecret ?? '',
          endpoints: '/slack/events',
          customRoutes,
          processBeforeResponse: deps.processBeforeResponse ?? false,
          logger: slackLogger,
        })),
        logger: slackLogger,
        logLevel: LogLevel.INFO,
        clientOptions,
        deferInitialization: true,
      });

  app.error(async (error) => {
    log.error({ err: error }, 'unhandled error in a listener');
  });
  const recent = createRecentLookups({ store: new BestEffortCache(stores.recent, { log: log.child({ component: 'recent' }) }) });
  registerListeners(app, {
    lookup,
    recent,
    log,
    astroUiUrl: config.astroUiUrl,
    claimOnce: (key, ttlMs) => stores.once.claim(key, ttlMs),
  });

  // SQLite never deletes expired rows by itself (keyv#963): purge them on a schedule.
  const purgeTimer = setInterval(() => {
    stores
      .purgeExpired()
      .then((n) => n > 0 && log.debug({ rows: n }, 'purged expired store rows'))
      .catch((err: unknown) => log.warn({ err }, 'could not purge expired store rows'));
  }, PURGE_INTERVAL_MS);
  purgeTimer.unref();

  let stopped = false;
  return {
    app,
    lookup,
    stores,
    log,
    async start() {
      try {
        await app.init();
      } catch (err) {
        const code = (err as { data?: { error?: string } }).data?.error;
        throw new Error(
          code
            ? `Slack refused SLACK_BOT_TOKEN (${code}): copy the Bot User OAuth Token again from OAuth & Permissions.`
            : `Could not verify SLACK_BOT_TOKEN with Slack: ${(err as Error).message}`,
        );
      }
      const server = (await app.start(config.port)) as unknown;
      if (receiver) {
        const address = (server as { address(): AddressInfo | string | null }).address();
        return { port: typeof address === 'object' && address ? address.port : config.port };
      }
      return { port: config.port };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(purgeTimer);
      try {
        await app.stop();
      } catch (err) {
        log.warn({ err }, 'error while stopping the Slack receiver');
      }
      await stores.close();
    },
  };
}
