/**
 * keyv stores. One adapter per Keyv instance (sharing one mutates its namespace: keyv#1821), an
 * adapter always passed as an instance (keyv 5 silently ignores URI strings), namespaces in
 * lowercase `[a-z]` only (keys are `<namespace>:<key>` in SQLite, `<namespace>::<key>` in Redis).
 * Sources: keyv's README on namespaces and serialization (https://github.com/jaredwray/keyv), and its
 * issues on adapters (https://github.com/jaredwray/keyv/issues).
 *
 * Two profiles: best-effort namespaces (`cache`, `recent`) swallow errors (wrap them in a
 * BestEffortCache); strict ones (`settings`, `installs`) have `throwOnErrors` on Keyv and on the
 * Redis adapter, so a failure surfaces as an error and is never mistaken for "not installed".
 *
 * Values are plain JSON by design (objects, arrays, strings, numbers, booleans, null; never a
 * Buffer, Date, Map or BigInt). SQLite and Redis rows are therefore written with plain
 * `JSON.stringify` and read with plain `JSON.parse` ({@link serializeRow}, {@link deserializeRow})
 * rather than keyv's default `@keyv/serialize`, whose reviver costs ~3× a plain parse and whose
 * string concatenation leaves ~5 KB of rope per entry. The `memory:` store keeps no text at all:
 * each value is copied once on write (a JSON round trip, so it reads back exactly as from the
 * other stores) and deep-frozen, and reads hand out that frozen copy without any parsing.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import type { createClient } from '@keyv/redis';
import Keyv, { type DeserializedData } from 'keyv';
import { LRUCache } from 'lru-cache';
import type { StoreLocation } from '../config.js';
import type { Logger } from '../logger.js';
import { createStoreErrorLog } from './error-log.js';
import { memoryOnceStore, redisOnceStore, sqliteOnceStore, type OnceStore } from './once.js';
import { memoryKeySets, redisKeySets, sqliteKeySets, type KeySets } from './key-set.js';
import type { SqlValue } from './sqlite.js';

export type { OnceStore } from './once.js';
export type { KeySets } from './key-set.js';

/** Entries kept by each in-process `memory:` best-effort namespace before the least recently used is dropped. */
export const MEMORY_STORE_MAX_ENTRIES = 10_000;

/** Best-effort namespaces: losing them costs an extra Astro call or a shorter history, nothing more. */
export const BEST_EFFORT_NAMESPACES = ['cache', 'recent'] as const;
export type BestEffortNamespace = (typeof BEST_EFFORT_NAMESPACES)[number];
/** Strict namespaces: the source of truth for workspace settings and Slack installations. */
export const STRICT_NAMESPACES = ['settings', 'installs'] as const;
export type StrictNamespace = (typeof STRICT_NAMESPACES)[number];

type RedisClient = ReturnType<typeof createClient>;

/** The opened stores of one process. */
export interface Stores {
  /** Best-effort cache of Astro answers. Wrap it in a BestEffortCache. */
  cache: Keyv;
  /** Best-effort per-Slack-user history of recent lookups (App Home). */
  recent: Keyv;
  /** Strict: per-installation Astro settings (token sealed). Errors reject. */
  settings: Keyv;
  /** Strict: Slack installations (sealed). Errors reject. */
  installs: Keyv;
  /** Strict once-only claims (event de-duplication): errors reject. */
  once: OnceStore;
  /** Strict named sets of keys (e.g. which installations have a report schedule): errors reject. */
  sets: KeySets;
  /** Which backend is in use, for logs and `/healthz`. */
  kind: StoreLocation['kind'];
  /** The Redis client when the backend is Redis (shared counters such as the abuse limits use it). */
  redis?: RedisClient;
  /** True when the backend answers a trivial query within `timeoutMs` (default 500 ms). Never throws. */
  ping(timeoutMs?: number): Promise<boolean>;
  /**
   * True when a write lands: a probe row is written (SQLite: also the file must still be the one
   * opened, not deleted or replaced; a full disk fails the write). With Redis the write must
   * answer within `timeoutMs` (default 500 ms); with SQLite it is a synchronous local write, done
   * before the timer could fire. Never throws.
   */
  writable(timeoutMs?: number): Promise<boolean>;
  /**
   * Deletes every key of a best-effort namespace for which `matches(key)` is true (keys as the
   * app wrote them, without the namespace), e.g. all cache entries of an uninstalled workspace.
   * @returns how many were deleted.
   * @throws when the backend fails.
   */
  deleteWhere(namespace: BestEffortNamespace, matches: (key: string) => boolean): Promise<number>;
  /**
   * Every key of `namespace` (as the app wrote them, without the namespace), e.g. to re-seal every
   * stored secret. Reads the whole key list into memory: meant for maintenance, not requests.
   * @throws when the backend fails.
   */
  listKeys(namespace: BestEffortNamespace | StrictNamespace): Promise<string[]>;
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
  /** Store errors of one kind after the first are counted and summarised once per this many ms. Default 60 000. */
  errorWindowMs?: number;
}

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

