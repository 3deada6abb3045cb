/**
 * `@astro-user …` in a conversation: the answer goes into the thread (the mention's `thread_ts`,
 * or its `ts` when it starts the thread), compact and saying who asked; privately (ephemeral in
 * the thread) where the use case says so. Mentions by bots and workflows carry `bot_id`.
 * Source: https://docs.slack.dev/reference/events/app_mention
 */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { answerMention } from '../../../app/mention.js';
import type { Asker } from '../../../app/request.js';
import type { Logger } from '../../../logger.js';
import { askContext } from '../../request.js';
import { blockKitViolations } from '../../views/limits.js';
import { failureMessage, mentionHelp } from '../../views/messages.js';
import type { RenderedMessage } from '../../views/user-card.js';
import { verbatim } from '../../views/verbatim.js';
import type { ListenerDeps } from '../deps.js';
import { cardsMessage } from '../render.js';

type Args = AllMiddlewareArgs & SlackEventMiddlewareArgs<'app_mention'>;

/** Who wrote the mention: a person, or a bot or workflow (`bot_id`, or `subtype: bot_message`). */
function askerOf(event: Args['event']): Asker | undefined {
  const e = event as { user?: string; bot_id?: string; subtype?: string };
  if (e.bot_id || e.subtype === 'bot_message') return { kind: 'bot', botId: e.bot_id ?? 'unknown', ...(e.user ? { slackUserId: e.user } : {}) };
  return e.user ? { kind: 'person', slackUserId: e.user } : undefined;
}

/** Builds the `app_mention` listener. */
export function appMention(deps: ListenerDeps) {
  return async ({ event, body, client, context }: Args): Promise<void> => {
    const asker = askerOf(event);
    if (!asker) return;
    const ctx = askContext(deps, { context, body, client }, asker, 'mention', 'thread');
    const result = await answerMention(
      deps.services,
      ctx,
      {
        eventId: body.event_id,
        text: typeof event.text === 'string' ? event.text : '',
        inSharedChannel: Boolean((body as { is_ext_shared_channel?: boolean }).is_ext_shared_channel),
        self: { ...(context.botUserId ? { userId: context.botUserId } : {}), ...(context.botId ? { botId: context.botId } : {}) },
      },
      context.retryNum,
    );
    if (result.kind === 'ignore') {
      if (result.reason === 'already_answered') deps.log.info({ retryReason: context.retryReason }, 'event already answered; ignoring the re-delivery');
      return;
    }
    // Keep thread_ts a string: a number loses trailing zeros and the reply leaves the thread.
    const threadTs = event.thread_ts ?? event.ts ? String(event.thread_ts ?? event.ts) : '';
    const privatelyTo = result.privately ? asker.slackUserId : undefined;
    // A private answer with nobody to show it to (a workflow without a user) is not posted.
    if (result.privately && !privatelyTo) return;
    const message =
      result.kind === 'help'
        ? mentionHelp
        : result.kind === 'refused'
          ? failureMessage(result.failure, '')
          : cardsMessage(deps, 'thread', result.answers, { by: asker.slackUserId, notShown: result.notShown });
    await post(client, { channel: event.channel, threadTs, ...(privatelyTo ? { privatelyTo } : {}) }, message, deps.log);
  };
}

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
