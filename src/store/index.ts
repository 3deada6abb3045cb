/**
 * keyv stores. One adapter per Keyv instance (sharing one mutates its namespace: keyv#1821), an
 * adapter always passed as an instance (keyv 5 silently ignores URI strings), namespaces in
 * lowercase `[a-z]` only (SQLite `clear()` uses a case-insensitive LIKE where `_` is a wildcard).
 * Source for each rule: `shared/notes/cache-resilience.md` §1–§2.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import KeyvRedis, { createClient } from '@keyv/redis';
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import { LRUCache } from 'lru-cache';
import type { StoreLocation } from '../config.js';
import type { Logger } from '../logger.js';
import { memoryOnceStore, redisOnceStore, sqliteOnceStore, type OnceStore } from './once.js';

export type { OnceStore } from './once.js';

/** Entries kept by each in-process `memory:` namespace before the least recently used is dropped. */
export const MEMORY_STORE_MAX_ENTRIES = 10_000;

/** Best-effort namespaces: losing them costs an extra Astro call or a shorter history, nothing more. */
export const BEST_EFFORT_NAMESPACES = ['cache', 'recent'] as const;
export type BestEffortNamespace = (typeof BEST_EFFORT_NAMESPACES)[number];

/** The opened stores of one process. */
export interface Stores {
  /** Best-effort cache of Astro answers. Wrap it in a BestEffortCache. */
  cache: Keyv;
  /** Best-effort per-Slack-user history of recent lookups (App Home). */
  recent: Keyv;
  /** Strict once-only claims (event de-duplication): errors reject. */
  once: OnceStore;
  /** Which backend is in use, for logs and `/healthz`. */
  kind: StoreLocation['kind'];
  /** The Redis client when the backend is Redis (shared counters such as the abuse limits use it). */
  redis?: RedisClient;
  /** True when the backend answers a trivial query within `timeoutMs` (default 500 ms). Never throws. */
  ping(timeoutMs?: number): Promise<boolean>;
  /**
   * Deletes expired rows (SQLite keeps them forever otherwise: keyv#963). Redis expires keys
   * itself and the memory store is bounded, so there it does nothing.
   * @returns how many rows were deleted.
   */
  purgeExpired(): Promise<number>;
  /** Closes every connection; safe to call twice. */
  close(): Promise<void>;
}

/** Options of {@link openStores}. */
export interface OpenStoresOptions {
  log: Logger;
  /** Redis connect timeout, in ms. Default 1000. */
  redisConnectTimeoutMs?: number;
}

type RedisClient = ReturnType<typeof createClient>;

