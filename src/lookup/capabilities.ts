/**
 * What each installation's Astro token can reach: one cheap request per feature (a page of one
 * item), kept per installation and token so that features the token cannot reach are hidden and
 * App Home can name the role that would enable them.
 *
 * Which roles may call which endpoint is not documented per role (each operation names only its
 * permission, the spec's `x-permission`: https://api.astronomer.io/spec/v1), so the answer is
 * asked of Astro: 200 → `ok`, 403 → `denied`; anything else (401: the token itself is refused,
 * which Connect Astro and the start-up check already report; 404; 429; 5xx; no answer) → `unknown`,
 * and the feature is simply tried.
 *
 * Where results are kept: the best-effort `cache` namespace (SQLite file or Redis, so they survive
 * restarts and are shared by instances), not the strict `settings` one. They are not secret and can
 * always be asked again, so losing them costs one probe; and every lookup that may skip a request
 * reads them, so a read must never fail or wait on a store that is down (the best-effort cache
 * answers "unknown" within 250 ms instead). This process also remembers its own last results, used
 * when the store does not answer. Entries are keyed by the installation (the operator's
 * `ASTRO_API_TOKEN` is shared by the installations it serves: `operator`) and a fingerprint of the
 * token, so a new token starts unprobed and a late probe of an old one cannot be mistaken for it;
 * the installation's entries go with its other cached data (Disconnect, uninstall).
 *
 * Astro allows the audit-log endpoint only two requests a minute (Astro API changelog, 2024-11-19:
 * https://www.astronomer.io/docs/api/platform/changelog/2024/11/19), so a probe asks it once,
 * without retries, and probes run once per save and start-up, then at most once a day per token
 * (an hour when some answer was unclear), single-flight in this process and, with a shared store,
 * across instances.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { AstroClient, AstroTarget, CallOptions } from '../astro/client.js';
import { AstroApiError } from '../astro/errors.js';
import { UNPROBED, type AstroFeature, type Capabilities, type FeatureState } from '../core/capabilities.js';
import type { Logger } from '../logger.js';
import type { BestEffortCache } from '../store/best-effort-cache.js';
import { installationKey, type InstallationRef, type SettingsResolver } from './settings.js';

/** Every feature, in the order App Home lists them. */
export const FEATURES: readonly AstroFeature[] = ['users', 'teams', 'tokens', 'roles', 'catalog', 'audit_logs'];

/** Time one probe may take, all requests together, in ms. */
export const PROBE_DEADLINE_MS = 6000;
/** Length of the audit-log window a probe asks for, in ms (one minute: the answer is small). */
const AUDIT_WINDOW_MS = 60_000;
/** How far ahead of this instance's clock a kept result may be dated, in ms (other instances' clocks). */
const MAX_CLOCK_AHEAD_MS = 5 * 60_000;

/**
 * What an error of a probe request says about the feature: 403 → `denied`; everything else,
 * 401 included (the token itself is refused: no feature is "denied" for that), → `unknown`.
 */
function stateOf(err: unknown): FeatureState {
  return err instanceof AstroApiError && err.kind === 'forbidden' ? 'denied' : 'unknown';
}

/** An ISO 8601 UTC date-time with whole seconds, as the audit-log endpoint takes it. */
const isoSeconds = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/**
 * Probes what `target`'s token can reach: one request per feature, all at once (the resilience
 * policy around `astro` keeps them within Astro's rate limit): ListUsers, ListTeams, ListApiTokens,
 * ListRoles and ListWorkspaces with a page of one, and GetOrganizationAuditLogs for the last minute,
 * asked once (no retry: Astro allows it two requests a minute).
 * @param options.signal bounds the whole probe; a request cut short answers `unknown`.
 * @param options.now the current time in ms since the epoch (tests).
 * @returns the state of each feature, `checkedAt` = `now`. Never throws.
 */
export async function probeCapabilities(astro: AstroClient, target: AstroTarget, options: { signal?: AbortSignal; now?: number } = {}): Promise<Capabilities> {
  const now = options.now ?? Date.now();
  const call: CallOptions = options.signal ? { signal: options.signal } : {};
  const requests: Record<AstroFeature, () => Promise<unknown>> = {
    users: () => astro.listUsers(target, { offset: 0, limit: 1 }, call),
    teams: () => astro.listTeams(target, { limit: 1 }, call),
    tokens: () => astro.listApiTokens(target, { limit: 1 }, call),
    roles: () => astro.listRoles(target, { limit: 1 }, call),
    catalog: () => astro.listAllWorkspaces(target, { limit: 1 }, call),
    audit_logs: () => astro.getOrganizationAuditLogs(target, { startDate: isoSeconds(now - AUDIT_WINDOW_MS), endDate: isoSeconds(now) }, { ...call, maxAttempts: 1 }),
  };
  const states = await Promise.all(
    FEATURES.map(async (feature) => {
      try {
        await requests[feature]();
        return 'ok' as const;
      } catch (err) {
        return stateOf(err);
      }
    }),
  );
  return { ...(Object.fromEntries(FEATURES.map((f, i) => [f, states[i]])) as Record<AstroFeature, FeatureState>), checkedAt: now };
}

