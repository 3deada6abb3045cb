/**
 * Names instead of IDs, and lookup by email, Slack mention and name, through the whole app over
 * signed HTTP, with a stand-in Astro API that serves users, the users list, Teams, workspaces and
 * deployments, and a stand-in Slack.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allText, expectValidBlockKit } from '../support/block-kit.js';
import { slackHandler, startHarness, type TestHarness } from '../support/app.js';
import { ADA } from '../support/fixtures.js';
import { json, type RecordedRequest } from '../support/http-stub.js';

const WS1 = 'clx1ws00000001abcdefghijk';
const WS2 = 'clx1ws00000002abcdefghijk';
const DEP1 = 'clx1dep0000001abcdefghijk';
const DEP2 = 'clx1dep0000002abcdefghijk';
const cuid = (n: number) => `cuser${String(n).padStart(20, '0')}`;

/** 3,500 users; a few with names worth searching. */
const USERS = Array.from({ length: 3500 }, (_, i) => ({
  id: cuid(i),
  username: `person${i}@example.com`,
  fullName: `Person ${i}`,
  avatarUrl: '',
  status: 'ACTIVE',
  createdAt: '2024-01-01T00:00:00Z',
  updatedAt: '2024-01-01T00:00:00Z',
}));
USERS[7] = { ...USERS[7]!, id: ADA.id, username: 'Ada.Lovelace@Example.com', fullName: 'Ada Lovelace' };
USERS[8] = { ...USERS[8]!, username: 'grace.hopper@example.com', fullName: 'Grace Hopper' };
USERS[9] = { ...USERS[9]!, username: 'grace.kelly@example.com', fullName: 'Grace Kelly' };
const DEP3 = 'clx1dep0000003abcdefghijk';
USERS[43] = { ...USERS[43]!, fullName: 'Deploy Er', deploymentRoles: [{ deploymentId: DEP3, role: 'DEPLOYMENT_ADMIN' }] } as (typeof USERS)[number];

/**
 * A request of the background probe of what the token can reach (started by the first lookup:
 * these apps do not probe at start-up): it asks for pages of one item.
 */
const probing = (r: RecordedRequest) => new URL(r.url, 'http://x').searchParams.get('limit') === '1';

let deploymentsFail = false;
let teamsStatus: 200 | 404 = 200;

