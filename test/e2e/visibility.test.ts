/**
 * Who sees an answer, over signed HTTP through the real app: a public thread card is refreshed for
 * everyone, a refusal on it is private and leaves it, a private mention answer stays private on
 * Refresh, and mentions by bots and workflows are not answered by default.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { allText } from '../support/block-kit.js';
import { ORG_ID, startHarness, type TestHarness } from '../support/app.js';
import { ADA } from '../support/fixtures.js';
import { json } from '../support/http-stub.js';

let h: TestHarness;
beforeAll(async () => {
  h = await startHarness({
    astroHandler: (req, res) => (req.url === `/organizations/${ORG_ID}/users/${ADA.id}` ? json(res, 200, ADA) : json(res, 404, { message: 'no' })),
  });
});
afterAll(() => h.close());

/** The Refresh button of the card in the newest message posted with `method`. */
async function refreshButtonOf(method: 'chat.postMessage' | 'chat.postEphemeral', n: number): Promise<Record<string, unknown>> {
  await h.slack.waitFor(n, (r) => r.url === `/api/${method}`);
  const posted = h.apiCalls(method).at(-1)!;
  const actions = (posted.blocks as { type: string; elements?: Record<string, unknown>[] }[]).find((b) => b.type === 'actions');
  return actions!.elements!.find((e) => String(e.action_id).startsWith('card_refresh'))!;
}

describe('visibility decided by the server', () => {
  it('refreshes a public thread card for everyone, and keeps who asked', async () => {
    await h.event({ type: 'app_mention', user: 'U0ASKER', channel: 'C0OPS', ts: '100.1', text: `<@UBOT> ${ADA.id}` });
    const button = await refreshButtonOf('chat.postMessage', 1);
    const responseUrl = h.newResponseUrl();
    expect(await h.clickInMessage(button, { ephemeral: false, channel: { id: 'C0OPS', name: 'ops' }, responseUrl })).toBe(200);
    const [reply] = await h.replies(responseUrl);
    expect(reply).toMatchObject({ replace_original: true, response_type: 'in_channel' });
    expect(allText(reply!.blocks)).toContain('<@U0ASKER>');
  });

  it('answers a guest who clicks Refresh on a public card privately, leaving the card', async () => {
    const button = await refreshButtonOf('chat.postMessage', 1);
    const responseUrl = h.newResponseUrl();
    await h.clickInMessage(button, { ephemeral: false, channel: { id: 'C0OPS', name: 'ops' }, userId: 'UGUEST1', responseUrl });
    const [reply] = await h.replies(responseUrl);
    expect(reply).toMatchObject({ replace_original: false, response_type: 'ephemeral', text: 'Guests cannot look up Astro users here.' });
  });

  it('keeps a mention answered privately in a Slack Connect channel private on Refresh', async () => {
    await h.event({ type: 'app_mention', user: 'U0ASKER', channel: 'CEXT1', ts: '200.1', text: `<@UBOT> ${ADA.id}` }, { envelope: { is_ext_shared_channel: true } });
    const button = await refreshButtonOf('chat.postEphemeral', 1);
    const responseUrl = h.newResponseUrl();
    await h.clickInMessage(button, { ephemeral: true, channel: { id: 'CEXT1', name: 'shared' }, userId: 'U0ASKER', responseUrl });
    const [reply] = await h.replies(responseUrl);
    expect(reply).toMatchObject({ replace_original: true, response_type: 'ephemeral' });
  });

  it('does not answer a mention written by another bot or a workflow, nor its own', async () => {
    const posts = () => h.slack.requests.filter((r) => r.url === '/api/chat.postMessage' || r.url === '/api/chat.postEphemeral');
    const before = posts().length;
    await h.event({ type: 'app_mention', subtype: 'bot_message', bot_id: 'B0OTHER', channel: 'C0OPS', ts: '300.1', text: `<@UBOT> ${ADA.id}` });
    await h.event({ type: 'app_mention', bot_id: 'B0OTHER', user: 'U0OTHERBOT', channel: 'C0OPS', ts: '300.2', text: `<@UBOT> ${ADA.id}` });
    await h.event({ type: 'app_mention', bot_id: 'BBOT', user: 'UBOT', channel: 'C0OPS', ts: '300.3', text: `<@UBOT> ${ADA.id}` });
    // A person's mention after them is answered: the bots' were handled (and dropped) before it.
    await h.event({ type: 'app_mention', user: 'U0ASKER', channel: 'C0OPS', ts: '300.4', text: `<@UBOT> ${ADA.id}` });
    // Both other bots' mentions were read and dropped (one log line each), the app's own silently.
    await vi.waitFor(() => expect(h.logs.filter((l) => String(l.msg).startsWith('mention by a bot or workflow ignored'))).toHaveLength(2));
    await h.slack.waitFor(before + 1, (r) => r.url === '/api/chat.postMessage' || r.url === '/api/chat.postEphemeral');
    const after = posts().slice(before);
    expect(after).toHaveLength(1);
    expect(new URLSearchParams(after[0]!.body).get('thread_ts')).toBe('300.4');
    expect(h.logs.some((l) => l.msg === 'lookup' && l.bot)).toBe(false);
  });
});
