/**
 * How a failed chat.postMessage is read: surely not posted (and worth retrying, or not), or
 * perhaps posted (never retried), following Slack's error descriptions
 * (https://docs.slack.dev/reference/methods/chat.postMessage).
 */
import { ErrorCode } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { postFailure } from '../../../src/slack/transport/post-report.js';

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
