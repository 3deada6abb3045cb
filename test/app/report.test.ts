/**
 * The admin report, in process against a stand-in Astro organization with a fixed `now`: each
 * section found and not found, the expiry marks, what a token without the permission says, who
 * may ask, the cache shared with offboarding, and a large organization within Block Kit limits.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { offboardForAsker } from '../../src/app/offboard.js';
import { buildReport, reportForAsker } from '../../src/app/report.js';
import { UNPROBED } from '../../src/core/capabilities.js';
import { renderReport, reportHomeView } from '../../src/slack/views/report.js';
import { ORG_ID } from '../support/app.js';
import { answerOrg, bigOrg, emptyOrg, orgId, type StandInOrg } from '../support/astro-org.mjs';
import { allText, expectValidBlockKit } from '../support/block-kit.js';
import { json } from '../support/http-stub.js';
import { useCaseWorld, type UseCaseWorld } from '../support/use-cases.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const DAY = 86_400_000;
const HOUR = 3_600_000;
const at = (ms: number) => new Date(ms).toISOString();
const UI = 'https://cloud.astronomer.io';
const admin = { kind: 'person', slackUserId: 'U0ADMIN' } as const;
const member = { kind: 'person', slackUserId: 'U0MEMBER' } as const;

const WS = { id: orgId('ws', 1), name: 'Analytics' };
const WS2 = { id: orgId('ws', 2), name: 'Orphans' };
const DEP = { id: orgId('dep', 1), name: 'etl-prod', workspaceId: WS.id };

/** A user; `n` makes the ID, the rest overrides. */
function user(n: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: orgId('user', n),
    username: `person${n}@example.com`,
    fullName: `Person ${n}`,
    status: 'ACTIVE',
    createdAt: at(NOW - 400 * DAY),
    organizationRole: 'ORGANIZATION_MEMBER',
    workspaceRoles: [],
    deploymentRoles: [],
    dagRoles: [],
    ...fields,
  };
}

/** A token; `n` makes the ID and name. */
function token(n: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: orgId('tok', n), name: `token-${n}`, scope: 'ORGANIZATION', roles: [], createdAt: at(NOW - 10 * DAY), endAt: at(NOW + 200 * DAY), lastUsedAt: at(NOW - DAY), ...fields };
}

/** An organization where nothing needs attention: an owned Workspace, one healthy token. */
function cleanOrg(): StandInOrg {
  const org = emptyOrg();
  org.workspaces.push(WS);
  org.deployments.push(DEP);
  org.users.push(user(0, { organizationRole: 'ORGANIZATION_OWNER', workspaceRoles: [{ workspaceId: WS.id, role: 'WORKSPACE_OWNER' }] }));
  org.tokens.push(token(0));
  return org;
}

let w: UseCaseWorld;
let org: StandInOrg;
let forbid: ('tokens' | 'teams' | 'workspaces' | 'deployments')[];
beforeEach(async () => {
  w = await useCaseWorld();
  w.slack.people.U0ADMIN = { isAdmin: true };
  org = cleanOrg();
  forbid = [];
  w.astro.setHandler((req, res) => {
    if (!answerOrg(req, res, org, ORG_ID, { forbid })) json(res, 404, { message: 'not found' });
  });
});
afterEach(() => w.close());

/** The report for the admin, at NOW. */
async function report() {
  const result = await reportForAsker(w.services, w.ctx(admin), { now: NOW });
  if (result.kind !== 'report') throw new Error(`no report: ${JSON.stringify(result)}`);
  return result.data;
}

/** The private message of a report, checked against Block Kit limits. */
function message(data: Awaited<ReturnType<typeof report>>) {
  const m = renderReport(data, { surface: 'ephemeral', astroUiUrl: UI });
  expectValidBlockKit(m);
  return allText(m.blocks);
}

