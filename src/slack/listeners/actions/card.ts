/**
 * Buttons on a card: Refresh (bypasses the cache and replaces the message in place), Share to
 * channel (posts through the click's own `response_url` with `response_type: in_channel`, so it
 * works where the bot is not a member), and Open in Astro (a link; only acknowledged). Every
 * action acknowledges first; an expired or used-up `response_url` (30 minutes, 5 uses) gets a
 * clear ephemeral note instead of an error.
 */
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { installationKey, type InstallationRef } from '../../../lookup/settings.js';
import { audienceOf, installationOf, lookUp, type SlackDeps } from '../../lookups.js';
import { replyVia } from '../../reply.js';
import { parseCardButtonValue, renderCards } from '../../views/cards.js';
import { homeOpenUser } from './home.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;

/** Tells the clicking user, privately, that the card can no longer be changed. Best effort. */
async function expiredNote(deps: SlackDeps, args: Args, what: string): Promise<void> {
  const channel = args.body.channel?.id;
  if (!channel) return;
  try {
    await args.client.chat.postEphemeral({
      channel,
      user: args.body.user.id,
      text: `I couldn't ${what}: Slack lets an app change a reply for 30 minutes only. Run \`/astro-user\` again for a fresh card.`,
    });
  } catch (err) {
    deps.log.warn({ err, slackError: (err as { data?: { error?: string } }).data?.error }, 'could not post the expired-card note');
  }
}

/** Refresh: on a message, redraw it with fresh data for the clicked card; in App Home, redraw Home. */
export function cardRefresh(deps: SlackDeps) {
  const inHome = homeOpenUser(deps, { bypassCache: true });
  return async (args: Args): Promise<void> => {
    if (args.body.view?.type === 'home') return inHome(args);
    await args.ack();
    const info = parseCardButtonValue(args.action.value);
    const log = deps.log.child({ surface: 'action', action: 'refresh', slackUser: args.body.user.id });
    if (!info) {
      log.warn('refresh with an unreadable button value');
      return;
    }
    const installation = installationOf(args.context, args.body);
    const items = await Promise.all(
      info.list.map((userId) =>
        lookUp(deps, {
          installation,
          slackUserId: args.body.user.id,
          userId,
          bypassCache: userId === info.userId,
          surface: 'refresh',
          client: args.client,
          visibility: info.kind === 'private' ? 'private' : info.kind === 'thread' ? 'thread' : 'channel',
        }),
      ),
    );
    const message = renderCards(info.kind, items, {
      ...(info.by ? { by: info.by } : {}),
      audience: audienceOf(args.body.channel),
      astroUiUrl: deps.astroUiUrl,
    });
    const ok = await replyVia(args.respond, message, log, { replaceOriginal: true, responseType: info.kind === 'private' ? 'ephemeral' : 'in_channel' });
    if (!ok) await expiredNote(deps, args, 'refresh that card');
  };
}

/** Share to channel: posts the card for everyone, saying who shared it. */
export function cardShare(deps: SlackDeps) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const info = parseCardButtonValue(args.action.value);
    const log = deps.log.child({ surface: 'action', action: 'share', slackUser: args.body.user.id });
    if (!info) {
      log.warn('share with an unreadable button value');
      return;
    }
    const installation = installationOf(args.context, args.body);
    if (!(await mayPostPublicly(deps, args, installation))) {
      await replyVia(
        args.respond,
        {
          text: 'Cards stay private in this conversation.',
          blocks: [{ type: 'section', text: { type: 'mrkdwn', text: ":lock: This conversation is shared with another organization (or I can't tell), so cards stay private here. An admin can allow public cards in Slack Connect channels (App Home → Configure)." } }],
        },
        log,
      );
      return;
    }
    const item = await lookUp(deps, { installation, slackUserId: args.body.user.id, userId: info.userId, surface: 'share', client: args.client, visibility: 'channel' });
    if (!('user' in item)) {
      await replyVia(args.respond, renderCards('private', [item], { astroUiUrl: deps.astroUiUrl }), log);
      return;
    }
    const message = renderCards('shared', [item], { by: args.body.user.id, astroUiUrl: deps.astroUiUrl });
    const ok = await replyVia(args.respond, message, log, { responseType: 'in_channel' });
    log.info({ outcome: ok ? 'shared' : 'failed' }, 'share');
    if (!ok) await expiredNote(deps, args, 'share that card');
  };
}

/**
 * Whether a card may be posted for everyone in the clicked conversation: not in one shared with
 * another organization (Slack Connect: `conversations.info` `is_ext_shared`), unless the workspace
 * allows it. When Slack cannot say, the card stays private.
 */
async function mayPostPublicly(deps: SlackDeps, args: Args, installation: InstallationRef): Promise<boolean> {
  const policy = await deps.settings.getPolicy(installationKey(installation)).catch(() => undefined);
  if (!policy) return false;
  if (policy.allowPublicInSharedChannels) return true;
  const channel = args.body.channel?.id;
  if (!channel) return false;
  try {
    const info = await args.client.conversations.info({ channel });
    const c = info.channel as { is_ext_shared?: boolean; is_pending_ext_shared?: boolean } | undefined;
    return Boolean(c) && !c!.is_ext_shared && !c!.is_pending_ext_shared;
  } catch (err) {
    deps.log.info({ err: { message: (err as Error).message }, slackError: (err as { data?: { error?: string } }).data?.error }, 'conversations.info failed; keeping the card private');
    return false;
  }
}

/** A picker's Show button: the chosen user's card replaces the picker (or shows in App Home). */
export function pickUser(deps: SlackDeps) {
  const inHome = homeOpenUser(deps, { bypassCache: false });
  return async (args: Args): Promise<void> => {
    if (args.body.view?.type === 'home') return inHome(args);
    await args.ack();
    const userId = args.action.value ?? '';
    if (!/^c[0-9a-z]{24}$/.test(userId)) return;
    const installation = installationOf(args.context, args.body);
    const item = await lookUp(deps, { installation, slackUserId: args.body.user.id, userId, surface: 'picker', client: args.client, visibility: 'private' });
    const message = renderCards('private', [item], { audience: audienceOf(args.body.channel), astroUiUrl: deps.astroUiUrl });
    const ok = await replyVia(args.respond, message, deps.log.child({ surface: 'picker' }), { replaceOriginal: true });
    if (!ok) await expiredNote(deps, args, 'show that card');
  };
}

/** Open in Astro: Slack opens the link; the click still needs an acknowledgement. */
export function cardOpen() {
  return async (args: Args): Promise<void> => {
    await args.ack();
  };
}
