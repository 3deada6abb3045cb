/**
 * `link_shared`: Astro UI links to Deployments and Workspaces unfurl to a public summary with
 * counts (`chat.unfurl`, by `channel` + `ts`, or by `unfurl_id` + `source` for links typed in the
 * message composer). Sources: https://docs.slack.dev/reference/events/link_shared,
 * https://docs.slack.dev/reference/methods/chat.unfurl
 */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { unfurlLinks } from '../../../app/unfurl.js';
import { askContext, person } from '../../request.js';
import { renderUnfurl } from '../../views/access.js';
import { blockKitViolations } from '../../views/limits.js';
import { verbatim } from '../../views/verbatim.js';
import type { ListenerDeps } from '../deps.js';

type Args = AllMiddlewareArgs & SlackEventMiddlewareArgs<'link_shared'>;

/** Builds the `link_shared` listener. */
export function linkShared(deps: ListenerDeps) {
  return async ({ event, body, client, context }: Args): Promise<void> => {
    if (!event.user || !Array.isArray(event.links)) return;
    const ctx = askContext(deps, { context, body, client }, person(event.user), 'unfurl', 'channel');
    const urls = event.links.map((l) => l.url).filter((u): u is string => typeof u === 'string' && u.length <= 3000);
    const summaries = await unfurlLinks(deps.services, ctx, { urls, channel: event.channel, inSharedChannel: Boolean((body as { is_ext_shared_channel?: boolean }).is_ext_shared_channel) });
    if (summaries.size === 0) return;
    const unfurls: Record<string, { blocks: ReturnType<typeof renderUnfurl>['blocks'] }> = {};
    for (const [url, summary] of summaries) {
      const rendered = renderUnfurl(summary);
      const problems = blockKitViolations({ blocks: rendered.blocks, text: 'unfurl' }, 'message');
      if (problems.length === 0) unfurls[url] = { blocks: verbatim(rendered.blocks) };
      else deps.log.error({ problems }, 'unfurl outside Block Kit limits; left plain');
    }
    if (Object.keys(unfurls).length === 0) return;
    const target = event.unfurl_id && event.source ? { unfurl_id: event.unfurl_id, source: event.source as 'composer' | 'conversations_history' } : { channel: event.channel, ts: event.message_ts };
    try {
      await client.chat.unfurl({ ...target, unfurls });
    } catch (err) {
      deps.log.warn({ err, slackError: (err as { data?: { error?: string } }).data?.error }, 'could not unfurl the Astro link');
    }
  };
}