describe('API tokens', () => {
  it('finds nothing in a clean organization, and says so', async () => {
    const data = await report();
    expect(data.tokens).toMatchObject({ expiring: { total: 0 }, noExpiry: { total: 0 }, unused: { total: 0 } });
    const text = message(data);
    expect(text).toContain('No API token expires within 30 days');
    expect(text).toContain('Every API token has an expiry date');
    expect(text).toContain('No API token has gone unused for 90 days');
  });

  it('marks tokens expiring within 30, 7 and 1 days, and already expired ones; not those further out', async () => {
    org.tokens = [
      token(1, { endAt: at(NOW + 31 * DAY) }),
      token(2, { endAt: at(NOW + 30 * DAY) }),
      token(3, { endAt: at(NOW + 7 * DAY) }),
      token(4, { endAt: at(NOW + 8 * DAY) }),
      token(5, { endAt: at(NOW + DAY) }),
      token(6, { endAt: at(NOW + 2 * HOUR) }),
      token(7, { endAt: at(NOW - HOUR) }),
    ];
    const data = await report();
    expect(data.tokens!.expiring.items.map((t) => [t.name, t.mark])).toEqual([
      ['token-7', 'expired'],
      ['token-6', 'day'],
      ['token-5', 'day'],
      ['token-3', 'week'],
      ['token-4', 'month'],
      ['token-2', 'month'],
    ]);
    expect(data.tokens!.expiring.marks).toEqual({ expired: 1, day: 2, week: 1, month: 2 });
    const text = message(data);
    expect(text).toContain('6 API tokens* expire within 30 days (1 within 7 days, 2 within a day, 1 already expired)');
    expect(text).toMatch(/:red_circle: \*token-6\* \(Organization token\) · expires <!date\^\d+\^\{date_short\}\|[^>]+> \(in 0 days\) → rotate it before then: <https:\/\/cloud\.astronomer\.io\|Organization Settings → Access Management → API Tokens>/);
    expect(text).not.toContain('token-1');
  });

  it('lists tokens without an expiry, linked where they are managed', async () => {
    org.workspaces.push(WS2);
    org.tokens.push(token(1, { endAt: undefined, scope: 'WORKSPACE', roles: [{ entityType: 'WORKSPACE', entityId: WS2.id, role: 'WORKSPACE_MEMBER' }] }));
    org.tokens.push(token(2, { endAt: undefined, scope: 'DEPLOYMENT', roles: [{ entityType: 'DEPLOYMENT', entityId: DEP.id, role: 'DEPLOYMENT_ADMIN' }] }));
    const data = await report();
    expect(data.tokens!.noExpiry.items.map((t) => t.name).sort()).toEqual(['token-1', 'token-2']);
    const text = message(data);
    expect(text).toContain('*2 API tokens* never expire');
    expect(text).toContain('(Workspace token of *Orphans*)');
    expect(text).toContain(`<${UI}/${WS.id}/deployments/${DEP.id}|Deployment → Access → API Tokens>`);
  });

  it('finds tokens unused for 90 days or more, and never-used ones only once they are that old', async () => {
    org.tokens = [
      token(1, { lastUsedAt: at(NOW - 90 * DAY) }),
      token(2, { lastUsedAt: at(NOW - 89 * DAY) }),
      token(3, { lastUsedAt: undefined, createdAt: at(NOW - 100 * DAY) }),
      token(4, { lastUsedAt: undefined, createdAt: at(NOW - 10 * DAY) }),
    ];
    const data = await report();
    expect(data.tokens!.unused.items.map((t) => t.name).sort()).toEqual(['token-1', 'token-3']);
    const text = message(data);
    expect(text).toContain('never used, created');
    expect(text).toContain('delete it if nothing needs it');
  });

  it('says which Astro role would let it read tokens when Astro answers 403', async () => {
    forbid = ['tokens'];
    const data = await report();
    expect(data.tokens).toBeUndefined();
    expect(data.gaps).toEqual([expect.objectContaining({ source: 'tokens', kind: 'forbidden', role: 'Organization Owner', permission: 'organization.apiTokens.access', requestId: 'req-403-tokens' })]);
    const text = message(data);
    expect(text).toContain('API tokens were not checked');
    expect(text).toContain('*Organization Owner* role');
    // The rest of the report is still there.
    expect(text).toContain('Every Workspace has a Workspace Owner');
  });

  it('does not ask for tokens when the token is known not to reach them', async () => {
    w.services.capabilities = async () => ({ ...UNPROBED, tokens: 'denied', checkedAt: NOW });
    const data = await report();
    expect(w.astro.requests.some((r) => r.url.includes('/tokens'))).toBe(false);
    expect(data.gaps.map((g) => g.source)).toEqual(['tokens']);
  });
});

