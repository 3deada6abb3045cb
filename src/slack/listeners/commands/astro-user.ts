/**
 * `/astro-user <userId>`: acknowledges at once (before any I/O), then looks the user up and
 * replies privately through the command's `response_url`, which works in DMs and private
 * channels where the bot is not a member.
 */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { InstallationRef } from '../../../lookup/settings.js';
import { audienceOf, installationOf, lookUp, resolveQuery, type SlackDeps } from '../../lookups.js';
import { renderPicker } from '../../views/picker.js';
import { parseQuery } from '../../query.js';
import { replyVia } from '../../reply.js';
import { renderCards } from '../../views/cards.js';
import { verbatim } from '../../views/verbatim.js';
import { helpMessage, inputProblemMessage, lookupErrorMessage } from '../../views/messages.js';

/** The command name as typed, when it looks like one; else `/astro-user`. */
function commandName(command: string | undefined): string {
  return command && /^\/[a-z0-9_-]{1,31}$/.test(command) ? command : '/astro-user';
}

/** Builds the `/astro-user` listener; `/astro-user config` opens the admin's Connect Astro modal. */
export function astroUserCommand(deps: SlackDeps, openConfig: (args: { client: WebClient; triggerId: string; userId: string; installation: InstallationRef }) => Promise<void>) {
  return async ({ command, ack, respond, context, client }: AllMiddlewareArgs & SlackCommandMiddlewareArgs): Promise<void> => {
    const name = commandName(command.command);
    const query = parseQuery(command.text);
    if (query.kind === 'config') {
      await ack();
      await openConfig({ client, triggerId: command.trigger_id, userId: command.user_id, installation: installationOf(context, command) });
      return;
    }
    if (query.kind === 'help') {
      await ack({ response_type: 'ephemeral', ...verbatim(helpMessage(name)) });
      return;
    }
    if (query.kind === 'invalid') {
      await ack({ response_type: 'ephemeral', ...verbatim(inputProblemMessage(query.problem, name)) });
      return;
    }
    await ack();

    const installation = installationOf(context, command);
    const log = deps.log.child({ surface: 'command' });
    const resolved = await resolveQuery(deps, { installation, slackUserId: command.user_id, client, query, surface: 'command' });
    if ('candidates' in resolved) {
      await replyVia(respond, renderPicker(resolved.candidates, resolved.text), log);
      return;
    }
    if ('error' in resolved) {
      await replyVia(respond, lookupErrorMessage(resolved.error, query.kind === 'user_id' ? query.userId : ''), log);
      return;
    }
    const item = await lookUp(deps, { installation, slackUserId: command.user_id, userId: resolved.userId, surface: 'command', client, visibility: 'private' });
    const message = renderCards('private', [item], {
      audience: audienceOf({ id: command.channel_id, name: command.channel_name }),
      astroUiUrl: deps.astroUiUrl,
    });
    await replyVia(respond, message, log);
  };
}
