/**
 * The SQLite store on a real file: expired rows are purged (SQLite never does it alone: keyv#963),
 * and once-only claims are atomic across connections to one file.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { BestEffortCache } from '../../src/store/best-effort-cache.js';
import { openStores, type Stores } from '../../src/store/index.js';
import { sleep } from '../support/sleep.js';

const silent = createLogger({ level: 'silent' });
const opened: Stores[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});
const open = async (path: string) => {
  const s = await openStores({ kind: 'sqlite', path }, { log: silent });
  opened.push(s);
  return s;
};

describe('SQLite store', () => {
  it('purges expired rows of every namespace and keeps live ones', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'au-sqlite-')), 'store.sqlite');
    const s = await open(file);
    const cache = new BestEffortCache(s.cache, { log: silent });
    const recent = new BestEffortCache(s.recent, { log: silent });
    for (let i = 0; i < 20; i++) await cache.set(`gone-${i}`, { i }, 20);
    await recent.set('gone-recent', [1], 20);
    await cache.set('live', { ok: true }, 60_000);
    await s.once.claim('event:old', 20);
    await sleep(60);
    expect(await s.purgeExpired()).toBe(22);
    expect(await s.purgeExpired()).toBe(0);
    expect(await cache.get('live')).toEqual({ ok: true });
  });

  it('grants a once-only claim to exactly one of two connections to the same file, and again after it expires', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'au-sqlite-')), 'store.sqlite');
    const [a, b] = [await open(file), await open(file)];
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).once.claim('event:Ev1', 100)));
    expect(results.filter(Boolean)).toHaveLength(1);
    await sleep(150);
    expect(await b.once.claim('event:Ev1', 100)).toBe(true);
  });

  it('reports reachability, and not after closing', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'au-sqlite-')), 'store.sqlite');
    const s = await openStores({ kind: 'sqlite', path: file }, { log: silent });
    expect(await s.ping()).toBe(true);
    await s.close();
    expect(await s.ping(200)).toBe(false);
  });
});
