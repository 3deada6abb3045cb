/**
 * Builds the astro-user Bolt app from a {@link Config} without starting it, so that tests can
 * start it on port 0 against stand-in servers.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, type CustomRoute } from '@slack/bolt';
import { createAstroClient, type AstroClient } from './astro/client.js';
import { createResilientAstroClient } from './astro/policy.js';
import type { Config } from './config.js';
import { secretsOf } from './config.js';
import { createLookup, type Lookup } from './lookup/lookup.js';
import { createRecentLookups } from './lookup/recent.js';
import { createNameResolver } from './lookup/names.js';
import { createUserIndex } from './lookup/user-index.js';
import type { InstallationRef, SettingsResolver } from './lookup/settings.js';
import { createWorkspaceSettings, defaultsServe, workspaceSettingsResolver } from './lookup/workspace-settings.js';
import { WebClient } from '@slack/web-api';
import type { Installation, OrgInstallation } from '@slack/oauth';
import { createInstallationStore, isAllowed } from './slack/installation-store.js';
import { createPeople } from './slack/people.js';
import { publishHome } from './slack/home.js';
import { homeState } from './slack/lookups.js';
import { createResponder } from './slack/respond.js';
import { SecretBox } from './store/secret-box.js';
import { createThrottle } from './lookup/throttle.js';
import { createLogger, toSlackLogger, type Logger } from './logger.js';
import { createMetrics, metricsHandler, type Metrics } from './metrics.js';
import { registerListeners } from './slack/listeners/index.js';
import { BestEffortCache } from './store/best-effort-cache.js';
import { openStores, type Stores } from './store/index.js';
import { boundedOnceStore } from './store/once.js';

/** Parts a test (or a later feature) may supply instead of the defaults. */
export interface AppDeps {
  log?: Logger;
  stores?: Stores;
  /** The Astro client before the resilience policy wraps it. */
  astro?: AstroClient;
  settings?: SettingsResolver;
  /** Hold Slack's HTTP response until listeners finish (deterministic tests only; never on a server). */
  processBeforeResponse?: boolean;
  /** Overall time of one lookup, in ms (default 8000: the card follows within Slack's 10 s). */
  lookupDeadlineMs?: number;
  /**
   * Name resolution and roles via Teams are on by default; tests that count GetUser requests
   * turn them off.
   */
  features?: { names?: boolean; teams?: boolean };
  /** Options of the resilience policy (tests shorten backoffs). */
  policy?: Parameters<typeof createResilientAstroClient>[1];
}

/** A built, not yet started, astro-user app. */
export interface AstroUserApp {
  app: App;
  lookup: Lookup;
  stores: Stores;
  metrics: Metrics;
  log: Logger;
  /**
   * Verifies the bot token with Slack (`auth.test`) and starts listening on `config.port`
   * (HTTP mode) or connects over Socket Mode.
   * @returns the TCP port the HTTP server listens on.
   * @throws {Error} when Slack refuses the bot token or the port is taken.
   */
  start(): Promise<{ port: number }>;
  /**
   * Graceful stop: stops taking requests, waits (up to `graceMs`, default 8000 ms) for the work
   * of requests already acknowledged, then closes the stores. Safe to call twice.
   */
  stop(graceMs?: number): Promise<void>;
}

/** Wall-clock time allowed for one Slack Web API call, in ms (Slack asks apps to answer in 3 s). */
const SLACK_API_TIMEOUT_MS = 5000;
/** How often expired store rows are deleted, in ms. */
const PURGE_INTERVAL_MS = 10 * 60 * 1000;
/** Wall-clock time allowed for a post to a `response_url`, in ms. */
const RESPOND_TIMEOUT_MS = 5000;
/**
 * Most found users kept ready in this process (validated, names resolved; CACHE_HOT_SECONDS):
 * repeated lookups of the same people within seconds (an incident in a channel) skip the store.
 */
const HOT_MAX_USERS = 1000;
/** Longest wait for a strict store (event de-duplication), in ms. */
const STRICT_STORE_TIMEOUT_MS = 2000;

/** `GET /healthz`: 200 with the store's reachability; no secrets, no IDs. */
function healthRoute(stores: Stores): CustomRoute {
  return {
    path: '/healthz',
    method: ['GET', 'HEAD'],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      void stores.ping().then((reachable) => {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ ok: true, status: reachable ? 'ok' : 'degraded', store: { kind: stores.kind, reachable } }));
      });
    },
  };
}