function astro(req: RecordedRequest, res: ServerResponse): void {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  if (/\/users\/[^/]+\/teams$/.test(p)) {
    if (teamsStatus === 404) return json(res, 404, { message: 'not found', requestId: 'r', statusCode: 404 });
    return json(res, 200, {
      teams: [{ id: 'clteam0000000000000000001', name: 'Data Platform Team', isIdpManaged: true, organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [{ workspaceId: WS2, role: 'WORKSPACE_OPERATOR' }] }],
      limit: 100,
      offset: 0,
      totalCount: 1,
    });
  }
  const one = /\/users\/([^/]+)$/.exec(p);
  if (one) {
    const id = decodeURIComponent(one[1]!);
    if (id === ADA.id) return json(res, 200, ADA);
    const u = USERS.find((x) => x.id === id);
    return u ? json(res, 200, u) : json(res, 404, { message: 'nf', requestId: 'r', statusCode: 404 });
  }
  if (p.endsWith('/users')) {
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 20);
    return json(res, 200, { users: USERS.slice(offset, offset + limit), limit, offset, totalCount: USERS.length });
  }
  if (p.endsWith('/workspaces')) {
    const ids = url.searchParams.getAll('workspaceIds');
    const known: Record<string, string> = { [WS1]: 'Data Platform', [WS2]: 'Analytics' };
    const workspaces = ids.filter((i) => known[i]).map((id) => ({ id, name: known[id], organizationId: 'o', cicdEnforcedDefault: false, createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z' }));
    return json(res, 200, { workspaces, limit: 1000, offset: 0, totalCount: workspaces.length });
  }
  if (p.endsWith('/deployments')) {
    if (deploymentsFail) return json(res, 500, { message: 'boom', requestId: 'r', statusCode: 500 });
    const ids = url.searchParams.getAll('deploymentIds');
    const known: Record<string, [string, string]> = { [DEP1]: ['revenue-prod', WS1], [DEP2]: ['analytics-dev', WS2], [DEP3]: ['etl-prod', WS1] };
    const deployments = ids.filter((i) => known[i]).map((id) => ({ id, name: known[id]![0], workspaceId: known[id]![1] }));
    return json(res, 200, { deployments, limit: 1000, offset: 0, totalCount: deployments.length });
  }
  json(res, 404, { message: 'no route', requestId: 'r', statusCode: 404 });
}

describe('names, and lookup by email, mention and name', () => {
  let h: TestHarness;
  beforeAll(async () => {
    h = await startHarness({ astroHandler: astro, deps: { features: { names: true, teams: true, warmCatalog: false }, policy: { backoffBaseMs: 10, backoffCapMs: 20 } } });
    h.slack.setHandler(
      slackHandler({
        '/api/users.info': (req, res) => {
          const user = new URLSearchParams(req.body).get('user');
          if (user === 'UGRACE') return json(res, 200, { ok: true, user: { id: 'UGRACE', profile: { email: 'grace.hopper@example.com' } } });
          if (user === 'UHIDDEN') return json(res, 200, { ok: true, user: { id: 'UHIDDEN', profile: {} } });
          if (user === 'UNOASTRO') return json(res, 200, { ok: true, user: { id: 'UNOASTRO', profile: { email: 'nobody@example.com' } } });
          return json(res, 200, { ok: true, user: { id: user, is_admin: false, profile: {} } });
        },
      }),
    );
  });
  afterAll(async () => h?.close());

  const reply = async (text: string) => {
    const r = await h.command(text);
    expect(r.status).toBe(200);
    const [m] = await h.replies(r.responseUrl);
    expectValidBlockKit(m as { blocks: unknown[]; text: string });
    return m!;
  };

  it('groups roles by workspace, in names, with deployments linked to their Astro UI page, and roles via Teams', async () => {
    const m = await reply(ADA.id);
    const shown = allText(m.blocks);
    expect(shown).toContain('Data Platform');
    expect(shown).toContain('Workspace Author');
    expect(shown).toContain(`<https://cloud.astronomer.io/${WS1}/deployments/${DEP1}|revenue-prod>`);
    expect(shown).toContain(`<https://cloud.astronomer.io/${WS2}/deployments/${DEP2}|analytics-dev>`);
    expect(shown).toMatch(/DAG Viewer\* · DAGs tagged `team:analytics`/);
    expect(shown).toContain('Team *Data Platform Team* (managed in your IdP)');
    expect(shown).toContain('Workspace Operator in Analytics');
    // Open in Astro opens the first deployment's page.
    const open = (m.blocks as { type: string; elements?: { action_id?: string; url?: string }[] }[]).find((b) => b.type === 'actions')!.elements!.find((e) => e.action_id === 'card_open')!;
    expect(open.url).toBe(`https://cloud.astronomer.io/${WS1}/deployments/${DEP1}`);
  });

  it('falls back to IDs, marked, when a name call fails, without failing the lookup', async () => {
    deploymentsFail = true;
    try {
      const m = await reply(`\`${cuid(43)}\``);
      const shown = allText(m.blocks);
      expect(shown).toContain('Deploy Er');
      expect(shown).toContain(`\`${DEP3}\` _(name unavailable)_`);
      expect(shown).toContain('Some names could not be read just now');
    } finally {
      deploymentsFail = false;
    }
  });

  it('says roles via Teams are not shown where the API has no Teams endpoint', async () => {
    teamsStatus = 404;
    try {
      const m = await reply('cuser00000000000000000042');
      expect(allText(m.blocks)).toContain('Roles via Teams are not shown');
    } finally {
      teamsStatus = 200;
    }
  });

  it('finds a user by email, case-insensitively, indexing 3,500 users with 4 page requests shared by concurrent lookups', async () => {
    // An app of its own: the index must not be built yet (other tests here look up emails too).
    const fresh = await startHarness({ astroHandler: astro, deps: { features: { names: true, teams: true, warmCatalog: false } } });
    try {
      const sent = await Promise.all(Array.from({ length: 20 }, () => fresh.command('<mailto:ada.lovelace@example.com|ada.lovelace@example.com>')));
      for (const s of sent) {
        const [m] = await fresh.replies(s.responseUrl);
        expect(allText(m!.blocks)).toContain('Ada Lovelace');
      }
      const pages = fresh.astro.requests.filter((r) => /\/users\?/.test(r.url) && !probing(r));
      expect(pages).toHaveLength(4);
      expect(pages.every((r) => r.url.includes('limit=1000') && r.url.includes('sorts=id%3Aasc'))).toBe(true);
    } finally {
      await fresh.close();
    }
  });

  it('explains an unknown email', async () => {
    expect(allText((await reply('nobody@example.com')).blocks)).toMatch(/No Astro user in this organization has the email/);
  });

  it('finds a Slack user by their profile email, and explains a hidden email and a missing Astro account', async () => {
    expect(allText((await reply('<@UGRACE|grace>')).blocks)).toContain('Grace Hopper');
    expect(allText((await reply('<@UHIDDEN|hidden>')).blocks)).toMatch(/can't see an email for <@UHIDDEN>/);
    expect(allText((await reply('<@UNOASTRO>')).blocks)).toMatch(/<@UNOASTRO> has no Astro account/);
  });

  it('opens the only match of a name, shows a picker for several, and opens the one picked', async () => {
    expect(allText((await reply('lovelace')).blocks)).toContain('Ada Lovelace');
    const picker = await reply('grace');
    const shown = allText(picker.blocks);
    expect(shown).toMatch(/2 Astro users match/);
    expect(shown).toContain('Grace Hopper');
    expect(shown).toContain('Grace Kelly');
    const kelly = (picker.blocks as { accessory?: { action_id: string; value: string }; text?: { text: string } }[]).find((b) => b.text?.text.includes('Grace Kelly'))!.accessory!;
    const responseUrl = h.newResponseUrl();
    await h.interact({
      type: 'block_actions',
      user: { id: 'U0001', team_id: 'T0001' },
      team: { id: 'T0001' },
      channel: { id: 'C0001', name: 'ops' },
      container: { type: 'message', is_ephemeral: true },
      response_url: responseUrl,
      actions: [{ type: 'button', action_id: kelly.action_id, block_id: 'pick:1', value: kelly.value, action_ts: '1' }],
    });
    const [card] = await h.replies(responseUrl);
    expect(card!.replace_original).toBe(true);
    expect(allText(card!.blocks)).toContain('Grace Kelly');
    expect(allText((await reply('zzyzx')).blocks)).toMatch(/No Astro user's name or username starts with/);
  });

  it('answers a mention naming a person and an email in the thread, not looking up the bot itself', async () => {
    const before = h.apiCalls('chat.postMessage').length;
    await h.event({ type: 'app_mention', user: 'UASK', channel: 'COPS', text: '<@UBOT> who are <@UGRACE> and <mailto:person12@example.com|person12@example.com>?', ts: '1700000100.000100', event_ts: '1700000100.000100' });
    await h.slack.waitFor(before + 1, (r) => r.url === '/api/chat.postMessage');
    const call = h.apiCalls('chat.postMessage').at(-1)!;
    expect(call.thread_ts).toBe('1700000100.000100');
    const shown = allText(call.blocks);
    expect(shown).toContain('Grace Hopper');
    expect(shown).toContain('Person 12');
    expect(shown).not.toMatch(/UBOT.*no Astro account/);
  });

  it('finds IDs and emails in a message for the shortcut', async () => {
    const m = await h.shortcut({ type: 'message', ts: '1.1', text: 'Access granted to person13@example.com by cuser00000000000000000014.' });
    const shown = allText(m!.blocks);
    expect(shown).toContain('Person 13');
    expect(shown).toContain('Person 14');
  });
});

describe('name resolution under concurrency', () => {
  it('shares one ListWorkspaces and one ListDeployments among 50 concurrent lookups of one user', async () => {
    const h = await startHarness({ astroHandler: astro, deps: { features: { names: true, teams: true, warmCatalog: false } } });
    try {
      const sent = await Promise.all(Array.from({ length: 50 }, () => h.command(ADA.id)));
      for (const s of sent) expect(allText((await h.replies(s.responseUrl))[0]!.blocks)).toContain('revenue-prod');
      const paths = h.astro.requests.filter((r) => !probing(r)).map((r) => new URL(r.url, 'http://x').pathname.split('/').pop());
      expect(paths.filter((p) => p === 'workspaces')).toHaveLength(1);
      expect(paths.filter((p) => p === 'deployments')).toHaveLength(1);
      expect(paths.filter((p) => p === ADA.id)).toHaveLength(1);
      expect(paths.filter((p) => p === 'teams')).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
