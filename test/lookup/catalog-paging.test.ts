/**
 * Paging the organization's lists against an Astro that lies about them: a `totalCount` that never
 * comes (pages of one entry, pages of unreadable entries only), a page served again whatever the
 * offset. Every list must end after a bounded number of requests and say it was cut, while an
 * honest list served in smaller pages than asked still reads whole.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAstroClient, type AstroTarget, type ListPage } from '../../src/astro/client.js';
import { createLogger } from '../../src/logger.js';
import { createCatalog, readAllPages } from '../../src/lookup/catalog.js';
import { BestEffortCache } from '../../src/store/best-effort-cache.js';
import { openStores, type Stores } from '../../src/store/index.js';
import { accessOrg } from '../support/access-org.js';
import { ASTRO_TOKEN, ORG_ID } from '../support/app.js';
import { answerOrg } from '../support/astro-org.js';
import { json, startHttpStub, type HttpStub } from '../support/http-stub.js';

type Read = (offset: number, limit: number) => Promise<ListPage & { items: { id: string }[] }>;

/** Counts the calls of a page reader. */
function counted(read: Read): { read: Read; calls: () => number } {
  let calls = 0;
  return {
    read: (offset, limit) => {
      calls += 1;
      return read(offset, limit);
    },
    calls: () => calls,
  };
}

describe('readAllPages against lying pages', () => {
  it('ends a list whose pages hold only unreadable entries under a huge totalCount', async () => {
    const r = counted(async (offset, limit) => ({ items: [], unreadable: 1, totalCount: 1e9, offset, limit }));
    const out = await readAllPages(r.read, 5000);
    expect(r.calls()).toBeLessThanOrEqual(20);
    expect(out).toEqual({ items: [], truncated: true });
  });

  it('ends a list served one entry per page under a huge totalCount', async () => {
    const r = counted(async (offset, limit) => ({ items: [{ id: `i${offset}` }], unreadable: 0, totalCount: 1e9, offset, limit }));
    const out = await readAllPages(r.read, 50_000);
    expect(r.calls()).toBeLessThanOrEqual(200);
    expect(out.truncated).toBe(true);
  });

  it('stops at the first page served again for another offset, without its repeats', async () => {
    const page = Array.from({ length: 1000 }, (_, i) => ({ id: `i${i}` }));
    const r = counted(async (_offset, limit) => ({ items: page, unreadable: 0, totalCount: 1e9, offset: 0, limit }));
    const out = await readAllPages(r.read, 50_000);
    expect(r.calls()).toBe(2);
    expect(out.items).toHaveLength(1000);
    expect(out.truncated).toBe(true);
  });

  it('still reads a whole list served 100 at a time, and a page of 500,000 entries (more than a spread call takes)', async () => {
    const small = await readAllPages(async (offset) => ({ items: Array.from({ length: Math.min(100, 5000 - offset) }, (_, i) => ({ id: `i${offset + i}` })), unreadable: 0, totalCount: 5000, offset, limit: 100 }), 50_000);
    expect(small.items).toHaveLength(5000);
    expect(small.truncated).toBe(false);
    const huge = await readAllPages(async (offset, limit) => ({ items: Array.from({ length: 500_000 }, (_, i) => ({ id: `i${i}` })), unreadable: 0, totalCount: 500_000, offset, limit }), 50_000);
    expect(huge.items).toHaveLength(50_000);
    expect(huge.truncated).toBe(true);
  });
});

describe('the catalog against a never-ending list', () => {
  const silent = createLogger({ level: 'silent' });
  let stub: HttpStub;
  let stores: Stores;
  let target: AstroTarget;
  let slowDeployments: boolean;
  beforeEach(async () => {
    const org = accessOrg();
    slowDeployments = false;
    stub = await startHttpStub((req, res) => {
      const [path = '', query = ''] = req.url.split('?');
      if (slowDeployments && path === `/organizations/${ORG_ID}/deployments`) {
        // One Deployment per page, each page 100 ms late: 40 pages, seconds in all.
        const offset = Number(new URLSearchParams(query).get('offset') ?? 0);
        const deployment = { id: `cdepl${String(offset).padStart(20, '0')}`, name: `d${offset}`, workspaceId: org.workspaces[0]!.id };
        setTimeout(() => json(res, 200, { deployments: [deployment], totalCount: 40, offset, limit: 1 }), 100);
        return;
      }
      if (path === `/organizations/${ORG_ID}/teams`) {
        const offset = Number(new URLSearchParams(query).get('offset') ?? 0);
        return json(res, 200, { teams: [{ not: 'a team' }], totalCount: 1_000_000_000, offset, limit: 1000 });
      }
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

  it('loads with the readable parts after a bounded number of ListTeams pages, and says it was cut', async () => {
    const catalog = createCatalog({ astro: createAstroClient(), cache: new BestEffortCache(stores.cache, { log: silent }), maxItems: 2000 });
    const c = await catalog.get('T.A', target);
    expect(c.workspaces.map((w) => w.name)).toEqual(['Data', 'Web']);
    expect(c.teams).toEqual([]);
    expect(c.truncated).toBe(true);
    expect(stub.requests.filter((r) => r.url.startsWith(`/organizations/${ORG_ID}/teams`)).length).toBeLessThanOrEqual(8);
  });

  it('gives up a load that takes longer than its time, and keeps nothing', async () => {
    slowDeployments = true;
    const catalog = createCatalog({ astro: createAstroClient(), cache: new BestEffortCache(stores.cache, { log: silent }), maxItems: 2000, loadTimeoutMs: 300, loadOnPeek: false });
    await expect(catalog.get('T.A', target)).rejects.toMatchObject({ name: 'AstroApiError', kind: 'timeout' });
    expect(await catalog.peek('T.A', target)).toBeUndefined();
  });
});