describe('people', () => {
  it('finds banned and inactive people who still hold roles or Teams, and no one else', async () => {
    org.users.push(
      user(1, { status: 'BANNED', workspaceRoles: [{ workspaceId: WS.id, role: 'WORKSPACE_OPERATOR' }], deploymentRoles: [{ deploymentId: DEP.id, role: 'DEPLOYMENT_ADMIN' }] }),
      user(2, { status: 'INACTIVE' }),
      user(3, { status: 'INACTIVE' }),
      user(4, { workspaceRoles: [{ workspaceId: WS.id, role: 'WORKSPACE_MEMBER' }] }),
    );
    org.teams.push({ id: orgId('team', 1), name: 'Data', isIdpManaged: false, createdAt: at(NOW), workspaceRoles: [] });
    org.members[orgId('team', 1)] = [{ userId: orgId('user', 3), username: 'person3@example.com' }];
    const data = await report();
    expect(data.inactiveWithRoles.items.map((p) => [p.username, p.roleCount, p.teams])).toEqual([
      ['person1@example.com', 2, []],
      ['person3@example.com', 0, ['Data']],
    ]);
    const text = message(data);
    expect(text).toContain('*Person 1* (person1@example.com) · Banned · 2 roles: Workspace Operator in Workspace *Analytics*, Deployment Admin in Deployment *etl-prod*');
    expect(text).toContain('remove their roles and Teams');
  });

  it('says so when no banned or inactive person holds a role', async () => {
    org.users.push(user(2, { status: 'INACTIVE' }));
    expect(message(await report())).toContain('No banned or inactive person holds a role');
  });

  it('finds invitations pending for more than 14 days, not younger ones', async () => {
    org.users.push(user(1, { status: 'PENDING', createdAt: at(NOW - 15 * DAY) }), user(2, { status: 'PENDING', createdAt: at(NOW - 13 * DAY) }));
    const data = await report();
    expect(data.staleInvites.items.map((i) => i.username)).toEqual(['person1@example.com']);
    expect(message(data)).toContain('(15 days ago) → resend or revoke the invitation');
  });

  it('says so when no invitation is that old', async () => {
    org.users.push(user(2, { status: 'PENDING', createdAt: at(NOW - 13 * DAY) }));
    expect(message(await report())).toContain('No invitation has been pending for more than 14 days');
  });
});

describe('Workspaces without an owner', () => {
  it('counts owners directly or through a Team with an active member, and flags the rest, Organization Owners aside', async () => {
    const viaTeam = { id: orgId('ws', 3), name: 'Through a Team' };
    const bannedOwner = { id: orgId('ws', 4), name: 'Banned owner' };
    org.workspaces.push(WS2, viaTeam, bannedOwner);
    org.users.push(user(1, { status: 'BANNED', workspaceRoles: [{ workspaceId: bannedOwner.id, role: 'WORKSPACE_OWNER' }] }), user(2));
    org.teams.push({ id: orgId('team', 1), name: 'Owners', isIdpManaged: true, createdAt: at(NOW), workspaceRoles: [{ workspaceId: viaTeam.id, role: 'WORKSPACE_OWNER' }] });
    org.members[orgId('team', 1)] = [{ userId: orgId('user', 2), username: 'person2@example.com' }];
    const data = await report();
    expect(data.withoutOwner.items.map((x) => x.name)).toEqual(['Banned owner', 'Orphans']);
    expect(data.withoutOwner.organizationOwners).toBe(1);
    const text = message(data);
    expect(text).toContain('*2 Workspaces* without a Workspace Owner (only the 1 Organization Owner manages them)');
    expect(text).toContain('→ add a Workspace Owner');
  });

  it('says plainly when the organization has no active Organization Owner either', async () => {
    org.users[0] = user(0, { organizationRole: 'ORGANIZATION_MEMBER' });
    org.workspaces.push(WS2);
    expect(message(await report())).toContain('and no active Organization Owner');
  });
});

describe('direct roles a Team already grants', () => {
  it('finds a direct role equal to or weaker than a Team role on the same scope, and not otherwise', async () => {
    const team = orgId('team', 1);
    org.workspaces.push(WS2);
    org.users.push(
      user(1, { workspaceRoles: [{ workspaceId: WS.id, role: 'WORKSPACE_MEMBER' }], deploymentRoles: [{ deploymentId: DEP.id, role: 'DEPLOYMENT_ACCESSOR' }] }),
      user(2, { workspaceRoles: [{ workspaceId: WS.id, role: 'WORKSPACE_OWNER' }, { workspaceId: WS2.id, role: 'WORKSPACE_MEMBER' }] }),
    );
    org.teams.push({ id: team, name: 'Platform', isIdpManaged: false, createdAt: at(NOW), organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [{ workspaceId: WS.id, role: 'WORKSPACE_AUTHOR' }], deploymentRoles: [{ deploymentId: DEP.id, role: 'DEPLOYMENT_ADMIN' }] });
    org.members[team] = [
      { userId: orgId('user', 1), username: 'person1@example.com' },
      { userId: orgId('user', 2), username: 'person2@example.com' },
    ];
    const data = await report();
    expect(data.redundantRoles!.items.map((r) => [r.username, r.grant.role, r.teamRole])).toEqual([
      ['person1@example.com', 'WORKSPACE_MEMBER', 'WORKSPACE_AUTHOR'],
      ['person1@example.com', 'DEPLOYMENT_ACCESSOR', 'DEPLOYMENT_ADMIN'],
    ]);
    const text = message(data);
    expect(text).toContain('*Person 1*: Workspace Member in Workspace *Analytics*, which the Team *Platform* already grants (Workspace Author) → remove the direct role');
  });

  it('says so when none does', async () => {
    expect(message(await report())).toContain("No direct role only repeats a Team's");
  });
});

