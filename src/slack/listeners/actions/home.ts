/**
 * App Home actions: Look up (button, or Enter in the input) and Open on a recent lookup. Each
 * acknowledges first, shows "Looking up…" at once, then the card or a notice, in the Home view.
 * Only a person's newest request may change their Home (a slow lookup must not replace a later card).
 */
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { LRUCache } from 'lru-cache';
import { lookUpAccess, type SubjectRef } from '../../../app/access.js';
import { homeData } from '../../../app/home.js';
import { lookUpQuery } from '../../../app/lookup-users.js';
import { isUserQuery, parseAccessTarget, parseQuery, type AccessTarget, type Query } from '../../../core/query.js';
import { accessHelp } from '../../views/access.js';
import { accessMessage } from '../render.js';
import { askContext, person } from '../../request.js';
import { publishHome } from '../../transport/publish-home.js';
import { HOME, type HomeState } from '../../views/home.js';
import { failureMessage, helpMessage, inputProblemMessage, lookingUpNotice } from '../../views/messages.js';
import { renderPicker } from '../../views/picker.js';
import type { ListenerDeps } from '../deps.js';

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

/** The text typed in the Home "Who can access…" input. */
function typedAccess(body: BlockAction): string {
  const action = body.actions[0] as { action_id?: string; value?: string } | undefined;
  if (action?.action_id === HOME.accessInputAction) return action.value ?? '';
  const state = body.view?.state?.values?.[HOME.accessBlock]?.[HOME.accessInputAction] as { value?: string | null } | undefined;
  return state?.value ?? '';
}

/** This person's Home publisher, numbered so that only their newest request may change the view. */
function homePublisher(deps: ListenerDeps, args: Args) {
  const { body, client } = args;
  const ctx = askContext(deps, { context: args.context, body, client }, person(body.user.id), 'home');
  const seqKey = `${ctx.workspace.key}:${body.user.id}`;
  const seq = (homeRequests.get(seqKey) ?? 0) + 1;
  homeRequests.set(seqKey, seq);
  const isCurrent = () => homeRequests.get(seqKey) === seq;
  const publish = (hash: string | undefined, show: Pick<HomeState, 'result' | 'notice' | 'access'>) =>
    publishHome(client, {
      userId: body.user.id,
      hash,
      isCurrent,
      state: async () => ({ ...(await homeData(deps.services, ctx, false)), astroUiUrl: deps.astroUiUrl, ...show }),
      log: deps.log,
    });
  return { ctx, publish };
}

/** Answers "who can access `target`" (or says why not) in the clicking person's Home view. */
export async function showAccessInHome(deps: ListenerDeps, args: Args, target: AccessTarget | SubjectRef | undefined, bypassCache = false): Promise<void> {
  const { ctx, publish } = homePublisher(deps, args);
  if (!target) return void (await publish(args.body.view?.hash, { notice: accessHelp() }));
  const hash = await publish(args.body.view?.hash, { notice: lookingUpNotice });
  const answer = await lookUpAccess(deps.services, ctx, target, { bypassCache });
  if (answer.kind === 'found') await publish(hash, { access: { result: answer.result, now: Date.now() } });
  else await publish(hash, { notice: accessMessage(deps, ctx.workspace.key, answer) });
}

/** Who can access (button), and Enter in its input. */
export function homeAccess(deps: ListenerDeps) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    await showAccessInHome(deps, args, parseAccessTarget(typedAccess(args.body)));
  };
}

/** Answers `query` (or says why not) in the clicking person's Home view. */
async function showInHome(deps: ListenerDeps, args: Args, query: Query, bypassCache = false): Promise<void> {
  const { body } = args;
  if (query.kind === 'access') return showAccessInHome(deps, args, query.target, bypassCache);
  const { ctx, publish } = homePublisher(deps, args);
  if (query.kind === 'invalid') return void (await publish(body.view?.hash, { notice: inputProblemMessage(query.problem) }));
  if (!isUserQuery(query)) return void (await publish(body.view?.hash, { notice: helpMessage() }));
  const hash = await publish(body.view?.hash, { notice: lookingUpNotice });
  const answer = await lookUpQuery(deps.services, ctx, query, { bypassCache });
  if (answer.kind === 'found') await publish(hash, { result: answer.found });
  else if (answer.kind === 'choose') await publish(hash, { notice: renderPicker(answer.candidates, answer.text) });
  else await publish(hash, { notice: failureMessage(answer.failure, answer.label) });
}

/** Look up (button) and Enter in the input. */
export function homeLookup(deps: ListenerDeps) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    await showInHome(deps, args, parseQuery(typedQuery(args.body)));
  };
}

/** Open on a recent lookup; and Refresh on the Home card (bypassing the cache). */
export function homeOpenUser(deps: ListenerDeps, options: { bypassCache: boolean }) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const value = (args.action as { value?: string }).value ?? '';
    // A card's Refresh in Home carries a card reference (`v2|<user id>|…`); Open carries the ID.
    const query = parseQuery(/^v\d\|/.test(value) ? value.split('|')[1] : value);
    await showInHome(deps, args, query, options.bypassCache);
  };
}
