/**
 * The composition root: builds the parts from a {@link Config} and hands them to each other. No
 * domain rule lives here. The app is built without being started, so tests can start it on port 0
 * against stand-in servers.
 */
import { createAstroClient, type AstroClient, type AstroTarget } from './astro/client.js';
import { createResilientAstroClient } from './astro/policy.js';
import { createCardRefs } from './app/cards.js';
import type { WorkspaceDeps } from './app/workspace.js';
import type { Claims } from './app/mention.js';
import { checkEnvToken } from './app/env-token.js';
import { homeData } from './app/home.js';
import type { Config } from './config.js';
import { secretsOf } from './config.js';
import { workspaceOf } from './app/request.js';
import { createLogger, type Logger } from './logger.js';
import { createAccessLookup } from './lookup/access.js';
import { catalogNames, createCatalog, type Catalog } from './lookup/catalog.js';
import { createCapabilities, type CapabilityStore } from './lookup/capabilities.js';
import { createLookup, type Lookup } from './lookup/lookup.js';
import { createNameResolver } from './lookup/names.js';
import { createOrgDataSource } from './lookup/org-data.js';
import { createRecentLookups } from './lookup/recent.js';
import { createRoleCatalog } from './lookup/role-catalog.js';
import type { InstallationRef, SettingsResolver } from './lookup/settings.js';
import { createThrottle } from './lookup/throttle.js';
import { createUserIndex } from './lookup/user-index.js';
import { createWorkspaceSettings, defaultsServe, workspaceSettingsResolver } from './lookup/workspace-settings.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createBoltApp, drain, startBolt, webClientOptions } from './server/bolt.js';
import { installOptions } from './server/install.js';
import { customRoutes } from './server/routes.js';
import { createPeople } from './slack/directory.js';
import { adminReportSource } from './slack/report-source.js';
import { createInstallationStore } from './slack/installation-store.js';
import { registerListeners } from './slack/listeners/index.js';
import { person } from './slack/request.js';
import { publishHome } from './slack/transport/publish-home.js';
import { PROGRESS_AFTER_MS } from './slack/transport/progress.js';
import { createResponder } from './slack/transport/respond.js';
import type { App } from '@slack/bolt';
import { BestEffortCache } from './store/best-effort-cache.js';
import { ofWorkspace, openStores, type Stores } from './store/index.js';
import { boundedOnceStore } from './store/once.js';
import { checkEncryptionKey, describeKeyProblem } from './store/rotation.js';
import { SecretBox } from './store/secret-box.js';
import { createHealth, type Health } from './server/health.js';
import { createAuditLogReader } from './astro/audit-log.js';
import type { WithReports } from './app/report-schedule-config.js';
import { runDueReports, type ReportSource } from './app/scheduled-report.js';
import { createReportSchedules } from './lookup/report-schedule.js';
import { createReportTicker } from './server/report-ticker.js';
import { botTokenFor, createReportPoster } from './slack/transport/post-report.js';

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
   * Name resolution and roles via Teams are on by default; tests that count GetUser requests turn
   * them off. `warmCatalog` (default true): the organization catalog is loaded in the background
   * when a card first needs names, and at start-up for ASTRO_API_TOKEN; tests that count name
   * requests turn it off.
   */
  features?: { names?: boolean; teams?: boolean; warmCatalog?: boolean };
  /** Options of the resilience policy (tests shorten backoffs). */
  policy?: Parameters<typeof createResilientAstroClient>[1];
  /** How long an answer may take before a "Looking up…" note is shown, in ms (default 1000). */
  progressAfterMs?: number;
  /**
   * How long this process keeps settings and installations it read before reading the store again,
   * in ms (defaults: 10 s and 60 s). Tests of store outages shorten it.
   */
  readCacheMs?: number;
  /**
   * Check ASTRO_API_TOKEN with Astro when starting, then probe what it can reach in the background
   * (default true; tests that count requests turn it off).
   */
  checkAstroTokenAtStart?: boolean;
  /**
   * Scheduled reports: the report builder (default: the admin report), the time between
   * checks in ms (default 60 000), the clock, and a hook told after each check (tests).
   */
  reports?: { source?: ReportSource; tickMs?: number; now?: () => number; onTick?: () => void };
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

/** How often expired store rows are deleted, in ms. */
const PURGE_INTERVAL_MS = 10 * 60 * 1000;
/** Wall-clock time allowed for a post to a `response_url`, in ms. */
const RESPOND_TIMEOUT_MS = 5000;
/** Most found users kept ready in this process (CACHE_HOT_SECONDS). */
const HOT_MAX_USERS = 1000;
/** How often the catalogs in use are refreshed when stale, in ms. */
const CATALOG_WARM_INTERVAL_MS = 60 * 1000;
/** Longest an organization's data (reports, offboarding) is kept, in seconds (never longer than CACHE_TTL_SECONDS). */
const ORG_DATA_TTL_SECONDS = 180;
/** Longest wait for a strict store (event de-duplication), in ms. */
const STRICT_STORE_TIMEOUT_MS = 2000;

