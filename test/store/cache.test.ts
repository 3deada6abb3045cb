/**
 * BestEffortCache over a real SQLite file (and over stores that hang or throw), and the lookup's
 * use of it: one upstream call per installation, organization and user; never a cross-workspace
 * hit; concurrent misses coalesced.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type Keyv from 'keyv';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAstroClient, type AstroTarget } from '../../src/astro/client.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { createLookup, NotConfiguredError, userCacheKey, type Lookup } from '../../src/lookup/lookup.js';
import { createNameResolver } from '../../src/lookup/names.js';
import { installationKey, type InstallationRef, type SettingsResolver } from '../../src/lookup/settings.js';

/** Every installation answered with one Astro target. */
const defaultSettings = (t: AstroTarget): SettingsResolver => ({ resolve: async () => ({ ...t }) });
import { BestEffortCache } from '../../src/store/best-effort-cache.js';
import { openStores, type Stores } from '../../src/store/index.js';
import { ADA } from '../support/fixtures.js';
import { json, startHttpStub, type HttpStub } from '../support/http-stub.js';
import { sleep } from '../support/sleep.js';

const silent = createLogger({ level: 'silent' });

/** A logger whose lines the test can read back. */
function recordingLogger(): { log: Logger; lines: () => { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as { level: string; msg: string });
      cb();
    },
  });
  return { log: createLogger({ level: 'debug', destination }), lines: () => lines };
}

const never = () => new Promise<never>(() => undefined);

/** A Keyv-shaped object whose calls do what the test says (hang, throw, reject). */
function fakeKeyv(impl: { get?: () => unknown; set?: () => unknown; delete?: () => unknown }): Keyv {
  return {
    get: vi.fn(impl.get ?? (async () => undefined)),
    set: vi.fn(impl.set ?? (async () => true)),
    delete: vi.fn(impl.delete ?? (async () => true)),
  } as unknown as Keyv;
}

describe('BestEffortCache over a real SQLite file', () => {
  let dir: string;
  let stores: Stores;
  let cache: BestEffortCache;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'astro-user-cache-'));
    stores = await openStores({ kind: 'sqlite', path: join(dir, 'c.sqlite') }, { log: silent });
    cache = new BestEffortCache(stores.cache, { log: silent });
  });
  afterEach(async () => {
    await stores.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads back what it stored, as plain JSON', async () => {
    const value = { user: { id: 'clx', roles: ['A', 'B'] }, fetchedAt: 1_700_000_000_000 };
    expect(await cache.set('k1', value, 60_000)).toBe(true);
    expect(await cache.get('k1')).toEqual(value);
    expect(await cache.get('absent')).toBeUndefined();
  });

  it('forgets an entry once its TTL has passed', async () => {
    // Only the clock is faked (keyv compares expiry times with Date.now()); SQLite's I/O is real.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      expect(await cache.set('short', { v: 1 }, 60_000)).toBe(true);
      expect(await cache.set('long', { v: 2 }, 600_000)).toBe(true);
      vi.setSystemTime(Date.now() + 59_000);
      expect(await cache.get('short')).toEqual({ v: 1 });
      vi.setSystemTime(Date.now() + 2_000);
      expect(await cache.get('short')).toBeUndefined();
      expect(await cache.get('long')).toEqual({ v: 2 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps entries across a restart (the file is reopened)', async () => {
    await cache.set('kept', { v: 'persisted' }, 60_000);
    await stores.close();
    stores = await openStores({ kind: 'sqlite', path: join(dir, 'c.sqlite') }, { log: silent });
    const reopened = new BestEffortCache(stores.cache, { log: silent });
    expect(await reopened.get('kept')).toEqual({ v: 'persisted' });
  });

  it('deletes an entry', async () => {
    await cache.set('gone', 1, 60_000);
    expect(await cache.delete('gone')).toBe(true);
    expect(await cache.get('gone')).toBeUndefined();
  });

  it.each([Number.NaN, 0, -1, Number.POSITIVE_INFINITY])('refuses TTL %s with a RangeError and stores nothing', async (ttl) => {
    await expect(cache.set('bad-ttl', 1, ttl)).rejects.toBeInstanceOf(RangeError);
    expect(await cache.get('bad-ttl')).toBeUndefined();
  });
});

