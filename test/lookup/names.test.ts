/**
 * createNameResolver against a real loopback HTTP server standing in for ListWorkspaces and
 * ListDeployments, with a real BestEffortCache over the memory store: one call per kind, cached
 * names make no call, unresolved IDs are marked (and remembered briefly), a failing call never
 * fails the lookup, long ID lists are split to keep URLs short and paged by totalCount.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAstroClient, type AstroTarget } from '../../src/astro/client.js';
import { createLogger } from '../../src/logger.js';
import { astroDeploymentUrl, createNameResolver, nameCacheKey, type NameResolverOptions } from '../../src/lookup/names.js';
import { BestEffortCache } from '../../src/store/best-effort-cache.js';
import { openStores, type Stores } from '../../src/store/index.js';
import { json, startHttpStub, type HttpStub, type RecordedRequest } from '../support/http-stub.js';

const silent = createLogger({ level: 'silent' });
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJuYW1lcy10ZXN0In0.namesTestSignature';
const ORG = 'clorg000000000000000000001';
const INSTALL = 'T.T0001';

const cuid = (prefix: string, i: number) => `c${prefix}${String(i).padStart(24 - prefix.length, '0')}`;
const WS = [0, 1, 2].map((i) => cuid('ws', i));
const DEP = [0, 1, 2].map((i) => cuid('dep', i));

/** What the stand-in Astro knows: Workspaces and Deployments by ID. */
let workspaces: Map<string, { id: string; name: string }>;
let deployments: Map<string, { id: string; name: string; workspaceId: string; workspaceName?: string }>;
/** Largest page the stand-in answers, whatever limit was asked (to exercise paging). */
let maxPage: number;
/** Status to answer for a kind instead of a page. */
let failing: { workspaces?: number; deployments?: number };

let stub: HttpStub;
let stores: Stores;
let cache: BestEffortCache;
let target: AstroTarget;
let clock: number;

function answer(req: RecordedRequest, res: Parameters<Parameters<typeof startHttpStub>[0]>[1]): void {
  const url = new URL(req.url, 'http://stub');
  const kind = url.pathname.endsWith('/workspaces') ? 'workspaces' : url.pathname.endsWith('/deployments') ? 'deployments' : undefined;
  if (!kind) return json(res, 404, { message: 'no route', requestId: 'req-404', statusCode: 404 });
  const status = failing[kind];
  if (status) return json(res, status, { message: 'boom', requestId: `req-${status}`, statusCode: status });
  const ids = url.searchParams.getAll(kind === 'workspaces' ? 'workspaceIds' : 'deploymentIds');
  const source = kind === 'workspaces' ? workspaces : deployments;
  const all = ids.flatMap((id) => (source.has(id) ? [source.get(id)!] : []));
  const offset = Number(url.searchParams.get('offset') ?? 0);
  const limit = Math.min(Number(url.searchParams.get('limit') ?? 20), maxPage);
  json(res, 200, { [kind]: all.slice(offset, offset + limit), offset, limit, totalCount: all.length });
}

beforeAll(async () => {
  stub = await startHttpStub(answer);
  target = { apiUrl: stub.url, apiToken: TOKEN, organizationId: ORG };
});
afterAll(async () => {
  await stub?.close();
  await stores?.close();
});
beforeEach(async () => {
  stub.requests.length = 0;
  stub.setHandler(answer);
  await stores?.close();
  stores = await openStores({ kind: 'memory' }, { log: silent });
  cache = new BestEffortCache(stores.cache, { log: silent });
  clock = Date.parse('2026-06-01T12:00:00Z');
  maxPage = 1000;
  failing = {};
  workspaces = new Map(WS.map((id, i) => [id, { id, name: `Workspace ${i}` }]));
  deployments = new Map(DEP.map((id, i) => [id, { id, name: `deployment-${i}`, workspaceId: WS[i % 2]!, workspaceName: `Workspace ${i % 2}` }]));
});

