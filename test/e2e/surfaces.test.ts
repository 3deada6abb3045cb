/**
 * App Home, @-mentions, card actions and the message shortcut, each through the real Bolt app over
 * signed HTTP, with a stand-in Slack Web API (SLACK_API_URL) and a stand-in Astro API on loopback.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { allText, expectValidBlockKit } from '../support/block-kit.js';
import { slackHandler, startHarness, type TestHarness } from '../support/app.js';
import { json } from '../support/http-stub.js';
import { answerUsersList, isUsersListUrl } from '../support/astro-users.js';
import { ADA, userWithRoles } from '../support/fixtures.js';
import { sleep } from '../support/sleep.js';

const GRACE_ID = 'clx1user0000002abcdefghij';
const BIG_ID = 'clx1user0000003abcdefghij';
const users: Record<string, unknown> = {
  [ADA.id]: ADA,
  [GRACE_ID]: { ...ADA, id: GRACE_ID, fullName: 'Grace Hopper', username: 'grace@example.com' },
  [BIG_ID]: userWithRoles(300, { id: BIG_ID, fullName: 'Many Roles' }),
};
const idN = (n: number) => `clx1user${String(n).padStart(17, '0')}`;
for (let n = 10; n < 20; n++) users[idN(n)] = { ...ADA, id: idN(n), fullName: `User ${n}` };


describe('App Home, mentions, actions and the shortcut over signed HTTP', () => {
  let h: TestHarness;
  let publishCount = 0;

  beforeAll(async () => {
    h = await startHarness({
      astroHandler: (req, res) => {
        // ListUsers, for lookup by name: every user above.
        if (answerUsersList(req, res, Object.values(users) as Record<string, unknown>[])) return;
        const id = /\/users\/([^/?]+)$/.exec(req.url)?.[1] ?? '';
        const user = users[id];
        if (user) return json(res, 200, user);
        return json(res, 404, { message: 'not found', requestId: 'req-nf', statusCode: 404 });
      },
    });
  });
  afterAll(async () => h?.close());
  beforeEach(() => {
    publishCount = 0;
    h.slack.setHandler(
      slackHandler({
        '/api/views.publish': (_req, res) => json(res, 200, { ok: true, view: { id: 'V1', hash: `hash-${++publishCount}` } }),
      }),
    );
  });

  const homeView = (overrides: Record<string, unknown> = {}) => ({
    id: 'V1',
    type: 'home',
    hash: 'hash-current',
    private_metadata: '{}',
    state: { values: {} },
    ...overrides,
  });

  describe('App Home', () => {
    it('publishes the Home view when the Home tab opens, and not for the Messages tab', async () => {
      const before = h.apiCalls('views.publish').length;
      expect(await h.event({ type: 'app_home_opened', user: 'UHOME1', channel: 'D1', tab: 'messages', event_ts: '1.1' })).toBe(200);
      await sleep(150);
      expect(h.apiCalls('views.publish').length).toBe(before);

      expect(await h.event({ type: 'app_home_opened', user: 'UHOME1', channel: 'D1', tab: 'home', event_ts: '1.2' })).toBe(200);
      await h.slack.waitFor(before + 1, (r) => r.url === '/api/views.publish');
      const call = h.apiCalls('views.publish').at(-1)!;
      expect(call.user_id).toBe('UHOME1');
      const view = call.view as { type: string; blocks: unknown[] };
      expect(view.type).toBe('home');
      expectValidBlockKit(view, 'view');
      expect(allText(view)).toContain('Look up an Astro user');
    });

    it('looks a user up from the Home input: "Looking up…" first, then the card, each publish based on the last hash', async () => {
      const before = h.apiCalls('views.publish').length;
      const astroBefore = h.astro.requests.length;
      await h.interact({
        type: 'block_actions',
        user: { id: 'UHOME2', team_id: 'T0001' },
        team: { id: 'T0001', domain: 'example' },
        api_app_id: 'A0001',
        trigger_id: '1.2.3',
        container: { type: 'view', view_id: 'V1' },
        view: homeView({ state: { values: { home_query: { home_query_input: { type: 'plain_text_input', value: ` ${ADA.id} ` } } } } }),
        actions: [{ type: 'button', action_id: 'home_lookup', block_id: 'home:lookup', value: 'lookup', action_ts: '1.3' }],
      });
      const calls = (await h.slack.waitFor(before + 2, (r) => r.url === '/api/views.publish')).slice(before);
      const [first, second] = calls.map((c) => JSON.parse(JSON.stringify(Object.fromEntries(new URLSearchParams(c.body)))) as Record<string, string>);
      expect(first!.hash).toBe('hash-current');
      expect(first!.view).toContain('Looking up');
      expect(second!.hash).toBe('hash-1');
      const view = JSON.parse(second!.view!) as { blocks: unknown[]; private_metadata: string };
      expectValidBlockKit(view, 'view');
      expect(allText(view)).toContain('Ada Lovelace');
      expect(JSON.parse(view.private_metadata)).toEqual({ u: ADA.id });
      expect(h.astro.requests.length - astroBefore).toBeLessThanOrEqual(1);

      // The lookup is remembered: opening Home again lists it and shows its card, with no Astro call.
      const astroNow = h.astro.requests.length;
      await h.event({ type: 'app_home_opened', user: 'UHOME2', channel: 'D2', tab: 'home', event_ts: '1.4' });
      const again = (await h.slack.waitFor(before + 3, (r) => r.url === '/api/views.publish')).at(-1)!;
      const reopened = JSON.parse(new URLSearchParams(again.body).get('view')!) as unknown;
      expect(allText(reopened)).toContain('Your recent lookups');
      expect(allText(reopened)).toContain('Ada Lovelace');
      expect(h.astro.requests.length).toBe(astroNow);
    });

    /** Types `value` in the Home input of `user` (Enter), and returns the views published for it, once `n` have been. */
    async function typeInHome(user: string, value: string, n: number) {
      const before = h.apiCalls('views.publish').length;
      await h.interact({
        type: 'block_actions',
        user: { id: user, team_id: 'T0001' },
        team: { id: 'T0001' },
        container: { type: 'view', view_id: 'V1' },
        view: homeView(),
        actions: [{ type: 'plain_text_input', action_id: 'home_query_input', block_id: 'home_query', value, action_ts: '1' }],
      });
      const calls = (await h.slack.waitFor(before + n, (r) => r.url === '/api/views.publish')).slice(before);
      return calls.map((c) => ({ hash: new URLSearchParams(c.body).get('hash'), view: JSON.parse(new URLSearchParams(c.body).get('view')!) as { blocks: unknown[]; private_metadata: string } }));
    }

    it('shows a bad query as a notice in Home, with no Astro call', async () => {
      const astroBefore = h.astro.requests.length;
      const [published] = await typeInHome('UHOME3', '12345', 1);
      expect(published!.hash).toBe('hash-current');
      expectValidBlockKit(published!.view, 'view');
      expect(allText(published!.view)).toContain("`12345` doesn't look like an Astro user ID");
      await sleep(100);
      expect(h.apiCalls('views.publish').filter((c) => c.user_id === 'UHOME3')).toHaveLength(1);
      expect(h.astro.requests.length).toBe(astroBefore);
    });

    it('searches words typed in Home by name: "Looking up…", then "no match" when nobody matches, reading only the users list', async () => {
      const astroBefore = h.astro.requests.length;
      const [first, second] = await typeInHome('UHOME6', 'not an id', 2);
      expect(first!.hash).toBe('hash-current');
      expect(allText(first!.view)).toContain('Looking up…');
      expect(second!.hash).toBe('hash-1');
      expectValidBlockKit(second!.view, 'view');
      expect(allText(second!.view)).toContain("No Astro user's name or username starts with `not an id`.");
      const calls = h.astro.requests.slice(astroBefore).map((c) => c.url);
      expect(calls.length).toBeLessThanOrEqual(1);
      for (const url of calls) expect(isUsersListUrl(url), url).toBe(true);
    });

    it('opens in Home the card of the one user a name matches', async () => {
      const [, second] = await typeInHome('UHOME7', 'grace', 2);
      expectValidBlockKit(second!.view, 'view');
      expect(allText(second!.view)).toContain('Grace Hopper');
      expect(JSON.parse(second!.view.private_metadata)).toEqual({ u: GRACE_ID });
    });

    it('offers a picker in Home when several users match, and Show opens the chosen card there', async () => {
      const [, second] = await typeInHome('UHOME8', 'user 1', 2);
      expectValidBlockKit(second!.view, 'view');
      expect(allText(second!.view)).toContain('*10 Astro users match* `user 1`. Which one?');
      const buttons = (second!.view.blocks as { accessory?: { action_id: string; value: string } }[]).flatMap((b) => (b.accessory?.action_id.startsWith('pick_user:') ? [b.accessory] : []));
      expect(buttons.map((b) => b.value)).toEqual(Array.from({ length: 10 }, (_, i) => idN(10 + i)));

      const before = h.apiCalls('views.publish').length;
      await h.interact({
        type: 'block_actions',
        user: { id: 'UHOME8', team_id: 'T0001' },
        team: { id: 'T0001' },
        container: { type: 'view', view_id: 'V1' },
        view: homeView({ hash: 'hash-2' }),
        actions: [{ type: 'button', action_id: buttons[3]!.action_id, block_id: 'pick:3', value: buttons[3]!.value, action_ts: '2' }],
      });
      const call = (await h.slack.waitFor(before + 2, (r) => r.url === '/api/views.publish')).at(-1)!;
      const view = JSON.parse(new URLSearchParams(call.body).get('view')!) as { blocks: unknown[]; private_metadata: string };
      expectValidBlockKit(view, 'view');
      expect(allText(view)).toContain('User 13');
      expect(JSON.parse(view.private_metadata)).toEqual({ u: idN(13) });
    });

    it('renders again and publishes without a hash after a hash_conflict, so a newer view is not lost', async () => {
      let n = 0;
      h.slack.setHandler(
        slackHandler({
          '/api/views.publish': (req, res) => {
            n += 1;
            const hash = new URLSearchParams(req.body).get('hash');
            if (hash === 'stale') return json(res, 200, { ok: false, error: 'hash_conflict' });
            return json(res, 200, { ok: true, view: { hash: `h${n}` } });
          },
        }),
      );
      const before = h.apiCalls('views.publish').length;
      await h.interact({
        type: 'block_actions',
        user: { id: 'UHOME4', team_id: 'T0001' },
        team: { id: 'T0001' },
        container: { type: 'view', view_id: 'V1' },
        view: homeView({ hash: 'stale' }),
        actions: [{ type: 'button', action_id: 'home_recent:0', block_id: 'home:recent:0', value: GRACE_ID, action_ts: '1' }],
      });
      const calls = (await h.slack.waitFor(before + 3, (r) => r.url === '/api/views.publish')).slice(before);
      expect(new URLSearchParams(calls[0]!.body).get('hash')).toBe('stale');
      expect(new URLSearchParams(calls[1]!.body).get('hash')).toBeNull();
      expect(new URLSearchParams(calls.at(-1)!.body).get('view')).toContain('Grace Hopper');
    });

    it('fits a user with 900 roles in the 100-block Home view', async () => {
      const before = h.apiCalls('views.publish').length;
      await h.interact({
        type: 'block_actions',
        user: { id: 'UHOME5', team_id: 'T0001' },
        team: { id: 'T0001' },
        container: { type: 'view', view_id: 'V1' },
        view: homeView(),
        actions: [{ type: 'button', action_id: 'home_recent:1', block_id: 'b', value: BIG_ID, action_ts: '1' }],
      });
      const call = (await h.slack.waitFor(before + 2, (r) => r.url === '/api/views.publish')).at(-1)!;
      const view = JSON.parse(new URLSearchParams(call.body).get('view')!) as { blocks: unknown[] };
      expectValidBlockKit(view, 'view');
      expect(allText(view)).toMatch(/…and \d+ more workspace roles/);
    });
  });

  describe('@-mentions', () => {
    it('answers a mention inside a thread in that thread, keeping thread_ts as sent', async () => {
      const before = h.apiCalls('chat.postMessage').length;
      await h.event({ type: 'app_mention', user: 'UASK1', channel: 'COPS', text: `<@UBOT> who is ${ADA.id}?`, ts: '1602251441.001800', thread_ts: '1602251441.001700', event_ts: '1602251441.001800' });
      await h.slack.waitFor(before + 1, (r) => r.url === '/api/chat.postMessage');
      const call = h.apiCalls('chat.postMessage').at(-1)!;
      expect(call.channel).toBe('COPS');
      expect(call.thread_ts).toBe('1602251441.001700');
      const blocks = call.blocks as unknown[];
      expectValidBlockKit({ blocks, text: String(call.text) });
      expect(allText(blocks)).toContain('Ada Lovelace');
      expect(allText(blocks)).toContain('asked by <@UASK1>');
    });

    it('threads a top-level mention under itself', async () => {
      const before = h.apiCalls('chat.postMessage').length;
      await h.event({ type: 'app_mention', user: 'UASK2', channel: 'COPS', text: `<@UBOT> ${GRACE_ID}`, ts: '1700000000.000100', event_ts: '1700000000.000100' });
      await h.slack.waitFor(before + 1, (r) => r.url === '/api/chat.postMessage');
      expect(h.apiCalls('chat.postMessage').at(-1)!.thread_ts).toBe('1700000000.000100');
    });

    it('answers a re-delivered event once', async () => {
      const before = h.apiCalls('chat.postMessage').length;
      const event = { type: 'app_mention', user: 'UASK3', channel: 'COPS', text: `<@UBOT> ${ADA.id}`, ts: '1700000001.000100', event_ts: '1700000001.000100' };
      await h.event(event, { eventId: 'EvSAME' });
      await h.event(event, { eventId: 'EvSAME', headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
      await h.event(event, { eventId: 'EvSAME', headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' } });
      await h.slack.waitFor(before + 1, (r) => r.url === '/api/chat.postMessage');
      await sleep(300);
      expect(h.apiCalls('chat.postMessage').length).toBe(before + 1);
    });

    it('gives short help in the thread when the mention has no ID', async () => {
      const before = h.apiCalls('chat.postMessage').length;
      await h.event({ type: 'app_mention', user: 'UASK4', channel: 'COPS', text: '<@UBOT> hello', ts: '1700000002.000100', event_ts: '1700000002.000100' });
      await h.slack.waitFor(before + 1, (r) => r.url === '/api/chat.postMessage');
      const call = h.apiCalls('chat.postMessage').at(-1)!;
      expect(call.thread_ts).toBe('1700000002.000100');
      expect(String(call.text)).toMatch(/Mention me with an Astro user ID/);
    });

    it('answers several IDs with compact cards, capped, saying how many more', async () => {
      const before = h.apiCalls('chat.postMessage').length;
      const ids = Array.from({ length: 8 }, (_, i) => idN(10 + i));
      await h.event({ type: 'app_mention', user: 'UASK5', channel: 'COPS', text: `<@UBOT> ${ids.join(' ')}`, ts: '1700000003.000100', event_ts: '1700000003.000100' });
      await h.slack.waitFor(before + 1, (r) => r.url === '/api/chat.postMessage');
      const call = h.apiCalls('chat.postMessage').at(-1)!;
      const blocks = call.blocks as unknown[];
      expectValidBlockKit({ blocks, text: String(call.text) });
      const shown = allText(blocks);
      for (let i = 10; i < 15; i++) expect(shown).toContain(`User ${i}`);
      expect(shown).not.toContain('User 15');
      expect(shown).toContain('…and 3 more Astro user IDs');
    });
  });

  describe('card actions', () => {
    it('puts Refresh, Share (with a confirm dialog naming who will see it), Open in Astro and What can they do? on a command reply', async () => {
      const r = await h.command(ADA.id);
      const [reply] = await h.replies(r.responseUrl);
      const actions = (reply!.blocks as { type: string; elements?: Record<string, unknown>[] }[]).find((b) => b.type === 'actions')!;
      const ids = actions.elements!.map((e) => e.action_id);
      expect(ids).toEqual(['card_refresh', 'card_share', 'card_open', 'explain_roles']);
      const share = actions.elements![1]!;
      expect(JSON.stringify(share.confirm)).toContain('Everyone in #ops will see');
      expect(actions.elements![2]!.url).toBe('https://cloud.astronomer.io');
    });

    it('Refresh makes exactly one new upstream call and replaces the card in place', async () => {
      const r = await h.command(ADA.id);
      const [reply] = await h.replies(r.responseUrl);
      const refresh = (reply!.blocks as { type: string; elements?: Record<string, unknown>[] }[]).find((b) => b.type === 'actions')!.elements![0]!;
      const before = h.astro.requests.length;
      const responseUrl = h.newResponseUrl();
      expect(await h.clickInMessage(refresh, { responseUrl })).toBe(200);
      const [replaced] = await h.replies(responseUrl);
      expect(replaced!.replace_original).toBe(true);
      expect(allText(replaced!.blocks)).toContain('Ada Lovelace');
      expect(h.astro.requests.length - before).toBe(1);
    });

    it('Share posts the card in the channel through the action response_url, saying who shared it', async () => {
      const responseUrl = h.newResponseUrl();
      await h.clickInMessage({ action_id: 'card_share', value: `v1|${ADA.id}|private||${ADA.id}` }, { userId: 'USHARE', responseUrl });
      const [shared] = await h.replies(responseUrl);
      expect(shared!.response_type).toBe('in_channel');
      expectValidBlockKit(shared as { blocks: unknown[]; text: string });
      expect(allText(shared!.blocks)).toContain('shared by <@USHARE>');
      // A shared card has no Share button of its own.
      expect(JSON.stringify(shared!.blocks)).not.toContain('card_share');
    });

    it('tells the clicker privately when the response_url has expired, without an error', async () => {
      h.slack.setHandler(
        slackHandler({
          '/respond/expired': (_req, res) => {
            res.writeHead(404);
            res.end('expired_url');
          },
        }),
      );
      const before = h.apiCalls('chat.postEphemeral').length;
      const status = await h.clickInMessage({ action_id: 'card_refresh', value: `v1|${ADA.id}|private||${ADA.id}` }, { userId: 'ULATE', responseUrl: `${h.slack.url}/respond/expired` });
      expect(status).toBe(200);
      await h.slack.waitFor(before + 1, (r) => r.url === '/api/chat.postEphemeral');
      const note = h.apiCalls('chat.postEphemeral').at(-1)!;
      expect(note.user).toBe('ULATE');
      expect(String(note.text)).toMatch(/30 minutes/);
    });

    it('What can they do? opens a modal at once, then fills it with the roles of the card in words', async () => {
      h.slack.setHandler(slackHandler({ '/api/views.open': (_req, res) => json(res, 200, { ok: true, view: { id: 'VEXPLAIN' } }) }));
      const r = await h.command(ADA.id);
      const [reply] = await h.replies(r.responseUrl);
      const button = (reply!.blocks as { type: string; elements?: Record<string, unknown>[] }[]).find((b) => b.type === 'actions')!.elements!.find((e) => e.action_id === 'explain_roles')!;
      const opened = h.apiCalls('views.open').length;
      const updated = h.apiCalls('views.update').length;
      const status = await h.interact({
        type: 'block_actions',
        trigger_id: 'trig-1',
        user: { id: 'U0001', team_id: 'T0001' },
        team: { id: 'T0001' },
        channel: { id: 'C0001', name: 'ops' },
        container: { type: 'message', is_ephemeral: true, channel_id: 'C0001', message_ts: '1.1' },
        response_url: h.newResponseUrl(),
        actions: [{ type: 'button', action_id: 'explain_roles', block_id: 'card:actions', value: button.value, action_ts: '1' }],
      });
      expect(status).toBe(200);
      await h.slack.waitFor(updated + 1, (req) => req.url === '/api/views.update');
      const open = h.apiCalls('views.open')[opened]!;
      expect(open.trigger_id).toBe('trig-1');
      expect(allText(open.view)).toContain('Reading what these roles can do');
      const update = h.apiCalls('views.update')[updated]!;
      expect(update.view_id).toBe('VEXPLAIN');
      const view = update.view as { type: string; blocks: unknown[] };
      expect(view.type).toBe('modal');
      expectValidBlockKit(view, 'view');
      // This stand-in Astro has no role endpoints: Astronomer's documented words are shown, and said to be.
      expect(allText(view)).toContain('*Workspace Author* · Workspace role');
      expect(allText(view)).toContain('*my custom role* · custom Deployment role');
      expect(allText(view)).toContain("Astro's role list could not be read just now");
    });

    it('ignores a forged button value, making no Astro call', async () => {
      const before = h.astro.requests.length;
      const responseUrl = h.newResponseUrl();
      const status = await h.interact({
        type: 'block_actions',
        user: { id: 'UEVIL', team_id: 'T0001' },
        team: { id: 'T0001' },
        channel: { id: 'C0001', name: 'ops' },
        response_url: responseUrl,
        actions: [{ type: 'button', action_id: 'card_refresh', block_id: 'x', value: 'v1|../../organizations|private||x', action_ts: '1' }],
      });
      expect(status).toBe(200);
      await sleep(150);
      expect(h.astro.requests.length).toBe(before);
    });
  });

  describe('message shortcut', () => {
    it('finds every Astro user ID in a message, attachments included, and answers privately', async () => {
      const responseUrl = h.newResponseUrl();
      expect(
        await h.interact({
          type: 'message_action',
          callback_id: 'lookup_astro_users',
          trigger_id: '1.2.3',
          response_url: responseUrl,
          team: { id: 'T0001', domain: 'example' },
          user: { id: 'USC', name: 'sc' },
          channel: { id: 'C0001', name: 'alerts' },
          message_ts: '1700000004.000100',
          message: {
            type: 'message',
            ts: '1700000004.000100',
            text: `ALERT deploy failed by user=${ADA.id}`,
            attachments: [{ text: `approver: ${GRACE_ID}` }],
          },
        }),
      ).toBe(200);
      const [reply] = await h.replies(responseUrl);
      expect(reply!.response_type).toBe('ephemeral');
      expectValidBlockKit(reply as { blocks: unknown[]; text: string });
      const shown = allText(reply!.blocks);
      expect(shown).toContain('Ada Lovelace');
      expect(shown).toContain('Grace Hopper');
      expect(JSON.stringify(reply!.blocks)).toContain('Everyone in #alerts will see');
    });

    it('says so when the message holds no Astro user ID', async () => {
      const reply = await h.shortcut({ type: 'message', ts: '1.1', text: 'nothing to see' });
      expect(String(reply!.text)).toMatch(/No Astro user IDs/);
    });
  });
});
