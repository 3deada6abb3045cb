/**
 * "Who can access X?" through the real app over signed HTTP, against a stand-in Astro serving an
 * organization: the slash command (name, link, picker, another host), App Home's second input, the
 * full-list modal, a link unfurl (public counts, no people) and its private button.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accessOrg, DATA, ETL_PROD } from '../support/access-org.js';
import { slackHandler, startHarness, type TestHarness } from '../support/app.js';
import { answerOrg, type AstroOrg } from '../support/astro-org.js';
import { allText, expectValidBlockKit } from '../support/block-kit.js';
import { json } from '../support/http-stub.js';

const LINK = `https://cloud.astronomer.io/${DATA}/deployments/${ETL_PROD}/overview`;

describe('who can access, over signed HTTP', () => {
  let h: TestHarness;
  let org: AstroOrg;

  beforeAll(async () => {
    org = accessOrg();
    h = await startHarness({
      astroHandler: (req, res) => {
        if (answerOrg(req, res, org)) return;
        json(res, 404, { message: 'not found', requestId: 'req-nf', statusCode: 404 });
      },
    });
  });
  afterAll(async () => h?.close());
  beforeEach(() => {
    h.slack.setHandler(
      slackHandler({
        '/api/views.publish': (_req, res) => json(res, 200, { ok: true, view: { id: 'V1', hash: 'h' } }),
        '/api/views.open': (_req, res) => json(res, 200, { ok: true, view: { id: 'VMODAL', hash: 'm' } }),
      }),
    );
  });

  it('answers /astro-user access <link> privately with every way in, and no secret', async () => {
    const r = await h.command(`access <${LINK}|etl-prod>`);
    const [reply] = await h.replies(r.responseUrl);
    expect(reply!.response_type).toBe('ephemeral');
    expectValidBlockKit(reply as { blocks: unknown[]; text: string });
    const text = allText(reply!.blocks);
    expect(text).toContain('Who can access etl-prod');
    expect(text).toMatch(/7 people · 1 Team · 2 API tokens/);
    expect(text).toContain('Olga Owner');
    expect(text).toMatch(/Tim Teamonly[^\n]*via Team \*Data Eng\* \(identity provider\)/);
    expect(text).toMatch(/ci-deploy[^\n]*expires/);
    expect(JSON.stringify(reply)).not.toContain('SECRET-TOKEN-VALUE');
    expect(h.rawLogs()).not.toContain('SECRET-TOKEN-VALUE');
  });

  it('gives a picker for a name two Deployments share, and its Show answers for the chosen one', async () => {
    const r = await h.command('access etl-prod');
    const [picker] = await h.replies(r.responseUrl);
    const buttons = (picker!.blocks as { accessory?: { action_id: string; value: string } }[]).map((b) => b.accessory).filter(Boolean);
    expect(buttons).toHaveLength(2);
    const chosen = buttons.find((b) => b!.value === `d:${ETL_PROD}`)!;
    const responseUrl = h.newResponseUrl();
    await h.clickInMessage(chosen, { responseUrl });
    const [answer] = await h.replies(responseUrl);
    expect(answer!.replace_original).toBe(true);
    expect(allText(answer!.blocks)).toContain('Oscar Operator');
  });

  it('says a link to another host is not an Astro link, without asking Astro', async () => {
    const before = h.astro.requests.length;
    const r = await h.command('<https://evil.example/x|click me>');
    expect(allText(JSON.parse(r.body).blocks)).toMatch(/goes to `evil.example`, not to the Astro UI/);
    expect(h.astro.requests.length).toBe(before);
  });

  it('answers in App Home from its second input', async () => {
    const before = h.apiCalls('views.publish').length;
    await h.interact({
      type: 'block_actions',
      user: { id: 'UHOMEA', team_id: 'T0001' },
      team: { id: 'T0001' },
      api_app_id: 'A0001',
      trigger_id: '1.2.3',
      container: { type: 'view', view_id: 'V1' },
      view: { id: 'V1', type: 'home', hash: 'h0', private_metadata: '{}', state: { values: { home_access: { home_access_input: { type: 'plain_text_input', value: 'etl-dev' } } } } },
      actions: [{ type: 'button', action_id: 'home_access_lookup', block_id: 'home:access', value: 'access', action_ts: '1' }],
    });
    const calls = await h.slack.waitFor(before + 2, (r) => r.url === '/api/views.publish');
    const raw = h.apiCalls('views.publish')[calls.length - 1]!.view;
    const view = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { blocks: unknown[] };
    expectValidBlockKit(view, 'view');
    expect(allText(view)).toContain('Who can access etl-dev');
  });

  it('unfurls an Astro link to counts only, and its button shows the list to the clicker alone', async () => {
    const before = h.apiCalls('chat.unfurl').length;
    await h.event({ type: 'link_shared', channel: 'C0001', user: 'U0POSTER', message_ts: '1700000000.000100', links: [{ domain: 'cloud.astronomer.io', url: LINK }, { domain: 'example.com', url: 'https://example.com/x' }], event_ts: '1' });
    await h.slack.waitFor(before + 1, (r) => r.url === '/api/chat.unfurl');
    const call = h.apiCalls('chat.unfurl').at(-1)!;
    const unfurls = (typeof call.unfurls === 'string' ? JSON.parse(call.unfurls) : call.unfurls) as Record<string, { blocks: unknown[] }>;
    expect(Object.keys(unfurls)).toEqual([LINK]);
    const shown = allText(unfurls[LINK]!.blocks);
    expect(shown).toMatch(/7 people · 1 Team · 2 API tokens have access/);
    expect(shown).not.toMatch(/Olga|Oscar|example\.com|ci-deploy/);
    expect(call).toMatchObject({ channel: 'C0001', ts: '1700000000.000100' });

    const button = (unfurls[LINK]!.blocks.at(-1) as { elements: { action_id: string; value: string }[] }).elements[0]!;
    const responseUrl = h.newResponseUrl();
    await h.clickInMessage(button, { responseUrl, ephemeral: false, userId: 'U0CLICKER' });
    const [reply] = await h.replies(responseUrl);
    expect(reply).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(allText(reply!.blocks)).toContain('Olga Owner');
  });

  it('does not unfurl in a channel shared with another organization', async () => {
    const before = h.astro.requests.length;
    const unfurlsBefore = h.apiCalls('chat.unfurl').length;
    await h.event({ type: 'link_shared', channel: 'CEXT1', user: 'U0POSTER', message_ts: '1700000000.000200', links: [{ domain: 'cloud.astronomer.io', url: LINK }], event_ts: '2' });
    await h.waitForLog((l) => String(l.msg).includes('not unfurled'));
    expect(h.astro.requests.length).toBe(before);
    expect(h.apiCalls('chat.unfurl')).toHaveLength(unfurlsBefore);
  });

  it('opens the full list in a modal', async () => {
    await h.interact({
      type: 'block_actions',
      user: { id: 'U0001', team_id: 'T0001' },
      team: { id: 'T0001' },
      trigger_id: '9.9.9',
      channel: { id: 'C0001', name: 'ops' },
      container: { type: 'message', is_ephemeral: true, channel_id: 'C0001', message_ts: '1.1' },
      response_url: h.newResponseUrl(),
      actions: [{ type: 'button', action_id: 'access_full', block_id: 'access:actions', value: `d:${ETL_PROD}`, action_ts: '1' }],
    });
    await h.slack.waitFor(1, (r) => r.url === '/api/views.update');
    const update = h.apiCalls('views.update').at(-1)!;
    const view = (typeof update.view === 'string' ? JSON.parse(update.view) : update.view) as { blocks: unknown[] };
    expectValidBlockKit(view, 'view');
    expect(allText(view)).toContain('Tim Teamonly');
    expect(h.apiCalls('views.open').at(-1)).toMatchObject({ trigger_id: '9.9.9' });
  });
});
