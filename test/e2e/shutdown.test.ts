/**
 * stop() and SIGTERM with response_url posts in flight: stop(graceMs) waits at most graceMs for
 * the work in flight, then aborts posts that still hang, so the process exits 0 before index.ts's
 * forced exit (code 1 after 10 s).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ASTRO_TOKEN, BOT_TOKEN, ORG_ID, SIGNING_SECRET, slackHandler, startHarness } from '../support/app.js';
import { ADA } from '../support/fixtures.js';
import { json, startHttpStub } from '../support/http-stub.js';
import { killAppProcesses, startAppProcess } from '../support/process.js';
import { postSignedForm } from '../support/signing.js';
import { sleep } from '../support/sleep.js';

describe('shutdown with response_url posts in flight', () => {
  const cleanup: (() => Promise<unknown> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it('stop(300) returns about 300 ms after a command whose response_url never answers', async () => {
    const h = await startHarness({ astroHandler: (_req, res) => json(res, 200, ADA) });
    h.slack.setHandler(slackHandler({}));
    h.slack.setHandler((req, res) => {
      if (req.url.startsWith('/respond/')) return; // never answers
      return slackHandler()(req, res);
    });
    const r = h.command(ADA.id);
    await h.slack.waitFor(1, (x) => x.url.startsWith('/respond/'));
    const started = Date.now();
    await h.built.stop(300);
    const took = Date.now() - started;
    await r;
    await Promise.all([h.astro.close(), h.slack.close()]);
    expect(took).toBeLessThan(1500);
  });

  it('SIGTERM while a slow lookup (7.5 s) is about to reply to a slow response_url: exits 0 within 10 s', async () => {
    // Production timings, in a real process: the lookup's 8 s deadline, stop()'s 8 s grace and
    // index.ts's forced exit at 10 s. The stand-in Astro answers 7.5 s after the request, so the
    // reply is posted (to a response_url that hangs) just before the grace ends.
    const slack = await startHttpStub((req, res) => {
      if (req.url.startsWith('/respond/')) return; // Slack's hooks hang (an incident)
      return slackHandler()(req, res);
    });
    const astro = await startHttpStub(async (_req, res) => {
      await sleep(7500);
      json(res, 200, ADA);
    });
    cleanup.push(() => slack.close(), () => astro.close(), killAppProcesses);
    const app = await startAppProcess({
      SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: `${slack.url}/api/`,
      ASTRO_API_URL: astro.url, ASTRO_API_TOKEN: ASTRO_TOKEN, ASTRO_ORGANIZATION_ID: ORG_ID, LOG_LEVEL: 'info',
    });
    const res = await postSignedForm(
      `${app.url}/slack/events`,
      { command: '/astro-user', text: ADA.id, team_id: 'T0001', user_id: 'U0001', channel_id: 'C0001', channel_name: 'ops', response_url: `${slack.url}/respond/1`, trigger_id: '1.2.3' },
      SIGNING_SECRET,
    );
    expect(res.status).toBe(200);
    await astro.waitFor(1); // the lookup is in flight
    const started = Date.now();
    app.kill('SIGTERM');
    const code = await app.exited;
    const took = Date.now() - started;
    expect(code, app.output().split('\n').slice(-6).join('\n')).toBe(0);
    expect(took).toBeLessThan(10_000);
  }, 60_000);
});
