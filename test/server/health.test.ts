/**
 * /healthz tells the truth: a store that answers but can no longer be written (its SQLite file
 * deleted), when Astro last answered and last failed (no ID, no secret), a Socket Mode connection
 * that is down, and stored secrets that would not decrypt.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHealth } from '../../src/server/health.js';
import { ORG_ID, startHarness, type TestHarness } from '../support/app.js';
import { ADA } from '../support/fixtures.js';
import { json } from '../support/http-stub.js';

let h: TestHarness | undefined;
afterEach(async () => h?.close());

const healthz = async (harness: TestHarness) => (await (await fetch(`${harness.url}/healthz`)).json()) as Record<string, unknown>;

describe('/healthz through the real app', () => {
  it('says the SQLite store can no longer be written once its file is deleted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'au-health-'));
    h = await startHarness({ astroHandler: (_req, res) => json(res, 200, ADA), env: { STORE_URL: `sqlite://${join(dir, 'store.sqlite')}` } });
    expect(await healthz(h)).toMatchObject({ status: 'ok', store: { kind: 'sqlite', reachable: true, writable: true } });
    rmSync(join(dir, 'store.sqlite'));
    expect(await healthz(h)).toMatchObject({ status: 'degraded', store: { kind: 'sqlite', writable: false } });
  });

  it("gives the Astro token's last success and last failure, with no ID and no secret", async () => {
    let status = 200;
    h = await startHarness({
      astroHandler: (req, res) => (status === 200 && req.url === `/organizations/${ORG_ID}/users/${ADA.id}` ? json(res, 200, ADA) : json(res, status, { message: 'no', requestId: 'req-health-1' })),
      env: { CACHE_HOT_SECONDS: '0', CACHE_TTL_SECONDS: '1' },
    });
    const before = await healthz(h);
    expect(before.astro).toEqual({});
    await h.replies((await h.command(ADA.id)).responseUrl);
    const ok = await healthz(h);
    expect(Date.parse((ok.astro as { lastSuccessAt: string }).lastSuccessAt)).toBeGreaterThan(Date.now() - 60_000);
    status = 401;
    await h.replies((await h.command('cnotcached00000000000000x')).responseUrl);
    const failed = await healthz(h);
    expect(failed.astro).toMatchObject({ lastFailure: 'HTTP 401', lastFailureAt: expect.any(String) });
    const text = JSON.stringify(failed);
    expect(text).not.toContain(ADA.id);
    expect(text).not.toContain('req-health-1');
    expect(text).not.toContain(ORG_ID);
  });
});

describe('the health registry', () => {
  const stores = { kind: 'memory' as const, ping: async () => true, writable: async () => true };

  it('is degraded while Socket Mode is down, and ok once it connects', async () => {
    const health = createHealth({ socketMode: true });
    expect(await health.report(stores)).toMatchObject({ status: 'degraded', socketMode: { connected: false } });
    health.socket(true);
    expect(await health.report(stores)).toMatchObject({ status: 'ok', socketMode: { connected: true } });
    health.socket(false);
    expect(await health.report(stores)).toMatchObject({ status: 'degraded', socketMode: { connected: false } });
  });

  it('counts stored secrets that would not decrypt, degraded for an hour after the last', async () => {
    const health = createHealth({ socketMode: false });
    health.sealFailed(1_000_000);
    expect(await health.report(stores, 1_000_000 + 60_000)).toMatchObject({ status: 'degraded', secrets: { unreadable: 1 } });
    expect(await health.report(stores, 1_000_000 + 61 * 60_000)).toMatchObject({ status: 'ok', secrets: { unreadable: 1 } });
  });

  it('does not take an ordinary 404 for a failing token, but does a 503 or no answer', async () => {
    const health = createHealth({ socketMode: false });
    health.astroAnswered(404, 1);
    expect((await health.report(stores)).astro).toEqual({});
    health.astroAnswered(503, 2);
    expect((await health.report(stores)).astro).toMatchObject({ lastFailure: 'HTTP 503' });
    health.astroAnswered(undefined, 3);
    expect((await health.report(stores)).astro).toMatchObject({ lastFailure: 'no answer', lastFailureAt: new Date(3).toISOString() });
  });
});
