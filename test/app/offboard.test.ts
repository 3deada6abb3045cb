/**
 * Leavers, in process against a stand-in Astro organization: the checklist's roles by scope with
 * names, Teams (identity-provider Teams marked), the API tokens they created, the Deployments only
 * they administer; who may ask; and the checklist sent when Slack reports a member deactivated,
 * only when the workspace's policy asks for it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checklistOnDeactivation, offboardForAsker } from '../../src/app/offboard.js';
import { renderOffboard } from '../../src/slack/views/offboard.js';
import { ORG_ID } from '../support/app.js';
import { answerOrg, emptyOrg, orgId, type StandInOrg } from '../support/astro-org.mjs';
import { allText, expectValidBlockKit } from '../support/block-kit.js';
import { json } from '../support/http-stub.js';
import { useCaseWorld, type UseCaseWorld } from '../support/use-cases.js';

const NOW = Date.now();
const DAY = 86_400_000;
const at = (ms: number) => new Date(ms).toISOString();
const UI = 'https://cloud.astronomer.io';
const admin = { kind: 'person', slackUserId: 'U0ADMIN' } as const;
const member = { kind: 'person', slackUserId: 'U0MEMBER' } as const;

const WS_A = { id: orgId('wsa', 1), name: 'Analytics' };
const WS_B = { id: orgId('wsb', 1), name: 'Billing' };
/** Only the leaver administers it (Deployment Admin). */
const DEP_ALONE = { id: orgId('dep', 1), name: 'etl-alone', workspaceId: WS_A.id };
/** The leaver is Deployment Admin; someone else is Workspace Operator of Analytics. */
const DEP_SHARED = { id: orgId('dep', 2), name: 'etl-shared', workspaceId: WS_B.id };
/** In Billing, where the leaver is Workspace Owner and the other admin is banned. */
const DEP_BANNED_OTHER = { id: orgId('dep', 3), name: 'billing-core', workspaceId: WS_B.id };
const LEAVER = orgId('user', 1);

function user(n: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: orgId('user', n), username: `person${n}@example.com`, fullName: `Person ${n}`, status: 'ACTIVE', createdAt: at(NOW - 100 * DAY), organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [], deploymentRoles: [], dagRoles: [], ...fields };
}

/** The leaver (Person 1) holds roles in every scope, is in two Teams and created two tokens. */
function leaverOrg(): StandInOrg {
  const org = emptyOrg();
  org.workspaces.push(WS_A, WS_B);
  org.deployments.push(DEP_ALONE, DEP_SHARED, DEP_BANNED_OTHER);
  org.users.push(
    user(0, { organizationRole: 'ORGANIZATION_OWNER' }),
    user(1, {
      organizationRole: 'ORGANIZATION_BILLING_ADMIN',
      workspaceRoles: [
        { workspaceId: WS_A.id, role: 'WORKSPACE_MEMBER' },
        { workspaceId: WS_B.id, role: 'WORKSPACE_OWNER' },
      ],
      deploymentRoles: [
        { deploymentId: DEP_ALONE.id, role: 'DEPLOYMENT_ADMIN' },
        { deploymentId: DEP_SHARED.id, role: 'DEPLOYMENT_ADMIN' },
      ],
      dagRoles: [{ deploymentId: DEP_ALONE.id, role: 'DAG_AUTHOR', dagId: 'nightly_load' }],
    }),
    // Deployment Admin of etl-shared through a Team; banned, Deployment Admin of billing-core.
    user(2),
    user(3, { status: 'BANNED', deploymentRoles: [{ deploymentId: DEP_BANNED_OTHER.id, role: 'DEPLOYMENT_ADMIN' }] }),
  );
  org.teams.push(
    { id: orgId('team', 1), name: 'Okta Data', isIdpManaged: true, createdAt: at(NOW), workspaceRoles: [{ workspaceId: WS_A.id, role: 'WORKSPACE_AUTHOR' }] },
    { id: orgId('team', 2), name: 'Shared admins', isIdpManaged: false, createdAt: at(NOW), deploymentRoles: [{ deploymentId: DEP_SHARED.id, role: 'DEPLOYMENT_ADMIN' }] },
  );
  org.members[orgId('team', 1)] = [{ userId: LEAVER, username: 'person1@example.com' }];
  org.members[orgId('team', 2)] = [{ userId: orgId('user', 2), username: 'person2@example.com' }];
  org.tokens.push(
    { id: orgId('tok', 1), name: 'ci-deploy', scope: 'DEPLOYMENT', roles: [{ entityType: 'DEPLOYMENT', entityId: DEP_ALONE.id, role: 'DEPLOYMENT_ADMIN' }], createdBy: { id: LEAVER, subjectType: 'USER' }, createdAt: at(NOW - 5 * DAY) },
    { id: orgId('tok', 2), name: 'reporting', scope: 'ORGANIZATION', roles: [], createdBy: { id: LEAVER, subjectType: 'USER' }, endAt: at(NOW + 30 * DAY) },
    { id: orgId('tok', 3), name: 'someone-elses', scope: 'ORGANIZATION', roles: [], createdBy: { id: orgId('user', 2), subjectType: 'USER' } },
  );
  return org;
}

