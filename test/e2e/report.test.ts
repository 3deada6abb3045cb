/**
 * `/astro-user report` and the deactivation checklist over signed HTTP through the real app: an
 * admin gets "Building the report…" replaced by the report, a member is refused privately without
 * any Astro request, and a member Slack deactivates is reported to ADMIN_USER_IDS by direct message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/lookup/workspace-settings.js';
import { ORG_ID, startHarness, type TestHarness } from '../support/app.js';
import { answerOrg, emptyOrg, orgId } from '../support/astro-org.mjs';
import { allText, expectValidBlockKit } from '../support/block-kit.js';
import { json } from '../support/http-stub.js';

const org = emptyOrg();
org.workspaces.push({ id: orgId('ws', 1), name: 'Analytics' });
org.users.push(
  { id: orgId('user', 1), username: 'owner@example.com', fullName: 'Olga Owner', status: 'ACTIVE', organizationRole: 'ORGANIZATION_OWNER', workspaceRoles: [] },
  { id: orgId('user', 2), username: 'gone@example.com', fullName: 'Gus Gone', status: 'BANNED', workspaceRoles: [{ workspaceId: orgId('ws', 1), role: 'WORKSPACE_OPERATOR' }] },
);
org.tokens.push({ id: orgId('tok', 1), name: 'forever', scope: 'ORGANIZATION', roles: [], createdAt: '2020-01-01T00:00:00Z' });

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness({
    astroHandler: (req, res) => {
      if (!answerOrg(req, res, org, ORG_ID)) json(res, 404, { message: 'not found' });
    },
    env: { ADMIN_USER_IDS: 'UOPS1' },
  });
});
afterAll(() => h.close());

describe('/astro-user report', () => {
  it('shows an admin "Building the report…", then replaces it with the report', async () => {
    const { status, responseUrl } = await h.command('report', { user_id: 'UADMIN1' });
    expect(status).toBe(200);
    const [building, answer] = await h.replies(responseUrl, 2);
    expect(building).toMatchObject({ response_type: 'ephemeral', text: 'Building the report…' });
    expect(answer).toMatchObject({ response_type: 'ephemeral', replace_original: true });
    expectValidBlockKit(answer as { blocks: unknown[]; text: string });
    const text = allText(answer!.blocks);
    expect(text).toContain('*1 API token* never expires');
    expect(text).toContain('*Gus Gone* (gone@example.com)');
    expect(text).toContain('Show full report in App Home');
  });

  it('puts the full report in the admin\'s Home tab, and opening Home leaves it there', async () => {
    const { responseUrl } = await h.command('report', { user_id: 'UADMIN1' });
    const [, answer] = await h.replies(responseUrl, 2);
    const actions = (answer!.blocks as { type: string; elements?: Record<string, unknown>[] }[]).find((b) => b.type === 'actions');
    const published = () => h.apiCalls('views.publish').filter((c) => c.user_id === 'UADMIN1');
    expect(await h.clickInMessage(actions!.elements![0]!, { userId: 'UADMIN1' })).toBe(200);
    await h.slack.waitFor(2, (r) => r.url === '/api/views.publish');
    const view = published().at(-1)!.view as { callback_id: string; blocks: unknown[] };
    expect(view.callback_id).toBe('astro_user_report_home');
    expectValidBlockKit(view, 'view');
    expect(allText(view.blocks)).toContain('Back to lookups');
    // Opening Home while the report is on show publishes nothing over it (another person's Home shows the order).
    await h.event({ type: 'app_home_opened', user: 'UADMIN1', tab: 'home', view: { callback_id: 'astro_user_report_home', hash: '1.1' } });
    await h.event({ type: 'app_home_opened', user: 'U0OTHER', tab: 'home' });
    await h.slack.waitFor(3, (r) => r.url === '/api/views.publish');
    expect(published()).toHaveLength(2);
  });

  it('refuses a member privately, without asking Astro anything', async () => {
    const before = h.astro.requests.length;
    const { responseUrl } = await h.command('report', { user_id: 'U0MEMBER' });
    const [reply] = await h.replies(responseUrl);
    expect(reply).toMatchObject({ response_type: 'ephemeral', text: 'Only Slack workspace admins can see the Astro access report.' });
    expect(h.astro.requests.length).toBe(before);
  });
});

describe('a member deactivated in Slack', () => {
  it('sends ADMIN_USER_IDS the checklist by direct message when the workspace asks for it', async () => {
    await h.built.stores.settings.set('policy:T.T0001', { ...DEFAULT_POLICY, offboardOnDeactivation: true });
    expect(await h.event({ type: 'user_change', user: { id: 'UGONE1', team_id: 'T0001', deleted: true, profile: { email: 'gone@example.com' } } })).toBe(200);
    const [post] = await h.slack.waitFor(1, (r) => r.url === '/api/chat.postMessage');
    const sent = h.apiCalls('chat.postMessage')[0]!;
    expect(post).toBeDefined();
    expect(sent.channel).toBe('UOPS1');
    expect(allText(sent.blocks)).toContain('Offboarding: Gus Gone');
  });
});
