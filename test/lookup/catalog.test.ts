/**
 * The organization catalog against a stand-in Astro on loopback and a real store: read once and
 * shared by concurrent readers and by another instance through the store, kept warm (a stale one
 * answers at once and refreshes in the background), parts the token may not read left out and
 * named, a failing part failing the load with nothing kept, and names for cards without a request.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAstroClient, type AstroTarget } from '../../src/astro/client.js';
import { createLogger } from '../../src/logger.js';
import { catalogNames, createCatalog } from '../../src/lookup/catalog.js';
import { createNameResolver } from '../../src/lookup/names.js';
import { BestEffortCache } from '../../src/store/best-effort-cache.js';
import { openStores, type Stores } from '../../src/store/index.js';
import { accessOrg, DATA, ETL_PROD } from '../support/access-org.js';
import { ASTRO_TOKEN, ORG_ID } from '../support/app.js';
import { answerOrg, orgUser, type AstroOrg } from '../support/astro-org.js';
import { json, startHttpStub, type HttpStub } from '../support/http-stub.js';

const silent = createLogger({ level: 'silent' });
let org: AstroOrg;
let stub: HttpStub;
let stores: Stores;
let target: AstroTarget;
let clock: number;
let failWorkspaces: boolean;

beforeEach(async () => {
  org = accessOrg();
  failWorkspaces = false;
  clock = Date.parse('2026-12-01T12:00:00Z');
  stub = await startHttpStub((req, res) => {
    if (failWorkspaces && req.url.includes('/workspaces')) return json(res, 500, { message: 'boom', requestId: 'req-500' });
    if (answerOrg(req, res, org)) return;
    json(res, 404, { message: 'not found' });
  });
  stores = await openStores({ kind: 'memory' }, { log: silent });
  target = { apiUrl: stub.url, apiToken: ASTRO_TOKEN, organizationId: ORG_ID };
});
afterEach(async () => {
  await stores.close();
  await stub.close();
});

const catalogOf = (extra: Partial<Parameters<typeof createCatalog>[0]> = {}) =>
  createCatalog({ astro: createAstroClient(), cache: new BestEffortCache(stores.cache, { log: silent }), now: () => clock, refreshAfterMs: 60_000, ttlMs: 3_600_000, ...extra });

describe('the organization catalog', () => {
  it('reads each list once for concurrent readers, and another instance reads it from the store', async () => {
    const a = catalogOf();
    const [one, two] = await Promise.all([a.get('T.A', target), a.get('T.B', target)]);
    expect(one).toBe(two);
    expect(one.workspaces.map((w) => w.name)).toEqual(['Data', 'Web']);
    expect(one.owners.map((u) => u.fullName)).toEqual(['Olga Owner']);
    expect(one.tokens).toHaveLength(3);
    const requests = stub.requests.length;
    const b = catalogOf();
    const fromStore = await b.get('T.A', target);
    expect(fromStore.deployments.map((d) => d.id)).toContain(ETL_PROD);
    expect(stub.requests.length).toBe(requests);
  });

  it('reads a kept catalog from the store once for concurrent first readers of another instance', async () => {
    await catalogOf().get('T.A', target);
    const requests = stub.requests.length;
    const cache = new BestEffortCache(stores.cache, { log: silent });
    const get = cache.get.bind(cache);
    let reads = 0;
    cache.get = (key) => {
      if (key.startsWith('catalog:')) reads++;
      return get(key);
    };
    const b = catalogOf({ cache });
    const all = await Promise.all([b.peek('T.A', target), b.get('T.B', target), b.peek('T.C', target), b.get('T.A', target)]);
    expect(new Set(all).size).toBe(1);
    expect(all[0]?.workspaces).toHaveLength(2);
    expect(reads).toBe(1);
    expect(stub.requests.length).toBe(requests);
  });

  it('answers a stale catalog at once and refreshes it in the background', async () => {
    const c = catalogOf();
    await c.get('T.A', target);
    org.workspaces.push({ ...org.workspaces[0]!, id: 'cwkspnew00000000000000001', name: 'New' });
    clock += 120_000;
    const stale = await c.get('T.A', target);
    expect(stale.workspaces).toHaveLength(2);
    // The refresh started by that read lands without anyone waiting for it.
    let fresh = stale;
    for (let i = 0; i < 500 && fresh.workspaces.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 5));
      fresh = await c.get('T.A', target);
    }
    expect(fresh.workspaces.map((w) => w.name)).toContain('New');
    expect(stub.requests.filter((r) => r.url.includes('/workspaces')).length).toBe(2);
  });

  it('reads Astro again rather than trust a kept catalog dated a year ahead (a tampered store, a clock far off)', async () => {
    const year = 365 * 24 * 3600_000;
    await catalogOf({ now: () => clock + year }).get('T.A', target);
    org.workspaces[0]!.name = 'Data (renamed)';
    const requests = stub.requests.length;
    const c = await catalogOf().get('T.A', target);
    expect(c.fetchedAt).toBe(clock);
    expect(c.workspaces.map((w) => w.name)).toContain('Data (renamed)');
    expect(stub.requests.length).toBeGreaterThan(requests);
  });

  it('lets other work run while it validates a large catalog another instance kept, and refuses a tampered one', async () => {
    const deployments = Array.from({ length: 20_000 }, (_, i) => ({ id: `cdepl${String(i).padStart(20, '0')}`, name: `d${i}`, workspaceId: DATA }));
    const kept = { workspaces: org.workspaces, deployments, teams: [], owners: [], tokens: [], missing: [], truncated: false, fetchedAt: clock };
    let value: unknown = kept;
    const cache = { get: async () => value, set: async () => undefined } as unknown as BestEffortCache;
    let turns = 0;
    let reading = true;
    const spin = () => {
      if (!reading) return;
      turns += 1;
      setImmediate(spin);
    };
    setImmediate(spin);
    const c = await catalogOf({ cache }).get('T.A', target);
    reading = false;
    expect(c.deployments).toHaveLength(20_000);
    expect(turns).toBeGreaterThanOrEqual(10);
    expect(stub.requests).toHaveLength(0);
    value = { ...kept, deployments: [...deployments.slice(0, 5000), { id: 'x', name: 7 }] };
    await catalogOf({ cache }).get('T.A', target);
    expect(stub.requests.length).toBeGreaterThan(0);
  });

  it('leaves out API tokens the token may not list, and says so', async () => {
    org.denyTokens = true;
    const c = await catalogOf().get('T.A', target);
    expect(c.missing).toEqual(['tokens']);
    expect(c.tokens).toEqual([]);
    expect(c.workspaces).toHaveLength(2);
  });

  it('finds Organization Owners on every page of a large organization', async () => {
    // 2,500 more members, and an owner among the last: ListUsers answers 1,000 users a page.
    org.users.push(...Array.from({ length: 2500 }, (_, i) => orgUser(100 + i, i === 2400 ? { organizationRole: 'ORGANIZATION_OWNER', fullName: 'Late Owner' } : {})));
    const c = await catalogOf().get('T.A', target);
    expect(c.owners.map((u) => u.fullName)).toEqual(['Olga Owner', 'Late Owner']);
    expect(stub.requests.filter((r) => r.url.includes('sorts=id')).map((r) => new URL(r.url, stub.url).searchParams.get('offset'))).toEqual(['0', '1000', '2000']);
  });

  it('fails the load when a part fails otherwise, and keeps nothing', async () => {
    failWorkspaces = true;
    const c = catalogOf();
    await expect(c.get('T.A', target)).rejects.toMatchObject({ kind: 'unavailable' });
    failWorkspaces = false;
    expect((await c.get('T.A', target)).workspaces).toHaveLength(2);
  });

  it('names a card\u2019s Workspaces and Deployments without a request once it is kept', async () => {
    const c = catalogOf();
    await c.get('T.A', target);
    const requests = stub.requests.length;
    const names = createNameResolver({
      astro: createAstroClient(),
      cache: new BestEffortCache(stores.cache, { log: silent }),
      known: async (key, t) => {
        const kept = await c.peek(key, t);
        return kept ? catalogNames(kept) : undefined;
      },
    });
    const resolved = await names.resolve('T.A', target, { workspaceIds: [DATA], deploymentIds: [ETL_PROD] });
    expect(resolved.workspaces.get(DATA)).toEqual({ name: 'Data' });
    expect(resolved.deployments.get(ETL_PROD)).toMatchObject({ name: 'etl-prod', workspaceId: DATA, workspaceName: 'Data' });
    expect(stub.requests.length).toBe(requests);
  });
});
