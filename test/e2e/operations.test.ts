/**
 * Operations: Prometheus metrics behind a bearer token with no IDs in labels, /healthz with the
 * store's reachability, a correlation ID on every log line of a request, and the abuse limits'
 * friendly "slow down".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allText } from '../support/block-kit.js';
import { slackHandler, startHarness, type TestHarness } from '../support/app.js';
import { ADA } from '../support/fixtures.js';
import { json } from '../support/http-stub.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

describe('operations', () => {
  let h: TestHarness;
  beforeAll(async () => {
    h = await startHarness({
      astroHandler: (req, res) => (req.url.endsWith(ADA.id) ? json(res, 200, ADA) : json(res, 404, { message: 'nf', requestId: 'req-nf', statusCode: 404 })),
      env: { METRICS_TOKEN, LOOKUPS_PER_USER_PER_MINUTE: '4', LOOKUPS_PER_WORKSPACE_PER_MINUTE: '1000' },
    });
  });
  afterAll(async () => h?.close());

  it('serves Prometheus metrics only with the bearer token, counting lookups by surface and outcome, with no IDs in labels', async () => {
    const r = await h.command(ADA.id, { user_id: 'UMETRICS' });
    await h.replies(r.responseUrl);
    expect((await fetch(`${h.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${h.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789abcdef' } })).status).toBe(401);
    const res = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/astro_user_lookups_total\{surface="command",outcome="found"\} [1-9]/);
    expect(text).toMatch(/astro_user_cache_reads_total\{result="miss"\} [1-9]/);
    expect(text).toMatch(/astro_user_astro_request_duration_seconds_count\{status="200"\} [1-9]/);
    expect(text).toMatch(/astro_user_astro_circuit_state 0/);
    for (const id of [ADA.id, 'T0001', 'UMETRICS', 'U0001', 'clorg']) expect(text).not.toContain(id);
  });

  it('reports the store on /healthz', async () => {
    const body = (await (await fetch(`${h.url}/healthz`)).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ ok: true, status: 'ok', store: { kind: 'memory', reachable: true } });
  });

  it('puts one correlation ID on every log line of a request, and the Astro requestId on errors', async () => {
    // The reply's response_url fails twice (then takes the text-only retry): besides its audit
    // line, the request writes two warnings, and all three must carry one correlation ID.
    let posts = 0;
    h.slack.setHandler(
      slackHandler({
        '/respond/corr': (_q, res) => {
          posts += 1;
          res.writeHead(posts <= 2 ? 500 : 200);
          res.end(posts <= 2 ? 'oops' : 'ok');
        },
      }),
    );
    try {
      await h.command('clnotfound000000000000000', { user_id: 'UCORR', response_url: `${h.slack.url}/respond/corr` });
      const line = await h.waitForLog((l) => l.msg === 'lookup' && l.slackUser === 'UCORR');
      expect(line.correlationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.stringify(line)).toContain('req-nf');
      const failed = (l: Record<string, unknown>) => l.msg === 'reply via response_url failed';
      await h.waitForLog((l) => failed(l) && l.attempt === 2);
      const warnings = h.logs.filter(failed);
      expect(warnings.map((l) => l.attempt)).toEqual([1, 2]);
      for (const w of warnings) expect(w.correlationId).toBe(line.correlationId);
      // No line of another request is about this user.
      expect(h.logs.filter((l) => l.correlationId && l.correlationId !== line.correlationId).every((l) => l.slackUser !== 'UCORR')).toBe(true);
    } finally {
      h.slack.setHandler(slackHandler());
    }
  });

  it('tells a user who looks up too much to slow down, without calling Astro', async () => {
    for (let i = 0; i < 4; i++) {
      const r = await h.command(ADA.id, { user_id: 'UGREEDY' });
      await h.replies(r.responseUrl);
    }
    const before = h.astro.requests.length;
    const r = await h.command(ADA.id, { user_id: 'UGREEDY' });
    const [reply] = await h.replies(r.responseUrl);
    expect(allText(reply!.blocks)).toMatch(/Slow down a little: try again in \d+ s/);
    expect(h.astro.requests.length).toBe(before);
    // Another user is not affected.
    const other = await h.command(ADA.id, { user_id: 'UOTHER' });
    const [fine] = await h.replies(other.responseUrl);
    expect(allText(fine!.blocks)).toContain('Ada Lovelace');
  });
});
