/**
 * What a channel is to the bot, read with `conversations.info`
 * (https://docs.slack.dev/reference/methods/conversations.info): `is_member`, `is_archived`,
 * `is_ext_shared` / `is_pending_ext_shared`; a private channel the bot is not in answers
 * `channel_not_found`. The application layer's {@link ChannelCheck}.
 */
import type { WebClient } from '@slack/web-api';
import type { ChannelAccess, ChannelCheck } from '../app/report-schedule-config.js';
import type { Logger } from '../logger.js';

/** A {@link ChannelCheck} over the request's Web API client. Never throws (`unknown` when Slack does not answer). */
export function channelCheckOf(client: WebClient, log: Logger): ChannelCheck {
  return async (channelId): Promise<ChannelAccess> => {
    try {
      const res = await client.conversations.info({ channel: channelId });
      const c = (res.channel ?? {}) as { is_member?: boolean; is_archived?: boolean; is_ext_shared?: boolean; is_pending_ext_shared?: boolean };
      if (c.is_ext_shared || c.is_pending_ext_shared) return 'shared';
      if (c.is_archived) return 'archived';
      return c.is_member ? 'member' : 'not_member';
    } catch (err) {
      const code = (err as { data?: { error?: string } }).data?.error;
      if (code === 'channel_not_found') return 'not_visible';
      log.warn({ err, slackError: code }, 'conversations.info failed while checking the report channel');
      return 'unknown';
    }
  };
}
