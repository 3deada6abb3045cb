/**
 * End to end over real HTTP: the app on loopback port 0, Slack-signed slash commands through
 * Bolt's real HTTPReceiver, a stand-in Astro API serving the spec's documented GetUser example,
 * and a stand-in Slack receiving the `response_url` replies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allText, expectValidBlockKit } from '../support/block-kit.js';
import { ASTRO_TOKEN, BOT_TOKEN, ORG_ID, SIGNING_SECRET, startHarness, type TestHarness } from '../support/app.js';
import { json } from '../support/http-stub.js';
import { specExample } from '../support/fixtures.js';
import { postSignedForm, slackSignatureHeaders } from '../support/signing.js';

const example = specExample('User');
const EXAMPLE_ID = String(example.id); // clm9sq6s0000008kz7uvl7yz7

describe('/astro-user over signed HTTP', () => {
  let h: TestHarness;

  beforeAll(async () => {
    h = await startHarness({
      astroHandler: (req, res) => {
        const m = /^\/organizations\/([^/]+)\/users\/([^/?]+)$/.exec(req.url);
        if (m && m[2] === EXAMPLE_ID) return json(res, 200, example);
        return json(res, 404, { message: 'user not found', requestId: 'req-404-abc', statusCode: 404 });
      },
    });
  });
  afterAll(async () => h?.close());

  it('acks at once and replies privately with the documented user card, then serves the repeat from the cache', async () => {
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

  it('answers help and bad input in the ack itself, with no Astro call', async () => {
    const before = h.astro.requests.length;
    const help = await h.command('');
    expect(help.status).toBe(200);
    expect(JSON.parse(help.body).text).toMatch(/Look up an Astro user/);
    const bad = await h.command('../../organizations');
    expect(JSON.parse(bad.body).text).toMatch(/does not look like an Astro user ID/);
    const email = await h.command('<mailto:jane@example.com|jane@example.com>');
    expect(JSON.parse(email.body).text).toMatch(/email/);
    expect(h.astro.requests.length).toBe(before);
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
    await new Promise((r) => setTimeout(r, 100));
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
