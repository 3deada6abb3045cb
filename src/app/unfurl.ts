/**
 * Astro links unfurled: a link to a Deployment or Workspace page pasted in a conversation becomes a
 * compact **public** summary — name, Workspace, status, and how many people, Teams and API tokens
 * have access, never who. The poster is the asker (the workspace's asker rules and one abuse-limit
 * point per link); in a conversation shared with another organization (Slack Connect) nothing is
 * unfurled unless the workspace allows public answers there. Slack's flow:
 * https://docs.slack.dev/messaging/unfurling-links-in-messages (`link_shared` → `chat.unfurl`).
 */
import { parseAstroLink } from '../core/astro-links.js';
import type { AccessResult } from '../lookup/access.js';
import type { WorkspacePolicy } from '../lookup/workspace-settings.js';
import { lookUpAccess } from './access.js';
import type { Services } from './ports.js';
import type { AskContext } from './request.js';

/** Most links of one message unfurled. */
export const MAX_UNFURLS_PER_MESSAGE = 3;

/** The public summary of one link: things and counts, never people. */
export interface UnfurlSummary {
  subject: AccessResult['subject'];
  counts: AccessResult['list']['counts'];
  /** Parts the Astro token may not read (their count is not shown). */
  missing: AccessResult['missing'];
  fetchedAt: number;
}

/** A `link_shared` event, as far as the use case needs it. */
export interface SharedLinks {
  /** The links Slack sent (only the app's `unfurl_domains`). */
  urls: string[];
  channel: string;
  /** Slack sets `is_ext_shared_channel` on the envelope of events from Slack Connect channels. */
  inSharedChannel: boolean;
}

/**
 * The summaries to unfurl, by URL: links to Deployment or Workspace pages of the configured Astro
 * UI only (others are left to Slack), at most {@link MAX_UNFURLS_PER_MESSAGE}. Empty when the
 * poster may not ask, the conversation is shared with another organization (unless allowed), or
 * Astro cannot answer (a link left plain is better than a misleading summary). Never throws.
 */
export async function unfurlLinks(services: Services, ctx: AskContext, shared: SharedLinks): Promise<Map<string, UnfurlSummary>> {
  const out = new Map<string, UnfurlSummary>();
  const urls = [...new Set(shared.urls)].filter((u) => {
    const link = parseAstroLink(u, services.access.astroUiUrl);
    return link.kind === 'deployment' || link.kind === 'workspace';
  });
  if (urls.length === 0) return out;
  let policy: WorkspacePolicy;
  try {
    policy = await services.settings.getPolicy(ctx.workspace.key);
  } catch {
    return out;
  }
  if (!policy.allowPublicInSharedChannels) {
    const external = shared.inSharedChannel || (await ctx.directory.isExternal(shared.channel)) !== false;
    if (external) {
      ctx.log.info('Astro link in a conversation shared with another organization (or one Slack will not describe): not unfurled');
      return out;
    }
  }
  for (const url of urls.slice(0, MAX_UNFURLS_PER_MESSAGE)) {
    const answer = await lookUpAccess(services, { ...ctx, surface: 'unfurl', visibility: 'channel' }, { kind: 'link', url });
    if (answer.kind !== 'found') continue;
    const { result } = answer;
    out.set(url, { subject: result.subject, counts: result.list.counts, missing: result.missing, fetchedAt: result.fetchedAt });
  }
  return out;
}
