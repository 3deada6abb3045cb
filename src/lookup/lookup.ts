/**
 * The use case: look up one Astro user for one Slack installation, read-through the cache,
 * with concurrent misses for the same key coalesced into one upstream request and an overall
 * deadline. Knows nothing of Block Kit.
 */
import type { AstroClient, AstroTarget } from '../astro/client.js';
import { AstroApiError } from '../astro/errors.js';
import { mayTry, type Capabilities } from '../core/capabilities.js';
import { OutcomeError } from '../core/outcomes.js';
import { deadlineSignal } from '../astro/policy.js';
import { CachedUserSchema, UserTeamSchema, type AstroUser, type AstroUserTeam } from '../astro/schemas.js';
import type { NameResolver, ResolvedNames } from './names.js';
import type { AstroIndexedUser, UserIndex } from './user-index.js';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { BestEffortCache } from '../store/best-effort-cache.js';
import { installationKey, type InstallationRef, type SettingsResolver } from './settings.js';

/** Cached Teams roles: the teams (re-validated), "unsupported" or "denied". */
const CachedTeamsSchema = z
  .union([z.object({ teams: z.array(UserTeamSchema) }), z.object({ unavailable: z.enum(['unsupported', 'denied']) })])
  .optional();

/** A remembered 404: `{ notFound: true, requestId? }`. */
const NotFoundSchema = z.object({ notFound: z.literal(true), requestId: z.string().max(128).optional() });

/** Thrown when the installation has no Astro settings. */
export class NotConfiguredError extends OutcomeError {
  constructor() {
    super({ code: 'not_configured' }, 'Astro is not connected for this Slack installation');
    this.name = 'NotConfiguredError';
  }
}

/**
 * Roles the user holds through Astro Teams (v1 `ListUserTeams`), or why they are not shown:
 * `unsupported` when the API base has no such endpoint (404, e.g. v1beta1), `denied` when the
 * token's role may not read Teams (403, or the token's probed capabilities say so: then no
 * request is made), `failed` otherwise.
 */
export type TeamRoles = { teams: AstroUserTeam[] } | { unavailable: 'unsupported' | 'denied' | 'failed' };

/** What a lookup found. */
export interface LookupResult {
  user: AstroUser;
  /** When Astro answered, in ms since the epoch (earlier than now on a cache hit). */
  fetchedAt: number;
  /** True when the answer came from the cache. */
  fromCache: boolean;
  /** Roles through Teams, when the lookup asked for them. */
  teams?: TeamRoles;
  /** Names of the workspaces and deployments in the user's roles, when a name resolver is set. */
  names?: ResolvedNames;
}

/** No Astro user has that email (or the index could not be read). */
export class EmailNotFoundError extends OutcomeError {
  constructor() {
    super({ code: 'email_not_found' }, 'no Astro user with that email');
    this.name = 'EmailNotFoundError';
  }
}

/** Options of {@link createLookup}. */
export interface LookupOptions {
  astro: AstroClient;
  settings: SettingsResolver;
  cache: BestEffortCache;
  /** How long a found user stays cached, in ms. */
  cacheTtlMs: number;
  /** Overall time allowed for one lookup, cache and retries included, in ms. Default 8000. */
  deadlineMs?: number;
  /** How long a "no such user" answer is remembered, in ms. Default 30000. */
  notFoundTtlMs?: number;
  /** Clock, in ms since the epoch (tests). */
  now?: () => number;
  /** Told of every cache read of a user: true on a hit (metrics). */
  onCacheRead?: (hit: boolean) => void;
  /** Resolves workspace and deployment names (names instead of IDs); none when absent. */
  names?: NameResolver;
  /** The per-organization user index, for lookup by email and by name. */
  userIndex?: UserIndex;
  /** Also fetch the roles held through Teams (`ListUserTeams`). Default false. */
  teams?: boolean;
  /**
   * What the installation's token can reach (never throws): when it says `teams: 'denied'`, no
   * `ListUserTeams` request is made and the card says roles via Teams are not shown. Read only
   * when Astro is asked (not on a cache hit). Absent: Teams are always tried.
   */
  capabilities?: (installation: InstallationRef, target: AstroTarget) => Promise<Capabilities>;
  /**
   * Keep found users in this process too, ready to show (validated, names resolved), at most `max`
   * of them. For `ttlMs` (0: never; never past their cache entry's end) a user looked up again is
   * answered without reading the store; with several instances on one shared store, an instance
   * may then show a card up to `ttlMs` older than another's Refresh (the card says "as of"). After
   * that, a store hit whose entry is the one kept (same `fetchedAt`) reuses it instead of
   * validating it and resolving its names again. Off when absent.
   */
  hot?: { ttlMs: number; max: number };
}

