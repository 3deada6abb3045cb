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
import { failureMessage, mentionHelp, workingOnItMessage } from '../../views/messages.js';
import type { RenderedMessage } from '../../views/user-card.js';
import { verbatim } from '../../views/verbatim.js';
import type { ListenerDeps } from '../deps.js';
import { accessMessage, cardsMessage } from '../render.js';

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
    // Keep thread_ts a string: a number loses trailing zeros and the reply leaves the thread.
    const threadTs = event.thread_ts ?? event.ts ? String(event.thread_ts ?? event.ts) : '';
    // A public answer that takes more than a moment shows a note first, which the answer replaces
    // (chat.update). Ephemeral answers cannot be updated by the app, so they show none.
    let note: Promise<string | undefined> | undefined;
    let timer: NodeJS.Timeout | undefined;
    const startProgress = ({ privately }: { privately: boolean }) => {
      if (privately) return;
      timer = setTimeout(() => {
        note = post(client, { channel: event.channel, threadTs }, workingOnItMessage, deps.log);
      }, deps.progressAfterMs);
    };
    const result = await answerMention(
      deps.services,
      ctx,
      {
        eventId: body.event_id,
        text: typeof event.text === 'string' ? event.text : '',
        inSharedChannel: Boolean((body as { is_ext_shared_channel?: boolean }).is_ext_shared_channel),
        channel: event.channel,
        self: { ...(context.botUserId ? { userId: context.botUserId } : {}), ...(context.botId ? { botId: context.botId } : {}) },
      },
      context.retryNum,
      startProgress,
    );
    clearTimeout(timer);
    if (result.kind === 'ignore') {
      if (result.reason === 'already_answered') deps.log.info({ retryReason: context.retryReason }, 'event already answered; ignoring the re-delivery');
      return;
    }
    const privatelyTo = result.privately ? asker.slackUserId : undefined;
    // A private answer with nobody to show it to (a workflow without a user) is not posted.
    if (result.privately && !privatelyTo) return;
    const message =
      result.kind === 'help'
        ? mentionHelp
        : result.kind === 'refused'
          ? failureMessage(result.failure, '')
          : result.kind === 'access'
            ? accessMessage(deps, ctx.workspace.key, result.answer, { surface: 'thread', kind: result.privately ? 'private' : 'thread', by: asker.slackUserId })
            : cardsMessage(deps, ctx.workspace.key, 'thread', result.answers, { by: asker.slackUserId, notShown: result.notShown });
    const noteTs = await note;
    await post(client, { channel: event.channel, threadTs, ...(privatelyTo ? { privatelyTo } : {}), ...(noteTs && !privatelyTo ? { replaceTs: noteTs } : {}) }, message, deps.log);
  };
}

/**
 * Posts `message` in the thread `threadTs` of `channel`, for everyone or (`privatelyTo`) as an
 * ephemeral message to one user, or replaces the app's own message `replaceTs` (`chat.update`);
 * failures are logged with Slack's error, never thrown.
 * @returns the `ts` of the message posted for everyone, when Slack gave one.
 */
async function post(client: WebClient, to: { channel: string; threadTs: string; privatelyTo?: string; replaceTs?: string }, message: RenderedMessage, log: Logger): Promise<string | undefined> {
  const { channel, threadTs } = to;
  const violations = blockKitViolations(message, 'message');
  if (violations.length > 0) log.error({ violations: violations.slice(0, 10) }, 'thread reply exceeds Block Kit limits; sending text only');
  const content = { channel, ...(threadTs ? { thread_ts: threadTs } : {}), text: message.text, ...(violations.length === 0 ? { blocks: verbatim(message.blocks) } : {}) };
  try {
    if (to.privatelyTo) {
      await client.chat.postEphemeral({ ...content, user: to.privatelyTo });
      return undefined;
    }
    if (to.replaceTs) {
      const { thread_ts: _thread, ...updated } = content;
      try {
        await client.chat.update({ ...updated, ts: to.replaceTs });
        return to.replaceTs;
      } catch (err) {
        // The note could not be replaced (deleted meanwhile?): post the answer after it instead.
        log.warn({ err, slackError: (err as { data?: { error?: string } }).data?.error }, 'could not replace the progress note; posting the answer');
      }
    }
    const res = await client.chat.postMessage({ ...content, unfurl_links: false, unfurl_media: false });
    return typeof res.ts === 'string' ? res.ts : undefined;
  } catch (err) {
    log.warn({ err, slackError: (err as { data?: { error?: string } }).data?.error }, 'could not answer the mention in its thread');
    return undefined;
  }
}