/** True when `query` settles successfully within `timeoutMs`. */
async function answers(query: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((res) => {
    timer = setTimeout(() => res(false), timeoutMs);
  });
  try {
    return await Promise.race([query.then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A Map-like keyv store that keeps at most `max` entries, dropping the least recently used, so
 * the `memory:` store cannot grow without bound (keyv's Map store never drops expired keys it is
 * not asked for: keyv#108). Expiry itself is keyv's, from the envelope it stores.
 */
function boundedMap(max: number) {
  const lru = new LRUCache<string, string>({ max });
  return {
    get: (key: string) => lru.get(key),
    set: (key: string, value: string) => {
      lru.set(key, value);
      return true;
    },
    delete: (key: string) => lru.delete(key),
    clear: () => lru.clear(),
    has: (key: string) => lru.has(key),
  };
}

/**
 * Opens the stores at `location`.
 * - `memory`: in-process LRU maps of at most {@link MEMORY_STORE_MAX_ENTRIES} entries each.
 * - `sqlite`: the file (its folder is created), WAL journal, 5 s busy timeout, one connection
 *   per namespace.
 * - `redis`: one client with no offline queue (a write during an outage fails instead of being
 *   replayed later), a bounded connect timeout and capped reconnect backoff.
 *
 * @throws {Error} when the SQLite file cannot be created or opened. A Redis that is down does not
 *   throw here: best-effort namespaces then behave as empty, strict ones reject, until it is back.
 */
export async function openStores(location: StoreLocation, options: OpenStoresOptions): Promise<Stores> {
  const { log } = options;
  const onError = (namespace: string) => (err: unknown) => log.warn({ err, store: location.kind, namespace }, 'store error');

  if (location.kind === 'memory') {
    const [cache, recent] = BEST_EFFORT_NAMESPACES.map((ns) => {
      const kv = new Keyv({ store: boundedMap(MEMORY_STORE_MAX_ENTRIES), namespace: ns });
      kv.on('error', onError(ns));
      return kv;
    }) as [Keyv, Keyv];
    return {
      cache,
      recent,
      once: memoryOnceStore(MEMORY_STORE_MAX_ENTRIES),
      kind: 'memory',
      ping: async () => true,
      purgeExpired: async () => 0,
      close: async () => undefined,
    };
  }

  if (location.kind === 'sqlite') {
    const file = resolve(location.path);
    mkdirSync(dirname(file), { recursive: true });
    const adapters = BEST_EFFORT_NAMESPACES.map(() => new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: 5000 }));
    await adapters[0]!.query('PRAGMA journal_mode=WAL');
    const [cache, recent] = BEST_EFFORT_NAMESPACES.map((ns, i) => {
      const kv = new Keyv({ store: adapters[i]!, namespace: ns });
      kv.on('error', onError(ns));
      return kv;
    }) as [Keyv, Keyv];
    const onceAdapter = new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: 5000 });
    const once = await sqliteOnceStore((sql, ...params) => onceAdapter.query(sql, ...params) as Promise<unknown[]>);
    let closed = false;
    return {
      cache,
      recent,
      once,
      kind: 'sqlite',
      ping: (timeoutMs = 500) => answers(onceAdapter.query('SELECT 1'), timeoutMs),
      async purgeExpired() {
        const now = Date.now();
        let n = 0;
        for (const ns of BEST_EFFORT_NAMESPACES) {
          const rows = (await adapters[0]!.query(
            `DELETE FROM keyv WHERE substr(key, 1, ?) = ? AND json_extract(value, '$.expires') < ? RETURNING key`,
            ns.length + 1,
            `${ns}:`,
            now,
          )) as unknown[];
          n += rows.length;
        }
        return n + (await once.purgeExpired());
      },
      async close() {
        if (closed) return;
        closed = true;
        await Promise.allSettled([cache.disconnect(), recent.disconnect(), onceAdapter.disconnect()]);
      },
    };
  }

  const connectTimeout = options.redisConnectTimeoutMs ?? 1000;
  const client: RedisClient = createClient({
    url: location.url,
    disableOfflineQueue: true,
    socket: { connectTimeout, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000) },
  });
  let lastRedisError = '';
  client.on('error', (err: Error) => {
    // A down Redis emits on every reconnect attempt: log each distinct error once.
    if (err.message !== lastRedisError) {
      lastRedisError = err.message;
      log.warn({ err: { message: err.message } }, 'redis connection error');
    }
  });
  client.on('ready', () => {
    lastRedisError = '';
  });
  const [cache, recent] = BEST_EFFORT_NAMESPACES.map((ns) => {
    const adapter = new KeyvRedis(client, { namespace: ns, connectionTimeout: connectTimeout, throwOnConnectError: false, throwOnErrors: false });
    const kv = new Keyv({ store: adapter, namespace: ns, useKeyPrefix: false });
    kv.on('error', onError(ns));
    return kv;
  }) as [Keyv, Keyv];
  // Wait for the first connection, bounded: a Redis that is down at start-up leaves the app
  // running degraded (uncached; strict stores refuse) while the client keeps reconnecting.
  let connectTimer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.connect().catch(() => undefined),
    new Promise((res) => {
      connectTimer = setTimeout(res, connectTimeout);
    }),
  ]);
  clearTimeout(connectTimer);
  let closed = false;
  return {
    cache,
    recent,
    once: redisOnceStore(client),
    kind: 'redis',
    redis: client,
    ping: (timeoutMs = 500) => answers(client.isReady ? client.ping() : Promise.reject(new Error('not ready')), timeoutMs),
    purgeExpired: async () => 0,
    async close() {
      if (closed) return;
      closed = true;
      try {
        if (client.isReady) await client.close();
        else client.destroy();
      } catch {
        client.destroy();
      }
    },
  };
}