let w: UseCaseWorld;
let org: StandInOrg;
beforeEach(async () => {
  w = await useCaseWorld({ ADMIN_USER_IDS: 'U0OPS1,U0OPS2' });
  w.slack.people.U0ADMIN = { isAdmin: true };
  w.slack.people.U0LEAVER = { email: 'Person1@Example.com' };
  org = leaverOrg();
  w.astro.setHandler((req, res) => {
    if (!answerOrg(req, res, org, ORG_ID)) json(res, 404, { message: 'not found' });
  });
});
afterEach(() => w.close());

async function checklist(query: Parameters<typeof offboardForAsker>[2] = { kind: 'user_id', userId: LEAVER }) {
  const result = await offboardForAsker(w.services, w.ctx(admin), query);
  if (result.kind !== 'checklist') throw new Error(`no checklist: ${JSON.stringify(result)}`);
  return result.data;
}

describe('the offboarding checklist', () => {
  it('escapes their name in the notification text', async () => {
    const data = await checklist();
    const m = renderOffboard({ ...data, user: { ...data.user, fullName: '<!channel> <@U0BOSS>' } }, { astroUiUrl: UI });
    expect(m.text).not.toMatch(/<[!@#]|<https?:/);
    expect(m.text).toContain('Offboarding &lt;!channel&gt;');
  });

  it('lists their roles by scope, with names', async () => {
    const data = await checklist();
    expect(data.roles.map((r) => [r.scope, r.role])).toEqual([
      ['ORGANIZATION', 'ORGANIZATION_BILLING_ADMIN'],
      ['WORKSPACE', 'WORKSPACE_MEMBER'],
      ['WORKSPACE', 'WORKSPACE_OWNER'],
      ['DEPLOYMENT', 'DEPLOYMENT_ADMIN'],
      ['DEPLOYMENT', 'DEPLOYMENT_ADMIN'],
      ['DAG', 'DAG_AUTHOR'],
    ]);
    const m = renderOffboard(data, { astroUiUrl: UI });
    expectValidBlockKit(m);
    const text = allText(m.blocks);
    expect(text).toContain('Offboarding: Person 1');
    expect(text).toContain('Workspace Owner in *Billing* → remove it');
    expect(text).toContain(`DAG Author on DAG \`nightly_load\` in *etl-alone* → remove it: <${UI}/${WS_A.id}/deployments/${DEP_ALONE.id}|Deployment → Access>`);
    expect(text).toContain("Organization Billing Admin → set it to Organization Member");
  });

  it('marks Teams managed by the identity provider to be removed there', async () => {
    const data = await checklist();
    expect(data.teams).toEqual([{ id: orgId('team', 1), name: 'Okta Data', idpManaged: true, grants: 1 }]);
    expect(allText(renderOffboard(data, { astroUiUrl: UI }).blocks)).toContain('*Okta Data* (1 role) · *managed by your identity provider* → remove them in your identity provider');
  });

  it('lists the API tokens they created, and no one else\'s', async () => {
    const data = await checklist();
    expect(data.tokens?.items.map((t) => t.name)).toEqual(['ci-deploy', 'reporting']);
    expect(allText(renderOffboard(data, { astroUiUrl: UI }).blocks)).toContain('*ci-deploy* (Deployment token of *etl-alone*) · never expires · never used → find what uses it, then rotate it or delete it');
  });

  it('names the Deployments only they administer: Deployment Admin or Workspace Owner, no other active admin', async () => {
    const data = await checklist();
    expect(data.soleAdmin.map((s) => [s.deployment.name, s.via.map((v) => v.role)])).toEqual([
      ['billing-core', ['WORKSPACE_OWNER']],
      ['etl-alone', ['DEPLOYMENT_ADMIN']],
    ]);
    expect(data.otherOrganizationOwners).toBe(1);
    const text = allText(renderOffboard(data, { astroUiUrl: UI }).blocks);
    expect(text).toContain('*billing-core* in *Billing* (they are Workspace Owner of its Workspace) → give someone else Deployment Admin first');
    expect(text).toContain('https://www.astronomer.io/docs/astro/user-permissions');
    expect(text).not.toContain('etl-shared* in');
  });

  it('finds the person by email and by Slack person, as lookups do', async () => {
    expect((await checklist({ kind: 'email', email: 'PERSON1@example.com' })).user.id).toBe(LEAVER);
    expect((await checklist({ kind: 'slack_user', slackUserId: 'U0LEAVER' })).user.id).toBe(LEAVER);
  });

  it('refuses a non-admin without asking Astro anything', async () => {
    expect(await offboardForAsker(w.services, w.ctx(member), { kind: 'email', email: 'person1@example.com' })).toEqual({ kind: 'not_admin' });
    expect(w.astro.requests).toHaveLength(0);
  });
});

describe('when Slack reports a member deactivated', () => {
  const deactivated = { slackUserId: 'U0LEAVER' };

  it('does nothing while the workspace policy is off (the default): no Astro request, nothing to send', async () => {
    expect(await checklistOnDeactivation(w.services, w.ctx(admin), deactivated)).toEqual({ kind: 'off' });
    expect(w.astro.requests).toHaveLength(0);
  });

  it('sends the checklist to each ADMIN_USER_IDS member once when the policy asks for it', async () => {
    await w.setPolicy({ offboardOnDeactivation: true });
    const result = await checklistOnDeactivation(w.services, w.ctx(admin), deactivated);
    expect(result.kind === 'send' && [result.to, result.data.user.id]).toEqual([['U0OPS1', 'U0OPS2'], LEAVER]);
    if (result.kind === 'send') {
      const m = renderOffboard(result.data, { astroUiUrl: UI, deactivatedSlackUser: 'U0LEAVER' });
      expectValidBlockKit(m);
      expect(allText(m.blocks)).toContain('<@U0LEAVER> was deactivated in Slack');
    }
    // Slack sends user_change again for later profile changes: one checklist per member.
    expect(await checklistOnDeactivation(w.services, w.ctx(admin), deactivated)).toEqual({ kind: 'ignored', reason: 'already_sent' });
  });

  it('ignores a member without an Astro account', async () => {
    await w.setPolicy({ offboardOnDeactivation: true });
    expect(await checklistOnDeactivation(w.services, w.ctx(admin), { slackUserId: 'U0OTHER', email: 'nobody@example.com' })).toEqual({ kind: 'ignored', reason: 'not_in_astro' });
  });
});

describe('without ADMIN_USER_IDS', () => {
  it('tells the admin who connected Astro, while Slack says they are an admin, else no one', async () => {
    const v = await useCaseWorld({ ENCRYPTION_KEY: Buffer.alloc(32, 5).toString('base64') });
    try {
      v.astro.setHandler((req, res) => {
        if (!answerOrg(req, res, org, ORG_ID)) json(res, 404, { message: 'not found' });
      });
      await v.setPolicy({ offboardOnDeactivation: true });
      const key = v.ctx(admin).workspace.key;
      expect(await checklistOnDeactivation(v.services, v.ctx(admin), { slackUserId: 'U0L1', email: 'person1@example.com' })).toEqual({ kind: 'no_recipients' });
      await v.services.settings.saveConnection(key, { organizationId: ORG_ID, apiToken: 'eyJ.e30.sig', tokenHint: '…sig', scope: 'ORGANIZATION', savedBy: 'U0SAVER', savedAt: NOW });
      expect(await checklistOnDeactivation(v.services, v.ctx(admin), { slackUserId: 'U0L2', email: 'person1@example.com' })).toEqual({ kind: 'no_recipients' });
      v.slack.people.U0SAVER = { isAdmin: true };
      const sent = await checklistOnDeactivation(v.services, v.ctx(admin), { slackUserId: 'U0L3', email: 'person1@example.com' });
      expect(sent.kind === 'send' && sent.to).toEqual(['U0SAVER']);
    } finally {
      await v.close();
    }
  });
});
