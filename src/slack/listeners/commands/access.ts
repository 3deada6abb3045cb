/**
 * `/astro-user access <deployment or workspace | link>` (and a bare Astro link after the command):
 * acknowledge, one use-case call, a private answer through the command's `response_url`. A slow
 * answer shows "Looking that up…" at once and then replaces it.
 */
import { lookUpAccess } from '../../../app/access.js';
import { parseAstroLink } from '../../../core/astro-links.js';
import type { Query } from '../../../core/query.js';
import { audienceOf } from '../../../core/visibility.js';
import { askContext, person } from '../../request.js';
import { withProgress } from '../../transport/progress.js';
import { replyVia } from '../../transport/reply.js';
import { accessHelp, renderNotALink } from '../../views/access.js';
import { workingOnItMessage } from '../../views/messages.js';
import { verbatim } from '../../views/verbatim.js';
import type { ListenerDeps } from '../deps.js';
import { accessMessage } from '../render.js';
import type { Args } from './args.js';

/** Builds the `access` subcommand's listener. */
export function accessCommand(deps: ListenerDeps) {
  return async (args: Args, query: Extract<Query, { kind: 'access' | 'access_help' }>): Promise<void> => {
    const { command, ack, respond } = args;
    if (query.kind === 'access_help') return ack({ response_type: 'ephemeral', ...verbatim(accessHelp(/^\/[a-z0-9_-]{1,31}$/.test(command.command) ? command.command : undefined)) });
    // A link to another host or page is answered in the acknowledgement, with no Astro call.
    if (query.target.kind === 'link') {
      const link = parseAstroLink(query.target.url, deps.astroUiUrl);
      if (link.kind === 'other_host' || link.kind === 'other_page') return ack({ response_type: 'ephemeral', ...verbatim(renderNotALink(link.kind === 'other_host' ? link.host : undefined, deps.astroUiUrl)) });
    }
    await ack();
    const ctx = askContext(deps, { context: args.context, body: command, client: args.client }, person(command.user_id), 'command');
    const { value: answer, shown } = await withProgress(lookUpAccess(deps.services, ctx, query.target), deps.progressAfterMs, () => replyVia(respond, workingOnItMessage, deps.log));
    const message = accessMessage(deps, ctx.workspace.key, answer, { audience: audienceOf({ id: command.channel_id, name: command.channel_name }) });
    await replyVia(respond, message, deps.log, { replaceOriginal: shown === true });
  };
}