const State = z.enum(['ok', 'denied', 'unknown']);
/** A stored probe result. */
const StoredCapabilities = z.object({ users: State, teams: State, tokens: State, roles: State, catalog: State, audit_logs: State, checkedAt: z.number().int().nonnegative() });

/** Options of {@link createCapabilities}. All durations in ms. */
export interface CapabilitiesOptions {
  /** The Astro client, with its resilience policy (rate limit, retries). */
  astro: AstroClient;
  /** The best-effort cache namespace (see the module comment for why not `settings`). */
  cache: BestEffortCache;
  /** Which target (token) serves an installation. */
  settings: SettingsResolver;
  /** The operator's `ASTRO_*` target, when set: the installations it serves share one result. */
  defaults?: AstroTarget;
  /**
   * Claims `key` for `ttlMs` across instances (true for the first claimer), so that only one
   * instance re-probes a token; may throw when its store is down (then no background re-probe).
   * Without it, each instance decides alone.
   */
  claimOnce?: (key: string, ttlMs: number) => Promise<boolean>;
  log: Logger;
  /** A result older than this is probed again (lazily, in the background). Default one day. */
  maxAgeMs?: number;
  /** A result with some `unknown` answer is probed again after this. Default one hour. */
  retryUnknownAfterMs?: number;
  /** How long results are kept in the store. Default 30 days. */
  keepMs?: number;
  /** Time one probe may take, in ms. Default {@link PROBE_DEADLINE_MS}. */
  probeDeadlineMs?: number;
  /** Clock, in ms since the epoch (tests). */
  now?: () => number;
}

/** Options of {@link CapabilityStore.capabilitiesOf}. */
export interface CapabilitiesReadOptions {
  /**
   * Start a probe in the background when the result is missing or old (default true). App Home
   * passes false: opening Home never calls Astro.
   */
  probeIfStale?: boolean;
}

/** Probe results per installation and token. */
export interface CapabilityStore {
  /**
   * What the installation's current token can reach, as last probed; {@link UNPROBED} when it was
   * never probed, when Astro is not connected, or when the settings cannot be read. May start a
   * background re-probe (see {@link CapabilitiesReadOptions}). Never throws.
   */
  capabilitiesOf(installation: InstallationRef, options?: CapabilitiesReadOptions): Promise<Capabilities>;
  /** As {@link CapabilityStore.capabilitiesOf}, for the target already resolved for `installation`. Never throws. */
  capabilitiesFor(installation: InstallationRef, target: AstroTarget, options?: CapabilitiesReadOptions): Promise<Capabilities>;
  /**
   * Probes `target` (the token just saved for `installation`) now and keeps the result; joins a
   * probe of the same token already running here. Never throws.
   */
  probe(installation: InstallationRef, target: AstroTarget): Promise<Capabilities>;
  /**
   * Start-up: probes the operator's token unless a result of it younger than `freshMs` (default
   * 10 minutes) is kept or another instance is probing it. Never throws.
   * @returns the result, or undefined when no operator token is set or the probe was skipped.
   */
  probeOperatorToken(freshMs?: number): Promise<Capabilities | undefined>;
  /** Resolves when the probes running now have finished (tests). */
  settled(): Promise<void>;
  /** Shutdown: cancels the probes running now (nothing more is kept) and starts no more. */
  stop(): void;
}

/** A short fingerprint of a target's token (API base, organization, token): tells tokens apart and reveals nothing of them. */
function fingerprint(target: AstroTarget): string {
  return createHash('sha256').update(`${target.apiUrl}\n${target.organizationId}\n${target.apiToken}`, 'utf8').digest('hex').slice(0, 32);
}