/** Bot scopes asked for in the install flow (keep in step with manifest.yml). */
export const BOT_SCOPES = ['commands', 'app_mentions:read', 'chat:write', 'users:read', 'users:read.email', 'usergroups:read', 'channels:read', 'groups:read', 'im:read', 'mpim:read'] as const;

/** A small HTML page for the install flow's outcome; `title` and `text` are our own words. */
function installPage(title: string, text: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:sans-serif;max-width:40em;margin:4em auto"><h1>${title}</h1><p>${text}</p></body></html>`;
}

/**
 * Creates the app: logger, stores, Astro client with its resilience policy, lookup, abuse
 * limits, metrics, the Bolt app with its receiver, middleware and listeners.
 *
 * @throws {Error} when a store cannot be opened (e.g. the SQLite file's folder is not writable).
 */
export async function createApp(config: Config, deps: AppDeps = {}): Promise<AstroUserApp> {
  const log = deps.log ?? createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  const stores = deps.stores ?? (await openStores(config.store, { log }));

  let metrics: Metrics | undefined;
  const inner =
    deps.astro ??
    createAstroClient({ onResponse: ({ status, durationMs }) => metrics?.upstreamSeconds.observe({ status: String(status ?? 0) }, durationMs / 1000) });
  const astro = createResilientAstroClient(inner, {
    requestsPerSecond: config.astroRequestsPerSecond,
    onRetry: ({ kind }) => metrics?.retries.inc({ kind }),
    onBreakerStateChange: (state, info) => log.warn({ breaker: state, astroApi: info.apiUrl }, `Astro API circuit ${state}`),
    ...deps.policy,
  });
  metrics = createMetrics(() => astro.breakerState());
  const m = metrics;

  const box = config.encryption ? new SecretBox(config.encryption.key, config.encryption.previous) : undefined;
  const healthStore = new BestEffortCache(stores.cache, { log: log.child({ component: 'health' }) });
  const settings = createWorkspaceSettings({ store: stores.settings, healthStore, ...(box ? { box } : {}) });
  const defaults = config.astro.apiToken && config.astro.organizationId ? { apiUrl: config.astro.apiUrl, apiToken: config.astro.apiToken, organizationId: config.astro.organizationId } : undefined;
  const defaultsFor = config.mode === 'single' ? ('all' as const) : config.astroEnvTeamIds;
  const usesDefaults = (ref: InstallationRef) => Boolean(defaults) && defaultsServe(defaultsFor, ref);
  const namesCache = new BestEffortCache(stores.cache, { log: log.child({ component: 'names' }) });
  const lookup = createLookup({
    astro,
    ...(deps.features?.names === false ? {} : { names: createNameResolver({ astro, cache: namesCache }) }),
    teams: deps.features?.teams ?? true,
    userIndex: createUserIndex({ astro, cache: namesCache, ttlMs: config.cacheTtlSeconds * 1000 }),
    settings: deps.settings ?? workspaceSettingsResolver({ settings, apiUrl: config.astro.apiUrl, defaultsFor, ...(defaults ? { defaults } : {}) }),
    cache: new BestEffortCache(stores.cache, { log: log.child({ component: 'cache' }) }),
    cacheTtlMs: config.cacheTtlSeconds * 1000,
    hot: { ttlMs: config.cacheHotSeconds * 1000, max: HOT_MAX_USERS },
    onCacheRead: (hit) => m.cache.inc({ result: hit ? 'hit' : 'miss' }),
    ...(deps.lookupDeadlineMs ? { deadlineMs: deps.lookupDeadlineMs } : {}),
  });

  const slackLogger = toSlackLogger(log);
  const customRoutes: CustomRoute[] = [healthRoute(stores), { path: '/metrics', method: ['GET'], handler: metricsHandler(m, config.metricsToken) }];
  const clientOptions = {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    timeout: SLACK_API_TIMEOUT_MS,
    // Interactive paths must not wait silently through Slack's long rate-limit retries.
    retryConfig: { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 500 },
    rejectRateLimitedCalls: true,
  };
  const socketMode = Boolean(config.slack.appToken);
  const installationStore =
    config.mode === 'multi' && box ? createInstallationStore({ store: stores.installs, box, ...(config.allowedTeamIds ? { allowed: config.allowedTeamIds } : {}) }) : undefined;
  const auth =
    config.mode === 'multi' && config.slack.oauth && installationStore
      ? {
          clientId: config.slack.oauth.clientId,
          clientSecret: config.slack.oauth.clientSecret,
          stateSecret: config.slack.oauth.stateSecret,
          scopes: [...BOT_SCOPES],
          installationStore,
          installerOptions: {
            directInstall: true,
            ...(socketMode ? { port: config.port } : {}),
            callbackOptions: {
              afterInstallation: async (installation: Installation | OrgInstallation, _o: unknown, _req: IncomingMessage, res: ServerResponse) => {
                const ids = { teamId: installation.team?.id, enterpriseId: installation.enterprise?.id };
                if (isAllowed(config.allowedTeamIds, ids)) return true;
                log.warn({ audit: true, action: 'install_refused', team: ids.teamId, enterprise: ids.enterpriseId }, 'install from a workspace not in ALLOWED_TEAM_IDS refused');
                const token = installation.bot?.token;
                if (token) await new WebClient(token, clientOptions).auth.revoke().catch(() => undefined);
                res.writeHead(403, { 'content-type': 'text/html; charset=utf-8' });
                res.end(installPage('astro-user is not available for this Slack workspace', 'Its operator allows it only for some workspaces. Nothing was installed; ask the person who runs astro-user.'));
                return false;
              },
              success: (_i: unknown, _o: unknown, _req: IncomingMessage, res: ServerResponse) => {
                res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
                res.end(installPage('astro-user is installed', 'Open astro-user in Slack: an admin connects Astro from its Home tab (Configure), then anyone can type /astro-user.'));
              },
              failure: (_e: unknown, _o: unknown, _req: IncomingMessage, res: ServerResponse) => {
                res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
                res.end(installPage('The installation did not complete', 'Slack did not confirm it (the link may have expired). Start again from the install link.'));
              },
            },
          },
        }
      : { token: config.slack.botToken };
  const app = socketMode
    ? new App({
        ...auth,
        appToken: config.slack.appToken,
        socketMode: true,
        customRoutes,
        ...(config.mode === 'single' ? { installerOptions: { port: config.port } } : {}),
        logger: slackLogger,
        logLevel: LogLevel.INFO,
        clientOptions,
        deferInitialization: true,
        extendedErrorHandler: true,
      })
    : new App({
        ...auth,
        signingSecret: config.slack.signingSecret ?? '',
        customRoutes,
        processBeforeResponse: deps.processBeforeResponse ?? false,
        logger: slackLogger,
        logLevel: LogLevel.INFO,
        clientOptions,
        deferInitialization: true,
        extendedErrorHandler: true,
      });

  const responder = createResponder({ timeoutMs: RESPOND_TIMEOUT_MS });
  // Every request: a correlation ID for its log lines (listeners log through requestLogger), and
  // tracking until its work is done.
  const inFlight = new Set<Promise<unknown>>();
  app.use(async ({ next, context }) => {
    context.correlationId = randomUUID();
    const work = next();
    inFlight.add(work);
    try {
      await work;
    } finally {
      inFlight.delete(work);
    }
  });
  const onError = async ({ error, body }: { error: Error; body: unknown }): Promise<void> => {
    if ((error as { code?: string }).code === 'slack_bolt_authorization_error') {
      // No installation for this workspace (never installed, uninstalled, or not allowed). A slash
      // command still carries a response_url, which needs no token: say so instead of silence.
      log.warn({ team: (body as { team_id?: string }).team_id }, 'request from a workspace without an installation');
      const responseUrl = (body as { response_url?: unknown }).response_url;
      if (typeof responseUrl === 'string') {
        await responder
          .to(responseUrl)({ response_type: 'ephemeral', text: "astro-user isn't installed for this Slack workspace (or isn't available to it). Ask an admin to install it." })
          .catch(() => undefined);
      }
      return;
    }
    log.error({ err: error }, 'unhandled error in a listener');
  };
  app.error(onError as unknown as Parameters<typeof app.error>[0]);

  const recent = createRecentLookups({ store: new BestEffortCache(stores.recent, { log: log.child({ component: 'recent' }) }) });
  const once = boundedOnceStore(stores.once, STRICT_STORE_TIMEOUT_MS);
  const people = createPeople({ adminUserIds: config.adminUserIds, log: log.child({ component: 'people' }) });
  /** Matches keys of a workspace's entries in the best-effort stores: `…:<installation key>:…`. */
  const ofWorkspace = (key: string) => {
    const marker = `:${encodeURIComponent(key)}:`;
    return (k: string) => k.includes(marker) || k.endsWith(`:${encodeURIComponent(key)}`);
  };
  const slackDeps = {
    lookup,
    recent,
    log,
    astroUiUrl: config.astroUiUrl,
    throttle: createThrottle(config.limits, stores.redis),
    countLookup: (surface: string, outcome: string) => m.lookups.inc({ surface, outcome }),
    claimOnce: (key: string, ttlMs: number) => once.claim(key, ttlMs),
    settings,
    people,
    usesDefaults,
  };
  registerListeners(app, {
    ...slackDeps,
    responder,
    config: {
      settings,
      people,
      astro,
      astroApiUrl: config.astro.apiUrl,
      log,
      clearWorkspaceCache: async (key) => {
        lookup.forget(key);
        await stores.deleteWhere('cache', ofWorkspace(key)).catch((err: unknown) => log.warn({ err }, 'could not clear the workspace cache'));
      },
      refreshHome: async (client, installation, userId) => {
        await publishHome(client, { userId, state: () => homeState(slackDeps, installation, userId, {}, client), log });
      },
    },
    uninstall: {
      log,
      ...(installationStore ? { installedAt: (key: string) => installationStore.installedAt(key) } : {}),
      forgetWorkspace: async (key) => {
        if (installationStore) await installationStore.deleteByKey(key);
        await settings.forget(key);
        lookup.forget(key);
        await stores.deleteWhere('cache', ofWorkspace(key));
        await stores.deleteWhere('recent', ofWorkspace(key));
      },
    },
  });

  // SQLite never deletes expired rows by itself (keyv#963): purge them on a schedule.
  const purgeTimer = setInterval(() => {
    stores
      .purgeExpired()
      .then((n) => n > 0 && log.debug({ rows: n }, 'purged expired store rows'))
      .catch((err: unknown) => log.warn({ err }, 'could not purge expired store rows'));
  }, PURGE_INTERVAL_MS);
  purgeTimer.unref();

  let stopping: Promise<void> | undefined;
  let started = false;
  return {
    app,
    lookup,
    stores,
    metrics: m,
    log,
    async start() {
      try {
        await app.init();
      } catch (err) {
        const code = (err as { data?: { error?: string } }).data?.error;
        const e = err as { original?: { cause?: { code?: string }; message?: string }; cause?: { code?: string } };
        const network = e.original?.cause?.code ?? e.cause?.code ?? e.original?.message ?? (err as Error).message;
        throw new Error(
          code
            ? `Slack refused SLACK_BOT_TOKEN (${code}): copy the Bot User OAuth Token again from OAuth & Permissions.`
            : `Could not reach Slack at ${config.slack.apiUrl ?? 'https://slack.com/api/'} to check SLACK_BOT_TOKEN (${network}). Check the network or proxy, or SLACK_API_URL if you set it.`,
        );
      }
      let server: unknown;
      try {
        server = await app.start(config.port);
      } catch (err) {
        const code = (err as { data?: { error?: string } }).data?.error;
        if (socketMode && code) {
          throw new Error(`Slack refused SLACK_APP_TOKEN (${code}): copy the App-Level Token (scope connections:write) again from Basic Information → App-Level Tokens.`);
        }
        throw err;
      }
      started = true;
      if (!socketMode) {
        const address = (server as { address(): AddressInfo | string | null }).address();
        return { port: typeof address === 'object' && address ? address.port : config.port };
      }
      return { port: config.port };
    },
    stop(graceMs = 8000) {
      stopping ??= (async () => {
        clearInterval(purgeTimer);
        if (started) {
          try {
            await app.stop();
          } catch (err) {
            log.warn({ err }, 'error while stopping the Slack receiver');
          }
        }
        if (inFlight.size > 0) {
          log.info({ requests: inFlight.size }, 'waiting for requests in flight');
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            Promise.allSettled([...inFlight]),
            new Promise((r) => {
              timer = setTimeout(r, graceMs);
            }),
          ]);
          clearTimeout(timer);
        }
        await responder.close().catch(() => undefined);
        await stores.close();
      })();
      return stopping;
    },
  };
}
