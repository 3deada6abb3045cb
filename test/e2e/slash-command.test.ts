/**
 * End to end over real HTTP: the app on loopback port 0, Slack-signed slash commands through
 * Bolt's real HTTPReceiver, a stand-in Astro API serving the spec's documented GetUser example
 * (and a ListUsers page, for lookup by email and by name), and a stand-in Slack receiving the
 * `response_url` replies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allText, expectValidBlockKit } from '../support/block-kit.js';
import { ASTRO_TOKEN, BOT_TOKEN, ORG_ID, SIGNING_SECRET, startHarness, type TestHarness } from '../support/app.js';
import { json, type StubHandler } from '../support/http-stub.js';
import { answerUsersList, isUsersListUrl, isUsersPathUrl } from '../support/astro-users.js';
import { specExample } from '../support/fixtures.js';
import { postSignedForm, slackSignatureHeaders } from '../support/signing.js';
import { sleep } from '../support/sleep.js';

const example = specExample('User');
const EXAMPLE_ID = String(example.id); // clm9sq6s0000008kz7uvl7yz7
const SMITH_ID = 'cljanesmith0000000000000a';
/** The organization's users, as the stand-in ListUsers serves them: Jane Doe (the spec's example) and Jane Smith. */
const USERS = [example, { ...example, id: SMITH_ID, fullName: 'Jane Smith', username: 'jane.smith@company.com' }];

/** The stand-in Astro API: the users list, the spec's example user, 404 for everyone else. */
const astroHandler: StubHandler = (req, res) => {
  if (answerUsersList(req, res, USERS)) return;
  const m = /^\/organizations\/([^/]+)\/users\/([^/?]+)$/.exec(req.url);
  if (m && m[2] === EXAMPLE_ID) return json(res, 200, example);
  return json(res, 404, { message: 'user not found', requestId: 'req-404-abc', statusCode: 404 });
};

/**
 * Each test stands alone (it passes run on its own, or in any order): a test that counts every
 * Astro request starts an app of its own, with an empty cache and no user index yet.
 */
