/**
 * `@astro-user <userId> [<userId>…]` in a channel: a question asked in public, so the answer goes
 * into the thread (the mention's `thread_ts`, or its `ts` when it starts the thread), compact and
 * saying who asked. Each event is answered once although Slack re-delivers events it thinks timed
 * out (`X-Slack-Retry-Num`): an atomic once-only claim on `event_id`.
 */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { findAstroIds, installationOf, lookUp, type SlackDeps } from '../../lookups.js';
import { MAX_CARDS_PER_MESSAGE } from '../../views/card-list.js';
import { renderCards } from '../../views/cards.js';
import { blockKitViolations } from '../../views/limits.js';
import { EXAMPLE_USER_ID } from '../../views/messages.js';
import type { RenderedMessage } from '../../views/user-card.js';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../../logger.js';

/** How long an answered event is remembered: past Slack's last retry (about 5 minutes), in ms. */
export const EVENT_CLAIM_TTL_MS = 60 * 60 * 1000;

const mentionHelp: RenderedMessage = {
  text: 'Mention me with an Astro user ID to see that user here.',
  blocks: [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `Mention me with one or more Astro user IDs, e.g. \`@astro-user ${EXAMPLE_USER_ID}\`, and I'll answer in this thread. For a private answer, use \`/astro-user\`.`,
      },
    },
  ],
};

/** Builds the `app_mention` listener. */
export function appMention(deps: SlackDeps) {
  return async ({ event, body, client, context }: AllMiddlewareArgs & SlackEventMiddlewareArgs<'app_mention'>): Promise<void> => {
    const installation = installationOf(context, body);
    const log = deps.log.child({ surface: 'mention', team: installation.teamId, slackUser: event.user, eventId: body.event_id, retryNum: context.retryNum });
    try {
      const first = await deps.claimOnce(`event:${body.event_id}`, EVENT_CLAIM_TTL_MS);
      if (!first) {
        log.info({ retryReason: context.retryReason }, 'event already answered; ignoring the re-delivery');
        return;
      }
    } catch (err) {
      log.error({ err }, 'could not record the event as answered');
      // Without the claim, a re-delivery could be answered twice: answer only the first delivery,
      // and only to say so.
      if (!context.retryNum) await post(client, event.channel, String(event.thread_ts ?? event.ts), unavailable, log);
      return;
    }
    // Keep thread_ts a string: a number loses trailing zeros and the reply leaves the thread.
    const threadTs = String(event.thread_ts ?? event.ts);
    const ids = findAstroIds(event.text ?? '');
    let message: RenderedMessage;
    if (ids.length === 0) {
      message = mentionHelp;
    } else {
      const asked = ids.slice(0, MAX_CARDS_PER_MESSAGE);
      const items = await Promise.all(asked.map((userId) => lookUp(deps, { installation, slackUserId: event.user, userId, surface: 'mention' })));
      message = renderCards('thread', items, {
        ...(event.user ? { by: event.user } : {}),
        astroUiUrl: deps.astroUiUrl,
        notShown: ids.length - asked.length,
      });
    }
    await post(client, event.channel, threadTs, message, log);
  };
}

const unavailable: RenderedMessage = {
  text: 'astro-user is temporarily unavailable; try again in a moment.',
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: ':construction: astro-user is temporarily unavailable (its storage is not answering). Mention me again in a moment.' } }],
};

/** Posts `message` in the thread `threadTs` of `channel`; failures are logged with Slack's error, never thrown. */
async function post(client: WebClient, channel: string, threadTs: string, message: RenderedMessage, log: Logger): Promise<void> {
  const violations = blockKitViolations(message, 'message');
  if (violations.length > 0) log.error({ violations: violations.slice(0, 10) }, 'thread reply exceeds Block Kit limits; sending text only');
  try {
    await client.chat.postMessage({
      channel,
      thread_ts: threadTs,
      text: message.text,
      ...(violations.length === 0 ? { blocks: message.blocks } : {}),
      unfurl_links: false,
      unfurl_media: false,
    });
  } catch (err) {
    log.warn({ err, slackError: (err as { data?: { error?: string } }).data?.error }, 'could not answer the mention in its thread');
  }
}
