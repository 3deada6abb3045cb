/**
 * `/astro-user <user ID | email | @person | name>` (any name the manifest gives the command):
 * parse, acknowledge, one lookup, a private reply through the command's `response_url`.
 * `help` and bad input are answered inside the acknowledgement; `config` opens the admin's modal.
 */
import { lookUpQuery } from '../../../app/lookup-users.js';
import { parseQuery } from '../../../core/query.js';
import { audienceOf } from '../../../core/visibility.js';
import { askContext, person } from '../../request.js';
import { replyVia } from '../../transport/reply.js';
import { withProgress } from '../../transport/progress.js';
import { helpMessage, inputProblemMessage, workingOnItMessage } from '../../views/messages.js';
import { verbatim } from '../../views/verbatim.js';
import type { ListenerDeps } from '../deps.js';
import { answerMessage } from '../render.js';
import { openConfigModal } from '../views/astro-config.js';
import { accessCommand } from './access.js';
import type { Args } from './args.js';
import { offboardCommand } from './offboard.js';
import { reportCommand } from './report.js';



/** The command's name as Slack sent it (`/astro-user`), for help texts. */
function commandName(command: string | undefined): string {
  return command && /^\/[a-z0-9_-]{1,31}$/.test(command) ? command : '/astro-user';
}

/** Builds the slash command listener. */
export function astroUserCommand(deps: ListenerDeps) {
  return async (args: Args): Promise<void> => {
    const { command, ack, respond } = args;
    const name = commandName(command.command);
    const query = parseQuery(command.text);
    if (query.kind === 'config') {
      await ack();
      await openConfigModal(deps, { client: args.client, context: args.context, body: command, triggerId: command.trigger_id, userId: command.user_id });
      return;
    }
    if (query.kind === 'access' || query.kind === 'access_help') return accessCommand(deps)(args, query);
    if (query.kind === 'report') return reportCommand(deps)(args);
    if (query.kind === 'offboard') return offboardCommand(deps)(args, query);
    if (query.kind === 'help') return ack({ response_type: 'ephemeral', ...verbatim(helpMessage(name)) });
    if (query.kind === 'invalid') return ack({ response_type: 'ephemeral', ...verbatim(inputProblemMessage(query.problem, name)) });
    await ack();
    const ctx = askContext(deps, { context: args.context, body: command, client: args.client }, person(command.user_id), 'command');
    const { value: answer, shown } = await withProgress(lookUpQuery(deps.services, ctx, query), deps.progressAfterMs, () => replyVia(respond, workingOnItMessage, deps.log));
    const message = answerMessage(deps, ctx.workspace.key, answer, audienceOf({ id: command.channel_id, name: command.channel_name }));
    await replyVia(respond, message, deps.log, { replaceOriginal: shown === true });
  };
}
