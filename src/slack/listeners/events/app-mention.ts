/**
 * `@astro-user <userId> [<userId>…]` in a channel: a question asked in public, so the answer goes
 * into the thread (the mention's `thread_ts`, or its `ts` when it starts the thread), compact and
 * saying who asked. Each event is answered once although Slack re-delivers events it thinks timed
 * out (`X-Slack-Retry-Num`): an atomic once-only claim on `event_id`.
 */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { installationKey } from '../../../lookup/settings.js';
import { findUserQueries, installationOf, lookUp, resolveQuery, type SlackDeps } from '../../lookups.js';
import type { CardListItem } from '../../views/card-list.js';
import { MAX_CARDS_PER_MESSAGE } from '../../views/card-list.js';
import { renderCards } from '../../views/cards.js';
import { blockKitViolations } from '../../views/limits.js';
import { EXAMPLE_USER_ID } from '../../views/messages.js';
import type { RenderedMessage } from '../../views/user-card.js';
import { verbatim } from '../../views/verbatim.js';
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
        text: `Mention me with Astro user IDs, emails or people, e.g. \`@astro-user ${EXAMPLE_USER_ID}\` or \`@astro-user @jane\`, and I'll answer in this thread. For a private answer, use \`/astro-user\`.`,
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
      if (!context.retryNum) await post(client, { channel: event.channel, threadTs: String(event.thread_ts ?? event.ts ?? ''), ...(event.user ? { privatelyTo: event.user } : {}) }, unavailable, log);
      return;
    }
    // Keep thread_ts a string: a number loses trailing zeros and the reply leaves the thread.
    const threadTs = event.thread_ts ?? event.ts ? String(event.thread_ts ?? event.ts) : '';
    // A channel shared with another organization (Slack Connect) gets no public card unless the
    // workspace allows it; a workspace may also make every mention answer private.
    let privately = true;
    try {
      const policy = await deps.settings.getPolicy(installationKey(installation));
      const shared = Boolean((body as { is_ext_shared_channel?: boolean }).is_ext_shared_channel);
      privately = policy.privateMentionReplies || (shared && !policy.allowPublicInSharedChannels);
    } catch (err) {
      log.warn({ err }, 'could not read the workspace policy; answering privately');
    }
    const to = { channel: event.channel, threadTs, ...(privately && event.user ? { privatelyTo: event.user } : {}) };
    const queries = findUserQueries(typeof event.text === 'string' ? event.text : '', { exceptUser: context.botUserId });
    let message: RenderedMessage;
    if (queries.length === 0) {
      message = mentionHelp;
    } else {
      const asked = queries.slice(0, MAX_CARDS_PER_MESSAGE);
      const items = await Promise.all(
        asked.map(async (query): Promise<CardListItem> => {
          const resolved = await resolveQuery(deps, { installation, slackUserId: event.user, client, query, surface: 'mention' });
          const label = query.kind === 'user_id' ? query.userId : '';
          if ('error' in resolved) return { userId: label, error: resolved.error };
          if (!('userId' in resolved)) return { userId: label, error: new Error('several matches') };
          return lookUp(deps, { installation, slackUserId: event.user, userId: resolved.userId, surface: 'mention', client, visibility: privately ? 'private' : 'thread' });
        }),
      );
      message = renderCards('thread', items, {
        ...(event.user ? { by: event.user } : {}),
        astroUiUrl: deps.astroUiUrl,
        notShown: queries.length - asked.length,
      });
    }
    await post(client, to, message, log);
  };
}

const unavailable: RenderedMessage = {
  text: 'astro-user is temporarily unavailable; try again in a moment.',
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: ':construction: astro-user is temporarily unavailable (its storage is not answering). Mention me again in a moment.' } }],
};

/**
 * Posts `message` in the thread `threadTs` of `channel`, for everyone or (`privatelyTo`) as an
 * ephemeral message to one user; failures are logged with Slack's error, never thrown.
 */
async function post(client: WebClient, to: { channel: string; threadTs: string; privatelyTo?: string }, message: RenderedMessage, log: Logger): Promise<void> {
  const { channel, threadTs } = to;
  const violations = blockKitViolations(message, 'message');
  if (violations.length > 0) log.error({ violations: violations.slice(0, 10) }, 'thread reply exceeds Block Kit limits; sending text only');
  const content = { channel, ...(threadTs ? { thread_ts: threadTs } : {}), text: message.text, ...(violations.length === 0 ? { blocks: verbatim(message.blocks) } : {}) };
  try {
    if (to.privatelyTo) await client.chat.postEphemeral({ ...content, user: to.privatelyTo });
    else await client.chat.postMessage({ ...content, unfurl_links: false, unfurl_media: false });
  } catch (err) {
    log.warn({ err, slackError: (err as { data?: { error?: string } }).data?.error }, 'could not answer the mention in its thread');
  }
}