/** Marks rows written by {@link serializeRow}: the text starts with it (keyv's own rows start `{"value":`). */
const ROW_MARK = '{"f":2,';

/**
 * Text of one SQLite or Redis row: keyv's envelope as plain JSON, prefixed with a format mark
 * (`{"f":2,"value":…,"expires":…}`), so that {@link deserializeRow} can tell it from a row written
 * before, by keyv's default serializer.
 */
export function serializeRow<Value>(data: DeserializedData<Value>): string {
  return JSON.stringify({ f: 2, value: data.value, expires: data.expires });
}

/** keyv's default (`@keyv/serialize`) escaped strings starting with `:` by one more `:`. */
const legacyReviver = (_key: string, value: unknown): unknown => (typeof value === 'string' && value.startsWith(':') ? value.slice(1) : value);

/**
 * Reads a row: plain `JSON.parse` for rows of {@link serializeRow}. A row written by an earlier
 * version (keyv's default serializer: `:`-prefixed strings escaped, never a Buffer here) is still
 * read exactly, through the old reviver, so neither cache entries nor installations or settings
 * are lost on upgrade; it is rewritten in the new format the next time it is saved.
 */
export function deserializeRow<Value>(text: string): DeserializedData<Value> | undefined {
  return (text.startsWith(ROW_MARK) ? JSON.parse(text) : JSON.parse(text, legacyReviver)) as DeserializedData<Value> | undefined;
}

/** Freezes `value` and everything in it. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * What the `memory:` store keeps for keyv's envelope: a plain-JSON copy (exactly what SQLite or
 * Redis would give back: `undefined` fields dropped, a Date as its ISO string), deep-frozen. The
 * caller's later changes to what it stored cannot reach the copy, and what a read hands out cannot
 * be changed (a write to it throws in strict-mode code), so no two callers ever share a mutable
 * value. Reads then cost no parsing at all.
 */
function frozenCopy(value: unknown): unknown {
  return value === undefined ? undefined : deepFreeze(JSON.parse(JSON.stringify(value)));
}

/** A Map-like keyv store of frozen plain-JSON copies (strict `memory:` namespaces: unbounded, like a Map). */
function frozenMap() {
  const map = new Map<string, unknown>();
  return {
    get: (key: string) => map.get(key),
    set: (key: string, value: unknown) => {
      map.set(key, frozenCopy(value));
      return true;
    },
    delete: (key: string) => map.delete(key),
    clear: () => map.clear(),
    has: (key: string) => map.has(key),
    keys: () => [...map.keys()],
  };
}

/**
 * A Map-like keyv store that keeps at most `max` entries, dropping the least recently used, so
 * the `memory:` store cannot grow without bound (keyv's Map store never drops expired keys it is
 * not asked for: keyv#108). Expiry itself is keyv's, from the envelope it stores. Values are
 * frozen plain-JSON copies ({@link frozenCopy}).
 */
function boundedMap(max: number) {
  const lru = new LRUCache<string, NonNullable<unknown>>({ max });
  return {
    get: (key: string) => lru.get(key),
    set: (key: string, value: unknown) => {
      const copy = frozenCopy(value);
      if (copy === undefined || copy === null) lru.delete(key);
      else lru.set(key, copy);
      return true;
    },
    delete: (key: string) => lru.delete(key),
    clear: () => lru.clear(),
    has: (key: string) => lru.has(key),
    keys: () => [...lru.keys()],
  };
}

/** keyv options of every SQLite and Redis namespace: plain JSON rows. */
const JSON_ROWS = { serialize: serializeRow, deserialize: deserializeRow } as const;
/** keyv options of every `memory:` namespace: no text at all (see {@link frozenCopy}). */
const NO_TEXT = { serialize: undefined, deserialize: undefined } as const;

/** Strips `ns:` (SQLite, memory) or `ns::` (Redis) from a stored key. */
const withoutNamespace = (ns: string, key: string) => key.replace(new RegExp(`^${ns}::?`), '');

/**
 * Opens the stores at `location`.
 * - `memory`: in-process maps; best-effort ones are LRUs of at most {@link MEMORY_STORE_MAX_ENTRIES}.
 * - `sqlite`: the file (its folder is created), WAL journal, 5 s busy timeout, one connection
 *   shared by every namespace (driver: see ./sqlite.ts).
 * - `redis`: one client with no offline queue (a write during an outage fails instead of being
 *   replayed later), a bounded connect timeout and capped reconnect backoff.
 *
 * @throws {Error} when the SQLite file cannot be created or opened, or no SQLite driver loads. A Redis that is down does not
 *   throw here: best-effort namespaces then behave as empty, strict ones reject, until it is back.
 */
