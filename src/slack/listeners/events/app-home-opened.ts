/**
 * `app_home_opened` (Home tab only; the event also fires for the Messages tab): publishes the Home
 * view with the viewer's recent lookups and the card of the latest one (from the cache: opening
 * Home never calls Astro). When the Home tab shows the full report, it is left as it is.
 */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { homeData } from '../../../app/home.js';
import { askContext, person } from '../../request.js';
import { publishHome } from '../../transport/publish-home.js';
import { REPORT } from '../../views/report.js';
import type { ListenerDeps } from '../deps.js';

/** Builds the `app_home_opened` listener. */
export function appHomeOpened(deps: ListenerDeps) {
  return async ({ event, body, client, context }: AllMiddlewareArgs & SlackEventMiddlewareArgs<'app_home_opened'>): Promise<void> => {
    if (event.tab !== 'home') return;
    // The full report on show stays until its "Back to lookups" button (it has its own Refresh).
    if ((event.view as { callback_id?: string } | undefined)?.callback_id === REPORT.homeCallbackId) return;
    const ctx = askContext(deps, { context, body, client }, person(event.user), 'home');
    await publishHome(client, {
      userId: event.user,
      hash: (event.view as { hash?: string } | undefined)?.hash,
      state: async () => ({ ...(await homeData(deps.services, ctx, true)), astroUiUrl: deps.astroUiUrl }),
      log: deps.log,
    });
  };
}
