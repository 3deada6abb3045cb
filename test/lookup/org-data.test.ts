/**
 * The organization's data for reports and offboarding: every page of every list read once and
 * joined, a list Astro refuses kept as a gap while users are essential, kept data reused within
 * its TTL (in this process and through the shared cache), and requests the official spec accepts.
 */
import { Writable } from 'node:stream';
import Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAstroClient, type AstroTarget } from '../../src/astro/client.js';
import { AstroApiError } from '../../src/astro/errors.js';
import { createResilientAstroClient } from '../../src/astro/policy.js';
import { createLogger } from '../../src/logger.js';
import { createOrgDataSource, type OrgDataOptions } from '../../src/lookup/org-data.js';
import { BestEffortCache } from '../../src/store/best-effort-cache.js';
import { ORG_ID } from '../support/app.js';
import { answerOrg, bigOrg, type StandInOrg } from '../support/astro-org.mjs';
import { json, startHttpStub, type HttpStub } from '../support/http-stub.js';
import { sharedPrism, type PrismMock } from '../support/prism.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcmctZGF0YSJ9.orgDataSignature';
const installation = { teamId: 'T0001' };
const log = createLogger({ level: 'error', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

let stub: HttpStub;
let org: StandInOrg;
let forbid: ('tokens' | 'teams' | 'workspaces' | 'deployments')[] = [];
let usersDown = false;
beforeAll(async () => {
  org = bigOrg({ users: 1050, tokens: 1020, teams: 3, workspaces: 4, deploymentsPerWorkspace: 2 });
  // One Team with more members than a page holds.
  org.members[org.teams[0]!.id as string] = org.users.slice(0, 1010).map((u) => ({ userId: u.id, username: u.username }));
  stub = await startHttpStub((req, res) => {
    if (usersDown && req.url.includes('/users?')) return json(res, 503, { message: 'down', requestId: 'req-503' });
    if (!answerOrg(req, res, org, ORG_ID, { forbid })) json(res, 404, { message: 'not found' });
  });
});
afterAll(() => stub.close());

/** A source over a fresh client (generous budget: the figures here are requests, not time). */
function source(target: AstroTarget, extra: Partial<OrgDataOptions> = {}) {
  const astro = createResilientAstroClient(createAstroClient(), { requestsPerSecond: 1000, maxAttempts: 1 });
  return createOrgDataSource({ astro, settings: { resolve: async () => target }, cache: new BestEffortCache(new Keyv(), { log }), ...extra });
}

describe('reading', () => {
  it('reads every page of every list once, 1000 at a time, users sorted by ID', async () => {
    stub.requests.length = 0;
    const data = await source({ apiUrl: stub.url, apiToken: TOKEN, organizationId: ORG_ID }).load({ installation });
    expect(data.users).toHaveLength(1050);
    expect(new Set(data.users.map((u) => u.id)).size).toBe(1050);
    expect(data.tokens.ok && data.tokens.items).toHaveLength(1020);
    expect(data.teams.ok && data.teams.items.map((t) => [t.members.length, t.membersComplete])).toEqual([
      [1010, true],
      [20, true],
      [20, true],
    ]);
    expect(data.workspaces.ok && data.workspaces.items).toHaveLength(4);
    expect(data.deployments.ok && data.deployments.items).toHaveLength(8);
    const paths = stub.requests.map((r) => r.url.replace(ORG_ID, 'ORG').replace(/teams\/c[0-9a-z]{24}/, 'teams/T')).sort();
    expect(paths.filter((p) => p.startsWith('/organizations/ORG/users'))).toEqual([
      '/organizations/ORG/users?offset=0&limit=1000&sorts=id%3Aasc',
      '/organizations/ORG/users?offset=1000&limit=1000&sorts=id%3Aasc',
    ]);
    expect(paths.filter((p) => p.startsWith('/organizations/ORG/tokens'))).toEqual(['/organizations/ORG/tokens?offset=0&limit=1000', '/organizations/ORG/tokens?offset=1000&limit=1000']);
    // 2 user pages, 2 token pages, Teams, 4 member pages (2 for the large Team), Workspaces, Deployments.
    expect(stub.requests).toHaveLength(11);
  });

  it('keeps a list Astro refuses as a gap, and fails when the users cannot be read', async () => {
    forbid = ['tokens', 'teams'];
    try {
      const data = await source({ apiUrl: stub.url, apiToken: TOKEN, organizationId: ORG_ID }).load({ installation });
      expect(data.tokens).toEqual({ ok: false, kind: 'forbidden', requestId: 'req-403-tokens' });
      expect(data.teams).toMatchObject({ ok: false, kind: 'forbidden' });
      expect(data.users).toHaveLength(1050);
      usersDown = true;
      const err = await source({ apiUrl: stub.url, apiToken: TOKEN, organizationId: ORG_ID })
        .load({ installation })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AstroApiError);
      expect((err as AstroApiError).kind).toBe('unavailable');
    } finally {
      forbid = [];
      usersDown = false;
    }
  });
});

describe('keeping', () => {
  // A small organization: what is counted here is requests, not pages.
  let big: StandInOrg;
  beforeAll(() => {
    big = org;
    org = bigOrg({ users: 40, tokens: 10, teams: 2, workspaces: 2, deploymentsPerWorkspace: 1 });
  });
  afterAll(() => {
    org = big;
  });

  it('answers again from memory within the TTL, and reads Astro again after it or when asked for fresh data', async () => {
    let now = 1_000_000;
    const s = source({ apiUrl: stub.url, apiToken: TOKEN, organizationId: ORG_ID }, { ttlMs: 60_000, now: () => now });
    await s.load({ installation });
    const after = stub.requests.length;
    now += 59_000;
    await s.load({ installation });
    expect(stub.requests.length).toBe(after);
    await s.load({ installation, fresh: true });
    expect(stub.requests.length).toBeGreaterThan(after);
    const again = stub.requests.length;
    now += 61_000;
    await s.load({ installation });
    expect(stub.requests.length).toBeGreaterThan(again);
  });

  it('reads Astro again rather than trust kept data dated a year ahead (a tampered store, a clock far off)', async () => {
    const cache = new BestEffortCache(new Keyv(), { log });
    const target = { apiUrl: stub.url, apiToken: `${TOKEN}future`, organizationId: ORG_ID };
    await source(target, { cache, now: () => Date.now() + 365 * 24 * 3600_000 }).load({ installation });
    const before = stub.requests.length;
    const data = await source(target, { cache }).load({ installation });
    expect(stub.requests.length).toBeGreaterThan(before);
    expect(data.fetchedAt).toBeLessThanOrEqual(Date.now());
  });

  it('asks a bounded number of pages when Astro says it serves one user a page of 50,000, and says the list was cut', async () => {
    const tiny = await startHttpStub((req, res) => {
      const [path = '', query = ''] = req.url.split('?');
      const offset = Number(new URLSearchParams(query).get('offset') ?? 0);
      if (path.endsWith('/users')) return json(res, 200, { users: [{ ...org.users[0], id: `cuser${String(offset).padStart(20, '0')}` }], totalCount: 50_000, offset, limit: 1 });
      const list = path.split('/').pop() ?? '';
      json(res, 200, { [list === 'tokens' ? 'tokens' : list]: [], totalCount: 0, offset, limit: 1000 });
    });
    try {
      const data = await source({ apiUrl: tiny.url, apiToken: TOKEN, organizationId: ORG_ID }, { maxUsers: 2000 }).load({ installation });
      expect(data.usersTruncated).toBe(true);
      expect(tiny.requests.filter((r) => r.url.split('?')[0]!.endsWith('/users')).length).toBeLessThanOrEqual(8);
    } finally {
      await tiny.close();
    }
  });

  it('shares kept data through the cache with another instance, and never across tokens', async () => {
    const cache = new BestEffortCache(new Keyv(), { log });
    const target = { apiUrl: stub.url, apiToken: TOKEN, organizationId: ORG_ID };
    const one = source(target, { cache });
    const first = await one.load({ installation });
    const before = stub.requests.length;
    const other = await source(target, { cache }).load({ installation });
    expect(stub.requests.length).toBe(before);
    expect(other.users).toHaveLength(first.users.length);
    expect(other.teams.ok && other.teams.items[0]!.members).toHaveLength(20);
    await source({ ...target, apiToken: `${TOKEN}x` }, { cache }).load({ installation });
    expect(stub.requests.length).toBeGreaterThan(before);
  });
});

describe('against Prism serving the official v1 spec', () => {
  let prism: PrismMock;
  beforeAll(async () => {
    prism = await sharedPrism();
  }, 90_000);
  afterAll(async () => prism?.close());

  it('sends requests the spec accepts and reads its examples', async () => {
    const data = await source({ apiUrl: prism.url, apiToken: TOKEN, organizationId: ORG_ID }).load({ installation });
    expect(data.users.length).toBeGreaterThan(0);
    for (const part of [data.tokens, data.teams, data.workspaces, data.deployments]) expect(part.ok).toBe(true);
    expect(prism.output()).not.toMatch(/Violation/);
  });
});