describe('/astro-user over signed HTTP', () => {
  let h: TestHarness;
  const own: TestHarness[] = [];
  /** An app of this test's own. */
  const freshApp = async () => {
    const app = await startHarness({ astroHandler });
    own.push(app);
    return app;
  };

  beforeAll(async () => {
    h = await startHarness({ astroHandler });
  });
  afterAll(async () => {
    await Promise.all([h?.close(), ...own.map((a) => a.close())]);
  });

  it('acks at once and replies privately with the documented user card, then serves the repeat from the cache', async () => {
    const h = await freshApp();
    const first = await h.command(EXAMPLE_ID);
    expect(first.status).toBe(200);
    const [reply] = await h.replies(first.responseUrl);
    expect(reply!.response_type).toBe('ephemeral');
    expectValidBlockKit(reply as { blocks: unknown[]; text: string });
    const shown = allText(reply!.blocks);
    expect(shown).toContain('Jane Doe');
    expect(shown).toContain('user1@company.com');
    expect(shown).toContain('Active');
    expect(shown).toContain('Organization Member');
    expect(shown).toContain('DAG Viewer');
    expect(shown).toMatch(/<!date\^\d+\^/);
    expect(String(reply!.text)).toContain('Jane Doe');

    // Exactly one upstream call, with the documented path and a Bearer token.
    const calls = h.astro.requests;
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe(`/organizations/${ORG_ID}/users/${EXAMPLE_ID}`);
    expect(calls[0]!.headers.authorization).toBe(`Bearer ${ASTRO_TOKEN}`);

    const second = await h.command(EXAMPLE_ID);
    const [again] = await h.replies(second.responseUrl);
    expect(allText(again!.blocks)).toContain('Jane Doe');
    expect(h.astro.requests).toHaveLength(1);
  });

  it('explains a 404 with the requestId', async () => {
    const r = await h.command('clnotfound000000000000000');
    const [reply] = await h.replies(r.responseUrl);
    expectValidBlockKit(reply as { blocks: unknown[]; text: string });
    const shown = allText(reply!.blocks);
    expect(shown).toContain('No user');
    expect(shown).toContain('req-404-abc');
  });

  /**
   * Sends `text` as a slash command and, when the ack is empty (the answer follows through the
   * response_url), waits for that reply, so every Astro request of this command has been made.
   */
  async function send(text: string, app: TestHarness = h) {
    const h = app;
    const before = h.astro.requests.length;
    const r = await h.command(text);
    const reply = r.status === 200 && r.body === '' ? (await h.replies(r.responseUrl))[0] : undefined;
    return { ...r, reply, calls: h.astro.requests.slice(before).map((c) => c.url) };
  }

  it('answers help and bad input in the ack itself, with no Astro call', async () => {
    const before = h.astro.requests.length;
    const help = await h.command('');
    expect(help.status).toBe(200);
    expect(JSON.parse(help.body).text).toMatch(/Look up an Astro user/);
    const link = await h.command('<https://evil.example/x|click me>');
    expect(JSON.parse(link.body).text).toMatch(/That link goes to evil\.example, not to the Astro UI/);
    for (const text of ['../..', '<#C0001|ops>', 'j']) {
      const bad = await h.command(text);
      expect(bad.status).toBe(200);
      const ack = JSON.parse(bad.body) as { response_type: string; text: string; blocks: unknown[] };
      expect(ack.response_type).toBe('ephemeral');
      expect(ack.text).toBe('That does not look like an Astro user ID.');
      expectValidBlockKit(ack);
    }
    await sleep(100);
    expect(h.astro.requests.length).toBe(before);
  });

  // Regression: src/slack/query.ts:64 lets a path with a letter in it through as a name search (empty
  // ack, then a ListUsers request); path traversal must be refused in the ack with no Astro call.
  // See test/slack/query.test.ts for the fix.
  it('refuses a path up to another API resource in the ack, with no Astro call', async () => {
    const r = await send('../../organizations');
    expect(r.status).toBe(200);
    expect(r.body).not.toBe('');
    expect(JSON.parse(r.body).text).toBe('That does not look like an Astro user ID.');
    expect(r.calls).toEqual([]);
  });

  it('looks a user up by email, as Slack escapes it, through the users list: empty ack, then the card privately', async () => {
    const r = await send('<mailto:user1@company.com|user1@company.com>');
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    expect(r.reply!.response_type).toBe('ephemeral');
    expectValidBlockKit(r.reply as { blocks: unknown[]; text: string });
    expect(allText(r.reply!.blocks)).toContain('Jane Doe');
    expect(allText(r.reply!.blocks)).toContain(`Astro user ID \`${EXAMPLE_ID}\``);
    // At most one ListUsers page (2 users) builds the index (an earlier lookup may have built it),
    // then at most GetUser of that user (its card may be cached already).
    expect(r.calls.filter(isUsersListUrl).length).toBeLessThanOrEqual(1);
    for (const url of r.calls) expect(isUsersPathUrl(url), url).toBe(true);
    for (const url of r.calls.filter((u) => !isUsersListUrl(u))) expect(url).toBe(`/organizations/${ORG_ID}/users/${EXAMPLE_ID}`);
  });

  it('says privately when no Astro user has an email, with no call beyond the users list', async () => {
    const r = await send('nobody@company.com');
    expect(r.body).toBe('');
    expectValidBlockKit(r.reply as { blocks: unknown[]; text: string });
    expect(r.reply!.text).toBe('No Astro user has that email.');
    expect(allText(r.reply!.blocks)).toContain('No Astro user in this organization has the email you gave');
    // At most the ListUsers page that builds the index (when no earlier lookup built it); no GetUser.
    expect(r.calls.filter(isUsersListUrl).length).toBeLessThanOrEqual(1);
    expect(r.calls.filter((u) => !isUsersListUrl(u))).toEqual([]);
  });

  it('opens the card of the one user a name matches', async () => {
    const r = await send('jane doe');
    expect(r.body).toBe('');
    expect(r.reply!.response_type).toBe('ephemeral');
    expectValidBlockKit(r.reply as { blocks: unknown[]; text: string });
    expect(allText(r.reply!.blocks)).toContain('Jane Doe');
    expect(allText(r.reply!.blocks)).not.toContain('Jane Smith');
    expect(r.calls.filter(isUsersListUrl).length).toBeLessThanOrEqual(1);
    for (const url of r.calls.filter((u) => !isUsersListUrl(u))) expect(url).toBe(`/organizations/${ORG_ID}/users/${EXAMPLE_ID}`);
  });

  it('offers a picker when several users match a name, and Show puts the chosen card in its place', async () => {
    const r = await send('@jane');
    expect(r.body).toBe('');
    const picker = r.reply!;
    expect(picker.response_type).toBe('ephemeral');
    expectValidBlockKit(picker as { blocks: unknown[]; text: string });
    expect(picker.text).toBe('2 Astro users match "jane"');
    const blocks = picker.blocks as { block_id: string; text: { text: string }; accessory?: { action_id: string; value: string } }[];
    expect(blocks[0]!.text.text).toBe('*2 Astro users match* `jane`. Which one?');
    expect(blocks.slice(1).map((b) => [b.text.text.split(' · ')[0], b.accessory!.action_id, b.accessory!.value])).toEqual([
      ['*Jane Doe*', 'pick_user:0', EXAMPLE_ID],
      ['*Jane Smith*', 'pick_user:1', SMITH_ID],
    ]);
    expect(r.calls.filter(isUsersListUrl).length).toBeLessThanOrEqual(1);
    expect(r.calls.filter((u) => !isUsersListUrl(u))).toEqual([]);

    const responseUrl = h.newResponseUrl();
    const status = await h.interact({
      type: 'block_actions',
      user: { id: 'U0001', team_id: 'T0001' },
      team: { id: 'T0001' },
      channel: { id: 'C0001', name: 'ops' },
      container: { type: 'message', is_ephemeral: true, channel_id: 'C0001', message_ts: '1.1' },
      response_url: responseUrl,
      actions: [{ type: 'button', action_id: 'pick_user:0', block_id: 'pick:0', value: EXAMPLE_ID, action_ts: '1' }],
    });
    expect(status).toBe(200);
    const [card] = await h.replies(responseUrl);
    expect(card!.replace_original).toBe(true);
    expectValidBlockKit(card as { blocks: unknown[]; text: string });
    expect(allText(card!.blocks)).toContain('Jane Doe');
  });

  it('says privately when no name matches, quoting what was typed', async () => {
    const r = await send('nobody');
    expect(r.body).toBe('');
    expectValidBlockKit(r.reply as { blocks: unknown[]; text: string });
    expect(r.reply!.text).toBe('No Astro user matches that name.');
    expect(allText(r.reply!.blocks)).toContain("No Astro user's name or username starts with `nobody`.");
    expect(r.calls.filter(isUsersListUrl).length).toBeLessThanOrEqual(1);
    expect(r.calls.filter((u) => !isUsersListUrl(u))).toEqual([]);
  });

  it('answers every lookup by email and by name from one index, built with one ListUsers page', async () => {
    const app = await freshApp();
    for (const text of ['<mailto:user1@company.com|user1@company.com>', 'nobody@company.com', 'jane doe', '@jane', 'nobody']) {
      expect((await send(text, app)).body).toBe('');
    }
    expect(app.astro.requests.map((c) => c.url).filter(isUsersListUrl)).toHaveLength(1);
  });

  it('refuses unsigned, badly signed and stale requests with 401, reaching nothing', async () => {
    const before = h.astro.requests.length;
    const body = new URLSearchParams({ command: '/astro-user', text: EXAMPLE_ID, team_id: 'T0001', user_id: 'U1', response_url: `${h.slack.url}/respond/x` }).toString();
    const unsigned = await fetch(`${h.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(unsigned.status).toBe(401);
    const wrong = await fetch(`${h.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignatureHeaders(body, 'not-the-secret') },
      body,
    });
    expect(wrong.status).toBe(401);
    const stale = await postSignedForm(`${h.url}/slack/events`, Object.fromEntries(new URLSearchParams(body)), SIGNING_SECRET, Math.floor(Date.now() / 1000) - 600);
    expect(stale.status).toBe(401);
    await sleep(100);
    expect(h.astro.requests.length).toBe(before);
    expect(h.slack.requests.filter((r) => r.url === '/respond/x')).toHaveLength(0);
  });

  it('serves GET /healthz', async () => {
    const res = await fetch(`${h.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });

  it('never writes a secret to the log', () => {
    const raw = h.rawLogs();
    expect(raw.length).toBeGreaterThan(0);
    for (const secret of [BOT_TOKEN, SIGNING_SECRET, ASTRO_TOKEN]) expect(raw).not.toContain(secret);
  });
});