function resolver(overrides: Partial<NameResolverOptions> = {}) {
  return createNameResolver({ astro: createAstroClient(), cache, now: () => clock, ...overrides });
}

/** Waits until the resolver's fire-and-forget cache writes for `ids` have landed. */
async function cached(kind: 'workspace' | 'deployment', ids: string[]): Promise<void> {
  await vi.waitFor(async () => {
    for (const id of ids) expect(await cache.get(nameCacheKey(INSTALL, target, kind, id))).toBeDefined();
  });
}

const paths = () => stub.requests.map((r) => new URL(r.url, 'http://stub').pathname);
const idsSent = (r: RecordedRequest, param: string) => new URL(r.url, 'http://stub').searchParams.getAll(param);

describe('resolve', () => {
  it('resolves every ID with one ListWorkspaces and one ListDeployments call, in request order', async () => {
    const names = await resolver().resolve(INSTALL, target, { workspaceIds: [WS[1]!, WS[0]!, WS[1]!], deploymentIds: DEP });
    expect(names.failed).toBe(false);
    expect([...names.workspaces]).toEqual([
      [WS[1], { name: 'Workspace 1' }],
      [WS[0], { name: 'Workspace 0' }],
    ]);
    expect(names.deployments.get(DEP[2]!)).toEqual({ name: 'deployment-2', workspaceId: WS[0], workspaceName: 'Workspace 0' });
    expect(paths().sort()).toEqual([`/organizations/${ORG}/deployments`, `/organizations/${ORG}/workspaces`]);
    const wsReq = stub.requests.find((r) => r.url.includes('/workspaces'))!;
    expect(idsSent(wsReq, 'workspaceIds')).toEqual([WS[1], WS[0]]);
    expect(new URL(wsReq.url, 'http://stub').searchParams.get('limit')).toBe('2');
    const depReq = stub.requests.find((r) => r.url.includes('/deployments'))!;
    expect(idsSent(depReq, 'deploymentIds')).toEqual(DEP);
  });

  it('answers cached names without any call', async () => {
    const r = resolver();
    await r.resolve(INSTALL, target, { workspaceIds: WS, deploymentIds: DEP });
    await cached('workspace', WS);
    await cached('deployment', DEP);
    stub.requests.length = 0;
    const again = await r.resolve(INSTALL, target, { workspaceIds: WS, deploymentIds: DEP });
    expect(stub.requests).toHaveLength(0);
    expect(again.workspaces.get(WS[2]!)).toEqual({ name: 'Workspace 2' });
    expect(again.deployments.get(DEP[1]!)).toEqual({ name: 'deployment-1', workspaceId: WS[1], workspaceName: 'Workspace 1' });
    expect(again.failed).toBe(false);
  });

  it('fetches only the IDs that are not cached', async () => {
    const r = resolver();
    await r.resolve(INSTALL, target, { workspaceIds: [WS[0]!], deploymentIds: [] });
    await cached('workspace', [WS[0]!]);
    stub.requests.length = 0;
    await r.resolve(INSTALL, target, { workspaceIds: WS, deploymentIds: [] });
    expect(stub.requests).toHaveLength(1);
    expect(idsSent(stub.requests[0]!, 'workspaceIds')).toEqual([WS[1], WS[2]]);
  });

  it('keeps names per installation and organization', async () => {
    const r = resolver();
    await r.resolve(INSTALL, target, { workspaceIds: [WS[0]!], deploymentIds: [] });
    await cached('workspace', [WS[0]!]);
    stub.requests.length = 0;
    await r.resolve('T.OTHER', target, { workspaceIds: [WS[0]!], deploymentIds: [] });
    await r.resolve(INSTALL, { ...target, organizationId: 'clorg000000000000000000002' }, { workspaceIds: [WS[0]!], deploymentIds: [] });
    expect(stub.requests).toHaveLength(2);
  });

  it('re-reads a name once its TTL has passed', async () => {
    const r = resolver({ ttlMs: 60_000 });
    await r.resolve(INSTALL, target, { workspaceIds: [WS[0]!], deploymentIds: [] });
    await cached('workspace', [WS[0]!]);
    workspaces.set(WS[0]!, { id: WS[0]!, name: 'Renamed' });
    clock += 60_001;
    stub.requests.length = 0;
    const names = await r.resolve(INSTALL, target, { workspaceIds: [WS[0]!], deploymentIds: [] });
    expect(stub.requests).toHaveLength(1);
    expect(names.workspaces.get(WS[0]!)).toEqual({ name: 'Renamed' });
  });

  it('marks IDs Astro did not return as undefined, and remembers that for unresolvedTtlMs', async () => {
    const gone = cuid('ws', 99);
    const goneDep = cuid('dep', 99);
    const r = resolver({ unresolvedTtlMs: 300_000 });
    const names = await r.resolve(INSTALL, target, { workspaceIds: [WS[0]!, gone], deploymentIds: [goneDep] });
    expect(names.failed).toBe(false);
    expect(names.workspaces.has(gone)).toBe(true);
    expect(names.workspaces.get(gone)).toBeUndefined();
    expect(names.deployments.get(goneDep)).toBeUndefined();
    await cached('workspace', [WS[0]!, gone]);
    await cached('deployment', [goneDep]);

    stub.requests.length = 0;
    const again = await r.resolve(INSTALL, target, { workspaceIds: [WS[0]!, gone], deploymentIds: [goneDep] });
    expect(stub.requests).toHaveLength(0);
    expect(again.workspaces.get(gone)).toBeUndefined();

    clock += 300_001; // the marker expires; the found name (1 h) does not
    workspaces.set(gone, { id: gone, name: 'Restored' });
    const later = await r.resolve(INSTALL, target, { workspaceIds: [WS[0]!, gone], deploymentIds: [] });
    expect(stub.requests).toHaveLength(1);
    expect(idsSent(stub.requests[0]!, 'workspaceIds')).toEqual([gone]);
    expect(later.workspaces.get(gone)).toEqual({ name: 'Restored' });
  });

  it('returns the Workspace names and failed: true when ListDeployments fails, and caches nothing for the failed IDs', async () => {
    failing = { deployments: 500 };
    const errors: string[] = [];
    const r = resolver({ onError: (_err, kind) => errors.push(kind) });
    const names = await r.resolve(INSTALL, target, { workspaceIds: [WS[0]!], deploymentIds: [DEP[0]!] });
    expect(names.failed).toBe(true);
    expect(names.workspaces.get(WS[0]!)).toEqual({ name: 'Workspace 0' });
    expect(names.deployments.has(DEP[0]!)).toBe(true);
    expect(names.deployments.get(DEP[0]!)).toBeUndefined();
    expect(errors).toEqual(['deployment']);

    await cached('workspace', [WS[0]!]);
    expect(await cache.get(nameCacheKey(INSTALL, target, 'deployment', DEP[0]!))).toBeUndefined();
    failing = {};
    stub.requests.length = 0;
    const again = await r.resolve(INSTALL, target, { workspaceIds: [WS[0]!], deploymentIds: [DEP[0]!] });
    expect(stub.requests).toHaveLength(1);
    expect(again).toMatchObject({ failed: false });
    expect(again.deployments.get(DEP[0]!)?.name).toBe('deployment-0');
  });

  it('never rejects, even when Astro is unreachable or the caller has given up', async () => {
    const unreachable = { ...target, apiUrl: 'http://127.0.0.1:1' };
    const names = await resolver().resolve(INSTALL, unreachable, { workspaceIds: [WS[0]!], deploymentIds: [DEP[0]!] });
    expect(names.failed).toBe(true);
    expect(names.workspaces.get(WS[0]!)).toBeUndefined();
    const aborted = await resolver().resolve(INSTALL, target, { workspaceIds: [WS[0]!], deploymentIds: [] }, AbortSignal.abort());
    expect(aborted.failed).toBe(true);
  });

  it('names a Workspace from its Deployment when ListWorkspaces did not', async () => {
    failing = { workspaces: 403 };
    const names = await resolver().resolve(INSTALL, target, { workspaceIds: [WS[1]!], deploymentIds: [DEP[1]!] });
    expect(names.failed).toBe(true);
    expect(names.workspaces.get(WS[1]!)).toEqual({ name: 'Workspace 1' });
  });

  it('never sends an ID that is not a plain ID, and marks it unresolved', async () => {
    const names = await resolver().resolve(INSTALL, target, { workspaceIds: ['../x', WS[0]!], deploymentIds: ['a&b=c'] });
    expect(names.workspaces.get('../x')).toBeUndefined();
    expect(names.deployments.get('a&b=c')).toBeUndefined();
    expect(names.failed).toBe(false);
    expect(stub.requests).toHaveLength(1);
    expect(idsSent(stub.requests[0]!, 'workspaceIds')).toEqual([WS[0]]);
  });

  it('makes no call when there is nothing to resolve', async () => {
    const names = await resolver().resolve(INSTALL, target, { workspaceIds: [], deploymentIds: [] });
    expect(names).toEqual({ workspaces: new Map(), deployments: new Map(), failed: false });
    expect(stub.requests).toHaveLength(0);
  });

  it('splits a long ID list so that every URL stays under maxUrlLength', async () => {
    const many = Array.from({ length: 400 }, (_, i) => cuid('ws', 1000 + i));
    for (const id of many) workspaces.set(id, { id, name: `W ${id}` });
    const names = await resolver().resolve(INSTALL, target, { workspaceIds: many, deploymentIds: [] });
    expect(names.failed).toBe(false);
    expect([...names.workspaces.values()].every((v) => v !== undefined)).toBe(true);
    expect(stub.requests.length).toBeGreaterThan(1);
    expect(stub.requests.length).toBeLessThanOrEqual(4);
    for (const r of stub.requests) expect(stub.url.length + r.url.length).toBeLessThanOrEqual(6000);
    expect(stub.requests.flatMap((r) => idsSent(r, 'workspaceIds')).sort()).toEqual([...many].sort());
  });

  it('pages by totalCount when Astro answers fewer items than asked', async () => {
    maxPage = 2;
    const names = await resolver().resolve(INSTALL, target, { workspaceIds: [], deploymentIds: DEP });
    expect([...names.deployments.values()].map((d) => d?.name)).toEqual(['deployment-0', 'deployment-1', 'deployment-2']);
    expect(stub.requests.map((r) => new URL(r.url, 'http://stub').searchParams.get('offset'))).toEqual(['0', '2']);
  });
});

