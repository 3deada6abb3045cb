/**
 * Secrets at rest: AES-256-GCM with the full tag checked, bound to owner and field, with key
 * rotation; and the settings store that uses it, on a real Redis when available.
 */
import { describe, expect, inject, it } from 'vitest';
import { createWorkspaceSettings } from '../../src/lookup/workspace-settings.js';
import { createLogger } from '../../src/logger.js';
import { BestEffortCache } from '../../src/store/best-effort-cache.js';
import { openStores } from '../../src/store/index.js';
import { SecretBox, SecretBoxError, parseKey } from '../../src/store/secret-box.js';
import { maskToken, readTokenClaims, TokenShapeError } from '../../src/astro/token.js';

const K1 = Buffer.alloc(32, 1);
const K2 = Buffer.alloc(32, 2);
const jwt = (payload: object) => `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2lnbmF0dXJl`;

describe('SecretBox', () => {
  it('round-trips, with a fresh IV each time', () => {
    const box = new SecretBox(K1);
    const a = box.seal('astro-token-value', 'T.T1|astro-token');
    const b = box.seal('astro-token-value', 'T.T1|astro-token');
    expect(a).not.toBe(b);
    expect(a).not.toContain('astro-token-value');
    expect(box.open(a, 'T.T1|astro-token')).toEqual({ plaintext: 'astro-token-value', stale: false });
  });

  it('refuses a value moved to another workspace or field, tampered with, or with a truncated tag', () => {
    const box = new SecretBox(K1);
    const sealed = box.seal('secret', 'T.T1|astro-token');
    expect(() => box.open(sealed, 'T.T2|astro-token')).toThrow(SecretBoxError);
    expect(() => box.open(sealed, 'T.T1|installation')).toThrow(SecretBoxError);
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[4]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    expect(() => box.open([...parts.slice(0, 4), ct.toString('base64url')].join('.'), 'T.T1|astro-token')).toThrow(SecretBoxError);
    const shortTag = Buffer.from(parts[3]!, 'base64url').subarray(0, 4).toString('base64url');
    expect(() => box.open([parts[0], parts[1], parts[2], shortTag, parts[4]].join('.'), 'T.T1|astro-token')).toThrow(SecretBoxError);
    expect(() => box.open('plaintext-token', 'T.T1|astro-token')).toThrow(SecretBoxError);
  });

  it('decrypts with the previous key during a rotation, saying the value is stale', () => {
    const old = new SecretBox(K1).seal('secret', 'aad');
    const rotated = new SecretBox(K2, K1);
    expect(rotated.open(old, 'aad')).toEqual({ plaintext: 'secret', stale: true });
    expect(() => new SecretBox(K2).open(old, 'aad')).toThrow(/no longer configured/);
  });

  it('parses 32-byte keys in hex or base64, and refuses anything else', () => {
    expect(parseKey(K1.toString('hex'))).toEqual(K1);
    expect(parseKey(K1.toString('base64'))).toEqual(K1);
    expect(() => parseKey('short')).toThrow(/32 random bytes/);
    expect(() => parseKey(Buffer.alloc(16).toString('base64'))).toThrow(/32 random bytes/);
  });
});

describe('Astro token claims', () => {
  it('reads the organization, scope and expiry', () => {
    const c = readTokenClaims(jwt({ permissions: ['organizationId:clorg1', 'workspaceId:clws1'], exp: 4_000_000_000 }));
    expect(c).toEqual({ organizationId: 'clorg1', workspaceId: 'clws1', scope: 'WORKSPACE', expiresAt: 4_000_000_000_000 });
    expect(readTokenClaims(jwt({ permissions: ['organizationId:clorg1'], scope: 'organization' })).scope).toBe('ORGANIZATION');
  });

  it('refuses a non-JWT, a token naming no organization, and an expired one, with reasons', () => {
    expect(() => readTokenClaims('abc')).toThrow(TokenShapeError);
    expect(() => readTokenClaims(jwt({ permissions: [] }))).toThrow(/names no Astro organization/);
    expect(() => readTokenClaims(jwt({ permissions: ['organizationId:o'], exp: 1_600_000_000 }))).toThrow(/expired on 2020-09-13/);
  });

  it('masks a token to its last 4 characters', () => {
    expect(maskToken('abcdefghij')).toBe('…ghij');
  });
});

const redisUrl = inject('redisUrl');

describe.skipIf(!redisUrl)('settings on a real Redis', () => {
  it('keeps no token in clear text in any Redis key or value', async () => {
    const log = createLogger({ level: 'silent' });
    const stores = await openStores({ kind: 'redis', url: redisUrl }, { log });
    try {
      const settings = createWorkspaceSettings({ store: stores.settings, healthStore: new BestEffortCache(stores.cache, { log }), box: new SecretBox(K1) });
      const token = jwt({ permissions: ['organizationId:clorgredis'], marker: 'redis-secret-marker' });
      await settings.saveConnection('T.TREDIS', { organizationId: 'clorgredis', apiToken: token, tokenHint: maskToken(token), scope: 'ORGANIZATION', savedBy: 'U1', savedAt: Date.now() });
      expect((await settings.getConnection('T.TREDIS'))?.apiToken).toBe(token);
      const keys: string[] = [];
      for await (const batch of stores.redis!.scanIterator({ MATCH: '*', COUNT: 500 })) keys.push(...(batch as string[]));
      expect(keys.some((k) => k.includes('T.TREDIS'))).toBe(true);
      for (const k of keys) {
        const type = await stores.redis!.type(k);
        const value = type === 'string' ? String(await stores.redis!.get(k)) : '';
        expect(k + value).not.toContain(token.split('.')[1]!);
        expect(k + value).not.toContain('redis-secret-marker');
      }
    } finally {
      await stores.close();
    }
  });
});
