/**
 * The use case: look up one Astro user for one Slack installation, read-through the cache,
 * with concurrent misses for the same key coalesced into one upstream request and an overall
 * deadline. Knows nothing of Block Kit.
 */
import type { AstroClient, AstroTarget } from '../astro/client.js';
import { AstroApiError } from '../astro/errors.js';
import { deadlineSignal } from '../astro/policy.js';
import { CachedUserSchema, type AstroUser } from '../astro/schemas.js';
import { z } from 'zod';
import type { BestEffortCache } from '../store/best-effort-cache.js';
import { installationKey, type InstallationRef, type SettingsResolver } from './settings.js';

/** A remembered 404: `{ notFound: true, requestId? }`. */
const NotFoundSchema = z.object({ notFound: z.literal(true), requestId: z.string().max(128).optional() });

/** Thrown when the installation has no Astro settings. */
export class NotConfiguredError extends Error {
  constructor() {
    super('Astro is not connected for this Slack installation');
    this.name = 'NotConfiguredError';
  }
}

/** What a lookup found. */
export interface LookupResult {
  user: AstroUser;
  /** When Astro answered, in ms since the epoch (earlier than now on a cache hit). */
  fetchedAt: number;
  /** True when the answer came from the cache. */
  fromCache: boolean;
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
}

/**
 * The cache key of a user: installation, organization and user, each URI-encoded, so that two
 * Slack workspaces or two organizations can never read each other's entries.
 */
export function userCacheKey(installation: string, target: AstroTarget, userId: string): string {
  return ['user', 'v1', installation, target.organizationId, userId].map(encodeURIComponent).join(':');
}

/** Creates the {@link Lookup} use case. */
export function createLookup(options: LookupOptions): Lookup {
  const { astro, settings, cache, cacheTtlMs } = options;
  const deadlineMs = options.deadlineMs ?? 8000;
  const notFoundTtlMs = options.notFoundTtlMs ?? 30_000;
  const now = options.now ?? Date.now;
  const inFlight = new Map<string, Promise<LookupResult>>();

  async function fetchAndStore(key: string, target: AstroTarget, userId: string): Promise<LookupResult> {
    const signal = deadlineSignal(deadlineMs);
    let user: AstroUser;
    try {
      user = await astro.getUser(target, userId, { signal });
    } catch (err) {
      if (signal.aborted && !(err instanceof AstroApiError && err.kind !== 'timeout')) {
        throw new AstroApiError('timeout', `No answer from Astro within ${deadlineMs} ms`, { cause: err });
      }
      if (err instanceof AstroApiError && err.kind === 'not_found') {
        // Remember a miss briefly, so that a typo repeated at once does not reach Astro again.
        void cache.set(key, { notFound: true, ...(err.requestId ? { requestId: err.requestId } : {}) }, notFoundTtlMs);
      }
      throw err;
    }
    const fetchedAt = now();
    void cache.set(key, { user, unreadableRoles: user.unreadableRoles, fetchedAt }, cacheTtlMs);
    return { user, fetchedAt, fromCache: false };
  }

  async function keyFor(installation: InstallationRef, userId: string): Promise<[string, AstroTarget]> {
    const target = await settings.resolve(installation);
    if (!target) throw new NotConfiguredError();
    return [userCacheKey(installationKey(installation), target, userId), target];
  }

  /** The cached answer: a user, undefined on a miss; a remembered "not found" is thrown again. */
  async function readCache(key: string): Promise<LookupResult | undefined> {
    const value = await cache.get(key);
    const miss = NotFoundSchema.safeParse(value);
    if (miss.success) {
      throw new AstroApiError('not_found', 'user not found (remembered)', { status: 404, ...(miss.data.requestId ? { requestId: miss.data.requestId } : {}) });
    }
    const cached = CachedUserSchema.safeParse(value);
    return cached.success ? { ...cached.data, fromCache: true } : undefined;
  }

  return {
    async cachedUser({ installation, userId }) {
      const [key] = await keyFor(installation, userId);
      return readCache(key);
    },

    async lookupUser({ installation, userId, bypassCache }) {
      const [key, target] = await keyFor(installation, userId);
      if (!bypassCache) {
        const hit = await readCache(key).catch((err: unknown) => {
          options.onCacheRead?.(true);
          throw err;
        });
        options.onCacheRead?.(hit !== undefined);
        if (hit) return hit;
      }

      const pending = inFlight.get(key);
      if (pending) return pending;
      const promise = fetchAndStore(key, target, userId).finally(() => inFlight.delete(key));
      inFlight.set(key, promise);
      return promise;
    },
  };
}
