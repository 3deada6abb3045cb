/**
 * How a failed chat.postMessage is read: surely not posted (and worth retrying, or not), or
 * perhaps posted (never retried), following Slack's error descriptions
 * (https://docs.slack.dev/reference/methods/chat.postMessage).
 */
import { ErrorCode } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScheduledPost } from '../../../src/app/scheduled-report.js';
import { createLogger } from '../../../src/logger.js';
import { createReportPoster, postFailure } from '../../../src/slack/transport/post-report.js';
import { json, startHttpStub, type HttpStub } from '../../support/http-stub.js';

const platform = (error: string) => Object.assign(new Error(error), { code: ErrorCode.PlatformError, data: { ok: false, error } });

describe('postFailure', () => {
  it('reads an error answer as not posted: retried when it may pass later, not when the bot is not in the channel', () => {
    expect(postFailure(platform('ratelimited'))).toMatchObject({ delivered: 'no', transient: true, reason: 'ratelimited' });
    expect(postFailure(platform('not_in_channel'))).toMatchObject({ delivered: 'no', transient: false, reason: 'not_in_channel' });
    expect(postFailure(Object.assign(new Error('rl'), { code: ErrorCode.RateLimitedError }))).toMatchObject({ delivered: 'no', transient: true });
    expect(postFailure(Object.assign(new Error('refused'), { code: ErrorCode.RequestError, original: { code: 'ECONNREFUSED' } }))).toMatchObject({ delivered: 'no', transient: true });
  });

  it('reads a timeout, a dropped connection, a 5xx and internal_error as "may have been posted"', () => {
    expect(postFailure(Object.assign(new Error('t'), { code: ErrorCode.RequestError, original: { code: 'ETIMEDOUT' } }))).toMatchObject({ delivered: 'unknown' });
    expect(postFailure(Object.assign(new Error('h'), { code: ErrorCode.HTTPError, statusCode: 502 }))).toMatchObject({ delivered: 'unknown', reason: 'http_502' });
    expect(postFailure(platform('internal_error'))).toMatchObject({ delivered: 'unknown' });
  });
});

describe('the scheduled report poster', () => {
  const post: ScheduledPost = {
    kind: 'report',
    report: { attentionCount: 1, render: () => ({ text: 'report', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Inactive people with roles* (1)\n• Ben Banned' } }] }) },
    surface: 'public_names',
    slot: Date.parse('2026-06-12T09:00:00Z'),
    schedule: { channelId: 'C0REPORTS', cadence: { kind: 'daily' }, time: '11:00', timeZone: 'Europe/Berlin', namePeople: true, installation: { teamId: 'T0001' }, savedBy: 'U0ADMIN', savedAt: 0 },
    access: { kind: 'denied' },
    detailsButton: false,
  };
  let slack: HttpStub;
  let channel: Record<string, unknown> | 'down';
  beforeEach(async () => {
    channel = { id: 'C0REPORTS', is_member: true, is_ext_shared: false };
    slack = await startHttpStub((req, res) => {
      if (req.url.startsWith('/api/conversations.info')) return channel === 'down' ? json(res, 503, { ok: false }) : json(res, 200, { ok: true, channel });
      if (req.url.startsWith('/api/chat.postMessage')) return json(res, 200, { ok: true, channel: 'C0REPORTS', ts: '1.2' });
      json(res, 404, { ok: false, error: 'unknown_method' });
    });
  });
  afterEach(() => slack.close());
  const poster = () => createReportPoster({ tokenFor: async () => 'xoxb-test', clientOptions: { slackApiUrl: `${slack.url}/api/` }, log: createLogger({ level: 'silent' }) });
  const posts = () => slack.requests.filter((r) => r.url.startsWith('/api/chat.postMessage')).length;

  it('posts in a channel of this organization', async () => {
    await poster().post({ teamId: 'T0001' }, 'C0REPORTS', post);
    expect(posts()).toBe(1);
  });

  it('posts nothing in a channel shared with another organization since the schedule was saved, and does not retry', async () => {
    for (const shared of [{ is_ext_shared: true }, { is_pending_ext_shared: true }]) {
      channel = { id: 'C0REPORTS', is_member: true, ...shared };
      await expect(poster().post({ teamId: 'T0001' }, 'C0REPORTS', post)).rejects.toMatchObject({ delivered: 'no', transient: false, reason: 'channel_shared' });
    }
    expect(posts()).toBe(0);
  });

  it('posts nothing, and tries again later, when Slack will not say what the channel is', async () => {
    channel = 'down';
    await expect(poster().post({ teamId: 'T0001' }, 'C0REPORTS', post)).rejects.toMatchObject({ delivered: 'no', transient: true });
    expect(posts()).toBe(0);
  });
});
