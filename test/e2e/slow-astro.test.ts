/**
 * A slow Astro, over signed HTTP: the asker sees at once that the lookup is under way, and the card
 * then replaces that note (the same message). Short injected timings: the note shows after 50 ms; Astro answers when
 * the test releases it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allText } from '../support/block-kit.js';
import { ORG_ID, slackHandler, startHarness, type TestHarness } from '../support/app.js';
import { ADA } from '../support/fixtures.js';
import { json } from '../support/http-stub.js';

/** A second user, not yet cached when the thread test asks for her. */
const GRACE = { ...ADA, id: 'clx1user0000003abcdefghij', username: 'grace@example.com', fullName: 'Grace Hopper' };
/** A third, for the test where the note cannot be replaced. */
const KATHERINE = { ...ADA, id: 'clx1user0000004abcdefghij', username: 'katherine@example.com', fullName: 'Katherine Johnson' };

let h: TestHarness;
let release: () => void = () => undefined;
let gate: Promise<void> = Promise.resolve();
const hold = () => {
  gate = new Promise((r) => {
    release = r;
  });
};

beforeAll(async () => {
  h = await startHarness({
    astroHandler: async (req, res) => {
      await gate;
      const user = [ADA, GRACE, KATHERINE].find((u) => req.url === `/organizations/${ORG_ID}/users/${u.id}`);
      return user ? json(res, 200, user) : json(res, 404, { message: 'no' });
    },
    // Every lookup asks Astro (no hot results), so the gate holds each one.
    env: { CACHE_HOT_SECONDS: '0' },
    deps: { progressAfterMs: 50 },
  });
});
afterAll(() => h.close());

describe('slow Astro', () => {
  it('shows "Looking that up" first, then replaces it with the card', async () => {
    hold();
    const { responseUrl } = await h.command(ADA.id);
    const [note] = await h.replies(responseUrl, 1);
    expect(note).toMatchObject({ response_type: 'ephemeral', text: 'Looking that up in Astro…' });
    release();
    const [, card] = await h.replies(responseUrl, 2);
    expect(card).toMatchObject({ response_type: 'ephemeral', replace_original: true });
    expect(allText(card!.blocks)).toContain('Ada Lovelace');
  });

  it('shows no note when the answer is quick', async () => {
    gate = Promise.resolve();
    const { responseUrl } = await h.command(ADA.id);
    const [card] = await h.replies(responseUrl, 1);
    expect(card).toMatchObject({ replace_original: false });
    expect(allText(card!.blocks)).toContain('Ada Lovelace');
  });

  it('in a thread, posts the note for everyone and updates it with the answer', async () => {
    hold();
    const before = h.apiCalls('chat.update').length;
    await h.event({ type: 'app_mention', user: 'U0ASKER', channel: 'C0OPS', ts: '500.1', text: `<@UBOT> ${GRACE.id}` });
    const [note] = await h.slack.waitFor(1, (r) => r.url === '/api/chat.postMessage' && r.body.includes('500.1'));
    expect(new URLSearchParams(note!.body).get('text')).toBe('Looking that up in Astro…');
    release();
    await h.slack.waitFor(before + 1, (r) => r.url === '/api/chat.update');
    const update = h.apiCalls('chat.update').at(-1)!;
    expect(allText(update.blocks)).toContain('Grace Hopper');
    expect(h.apiCalls('chat.postMessage').filter((m) => m.thread_ts === '500.1')).toHaveLength(1);
  });

  it('posts the answer after the note when Slack will not let the note be replaced', async () => {
    h.slack.setHandler(slackHandler({ '/api/chat.update': (_req, res) => json(res, 200, { ok: false, error: 'message_not_found' }) }));
    try {
      hold();
      await h.event({ type: 'app_mention', user: 'U0ASKER', channel: 'C0OPS', ts: '600.1', text: `<@UBOT> ${KATHERINE.id}` });
      await h.slack.waitFor(1, (r) => r.url === '/api/chat.postMessage' && r.body.includes('600.1'));
      release();
      const [, answer] = await h.slack.waitFor(2, (r) => r.url === '/api/chat.postMessage' && r.body.includes('600.1'));
      expect(new URLSearchParams(answer!.body).get('text')).toContain('Katherine Johnson');
    } finally {
      h.slack.setHandler(slackHandler());
    }
  });
});
