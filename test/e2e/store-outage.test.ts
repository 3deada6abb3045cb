/**
 * Store outages degrade and never mislead, through the real app on a real redis-server that is
 * killed mid-run: with the token from the environment, lookups go on (uncached) long past the
 * settings' read cache; with several workspaces, one used recently keeps working from what was
 * last read, and another is told the app is temporarily unavailable, never "not installed".
 * The read caches are shortened to nothing (readCacheMs: 0), so every request reads the store.
 */
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { allText } from '../support/block-kit.js';
import { ORG_ID, startHarness, type TestHarness } from '../support/app.js';
import { ADA } from '../support/fixtures.js';
import { json } from '../support/http-stub.js';
import { freePort } from '../support/net.js';
import { startRedis } from '../setup/global.js';

const hasRedis = inject('redisUrl') !== '';
const astroHandler = (req: { url: string }, res: Parameters<typeof json>[0]) =>
  req.url === `/organizations/${ORG_ID}/users/${ADA.id}` ? json(res, 200, ADA) : json(res, 404, { message: 'no' });

let redis: ChildProcess | undefined;
let h: TestHarness | undefined;
afterEach(async () => {
  await h?.close();
  redis?.kill('SIGKILL');
});

/** Kills Redis and waits until the app's store says so. */
async function killRedis(harness: TestHarness): Promise<void> {
  const gone = new Promise((resolve) => redis!.once('exit', resolve));
  redis!.kill('SIGKILL');
  await gone;
  await expect.poll(() => harness.built.stores.ping(200), { timeout: 5000 }).toBe(false);
}

describe.skipIf(!hasRedis)('store outages', () => {
  it('single workspace: lookups go on, uncached, while Redis is down', async () => {
    const port = await freePort();
    redis = await startRedis(port);
    h = await startHarness({ astroHandler, env: { STORE_URL: `redis://127.0.0.1:${port}`, CACHE_HOT_SECONDS: '0' }, deps: { readCacheMs: 0 } });
    const first = await h.command(ADA.id);
    expect(allText((await h.replies(first.responseUrl))[0]!.blocks)).toContain('Ada Lovelace');
    await killRedis(h);
    const before = h.astro.requests.length;
    for (let i = 0; i < 3; i++) {
      const r = await h.command(ADA.id);
      const [reply] = await h.replies(r.responseUrl);
      expect(allText(reply!.blocks)).toContain('Ada Lovelace');
    }
    expect(h.astro.requests.length - before).toBe(3);
  });

  it('single workspace: a stalled Redis (connected, never answering) does not hold lookups past their bounds', async () => {
    const port = await freePort();
    redis = await startRedis(port);
    h = await startHarness({ astroHandler, env: { STORE_URL: `redis://127.0.0.1:${port}`, CACHE_HOT_SECONDS: '0' }, deps: { readCacheMs: 0 } });
    await h.replies((await h.command(ADA.id)).responseUrl);
    redis.kill('SIGSTOP');
    try {
      // Answered while Redis is still stopped: the throttle counts in memory, settings come from
      // what was last read, the cache is skipped.
      const r = await h.command(ADA.id);
      const [reply] = await h.replies(r.responseUrl);
      expect(allText(reply!.blocks)).toContain('Ada Lovelace');
    } finally {
      redis.kill('SIGCONT');
    }
  });

  it('several workspaces: a recently used one keeps working; another is "temporarily unavailable", never "not installed"', async () => {
    const port = await freePort();
    redis = await startRedis(port);
    h = await startHarness({
      astroHandler,
      env: {
        STORE_URL: `redis://127.0.0.1:${port}`,
        SLACK_BOT_TOKEN: '',
        SLACK_CLIENT_ID: '1111.2222',
        SLACK_CLIENT_SECRET: 'clientsecret0123456789abcdef',
        SLACK_STATE_SECRET: 'statesecret-0123456789abcdef',
        ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
        ASTRO_ENV_TEAM_IDS: 'TUSED,TIDLE',
      },
      deps: { readCacheMs: 0 },
    });
    expect((await h.install('TUSED')).status).toBe(200);
    expect((await h.install('TIDLE')).status).toBe(200);
    const used = await h.command(ADA.id, { team_id: 'TUSED' });
    expect(allText((await h.replies(used.responseUrl))[0]!.blocks)).toContain('Ada Lovelace');
    await killRedis(h);

    const again = await h.command(ADA.id, { team_id: 'TUSED' });
    expect(allText((await h.replies(again.responseUrl))[0]!.blocks)).toContain('Ada Lovelace');

    const idle = await h.command(ADA.id, { team_id: 'TIDLE' });
    const [reply] = await h.replies(idle.responseUrl);
    expect(reply!.text).toMatch(/temporarily unavailable/);
    expect(JSON.stringify(reply)).not.toMatch(/isn't installed|not installed/);
  });
});
