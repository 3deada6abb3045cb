/**
 * Recent lookups (App Home history): newest first, one entry per Astro user, capped; and a repeated
 * lookup of the user already first writes nothing while that entry is fresh.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createRecentLookups, type RecentLookups } from '../../src/lookup/recent.js';
import { createLogger } from '../../src/logger.js';
import { BestEffortCache } from '../../src/store/best-effort-cache.js';
import { openStores } from '../../src/store/index.js';

const silent = createLogger({ level: 'silent' });
const id = (n: number) => `cuser${String(n).padStart(20, '0')}`;

let clock: number;
let store: BestEffortCache;
let writes: ReturnType<typeof vi.spyOn>;
let recent: RecentLookups;

beforeEach(async () => {
  clock = 1_780_000_000_000;
  const stores = await openStores({ kind: 'memory' }, { log: silent });
  store = new BestEffortCache(stores.recent, { log: silent });
  writes = vi.spyOn(store, 'set');
  recent = createRecentLookups({ store, now: () => clock, max: 3 });
});

describe('recent lookups', () => {
  it('keeps the newest first, one entry per user, capped', async () => {
    for (const n of [1, 2, 3, 2, 4]) {
      clock += 1000;
      await recent.record('T.T1', 'U1', { userId: id(n), label: `User ${n}` });
    }
    expect((await recent.list('T.T1', 'U1')).map((e) => e.userId)).toEqual([id(4), id(2), id(3)]);
    expect(await recent.list('T.T1', 'U2')).toEqual([]);
  });

  it('writes nothing when the same user is already first, same label, recorded less than 5 minutes ago', async () => {
    await recent.record('T.T1', 'U1', { userId: id(1), label: 'Ada' });
    const first = await recent.list('T.T1', 'U1');
    expect(writes).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 5; i++) {
      clock += 50_000; // 4 min 10 s in all
      await recent.record('T.T1', 'U1', { userId: id(1), label: 'Ada' });
    }
    expect(writes).toHaveBeenCalledTimes(1);
    expect(await recent.list('T.T1', 'U1')).toEqual(first);

    // Older than 5 minutes: the time is brought up to date.
    clock += 60_000;
    await recent.record('T.T1', 'U1', { userId: id(1), label: 'Ada' });
    expect(writes).toHaveBeenCalledTimes(2);
    expect((await recent.list('T.T1', 'U1'))[0]).toEqual({ userId: id(1), label: 'Ada', at: clock });
  });

  it('writes when the label changed, or another user comes first', async () => {
    await recent.record('T.T1', 'U1', { userId: id(1), label: 'Ada' });
    clock += 1000;
    await recent.record('T.T1', 'U1', { userId: id(1), label: 'Ada King' });
    expect((await recent.list('T.T1', 'U1'))[0]).toEqual({ userId: id(1), label: 'Ada King', at: clock });
    clock += 1000;
    await recent.record('T.T1', 'U1', { userId: id(2), label: 'Grace' });
    clock += 1000;
    await recent.record('T.T1', 'U1', { userId: id(1), label: 'Ada King' });
    expect(writes).toHaveBeenCalledTimes(4);
    expect((await recent.list('T.T1', 'U1')).map((e) => e.userId)).toEqual([id(1), id(2)]);
  });

  it('refreshAfterMs: 0 writes every time', async () => {
    const always = createRecentLookups({ store, now: () => clock, refreshAfterMs: 0 });
    await always.record('T.T1', 'U1', { userId: id(1), label: 'Ada' });
    await always.record('T.T1', 'U1', { userId: id(1), label: 'Ada' });
    expect(writes).toHaveBeenCalledTimes(2);
  });

  it('writes again after the history was cleared', async () => {
    await recent.record('T.T1', 'U1', { userId: id(1), label: 'Ada' });
    await recent.clear('T.T1', 'U1');
    await recent.record('T.T1', 'U1', { userId: id(1), label: 'Ada' });
    expect(writes).toHaveBeenCalledTimes(2);
    expect(await recent.list('T.T1', 'U1')).toHaveLength(1);
  });
});