describe('astroDeploymentUrl', () => {
  it('builds the Astro UI link of astro-cli GetDeploymentURL', () => {
    expect(astroDeploymentUrl('https://cloud.astronomer.io', WS[0]!, DEP[0]!)).toBe(`https://cloud.astronomer.io/${WS[0]}/deployments/${DEP[0]}`);
    expect(astroDeploymentUrl('https://cloud.astronomer-dev.io/', WS[0]!, DEP[0]!)).toBe(`https://cloud.astronomer-dev.io/${WS[0]}/deployments/${DEP[0]}`);
  });

  it.each([
    ['a workspace ID with a slash', 'https://cloud.astronomer.io', 'a/b', DEP[0]!],
    ['a dot-segment deployment ID', 'https://cloud.astronomer.io', WS[0]!, '..'],
    ['an empty ID', 'https://cloud.astronomer.io', '', DEP[0]!],
    ['a javascript: base', 'javascript:alert(1)', WS[0]!, DEP[0]!],
    ['a base with a query', 'https://cloud.astronomer.io/?x=1', WS[0]!, DEP[0]!],
    ['a base that is not a URL', 'cloud.astronomer.io', WS[0]!, DEP[0]!],
  ])('gives no link for %s', (_what, base, ws, dep) => {
    expect(astroDeploymentUrl(base, ws, dep)).toBeUndefined();
  });
});
