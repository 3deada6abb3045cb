/**
 * Probe: a failing or odd Slack side (response_url, Web API, malformed events and payloads), and
 * the App Home history, end to end over signed HTTP. The app must stay up and answer the next
 * request, never send invalid Block Kit, and never log a secret.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ORG_ID, startHarness, type TestHarness } from '../support/app.js';
import { json } from '../support/http-stub.js';
import { ADA } from '../support/fixtures.js';
import { cid, expectNoSecretLeak, expectSlackPayloadsSafe, homeAction, lastHomeView, sleep, slackWith } from './probe-support.js';

const A = cid('slacka');
const B = cid('slackb');
const REC_A = cid('recenta');
const REC_EMOJI = cid('recentemoji');
const REC_CASE = cid('recentcase');
const AVATAR = cid('avatarok');

const users: Record<string, Record<string, unknown>> = {
  [A]: { ...ADA, id: A, fullName: 'Probe A' },
  [B]: { ...ADA, id: B, fullName: 'Probe B' },
  [REC_A]: { ...ADA, id: REC_A, fullName: 'Recent A' },
  // 200 astral characters: 200 code points, 400 UTF-16 units.
  [REC_EMOJI]: { ...ADA, id: REC_EMOJI, fullName: '🚀'.repeat(200) },
  // Astro answers with the ID in another case than asked (a proxy or a future API change).
  [REC_CASE]: { ...ADA, id: REC_CASE.toUpperCase(), fullName: 'Case Changed' },
  [AVATAR]: { ...ADA, id: AVATAR, fullName: 'Has Avatar', avatarUrl: 'https://avatars.example.com/gone.png' },
};
for (let i = 0; i < 100; i++) users[cid('bulk', i)] = { ...ADA, id: cid('bulk', i), fullName: `Bulk ${i}` };

const refreshValue = (id: string) => `v1|${id}|private||${id}`;

describe('a failing or odd Slack side', () => {
  let h: TestHarness;

  beforeAll(async () => {
    h = await startHarness({
      astroHandler: (req, res) => {
        const id = /^\/organizations\/[^/]+\/users\/([^/?#]+)$/.exec(req.url)?.[1] ?? '';
        const u = users[id];
        if (u) return json(res, 200, u);
        return json(res, 404, { message: 'not found', requestId: 'req-nf', statusCode: 404 });
      },
    });
  });
  afterAll(async () => h?.close());
  beforeEach(() => h.slack.setHandler(slackWith()));

  /** Posts a command whose response_url is `/respond/<name>` on the stand-in Slack. */
  const commandTo = (name: string, text = A) => h.command(text, { response_url: `${h.slack.url}/respond/${name}` });
  const postsTo = (name: string) => h.slack.requests.filter((r) => r.url === `/respond/${name}`);

  describe('response_url', () => {
    it('404 (expired): one attempt, no retries, and the app keeps answering', async () => {
      h.slack.setHandler(slackWith({ '/respond/gone': (_q, res) => (res.writeHead(404), res.end('expired_url')) }));
      expect((await commandTo('gone')).status).toBe(200);
      await h.slack.waitFor(1, (r) => r.url === '/respond/gone');
      await sleep(300);
      expect(postsTo('gone')).toHaveLength(1);
      const next = await h.command(B);
      expect(String((await h.replies(next.responseUrl))[0]!.text)).toContain('Probe B');
    });

    it('500: retried at most twice (without images, then text only)', async () => {
      h.slack.setHandler(slackWith({ '/respond/err500': (_q, res) => (res.writeHead(500), res.end('oops')) }));
      await commandTo('err500');
      await h.slack.waitFor(3, (r) => r.url === '/respond/err500');
      await sleep(300);
      const bodies = postsTo('err500').map((r) => JSON.parse(r.body) as { blocks?: unknown[] });
      expect(bodies).toHaveLength(3);
      expect(JSON.stringify(bodies[1])).not.toContain('image_url');
      expect(bodies[2]!.blocks).toBeUndefined();
    });

    it('hanging: given up on (after 5 s) while other commands are answered at once', async () => {
      h.slack.setHandler(slackWith({ '/respond/hang': () => undefined }));
      const gaveUp = (l: Record<string, unknown>) => l.msg === 'reply via response_url failed' && l.attempt === 1 && l.statusCode === undefined;
      await commandTo('hang');
      await h.slack.waitFor(1, (r) => r.url === '/respond/hang');
      const next = await h.command(B);
      const [reply] = await h.replies(next.responseUrl);
      expect(String(reply!.text)).toContain('Probe B');
      // B was answered while the hung post was still waiting: not queued behind it.
      expect(h.logs.some(gaveUp)).toBe(false);
      // The hung post times out (5 s) and is not retried: a timeout says nothing about the payload.
      await h.waitForLog(gaveUp, 10_000);
      await sleep(100); // a retry would be sent at once; give it its chance
      expect(postsTo('hang')).toHaveLength(1);
    }, 20_000);
  });

  describe('Web API failures', () => {
    it('views.publish with a permanent hash_conflict: at most one re-publish per update, no loop', async () => {
      h.slack.setHandler(slackWith({ '/api/views.publish': (_q, res) => json(res, 200, { ok: false, error: 'hash_conflict' }) }));
      const before = h.apiCalls('views.publish').length;
      await h.interact(homeAction('UHC', { type: 'plain_text_input', action_id: 'home_query_input', block_id: 'home_query', value: A }));
      await sleep(800);
      expect(h.apiCalls('views.publish').length - before).toBeLessThanOrEqual(4);
    });

    it('views.publish answering invalid_blocks or hanging does not stop the app', async () => {
      h.slack.setHandler(slackWith({ '/api/views.publish': (_q, res) => json(res, 200, { ok: false, error: 'invalid_blocks', response_metadata: { messages: ['[ERROR] bad'] } }) }));
      expect(await h.event({ type: 'app_home_opened', user: 'UIB', channel: 'D1', tab: 'home', event_ts: '1.1' })).toBe(200);
      h.slack.setHandler(slackWith({ '/api/views.publish': () => undefined }));
      expect(await h.event({ type: 'app_home_opened', user: 'UHANG', channel: 'D1', tab: 'home', event_ts: '1.2' })).toBe(200);
      const next = await h.command(A);
      expect(String((await h.replies(next.responseUrl))[0]!.text)).toContain('Probe A');
    });

    it('chat.postMessage refusing or answering garbage is logged, not thrown', async () => {
      h.slack.setHandler(slackWith({ '/api/chat.postMessage': (_q, res) => json(res, 200, { ok: false, error: 'not_in_channel' }) }));
      await h.event({ type: 'app_mention', user: 'UM1', channel: 'C1', text: `<@UBOT> ${A}`, ts: '1.1', event_ts: '1.1' });
      await h.slack.waitFor(1, (r) => r.url === '/api/chat.postMessage');
      h.slack.setHandler(slackWith({ '/api/chat.postMessage': (_q, res) => (res.writeHead(200, { 'content-type': 'application/json' }), res.end('{not json')) }));
      await h.event({ type: 'app_mention', user: 'UM1', channel: 'C1', text: `<@UBOT> ${B}`, ts: '1.2', event_ts: '1.2' });
      const couldNot = (l: Record<string, unknown>) => l.msg === 'could not answer the mention in its thread';
      await h.waitForLog((l) => couldNot(l) && h.logs.filter(couldNot).length >= 2);
      expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    });

    // Regression: App Home never retries without the avatar. When Slack cannot download a card's
    // avatar, views.publish fails with invalid_blocks ("Downloading image failed") and Home stays
    // on "Looking up…"; every later Home open re-renders the cached card with the same avatar and
    // fails again, so the Home tab is broken for that Slack user until the cache entry expires.
    // Messages already handle this (src/slack/reply.ts:21,59, withoutImages); Home does not
    // (src/slack/home.ts:40-53, only hash_conflict is retried).
    it('App Home falls back to a card without the avatar when Slack cannot fetch the image', async () => {
      h.slack.setHandler(
        slackWith({
          '/api/views.publish': (req, res) =>
            req.body.includes('image_url')
              ? json(res, 200, { ok: false, error: 'invalid_blocks', response_metadata: { messages: ['[ERROR] Downloading image failed [json-pointer:/view/blocks/5/accessory/image_url]'] } })
              : json(res, 200, { ok: true, view: { id: 'V1', hash: 'h' } }),
        }),
      );
      const before = h.apiCalls('views.publish').length;
      await h.interact(homeAction('UAVATAR', { type: 'plain_text_input', action_id: 'home_query_input', block_id: 'home_query', value: AVATAR }));
      await h.slack.waitFor(before + 2, (r) => r.url === '/api/views.publish');
      await sleep(500);
      const accepted = h
        .apiCalls('views.publish')
        .slice(before)
        .filter((c) => c.user_id === 'UAVATAR' && !JSON.stringify(c.view).includes('image_url'));
      expect(accepted.map((c) => JSON.stringify(c.view)).some((v) => v.includes('Has Avatar'))).toBe(true);
    });
  });

  describe('malformed events and payloads', () => {
    it('answers events missing every field without going down', async () => {
      for (const event of [
        { type: 'app_mention' },
        { type: 'app_mention', text: null, user: null, channel: null, ts: null },
        { type: 'app_mention', text: 12345, user: 'U1', channel: 'C1', ts: '1.1' },
        { type: 'app_home_opened' },
        { type: 'app_home_opened', tab: 'home' },
        { type: 'app_home_opened', tab: 'messages', user: 'U1' },
        { type: 'app_home_opened', tab: 'home', user: 'U1', view: { hash: { not: 'a string' } } },
      ]) {
        // Bolt itself answers 500 to a `channel: null` it cannot read (Slack never sends one).
        expect([200, 500]).toContain(await h.event(event));
      }
      await sleep(500);
      const next = await h.command(A);
      expect(String((await h.replies(next.responseUrl))[0]!.text)).toContain('Probe A');
    });

    // Regression: an app_mention without `ts` (and without `thread_ts`) is answered with
    // thread_ts="undefined" (String(undefined)) instead of no thread_ts; Slack refuses or
    // mis-threads it. Cause: src/slack/listeners/events/app-mention.ts:49,53
    // (`String(event.thread_ts ?? event.ts)`, in the claim-failure path and for the answer).
    it('never sends thread_ts "undefined"', async () => {
      const before = h.apiCalls('chat.postMessage').length;
      await h.event({ type: 'app_mention', user: 'UNOTS', channel: 'C1', text: `<@UBOT> ${A}`, event_ts: '1.1' });
      await h.slack.waitFor(before + 1, (r) => r.url === '/api/chat.postMessage');
      const call = h.apiCalls('chat.postMessage').at(-1)!;
      expect(call.thread_ts).not.toBe('undefined');
    });

    it('ignores forged or malformed button values without calling Astro', async () => {
      const before = h.astro.requests.length;
      const values: unknown[] = [
        'v1|../../organizations|private||x',
        `v1|${A}|private||${B}`,
        `v1|${A}|evil||${A}`,
        `v1|${A}|thread|<!channel>|${A}`,
        `v1|${A}|private||${Array.from({ length: 11 }, () => A).join(',')}`,
        `v1|${A.toUpperCase()}|private||${A.toUpperCase()}`,
        'x'.repeat(10_000),
        '',
        null,
        12,
        { nested: A },
      ];
      for (const value of values) {
        for (const action_id of ['card_refresh', 'card_share', 'card_refresh:99']) {
          const status = await h.interact({
            type: 'block_actions',
            user: { id: 'UFORGE', team_id: 'T0001' },
            team: { id: 'T0001' },
            channel: { id: 'C0001', name: 'ops' },
            container: { type: 'message', is_ephemeral: true },
            response_url: h.newResponseUrl(),
            actions: [{ type: 'button', action_id, block_id: 'x', value, action_ts: '1' }],
          });
          expect(status).toBe(200);
        }
      }
      await sleep(300);
      expect(h.astro.requests.length).toBe(before);
    });

    it('survives block_actions without actions, user, view or response_url', async () => {
      const payloads: Record<string, unknown>[] = [
        { type: 'block_actions', user: { id: 'U1' }, team: { id: 'T0001' }, actions: [] },
        { type: 'block_actions', team: { id: 'T0001' }, actions: [{ type: 'button', action_id: 'home_lookup', value: 'lookup' }] },
        { type: 'block_actions', user: { id: 'U1' }, team: { id: 'T0001' }, actions: [{ type: 'button', action_id: 'home_lookup', value: 'lookup' }] },
        { type: 'block_actions', user: { id: 'U1' }, team: { id: 'T0001' }, actions: [{ type: 'button', action_id: 'card_refresh', value: refreshValue(A) }] },
        { type: 'block_actions', user: { id: 'U1' }, team: { id: 'T0001' }, channel: { id: 'C1' }, actions: [{ type: 'button', action_id: 'card_share', value: refreshValue(A) }] },
        { type: 'block_actions', user: { id: 'U1' }, team: { id: 'T0001' }, view: { type: 'home' }, actions: [{ type: 'button', action_id: 'card_refresh', value: `${A}x` }] },
        { type: 'message_action', callback_id: 'lookup_astro_users', team: { id: 'T0001' }, user: { id: 'U1' } },
        { type: 'message_action', callback_id: 'lookup_astro_users', team: { id: 'T0001' }, user: { id: 'U1' }, message: null, response_url: h.newResponseUrl() },
      ];
      for (const p of payloads) {
        const status = await h.interact(p);
        expect([200, 401, 404, 500]).toContain(status);
      }
      await sleep(300);
      const next = await h.command(B);
      expect(String((await h.replies(next.responseUrl))[0]!.text)).toContain('Probe B');
    });

    it('a 1 MB message with 100 IDs: the shortcut looks up five and says how many more', async () => {
      const before = h.astro.requests.length;
      const ids = Array.from({ length: 100 }, (_, i) => cid('bulk', i));
      const noise = 'lorem ipsum '.repeat(80_000);
      const responseUrl = h.newResponseUrl();
      expect(
        await h.interact({
          type: 'message_action',
          callback_id: 'lookup_astro_users',
          trigger_id: '1',
          response_url: responseUrl,
          team: { id: 'T0001' },
          user: { id: 'USC' },
          channel: { id: 'C0001', name: 'alerts' },
          message: { type: 'message', ts: '1.1', text: `${ids.join(' ')} ${noise.slice(0, 30_000)}`, attachments: [{ text: noise }], blocks: [{ type: 'section', text: { type: 'mrkdwn', text: noise.slice(0, 3000) } }] },
        }),
      ).toBe(200);
      const [reply] = await h.replies(responseUrl);
      expect(JSON.stringify(reply!.blocks)).toContain('…and 95 more Astro user IDs');
      expect(h.astro.requests.length - before).toBeLessThanOrEqual(5);
    });

    // Regression: the shortcut reads only the first 100,000 characters of the message's text,
    // attachments and blocks joined together (src/core/find-queries.ts, findUserQueries:
    // `text.slice(0, 100_000)` over messageText() of src/slack/listeners/shortcuts/lookup-message.ts),
    // so an alert whose IDs sit in a block or attachment after a long log excerpt is answered
    // "I found no Astro user IDs in that message", contrary to README ("finds every Astro user ID
    // in it, attachments included"). Fix: scan each string separately (bounded per string and in
    // count), not one prefix of the concatenation.
    it('finds an ID in a block that follows 40k of text and 75k of attachments', async () => {
      const reply = await h.shortcut({
          type: 'message',
          ts: '1.1',
          text: 'deploy log: '.padEnd(40_000, '.'),
          attachments: Array.from({ length: 25 }, (_, i) => ({ text: `log part ${i} `.padEnd(3000, '-') })),
          blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `failed by user ${A}` } }],
        });
      expect(JSON.stringify(reply)).toContain('Probe A');
    });

    it('a mention naming 1,000 IDs looks up at most five', async () => {
      const before = h.astro.requests.length;
      const ids = Array.from({ length: 1000 }, (_, i) => cid('many', i));
      const postsBefore = h.apiCalls('chat.postMessage').length;
      await h.event({ type: 'app_mention', user: 'UMANY', channel: 'C1', text: `<@UBOT> ${ids.join(' ')}`, ts: '2.1', event_ts: '2.1' });
      await h.slack.waitFor(postsBefore + 1, (r) => r.url === '/api/chat.postMessage');
      expect(h.astro.requests.length - before).toBeLessThanOrEqual(5);
      expect(JSON.stringify(h.apiCalls('chat.postMessage').at(-1)!.blocks)).toMatch(/…and \d+ more Astro user IDs/);
    });

    // Regression: the "…and N more" count is wrong past 100 IDs: findAstroIds stops at 100
    // (src/core/find-queries.ts, MAX_USERS_PER_MESSAGE), so 1,000 IDs are answered "…and 95 more Astro user IDs
    // not looked up". Fix: count all matches (cheaply) and keep only the first few.
    it('says how many IDs were left out when a mention names 1,000', async () => {
      const ids = Array.from({ length: 1000 }, (_, i) => cid('more', i));
      const postsBefore = h.apiCalls('chat.postMessage').length;
      await h.event({ type: 'app_mention', user: 'UMANY', channel: 'C1', text: `<@UBOT> ${ids.join(' ')}`, ts: '2.2', event_ts: '2.2' });
      await h.slack.waitFor(postsBefore + 1, (r) => r.url === '/api/chat.postMessage');
      expect(JSON.stringify(h.apiCalls('chat.postMessage').at(-1)!.blocks)).toContain('…and 995 more');
    });
  });

  describe('App Home recent lookups', () => {
    // Wait for this user's publishes only: a late publish for another user must not end the wait.
    const publishesFor = (user: string) => (r: { url: string; body: string }) =>
      r.url === '/api/views.publish' && new URLSearchParams(r.body).get('user_id') === user;
    const lookUpInHome = async (user: string, id: string) => {
      const before = h.slack.requests.filter(publishesFor(user)).length;
      await h.interact(homeAction(user, { type: 'plain_text_input', action_id: 'home_query_input', block_id: 'home_query', value: id }));
      await h.slack.waitFor(before + 2, publishesFor(user));
    };
    const reopenHome = async (user: string) => {
      const before = h.slack.requests.filter(publishesFor(user)).length;
      await h.event({ type: 'app_home_opened', user, channel: 'D1', tab: 'home', event_ts: '3.1' });
      await h.slack.waitFor(before + 1, publishesFor(user));
      return JSON.stringify(lastHomeView(h, user));
    };

    it('keeps earlier lookups when a later one has an ordinary label', async () => {
      await lookUpInHome('UREC0', REC_A);
      await lookUpInHome('UREC0', A);
      const view = await reopenHome('UREC0');
      expect(view).toContain(REC_A);
      expect(view).toContain(A);
    });

    // Held up: zod 4 counts `max(300)` in code points, like record() cuts the label.
    it('keeps the history after looking up a user whose name is 200 emoji', async () => {
      await lookUpInHome('UREC1', REC_A);
      await lookUpInHome('UREC1', REC_EMOJI);
      const view = await reopenHome('UREC1');
      expect(view).toContain('Your recent lookups');
      expect(view).toContain(REC_A);
      expect(view).toContain(REC_EMOJI);
    });

    // Regression: the history stores the ID Astro sent back (src/app/lookup-users.ts)
    // instead of the ID that was asked (and validated); an answer whose `id` is not a lower-case
    // CUID makes the stored list fail RecentListSchema (src/lookup/recent.ts:18) and wipes it.
    it('keeps the history when Astro answers with the ID in another case', async () => {
      await lookUpInHome('UREC2', REC_A);
      await lookUpInHome('UREC2', REC_CASE);
      const view = await reopenHome('UREC2');
      expect(view).toContain(REC_A);
      expect(view).toContain(REC_CASE);
    });
  });

  it('every payload Slack received was valid and ping-free; Astro only saw the user path; no secret leaked', async () => {
    await sleep(200);
    expectSlackPayloadsSafe(h, ['UM1', 'UMANY', 'UNOTS', 'UFORGE', 'U0001']);
    for (const r of h.astro.requests) expect(r.url).toMatch(new RegExp(`^/organizations/${ORG_ID}/users/c[0-9a-z]{24}$`));
    expectNoSecretLeak(h);
  });
});
