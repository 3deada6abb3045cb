/**
 * Workspace settings read through the in-process cache: a repeated read costs no store round trip
 * for `readCacheTtlMs`; this process's own writes are seen at once, another instance's within the
 * TTL; failures are never kept; callers get copies.
 */
import Keyv from 'keyv';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { maskToken } from '../../src/astro/token.js';
import { createWorkspaceSettings, DEFAULT_POLICY, type AstroConnection, type WorkspaceSettingsOptions } from '../../src/lookup/workspace-settings.js';
import { createLogger } from '../../src/logger.js';
import { BestEffortCache } from '../../src/store/best-effort-cache.js';
import { openStores, type Stores } from '../../src/store/index.js';
import { StoreUnavailableError } from '../../src/store/once.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { sleep } from '../support/sleep.js';

const silent = createLogger({ level: 'silent' });
const box = new SecretBox(Buffer.alloc(32, 7));
const jwt = (org: string) => `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ permissions: [`organizationId:${org}`] })).toString('base64url')}.c2lnbmF0dXJl`;
const connection = (org: string): AstroConnection => ({ organizationId: org, apiToken: jwt(org), tokenHint: maskToken(jwt(org)), scope: 'ORGANIZATION', savedBy: 'U1', savedAt: 1 });

const opened: Stores[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function setup(options: Partial<WorkspaceSettingsOptions> = {}) {
  const stores = await openStores({ kind: 'memory' }, { log: silent });
  opened.push(stores);
  const reads = vi.spyOn(stores.settings, 'get');
  const make = (more: Partial<WorkspaceSettingsOptions> = {}) =>
    createWorkspaceSettings({ store: stores.settings, healthStore: new BestEffortCache(stores.cache, { log: silent }), box, ...options, ...more });
  return { stores, reads, settings: make(), make };
}

describe('workspace settings, read through the in-process cache', () => {
  it('reads the policy and the connection (also "none saved") from the store once, then from memory', async () => {
    const { settings, reads } = await setup();
    for (let i = 0; i < 5; i++) {
      expect(await settings.getPolicy('T.T1')).toEqual(DEFAULT_POLICY);
      expect(await settings.getConnection('T.T1')).toBeUndefined();
    }
    expect(reads).toHaveBeenCalledTimes(2);
    await settings.getPolicy('T.T2');
    expect(reads).toHaveBeenCalledTimes(3);
  });

  it("sees this process's own writes and deletes at once", async () => {
    const { settings } = await setup();
    expect(await settings.getConnection('T.T1')).toBeUndefined();
    expect(await settings.getPolicy('T.T1')).toEqual(DEFAULT_POLICY);

    await settings.saveConnection('T.T1', connection('clorgone'));
    await settings.savePolicy('T.T1', { ...DEFAULT_POLICY, allowGuests: true });
    expect((await settings.getConnection('T.T1'))?.organizationId).toBe('clorgone');
    expect((await settings.getPolicy('T.T1')).allowGuests).toBe(true);

    await settings.saveConnection('T.T1', connection('clorgtwo'));
    expect((await settings.getConnection('T.T1'))?.apiToken).toBe(jwt('clorgtwo'));

    expect(await settings.deleteConnection('T.T1')).toBe(true);
    expect(await settings.getConnection('T.T1')).toBeUndefined();

    await settings.saveConnection('T.T1', connection('clorgone'));
    expect(await settings.getConnection('T.T1')).toBeDefined();
    await settings.forget('T.T1');
    expect(await settings.getConnection('T.T1')).toBeUndefined();
    expect(await settings.getPolicy('T.T1')).toEqual(DEFAULT_POLICY);
  });

  it("sees another instance's change within readCacheTtlMs", async () => {
    const { settings, make } = await setup({ readCacheTtlMs: 150 });
    const other = make();
    expect(await settings.getPolicy('T.T1')).toEqual(DEFAULT_POLICY);
    expect(await settings.getConnection('T.T1')).toBeUndefined();
    await other.savePolicy('T.T1', { ...DEFAULT_POLICY, allowGuests: true });
    await other.saveConnection('T.T1', connection('clorgone'));
    // Still the kept answers…
    expect((await settings.getPolicy('T.T1')).allowGuests).toBe(false);
    expect(await settings.getConnection('T.T1')).toBeUndefined();
    // …until the TTL has passed.
    await sleep(200);
    expect((await settings.getPolicy('T.T1')).allowGuests).toBe(true);
    expect((await settings.getConnection('T.T1'))?.organizationId).toBe('clorgone');
  });

  it('does not keep a read that raced with a write of this process', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const map = new Map<string, unknown>();
    const slow = {
      get: async (k: string) => {
        const v = map.get(k);
        await gate;
        return v;
      },
      set: async (k: string, v: unknown) => {
        map.set(k, v);
        return true;
      },
      delete: async (k: string) => map.delete(k),
      clear: async () => map.clear(),
    };
    const store = new Keyv({ store: slow, namespace: 'settings', throwOnErrors: true });
    const stores = await openStores({ kind: 'memory' }, { log: silent });
    opened.push(stores);
    const settings = createWorkspaceSettings({ store, healthStore: new BestEffortCache(stores.cache, { log: silent }), box });
    const stale = settings.getPolicy('T.T1'); // reads "nothing saved", then waits
    await sleep(10);
    release();
    await settings.savePolicy('T.T1', { ...DEFAULT_POLICY, allowGuests: true });
    expect((await stale).allowGuests).toBe(false);
    expect((await settings.getPolicy('T.T1')).allowGuests).toBe(true);
  });

  it('never keeps a failure', async () => {
    const { settings, stores } = await setup();
    const get = vi.spyOn(stores.settings, 'get').mockRejectedValueOnce(new Error('down'));
    await expect(settings.getPolicy('T.T1')).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await settings.getPolicy('T.T1')).toEqual(DEFAULT_POLICY);
    expect(get).toHaveBeenCalledTimes(2);
  });

  it('hands out copies: a caller changing one changes nothing for the next', async () => {
    const { settings } = await setup();
    await settings.saveConnection('T.T1', connection('clorgone'));
    const p = await settings.getPolicy('T.T1');
    p.allowGuests = true;
    const c = (await settings.getConnection('T.T1'))!;
    c.organizationId = 'changed';
    expect((await settings.getPolicy('T.T1')).allowGuests).toBe(false);
    expect((await settings.getConnection('T.T1'))?.organizationId).toBe('clorgone');
  });

  it('readCacheTtlMs: 0 reads the store every time', async () => {
    const { settings, reads } = await setup({ readCacheTtlMs: 0 });
    await settings.getPolicy('T.T1');
    await settings.getPolicy('T.T1');
    expect(reads).toHaveBeenCalledTimes(2);
  });
});
