/**
 * Buttons on a card: Refresh, Share to channel, Open in Astro, and a picker's Show. Each
 * acknowledges first, asks one use case, and replies through the click's `response_url`. Where
 * the answer goes is the use case's decision; a refusal or error is always private
 * (`replace_original: false`) and leaves the card as it was. An expired or used-up `response_url`
 * (30 minutes, 5 uses: https://docs.slack.dev/interactivity/handling-user-interaction) gets a
 * private note instead.
 */
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { pickUser as pickUserCase, refreshCard, shareCard } from '../../../app/cards.js';
import { audienceOf } from '../../../core/visibility.js';
import { askContext, person } from '../../request.js';
import { replyVia } from '../../transport/reply.js';
import { failureMessage } from '../../views/messages.js';
import type { ListenerDeps } from '../deps.js';
import { clickOf } from './click.js';
import { answerMessage, cardsMessage } from '../render.js';
import { homeOpenUser } from './home.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;

/** Tells the clicking user, privately, that the card can no longer be changed. Best effort. */
async function expiredNote(deps: ListenerDeps, args: Args, what: string): Promise<void> {
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

/** Refresh: on a message, the use case decides where the fresh card goes; in App Home, redraw Home. */
export function cardRefresh(deps: ListenerDeps) {
  const inHome = homeOpenUser(deps, { bypassCache: true });
  return async (args: Args): Promise<void> => {
    if (args.body.view?.type === 'home') return inHome(args);
    await args.ack();
    const ctx = askContext(deps, { context: args.context, body: args.body, client: args.client }, person(args.body.user.id), 'refresh');
    const result = await refreshCard(deps.services, ctx, deps.cardRefs, clickOf(args));
    const audience = audienceOf(args.body.channel);
    switch (result.kind) {
      case 'ignored':
        deps.log.warn('refresh with an unreadable button value');
        return;
      case 'refused':
        await replyVia(args.respond, failureMessage(result.failure, ''), deps.log);
        return;
      case 'private': {
        const ok = await replyVia(args.respond, cardsMessage(deps, ctx.workspace.key, 'private', result.card.answers, { audience }), deps.log);
        if (!ok) await expiredNote(deps, args, 'refresh that card');
        return;
      }
      case 'replace': {
        const message = cardsMessage(deps, ctx.workspace.key, result.card.kind, result.card.answers, { by: result.card.by, audience });
        const ok = await replyVia(args.respond, message, deps.log, { replaceOriginal: true, responseType: result.inChannel ? 'in_channel' : 'ephemeral' });
        if (!ok) await expiredNote(deps, args, 'refresh that card');
      }
    }
  };
}

/** Share to channel: posts the card for everyone, saying who shared it; or says privately why not. */
export function cardShare(deps: ListenerDeps) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const ctx = askContext(deps, { context: args.context, body: args.body, client: args.client }, person(args.body.user.id), 'share', 'channel');
    const result = await shareCard(deps.services, ctx, deps.cardRefs, clickOf(args));
    if (result.kind === 'ignored') {
      deps.log.warn('share with an unreadable button value');
      return;
    }
    if (result.kind === 'refused') {
      await replyVia(args.respond, failureMessage(result.failure, ''), deps.log);
      return;
    }
    const ok = await replyVia(args.respond, cardsMessage(deps, ctx.workspace.key, 'shared', [{ kind: 'found', found: result.found }], { by: result.by }), deps.log, { responseType: 'in_channel' });
    deps.log.info({ outcome: ok ? 'shared' : 'failed' }, 'share');
    if (!ok) await expiredNote(deps, args, 'share that card');
  };
}

/** A picker's Show button: the chosen user's card replaces the picker (or shows in App Home). */
export function pickUser(deps: ListenerDeps) {
  const inHome = homeOpenUser(deps, { bypassCache: false });
  return async (args: Args): Promise<void> => {
    if (args.body.view?.type === 'home') return inHome(args);
    await args.ack();
    const ctx = askContext(deps, { context: args.context, body: args.body, client: args.client }, person(args.body.user.id), 'picker');
    const answer = await pickUserCase(deps.services, ctx, args.action.value ?? '');
    if (!answer) return;
    const ok = await replyVia(args.respond, answerMessage(deps, ctx.workspace.key, answer, audienceOf(args.body.channel)), deps.log, { replaceOriginal: answer.kind === 'found' });
    if (!ok) await expiredNote(deps, args, 'show that card');
  };
}

/** Open in Astro: Slack opens the link; the click still needs an acknowledgement. */
export function cardOpen() {
  return async (args: Args): Promise<void> => {
    await args.ack();
  };
}
