/**
 * Several Slack workspaces, over signed HTTP with stand-in Slack and Astro servers on loopback:
 * the OAuth install flow with an allow list, admins connecting Astro with a test call, tokens
 * sealed at rest in a real SQLite file, per-workspace tokens and caches, guests refused, and
 * uninstall (also late, after a reinstall).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allText, expectValidBlockKit } from '../support/block-kit.js';
import { slackHandler, startHarness, type TestHarness } from '../support/app.js';
import { ADA } from '../support/fixtures.js';
import { json } from '../support/http-stub.js';
import { postSignedJson } from '../support/signing.js';
import { SIGNING_SECRET } from '../support/app.js';
import { openSqlite } from '../../src/store/sqlite.js';

/** Rows of a query on the SQLite file, read with its own connection. */
async function sql(file: string, query: string): Promise<unknown[]> {
  const db = openSqlite(file);
  try {
    return db.query(query);
  } finally {
    db.close();
  }
}

/** An unsigned JWT shaped like an Astro API token. */
function astroToken(org: string, opts: { exp?: number; scope?: string; extra?: string[]; sig?: string } = {}): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const payload = { permissions: [`organizationId:${org}`, ...(opts.extra ?? [])], ...(opts.scope ? { scope: opts.scope } : {}), ...(opts.exp ? { exp: opts.exp } : {}) };
  return `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(payload)}.${opts.sig ?? 'c2lnbmF0dXJlLWZvci10ZXN0cy0xMjM0NTY3ODkw'}`;
}

const ORG1 = 'clorg1111111111111111111a';
const ORG2 = 'clorg2222222222222222222b';
const TOKEN1 = astroToken(ORG1, { sig: 'dG9rZW4tb25lLXNlY3JldC1zaWduYXR1cmUxMTEx' });
const TOKEN2 = astroToken(ORG2, { sig: 'dG9rZW4tdHdvLXNlY3JldC1zaWduYXR1cmUyMjIy' });
const KEY = Buffer.alloc(32, 7).toString('base64');
/**
 * The allowed workspaces. Each test uses workspaces of its own, installs and connects them
 * itself, and so stands alone (it passes run on its own, or in any order).
 */
const ALLOWED = ['TONE', 'TTWO', 'TNOCFG', 'TMEMBER', 'TBADTOK', 'TPAIR1', 'TPAIR2', 'THEALTH', 'TGROUPS', 'TGUEST', 'TSEAL1', 'TSEAL2', 'TLATE', 'TGONE'];