describe('who may ask, and what it costs', () => {
  it('refuses a non-admin privately without asking Astro anything', async () => {
    const result = await reportForAsker(w.services, w.ctx(member), { now: NOW });
    expect(result).toEqual({ kind: 'not_admin' });
    expect(w.astro.requests).toHaveLength(0);
    expect(w.logs.find((l) => l.msg === 'report')).toMatchObject({ audit: true, outcome: 'refused', slackUser: 'U0MEMBER' });
  });

  it('takes one abuse-limit point and writes one audit line with counts, never names', async () => {
    org.users.push(user(1, { status: 'BANNED', workspaceRoles: [{ workspaceId: WS.id, role: 'WORKSPACE_MEMBER' }] }));
    await report();
    expect(w.takes).toHaveLength(1);
    const lines = w.logs.filter((l) => l.msg === 'report');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ audit: true, outcome: 'report', users: 2, inactiveWithRoles: 1 });
    expect(JSON.stringify(lines[0])).not.toContain('person1');
  });

  it('pages the organization once for a report and an offboarding checklist a minute apart', async () => {
    org.users.push(user(1, { workspaceRoles: [{ workspaceId: WS.id, role: 'WORKSPACE_MEMBER' }] }));
    await report();
    const after = w.astro.requests.length;
    const checklist = await offboardForAsker(w.services, w.ctx(admin), { kind: 'user_id', userId: orgId('user', 1) });
    expect(checklist.kind).toBe('checklist');
    expect(w.astro.requests.length).toBe(after);
  });

  it('keeps a channel post free of people: counts, not names', async () => {
    org.users.push(user(1, { status: 'BANNED', workspaceRoles: [{ workspaceId: WS.id, role: 'WORKSPACE_MEMBER' }] }), user(2, { status: 'PENDING', createdAt: at(NOW - 20 * DAY) }));
    org.tokens.push(token(1, { endAt: undefined, createdBy: { id: orgId('user', 1), fullName: 'Person 1' } }));
    const m = renderReport(await buildReport(w.services, w.ctx(admin).workspace, { now: NOW }), { surface: 'channel', astroUiUrl: UI });
    expectValidBlockKit(m);
    const text = allText(m.blocks);
    expect(text).toContain('*1 banned or inactive person* still holds roles');
    expect(text).toContain('token-1');
    expect(text).not.toMatch(/person1|Person 1|person2/);
    expect(m.blocks.some((b) => b.type === 'actions')).toBe(false);
  });
});

describe('a large organization', () => {
  it('reports 5,000 users and 500 tokens within Block Kit limits on every surface', async () => {
    // Few Teams: each costs a request, and the token's request budget (20/s) would make the test slow.
    org = bigOrg({ users: 5000, tokens: 500, teams: 5, now: NOW });
    const data = await report();
    expect(data.size).toMatchObject({ users: 5000, tokens: 500, teams: 5 });
    expect(data.tokens!.expiring.total).toBe(200);
    expect(data.inactiveWithRoles.total).toBe(100);
    const ephemeral = renderReport(data, { surface: 'ephemeral', astroUiUrl: UI });
    expectValidBlockKit(ephemeral);
    expect(allText(ephemeral.blocks)).toContain('…and 197 more in the full report');
    expectValidBlockKit(renderReport(data, { surface: 'channel', astroUiUrl: UI }));
    const home = reportHomeView(renderReport(data, { surface: 'home', astroUiUrl: UI }));
    expectValidBlockKit(home, 'view');
    expect(allText(home.blocks)).toMatch(/…and \d+ more in Astro/);
  });
});
