/**
 * Upgrading keeps the data: a file written by astro-user 0.1 (sqlite3 through @keyv/sqlite 4.0.8,
 * test/fixtures/store-v0.1) is opened by this version's SQLite driver with its installation, Astro
 * connection, policy, cached lookups, recent lookups and once-only claims intact.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { userCacheKey } from '../../src/lookup/lookup.js';
import { createRecentLookups } from '../../src/lookup/recent.js';
import { createWorkspaceSettings } from '../../src/lookup/workspace-settings.js';
import { createLogger } from '../../src/logger.js';
import { createInstallationStore } from '../../src/slack/installation-store.js';
import { BestEffortCache } from '../../src/store/best-effort-cache.js';
import { openStores, type Stores } from '../../src/store/index.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { openSqlite } from '../../src/store/sqlite.js';
import { FIXTURE } from '../fixtures/store-v0.1/expected.js';

const silent = createLogger({ level: 'silent' });
const opened: Stores[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

/**
 * A private copy of the 0.1 data: the database file and its write-ahead log, as 0.1 left them (the
 * latest writes are still in the log). The committed files are never opened.
 */
function oldFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'au-upgrade-')), 'astro-user.sqlite');
  for (const suffix of ['', '-wal']) {
    copyFileSync(fileURLToPath(new URL(`../fixtures/store-v0.1/astro-user-v0.1.sqlite${suffix}`, import.meta.url)), `${file}${suffix}`);
  }
  return file;
}

async function openApp(file: string) {
  const stores = await openStores({ kind: 'sqlite', path: file }, { log: silent });
  opened.push(stores);
  const box = new SecretBox(FIXTURE.key);
  const cache = new BestEffortCache(stores.cache, { log: silent });
  return {
    stores,
    cache,
    installs: createInstallationStore({ store: stores.installs, box }),
    settings: createWorkspaceSettings({ store: stores.settings, healthStore: cache, box, readCacheTtlMs: 0 }),
    recent: createRecentLookups({ store: new BestEffortCache(stores.recent, { log: silent }) }),
  };
}

describe('a data file written by astro-user 0.1', () => {
  it('is read with its installation, Astro connection, policy, caches and claims intact', async () => {
    const app = await openApp(oldFile());
    const installation = await app.installs.fetchInstallation({ teamId: 'T0FIXTURE', enterpriseId: undefined, isEnterpriseInstall: false });
    expect(installation).toEqual(JSON.parse(JSON.stringify(FIXTURE.installation)));
    expect(await app.installs.installedAt(FIXTURE.installationKey)).toBeTypeOf('number');
    expect(await app.settings.getConnection(FIXTURE.installationKey)).toEqual(FIXTURE.connection);
    // Settings added since 0.1 (bot mentions, the offboarding checklist) read as their defaults.
    expect(await app.settings.getPolicy(FIXTURE.installationKey)).toEqual({ ...FIXTURE.policy, allowBotMentions: false, offboardOnDeactivation: false });
    expect(await app.cache.get(userCacheKey(FIXTURE.installationKey, FIXTURE.target, FIXTURE.cachedUser.user.id))).toEqual(FIXTURE.cachedUser);
    expect(await app.recent.list(FIXTURE.installationKey, FIXTURE.slackUserId)).toEqual([FIXTURE.recent]);
    expect(await app.stores.once.claim('event:EvFIXTURE', 60_000)).toBe(false);
  });

  it('keeps working after the upgrade: the expired row is purged, new writes and old rows survive a restart', async () => {
    const file = oldFile();
    const first = await openApp(file);
    expect(await first.stores.purgeExpired()).toBe(1);
    await first.settings.savePolicy(FIXTURE.installationKey, { ...FIXTURE.policy, allowGuests: false, allowBotMentions: false });
    expect(await first.stores.once.claim('event:EvNEW', 60_000)).toBe(true);
    await first.stores.close();

    const again = await openApp(file);
    expect((await again.settings.getPolicy(FIXTURE.installationKey)).allowGuests).toBe(false);
    expect(await again.settings.getConnection(FIXTURE.installationKey)).toEqual(FIXTURE.connection);
    expect(await again.stores.once.claim('event:EvNEW', 60_000)).toBe(false);
    const raw = openSqlite(file);
    try {
      expect(raw.query<{ n: number }>("SELECT count(*) AS n FROM keyv WHERE key LIKE 'cache:%'")[0]!.n).toBe(1);
    } finally {
      raw.close();
    }
  });
});
