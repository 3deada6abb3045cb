/**
 * `user_change` (https://docs.slack.dev/reference/events/user_change, scope `users:read`): when
 * Slack reports a member deactivated (`user.deleted: true`) and the workspace's policy asks for it,
 * the offboarding checklist goes privately to the admins the use case names, each by a direct
 * message. Any other profile change is dropped at once.
 */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { checklistOnDeactivation } from '../../../app/offboard.js';
import { askContext, person } from '../../request.js';
import { sendDirect } from '../../transport/direct.js';
import { renderOffboard } from '../../views/offboard.js';
import type { ListenerDeps } from '../deps.js';

/** Builds the `user_change` listener. */
export function userChange(deps: ListenerDeps) {
  return async ({ event, body, client, context }: AllMiddlewareArgs & SlackEventMiddlewareArgs<'user_change'>): Promise<void> => {
    const user = event.user as { id?: unknown; deleted?: unknown; is_bot?: unknown; profile?: { email?: unknown } } | undefined;
    if (user?.deleted !== true || typeof user.id !== 'string' || !/^[UW][A-Z0-9]{2,30}$/.test(user.id)) return;
    const ctx = askContext(deps, { context, body, client }, person(user.id), 'home');
    const email = typeof user.profile?.email === 'string' && user.profile.email ? user.profile.email : undefined;
    const result = await checklistOnDeactivation(deps.services, ctx, { slackUserId: user.id, ...(email ? { email } : {}), isBot: user.is_bot === true });
    if (result.kind !== 'send') return;
    const message = renderOffboard(result.data, { astroUiUrl: deps.astroUiUrl, deactivatedSlackUser: user.id });
    for (const to of result.to) await sendDirect(client, to, message, deps.log);
  };
}