/** Creates the {@link CapabilityStore}. */
export function createCapabilities(options: CapabilitiesOptions): CapabilityStore {
  const { astro, cache, log } = options;
  const now = options.now ?? Date.now;
  const maxAgeMs = options.maxAgeMs ?? 24 * 3600_000;
  const retryUnknownAfterMs = options.retryUnknownAfterMs ?? 3600_000;
  const keepMs = options.keepMs ?? 30 * 24 * 3600_000;
  const deadlineMs = options.probeDeadlineMs ?? PROBE_DEADLINE_MS;
  /** Results this process probed, by store key: used when the store does not answer. */
  const known = new LRUCache<string, Capabilities>({ max: 1000 });
  /** Results (key and `checkedAt`) whose background re-probe was tried here lately, claimed or not: not tried again within 5 minutes. */
  const tried = new LRUCache<string, true>({ max: 1000, ttl: Math.min(retryUnknownAfterMs, 5 * 60_000) });
  const inFlight = new Map<string, Promise<Capabilities>>();
  /** Background re-probes from their claim on (for {@link CapabilityStore.settled}). */
  const background = new Set<Promise<unknown>>();
  const stopping = new AbortController();

  /** The scope of a target: `operator` for the operator's token, else the installation's key. */
  const scopeOf = (installation: InstallationRef, target: AstroTarget) =>
    options.defaults && target.apiToken === options.defaults.apiToken && target.apiUrl === options.defaults.apiUrl ? 'operator' : installationKey(installation);
  const keyOf = (scope: string, target: AstroTarget) => ['capabilities', 'v1', scope, fingerprint(target)].map(encodeURIComponent).join(':');

  async function read(key: string): Promise<Capabilities | undefined> {
    const parsed = StoredCapabilities.safeParse(await cache.get(key));
    const kept = parsed.success ? parsed.data : known.get(key);
    // A result dated ahead of this clock (a tampered store, an instance whose clock is far off)
    // would never grow old, so never be probed again: it is not read.
    return kept && kept.checkedAt <= now() + MAX_CLOCK_AHEAD_MS ? kept : undefined;
  }

  function isStale(c: Capabilities): boolean {
    const age = now() - c.checkedAt;
    return c.checkedAt === 0 || age > maxAgeMs || (age > retryUnknownAfterMs && FEATURES.some((f) => c[f] === 'unknown'));
  }

  /** Probes `target` under `key`, single-flight in this process, and keeps the result. */
  function run(key: string, scope: string, target: AstroTarget, why: string): Promise<Capabilities> {
    const running = inFlight.get(key);
    if (running) return running;
    if (stopping.signal.aborted) return Promise.resolve({ ...UNPROBED });
    const signal = AbortSignal.any([AbortSignal.timeout(deadlineMs), stopping.signal]);
    const started = (async () => {
      const result = await probeCapabilities(astro, target, { signal, now: now() });
      if (stopping.signal.aborted) return result;
      known.set(key, result);
      await cache.set(key, result, keepMs);
      const denied = FEATURES.filter((f) => result[f] === 'denied');
      const unknown = FEATURES.filter((f) => result[f] === 'unknown');
      log.info({ capabilities: { scope, why, denied, unknown } }, denied.length > 0 ? `the Astro token of ${scope} cannot reach: ${denied.join(', ')}` : `probed what the Astro token of ${scope} can reach`);
      return result;
    })().finally(() => inFlight.delete(key));
    inFlight.set(key, started);
    return started;
  }

  /**
   * Claims the right to probe `key` whose kept result was checked at `checkedAt` (0: none), across
   * instances: every instance that finds the same result old competes for the same claim, and a
   * new result makes a new one. True without a claim store. Never throws.
   */
  async function claim(key: string, checkedAt: number): Promise<boolean> {
    if (!options.claimOnce) return true;
    try {
      return await options.claimOnce(`probe:${key}:${checkedAt}`, 10 * 60_000);
    } catch (err) {
      log.debug({ err }, 'could not claim a capability probe (store not answering); skipped');
      return false;
    }
  }

  /** Re-probes in the background when `caps` is stale: at most one try per key in a while, and one instance at a time. */
  function refreshIfStale(key: string, scope: string, target: AstroTarget, caps: Capabilities): void {
    const attempt = `${key}:${caps.checkedAt}`;
    if (!isStale(caps) || inFlight.has(key) || tried.has(attempt) || stopping.signal.aborted) return;
    tried.set(attempt, true);
    const job = claim(key, caps.checkedAt)
      .then((mine) => (mine ? run(key, scope, target, caps.checkedAt === 0 ? 'never probed' : 'old') : undefined))
      .finally(() => background.delete(job));
    background.add(job);
  }

  async function capabilitiesFor(installation: InstallationRef, target: AstroTarget, read_: CapabilitiesReadOptions = {}): Promise<Capabilities> {
    try {
      const scope = scopeOf(installation, target);
      const key = keyOf(scope, target);
      const caps = (await read(key)) ?? { ...UNPROBED };
      if (read_.probeIfStale !== false) refreshIfStale(key, scope, target, caps);
      return caps;
    } catch (err) {
      log.warn({ err }, 'could not read what the Astro token can reach');
      return { ...UNPROBED };
    }
  }

  return {
    capabilitiesFor,
    async capabilitiesOf(installation, read_) {
      let target: AstroTarget | undefined;
      try {
        target = await options.settings.resolve(installation);
      } catch {
        return { ...UNPROBED };
      }
      return target ? capabilitiesFor(installation, target, read_) : { ...UNPROBED };
    },
    async probe(installation, target) {
      try {
        const scope = scopeOf(installation, target);
        return await run(keyOf(scope, target), scope, target, 'token saved');
      } catch (err) {
        log.warn({ err }, 'could not probe what the Astro token can reach');
        return { ...UNPROBED };
      }
    },
    async probeOperatorToken(freshMs = 10 * 60_000) {
      const target = options.defaults;
      if (!target) return undefined;
      const key = keyOf('operator', target);
      const kept = await read(key);
      if (kept && now() - kept.checkedAt < freshMs) return undefined;
      if (!(await claim(key, kept?.checkedAt ?? 0))) return undefined;
      return run(key, 'operator', target, 'start-up');
    },
    async settled() {
      while (inFlight.size > 0 || background.size > 0) await Promise.allSettled([...inFlight.values(), ...background]);
    },
    stop() {
      stopping.abort();
    },
  };
}
