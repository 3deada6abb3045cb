/**
 * How values are kept: plain JSON rows in SQLite and Redis (with rows written by earlier versions,
 * through keyv's default serializer, still read exactly), and frozen plain-JSON copies in the
 * `memory:` store, so that no caller ever shares a mutable value with the store or another caller.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import KeyvRedis, { createClient } from '@keyv/redis';
import Keyv from 'keyv';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { BestEffortCache } from '../../src/store/best-effort-cache.js';
import { deserializeRow, openStores, serializeRow, type Stores } from '../../src/store/index.js';
import { openSqlite } from '../../src/store/sqlite.js';
import { sleep } from '../support/sleep.js';

const redisUrl = inject('redisUrl');
const silent = createLogger({ level: 'silent' });
const opened: Stores[] = [];
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  await Promise.all(closers.splice(0).map((c) => c()));
});

/** A value with everything the serializers treat differently: strings starting with `:`, nesting, unicode. */
const tricky = () => ({
  label: ':) Ada',
  base64ish: ':base64:AAAA',
  plain: 'Ada Lovelace — ✓',
  list: [':a', 'b', { deep: '::c', n: 1.5, t: true, z: null }],
});

describe('row text (SQLite and Redis)', () => {
  it('is plain JSON with a format mark, and reads back exactly', () => {
    const text = serializeRow({ value: tricky(), expires: 123 });
    expect(text).toBe(JSON.stringify({ f: 2, value: tricky(), expires: 123 }));
    expect(deserializeRow(text)).toEqual({ f: 2, value: tricky(), expires: 123 });
    expect(deserializeRow(serializeRow({ value: 'x' }))).toEqual({ f: 2, value: 'x' });
  });

  it("still reads a row written by keyv's default serializer (strings starting with ':' escaped)", () => {
    // What @keyv/serialize wrote for { value: tricky(), expires: 123 }.
    const legacy = '{"value":{"label":"::) Ada","base64ish":"::base64:AAAA","plain":"Ada Lovelace — ✓","list":["::a","b",{"deep":":::c","n":1.5,"t":true,"z":null}]},"expires":123}';
    expect(deserializeRow(legacy)).toEqual({ value: tricky(), expires: 123 });
  });
});

describe('SQLite store', () => {
  const file = () => join(mkdtempSync(join(tmpdir(), 'au-ser-')), 'store.sqlite');

  it('writes plain JSON rows and reads them back, in best-effort and strict namespaces', async () => {
    const path = file();
    const s = await openStores({ kind: 'sqlite', path }, { log: silent });
    opened.push(s);
    await new BestEffortCache(s.cache, { log: silent }).set('k', tricky(), 60_000);
    await s.settings.set('astro:T.T1', tricky());
    const raw = openSqlite(path);
    closers.push(async () => raw.close());
    const rows = raw.query<{ key: string; value: string }>('SELECT key, value FROM keyv ORDER BY key');
    expect(rows.map((r) => r.key)).toEqual(['cache:k', 'settings:astro:T.T1']);
    for (const r of rows) expect(JSON.parse(r.value)).toMatchObject({ f: 2, value: tricky() });
    expect(await new BestEffortCache(s.cache, { log: silent }).get('k')).toEqual(tricky());
    expect(await s.settings.get('astro:T.T1')).toEqual(tricky());
  });

  it('reads rows written by the previous version (keyv default serializer) exactly', async () => {
    const path = file();
    // Rows as @keyv/sqlite with keyv's default serializer wrote them (the text is fixed here).
    const raw = openSqlite(path);
    closers.push(async () => raw.close());
    const legacy = (value: unknown, expires?: number) =>
      JSON.stringify({ value, ...(expires ? { expires } : {}) }, (_k, v: unknown) => (typeof v === 'string' && v.startsWith(':') ? `:${v}` : v));
    raw.run('INSERT INTO keyv (key, value) VALUES (?, ?)', 'cache:k', legacy(tricky(), Date.now() + 60_000));
    raw.run('INSERT INTO keyv (key, value) VALUES (?, ?)', 'settings:astro:T.T1', legacy(tricky()));
    raw.run('INSERT INTO keyv (key, value) VALUES (?, ?)', 'cache:gone', legacy({ x: 1 }, Date.now() - 1));
    expect(raw.query<{ value: string }>("SELECT value FROM keyv WHERE key = 'cache:k'")[0]!.value).toContain('"::) Ada"');
    const s = await openStores({ kind: 'sqlite', path }, { log: silent });
    opened.push(s);
    expect(await new BestEffortCache(s.cache, { log: silent }).get('k')).toEqual(tricky());
    expect(await s.settings.get('astro:T.T1')).toEqual(tricky());
    // …and an expired old row is still a miss.
    expect(await new BestEffortCache(s.cache, { log: silent }).get('gone')).toBeUndefined();
  });
});

