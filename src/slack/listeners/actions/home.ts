/**
 * App Home actions: Look up (button, or Enter in the input) and Open on a recent lookup. Each
 * acknowledges first, shows "Looking up…" at once, then the card or a notice, in the Home view.
 */
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { LRUCache } from 'lru-cache';
import { publishHome } from '../../home.js';
import { homeState, installationOf, lookUp, resolveQuery, type SlackDeps } from '../../lookups.js';
import { renderPicker } from '../../views/picker.js';
import { parseQuery } from '../../query.js';
import { HOME } from '../../views/home.js';
import { helpMessage, inputProblemMessage, lookupErrorMessage } from '../../views/messages.js';
import type { RenderedMessage } from '../../views/user-card.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction>;

/** The number of each person's latest Home request (process-local, bounded). */
const homeRequests = new LRUCache<string, number>({ max: 50_000 });

/** The text typed in the Home input, from the view state or the action itself. */
function typedQuery(body: BlockAction): string {
  const action = body.actions[0] as { action_id?: string; value?: string } | undefined;
  if (action?.action_id === HOME.queryAction) return action.value ?? '';
  const state = body.view?.state?.values?.[HOME.queryBlock]?.[HOME.queryAction] as { value?: string | null } | undefined;
  return state?.value ?? '';
}

/** A short notice for the Home view. */
const notice = (text: string): RenderedMessage => ({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });

/** Looks up `userId` (or shows why not) in the clicking user's Home view. */
async function showInHome(deps: SlackDeps, args: Args, query: ReturnType<typeof parseQuery>, bypassCache = false): Promise<void> {
  const { body, client, context } = args;
  const installation = installationOf(context, body);
  const slackUserId = body.user.id;
  const log = deps.log.child({ surface: 'home', team: installation.teamId, slackUser: slackUserId });
  // Only the newest request of a person may change their Home (a slow lookup must not replace a later card).
  const seqKey = `${installation.teamId ?? installation.enterpriseId}:${slackUserId}`;
  const seq = (homeRequests.get(seqKey) ?? 0) + 1;
  homeRequests.set(seqKey, seq);
  const isCurrent = () => homeRequests.get(seqKey) === seq;
  const publish = (hash: string | undefined, show: Parameters<typeof homeState>[3]) =>
    publishHome(client, { userId: slackUserId, hash, isCurrent, state: () => homeState(deps, installation, slackUserId, show, client), log });

  if (query.kind === 'help' || query.kind === 'config') {
    await publish(body.view?.hash, { notice: helpMessage() });
    return;
  }
  if (query.kind === 'invalid') {
    await publish(body.view?.hash, { notice: inputProblemMessage(query.problem) });
    return;
  }
  const hash = await publish(body.view?.hash, { notice: notice(':hourglass_flowing_sand: Looking up…') });
  const resolved = await resolveQuery(deps, { installation, slackUserId, client, query, surface: 'home' });
  if ('candidates' in resolved) {
    await publish(hash, { notice: renderPicker(resolved.candidates, resolved.text) });
    return;
  }
  if ('error' in resolved) {
    await publish(hash, { notice: lookupErrorMessage(resolved.error, query.kind === 'user_id' ? query.userId : '') });
    return;
  }
  const item = await lookUp(deps, { installation, slackUserId, userId: resolved.userId, bypassCache, surface: 'home', client, visibility: 'private' });
  if ('user' in item) await publish(hash, { result: { user: item.user, fetchedAt: item.fetchedAt, ...(item.names ? { names: item.names } : {}), ...(item.teams ? { teams: item.teams } : {}) } });
  else await publish(hash, { notice: lookupErrorMessage(item.error, item.userId) });
}

/** Look up (button) and Enter in the input. */
export function homeLookup(deps: SlackDeps) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    await showInHome(deps, args, parseQuery(typedQuery(args.body)));
  };
}

/** Open on a recent lookup; and Refresh on the Home card (bypassing the cache). */
export function homeOpenUser(deps: SlackDeps, options: { bypassCache: boolean }) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const value = (args.action as { value?: string }).value ?? '';
    const query = parseQuery(value.startsWith('v1|') ? value.split('|')[1] : value);
    await showInHome(deps, args, query, options.bypassCache);
  };
}
