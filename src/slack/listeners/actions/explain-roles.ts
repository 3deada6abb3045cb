/**
 * "What can they do?" on a card or an access list: acknowledge, open a modal at once (a
 * `trigger_id` expires after 3 seconds: https://docs.slack.dev/reference/methods/views.open) saying
 * the roles are being read, then replace it with the answer (`views.update`). A button value that
 * does not parse opens a friendly modal instead, with no Astro call. The modal is seen by the
 * clicker alone.
 */
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { explainRoles } from '../../../app/explain-roles.js';
import { askContext, person } from '../../request.js';
import { explainRolesModal, loadingExplainModal, parseExplainValue, unreadableExplainModal } from '../../views/explain-roles.js';
import { verbatim } from '../../views/verbatim.js';
import type { ListenerDeps } from '../deps.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;

const slackError = (err: unknown) => (err as { data?: { error?: string } }).data?.error;

/** The button's listener. Never throws (Slack failures are logged). */
export function explainRolesAction(deps: ListenerDeps) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const request = parseExplainValue(args.action.value);
    let viewId: string | undefined;
    try {
      const opened = await args.client.views.open({ trigger_id: args.body.trigger_id, view: request ? loadingExplainModal() : unreadableExplainModal() });
      viewId = (opened.view as { id?: string } | undefined)?.id;
    } catch (err) {
      deps.log.warn({ err, slackError: slackError(err) }, 'views.open failed');
      return;
    }
    if (!request) {
      deps.log.warn('explain roles with an unreadable button value');
      return;
    }
    const ctx = askContext(deps, { context: args.context, body: args.body, client: args.client }, person(args.body.user.id), 'explain');
    const result = await explainRoles(deps.services, ctx, request.roles);
    if (!viewId) return;
    await args.client.views
      .update({ view_id: viewId, view: verbatim(explainRolesModal(result, { omitted: request.omitted })) })
      .catch((err: unknown) => deps.log.warn({ err, slackError: slackError(err) }, 'could not fill the roles modal'));
  };
}
