/**
 * "Show details privately" on a scheduled report posted in a channel: the on-demand report for an
 * admin who clicks, privately (ephemeral, the channel post is left as it is); anyone else gets a
 * private refusal. Who sees it is the use case's rule, not the button's value.
 */
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { reportDetails } from '../../../app/report-schedule-config.js';
import { askContext, person } from '../../request.js';
import { failureMessage } from '../../views/messages.js';
import { reportDetailsRefusal } from '../../views/scheduled-report.js';
import { verbatim } from '../../views/verbatim.js';
import type { ListenerDeps } from '../deps.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;

/** Builds the button's listener. */
export function reportDetailsAction(deps: ListenerDeps) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const ctx = askContext(deps, { context: args.context, body: args.body, client: args.client }, person(args.body.user.id), 'report', 'private');
    const result = await reportDetails(deps.services, ctx);
    const message = result.kind === 'report' ? { text: result.rendered.text, blocks: [...result.rendered.blocks] } : result.kind === 'not_admin' ? reportDetailsRefusal() : failureMessage(result.failure, '');
    await args
      .respond(verbatim({ response_type: 'ephemeral', replace_original: false, text: message.text, blocks: message.blocks as never }))
      .catch((err: unknown) => deps.log.warn({ err }, 'could not show the report details'));
  };
}
