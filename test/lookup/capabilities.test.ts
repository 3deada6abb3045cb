/**
 * Probing what an Astro token can reach, and keeping the result: each endpoint's answer becomes
 * a state (403 denied; 401, 5xx and silence unknown), the audit log is asked once (Astro allows it
 * two requests a minute), a result is read back by the installation whose token it is, an old one
 * is probed again once in the background, and nothing here ever throws.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAstroClient, type AstroTarget } from '../../src/astro/client.js';
import { createResilientAstroClient } from '../../src/astro/policy.js';
import { createCapabilities, probeCapabilities } from '../../src/lookup/capabilities.js';
import { createLogger } from '../../src/logger.js';
import { BestEffortCache } from '../../src/store/best-effort-cache.js';
import { openStores, type Stores } from '../../src/store/index.js';
import { ASTRO_TOKEN, ORG_ID } from '../support/app.js';
import { json, startHttpStub, type HttpStub, type RecordedRequest } from '../support/http-stub.js';

const silent = createLogger({ level: 'silent' });
const DAY = 24 * 3600_000;

/** Status per last path segment (`users`, `teams`, `tokens`, `roles`, `workspaces`, `audit-logs`); 200 by default. */
let status: Record<string, number>;
let stub: HttpStub;
let stores: Stores;
let target: AstroTarget;

const segment = (r: RecordedRequest) => new URL(r.url, 'http://x').pathname.split('/').pop() ?? '';
const PAGES: Record<string, unknown> = {
  users: { users: [], totalCount: 0, offset: 0, limit: 1 },
  teams: { teams: [], totalCount: 0, offset: 0, limit: 1 },
  tokens: { tokens: [], totalCount: 0, offset: 0, limit: 1 },
  roles: { roles: [], totalCount: 0, offset: 0, limit: 1 },
  workspaces: { workspaces: [], totalCount: 0, offset: 0, limit: 1 },
};

beforeEach(async () => {
  status = {};
  stub = await startHttpStub((req: RecordedRequest, res: ServerResponse) => {
    const s = segment(req);
    const code = status[s] ?? 200;
    if (code !== 200) return json(res, code, { message: `status ${code}`, requestId: `req-${s}`, statusCode: code });
    if (s === 'audit-logs') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end();
      return;
    }
    return json(res, 200, PAGES[s] ?? {});
  });
  stores = await openStores({ kind: 'memory' }, { log: silent });
  target = { apiUrl: stub.url, apiToken: ASTRO_TOKEN, organizationId: ORG_ID };
});
afterEach(async () => {
  await stores.close();
  await stub.close();
});

/** The resilient client with its default three attempts and short backoffs. */
const resilientClient = () => createResilientAstroClient(createAstroClient(), { backoffBaseMs: 1, backoffCapMs: 5 });

describe('probeCapabilities', () => {
  it('asks each endpoint once for a page of one (the audit log for the last minute) and reads 200 as ok, 403 as denied', async () => {
    status = { tokens: 403, 'audit-logs': 403 };
    const caps = await probeCapabilities(resilientClient(), target, { now: Date.UTC(2026, 4, 1, 12, 0, 30) });
    expect(caps).toEqual({ users: 'ok', teams: 'ok', tokens: 'denied', roles: 'ok', catalog: 'ok', audit_logs: 'denied', checkedAt: Date.UTC(2026, 4, 1, 12, 0, 30) });
    expect(stub.requests.map((r) => r.url.replace(`/organizations/${ORG_ID}`, '')).sort()).toEqual([
      '/audit-logs?startDate=2026-05-01T11%3A59%3A30Z&endDate=2026-05-01T12%3A00%3A30Z',
      '/roles?offset=0&limit=1',
      '/teams?offset=0&limit=1',
      '/tokens?offset=0&limit=1',
      expect.stringMatching(/^\/users\?offset=0&limit=1/),
      '/workspaces?offset=0&limit=1',
    ]);
  });

  it('never calls a 401 (a refused token) denied: every feature is unknown', async () => {
    status = { users: 401, teams: 401, tokens: 401, roles: 401, workspaces: 401, 'audit-logs': 401 };
    const caps = await probeCapabilities(resilientClient(), target);
    expect(Object.values(caps).filter((v) => v === 'denied')).toEqual([]);
    expect(caps).toMatchObject({ users: 'unknown', tokens: 'unknown', audit_logs: 'unknown' });
  });

  it('reads 5xx and a rate limit as unknown, and asks the audit log only once even when the policy would retry', async () => {
    status = { teams: 503, 'audit-logs': 429 };
    const caps = await probeCapabilities(resilientClient(), target);
    expect(caps).toMatchObject({ teams: 'unknown', audit_logs: 'unknown', users: 'ok' });
    expect(stub.requests.filter((r) => segment(r) === 'audit-logs')).toHaveLength(1);
    expect(stub.requests.filter((r) => segment(r) === 'teams')).toHaveLength(3);
  });
});