describe('BestEffortCache over a failing store', () => {
  it('answers a read from a hanging store as a miss after readTimeoutMs, warning once, then notes recovery', async () => {
    const { log, lines } = recordingLogger();
    let hang = true;
    const kv = fakeKeyv({ get: () => (hang ? never() : Promise.resolve('back')) });
    const cache = new BestEffortCache(kv, { log, readTimeoutMs: 50 });

    const started = Date.now();
    expect(await cache.get('k')).toBeUndefined();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(45);
    expect(elapsed).toBeLessThan(5000); // the store never answers: without the timeout, never

    const more = await Promise.all(Array.from({ length: 5 }, () => cache.get('k')));
    expect(more).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(lines().filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(lines()[0]!.msg).toMatch(/cache unavailable/);

    hang = false;
    expect(await cache.get('k')).toBe('back');
    expect(await cache.get('k')).toBe('back');
    expect(lines().filter((l) => l.level === 'info' && /available again/.test(l.msg))).toHaveLength(1);
    expect(lines().filter((l) => l.level === 'warn')).toHaveLength(1);
  });

  it('gives up on a hanging write after writeTimeoutMs and reports false', async () => {
    const cache = new BestEffortCache(fakeKeyv({ set: never, delete: never }), { log: silent, writeTimeoutMs: 50 });
    const started = Date.now();
    expect(await cache.set('k', 1, 1000)).toBe(false);
    expect(await cache.delete('k')).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000); // the store never answers: without the timeout, never
  });

  it('never rejects when the store throws or rejects, and warns once', async () => {
    const { log, lines } = recordingLogger();
    const boom = () => {
      throw new Error('SQLITE_CORRUPT');
    };
    const reject = () => Promise.reject(new Error('ECONNREFUSED'));
    for (const impl of [boom, reject]) {
      const cache = new BestEffortCache(fakeKeyv({ get: impl, set: impl, delete: impl }), { log });
      await expect(cache.get('k')).resolves.toBeUndefined();
      await expect(cache.set('k', 1, 1000)).resolves.toBe(false);
      await expect(cache.delete('k')).resolves.toBe(false);
    }
    // One warning per cache instance (two instances), not one per failed call.
    expect(lines().filter((l) => l.level === 'warn')).toHaveLength(2);
  });
});

