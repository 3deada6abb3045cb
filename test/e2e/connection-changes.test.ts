/**
 * Hot results across an admin's Connect Astro (new token), Disconnect, uninstall and reinstall,
 * two workspaces, and a lookup still in flight when the token changes, in multi-workspace mode
 * over signed HTTP.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allText } from '../support/block-kit.js';
import { SIGNING_SECRET, startHarness, type TestHarness } from '../support/app.js';
import { ADA } from '../support/fixtures.js';
import { json } from '../support/http-stub.js';
import { postSignedJson } from '../support/signing.js';
import { sleep } from '../support/sleep.js';

function astroToken(org: string, sig: string): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ permissions: [`organizationId:${org}`] })}.${sig}`;
}
const ORG1 = 'clorg1111111111111111111a';
const ORG2 = 'clorg2222222222222222222b';
const TOKEN1 = astroToken(ORG1, 'dG9rZW4tb25lLXNlY3JldC1zaWduYXR1cmUxMTEx');
const TOKEN1B = astroToken(ORG1, 'dG9rZW4tb25lLWJiYmJiYmJiYmJiYmJiYmJiYmJi');
const TOKEN2 = astroToken(ORG2, 'dG9rZW4tdHdvLXNlY3JldC1zaWduYXR1cmUyMjIy');
const KEY = Buffer.alloc(32, 7).toString('base64');

/** What Astro says Ada's full name is, per token (so a stale card is visible). */
const nameByToken: Record<string, string> = {};
let getUserDelayMs = 0;

/** Submits the Connect Astro modal of `team` as its admin with `token`; the text of the modal Slack shows next. */
async function connectAstro(h: TestHarness, team: string, token: string): Promise<string> {
  const before = h.apiCalls('views.update').length;
  await h.interact({
    type: 'view_submission', team: { id: team }, user: { id: 'UADMIN1', team_id: team }, api_app_id: 'A0001', trigger_id: '1.2.3',
    view: { id: `V${team}`, type: 'modal', callback_id: 'astro_config', private_metadata: '{}', hash: 'h', state: { values: { astro_token: { token: { type: 'plain_text_input', value: token } }, astro_org: { org: { type: 'plain_text_input', value: '' } }, astro_policy: { policy: { type: 'checkboxes', selected_options: [] } }, astro_groups: { groups: { type: 'plain_text_input', value: '' } } } } },
  });
  await h.slack.waitFor(before + 1, (r) => r.url === '/api/views.update');
  return allText(h.apiCalls('views.update').at(-1)!.view);
}

