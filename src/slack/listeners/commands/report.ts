/**
 * `/astro-user report`: the admin report, privately. Acknowledges at once; once the asker is let
 * through, "Building the report…" is shown, and the report (or why not) replaces it.
 */
import { reportForAsker } from '../../../app/report.js';
import { askContext, person } from '../../request.js';
import { replyVia } from '../../transport/reply.js';
import { failureMessage } from '../../views/messages.js';
import { buildingReportMessage, renderReport, reportNotAdminMessage } from '../../views/report.js';
import type { ListenerDeps } from '../deps.js';
import type { Args } from './args.js';

/** Builds the `report` subcommand's listener. */
export function reportCommand(deps: ListenerDeps) {
  return async (args: Args): Promise<void> => {
    const { command, respond } = args;
    await args.ack();
    const ctx = askContext(deps, { context: args.context, body: command, client: args.client }, person(command.user_id), 'command');
    let building: Promise<boolean> | undefined;
    const result = await reportForAsker(deps.services, ctx, {
      onBuilding: () => {
        building = replyVia(respond, buildingReportMessage, deps.log);
      },
    });
    const shown = building ? await building : false;
    const message =
      result.kind === 'report' ? renderReport(result.data, { surface: 'ephemeral', astroUiUrl: deps.astroUiUrl }) : result.kind === 'not_admin' ? reportNotAdminMessage : failureMessage(result.failure, '');
    await replyVia(respond, message, deps.log, { replaceOriginal: shown });
  };
}
