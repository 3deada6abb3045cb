/**
 * Buttons on an access answer: Refresh, Share to channel, Show full list (a modal), a picker's or
 * a suggestion's Show, and Open in Astro. Each acknowledges first and asks one use case; where the
 * answer goes is the use case's decision; a refusal or error is always private and leaves the
 * message as it was.
 */
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { View } from '@slack/types';
import { lookUpAccess, refreshAccess, shareAccess } from '../../../app/access.js';
import { audienceOf } from '../../../core/visibility.js';
import { askContext, person } from '../../request.js';
import { replyVia } from '../../transport/reply.js';
import { parseSubjectValue, renderAccess } from '../../views/access.js';
import { blockKitViolations, truncate } from '../../views/limits.js';
import { failureMessage } from '../../views/messages.js';
import type { ListenerDeps } from '../deps.js';
import { clickOf } from './click.js';
import { accessMessage } from '../render.js';
import { showAccessInHome } from './home.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;

/** Refresh: asks Astro again; the use case decides where the fresh answer goes. */
export function accessRefresh(deps: ListenerDeps) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    if (args.body.view?.type === 'home') {
      // In App Home the list is always the viewer's own: the button carries the subject only.
      const subject = parseSubjectValue(args.action.value);
      if (subject) return showAccessInHome(deps, args, subject, true);
      return;
    }
    const ctx = askContext(deps, { context: args.context, body: args.body, client: args.client }, person(args.body.user.id), 'refresh');
    const result = await refreshAccess(deps.services, ctx, deps.cardRefs, clickOf(args));
    const audience = audienceOf(args.body.channel);
    switch (result.kind) {
      case 'ignored':
        deps.log.warn('access refresh with an unreadable button value');
        return;
      case 'refused':
        await replyVia(args.respond, failureMessage(result.failure, ''), deps.log);
        return;
      case 'private':
        await replyVia(args.respond, accessMessage(deps, ctx.workspace.key, result.answer, { audience }), deps.log);
        return;
      case 'replace': {
        const message = accessMessage(deps, ctx.workspace.key, result.answer, { kind: result.shown.kind, by: result.shown.by, audience, surface: result.shown.kind === 'thread' ? 'thread' : 'message' });
        await replyVia(args.respond, message, deps.log, { replaceOriginal: true, responseType: result.inChannel ? 'in_channel' : 'ephemeral' });
      }
    }
  };
}

/** Share to channel: posts the answer for everyone, saying who shared it; or says privately why not. */
export function accessShare(deps: ListenerDeps) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const ctx = askContext(deps, { context: args.context, body: args.body, client: args.client }, person(args.body.user.id), 'share', 'channel');
    const result = await shareAccess(deps.services, ctx, deps.cardRefs, clickOf(args));
    if (result.kind === 'ignored') return void deps.log.warn('access share with an unreadable button value');
    if (result.kind === 'refused') return void (await replyVia(args.respond, failureMessage(result.failure, ''), deps.log));
    await replyVia(args.respond, accessMessage(deps, ctx.workspace.key, result.answer, { kind: 'shared', by: result.by }), deps.log, { responseType: 'in_channel' });
  };
}

/** A picker's or suggestion's Show: the chosen subject's answer replaces the picker (or shows in App Home). */
export function accessPick(deps: ListenerDeps) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const subject = parseSubjectValue(args.action.value);
    if (!subject) return void deps.log.warn('access pick with an unreadable button value');
    if (args.body.view?.type === 'home') return showAccessInHome(deps, args, subject, false);
    const ctx = askContext(deps, { context: args.context, body: args.body, client: args.client }, person(args.body.user.id), 'picker');
    const answer = await lookUpAccess(deps.services, ctx, subject);
    await replyVia(args.respond, accessMessage(deps, ctx.workspace.key, answer, { audience: audienceOf(args.body.channel) }), deps.log, { replaceOriginal: answer.kind === 'found' });
  };
}

/** A modal's frame: title ≤ 24 characters (https://docs.slack.dev/reference/views/modal-views). */
function modal(title: string, blocks: View['blocks']): View {
  return { type: 'modal', title: { type: 'plain_text', text: truncate(title, 24) }, close: { type: 'plain_text', text: 'Close' }, blocks };
}

/**
 * Show full list: opens a modal at once (a `trigger_id` lasts 3 s: https://docs.slack.dev/reference/methods/views.open),
 * then fills it with the whole answer, for the clicker only, under the asker rules.
 */
export function accessFull(deps: ListenerDeps) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const subject = parseSubjectValue(args.action.value);
    if (!subject) return void deps.log.warn('access full list with an unreadable button value');
    let viewId: string | undefined;
    try {
      const opened = await args.client.views.open({
        trigger_id: args.body.trigger_id,
        view: modal('Who can access', [{ type: 'section', text: { type: 'mrkdwn', text: ':hourglass_flowing_sand: Reading the full list…' } }]),
      });
      viewId = opened.view?.id;
    } catch (err) {
      deps.log.warn({ err, slackError: (err as { data?: { error?: string } }).data?.error }, 'could not open the full-list modal');
      return;
    }
    const ctx = askContext(deps, { context: args.context, body: args.body, client: args.client }, person(args.body.user.id), 'picker');
    const answer = await lookUpAccess(deps.services, ctx, subject);
    const rendered = answer.kind === 'found' ? renderAccess(answer.result, { surface: 'modal', kind: 'private', astroUiUrl: deps.astroUiUrl, now: Date.now() }) : accessMessage(deps, ctx.workspace.key, answer);
    const view = modal('Who can access', rendered.blocks);
    const problems = blockKitViolations({ blocks: view.blocks }, 'view');
    if (problems.length > 0) deps.log.error({ problems }, 'full-list modal outside Block Kit limits');
    try {
      if (viewId) await args.client.views.update({ view_id: viewId, view: problems.length > 0 ? modal('Who can access', failureMessage({ code: 'unexpected' }, '').blocks) : view });
    } catch (err) {
      deps.log.warn({ err, slackError: (err as { data?: { error?: string } }).data?.error }, 'could not fill the full-list modal');
    }
  };
}

/**
 * An unfurl's "Who has access?": the full list, only for the clicker (ephemeral, never replacing
 * the message, which is the poster's), under the asker rules.
 */
export function accessPrivately(deps: ListenerDeps) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const subject = parseSubjectValue(args.action.value);
    if (!subject) return void deps.log.warn('unfurl button with an unreadable value');
    const ctx = askContext(deps, { context: args.context, body: args.body, client: args.client }, person(args.body.user.id), 'picker');
    const answer = await lookUpAccess(deps.services, ctx, subject);
    await replyVia(args.respond, accessMessage(deps, ctx.workspace.key, answer, { audience: audienceOf(args.body.channel) }), deps.log, { replaceOriginal: false, responseType: 'ephemeral' });
  };
}
