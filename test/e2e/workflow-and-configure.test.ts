/**
 * Over signed HTTP into the real app: the Workflow Builder step (a `function_executed` event in,
 * `functions.completeSuccess` or `functions.completeError` out, with the workflow's own token),
 * the schedule fields of Configure (refused time zone, a channel the bot is not in or cannot see,
 * a schedule saved with the connection), and "Show details privately" on a channel post.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReportSchedules } from '../../src/lookup/report-schedule.js';
import { DEFAULT_POLICY } from '../../src/lookup/workspace-settings.js';
import { answerUsersList } from '../support/astro-users.js';
import { ADA } from '../support/fixtures.js';
import { json, type RecordedRequest } from '../support/http-stub.js';
import { ASTRO_TOKEN, ORG_ID, parseWebApiBody, slackHandler, startHarness, type TestHarness } from '../support/app.js';
import { allText } from '../support/block-kit.js';
import { reportState, standInReportSource } from '../support/reports.js';

const WORKFLOW_TOKEN = 'xwfp-7777-workflow-token';

function astro(req: RecordedRequest, res: ServerResponse) {
  if (answerUsersList(req, res, [ADA])) return;
  // Connect Astro's test call, for the organization of the token pasted in the modal.
  if (/^\/organizations\/[a-z0-9]+\/users\?offset=0&limit=1$/.test(req.url)) return json(res, 200, { users: [ADA], offset: 0, limit: 1, totalCount: 1 });
  if (req.url === `/organizations/${ORG_ID}/users/${ADA.id}`) return json(res, 200, ADA);
  return json(res, 404, { message: 'not found', requestId: 'req-404' });
}

describe('Workflow Builder step, Configure and report details over HTTP', () => {
  let h: TestHarness;
  const report = reportState();

  beforeAll(async () => {
    h = await startHarness({ astroHandler: astro, env: { ENCRYPTION_KEY: randomBytes(32).toString('base64') }, deps: { reports: { source: standInReportSource(report), tickMs: 3_600_000 } } });
    // T0001 lets bots and workflows look users up; T0002 keeps the default (it does not).
    await h.built.stores.settings.set('policy:T.T0001', { ...DEFAULT_POLICY, allowBotMentions: true });
  });
  afterAll(() => h.close());

  const step = (teamId: string, executionId: string, input: unknown) =>
    h.event(
      {
        type: 'function_executed',
        function: { id: 'Fn1', callback_id: 'lookup_astro_user', title: 'Look up Astro user', type: 'app', input_parameters: [], output_parameters: [], app_id: 'A0001', date_created: 1, date_updated: 1, date_deleted: 0 },
        inputs: { email_or_id: input },
        function_execution_id: executionId,
        workflow_execution_id: `Wx${executionId}`,
        event_ts: '1700000000.000100',
        bot_access_token: WORKFLOW_TOKEN,
      },
      { teamId },
    );

  const completions = async (method: 'functions.completeSuccess' | 'functions.completeError', executionId: string) => {
    const [req] = await h.slack.waitFor(1, (r) => r.url === `/api/${method}` && parseWebApiBody(r).function_execution_id === executionId);
    return { body: parseWebApiBody(req!), authorization: req!.headers.authorization };
  };

  it('completes the step with the user ID, status, Organization role and a summary, using the workflow token', async () => {
    expect(await step('T0001', 'Fx1', ADA.username)).toBe(200);
    const { body, authorization } = await completions('functions.completeSuccess', 'Fx1');
    expect(authorization).toBe(`Bearer ${WORKFLOW_TOKEN}`);
    expect(body.outputs).toEqual({ user_id: ADA.id, status: 'ACTIVE', organization_role: 'ORGANIZATION_MEMBER', summary: 'Ada Lovelace · active · Organization Member' });
  });

  it('fails the step with a friendly message for a workspace that does not answer workflows, and for input that names no one', async () => {
    await step('T0002', 'Fx2', ADA.id);
    const refused = await completions('functions.completeError', 'Fx2');
    expect(refused.body.error).toMatch(/does not let bots and workflows look up Astro users.*Configure/);
    await step('T0001', 'Fx3', 'Ada Lovelace');
    const bad = await completions('functions.completeError', 'Fx3');
    expect(bad.body.error).toMatch(/email address or an Astro user ID/);
    await step('T0001', 'Fx4', 'nobody@example.com');
    const missing = await completions('functions.completeError', 'Fx4');
    expect(missing.body.error).toMatch(/No Astro user in this organization has the email/);
    expect(JSON.stringify([refused, bad, missing])).not.toContain(ASTRO_TOKEN);
  });

  const submit = (values: Record<string, unknown>) =>
    h.interactBody({
      type: 'view_submission',
      team: { id: 'T0001', domain: 'example' },
      user: { id: 'UADMIN1', team_id: 'T0001' },
      api_app_id: 'A0001',
      trigger_id: '1.2.3',
      view: { id: 'V0CONFIG', type: 'modal', callback_id: 'astro_config', private_metadata: JSON.stringify({ k: 'T.T0001' }), hash: 'h', state: { values } },
    });
  const scheduleValues = (channel: string, zone: string) => ({
    report_cadence: { cadence: { type: 'static_select', selected_option: { value: 'weekly:1' } } },
    report_channel: { channel: { type: 'conversations_select', selected_conversation: channel } },
    report_time: { time: { type: 'timepicker', selected_time: '08:30' } },
    report_zone: { zone: { type: 'plain_text_input', value: zone } },
    report_names: { names: { type: 'checkboxes', selected_options: [] } },
  });

  it('refuses an unknown time zone and a channel the bot is not in, or a private one it cannot see, in the modal', async () => {
    const notIn = await submit(scheduleValues('C0NOTIN', 'Mars/Olympus_Mons'));
    const errors = (JSON.parse(notIn.body) as { response_action: string; errors: Record<string, string> }).errors;
    expect(errors.report_zone).toMatch(/Not a time zone name/);
    expect(errors.report_channel).toMatch(/not a member of this channel.*\/invite @astro-user/);

    h.slack.setHandler(slackHandler({ '/api/conversations.info': (_req, res) => json(res, 200, { ok: false, error: 'channel_not_found' }) }));
    const hidden = JSON.parse((await submit(scheduleValues('G0PRIVATE', 'Europe/Berlin'))).body) as { errors: Record<string, string> };
    expect(Object.keys(hidden.errors)).toEqual(['report_channel']);
    expect(hidden.errors.report_channel).toMatch(/private and astro-user is not in it/);
  });

  it('saves the schedule with the connection when the bot is a member of the channel', async () => {
    h.slack.setHandler(slackHandler({ '/api/conversations.info': (req, res) => json(res, 200, { ok: true, channel: { id: new URLSearchParams(req.body).get('channel'), is_member: true } }) }));
    const res = await submit({ astro_token: { token: { type: 'plain_text_input', value: ASTRO_TOKEN } }, ...scheduleValues('C0REPORTS', 'america/new_york') });
    expect(JSON.parse(res.body)).toMatchObject({ response_action: 'update' });
    await h.slack.waitFor(1, (r) => r.url === '/api/views.update' && allText(parseWebApiBody(r)).includes('Report schedule saved'));
    const saved = await createReportSchedules({ store: h.built.stores.settings, sets: h.built.stores.sets }).get('T.T0001');
    expect(saved).toMatchObject({ channelId: 'C0REPORTS', cadence: { kind: 'weekly', weekday: 1 }, time: '08:30', timeZone: 'America/New_York', namePeople: false, savedBy: 'UADMIN1' });
  });

  it('"Show details privately" shows an admin the report privately, and refuses anyone else privately', async () => {
    const adminUrl = h.newResponseUrl();
    await h.clickInMessage({ action_id: 'report_details', value: 'v1' }, { userId: 'UADMIN1', ephemeral: false, responseUrl: adminUrl });
    const [shown] = await h.replies(adminUrl);
    expect(shown).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(allText(shown)).toContain('[private]');
    const memberUrl = h.newResponseUrl();
    await h.clickInMessage({ action_id: 'report_details', value: 'v1' }, { userId: 'U0001', ephemeral: false, responseUrl: memberUrl });
    const [refused] = await h.replies(memberUrl);
    expect(refused).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(allText(refused)).toMatch(/Only Slack workspace admins/);
    expect(report.drawn).toEqual(['private']);
  });
});
