/**
 * `app_home_opened` (Home tab only; the event also fires for the Messages tab): publishes the Home
 * view with the viewer's recent lookups and the card of the latest one (from the cache: opening
 * Home never calls Astro).
 */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { publishHome } from '../../home.js';
import { homeState, installationOf, type SlackDeps } from '../../lookups.js';

/** Builds the `app_home_opened` listener. */
export function appHomeOpened(deps: SlackDeps) {
  return async ({ event, body, client, context }: AllMiddlewareArgs & SlackEventMiddlewareArgs<'app_home_opened'>): Promise<void> => {
    if (event.tab !== 'home') return;
    const installation = installationOf(context, body);
    const log = deps.log.child({ surface: 'home', team: installation.teamId, slackUser: event.user });
    await publishHome(client, {
      userId: event.user,
      hash: (event.view as { hash?: string } | undefined)?.hash,
      state: () => homeState(deps, installation, event.user, {}, client),
      log,
    });
  };
}
