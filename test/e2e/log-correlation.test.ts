/**
 * The lines a Slack request writes from its listener (the audit line above all, refusals, Slack's
 * errors such as a failed users.info) carry that request's correlationId, a re-delivered event's
 * lines carry retryNum, and no secret reaches the logs. Lines are grouped per request by running
 * requests one at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASTRO_TOKEN, BOT_TOKEN, SIGNING_SECRET, slackHandler, startHarness, type TestHarness } from '../support/app.js';
import { json } from '../support/http-stub.js';
import { ADA } from '../support/fixtures.js';
import { sleep } from '../support/sleep.js';

const BROKEN = 'clbroken00000000000000000';

describe('correlation IDs and secrets in logs', () => {
  let h: TestHarness;
  const missing: { step: string; msg: unknown; level: unknown; component: unknown }[] = [];
  const auditWithout: { step: string; line: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    h = await startHarness({
      astroHandler: (req, res) => {
        if (req.url.endsWith(BROKEN)) return json(res, 500, { message: 'boom', requestId: 'req-500', statusCode: 500 });
        return json(res, 200, ADA);
      },
      deps: { policy: { backoffBaseMs: 5, backoffCapMs: 10 } },
    });
    h.slack.setHandler(
      slackHandler({
        '/respond/gone': (_req, res) => {
          res.writeHead(410);
          res.end('used_url');
        },
        '/api/views.publish': (_req, res) => json(res, 200, { ok: false, error: 'not_enabled' }),
        '/api/chat.postMessage': (_req, res) => json(res, 200, { ok: false, error: 'channel_not_found' }),
        '/api/users.info': (req, res) => {
          const user = new URLSearchParams(req.body).get('user') ?? '';
          if (user === 'UBROKEN') return json(res, 200, { ok: false, error: 'user_not_found' });
          return json(res, 200, { ok: true, user: { id: user, is_admin: false, is_restricted: false, is_ultra_restricted: false } });
        },
      }),
    );
  });
  afterAll(async () => h?.close());

  async function step(name: string, run: () => Promise<unknown>): Promise<void> {
    const from = h.logs.length;
    await run();
    await sleep(400);
    const lines = h.logs.slice(from).filter((l) => l.component !== 'bolt' || l.level !== 'debug');
    for (const l of lines) {
      if (l.audit === true && typeof l.correlationId !== 'string') auditWithout.push({ step: name, line: l });
      if ((l.level === 'warn' || l.level === 'error' || l.audit === true) && typeof l.correlationId !== 'string') missing.push({ step: name, msg: l.msg, level: l.level, component: l.component });
    }
  }

  // Every surface, with failures, one request at a time; the tests below read what they logged.
  beforeAll(async () => {
    await step('command ok', async () => h.replies((await h.command(ADA.id)).responseUrl));
    await step('command astro 500', async () => h.replies((await h.command(BROKEN)).responseUrl));
    await step('command users.info fails', async () => h.replies((await h.command(ADA.id, { user_id: 'UBROKEN' })).responseUrl));
    const card = (action_id: string) => ({ action_id, value: `v1|${ADA.id}|private||${ADA.id}` });
    await step('refresh to a used-up response_url', () => h.clickInMessage(card('card_refresh'), { responseUrl: `${h.slack.url}/respond/gone` }));
    await step('share', async () => {
      const u = h.newResponseUrl();
      await h.clickInMessage(card('card_share'), { responseUrl: u });
      await h.replies(u);
    });
    await step('mention, chat.postMessage fails', () => h.event({ type: 'app_mention', user: 'U0001', channel: 'COPS', text: `<@UBOT> ${ADA.id}`, ts: '1700000002.000100', event_ts: '1700000002.000100' }));
    await step('home open, views.publish fails', () => h.event({ type: 'app_home_opened', user: 'U0001', channel: 'D1', tab: 'home', event_ts: '1.2' }));
    await step('home lookup, views.publish fails', () =>
      h.interact({
        type: 'block_actions', user: { id: 'U0001', team_id: 'T0001' }, team: { id: 'T0001' }, container: { type: 'view', view_id: 'V1' },
        view: { id: 'V1', type: 'home', hash: 'x', private_metadata: '{}', state: { values: {} } },
        actions: [{ type: 'plain_text_input', action_id: 'home_query_input', block_id: 'home_query', value: ADA.id, action_ts: '1' }],
      }),
    );
    await step('shortcut', () => h.shortcut({ type: 'message', text: `see ${ADA.id}`, ts: '1.1' }));
    expect(h.logs.filter((l) => l.audit === true).length).toBeGreaterThanOrEqual(6);
  }, 60_000);

  it('every audit line has a correlationId', () => {
    expect(auditWithout).toEqual([]);
  });

  it('every warn/error line written while handling a request has a correlationId', () => {
    expect(missing).toEqual([]);
  });

  it('a re-delivered event is logged with retryNum', async () => {
    const from = h.logs.length;
    await h.event({ type: 'app_mention', user: 'U0001', channel: 'COPS', text: `<@UBOT> ${ADA.id}`, ts: '1700000003.000100', event_ts: '1700000003.000100' }, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    await sleep(400);
    const lines = h.logs.slice(from).filter((l) => typeof l.correlationId === 'string');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.retryNum === 1)).toBe(true);
  });

  it('no secret in any log line', () => {
    const raw = h.rawLogs();
    for (const s of [ASTRO_TOKEN, BOT_TOKEN, SIGNING_SECRET, ASTRO_TOKEN.split('.')[2]!]) expect(raw).not.toContain(s);
  });
});