describe('lookup over the cache', () => {
  const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsb29rdXAtdGVzdCJ9.lookupTestSignature';
  const ORG_A = 'clorga00000000000000000001';
  const ORG_B = 'clorgb00000000000000000002';
  const USER_ID = 'clx1user0000001abcdefghij';
  const T1: InstallationRef = { teamId: 'T1' };
  const T2: InstallationRef = { teamId: 'T2' };

  let stub: HttpStub;
  let stores: Stores;
  let cache: BestEffortCache;
  let names: string[];

  /** The stand-in Astro: answers any user with ADA's body under that ID, after `delayMs`. */
  function answerUsers(delayMs = 0) {
    stub.setHandler(async (req, res) => {
      const m = /^\/organizations\/([^/]+)\/users\/([^/]+)$/.exec(req.url);
      if (!m) return json(res, 404, { message: 'no route', requestId: 'req-x', statusCode: 404 });
      if (delayMs) await sleep(delayMs);
      json(res, 200, { ...ADA, id: decodeURIComponent(m[2]!), fullName: names.shift() ?? ADA.fullName });
    });
  }

  const target = (organizationId: string): AstroTarget => ({ apiUrl: stub.url, apiToken: TOKEN, organizationId });

  function lookupWith(settings: SettingsResolver): Lookup {
    return createLookup({ astro: createAstroClient({ requestTimeoutMs: 2000 }), settings, cache, cacheTtlMs: 60_000 });
  }

  /** Waits until the (fire-and-forget) cache write of a lookup has landed. */
  async function cached(installation: InstallationRef, organizationId: string, userId = USER_ID): Promise<void> {
    const key = userCacheKey(installationKey(installation), target(organizationId), userId);
    await vi.waitFor(async () => expect(await cache.get(key)).toBeDefined(), { timeout: 1000, interval: 5 });
  }

  beforeAll(async () => {
    stub = await startHttpStub(() => undefined);
  });
  afterAll(async () => stub?.close());
  beforeEach(async () => {
    stub.requests.length = 0;
    names = [];
    answerUsers();
    stores = await openStores({ kind: 'memory' }, { log: silent });
    cache = new BestEffortCache(stores.cache, { log: silent });
  });
  afterEach(async () => stores.close());

  it('serves a repeat lookup from the same installation from the cache', async () => {
    const lookup = lookupWith(defaultSettings(target(ORG_A)));
    const first = await lookup.lookupUser({ installation: T1, userId: USER_ID });
    expect(first.fromCache).toBe(false);
    expect(first.user.id).toBe(USER_ID);
    await cached(T1, ORG_A);
    const second = await lookup.lookupUser({ installation: T1, userId: USER_ID });
    expect(second.fromCache).toBe(true);
    expect(second.user).toEqual(first.user);
    expect(second.fetchedAt).toBe(first.fetchedAt);
    expect(stub.requests).toHaveLength(1);
  });

  // Regression: same root cause as the schemas.test.ts 'absent role arrays' failure (src/astro/schemas.ts:
  // optionalText and roleArray are zod 4 `z.unknown().transform()`, which makes the key required).
  // Astro sending an empty avatarUrl or a null organizationRole is read fine, but the AstroUser then
  // has no such key, so the cached copy fails CachedUserSchema on every read: the user is never
  // served from the cache and every lookup goes to Astro. Fix: `z.unknown().optional().transform()`.
  it('serves a user without avatar or organization role from the cache too', async () => {
    stub.setHandler((_req, res) => json(res, 200, { ...ADA, id: USER_ID, avatarUrl: '', organizationRole: null }));
    const lookup = lookupWith(defaultSettings(target(ORG_A)));
    const first = await lookup.lookupUser({ installation: T1, userId: USER_ID });
    expect(first.user.avatarUrl).toBeUndefined();
    await cached(T1, ORG_A);
    const second = await lookup.lookupUser({ installation: T1, userId: USER_ID });
    expect(second.fromCache).toBe(true);
    expect(stub.requests).toHaveLength(1);
  });

  it('never answers one Slack workspace from the cache of another', async () => {
    const lookup = lookupWith(defaultSettings(target(ORG_A)));
    await lookup.lookupUser({ installation: T1, userId: USER_ID });
    await cached(T1, ORG_A);
    const other = await lookup.lookupUser({ installation: T2, userId: USER_ID });
    expect(other.fromCache).toBe(false);
    expect(stub.requests).toHaveLength(2);
    // Each is then cached on its own.
    await cached(T2, ORG_A);
    expect((await lookup.lookupUser({ installation: T1, userId: USER_ID })).fromCache).toBe(true);
    expect((await lookup.lookupUser({ installation: T2, userId: USER_ID })).fromCache).toBe(true);
    expect(stub.requests).toHaveLength(2);
  });

  it('keeps an enterprise-wide install apart from a workspace with the same ID', async () => {
    const lookup = lookupWith(defaultSettings(target(ORG_A)));
    await lookup.lookupUser({ installation: { teamId: 'X1' }, userId: USER_ID });
    await cached({ teamId: 'X1' }, ORG_A);
    const org = await lookup.lookupUser({ installation: { enterpriseId: 'X1', isEnterpriseInstall: true }, userId: USER_ID });
    expect(org.fromCache).toBe(false);
    expect(stub.requests).toHaveLength(2);
  });

  it('never answers from the cache of another Astro organization', async () => {
    let organizationId = ORG_A;
    const lookup = lookupWith({ resolve: async () => target(organizationId) });
    await lookup.lookupUser({ installation: T1, userId: USER_ID });
    await cached(T1, ORG_A);
    organizationId = ORG_B; // the workspace is reconnected to another organization
    const other = await lookup.lookupUser({ installation: T1, userId: USER_ID });
    expect(other.fromCache).toBe(false);
    expect(stub.requests.map((r) => r.url)).toEqual([`/organizations/${ORG_A}/users/${USER_ID}`, `/organizations/${ORG_B}/users/${USER_ID}`]);
  });

  it('makes exactly one upstream call for 20 concurrent lookups of one uncached user', async () => {
    answerUsers(50);
    const lookup = lookupWith(defaultSettings(target(ORG_A)));
    const results = await Promise.all(Array.from({ length: 20 }, () => lookup.lookupUser({ installation: T1, userId: USER_ID })));
    expect(stub.requests).toHaveLength(1);
    for (const r of results) expect(r.user.id).toBe(USER_ID);
  });

  it('does not coalesce concurrent lookups from two workspaces', async () => {
    answerUsers(50);
    const lookup = lookupWith(defaultSettings(target(ORG_A)));
    await Promise.all([T1, T2, T1, T2].map((installation) => lookup.lookupUser({ installation, userId: USER_ID })));
    expect(stub.requests).toHaveLength(2);
  });

  it('asks Astro again on Refresh (bypassCache) and caches the fresh answer', async () => {
    names = ['Ada Lovelace', 'Ada King, Countess of Lovelace'];
    const lookup = lookupWith(defaultSettings(target(ORG_A)));
    await lookup.lookupUser({ installation: T1, userId: USER_ID });
    await cached(T1, ORG_A);
    const refreshed = await lookup.lookupUser({ installation: T1, userId: USER_ID, bypassCache: true });
    expect(refreshed.fromCache).toBe(false);
    expect(refreshed.user.fullName).toBe('Ada King, Countess of Lovelace');
    expect(stub.requests).toHaveLength(2);
    await vi.waitFor(async () => {
      const again = await lookup.lookupUser({ installation: T1, userId: USER_ID });
      expect(again.fromCache).toBe(true);
      expect(again.user.fullName).toBe('Ada King, Countess of Lovelace');
    });
    expect(stub.requests).toHaveLength(2);
  });

  it('remembers a not-found briefly, so a repeated typo does not reach Astro, but Refresh asks again', async () => {
    stub.setHandler((_req, res) => json(res, 404, { message: 'not found', requestId: 'req-404', statusCode: 404 }));
    const lookup = lookupWith(defaultSettings(target(ORG_A)));
    await expect(lookup.lookupUser({ installation: T1, userId: USER_ID })).rejects.toMatchObject({ kind: 'not_found', requestId: 'req-404' });
    await sleep(20); // the remembered miss is written without waiting
    await expect(lookup.lookupUser({ installation: T1, userId: USER_ID })).rejects.toMatchObject({ kind: 'not_found', requestId: 'req-404' });
    expect(stub.requests).toHaveLength(1);
    answerUsers();
    const found = await lookup.lookupUser({ installation: T1, userId: USER_ID, bypassCache: true });
    expect(found.fromCache).toBe(false);
    expect(stub.requests).toHaveLength(2);
  });

  it('does not cache other failures: the next lookup asks Astro again', async () => {
    stub.setHandler((_req, res) => json(res, 403, { message: 'forbidden', requestId: 'req-403', statusCode: 403 }));
    const lookup = lookupWith(defaultSettings(target(ORG_A)));
    await expect(lookup.lookupUser({ installation: T1, userId: USER_ID })).rejects.toMatchObject({ kind: 'forbidden' });
    answerUsers();
    const found = await lookup.lookupUser({ installation: T1, userId: USER_ID });
    expect(found.fromCache).toBe(false);
    expect(stub.requests).toHaveLength(2);
  });

  it('still answers when the cache hangs, from Astro', async () => {
    const hanging = new BestEffortCache(fakeKeyv({ get: never, set: never }), { log: silent, readTimeoutMs: 50, writeTimeoutMs: 50 });
    const lookup = createLookup({ astro: createAstroClient(), settings: defaultSettings(target(ORG_A)), cache: hanging, cacheTtlMs: 60_000 });
    const started = Date.now();
    const r = await lookup.lookupUser({ installation: T1, userId: USER_ID });
    expect(r.user.id).toBe(USER_ID);
    expect(Date.now() - started).toBeLessThan(5000); // the cache never answers: without its timeouts, never
  });

  it('refuses an installation without Astro settings, calling nothing', async () => {
    const lookup = lookupWith({ resolve: async () => undefined });
    await expect(lookup.lookupUser({ installation: T1, userId: USER_ID })).rejects.toBeInstanceOf(NotConfiguredError);
    expect(stub.requests).toHaveLength(0);
  });

  describe('hot results kept in this process', () => {
    /** A lookup with hot results, over a cache that counts its reads. */
    function hotLookup(options: { hotTtlMs?: number; cacheTtlMs?: number; max?: number; teams?: boolean; names?: boolean } = {}) {
      let reads = 0;
      const counting = new BestEffortCache(stores.cache, { log: silent });
      const get = counting.get.bind(counting);
      counting.get = (key: string) => {
        reads++;
        return get(key);
      };
      const lookup = createLookup({
        astro: createAstroClient({ requestTimeoutMs: 2000 }),
        settings: defaultSettings(target(ORG_A)),
        cache: counting,
        cacheTtlMs: options.cacheTtlMs ?? 60_000,
        teams: options.teams ?? false,
        ...(options.names ? { names: createNameResolver({ astro: createAstroClient({ requestTimeoutMs: 2000 }), cache: counting }) } : {}),
        hot: { ttlMs: options.hotTtlMs ?? 10_000, max: options.max ?? 100 },
      });
      return { lookup, reads: () => reads };
    }

    it('answers a repeat lookup from memory: no store read, no Astro request, the same user', async () => {
      const { lookup, reads } = hotLookup();
      const first = await lookup.lookupUser({ installation: T1, userId: USER_ID });
      const readsAfterFirst = reads();
      const again = await Promise.all([1, 2, 3].map(() => lookup.lookupUser({ installation: T1, userId: USER_ID })));
      for (const r of again) {
        expect(r.fromCache).toBe(true);
        expect(r.user).toEqual(first.user);
        expect(r.fetchedAt).toBe(first.fetchedAt);
      }
      expect(reads()).toBe(readsAfterFirst);
      expect(stub.requests).toHaveLength(1);
    });

    it('never keeps a user past its cache entry: Astro is asked again when the entry ends', async () => {
      const { lookup } = hotLookup({ hotTtlMs: 10_000, cacheTtlMs: 150 });
      await lookup.lookupUser({ installation: T1, userId: USER_ID });
      expect((await lookup.lookupUser({ installation: T1, userId: USER_ID })).fromCache).toBe(true);
      await sleep(250);
      expect((await lookup.lookupUser({ installation: T1, userId: USER_ID })).fromCache).toBe(false);
      expect(stub.requests).toHaveLength(2);
    });

    it('reads the store again once the hot time has passed', async () => {
      const { lookup, reads } = hotLookup({ hotTtlMs: 100 });
      await lookup.lookupUser({ installation: T1, userId: USER_ID });
      await cached(T1, ORG_A);
      await sleep(150);
      const before = reads();
      expect((await lookup.lookupUser({ installation: T1, userId: USER_ID })).fromCache).toBe(true);
      expect(reads()).toBe(before + 1);
      expect(stub.requests).toHaveLength(1);
    });

    it('shows a Refresh at once in later lookups', async () => {
      names = ['Ada Lovelace', 'Ada King'];
      const { lookup } = hotLookup();
      await lookup.lookupUser({ installation: T1, userId: USER_ID });
      await sleep(5);
      const refreshed = await lookup.lookupUser({ installation: T1, userId: USER_ID, bypassCache: true });
      const later = await lookup.lookupUser({ installation: T1, userId: USER_ID });
      expect(later.user.fullName).toBe('Ada King');
      expect(later.fetchedAt).toBe(refreshed.fetchedAt);
    });

    it('forgets one installation and keeps the others', async () => {
      const { lookup } = hotLookup();
      await lookup.lookupUser({ installation: T1, userId: USER_ID });
      await lookup.lookupUser({ installation: T2, userId: USER_ID });
      await cached(T1, ORG_A);
      await stores.deleteWhere('cache', () => true); // what the app does with the shared store
      lookup.forget(installationKey(T1));
      expect((await lookup.lookupUser({ installation: T1, userId: USER_ID })).fromCache).toBe(false);
      expect((await lookup.lookupUser({ installation: T2, userId: USER_ID })).fromCache).toBe(true);
      expect(stub.requests).toHaveLength(3);
    });

    it('keeps at most `max` users', async () => {
      const { lookup } = hotLookup({ max: 2 });
      const ids = ['clx1user0000001abcdefghia', 'clx1user0000001abcdefghib', 'clx1user0000001abcdefghic'];
      for (const userId of ids) await lookup.lookupUser({ installation: T1, userId });
      for (const userId of ids) await cached(T1, ORG_A, userId);
      await stores.deleteWhere('cache', () => true);
      // The first was pushed out by the third; the other two are still in memory.
      expect((await lookup.lookupUser({ installation: T1, userId: ids[1]! })).fromCache).toBe(true);
      expect((await lookup.lookupUser({ installation: T1, userId: ids[2]! })).fromCache).toBe(true);
      expect((await lookup.lookupUser({ installation: T1, userId: ids[0]! })).fromCache).toBe(false);
    });

    it('does not keep a user whose Teams call failed: the next lookup reads the store again', async () => {
      stub.setHandler((req, res) => {
        if (req.url.includes('/teams')) return json(res, 500, { message: 'boom', requestId: 'req-500', statusCode: 500 });
        return json(res, 200, { ...ADA, id: USER_ID });
      });
      const { lookup, reads } = hotLookup({ teams: true });
      const first = await lookup.lookupUser({ installation: T1, userId: USER_ID });
      expect(first.teams).toEqual({ unavailable: 'failed' });
      await cached(T1, ORG_A);
      const before = reads();
      expect((await lookup.lookupUser({ installation: T1, userId: USER_ID })).fromCache).toBe(true);
      expect(reads()).toBe(before + 1);
    });

    it('with the hot time at 0, reads the store every time and reuses the kept user while the entry is the same', async () => {
      const { lookup, reads } = hotLookup({ hotTtlMs: 0 });
      const first = await lookup.lookupUser({ installation: T1, userId: USER_ID });
      await cached(T1, ORG_A);
      const before = reads();
      const a = await lookup.lookupUser({ installation: T1, userId: USER_ID });
      const b = await lookup.lookupUser({ installation: T1, userId: USER_ID });
      expect(reads()).toBe(before + 2);
      expect(a.fromCache).toBe(true);
      expect(a.user).toEqual(first.user);
      expect(b.user).toBe(a.user); // the same object: its card is not drawn again
      expect(stub.requests).toHaveLength(1);
    });

    it('shows a newer entry another instance wrote to the store, not the kept one', async () => {
      const { lookup } = hotLookup({ hotTtlMs: 0 });
      const first = await lookup.lookupUser({ installation: T1, userId: USER_ID });
      await cached(T1, ORG_A);
      const key = userCacheKey(installationKey(T1), target(ORG_A), USER_ID);
      // What another instance's Refresh leaves in the shared store.
      await cache.set(key, { user: { ...first.user, fullName: 'Ada King' }, unreadableRoles: 0, fetchedAt: first.fetchedAt + 1000 }, 60_000);
      const later = await lookup.lookupUser({ installation: T1, userId: USER_ID });
      expect(later.user.fullName).toBe('Ada King');
      expect(later.fetchedAt).toBe(first.fetchedAt + 1000);
      expect(stub.requests).toHaveLength(1);
    });

    it('does not keep a user whose name lookup failed: the next lookup asks for the names again', async () => {
      let workspaceCalls = 0;
      stub.setHandler((req, res) => {
        const path = req.url.split('?')[0]!;
        if (path.endsWith('/workspaces')) {
          workspaceCalls += 1;
          if (workspaceCalls === 1) return json(res, 400, { message: 'no', requestId: 'req-400', statusCode: 400 });
          return json(res, 200, { workspaces: ADA.workspaceRoles.map((r) => ({ id: r.workspaceId, name: `Workspace ${r.workspaceId.slice(-4)}` })), totalCount: 2, offset: 0, limit: 1000 });
        }
        if (path.endsWith('/deployments')) return json(res, 200, { deployments: [], totalCount: 0, offset: 0, limit: 1000 });
        return json(res, 200, { ...ADA, id: USER_ID });
      });
      const { lookup } = hotLookup({ names: true });
      const first = await lookup.lookupUser({ installation: T1, userId: USER_ID });
      expect(first.names?.failed).toBe(true);
      await cached(T1, ORG_A);
      const again = await lookup.lookupUser({ installation: T1, userId: USER_ID });
      expect(again.names?.failed).toBe(false);
      expect(again.names?.workspaces.get(ADA.workspaceRoles[0]!.workspaceId)?.name).toMatch(/^Workspace /);
      expect(workspaceCalls).toBe(2);
    });

    it('does not keep users when the installation is no longer connected', async () => {
      let connected = true;
      const lookup = createLookup({
        astro: createAstroClient({ requestTimeoutMs: 2000 }),
        settings: { resolve: async () => (connected ? target(ORG_A) : undefined) },
        cache,
        cacheTtlMs: 60_000,
        hot: { ttlMs: 10_000, max: 100 },
      });
      await lookup.lookupUser({ installation: T1, userId: USER_ID });
      connected = false;
      await expect(lookup.lookupUser({ installation: T1, userId: USER_ID })).rejects.toBeInstanceOf(NotConfiguredError);
    });
  });

  it('userCacheKey encodes ":" inside parts, so shifted parts can never collide', () => {
    const t = (organizationId: string) => ({ apiUrl: 'https://x', apiToken: 'x', organizationId });
    const a = userCacheKey('T.T1:x', t('org'), 'u');
    const b = userCacheKey('T.T1', t('x:org'), 'u');
    const c = userCacheKey('T.T1', t('x'), 'org:u');
    expect(new Set([a, b, c]).size).toBe(3);
    for (const key of [a, b, c]) expect(key.split(':')).toHaveLength(5);
    expect(a).toBe('user:v1:T.T1%3Ax:org:u');
  });
});
