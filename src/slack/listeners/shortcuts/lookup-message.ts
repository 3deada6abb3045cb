/**
 * Message shortcut "Look up Astro users": finds Astro user IDs and emails anywhere in a message
 * (an alert, a log line, attachments and blocks included) and answers privately to the person who
 * used it, through the shortcut's `response_url`.
 */
import type { AllMiddlewareArgs, MessageShortcut, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import { lookUpQueries } from '../../../app/lookup-users.js';
import { findUserQueries, MAX_USERS_PER_MESSAGE } from '../../../core/find-queries.js';
import { audienceOf } from '../../../core/visibility.js';
import { askContext, person } from '../../request.js';
import { replyVia } from '../../transport/reply.js';
import { withProgress } from '../../transport/progress.js';
import { nothingFoundMessage, workingOnItMessage } from '../../views/messages.js';
import type { ListenerDeps } from '../deps.js';
import { cardsMessage } from '../render.js';

/** `callback_id` of the shortcut, as in manifest.yml. */
export const LOOKUP_SHORTCUT_ID = 'lookup_astro_users';

/** Every string in a message payload (text, attachments, blocks), at most 5000 of them. */
function messageTexts(message: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, depth: number) => {
    if (depth > 20 || out.length > 5000) return;
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x, depth + 1);
  };
  walk(message, 0);
  return out;
}

/** Builds the shortcut listener. */
export function lookupMessageShortcut(deps: ListenerDeps) {
  return async ({ shortcut, ack, respond, context, client }: AllMiddlewareArgs & SlackShortcutMiddlewareArgs<MessageShortcut>): Promise<void> => {
    await ack();
    const m = shortcut.message as { text?: string; attachments?: unknown; blocks?: unknown };
    // IDs and emails in the message (an alert, a log line); Slack mentions are people, not lookups here.
    const queries = findUserQueries(messageTexts({ text: m.text, attachments: m.attachments, blocks: m.blocks }), { mentions: false });
    if (queries.length === 0) {
      await replyVia(respond, nothingFoundMessage, deps.log);
      return;
    }
    const asked = queries.slice(0, MAX_USERS_PER_MESSAGE);
    const ctx = askContext(deps, { context, body: shortcut, client }, person(shortcut.user.id), 'shortcut');
    const { value: answers, shown } = await withProgress(lookUpQueries(deps.services, ctx, asked), deps.progressAfterMs, () => replyVia(respond, workingOnItMessage, deps.log));
    const message = cardsMessage(deps, ctx.workspace.key, 'private', answers, { audience: audienceOf(shortcut.channel), notShown: queries.length - asked.length });
    await replyVia(respond, message, deps.log, { replaceOriginal: shown === true });
  };
}
