/**
 * `app_uninstalled` and `tokens_revoked`: the workspace use case removes everything kept for the
 * workspace. Bolt calls no deleteInstallation by itself (https://github.com/slackapi/bolt-js/issues/1203).
 */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { forgetWorkspace } from '../../../app/workspace.js';
import { workspaceOf } from '../../../app/request.js';
import { installationOf, type PayloadTeam } from '../../request.js';
import type { ListenerDeps } from '../deps.js';

/** Builds the listener for `app_uninstalled` and `tokens_revoked`. */
export function uninstallListener(deps: ListenerDeps) {
  return async ({ event, body, context }: AllMiddlewareArgs & SlackEventMiddlewareArgs<'app_uninstalled' | 'tokens_revoked'>): Promise<void> => {
    if (event.type === 'tokens_revoked' && (event.tokens.bot ?? []).length === 0) return; // only user tokens: none kept
    const workspace = workspaceOf(installationOf(context, body as PayloadTeam));
    const eventTime = (body as { event_time?: number }).event_time;
    const log = deps.log.child({ surface: 'uninstall', team: workspace.ref.teamId, event: event.type });
    try {
      const outcome = await forgetWorkspace(deps.services, workspace, (eventTime ?? Math.floor(Date.now() / 1000)) * 1000);
      if (outcome === 'kept') log.info('uninstall event predates the current installation; keeping it');
      else log.info({ audit: true, action: 'workspace_forgotten' }, 'removed everything kept for the workspace');
    } catch (err) {
      log.error({ err }, 'could not remove the workspace data; the event will be retried by Slack');
      throw err;
    }
  };
}
