/**
 * The operator's ASTRO_API_TOKEN at start-up: what it can reach is probed in the background, so
 * start-up neither waits for Astro nor fails with it; the result then reaches admins' App Home.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type TestHarness } from '../support/app.js';
import { json, type RecordedRequest } from '../support/http-stub.js';

let h: TestHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The start-up token check (ListUsers, limit 1) is answered; it is also the probe's `users` request. */
const isTokenCheck = (r: RecordedRequest) => /\/users\?offset=0&limit=1/.test(r.url);
/** The organization catalog, also read at start-up, pages 1,000 at a time; the probe asks pages of one. */

describe('start-up probe of ASTRO_API_TOKEN', () => {
  it('runs in the background: start-up does not wait for it, and admins then see what is hidden', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const astro = async (req: RecordedRequest, res: ServerResponse) => {
      if (isTokenCheck(req)) return json(res, 200, { users: [], totalCount: 0, offset: 0, limit: 1 });
      await released;
      if (req.url.includes('/tokens?')) return json(res, 403, { message: 'forbidden', requestId: 'req-403', statusCode: 403 });
      if (req.url.includes('/audit-logs?')) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end();
      return;
      }
      return json(res, 200, { teams: [], roles: [], workspaces: [], totalCount: 0, offset: 0, limit: 1 });
    };
    // Started while the probe's requests are still held by Astro (the catalog, also read in the
    // background at start-up, is left out here: this counts the probe's requests).
    h = await startHarness({ astroHandler: astro, deps: { checkAstroTokenAtStart: true, features: { warmCatalog: false }, policy: { maxAttempts: 1 } } });
    const held = await h.astro.waitFor(5, (r) => !isTokenCheck(r));
    expect(held.map((r) => new URL(r.url, 'http://x').pathname.split('/').pop()).sort()).toEqual(['audit-logs', 'roles', 'teams', 'tokens', 'workspaces']);
    release();
    expect(await h.waitForLog((l) => (l.capabilities as { why?: string } | undefined)?.why === 'start-up')).toMatchObject({ capabilities: { scope: 'operator', denied: ['tokens'] } });

    await h.event({ type: 'app_home_opened', user: 'UADMIN1', channel: 'D0001', tab: 'home' });
    await expect.poll(() => JSON.stringify(h!.apiCalls('views.publish'))).toContain('API tokens aren');
    expect(JSON.stringify(h.apiCalls('views.publish'))).toContain('needs Organization Owner');
  });

  it('a failing Astro does not stop start-up: the probe finds nothing hidden and the app answers', async () => {
    h = await startHarness({
      astroHandler: (_req, res) => json(res, 503, { message: 'down', requestId: 'req-503', statusCode: 503 }),
      deps: { checkAstroTokenAtStart: true, policy: { maxAttempts: 1 } },
    });
    const line = await h.waitForLog((l) => (l.capabilities as { why?: string } | undefined)?.why === 'start-up');
    expect(line).toMatchObject({ capabilities: { denied: [], unknown: ['users', 'teams', 'tokens', 'roles', 'catalog', 'audit_logs'] } });
    expect((await h.command('')).status).toBe(200);
  });
});