describe('createCapabilities', () => {
  let clock: number;
  const make = (resolve: () => Promise<AstroTarget | undefined> = async () => target) =>
    createCapabilities({
      astro: resilientClient(),
      cache: new BestEffortCache(stores.cache, { log: silent }),
      settings: { resolve },
      log: silent,
      now: () => clock,
      claimOnce: (key, ttl) => stores.once.claim(key, ttl),
    });
  const ref = { teamId: 'T0001' };
  const audits = () => stub.requests.filter((r) => segment(r) === 'audit-logs').length;
  beforeEach(() => {
    clock = Date.UTC(2026, 4, 1);
  });

  it('keeps a saved token\'s result for its installation; a new token starts unprobed', async () => {
    const caps = make();
    status = { tokens: 403 };
    await caps.probe(ref, target);
    expect(await caps.capabilitiesOf(ref, { probeIfStale: false })).toMatchObject({ tokens: 'denied', users: 'ok', checkedAt: clock });
    const other = { ...target, apiToken: `${ASTRO_TOKEN}X` };
    expect(await caps.capabilitiesFor(ref, other, { probeIfStale: false })).toMatchObject({ tokens: 'unknown', checkedAt: 0 });
    // Another installation with its own token has none either.
    expect(await caps.capabilitiesFor({ teamId: 'T0002' }, target, { probeIfStale: false })).toMatchObject({ checkedAt: 0 });
  });

  it('probes a missing or day-old result once in the background, however many read it at once', async () => {
    const caps = make();
    const reads = await Promise.all(Array.from({ length: 10 }, () => caps.capabilitiesOf(ref)));
    expect(reads.every((r) => r.checkedAt === 0)).toBe(true);
    await caps.settled();
    expect(audits()).toBe(1);
    expect(await caps.capabilitiesOf(ref)).toMatchObject({ users: 'ok', checkedAt: clock });
    clock += DAY / 2;
    await caps.capabilitiesOf(ref);
    await caps.settled();
    expect(audits()).toBe(1);
    clock += DAY;
    await Promise.all(Array.from({ length: 10 }, () => caps.capabilitiesOf(ref)));
    await caps.settled();
    expect(audits()).toBe(2);
  });

  it('probes again rather than trust a result dated a year ahead (a tampered store, a clock far off)', async () => {
    const now = clock;
    clock += 365 * DAY;
    status = { roles: 403, 'audit-logs': 403 };
    await make().probe(ref, target);
    clock = now;
    status = {};
    const caps = make();
    expect(await caps.capabilitiesOf(ref)).toMatchObject({ checkedAt: 0 });
    await caps.settled();
    expect(await caps.capabilitiesOf(ref)).toMatchObject({ roles: 'ok', audit_logs: 'ok', checkedAt: clock });
  });

  it('lets one instance re-probe a shared token: a second instance on the same store does not', async () => {
    const a = make();
    const b = make();
    await Promise.all([a.capabilitiesOf(ref), b.capabilitiesOf(ref)]);
    await Promise.all([a.settled(), b.settled()]);
    expect(audits()).toBe(1);
    expect(await b.capabilitiesOf(ref, { probeIfStale: false })).toMatchObject({ users: 'ok', checkedAt: clock });
  });

  it('never throws: settings that cannot be read, or no Astro connection, answer unprobed and probe nothing', async () => {
    const broken = make(async () => {
      throw new Error('store down');
    });
    expect(await broken.capabilitiesOf(ref)).toMatchObject({ checkedAt: 0, tokens: 'unknown' });
    expect(await make(async () => undefined).capabilitiesOf(ref)).toMatchObject({ checkedAt: 0 });
    await broken.settled();
    expect(stub.requests).toHaveLength(0);
  });

  it('start-up probes the operator token, unless it was probed within ten minutes', async () => {
    const withDefaults = () =>
      createCapabilities({ astro: resilientClient(), cache: new BestEffortCache(stores.cache, { log: silent }), settings: { resolve: async () => target }, defaults: target, log: silent, now: () => clock });
    expect(await withDefaults().probeOperatorToken()).toMatchObject({ users: 'ok', checkedAt: clock });
    clock += 5 * 60_000;
    expect(await withDefaults().probeOperatorToken()).toBeUndefined();
    expect(audits()).toBe(1);
    // Installations the operator token serves read its result.
    expect(await withDefaults().capabilitiesOf({ teamId: 'T0009' }, { probeIfStale: false })).toMatchObject({ users: 'ok' });
  });

  it('after stop, keeps nothing and starts no probe', async () => {
    const caps = make();
    caps.stop();
    await caps.probe(ref, target);
    await caps.capabilitiesOf(ref);
    await caps.settled();
    expect(stub.requests).toHaveLength(0);
    expect(await caps.capabilitiesOf(ref, { probeIfStale: false })).toMatchObject({ checkedAt: 0 });
  });
});
