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

/** Entries kept by the in-process `memory:` store before the least recently used is dropped. */
export const MEMORY_STORE_MAX_ENTRIES = 10_000;

/** The opened stores of one process. */
export interface Stores {
  /** Best-effort cache of Astro answers (namespace `cache`). Wrap it in {@link BestEffortCache}. */
  cache: Keyv;
  /** Which backend is in use, for logs and `/healthz`. */
  kind: StoreLocation['kind'];
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
 * - `memory`: an in-process LRU map of at most {@link MEMORY_STORE_MAX_ENTRIES} entries.
 * - `sqlite`: the file (its folder is created), WAL journal, 5 s busy timeout.
 * - `redis`: one client with no offline queue (a write during an outage fails instead of being
 *   replayed later), a bounded connect timeout and capped reconnect backoff.
 *
 * @throws {Error} when the SQLite file cannot be created. A Redis that is down does not throw:
 *   the cache then behaves as empty until Redis is back.
 */
export async function openStores(location: StoreLocation, options: OpenStoresOptions): Promise<Stores> {
  const { log } = options;
  const onError = (namespace: string) => (err: unknown) =>
    log.warn({ err, store: location.kind, namespace }, 'store error');

  if (location.kind === 'memory') {
    const cache = new Keyv({ store: boundedMap(MEMORY_STORE_MAX_ENTRIES), namespace: 'cache' });
    cache.on('error', onError('cache'));
    return { cache, kind: 'memory', close: async () => undefined };
  }

  if (location.kind === 'sqlite') {
    const file = resolve(location.path);
    mkdirSync(dirname(file), { recursive: true });
    const adapter = new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: 5000 });
    await adapter.query('PRAGMA journal_mode=WAL');
    const cache = new Keyv({ store: adapter, namespace: 'cache' });
    cache.on('error', onError('cache'));
    let closed = false;
    return {
      cache,
      kind: 'sqlite',
      close: async () => {
        if (closed) return;
        closed = true;
        await cache.disconnect();
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
  const cacheAdapter = new KeyvRedis(client, {
    namespace: 'cache',
    connectionTimeout: connectTimeout,
    throwOnConnectError: false,
    throwOnErrors: false,
  });
  const cache = new Keyv({ store: cacheAdapter, namespace: 'cache', useKeyPrefix: false });
  cache.on('error', onError('cache'));
  client.connect().catch(() => undefined);
  let closed = false;
  return {
    cache,
    kind: 'redis',
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        if (client.isOpen) await client.close();
      } catch {
        client.destroy();
      }
    },
  };
}