describe('hot results across connection changes (multi-workspace)', () => {
  let h: TestHarness;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'au-brk-'));
    h = await startHarness({
      astroHandler: async (req, res) => {
        const auth = String(req.headers.authorization ?? '').replace('Bearer ', '');
        if (req.url.includes('/users?')) return json(res, 200, { users: [], limit: 1, offset: 0, totalCount: 0 });
        if (getUserDelayMs) await sleep(getUserDelayMs);
        return json(res, 200, { ...ADA, fullName: nameByToken[auth] ?? 'Ada (unknown token)' });
      },
      env: {
        SLACK_BOT_TOKEN: '',
        SLACK_CLIENT_ID: '1111.2222',
        SLACK_CLIENT_SECRET: 'clientsecret0123456789abcdef',
        SLACK_STATE_SECRET: 'statesecret-0123456789abcdef',
        ENCRYPTION_KEY: KEY,
        ASTRO_API_TOKEN: '',
        ASTRO_ORGANIZATION_ID: '',
        STORE_URL: `sqlite://${join(dir, 'store.sqlite')}`,
        CACHE_HOT_SECONDS: '300',
      },
    });
  }, 60_000);
  afterAll(async () => h?.close());

  async function install(team: string): Promise<void> {
    expect((await h.install(team)).status).toBe(200);
  }
  const connect = (team: string, token: string) => connectAstro(h, team, token);
  async function disconnect(team: string): Promise<void> {
    const before = h.apiCalls('views.publish').length;
    await h.interact({
      type: 'block_actions', user: { id: 'UADMIN1', team_id: team }, team: { id: team }, container: { type: 'view', view_id: 'V1' },
      view: { id: 'V1', type: 'home', hash: 'x', private_metadata: '{}', state: { values: {} } },
      actions: [{ type: 'button', action_id: 'admin_disconnect', block_id: 'home:admin', value: 'disconnect', action_ts: '1' }],
    });
    await h.slack.waitFor(before + 1, (r) => r.url === '/api/views.publish');
  }
  async function ask(team: string): Promise<string> {
    const r = await h.command(ADA.id, { team_id: team, user_id: 'UMEMBER1' });
    return allText((await h.replies(r.responseUrl))[0]!);
  }
  async function uninstall(team: string): Promise<void> {
    const from = h.logs.length;
    const res = await postSignedJson(`${h.url}/slack/events`, { token: 't', team_id: team, api_app_id: 'A0001', type: 'event_callback', event_id: `EvU${team}${Date.now()}`, event_time: Math.floor(Date.now() / 1000) + 1, event: { type: 'app_uninstalled', event_ts: '1.2' } }, SIGNING_SECRET);
    expect(res.status).toBe(200);
    await h.waitForLog((l) => h.logs.indexOf(l) >= from && l.action === 'workspace_forgotten' && l.team === team);
  }
  /** Installs each of `teams` and connects it with its token. */
  async function setUp(connections: Record<string, string>): Promise<void> {
    for (const [team, token] of Object.entries(connections)) {
      await install(team);
      expect(await connect(team, token)).toMatch(/Connected and saved/);
    }
  }

  // Each test uses workspaces of its own (IDs T<test>…), so that it stands alone: a card a test
  // expects to be hot is one it looked up itself. What Astro answers per token is set by each test.

  it('a new token (same organization) is used at once: no card from the old connection', async () => {
    nameByToken[TOKEN1] = 'Ada via token one';
    nameByToken[TOKEN1B] = 'Ada via token one-B';
    await setUp({ TNEW: TOKEN1 });
    expect(await ask('TNEW')).toContain('Ada via token one');
    expect(await connect('TNEW', TOKEN1B)).toMatch(/Connected and saved/);
    expect(await ask('TNEW')).toContain('Ada via token one-B');
  });

  it('another organization’s token replaces the card', async () => {
    nameByToken[TOKEN1] = 'Ada via token one';
    nameByToken[TOKEN2] = 'Ada via token two';
    await setUp({ TORG: TOKEN1 });
    expect(await ask('TORG')).toContain('Ada via token one');
    expect(await connect('TORG', TOKEN2)).toMatch(/Connected and saved/);
    expect(await ask('TORG')).toContain('Ada via token two');
  });

  it('Disconnect: the next lookup says not configured, not a hot card; reconnecting fetches afresh', async () => {
    nameByToken[TOKEN1] = 'Ada via token one';
    await setUp({ TDIS: TOKEN1 });
    expect(await ask('TDIS')).toContain('Ada via token one');
    await disconnect('TDIS');
    expect(await ask('TDIS')).toMatch(/not configured/);
    nameByToken[TOKEN1] = 'Ada via token one, later';
    expect(await connect('TDIS', TOKEN1)).toMatch(/Connected and saved/);
    expect(await ask('TDIS')).toContain('Ada via token one, later');
  });

  it('two workspaces on one organization each see their own card', async () => {
    nameByToken[TOKEN1] = 'Ada via token one';
    nameByToken[TOKEN1B] = 'Ada via token one-B';
    await setUp({ TPAIR1: TOKEN1, TPAIR2: TOKEN1B });
    expect(await ask('TPAIR2')).toContain('Ada via token one-B');
    expect(await ask('TPAIR1')).toContain('Ada via token one');
    expect(await ask('TPAIR1')).not.toContain('one-B');
  });

  it('uninstall then reinstall and reconnect: no hot card survives', async () => {
    nameByToken[TOKEN1] = 'Ada via token one';
    nameByToken[TOKEN1B] = 'Ada via token one-B';
    await setUp({ TRE1: TOKEN1, TRE2: TOKEN1B });
    expect(await ask('TRE1')).toContain('Ada via token one'); // now hot
    expect(await ask('TRE2')).toContain('Ada via token one-B');
    await uninstall('TRE1');
    expect(await ask('TRE1')).toMatch(/isn't installed/);
    await install('TRE1');
    nameByToken[TOKEN1] = 'Ada after reinstall';
    expect(await ask('TRE1')).toMatch(/not configured/);
    expect(await connect('TRE1', TOKEN1)).toMatch(/Connected and saved/);
    expect(await ask('TRE1')).toContain('Ada after reinstall');
    // The other workspace is untouched.
    expect(await ask('TRE2')).toContain('Ada via token one-B');
  });

  // PRE-EXISTING (fails on 7e9d7ff too, and with PROBE_HOT=0): the store is refilled by the in-flight fetch; the hot layer now also keeps it.
  it('a lookup in flight while the admin saves a new token does not leave the old token’s answer behind', async () => {
    nameByToken[TOKEN1] = 'Ada OLD token';
    nameByToken[TOKEN1B] = 'Ada NEW token';
    await setUp({ TFLY: TOKEN1 });
    // Refresh-like fresh fetch, slow upstream
    getUserDelayMs = 600;
    const before = h.astro.requests.length;
    const slow = h.command(ADA.id, { team_id: 'TFLY', user_id: 'UMEMBER1', text: ADA.id });
    await h.astro.waitFor(before + 1); // the lookup is waiting for Astro
    getUserDelayMs = 0;
    expect(await connect('TFLY', TOKEN1B)).toMatch(/Connected and saved/);
    const r = await slow;
    await h.replies(r.responseUrl);
    await sleep(200); // the old answer would be written to the store just after the reply
    const after = await ask('TFLY');
    expect(after).toContain('Ada NEW token');
  });
});

