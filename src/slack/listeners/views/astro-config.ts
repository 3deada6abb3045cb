/**
 * Connecting a workspace to Astro: `/astro-user config` or App Home's Configure button opens the
 * modal at once (a `trigger_id` lives 3 seconds), then the use case says what to show; on submit
 * the token's shape is checked inside the 3-second acknowledgement, the modal shows "Checking…",
 * and the use case tests and saves it. Disconnect removes it.
 */
import type { AllMiddlewareArgs, BlockAction, Context, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { readTokenClaims, TokenShapeError, type TokenClaims } from '../../../astro/token.js';
import { disconnectWorkspace } from '../../../app/workspace.js';
import { checkSchedule, configureForm, configureWorkspace, type CheckedSchedule } from '../../../app/report-schedule-config.js';
import { channelCheckOf } from '../../channels.js';
import { readScheduleInput, scheduleBlocks, scheduleErrors, scheduleResultLine } from '../../views/schedule-form.js';
import type { WorkspacePolicy } from '../../../lookup/workspace-settings.js';
import { askContext, installationOf, person, type PayloadTeam } from '../../request.js';
import { CONFIG, POLICY_OPTIONS, checkingModal, configFormModal, explainTestFailure, loadingModal, noEncryptionKeyModal, notAdminModal, resultModal } from '../../views/config-modal.js';
import { verbatim } from '../../views/verbatim.js';
import type { ListenerDeps } from '../deps.js';

const slackError = (err: unknown) => (err as { data?: { error?: string } }).data?.error;

/** Words when the settings store did not answer. */
const STORE_DOWN = 'astro-user could not read or save its settings just now (its storage did not answer). Try again in a moment.';

/**
 * Opens the modal at once, then fills it: the form for an admin, a refusal otherwise.
 * Never throws (failures are logged).
 */
export async function openConfigModal(
  deps: ListenerDeps,
  args: { client: WebClient; context: Context; body: PayloadTeam; triggerId: string; userId: string },
): Promise<void> {
  const { client, log } = { client: args.client, log: deps.log };
  let viewId: string | undefined;
  try {
    const opened = await client.views.open({ trigger_id: args.triggerId, view: loadingModal() });
    viewId = (opened.view as { id?: string } | undefined)?.id;
  } catch (err) {
    log.warn({ err, slackError: slackError(err) }, 'views.open failed');
    return;
  }
  if (!viewId) return;
  const ctx = askContext(deps, { context: args.context, body: args.body, client }, person(args.userId), 'command');
  const { form, schedule } = await configureForm(deps.services, ctx);
  const view =
    form.kind === 'not_admin'
      ? notAdminModal()
      : form.kind === 'no_encryption_key'
        ? noEncryptionKeyModal()
        : form.kind === 'failed'
          ? resultModal({ ok: false, reason: STORE_DOWN })
          : configFormModal({ apiHost: new URL(deps.services.astroApiUrl).host, policy: form.policy, privateMetadata: JSON.stringify({ k: ctx.workspace.key }), ...(form.current ? { current: form.current } : {}) });
  if (schedule) view.blocks = [...view.blocks, ...scheduleBlocks(schedule)];
  await client.views.update({ view_id: viewId, view: verbatim(view) }).catch((err: unknown) => log.warn({ err, slackError: slackError(err) }, 'could not fill the configuration modal'));
}

/** Reads the submitted values. */
function submitted(view: ViewSubmitAction['view']): { token: string; org: string; policy: WorkspacePolicy; groupsOk: boolean } {
  const v = view.state.values;
  const token = (v[CONFIG.tokenBlock]?.[CONFIG.tokenAction]?.value ?? '').trim();
  const org = (v[CONFIG.orgBlock]?.[CONFIG.orgAction]?.value ?? '').trim();
  const chosen = new Set((v[CONFIG.policyBlock]?.[CONFIG.policyAction]?.selected_options ?? []).map((o) => o.value));
  const groups = (v[CONFIG.groupsBlock]?.[CONFIG.groupsAction]?.value ?? '').split(',').map((g) => g.trim()).filter(Boolean);
  const groupsOk = groups.length <= 20 && groups.every((g) => /^S[A-Z0-9]{2,30}$/.test(g));
  const flags = Object.fromEntries(POLICY_OPTIONS.map((o) => [o.value, chosen.has(o.value)])) as Omit<WorkspacePolicy, 'allowedUserGroups'>;
  return { token, org, policy: { ...flags, allowedUserGroups: groupsOk ? groups : [] }, groupsOk };
}

/** The modal's submission. */
export function configSubmission(deps: ListenerDeps) {
  return async ({ ack, body, view, client, context }: AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>): Promise<void> => {
    const { token, org, policy, groupsOk } = submitted(view);
    if (!groupsOk) {
      await ack({ response_action: 'errors', errors: { [CONFIG.groupsBlock]: 'Give Slack user group IDs (they start with S), separated by commas; at most 20.' } });
      return;
    }
    // Inside the 3-second acknowledgement: only local checks.
    let claims: TokenClaims | undefined;
    if (token) {
      try {
        claims = readTokenClaims(token);
      } catch (err) {
        await ack({ response_action: 'errors', errors: { [CONFIG.tokenBlock]: err instanceof TokenShapeError ? err.message : 'That token cannot be read.' } });
        return;
      }
      if (org && org !== claims.organizationId) {
        await ack({ response_action: 'errors', errors: { [CONFIG.orgBlock]: `This token belongs to organization ${claims.organizationId}. Leave this empty to use it.` } });
        return;
      }
    } else if (org && !/^[A-Za-z0-9_-]{1,64}$/.test(org)) {
      await ack({ response_action: 'errors', errors: { [CONFIG.orgBlock]: 'That is not an Astro Organization ID.' } });
      return;
    }
    // The schedule: a real time zone, and a channel the bot is in (one conversations.info call).
    const scheduleInput = deps.services.reports ? readScheduleInput(view.state.values as never) : undefined;
    let schedule: CheckedSchedule | undefined;
    if (scheduleInput) {
      const checked = await checkSchedule(scheduleInput, channelCheckOf(client, deps.log));
      if (!checked.ok) {
        await ack({ response_action: 'errors', errors: scheduleErrors(checked.problems) });
        return;
      }
      schedule = checked.schedule;
    }
    await ack({ response_action: 'update', view: checkingModal() });

    const ctx = askContext(deps, { context, body, client }, person(body.user.id), 'command');
    const result = await configureWorkspace(deps.services, ctx, { policy, ...(claims ? { token: { value: token, claims } } : {}) }, schedule);
    const modal =
      result.kind === 'connected'
        ? resultModal({ ok: true, organizationId: result.organizationId, tokenHint: result.tokenHint, ...(result.expiresAt ? { expiresAt: result.expiresAt } : {}) })
        : result.kind === 'not_admin'
          ? notAdminModal()
          : result.kind === 'no_encryption_key'
            ? noEncryptionKeyModal()
            : result.kind === 'no_token'
              ? resultModal({ ok: false, reason: 'Paste an Astro API token to connect.' })
              : result.kind === 'token_refused'
                ? resultModal({
                    ok: false,
                    reason: explainTestFailure(result.failure, result.scope, result.organizationId),
                    ...(result.failure.code === 'astro' && result.failure.requestId ? { requestId: result.failure.requestId } : {}),
                  })
                : resultModal({ ok: false, reason: STORE_DOWN });
    const scheduleLine = scheduleResultLine(result.schedule);
    if (scheduleLine) modal.blocks = [...modal.blocks, { type: 'context', elements: [{ type: 'mrkdwn', text: scheduleLine }] }];
    await client.views.update({ view_id: view.id, view: verbatim(modal) }).catch((err: unknown) => deps.log.warn({ err, slackError: slackError(err) }, 'views.update failed'));
    if (result.kind === 'connected') await deps.refreshHome?.(client, ctx.workspace.ref, body.user.id);
  };
}

/** App Home's Configure button. */
export function configureAction(deps: ListenerDeps) {
  return async ({ ack, body, client, context }: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction>): Promise<void> => {
    await ack();
    await openConfigModal(deps, { client, context, body, triggerId: body.trigger_id, userId: body.user.id });
  };
}

/** App Home's Disconnect button (with a confirm dialog): removes the token and clears the cache. */
export function disconnectAction(deps: ListenerDeps) {
  return async ({ ack, body, client, context }: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction>): Promise<void> => {
    await ack();
    const ctx = askContext(deps, { context, body, client }, person(body.user.id), 'home');
    const outcome = await disconnectWorkspace(deps.services, ctx);
    if (outcome !== 'not_admin') await deps.refreshHome?.(client, installationOf(context, body), body.user.id);
  };
}