/** The use cases' services, with the parts the server needs too. */
export interface BuiltServices {
  services: WorkspaceDeps & Claims & WithReports;
  lookup: Lookup;
  /** The organization catalogs (kept warm in the background by the app). */
  catalog: Catalog;
  metrics: Metrics;
  /** What /healthz reports. */
  health: Health;
  /** Seals secrets, when ENCRYPTION_KEY is set. */
  box?: SecretBox;
  installationStore?: ReturnType<typeof createInstallationStore>;
  /** The operator's Astro target (`ASTRO_*`), when one is configured. */
  defaults?: AstroTarget;
  /** What each installation's token can reach (probed at save, start-up, and daily). */
  capabilities: CapabilityStore;
}

/**
 * Builds the use cases' services from the configuration: the Astro client with its resilience
 * policy, settings, lookup, recent lookups, abuse limits, once-only claims, metrics.
 * In-process tests of the use cases call this with memory stores and a stand-in Astro.
 */
export function createServices(config: Config, deps: AppDeps & { log: Logger; stores: Stores }): BuiltServices {
  const { log, stores } = deps;
  let metrics: Metrics | undefined;
  const health = createHealth({ socketMode: Boolean(config.slack.appToken) });
  const inner =
    deps.astro ??
    createAstroClient({
      onResponse: ({ status, durationMs }) => {
        metrics?.upstreamSeconds.observe({ status: String(status ?? 0) }, durationMs / 1000);
        health.astroAnswered(status);
      },
    });
  const astro = createResilientAstroClient(inner, {
    requestsPerSecond: config.astroRequestsPerSecond,
    onRetry: ({ kind }) => metrics?.retries.inc({ kind }),
    onBreakerStateChange: (state, info) => log.warn({ breaker: state, astroApi: info.apiUrl }, `Astro API circuit ${state}`),
    ...deps.policy,
  });
  const m = createMetrics(() => astro.breakerState());
  metrics = m;

  const box = config.encryption ? new SecretBox(config.encryption.key, config.encryption.previous) : undefined;
  /** A stored secret that would not decrypt: logged with its cause, counted, shown in /healthz. */
  const unreadable = (kind: 'installation' | 'astro_token') => (cause: unknown) => {
    log.error({ kind, err: cause }, 'a stored secret would not decrypt with ENCRYPTION_KEY or ENCRYPTION_KEY_PREVIOUS');
    m.unreadableSecrets.inc({ kind });
    health.sealFailed();
  };
  const cacheOf = (component: string, store = stores.cache) => new BestEffortCache(store, { log: log.child({ component }) });
  const settings = createWorkspaceSettings({
    store: stores.settings,
    healthStore: cacheOf('health'),
    onUnreadable: unreadable('astro_token'),
    ...(box ? { box } : {}),
    ...(deps.readCacheMs !== undefined ? { readCacheTtlMs: deps.readCacheMs } : {}),
  });
  const defaults = config.astro.apiToken && config.astro.organizationId ? { apiUrl: config.astro.apiUrl, apiToken: config.astro.apiToken, organizationId: config.astro.organizationId } : undefined;
  const defaultsFor = config.mode === 'single' ? ('all' as const) : config.astroEnvTeamIds;
  const namesCache = cacheOf('names');
  const settingsResolver = deps.settings ?? workspaceSettingsResolver({ settings, apiUrl: config.astro.apiUrl, defaultsFor, ...(defaults ? { defaults } : {}) });
  const catalog = createCatalog({ astro, cache: cacheOf('catalog', stores.cache), loadOnPeek: deps.features?.warmCatalog !== false, ttlMs: Math.max(config.cacheTtlSeconds * 1000, 60 * 60 * 1000), log: log.child({ component: 'catalog' }) });
  const access = createAccessLookup({ astro, catalog, settings: settingsResolver, cacheTtlMs: config.cacheTtlSeconds * 1000, astroUiUrl: config.astroUiUrl });
  const once = boundedOnceStore(stores.once, STRICT_STORE_TIMEOUT_MS);
  const capabilities = createCapabilities({
    astro,
    cache: cacheOf('capabilities'),
    settings: settingsResolver,
    claimOnce: (key, ttlMs) => once.claim(key, ttlMs),
    log: log.child({ component: 'capabilities' }),
    ...(defaults ? { defaults } : {}),
  });
  const lookup = createLookup({
    astro,
    ...(deps.features?.names === false
      ? {}
      : {
          names: createNameResolver({
            astro,
            cache: namesCache,
            known: async (key, target) => {
              const kept = await catalog.peek(key, target);
              return kept ? catalogNames(kept) : undefined;
            },
          }),
        }),
    teams: deps.features?.teams ?? true,
    capabilities: (ref, target) => capabilities.capabilitiesFor(ref, target),
    userIndex: createUserIndex({ astro, cache: namesCache, ttlMs: config.cacheTtlSeconds * 1000, log: log.child({ component: 'user-index' }) }),
    settings: settingsResolver,
    cache: cacheOf('cache'),
    cacheTtlMs: config.cacheTtlSeconds * 1000,
    hot: { ttlMs: config.cacheHotSeconds * 1000, max: HOT_MAX_USERS },
    onCacheRead: (hit) => m.cache.inc({ result: hit ? 'hit' : 'miss' }),
    ...(deps.lookupDeadlineMs ? { deadlineMs: deps.lookupDeadlineMs } : {}),
  });

  const installationStore =
    config.mode === 'multi' && box
      ? createInstallationStore({
          store: stores.installs,
          box,
          onUnreadable: unreadable('installation'),
          ...(config.allowedTeamIds ? { allowed: config.allowedTeamIds } : {}),
          ...(deps.readCacheMs !== undefined ? { memoryTtlMs: Math.max(1, deps.readCacheMs) } : {}),
        })
      : undefined;
  // Scheduled reports post the admin report; `services` is read when a report is made.
  const reportSource = deps.reports?.source ?? adminReportSource(() => services, config.astroUiUrl);
  const services: WorkspaceDeps & Claims & WithReports = {
    lookup,
    access,
    recent: createRecentLookups({ store: cacheOf('recent', stores.recent) }),
    throttle: createThrottle(config.limits, stores.redis),
    settings,
    countLookup: (surface, outcome) => m.lookups.inc({ surface, outcome }),
    usesDefaults: (ref: InstallationRef) => Boolean(defaults) && defaultsServe(defaultsFor, ref),
    capabilities: (ref, options) => capabilities.capabilitiesOf(ref, options),
    probeCapabilities: (ref, target) => capabilities.probe(ref, target),
    astro,
    astroApiUrl: config.astro.apiUrl,
    clearWorkspace: async (key, what) => {
      lookup.forget(key);
      catalog.forget(key);
      await stores.deleteWhere('cache', ofWorkspace(key)).catch((err: unknown) => log.warn({ err }, 'could not clear the workspace cache'));
      if (what.history) await stores.deleteWhere('recent', ofWorkspace(key));
    },
    ...(installationStore ? { installations: installationStore } : {}),
    claimOnce: (key, ttlMs) => once.claim(key, ttlMs),
    reports: { schedules: createReportSchedules({ store: stores.settings, sets: stores.sets }), source: reportSource, resolveTarget: (ref: InstallationRef) => settingsResolver.resolve(ref), now: deps.reports?.now ?? Date.now },
    orgData: createOrgDataSource({ astro, settings: settingsResolver, cache: cacheOf('org-data'), ttlMs: Math.min(config.cacheTtlSeconds, ORG_DATA_TTL_SECONDS) * 1000 }),
    adminUserIds: config.adminUserIds,
    roles: createRoleCatalog({ astro, settings: settingsResolver, cache: cacheOf('roles'), ttlMs: config.cacheTtlSeconds * 1000, log: log.child({ component: 'roles' }) }),
  };

  return { services, lookup, catalog, metrics: m, health, capabilities, ...(box ? { box } : {}), ...(installationStore ? { installationStore } : {}), ...(defaults ? { defaults } : {}) };
}