describe.skipIf(!redisUrl)('Redis store', () => {
  it('writes plain JSON and reads rows of the previous version exactly', async () => {
    const s = await openStores({ kind: 'redis', url: redisUrl }, { log: silent });
    opened.push(s);
    const key = `ser-${Date.now()}`;
    await new BestEffortCache(s.cache, { log: silent }).set(key, tricky(), 60_000);
    await s.settings.set(`astro:${key}`, tricky());
    expect(JSON.parse((await s.redis!.get(`cache::${key}`))!)).toMatchObject({ f: 2, value: tricky() });
    expect(JSON.parse((await s.redis!.get(`settings::astro:${key}`))!)).toMatchObject({ f: 2, value: tricky() });

    // Rows as the previous version wrote them: keyv's default serializer, same keys.
    const client = createClient({ url: redisUrl });
    await client.connect();
    closers.push(() => client.close());
    const old = (ns: string) => new Keyv({ store: new KeyvRedis(client, { namespace: ns }), namespace: ns, useKeyPrefix: false });
    await old('cache').set(`old-${key}`, tricky(), 60_000);
    await old('settings').set(`astro:old-${key}`, tricky());
    expect(await s.redis!.get(`cache::old-${key}`)).toContain('"::) Ada"');
    expect(await new BestEffortCache(s.cache, { log: silent }).get(`old-${key}`)).toEqual(tricky());
    expect(await s.settings.get(`astro:old-${key}`)).toEqual(tricky());
  });
});

describe('memory: store', () => {
  const open = async () => {
    const s = await openStores({ kind: 'memory' }, { log: silent });
    opened.push(s);
    return s;
  };

  it.each(['cache', 'recent', 'settings', 'installs'] as const)('%s: a stored value is a copy the caller can no longer change', async (ns) => {
    const s = await open();
    const value = tricky();
    await s[ns].set('k', value, 60_000);
    value.label = 'changed';
    value.list.push('added');
    (value.list[2] as { deep: string }).deep = 'changed';
    expect(await s[ns].get('k')).toEqual(tricky());
  });

  it.each(['cache', 'recent', 'settings', 'installs'] as const)('%s: a value read cannot be changed, so no other reader sees a change', async (ns) => {
    const s = await open();
    await s[ns].set('k', tricky(), 60_000);
    const read = (await s[ns].get('k')) as ReturnType<typeof tricky>;
    expect(() => {
      read.label = 'changed';
    }).toThrow(TypeError);
    expect(() => read.list.push('added')).toThrow(TypeError);
    expect(() => {
      (read.list[2] as { deep: string }).deep = 'changed';
    }).toThrow(TypeError);
    expect(await s[ns].get('k')).toEqual(tricky());
    // A copy is the caller's to change.
    const mine = structuredClone(read);
    mine.label = 'mine';
    expect(((await s[ns].get('k')) as { label: string }).label).toBe(':) Ada');
  });

  it('reads back plain JSON, exactly as SQLite or Redis would give it', async () => {
    const s = await open();
    const cache = new BestEffortCache(s.cache, { log: silent });
    const at = new Date('2026-01-02T03:04:05.000Z');
    await cache.set('k', { at, gone: undefined, n: NaN, nested: [undefined, 1] }, 60_000);
    expect(await cache.get('k')).toEqual({ at: '2026-01-02T03:04:05.000Z', n: null, nested: [null, 1] });
    expect(Object.keys((await cache.get('k')) as object)).toEqual(['at', 'n', 'nested']);
  });

  it('still expires entries', async () => {
    const s = await open();
    const cache = new BestEffortCache(s.cache, { log: silent });
    await cache.set('short', { x: 1 }, 20);
    await sleep(40);
    expect(await cache.get('short')).toBeUndefined();
  });
});
