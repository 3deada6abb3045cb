/**
 * Once-only claims: an atomic set-if-absent with a TTL, used to answer each Slack event once
 * although Slack re-delivers events it thinks timed out (`X-Slack-Retry-Num`). keyv has no
 * atomic set-if-absent, so each backend uses its own primitive: Redis `SET NX PX`, SQLite
 * `INSERT … ON CONFLICT … RETURNING`, and a Map in memory. Strict: errors reject, never mean
 * "not claimed yet".
 */
import type { createClient } from '@keyv/redis';
import { LRUCache } from 'lru-cache';
import { OutcomeError } from '../core/outcomes.js';

/** A strict store did not answer (error or timeout): the caller must not guess. */
export class StoreUnavailableError extends OutcomeError {
  constructor(message = 'the store is not answering', options?: { cause?: unknown }) {
    super({ code: 'store_unavailable' }, message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** How long a strict store call may take before it counts as unavailable, in ms. */
export const STRICT_TIMEOUT_MS = 1500;

/**
 * Runs a strict store call: any failure, or no answer within `timeoutMs` (ms; a Redis that is
 * stalled but still connected never answers, and its client has no command timeout), becomes
 * {@link StoreUnavailableError}, so the caller never waits past its own deadlines.
 * @throws {StoreUnavailableError}
 */
export async function strictCall<T>(call: Promise<T>, what: string, timeoutMs = STRICT_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreUnavailableError(`${what} did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  call.catch(() => undefined);
  try {
    return await Promise.race([
      call.catch((err: unknown) => {
        throw new StoreUnavailableError(`${what} failed`, { cause: err });
      }),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Wraps a strict store so that each claim answers within `timeoutMs` or rejects with
 * {@link StoreUnavailableError} (a Redis that accepts connections but never answers would
 * otherwise hang the caller).
 */
export function boundedOnceStore(store: OnceStore, timeoutMs: number): OnceStore {
  return {
    async claim(key, ttlMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new StoreUnavailableError(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        return await Promise.race([
          store.claim(key, ttlMs).catch((err: unknown) => {
            throw err instanceof RangeError ? err : new StoreUnavailableError('the store refused the claim', { cause: err });
          }),
          timeout,
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
    purgeExpired: () => store.purgeExpired(),
  };
}

/** A store of once-only claims. */
export interface OnceStore {
  /**
   * Claims `key` for `ttlMs` milliseconds.
   * @returns true for the first claim (the caller should act), false while an earlier claim lives.
   * @throws when the store cannot be reached (the caller decides; it must not assume "first").
   */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Deletes expired claims; resolves to how many. */
  purgeExpired(): Promise<number>;
}

function checkTtl(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`claim TTL must be a positive number of ms, got ${ttlMs}`);
  return Math.round(ttlMs);
}

/** In-process claims, at most `max` remembered (the oldest forgotten first). */
export function memoryOnceStore(max: number): OnceStore {
  const claims = new LRUCache<string, number>({ max });
  return {
    async claim(key, ttlMs) {
      const ttl = checkTtl(ttlMs);
      const now = Date.now();
      const until = claims.get(key);
      if (until !== undefined && until > now) return false;
      claims.set(key, now + ttl);
      return true;
    },
    async purgeExpired() {
      let n = 0;
      const now = Date.now();
      for (const [k, until] of claims.entries()) {
        if (until <= now) {
          claims.delete(k);
          n += 1;
        }
      }
      return n;
    },
  };
}

/** Runs one SQL statement and resolves to its rows (`[]` when it returns none). */
export type SqlQuery = (sql: string, ...params: unknown[]) => Promise<unknown[]>;

/** Claims in an SQLite table `once_claims(key, expires)`; `expires` in ms since the epoch. */
export async function sqliteOnceStore(query: SqlQuery): Promise<OnceStore> {
  await query('CREATE TABLE IF NOT EXISTS once_claims (key TEXT PRIMARY KEY, expires INTEGER NOT NULL)');
  return {
    async claim(key, ttlMs) {
      const ttl = checkTtl(ttlMs);
      const now = Date.now();
      const rows = await query(
        `INSERT INTO once_claims (key, expires) VALUES (?, ?)
         ON CONFLICT (key) DO UPDATE SET expires = excluded.expires WHERE once_claims.expires <= ?
         RETURNING key`,
        key,
        now + ttl,
        now,
      );
      return rows.length === 1;
    },
    async purgeExpired() {
      const rows = await query('DELETE FROM once_claims WHERE expires <= ? RETURNING key', Date.now());
      return rows.length;
    },
  };
}

/** Claims as Redis keys `once::<key>` set with `SET NX PX`. */
export function redisOnceStore(client: ReturnType<typeof createClient>): OnceStore {
  return {
    async claim(key, ttlMs) {
      const ttl = checkTtl(ttlMs);
      const reply = await client.set(`once::${key}`, '1', { condition: 'NX', expiration: { type: 'PX', value: ttl } });
      return reply === 'OK';
    },
    purgeExpired: async () => 0,
  };
}