/** A request to look up one user. */
export interface LookupRequest {
  installation: InstallationRef;
  /** A well-formed Astro user ID (the caller validates the format). */
  userId: string;
  /** Skip the cache read (Refresh); the answer is still written to the cache. */
  bypassCache?: boolean;
}

/** A request answered from the cache alone (no Astro call), e.g. to redraw App Home. */
export type CachedLookupRequest = Omit<LookupRequest, 'bypassCache'>;

/** The lookup use case. */
export interface Lookup {
  /**
   * Finds a user. A 404 is remembered for `notFoundTtlMs` (Refresh asks Astro again).
   * @throws {NotConfiguredError} when the installation has not connected Astro.
   * @throws {AstroApiError} when Astro refuses or fails, or the deadline passes (`timeout`).
   */
  lookupUser(request: LookupRequest): Promise<LookupResult>;
  /**
   * The cached answer for a user, or undefined on a miss. Never calls Astro.
   * @throws {NotConfiguredError} when the installation has not connected Astro.
   */
  cachedUser(request: CachedLookupRequest): Promise<LookupResult | undefined>;
  /**
   * The Astro user whose username is `email` (case-insensitive), from the organization's index.
   * @returns the user's ID.
   * @throws {EmailNotFoundError} when none; {@link NotConfiguredError}; {@link AstroApiError}.
   */
  findByEmail(installation: InstallationRef, email: string): Promise<string>;
  /**
   * Users whose full name or username starts with `text`, best first (at most `limit`, default 10).
   * @throws {NotConfiguredError}; {@link AstroApiError} when the index cannot be built.
   */
  search(installation: InstallationRef, text: string, limit?: number): Promise<AstroIndexedUser[]>;
  /**
   * Drops what this process keeps in memory for an installation (`installationKey`), after its
   * Astro connection changed or it was uninstalled; the shared store is cleared by the caller.
   * Answers of lookups still in flight (under the old token) are then neither cached nor kept.
   */
  forget(installation: string): void;
}

/**
 * The cache key of a user: installation, organization and user, each URI-encoded, so that two
 * Slack workspaces or two organizations can never read each other's entries.
 */
export function userCacheKey(installation: string, target: AstroTarget, userId: string): string {
  return ['user', 'v1', installation, target.organizationId, userId].map(encodeURIComponent).join(':');
}

/** Why a failed `ListUserTeams` shows no Teams: no such endpoint (404), not allowed (403), or failed. */
function teamsFailure(err: unknown): 'unsupported' | 'denied' | 'failed' {
  if (err instanceof AstroApiError && err.kind === 'not_found') return 'unsupported';
  if (err instanceof AstroApiError && err.kind === 'forbidden') return 'denied';
  return 'failed';
}

