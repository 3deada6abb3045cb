/**
 * Features follow the token: Connect Astro probes what a saved token can reach and keeps it; App
 * Home tells admins (only) what is hidden and which Astro role would enable it; a token Astro
 * refuses (401) hides nothing; and a card skips ListUserTeams when the token may not read Teams.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { homeData } from '../../src/app/home.js';
import { lookUpQuery } from '../../src/app/lookup-users.js';
import { connectWorkspace } from '../../src/app/workspace.js';
import { readTokenClaims } from '../../src/astro/token.js';
import { DEFAULT_POLICY } from '../../src/lookup/workspace-settings.js';
import { renderHome } from '../../src/slack/views/home.js';
import { renderUserCard } from '../../src/slack/views/user-card.js';
import { ORG_ID } from '../support/app.js';
import { allText, expectValidBlockKit } from '../support/block-kit.js';
import { ADA } from '../support/fixtures.js';
import { useCaseWorld, type UseCaseWorld } from '../support/use-cases.js';

const KEY = Buffer.alloc(32, 3).toString('base64');
const GOOD = ['eyJhbGciOiJIUzI1NiJ9', Buffer.from(JSON.stringify({ permissions: [`organizationId:${ORG_ID}`] })).toString('base64url'), 'Z29vZC1zaWduYXR1cmUtMTIzNDU2Nzg5MGFiY2Q'].join('.');
const admin = { kind: 'person', slackUserId: 'U0ADMIN' } as const;
const member = { kind: 'person', slackUserId: 'U0MEMBER' } as const;
const ref = { teamId: 'T0001' };

let w: UseCaseWorld;
afterEach(() => w.close());

async function world(features: { teams?: boolean } = {}) {
  w = await useCaseWorld({ ENCRYPTION_KEY: KEY }, features);
  w.slack.people.U0ADMIN = { isAdmin: true };
  return w;
}
const connect = () => connectWorkspace(w.services, w.ctx(admin), { policy: DEFAULT_POLICY, token: { value: GOOD, claims: readTokenClaims(GOOD) } });
/** The requests made with the saved token to `path` under the organization (query ignored). */
const sentWithGood = (path: string) =>
  w.astro.requests.filter((r) => r.headers.authorization === `Bearer ${GOOD}` && r.url.split('?')[0] === `/organizations/${ORG_ID}${path}`);
const home = async (asker: typeof admin | typeof member) => renderHome({ ...(await homeData(w.services, w.ctx(asker), false)), astroUiUrl: 'https://cloud.astronomer.io' });

describe('Connect Astro probes what the token can reach', () => {
  it('asks each feature once with the new token and keeps the result for the workspace', async () => {
    await world();
    w.astroState.status = { tokens: 403, 'audit-logs': 403 };
    expect(await connect()).toMatchObject({ kind: 'connected' });
    for (const path of ['/teams', '/tokens', '/roles', '/workspaces', '/audit-logs']) expect(sentWithGood(path)).toHaveLength(1);
    expect(await w.services.capabilities?.(ref)).toMatchObject({ users: 'ok', teams: 'ok', tokens: 'denied', roles: 'ok', catalog: 'ok', audit_logs: 'denied', checkedAt: expect.any(Number) });
    expect(w.logs.find((l) => l.action === 'astro_connected')).toMatchObject({ denied: ['tokens', 'audit_logs'] });
  });

  it('shows admins one line per hidden feature naming the role that enables it; members see none of it', async () => {
    await world();
    w.astroState.status = { tokens: 403 };
    await connect();
    const view = await home(admin);
    expectValidBlockKit(view, 'view');
    const text = allText(view);
    expect(text).toContain("API tokens aren't shown: the token's role can't list them (needs Organization Owner");
    expect(text).not.toContain('Roles via Teams aren');
    const seen = allText(await home(member));
    expect(seen).not.toContain("aren't shown");
    expect(seen).not.toContain('Organization Owner');
  });

  it('hides nothing for a 401 (Astro refusing the token is what Connect reports, not a missing role)', async () => {
    await world();
    w.astroState.status = { teams: 401, tokens: 401, roles: 401, workspaces: 401, 'audit-logs': 401 };
    await connect();
    const caps = await w.services.capabilities?.(ref, { probeIfStale: false });
    expect(caps && Object.values(caps).includes('denied')).toBe(false);
    expect(allText(await home(admin))).not.toContain("aren't shown");
  });

  it('treats an Astro that fails (503) as unknown: nothing hidden, the features are tried', async () => {
    await world();
    w.astroState.status = { teams: 503, tokens: 503 };
    await connect();
    expect(await w.services.capabilities?.(ref, { probeIfStale: false })).toMatchObject({ teams: 'unknown', tokens: 'unknown', roles: 'ok' });
    expect(allText(await home(admin))).toContain("Nothing is hidden by the token's Astro role");
  });
});

describe('roles via Teams follow the token', () => {
  it('skips ListUserTeams when the token may not read Teams, and the card says why', async () => {
    await world({ teams: true });
    w.astroState.status = { teams: 403 };
    await connect();
    const answer = await lookUpQuery(w.services, w.ctx(member), { kind: 'user_id', userId: ADA.id });
    expect(sentWithGood(`/users/${ADA.id}`)).toHaveLength(1);
    expect(sentWithGood(`/users/${ADA.id}/teams`)).toHaveLength(0);
    expect(answer).toMatchObject({ kind: 'found', found: { teams: { unavailable: 'denied' } } });
    if (answer.kind !== 'found') return;
    const card = renderUserCard(answer.found.user, { surface: 'message', fetchedAt: answer.found.fetchedAt, ...(answer.found.teams ? { teams: answer.found.teams } : {}) });
    expect(allText(card)).toContain('Roles via Teams are not shown');
  });

  it('asks ListUserTeams when the token may read Teams', async () => {
    await world({ teams: true });
    await connect();
    const answer = await lookUpQuery(w.services, w.ctx(member), { kind: 'user_id', userId: ADA.id });
    expect(sentWithGood(`/users/${ADA.id}/teams`)).toHaveLength(1);
    expect(answer).toMatchObject({ kind: 'found', found: { teams: { teams: [] } } });
  });
});