export async function openStores(location: StoreLocation, options: OpenStoresOptions): Promise<Stores> {
  const { log } = options;
  const errors = createStoreErrorLog({ log, ...(options.errorWindowMs !== undefined ? { windowMs: options.errorWindowMs } : {}) });
  const onError = (namespace: string) => (err: unknown) => errors.report({ store: location.kind, namespace }, err);

  if (location.kind === 'memory') {
    const maps = BEST_EFFORT_NAMESPACES.map(() => boundedMap(MEMORY_STORE_MAX_ENTRIES));
    const [cache, recent] = BEST_EFFORT_NAMESPACES.map((ns, i) => {
      const kv = new Keyv({ store: maps[i]!, namespace: ns, ...NO_TEXT });
      kv.on('error', onError(ns));
      return kv;
    }) as [Keyv, Keyv];
    const strictMaps = STRICT_NAMESPACES.map(() => frozenMap());
    const [settings, installs] = STRICT_NAMESPACES.map((ns, i) => new Keyv({ store: strictMaps[i]!, namespace: ns, throwOnErrors: true, ...NO_TEXT })) as [Keyv, Keyv];
    return {
      cache,
      recent,
      settings,
      installs,
      once: memoryOnceStore(MEMORY_STORE_MAX_ENTRIES),
      sets: memoryKeySets(),
      kind: 'memory',
      ping: async () => true,
      writable: async () => true,
      async deleteWhere(ns, matches) {
        const map = maps[BEST_EFFORT_NAMESPACES.indexOf(ns)]!;
        let n = 0;
        for (const key of map.keys()) {
          if (matches(withoutNamespace(ns, key))) {
            map.delete(key);
            n += 1;
          }
        }
        return n;
      },
      async listKeys(ns) {
        const best = (BEST_EFFORT_NAMESPACES as readonly string[]).indexOf(ns);
        const map = best >= 0 ? maps[best]! : strictMaps[(STRICT_NAMESPACES as readonly string[]).indexOf(ns)]!;
        return map.keys().map((k) => withoutNamespace(ns, k));
      },
      purgeExpired: async () => 0,
      close: async () => undefined,
    };
  }

  if (location.kind === 'sqlite') {
    const file = resolve(location.path);
    mkdirSync(dirname(file), { recursive: true });
    const { openSqlite, SqliteKeyvAdapter } = await import('./sqlite.js');
    // One connection for the whole process: both drivers are synchronous, so statements never
    // interleave here; other processes on the same file are waited for (5 s busy timeout).
    const conn = openSqlite(file, { busyTimeoutMs: 5000 });
    const inode = statSync(file).ino;
    log.debug({ driver: conn.driver }, 'sqlite store opened');
    const [cache, recent, settings, installs] = [...BEST_EFFORT_NAMESPACES, ...STRICT_NAMESPACES].map((ns) => {
      const strict = (STRICT_NAMESPACES as readonly string[]).includes(ns);
      // One adapter per Keyv: keyv sets the adapter's namespace (keyv#1821).
      const kv = new Keyv({ store: new SqliteKeyvAdapter(conn), namespace: ns, throwOnErrors: strict, ...JSON_ROWS });
      kv.on('error', onError(ns));
      return kv;
    }) as [Keyv, Keyv, Keyv, Keyv];
    const query = async <Row>(sql: string, ...params: SqlValue[]) => conn.query<Row>(sql, ...params);
    const once = await sqliteOnceStore((sql, ...params) => query(sql, ...(params as SqlValue[])));
    const sets = await sqliteKeySets((sql, ...params) => query(sql, ...(params as SqlValue[])));
    let closed = false;
    return {
      cache,
      recent,
      settings,
      installs,
      once,
      sets,
      kind: 'sqlite',
      ping: (timeoutMs = 500) => answers(query('SELECT 1'), timeoutMs),
      writable: async (timeoutMs = 500) => {
        try {
          // A deleted (or replaced) file still takes writes through the open handle, lost at exit.
          if (statSync(file).ino !== inode) return false;
        } catch {
          return false;
        }
        const write = async () => conn.run('INSERT INTO keyv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', 'health:probe', JSON.stringify({ value: Date.now() }));
        return answers(write(), timeoutMs);
      },
      async deleteWhere(ns, matches) {
        const rows = await query<{ key: string }>('SELECT key FROM keyv WHERE substr(key, 1, ?) = ?', ns.length + 1, `${ns}:`);
        const doomed = rows.map((r) => r.key).filter((k) => matches(withoutNamespace(ns, k)));
        if (doomed.length > 0) conn.run('DELETE FROM keyv WHERE key IN (SELECT value FROM json_each(?))', JSON.stringify(doomed));
        return doomed.length;
      },
      async listKeys(ns) {
        const rows = await query<{ key: string }>('SELECT key FROM keyv WHERE substr(key, 1, ?) = ? ORDER BY key', ns.length + 1, `${ns}:`);
        return rows.map((r) => withoutNamespace(ns, r.key));
      },
      async purgeExpired() {
        const now = Date.now();
        let n = 0;
        for (const ns of BEST_EFFORT_NAMESPACES) {
          n += conn.run(`DELETE FROM keyv WHERE substr(key, 1, ?) = ? AND json_extract(value, '$.expires') < ?`, ns.length + 1, `${ns}:`, now);
        }
        return n + (await once.purgeExpired());
      },
      async close() {
        if (closed) return;
        closed = true;
        errors.flush();
        conn.close();
      },
    };
  }

  const connectTimeout = options.redisConnectTimeoutMs ?? 1000;
  const { default: KeyvRedis, createClient } = await import('@keyv/redis');
  const tls = location.tls;
  if (tls?.rejectUnauthorized === false) {
    log.warn({ store: 'redis' }, "REDIS_TLS_REJECT_UNAUTHORIZED=false: the Redis server's certificate is not verified, so anyone on the network path can pose as it");
  }
  const client: RedisClient = createClient({
    url: location.url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout,
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000),
      // node-redis passes these to tls.connect for rediss:// URLs (https://nodejs.org/api/tls.html#tlsconnectoptions-callback).
      // A `ca` given here replaces Node's default trust store for this connection, so public CAs
      // are added back; NODE_EXTRA_CA_CERTS extends the default store by itself.
      ...(tls?.ca !== undefined ? { ca: [...rootCertificates, tls.ca] } : {}),
      ...(tls?.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
    },
  });
  let redisDown = false;
  // A down Redis emits on every reconnect attempt: once per kind, then summarised.
  client.on('error', (err: Error) => {
    redisDown = true;
    errors.report({ store: 'redis', namespace: 'connection' }, err);
  });
  client.on('ready', () => {
    if (redisDown) log.info({ store: 'redis' }, 'redis connection ready again');
    redisDown = false;
  });
  const [cache, recent, settings, installs] = [...BEST_EFFORT_NAMESPACES, ...STRICT_NAMESPACES].map((ns) => {
    const strict = (STRICT_NAMESPACES as readonly string[]).includes(ns);
    const adapter = new KeyvRedis(client, { namespace: ns, connectionTimeout: connectTimeout, throwOnConnectError: strict, throwOnErrors: strict });
    const kv = new Keyv({ store: adapter, namespace: ns, useKeyPrefix: false, throwOnErrors: strict, ...JSON_ROWS });
    kv.on('error', onError(ns));
    return kv;
  }) as [Keyv, Keyv, Keyv, Keyv];
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
    settings,
    installs,
    once: redisOnceStore(client),
    sets: redisKeySets(client),
    kind: 'redis',
    redis: client,
    ping: (timeoutMs = 500) => answers(client.isReady ? client.ping() : Promise.reject(new Error('not ready')), timeoutMs),
    writable: (timeoutMs = 500) => answers(client.isReady ? client.set('health:probe', String(Date.now()), { PX: 60_000 }) : Promise.reject(new Error('not ready')), timeoutMs),
    async deleteWhere(ns, matches) {
      let n = 0;
      for await (const batch of client.scanIterator({ MATCH: `${ns}::*`, COUNT: 500 })) {
        const doomed = (batch as string[]).filter((k) => matches(withoutNamespace(ns, k)));
        if (doomed.length > 0) n += await client.unlink(doomed);
      }
      return n;
    },
    async listKeys(ns) {
      const keys: string[] = [];
      for await (const batch of client.scanIterator({ MATCH: `${ns}::*`, COUNT: 500 })) keys.push(...(batch as string[]).map((k) => withoutNamespace(ns, k)));
      return [...new Set(keys)].sort();
    },
    purgeExpired: async () => 0,
    async close() {
      if (closed) return;
      closed = true;
      errors.flush();
      try {
        if (client.isReady) await client.close();
        else client.destroy();
      } catch {
        client.destroy();
      }
    },
  };
}

/**
 * Which keys of the best-effort stores belong to a workspace: every key names its installation
 * key URI-encoded between colons (`…:<installation key>:…`) or at its end (see `userCacheKey`,
 * `nameCacheKey` and the recent lookups' keys).
 */
export function ofWorkspace(installationKey: string): (key: string) => boolean {
  const id = encodeURIComponent(installationKey);
  const marker = `:${id}:`;
  return (k) => k.includes(marker) || k.endsWith(`:${id}`);
}
