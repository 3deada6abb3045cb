/**
 * `/astro-user offboard <email | @person | user ID>`: what to remove when someone leaves, privately
 * (admins only). Usage and bad input are answered inside the acknowledgement; otherwise, once the
 * person is found, "Building the checklist…" is shown and the checklist replaces it.
 */
import { offboardForAsker } from '../../../app/offboard.js';
import { isUserQuery, type Query } from '../../../core/query.js';
import { askContext, person } from '../../request.js';
import { replyVia } from '../../transport/reply.js';
import { failureMessage, inputProblemMessage } from '../../views/messages.js';
import { buildingChecklistMessage, offboardChooseMessage, offboardHelpMessage, offboardNotAdminMessage, renderOffboard } from '../../views/offboard.js';
import { verbatim } from '../../views/verbatim.js';
import type { ListenerDeps } from '../deps.js';
import { commandName, type Args } from './args.js';

/** Builds the `offboard` subcommand's listener. */
export function offboardCommand(deps: ListenerDeps) {
  return async (args: Args, query: Extract<Query, { kind: 'offboard' }>): Promise<void> => {
    const { command, respond } = args;
    const name = commandName(command.command);
    const who = query.who;
    if (who.kind === 'invalid') return args.ack({ response_type: 'ephemeral', ...verbatim(inputProblemMessage(who.problem, name)) });
    if (!isUserQuery(who)) return args.ack({ response_type: 'ephemeral', ...verbatim(offboardHelpMessage(name)) });
    await args.ack();
    const ctx = askContext(deps, { context: args.context, body: command, client: args.client }, person(command.user_id), 'command');
    let building: Promise<boolean> | undefined;
    const result = await offboardForAsker(deps.services, ctx, who, () => {
      building = replyVia(respond, buildingChecklistMessage, deps.log);
    });
    const shown = building ? await building : false;
    const message =
      result.kind === 'checklist'
        ? renderOffboard(result.data, { astroUiUrl: deps.astroUiUrl })
        : result.kind === 'choose'
          ? offboardChooseMessage(result.candidates, result.text, name)
          : result.kind === 'not_admin'
            ? offboardNotAdminMessage
            : failureMessage(result.failure, who.kind === 'user_id' ? who.userId : '');
    await replyVia(respond, message, deps.log, { replaceOriginal: shown });
  };
}