/**
 * Creates the app: logger, stores, Astro client with its resilience policy, lookup, abuse limits,
 * metrics, the use cases' services, the Bolt app with its receiver, routes and listeners.
 * @throws {Error} when a store cannot be opened (e.g. the SQLite file's folder is not writable).
 */
export async function createApp(config: Config, deps: AppDeps = {}): Promise<AstroUserApp> {
  const log = deps.log ?? createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  const stores = deps.stores ?? (await openStores(config.store, { log }));

  const { services, lookup, catalog, metrics: m, health, box, installationStore, defaults: envTarget, capabilities } = createServices(config, { ...deps, log, stores });
  const responder = createResponder({ timeoutMs: RESPOND_TIMEOUT_MS });
  const socketMode = Boolean(config.slack.appToken);
  const auth =
    config.mode === 'multi' && config.slack.oauth && installationStore
      ? installOptions({ ...config, oauth: config.slack.oauth }, installationStore, { log, clientOptions: webClientOptions(config), socketMode })
      : { token: config.slack.botToken };
  const bolt = createBoltApp(config, {
    log,
    routes: customRoutes(stores, health, m, config.metricsToken),
    onSocket: (connected) => {
      health.socket(connected);
      if (!connected) log.warn('Socket Mode connection to Slack is down; reconnecting');
    },
    auth,
    responder,
    ...(deps.processBeforeResponse !== undefined ? { processBeforeResponse: deps.processBeforeResponse } : {}),
  });
  const directoryFor = createPeople({ adminUserIds: config.adminUserIds });
  const astroUiUrl = config.astroUiUrl;
  registerListeners(bolt.app, {
    services,
    directoryFor,
    cardRefs: createCardRefs(config.encryption?.key.toString('base64') ?? config.slack.signingSecret ?? config.slack.botToken ?? config.slack.appToken ?? ''),
    astroUiUrl,
    log,
    responder,
    progressAfterMs: deps.progressAfterMs ?? PROGRESS_AFTER_MS,
    refreshHome: async (client, installation, userId) => {
      const workspace = workspaceOf(installation);
      const ctx = { workspace, asker: person(userId), directory: directoryFor(client, workspace.key, log) };
      await publishHome(client, { userId, state: async () => ({ ...(await homeData(services, ctx, true)), astroUiUrl }), log });
    },
  });

  // Scheduled reports: one check a minute; each slot is claimed in the shared store, so one instance posts it.
  const reports = services.reports;
  const reportDeps = reports && {
    schedules: reports.schedules,
    claimOnce: services.claimOnce,
    resolveTarget: reports.resolveTarget,
    source: reports.source,
    poster: createReportPoster({ tokenFor: botTokenFor({ ...(installationStore ? { installationStore } : {}), ...(config.slack.botToken ? { botToken: config.slack.botToken } : {}) }), clientOptions: webClientOptions(config), log }),
    auditLogs: createAuditLogReader(services.astro),
    ...(services.capabilities ? { capabilities: services.capabilities } : {}),
    log: log.child({ component: 'reports' }),
  };
  const ticker = reportDeps
    ? createReportTicker({
        log,
        ...(deps.reports?.tickMs ? { intervalMs: deps.reports.tickMs } : {}),
        now: reports.now,
        ...(deps.reports?.onTick ? { onTick: deps.reports.onTick } : {}),
        run: (now) => runDueReports(reportDeps, now),
      })
    : undefined;

  // SQLite never deletes expired rows by itself (https://github.com/jaredwray/keyv/issues/963): purge them on a schedule.
  const purgeTimer = setInterval(() => {
    stores
      .purgeExpired()
      .then((n) => n > 0 && log.debug({ rows: n }, 'purged expired store rows'))
      .catch((err: unknown) => log.warn({ err }, 'could not purge expired store rows'));
  }, PURGE_INTERVAL_MS);
  purgeTimer.unref();
  // The organization catalogs in use are kept warm, so that answers never wait for them.
  const warmTimer = setInterval(() => catalog.warmRecent(), CATALOG_WARM_INTERVAL_MS);
  warmTimer.unref();

  let stopping: Promise<void> | undefined;
  let started = false;
  return {
    app: bolt.app,
    lookup,
    stores,
    metrics: m,
    log,
    async start() {
      // ENCRYPTION_KEY must open what is stored: a wrong key stops start-up with one line.
      if (box) {
        const check = await checkEncryptionKey(stores, box).catch((err: unknown) => {
          log.warn({ err }, 'could not check ENCRYPTION_KEY against the store (it is not answering); starting anyway');
          return undefined;
        });
        if (check && 'problem' in check) {
          if (check.problem === 'wrong_key') throw new Error(describeKeyProblem(check));
          log.warn({ count: check.count }, describeKeyProblem(check));
        } else if (check && check.unreadable > 0) log.warn({ unreadable: check.unreadable }, 'some stored secrets open with no configured key');
      }
      // An expired ASTRO_API_TOKEN stops start-up; a refused or unreachable one is only logged.
      // What it can reach is probed, and its organization catalog read (or taken from the store), in
      // the background: never delaying or failing start-up.
      if (envTarget && deps.checkAstroTokenAtStart !== false && (await checkEnvToken(services.astro, envTarget, log)) !== 'unreadable') {
        void capabilities.probeOperatorToken();
        if (deps.features?.warmCatalog !== false) catalog.warm('env', envTarget);
      }
      const port = await startBolt(bolt, config);
      started = true;
      ticker?.start();
      return port;
    },
    stop(graceMs = 8000) {
      stopping ??= (async () => {
        clearInterval(purgeTimer);
        clearInterval(warmTimer);
        capabilities.stop();
        if (started) await bolt.app.stop().catch((err: unknown) => log.warn({ err }, 'error while stopping the Slack receiver'));
        if (bolt.inFlight.size > 0) log.info({ requests: bolt.inFlight.size }, 'waiting for requests in flight');
        await drain(bolt.inFlight, graceMs);
        await responder.close().catch(() => undefined);
        await stores.close();
      })();
      return stopping;
    },
  };
}
