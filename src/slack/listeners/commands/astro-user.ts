/**
 * `/astro-user <userId>`: acknowledges at once (before any I/O), then looks the user up and
 * replies privately through the command's `response_url`, which works in DMs and private
 * channels where the bot is not a member.
 */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { Lookup } from '../../../lookup/lookup.js';
import type { Logger } from '../../../logger.js';
import { parseQuery } from '../../query.js';
import { replyVia } from '../../reply.js';
import { helpMessage, inputProblemMessage, lookupErrorMessage } from '../../views/messages.js';
import { renderUserCard, type RenderedMessage } from '../../views/user-card.js';

/** What the command listener needs. */
export interface AstroUserCommandDeps {
  lookup: Lookup;
  log: Logger;
}

/** The command name as typed, when it looks like one; else `/astro-user`. */
function commandName(command: string | undefined): string {
  return command && /^\/[a-z0-9_-]{1,31}$/.test(command) ? command : '/astro-user';
}

/** Builds the `/astro-user` listener. */
export function astroUserCommand(deps: AstroUserCommandDeps) {
  return async ({ command, ack, respond, context }: AllMiddlewareArgs & SlackCommandMiddlewareArgs): Promise<void> => {
    const name = commandName(command.command);
    const query = parseQuery(command.text);
    if (query.kind === 'help') {
      await ack({ response_type: 'ephemeral', ...helpMessage(name) });
      return;
    }
    if (query.kind === 'invalid') {
      await ack({ response_type: 'ephemeral', ...inputProblemMessage(query.problem, name) });
      return;
    }
    await ack();

    const log = deps.log.child({ surface: 'command', team: command.team_id, slackUser: command.user_id });
    let message: RenderedMessage;
    try {
      const result = await deps.lookup.lookupUser({
        installation: {
          teamId: context.teamId ?? command.team_id,
          enterpriseId: context.enterpriseId ?? command.enterprise_id,
          isEnterpriseInstall: context.isEnterpriseInstall,
        },
        userId: query.userId,
      });
      log.info({ outcome: 'found', fromCache: result.fromCache }, 'lookup');
      message = renderUserCard(result.user, { surface: 'message', fetchedAt: result.fetchedAt });
    } catch (err) {
      log.info({ outcome: 'error', kind: (err as { kind?: string }).kind ?? 'unexpected', err }, 'lookup');
      message = lookupErrorMessage(err, query.userId);
    }
    await replyVia(respond, message, log);
  };
}
