/**
 * Connecting a workspace to Astro: `/astro-user config` or App Home's Configure button opens the
 * modal at once (a `trigger_id` lives 3 seconds), then checks that the person is an admin; on
 * submit the token's shape is checked inside the 3-second acknowledgement, the modal shows
 * "Checking…", a test call is made, and only then are the settings saved. Disconnect removes them.
 */
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { AstroClient, AstroTarget } from '../../../astro/client.js';
import { AstroApiError } from '../../../astro/errors.js';
import { maskToken, readTokenClaims, TokenShapeError, type TokenClaims } from '../../../astro/token.js';
import { installationKey, type InstallationRef } from '../../../lookup/settings.js';
import type { WorkspacePolicy, WorkspaceSettings } from '../../../lookup/workspace-settings.js';
import type { Logger } from '../../../logger.js';
import type { People } from '../../people.js';
import { verbatim } from '../../views/verbatim.js';
import { CONFIG, POLICY_OPTIONS, checkingModal, configFormModal, loadingModal, noEncryptionKeyModal, notAdminModal, resultModal } from '../../views/config-modal.js';

/** What the configuration flow needs. */
export interface ConfigDeps {
  settings: WorkspaceSettings;
  people: People;
  astro: AstroClient;
  /** The operator's Astro API base (tokens go there only). */
  astroApiUrl: string;
  log: Logger;
  /** Deletes the workspace's cached Astro answers (after its token changes). */
  clearWorkspaceCache(key: string): Promise<void>;
  /** Redraws the admin's Home after a change. */
  refreshHome(client: WebClient, installation: InstallationRef, userId: string): Promise<void>;
}

const slackError = (err: unknown) => (err as { data?: { error?: string } }).data?.error;

/**
 * Opens the modal at once, then fills it: the form for an admin, a refusal otherwise.
 * Never throws (failures are logged).
 */
export async function openConfigModal(
  deps: ConfigDeps,
  args: { client: WebClient; triggerId: string; userId: string; installation: InstallationRef },
): Promise<void> {
  const { client } = args;
  const key = installationKey(args.installation);
  const log = deps.log.child({ surface: 'config', team: args.installation.teamId, slackUser: args.userId });
  let viewId: string | undefined;
  try {
    const opened = await client.views.open({ trigger_id: args.triggerId, view: loadingModal() });
    viewId = (opened.view as { id?: string } | undefined)?.id;
  } catch (err) {
    log.warn({ err, slackError: slackError(err) }, 'views.open failed');
    return;
  }
  if (!viewId) return;
  try {
    const isAdmin = await deps.people.isAdmin(client, key, args.userId, log);
    let view;
    if (!isAdmin) view = notAdminModal();
    else if (!deps.settings.canSave) view = noEncryptionKeyModal();
    else {
      const [current, policy] = await Promise.all([deps.settings.getConnection(key).catch(() => undefined), deps.settings.getPolicy(key)]);
      view = configFormModal({
        apiHost: new URL(deps.astroApiUrl).host,
        policy,
        privateMetadata: JSON.stringify({ k: key }),
        ...(current ? { current: { organizationId: current.organizationId, tokenHint: current.tokenHint, scope: current.scope, ...(current.expiresAt ? { expiresAt: current.expiresAt } : {}) } } : {}),
      });
    }
    await client.views.update({ view_id: viewId, view: verbatim(view) });
  } catch (err) {
    log.warn({ err, slackError: slackError(err) }, 'could not fill the configuration modal');
    await client.views.update({ view_id: viewId, view: resultModal({ ok: false, reason: 'astro-user could not read its settings just now. Try again in a moment.' }) }).catch(() => undefined);
  }
}

/** Words for a failed test call, explaining a Workspace or Deployment token's likely refusal. */
export function explainTestFailure(err: unknown, claims: TokenClaims, organizationId: string): string {
  if (!(err instanceof AstroApiError)) return 'The test call failed unexpectedly. Try again.';
  switch (err.kind) {
    case 'unauthorized':
      return 'Astro refused this token: it is invalid, expired or was revoked. Create a new one.';
    case 'forbidden':
      return claims.scope === 'ORGANIZATION'
        ? "This token isn't allowed to read the organization's users. Give it the Organization Member role (or higher)."
        : `This is a ${claims.scope === 'WORKSPACE' ? 'Workspace' : 'Deployment'} API token: Astro does not let it read the organization's users. Create an Organization API token with the Organization Member role.`;
    case 'not_found':
    case 'bad_request':
      return `Astro doesn't know organization \`${organizationId}\` for this token. Check the Organization ID, or leave it empty to use the token's own.`;
    default:
      return "Astro didn't answer the test call. Try again in a moment.";
  }
}

/** Reads the submitted values. */
function submitted(view: ViewSubmitAction['view']): { token: string; org: string; policy: WorkspacePolicy; groupsOk: boolean } {
  const v = view.state.values;
  const token = (v[CONFIG.tokenBlock]?.[CONFIG.tokenAction]?.value ?? '').trim();
  const org = (v[CONFIG.orgBlock]?.[CONFIG.orgAction]?.value ?? '').trim();
  const chosen = new Set((v[CONFIG.policyBlock]?.[CONFIG.policyAction]?.selected_options ?? []).map((o) => o.value));
  const groups = (v[CONFIG.groupsBlock]?.[CONFIG.groupsAction]?.value ?? '').split(',').map((g) => g.trim()).filter(Boolean);
  const groupsOk = groups.length <= 20 && groups.every((g) => /^S[A-Z0-9]{2,30}$/.test(g));
  const policy = { ...(Object.fromEntries(POLICY_OPTIONS.map((o) => [o.value, chosen.has(o.value)])) as object), allowedUserGroups: groupsOk ? groups : [] } as WorkspacePolicy;
  return { token, org, policy, groupsOk };
}