describe('several Slack workspaces', () => {
  let h: TestHarness;
  let dir: string;
  const installedAtByTeam: Record<string, number> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'au-ws-'));
    h = await startHarness({
      astroHandler: (req, res) => {
        const auth = String(req.headers.authorization ?? '');
        if (req.url.includes('/users?')) {
          // The admin's test call (ListUsers): token 'refused' → 401, workspace token → 403.
          if (auth.includes('cmVmdXNlZA')) return json(res, 401, { message: 'bad token', requestId: 'req-401', statusCode: 401 });
          const claims = Buffer.from(auth.replace('Bearer ', '').split('.')[1] ?? '', 'base64url').toString();
          if (claims.includes('workspaceId')) return json(res, 403, { message: 'forbidden', requestId: 'req-403', statusCode: 403 });
          return json(res, 200, { users: [], limit: 1, offset: 0, totalCount: 0 });
        }
        const org = /organizations\/([^/]+)\//.exec(req.url)?.[1];
        return json(res, 200, { ...ADA, fullName: org === ORG1 ? 'Ada of Org One' : 'Ada of Org Two' });
      },
      env: {
        SLACK_BOT_TOKEN: '',
        SLACK_CLIENT_ID: '1111.2222',
        SLACK_CLIENT_SECRET: 'clientsecret0123456789abcdef',
        SLACK_STATE_SECRET: 'statesecret-0123456789abcdef',
        ALLOWED_TEAM_IDS: ALLOWED.join(','),
        ENCRYPTION_KEY: KEY,
        ASTRO_API_TOKEN: '',
        ASTRO_ORGANIZATION_ID: '',
        STORE_URL: `sqlite://${join(dir, 'store.sqlite')}`,
      },
    });
    h.slack.setHandler(
      slackHandler({
        '/api/usergroups.users.list': (_req, res) => json(res, 200, { ok: true, users: ['UMEMBER1', 'UADMIN1'] }),
      }),
    );
  }, 60_000);
  afterAll(async () => h?.close());

  /** Runs Slack's install flow for `team`, remembering when. */
  async function install(team: string): Promise<Response> {
    const res = await h.install(team);
    installedAtByTeam[team] = Date.now();
    return res;
  }

  /** Installs `team` and, given a token, connects it as its admin. */
  async function ready(team: string, token?: string): Promise<void> {
    expect((await install(team)).status).toBe(200);
    if (token) expect(await submitConfig(team, 'UADMIN1', token)).toMatch(/Connected and saved/);
  }

  /** Submits the Connect Astro modal as `user` of `team`. */
  async function submitConfig(team: string, user: string, token: string, org = '', groups = '') {
    const before = h.apiCalls('views.update').length;
    await h.interact({
      type: 'view_submission',
      team: { id: team, domain: team },
      user: { id: user, team_id: team },
      api_app_id: 'A0001',
      trigger_id: '1.2.3',
      view: {
        id: `V${team}`,
        type: 'modal',
        callback_id: 'astro_config',
        private_metadata: '{}',
        hash: 'h',
        state: { values: { astro_token: { token: { type: 'plain_text_input', value: token } }, astro_org: { org: { type: 'plain_text_input', value: org } }, astro_policy: { policy: { type: 'checkboxes', selected_options: [] } }, astro_groups: { groups: { type: 'plain_text_input', value: groups } } } },
      },
    });
    return h.slack.waitFor(before + 1, (r) => r.url === '/api/views.update').then(() => {
      const last = h.apiCalls('views.update').at(-1)!;
      return allText(last.view);
    });
  }

  it('installs from an allowed workspace, and refuses another with a clear page, storing nothing', async () => {
    const astroBefore = h.astro.requests.length;
    const ok = await install('TONE');
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('astro-user is installed');
    expect((await install('TTWO')).status).toBe(200);
    const refused = await install('TEVIL');
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('not available for this Slack workspace');
    // The refused workspace's bot token was revoked, and its requests are refused.
    expect(h.apiCalls('auth.revoke').length).toBeGreaterThanOrEqual(1);
    const r = await h.command(ADA.id, { team_id: 'TEVIL' });
    expect(String((await h.replies(r.responseUrl))[0]!.text)).toMatch(/isn't installed for this Slack workspace/);
    expect(h.astro.requests.length).toBe(astroBefore);
  });

  it('answers an installed workspace without its own Astro settings: "not configured; an admin can connect Astro in App Home"', async () => {
    await ready('TNOCFG');
    const r = await h.command(ADA.id, { team_id: 'TNOCFG', user_id: 'UMEMBER1' });
    const [reply] = await h.replies(r.responseUrl);
    expect(allText(reply!.blocks)).toMatch(/not configured for this Slack workspace yet; an admin can connect Astro in App Home/);
  });

  it('refuses to save for a non-admin, telling them politely', async () => {
    await ready('TMEMBER');
    const shown = await submitConfig('TMEMBER', 'UMEMBER1', TOKEN1);
    expect(shown).toMatch(/Only Slack workspace admins and owners/);
    const r = await h.command(ADA.id, { team_id: 'TMEMBER', user_id: 'UMEMBER1' });
    expect(allText((await h.replies(r.responseUrl))[0]!.blocks)).toMatch(/not configured/);
  });

  it('refuses a malformed, an expired, a rejected and a workspace-scoped token, each with its reason', async () => {
    await ready('TBADTOK');
    const submit = (token: string) =>
      h.interactBody({
        type: 'view_submission',
        team: { id: 'TBADTOK' },
        user: { id: 'UADMIN1', team_id: 'TBADTOK' },
        view: { id: 'VX', type: 'modal', callback_id: 'astro_config', private_metadata: '{}', state: { values: { astro_token: { token: { type: 'plain_text_input', value: token } } } } },
      });
    // Shape problems are refused inside the 3-second acknowledgement, on the token field.
    const malformed = JSON.parse((await submit('not-a-jwt')).body) as { response_action: string; errors: Record<string, string> };
    expect(malformed.response_action).toBe('errors');
    expect(malformed.errors.astro_token).toMatch(/isn't an Astro API token/);
    const expired = JSON.parse((await submit(astroToken(ORG1, { exp: 1_600_000_000 }))).body) as { errors: Record<string, string> };
    expect(expired.errors.astro_token).toMatch(/expired on 2020-09-13/);
    const noOrg = JSON.parse((await submit(astroToken('', {}))).body) as { errors: Record<string, string> };
    expect(noOrg.errors.astro_token).toMatch(/names no Astro organization/);
    const rejected = await submitConfig('TBADTOK', 'UADMIN1', astroToken(ORG1, { sig: 'cmVmdXNlZA' }));
    expect(rejected).toMatch(/Astro refused this token/);
    const workspaceToken = await submitConfig('TBADTOK', 'UADMIN1', astroToken(ORG1, { scope: 'WORKSPACE', extra: ['workspaceId:clws'] }));
    expect(workspaceToken).toMatch(/Workspace API token: Astro does not let it read the organization's users/);
  });

  it('lets an admin connect each workspace; each then reaches Astro with its own token and never sees the other cache', async () => {
    await Promise.all([ready('TPAIR1'), ready('TPAIR2')]);
    expect(await submitConfig('TPAIR1', 'UADMIN1', TOKEN1)).toMatch(/Connected and saved/);
    expect(await submitConfig('TPAIR2', 'UADMIN2', TOKEN2)).toMatch(/Connected and saved/);
    const before = h.astro.requests.length;
    const r1 = await h.command(ADA.id, { team_id: 'TPAIR1', user_id: 'UMEMBER1' });
    expect(allText((await h.replies(r1.responseUrl))[0]!.blocks)).toContain('Ada of Org One');
    const r2 = await h.command(ADA.id, { team_id: 'TPAIR2', user_id: 'UMEMBER2' });
    expect(allText((await h.replies(r2.responseUrl))[0]!.blocks)).toContain('Ada of Org Two');
    const calls = h.astro.requests.slice(before);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.headers.authorization).toBe(`Bearer ${TOKEN1}`);
    expect(calls[0]!.url).toContain(ORG1);
    expect(calls[1]!.headers.authorization).toBe(`Bearer ${TOKEN2}`);
    expect(calls[1]!.url).toContain(ORG2);
  });

  it('shows admins the connection health in App Home, without the token', async () => {
    await ready('THEALTH', TOKEN1);
    const before = h.apiCalls('views.publish').length;
    await h.event({ type: 'app_home_opened', user: 'UADMIN1', channel: 'D1', tab: 'home', event_ts: '1.1' }, { teamId: 'THEALTH' });
    await h.slack.waitFor(before + 1, (r) => r.url === '/api/views.publish');
    const view = h.apiCalls('views.publish').at(-1)!.view as { blocks: unknown[] };
    expectValidBlockKit(view, 'view');
    const shown = allText(view);
    expect(shown).toContain('Astro connection');
    expect(shown).toContain(ORG1);
    expect(shown).toContain('Disconnect');
    expect(JSON.stringify(view)).not.toContain(TOKEN1);
  });

  it('limits lookups to members of named user groups when an admin sets them', async () => {
    await ready('TGROUPS', TOKEN1);
    expect(await submitConfig('TGROUPS', 'UADMIN1', '', '', 'SOPS')).toMatch(/Connected and saved/);
    const allowed = await h.command(ADA.id, { team_id: 'TGROUPS', user_id: 'UMEMBER1' });
    expect(allText((await h.replies(allowed.responseUrl))[0]!.blocks)).toContain('Ada of Org One');
    const refused = await h.command(ADA.id, { team_id: 'TGROUPS', user_id: 'UMEMBER3' });
    expect(allText((await h.replies(refused.responseUrl))[0]!.blocks)).toMatch(/only members of some Slack user groups/);
    expect(h.apiCalls('usergroups.users.list').some((c) => c.usergroup === 'SOPS')).toBe(true);
    // Back to everyone.
    expect(await submitConfig('TGROUPS', 'UADMIN1', '', '', '')).toMatch(/Connected and saved/);
    const again = await h.command(ADA.id, { team_id: 'TGROUPS', user_id: 'UMEMBER3' });
    expect(allText((await h.replies(again.responseUrl))[0]!.blocks)).toContain('Ada of Org One');
  });

  it('refuses guests by default', async () => {
    await ready('TGUEST', TOKEN1);
    const r = await h.command(ADA.id, { team_id: 'TGUEST', user_id: 'UGUEST1' });
    expect(allText((await h.replies(r.responseUrl))[0]!.blocks)).toMatch(/Guests can't look up Astro users/);
  });

  it('keeps no token in clear text in the SQLite file', async () => {
    await Promise.all([ready('TSEAL1', TOKEN1), ready('TSEAL2', TOKEN2)]);
    const raw = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f)).toString('latin1'))
      .join('\n');
    expect(raw.length).toBeGreaterThan(1000);
    for (const secret of [TOKEN1, TOKEN2, 'xoxb-TSEAL1-bot-token-secret', 'xoxb-TSEAL2-bot-token-secret']) expect(raw).not.toContain(secret);
    for (const part of [TOKEN1.split('.')[2]!, TOKEN2.split('.')[2]!]) expect(raw).not.toContain(part);
  });

  it('keeps a reinstalled workspace when a late uninstall event arrives, and forgets an uninstalled one entirely', async () => {
    await Promise.all([ready('TLATE', TOKEN2), ready('TGONE', TOKEN1)]);
    const ask = async (team: string) => {
      const r = await h.command(ADA.id, { team_id: team, user_id: 'UMEMBER1' });
      expect(r.status).toBe(200);
      return (await h.replies(r.responseUrl))[0]!;
    };
    expect(allText((await ask('TGONE')).blocks)).toContain('Ada of Org One'); // leaves a cached card behind
    const uninstalled = (team: string, eventId: string, eventTime: number) =>
      postSignedJson(
        `${h.url}/slack/events`,
        { token: 't', team_id: team, api_app_id: 'A0001', type: 'event_callback', event_id: eventId, event_time: eventTime, event: { type: 'app_uninstalled', event_ts: '1.1' } },
        SIGNING_SECRET,
      );

    // TLATE reinstalls after an uninstall Slack sends late (its event_time is before the reinstall).
    const lateEventTime = Math.floor(Date.now() / 1000) - 60;
    await install('TLATE');
    expect((await uninstalled('TLATE', 'EvLate', lateEventTime)).status).toBe(200);
    await h.waitForLog((l) => l.team === 'TLATE' && l.msg === 'uninstall event predates the current installation; keeping it');
    expect(allText((await ask('TLATE')).blocks)).toContain('Ada of Org Two');

    // TGONE uninstalls: everything of it goes; TLATE is untouched.
    expect((await uninstalled('TGONE', 'EvGone', Math.floor(Date.now() / 1000) + 1)).status).toBe(200);
    await h.waitForLog((l) => l.team === 'TGONE' && l.action === 'workspace_forgotten');
    expect(String((await ask('TGONE')).text)).toMatch(/isn't installed for this Slack workspace/);
    const rows = await sql(join(dir, 'store.sqlite'), "SELECT key FROM keyv WHERE key LIKE '%TGONE%' UNION ALL SELECT key FROM once_claims WHERE key LIKE '%TGONE%'");
    expect(rows).toEqual([]);
    expect((await sql(join(dir, 'store.sqlite'), "SELECT key FROM keyv WHERE key LIKE '%TLATE%'")).length).toBeGreaterThan(0);
    expect(allText((await ask('TLATE')).blocks)).toContain('Ada of Org Two');
    void installedAtByTeam;
  });
});
