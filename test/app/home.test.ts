/**
 * App Home's data: the viewer's recent lookups, the admin panel for admins only (never the token),
 * and the latest card from the cache without asking Astro.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { homeData } from '../../src/app/home.js';
import { lookUpQuery } from '../../src/app/lookup-users.js';
import { ADA } from '../support/fixtures.js';
import { ADAM, useCaseWorld, type UseCaseWorld } from '../support/use-cases.js';

const viewer = { kind: 'person', slackUserId: 'U0VIEWER' } as const;
const admin = { kind: 'person', slackUserId: 'U0ADMIN' } as const;

let w: UseCaseWorld;
beforeEach(async () => {
  w = await useCaseWorld();
  w.slack.people.U0ADMIN = { isAdmin: true };
});
afterEach(() => w.close());

describe('Home data', () => {
  it('lists the viewer\'s own recent lookups, newest first, and no one else\'s', async () => {
    await lookUpQuery(w.services, w.ctx(viewer), { kind: 'user_id', userId: ADA.id });
    await lookUpQuery(w.services, w.ctx(viewer), { kind: 'user_id', userId: ADAM.id });
    await lookUpQuery(w.services, w.ctx(admin), { kind: 'user_id', userId: ADA.id });
    const data = await homeData(w.services, w.ctx(viewer), false);
    expect(data.recent.map((r) => r.label)).toEqual(['Adam Smith', 'Ada Lovelace']);
    expect(data.admin).toBeUndefined();
    expect(data.result).toBeUndefined();
  });

  it('shows the latest card from the cache when asked, without calling Astro', async () => {
    await lookUpQuery(w.services, w.ctx(viewer), { kind: 'user_id', userId: ADA.id });
    const before = w.astro.requests.length;
    const data = await homeData(w.services, w.ctx(viewer), true);
    expect(data.result).toMatchObject({ userId: ADA.id, user: { fullName: 'Ada Lovelace' } });
    expect(w.astro.requests.length).toBe(before);
  });

  it('gives admins the connection panel: the operator token in use, and health', async () => {
    await lookUpQuery(w.services, w.ctx(admin), { kind: 'user_id', userId: ADA.id });
    const data = await homeData(w.services, w.ctx(admin), false);
    expect(data.admin).toMatchObject({ usingDefaults: true });
    expect(data.admin?.connection).toBeUndefined();
    await expect.poll(async () => (await homeData(w.services, w.ctx(admin), false)).admin?.health.lastSuccessAt).toBeGreaterThan(0);
  });
});