/** The modal's submission. */
export function configSubmission(deps: ConfigDeps) {
  return async ({ ack, body, view, client, context }: AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>): Promise<void> => {
    const installation: InstallationRef = { teamId: context.teamId ?? body.team?.id, enterpriseId: context.enterpriseId ?? body.enterprise?.id ?? undefined, isEnterpriseInstall: context.isEnterpriseInstall };
    const key = installationKey(installation);
    const userId = body.user.id;
    const log = deps.log.child({ surface: 'config', team: installation.teamId, slackUser: userId });
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
    await ack({ response_action: 'update', view: checkingModal() });

    const update = (v: ReturnType<typeof resultModal>) =>
      client.views.update({ view_id: view.id, view: verbatim(v) }).catch((err: unknown) => log.warn({ err, slackError: slackError(err) }, 'views.update failed'));
    try {
      // The admin check again, from Slack, never from the payload.
      if (!(await deps.people.isAdmin(client, key, userId, log))) {
        await update(notAdminModal());
        return;
      }
      if (!deps.settings.canSave) {
        await update(noEncryptionKeyModal());
        return;
      }
      const current = await deps.settings.getConnection(key).catch(() => undefined);
      if (!claims) {
        if (!current) {
          await update(resultModal({ ok: false, reason: 'Paste an Astro API token to connect.' }));
          return;
        }
        await deps.settings.savePolicy(key, policy);
        await update(resultModal({ ok: true, organizationId: current.organizationId, tokenHint: current.tokenHint, ...(current.expiresAt ? { expiresAt: current.expiresAt } : {}) }));
        log.info({ audit: true, action: 'policy_saved', policy }, 'workspace policy saved');
        await deps.refreshHome(client, installation, userId);
        return;
      }
      const target: AstroTarget = { apiUrl: deps.astroApiUrl, apiToken: token, organizationId: claims.organizationId };
      try {
        await deps.astro.listUsers(target, { offset: 0, limit: 1 });
      } catch (err) {
        log.info({ outcome: 'token_refused', kind: (err as { kind?: string }).kind, requestId: (err as { requestId?: string }).requestId }, 'Astro token test failed');
        await update(resultModal({ ok: false, reason: explainTestFailure(err, claims, claims.organizationId), ...(err instanceof AstroApiError && err.requestId ? { requestId: err.requestId } : {}) }));
        return;
      }
      const connection = {
        organizationId: claims.organizationId,
        apiToken: token,
        tokenHint: maskToken(token),
        scope: claims.scope,
        ...(claims.expiresAt !== undefined ? { expiresAt: claims.expiresAt } : {}),
        savedBy: userId,
        savedAt: Date.now(),
      };
      await deps.settings.saveConnection(key, connection);
      await deps.settings.savePolicy(key, policy);
      await deps.clearWorkspaceCache(key);
      await deps.settings.recordSuccess(key);
      log.info({ audit: true, action: 'astro_connected', organization: claims.organizationId, scope: claims.scope }, 'Astro connection saved');
      await update(resultModal({ ok: true, organizationId: connection.organizationId, tokenHint: connection.tokenHint, ...(connection.expiresAt ? { expiresAt: connection.expiresAt } : {}) }));
      await deps.refreshHome(client, installation, userId);
    } catch (err) {
      log.error({ err }, 'could not save the Astro connection');
      await update(resultModal({ ok: false, reason: 'astro-user could not save the settings just now (its storage did not answer). Try again in a moment.' }));
    }
  };
}

/** App Home's Configure button. */
export function configureAction(deps: ConfigDeps) {
  return async ({ ack, body, client, context }: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction>): Promise<void> => {
    await ack();
    await openConfigModal(deps, {
      client,
      triggerId: body.trigger_id,
      userId: body.user.id,
      installation: { teamId: context.teamId ?? body.team?.id, enterpriseId: context.enterpriseId ?? body.enterprise?.id, isEnterpriseInstall: context.isEnterpriseInstall },
    });
  };
}

/** App Home's Disconnect button (with a confirm dialog): removes the token and clears the cache. */
export function disconnectAction(deps: ConfigDeps) {
  return async ({ ack, body, client, context }: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction>): Promise<void> => {
    await ack();
    const installation: InstallationRef = { teamId: context.teamId ?? body.team?.id, enterpriseId: context.enterpriseId ?? body.enterprise?.id, isEnterpriseInstall: context.isEnterpriseInstall };
    const key = installationKey(installation);
    const log = deps.log.child({ surface: 'config', team: installation.teamId, slackUser: body.user.id });
    if (!(await deps.people.isAdmin(client, key, body.user.id, log))) {
      log.warn('a non-admin clicked Disconnect');
      return;
    }
    try {
      await deps.settings.deleteConnection(key);
      await deps.clearWorkspaceCache(key);
      log.info({ audit: true, action: 'astro_disconnected' }, 'Astro connection removed');
    } catch (err) {
      log.error({ err }, 'could not remove the Astro connection');
    }
    await deps.refreshHome(client, installation, body.user.id);
  };
}