/** Creates the {@link Lookup} use case. */
export function createLookup(options: LookupOptions): Lookup {
  const { astro, settings, cache, cacheTtlMs } = options;
  const deadlineMs = options.deadlineMs ?? 8000;
  const notFoundTtlMs = options.notFoundTtlMs ?? 30_000;
  const wantTeams = options.teams ?? false;
  const namesInFlight = new Map<string, Promise<ResolvedNames>>();

  /** Adds workspace and deployment names (cached an hour; a failure only means IDs are shown). */
  async function withNames(result: LookupResult, installation: InstallationRef, target: AstroTarget): Promise<LookupResult> {
    if (!options.names) return result;
    const u = result.user;
    const teamRoles = result.teams && 'teams' in result.teams ? result.teams.teams : [];
    const workspaceIds = [...u.workspaceRoles.map((r) => r.workspaceId), ...teamRoles.flatMap((t) => t.workspaceRoles.map((r) => r.workspaceId))];
    const deploymentIds = [
      ...u.deploymentRoles.map((r) => r.deploymentId),
      ...u.dagRoles.map((r) => r.deploymentId),
      ...teamRoles.flatMap((t) => [...t.deploymentRoles, ...t.dagRoles].map((r) => r.deploymentId)),
    ];
    if (workspaceIds.length === 0 && deploymentIds.length === 0) return result;
    // Concurrent lookups of the same user share one name resolution (as they share one GetUser).
    const flightKey = [installationKey(installation), target.organizationId, ...workspaceIds, '|', ...deploymentIds].join(',');
    let names = namesInFlight.get(flightKey);
    if (!names) {
      const resolver = options.names;
      names = resolver
        .resolve(installationKey(installation), target, { workspaceIds, deploymentIds }, AbortSignal.timeout(3000))
        .finally(() => namesInFlight.delete(flightKey));
      namesInFlight.set(flightKey, names);
    }
    return { ...result, names: await names };
  }
  const now = options.now ?? Date.now;
  const inFlight = new Map<string, Promise<LookupResult>>();
  // Results handed out again as they are (the same object): callers must not change them.
  const max = options.hot?.max ?? 0;
  /** Users answered from memory without reading the store, for the hot TTL. */
  const hot = max > 0 && (options.hot?.ttlMs ?? 0) > 0 ? new LRUCache<string, LookupResult>({ max }) : undefined;
  /**
   * The last result (validated, names resolved) of each key, handed out again while the store
   * still holds that same entry (same `fetchedAt`): a store hit then skips validation, the name
   * lookups and, through the same user object, drawing the card again.
   */
  const seen = max > 0 ? new LRUCache<string, LookupResult>({ max }) : undefined;

  /**
   * Each installation's generation: {@link Lookup.forget} moves it on, and an answer fetched or
   * read under an earlier generation (with the token that was just replaced) is neither cached
   * nor kept.
   */
  const generations = new Map<string, number>();
  const generationOf = (installation: string) => generations.get(installation) ?? 0;

  /**
   * Keeps a fresh or store-read result (with names) for reuse, and hot for at most the hot TTL,
   * never past its cache entry. A result whose Teams call or name lookup failed is not kept, and
   * removes an older one: the next lookup reads the store (or asks again), as without memory.
   */
  function keep(key: string, installation: string, generation: number, result: LookupResult): LookupResult {
    if (!seen || generationOf(installation) !== generation) return result;
    // A slow store read must not replace a newer answer (a Refresh that finished first).
    if (Math.max(hot?.peek(key)?.fetchedAt ?? -Infinity, seen.peek(key)?.fetchedAt ?? -Infinity) > result.fetchedAt) return result;
    const failed = result.names?.failed === true || (result.teams !== undefined && 'unavailable' in result.teams && result.teams.unavailable === 'failed');
    const ttl = Math.min(options.hot?.ttlMs ?? 0, result.fetchedAt + cacheTtlMs - now());
    if (failed) {
      seen.delete(key);
      hot?.delete(key);
      return result;
    }
    const kept = result.fromCache ? result : { ...result, fromCache: true };
    seen.set(key, kept);
    if (ttl > 0) hot?.set(key, kept, { ttl });
    else hot?.delete(key);
    return result;
  }

  async function fetchAndStore(key: string, ref: InstallationRef, installation: string, target: AstroTarget, userId: string): Promise<LookupResult> {
    const generation = generationOf(installation);
    const current = () => generationOf(installation) === generation;
    const signal = deadlineSignal(deadlineMs);
    const teamsDenied = wantTeams && options.capabilities ? !mayTry(await options.capabilities(ref, target), 'teams') : false;
    let user: AstroUser;
    // Teams are asked in parallel; if GetUser fails, the Teams call is cancelled (and gives back
    // its rate-limit slot if it was still waiting for one).
    const teamsAbort = new AbortController();
    const teamsCall: Promise<TeamRoles | undefined> = !wantTeams
      ? Promise.resolve(undefined)
      : teamsDenied
        ? Promise.resolve({ unavailable: 'denied' })
        : astro.listUserTeams(target, userId, { limit: 100 }, { signal: AbortSignal.any([signal, teamsAbort.signal]) }).then(
            (page) => ({ teams: page.teams }),
            (err: unknown) => ({ unavailable: teamsFailure(err) }),
          );
    try {
      user = await astro.getUser(target, userId, { signal });
    } catch (err) {
      teamsAbort.abort();
      void teamsCall;
      if (signal.aborted && !(err instanceof AstroApiError && err.kind !== 'timeout')) {
        throw new AstroApiError('timeout', `No answer from Astro within ${deadlineMs} ms`, { cause: err });
      }
      if (err instanceof AstroApiError && err.kind === 'not_found' && current()) {
        // Remember a miss briefly, so that a typo repeated at once does not reach Astro again; a
        // user deleted in Astro since is no longer shown from memory either.
        hot?.delete(key);
        seen?.delete(key);
        void cache.set(key, { notFound: true, ...(err.requestId ? { requestId: err.requestId } : {}) }, notFoundTtlMs);
      }
      throw err;
    }
    const teams = await teamsCall;
    const fetchedAt = now();
    // A failed Teams call is not cached: the next lookup asks again.
    const keepTeams = teams && !('unavailable' in teams && teams.unavailable === 'failed') ? teams : undefined;
    if (current()) void cache.set(key, { user, unreadableRoles: user.unreadableRoles, fetchedAt, ...(keepTeams ? { teams: keepTeams } : {}) }, cacheTtlMs);
    return { user, fetchedAt, fromCache: false, ...(teams ? { teams } : {}) };
  }

  async function keyFor(installation: InstallationRef, userId: string): Promise<[string, AstroTarget]> {
    const target = await settings.resolve(installation);
    if (!target) throw new NotConfiguredError();
    return [userCacheKey(installationKey(installation), target, userId), target];
  }

  /**
   * The cached answer, with names: the result kept from before when the store still holds that
   * same entry, else read and validated afresh; undefined on a miss; a remembered "not found" is
   * thrown again.
   */
  async function readCache(key: string, installation: InstallationRef, target: AstroTarget): Promise<LookupResult | undefined> {
    const value = await cache.get(key);
    const known = seen?.get(key);
    if (known && typeof value === 'object' && value !== null && (value as { fetchedAt?: unknown }).fetchedAt === known.fetchedAt) return known;
    const miss = NotFoundSchema.safeParse(value);
    if (miss.success) {
      throw new AstroApiError('not_found', 'user not found (remembered)', { status: 404, ...(miss.data.requestId ? { requestId: miss.data.requestId } : {}) });
    }
    const cached = CachedUserSchema.safeParse(value);
    if (!cached.success) return undefined;
    const teams = CachedTeamsSchema.safeParse((value as { teams?: unknown }).teams);
    return withNames({ ...cached.data, fromCache: true, ...(teams.success && teams.data ? { teams: teams.data } : {}) }, installation, target);
  }

  return {
    async cachedUser({ installation, userId }) {
      const inst = installationKey(installation);
      const generation = generationOf(inst);
      const [key, target] = await keyFor(installation, userId);
      const kept = hot?.get(key);
      if (kept) return kept;
      const hit = await readCache(key, installation, target);
      return hit ? keep(key, inst, generation, hit) : undefined;
    },

    forget(installation) {
      generations.set(installation, generationOf(installation) + 1);
      const prefix = `${['user', 'v1', installation].map(encodeURIComponent).join(':')}:`;
      // Lookups asked from now on start afresh instead of joining one under the old token.
      for (const key of [...inFlight.keys()]) if (key.startsWith(prefix)) inFlight.delete(key);
      for (const memory of [hot, seen]) if (memory) for (const key of [...memory.keys()]) if (key.startsWith(prefix)) memory.delete(key);
    },

    async findByEmail(installation, email) {
      const target = await settings.resolve(installation);
      if (!target) throw new NotConfiguredError();
      if (!options.userIndex) throw new EmailNotFoundError();
      const found = await options.userIndex.findByEmail(installationKey(installation), target, email, AbortSignal.timeout(deadlineMs));
      if (!found) throw new EmailNotFoundError();
      return found.id;
    },

    async search(installation, text, limit = 10) {
      const target = await settings.resolve(installation);
      if (!target) throw new NotConfiguredError();
      if (!options.userIndex) return [];
      return options.userIndex.search(installationKey(installation), target, text, limit, AbortSignal.timeout(deadlineMs));
    },

    async lookupUser({ installation, userId, bypassCache }) {
      const inst = installationKey(installation);
      const generation = generationOf(inst);
      const [key, target] = await keyFor(installation, userId);
      if (!bypassCache) {
        const kept = hot?.get(key);
        if (kept) {
          options.onCacheRead?.(true);
          return kept;
        }
        const hit = await readCache(key, installation, target).catch((err: unknown) => {
          options.onCacheRead?.(true);
          throw err;
        });
        options.onCacheRead?.(hit !== undefined);
        if (hit) return keep(key, inst, generation, hit);
      }

      let pending = inFlight.get(key);
      if (!pending) {
        const started = fetchAndStore(key, installation, inst, target, userId).finally(() => {
          if (inFlight.get(key) === started) inFlight.delete(key);
        });
        inFlight.set(key, started);
        pending = started;
      }
      return keep(key, inst, generation, await withNames(await pending, installation, target));
    },
  };
}