describe('admin-submitted Astro tokens in logs', () => {
  it('no submitted token (nor its signature) appears in any log line, at LOG_LEVEL=debug', async () => {
    // Its own harness, logging at debug (the harness's default), through install and Connect Astro.
    const dir = mkdtempSync(join(tmpdir(), 'au-brk-logs-'));
    const h = await startHarness({
      astroHandler: (req, res) => (req.url.includes('/users?') ? json(res, 200, { users: [], limit: 1, offset: 0, totalCount: 0 }) : json(res, 200, ADA)),
      env: { SLACK_BOT_TOKEN: '', SLACK_CLIENT_ID: '1111.2222', SLACK_CLIENT_SECRET: 'clientsecret0123456789abcdef', SLACK_STATE_SECRET: 'statesecret-0123456789abcdef', ENCRYPTION_KEY: KEY, ASTRO_API_TOKEN: '', ASTRO_ORGANIZATION_ID: '', STORE_URL: `sqlite://${join(dir, 's.sqlite')}` },
    });
    expect((await h.install('TLOG')).status).toBe(200);
    await connectAstro(h, 'TLOG', TOKEN2);
    const r = await h.command(ADA.id, { team_id: 'TLOG', user_id: 'UMEMBER1' });
    await h.replies(r.responseUrl);
    const raw = h.rawLogs();
    await h.close();
    expect(raw).not.toContain(TOKEN2);
    expect(raw).not.toContain(TOKEN2.split('.')[2]!);
    expect(raw).not.toContain('xoxb-TLOG-bot-token-secret'); // the bot token the stand-in oauth.v2.access gives
  });
});
