/**
 * Connecting a workspace to Astro and forgetting it: only admins change anything, a token Astro
 * refuses is never saved, a new token clears the answers cached under the old one, and uninstall
 * keeps a newer installation.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lookUpQuery } from '../../src/app/lookup-users.js';
import { homeData } from '../../src/app/home.js';
import { configForm, connectWorkspace, disconnectWorkspace, forgetWorkspace } from '../../src/app/workspace.js';
import { readTokenClaims } from '../../src/astro/token.js';
import { DEFAULT_POLICY } from '../../src/lookup/workspace-settings.js';
import { ORG_ID } from '../support/app.js';
import { ADA } from '../support/fixtures.js';
import { useCaseWorld, type UseCaseWorld } from '../support/use-cases.js';

const KEY = Buffer.alloc(32, 3).toString('base64');
/** An Astro API token for ORG_ID; `sig` ends it (`UkVGVVNFRA` is one the stand-in Astro refuses). */
const token = (sig: string) => ['eyJhbGciOiJIUzI1NiJ9', Buffer.from(JSON.stringify({ permissions: [`organizationId:${ORG_ID}`] })).toString('base64url'), sig].join('.');
const GOOD = token('Z29vZC1zaWduYXR1cmUtMTIzNDU2Nzg5MGFiY2Q');
const REFUSED = token('UkVGVVNFRA');
const admin = { kind: 'person', slackUserId: 'U0ADMIN' } as const;
const member = { kind: 'person', slackUserId: 'U0MEMBER' } as const;
const policy = { ...DEFAULT_POLICY, allowGuests: true };

let w: UseCaseWorld;
beforeEach(async () => {
  w = await useCaseWorld({ ENCRYPTION_KEY: KEY });
  w.slack.people.U0ADMIN = { isAdmin: true };
});
afterEach(() => w.close());

const connect = (asker: typeof admin | typeof member, value: string | undefined) =>
  connectWorkspace(w.services, w.ctx(asker), { policy, ...(value ? { token: { value, claims: readTokenClaims(value) } } : {}) });

describe('Connect Astro', () => {
  it('shows the form to admins only, with the current policy', async () => {
    expect(await configForm(w.services, w.ctx(member))).toEqual({ kind: 'not_admin' });
    expect(await configForm(w.services, w.ctx(admin))).toMatchObject({ kind: 'form', policy: DEFAULT_POLICY });
  });

  it('refuses a non-admin and saves nothing', async () => {
    expect(await connect(member, GOOD)).toEqual({ kind: 'not_admin' });
    expect(await w.services.settings.getConnection('T.T0001')).toBeUndefined();
  });

  it('never saves a token Astro refuses, and says why', async () => {
    const r = await connect(admin, REFUSED);
    expect(r).toMatchObject({ kind: 'token_refused', failure: { code: 'astro', kind: 'unauthorized' }, scope: 'ORGANIZATION', organizationId: ORG_ID });
    expect(await w.services.settings.getConnection('T.T0001')).toBeUndefined();
  });

  it('saves a working token with the policy, shows only its last characters, and clears answers cached under the old one', async () => {
    await lookUpQuery(w.services, w.ctx(admin), { kind: 'user_id', userId: ADA.id });
    const before = w.astro.requests.length;
    const r = await connect(admin, GOOD);
    expect(r).toMatchObject({ kind: 'connected', organizationId: ORG_ID, policyOnly: false });
    expect(r.kind === 'connected' && r.tokenHint).toBe(`…${GOOD.slice(-4)}`);
    const saved = await w.services.settings.getConnection('T.T0001');
    expect(saved).toMatchObject({ organizationId: ORG_ID, apiToken: GOOD, savedBy: 'U0ADMIN' });
    expect(await w.services.settings.getPolicy('T.T0001')).toEqual(policy);
    // The user is asked again, with the new token.
    await lookUpQuery(w.services, w.ctx(admin), { kind: 'user_id', userId: ADA.id });
    const after = w.astro.requests.slice(before).filter((r) => r.url.endsWith(`/users/${ADA.id}`));
    expect(after).toHaveLength(1);
    expect(String(after[0]!.headers.authorization)).toBe(`Bearer ${GOOD}`);
  });

  it('changes only the policy when no token is given, once one is saved', async () => {
    expect(await connect(admin, undefined)).toEqual({ kind: 'no_token' });
    await connect(admin, GOOD);
    expect(await connectWorkspace(w.services, w.ctx(admin), { policy: { ...DEFAULT_POLICY, allowBotMentions: true } })).toMatchObject({ kind: 'connected', policyOnly: true });
    expect((await w.services.settings.getPolicy('T.T0001')).allowBotMentions).toBe(true);
  });

  it('without an encryption key, says tokens cannot be saved', async () => {
    const keyless = await useCaseWorld();
    try {
      keyless.slack.people.U0ADMIN = { isAdmin: true };
      expect(await configForm(keyless.services, keyless.ctx(admin))).toEqual({ kind: 'no_encryption_key' });
      expect(await connectWorkspace(keyless.services, keyless.ctx(admin), { policy, token: { value: GOOD, claims: readTokenClaims(GOOD) } })).toEqual({ kind: 'no_encryption_key' });
    } finally {
      await keyless.close();
    }
  });

  it('Disconnect removes the token (admins only)', async () => {
    await connect(admin, GOOD);
    expect(await disconnectWorkspace(w.services, w.ctx(member))).toBe('not_admin');
    expect(await w.services.settings.getConnection('T.T0001')).toBeDefined();
    expect(await disconnectWorkspace(w.services, w.ctx(admin))).toBe('disconnected');
    expect(await w.services.settings.getConnection('T.T0001')).toBeUndefined();
  });
});

describe('forgetting a workspace (uninstall)', () => {
  const workspace = { ref: { teamId: 'T0001' }, key: 'T.T0001' };

  it('removes settings and recent lookups, unless the installation is newer than the event', async () => {
    await connect(admin, GOOD);
    await lookUpQuery(w.services, w.ctx(admin), { kind: 'user_id', userId: ADA.id });
    expect((await homeData(w.services, w.ctx(admin), false)).recent).toHaveLength(1);
    let installedAt = 2_000;
    const deleted: string[] = [];
    const deps = { ...w.services, installations: { installedAt: async () => installedAt, deleteByKey: async (k: string) => void deleted.push(k) } };
    expect(await forgetWorkspace(deps, workspace, 1_000)).toBe('kept');
    expect(deleted).toEqual([]);
    installedAt = 500;
    expect(await forgetWorkspace(deps, workspace, 1_000)).toBe('forgotten');
    expect(deleted).toEqual(['T.T0001']);
    expect(await w.services.settings.getConnection('T.T0001')).toBeUndefined();
    expect((await homeData(w.services, w.ctx(admin), false)).recent).toEqual([]);
  });
});
