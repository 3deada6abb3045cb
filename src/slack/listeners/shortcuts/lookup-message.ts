/**
 * Message shortcut "Look up Astro users": finds Astro user IDs anywhere in a message (an alert, a
 * log line, attachments and blocks included) and answers privately to the person who used it,
 * through the shortcut's `response_url`.
 */
import type { AllMiddlewareArgs, MessageShortcut, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import { audienceOf, findUserQueries, installationOf, lookUp, resolveQuery, type SlackDeps } from '../../lookups.js';
import type { CardListItem } from '../../views/card-list.js';
import { replyVia } from '../../reply.js';
import { MAX_CARDS_PER_MESSAGE } from '../../views/card-list.js';
import { renderCards } from '../../views/cards.js';

/** `callback_id` of the shortcut, as in manifest.yml. */
export const LOOKUP_SHORTCUT_ID = 'lookup_astro_users';

/** Every string in a message payload (text, attachments, blocks), at most 5000 of them. */
function messageTexts(message: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, depth: number) => {
    if (depth > 20 || out.length > 5000) return;
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach((x) => walk(x, depth + 1));
    else if (v && typeof v === 'object') Object.values(v).forEach((x) => walk(x, depth + 1));
  };
  walk(message, 0);
  return out;
}

/** Builds the shortcut listener. */
export function lookupMessageShortcut(deps: SlackDeps) {
  return async ({ shortcut, ack, respond, context, client }: AllMiddlewareArgs & SlackShortcutMiddlewareArgs<MessageShortcut>): Promise<void> => {
    await ack();
    const installation = installationOf(context, shortcut);
    const log = deps.log.child({ surface: 'shortcut', team: installation.teamId, slackUser: shortcut.user.id });
    const m = shortcut.message as { text?: string; attachments?: unknown; blocks?: unknown };
    // IDs and emails in the message (an alert, a log line); Slack mentions are people, not lookups here.
    const ids = findUserQueries(messageTexts({ text: m.text, attachments: m.attachments, blocks: m.blocks }), { mentions: false });
    if (ids.length === 0) {
      await replyVia(
        respond,
        { text: 'No Astro user IDs in that message.', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: ':mag: I found no Astro user IDs or emails in that message.' } }] },
        log,
      );
      return;
    }
    const asked = ids.slice(0, MAX_CARDS_PER_MESSAGE);
    const items = await Promise.all(
      asked.map(async (query): Promise<CardListItem> => {
        const resolved = await resolveQuery(deps, { installation, slackUserId: shortcut.user.id, client, query, surface: 'shortcut' });
        const label = query.kind === 'user_id' ? query.userId : '';
        if ('error' in resolved) return { userId: label, error: resolved.error };
        if (!('userId' in resolved)) return { userId: label, error: new Error('several matches') };
        return lookUp(deps, { installation, slackUserId: shortcut.user.id, userId: resolved.userId, surface: 'shortcut', client, visibility: 'private' });
      }),
    );
    const message = renderCards('private', items, {
      audience: audienceOf(shortcut.channel),
      astroUiUrl: deps.astroUiUrl,
      notShown: ids.length - asked.length,
    });
    await replyVia(respond, message, log);
  };
}
