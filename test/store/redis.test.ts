/**
 * The stores on a real redis-server (started by test/setup/global.ts): shared state between
 * instances, atomic once-only claims, shared abuse limits, and lookups that keep working uncached
 * while Redis is down or hung. Skipped, visibly, where redis-server is not installed.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAstroClient } from '../../src/astro/client.js';
import { createLookup } from '../../src/lookup/lookup.js';
import { createThrottle } from '../../src/lookup/throttle.js';
import { createLogger } from '../../src/logger.js';
import { BestEffortCache } from '../../src/store/best-effort-cache.js';
import { openStores, type Stores } from '../../src/store/index.js';
import { StoreUnavailableError, boundedOnceStore } from '../../src/store/once.js';
import { ADA } from '../support/fixtures.js';
import { json, startHttpStub, type HttpStub } from '../support/http-stub.js';
import { freePort } from '../support/net.js';
import { startRedis } from '../setup/global.js';
import { sleep } from '../support/sleep.js';

const redisUrl = inject('redisUrl');
const silent = createLogger({ level: 'silent' });
const T1 = { teamId: 'T1' };

describe.skipIf(!redisUrl)('stores on a real Redis', () => {
  const opened: Stores[] = [];
  const open = async (url = redisUrl) => {
    const s = await openStores({ kind: 'redis', url }, { log: silent });
    opened.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  it('shares cache entries between two instances, with TTLs in ms', async () => {
    const a = await open();
    const b = await open();
    const key = `k-${Date.now()}`;
    expect(await new BestEffortCache(a.cache, { log: silent }).set(key, { v: 1 }, 300)).toBe(true);
    expect(await new BestEffortCache(b.cache, { log: silent }).get(key)).toEqual({ v: 1 });
    await sleep(400);
    expect(await new BestEffortCache(b.cache, { log: silent }).get(key)).toBeUndefined();
  });

  it('grants a once-only claim to exactly one of many concurrent claimers across instances', async () => {
    const a = await open();
    const b = await open();
    const key = `event:Ev${Date.now()}`;
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).once.claim(key, 60_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('shares the abuse limits between instances', async () => {
    const a = await open();
    const b = await open();
    const limits = { perUserPerMinute: 3, perWorkspacePerMinute: 100 };
    const ta = createThrottle(limits, a.redis);
    const tb = createThrottle(limits, b.redis);
    const user = `U${Date.now()}`;
    expect(await ta.take('T.T1', user)).toBeUndefined();
    expect(await tb.take('T.T1', user)).toBeUndefined();
    expect(await ta.take('T.T1', user)).toBeUndefined();
    expect(await tb.take('T.T1', user)).toMatchObject({ scope: 'user' });
  });

  it('reports reachability for /healthz', async () => {
    expect(await (await open()).ping()).toBe(true);
    expect(await (await open('redis://127.0.0.1:1')).ping(200)).toBe(false);
  });
});

describe.skipIf(!redisUrl)('lookups while Redis fails', () => {
  let astro: HttpStub;
  let port: number;
  let redis: ChildProcess | undefined;
  let stores: Stores;

  beforeAll(async () => {
    astro = await startHttpStub((_req, res) => json(res, 200, ADA));
    port = await freePort();
    redis = await startRedis(port);
    stores = await openStores({ kind: 'redis', url: `redis://127.0.0.1:${port}` }, { log: silent });
  });
  afterAll(async () => {
    await stores?.close();
    redis?.kill('SIGKILL');
    await astro?.close();
  });

  const lookupOn = (s: Stores) =>
    createLookup({
      astro: createAstroClient(),
      settings: { resolve: async () => ({ apiUrl: astro.url, apiToken: 'token-for-tests-0123456789', organizationId: 'clorg' }) },
      cache: new BestEffortCache(s.cache, { log: silent }),
      cacheTtlMs: 60_000,
    });

  it('answers uncached, fast, while Redis accepts connections but never answers (CLIENT PAUSE)', async () => {
    const lookup = lookupOn(stores);
    await lookup.lookupUser({ installation: T1, userId: ADA.id });
    const before = astro.requests.length;
    spawnSync('redis-cli', ['-p', String(port), 'CLIENT', 'PAUSE', '3000', 'ALL']);
    const started = Date.now();
    const r = await lookup.lookupUser({ installation: T1, userId: ADA.id });
    expect(r.user.fullName).toBe('Ada Lovelace');
    expect(r.fromCache).toBe(false);
    expect(Date.now() - started).toBeLessThan(2500); // not after the 3 s pause
    expect(astro.requests.length).toBe(before + 1);
    // The strict profile does not guess: a hung claim is refused within its bound.
    await expect(boundedOnceStore(stores.once, 500).claim(`event:paused${Date.now()}`, 1000)).rejects.toBeInstanceOf(StoreUnavailableError);
    spawnSync('redis-cli', ['-p', String(port), 'CLIENT', 'UNPAUSE']);
  });

  it('answers uncached while Redis is stopped, refuses strict claims, and recovers when it is back', async () => {
    const lookup = lookupOn(stores);
    redis!.kill('SIGKILL');
    await sleep(200);
    const started = Date.now();
    const r = await lookup.lookupUser({ installation: T1, userId: ADA.id, bypassCache: false });
    expect(r.user.fullName).toBe('Ada Lovelace');
    expect(r.fromCache).toBe(false);
    expect(Date.now() - started).toBeLessThan(1500);
    await expect(boundedOnceStore(stores.once, 500).claim(`event:down${Date.now()}`, 1000)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await stores.ping(200)).toBe(false);

    redis = await startRedis(port);
    const deadline = Date.now() + 8000;
    while (!(await stores.ping(200)) && Date.now() < deadline) await sleep(100);
    expect(await stores.ping()).toBe(true);
    const fresh = await lookup.lookupUser({ installation: T1, userId: ADA.id });
    expect(fresh.fromCache).toBe(false);
    await sleep(50);
    expect((await lookup.lookupUser({ installation: T1, userId: ADA.id })).fromCache).toBe(true);
  });
});
