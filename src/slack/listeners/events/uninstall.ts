/**
 * `app_uninstalled` and `tokens_revoked`: remove everything kept for that workspace (installation,
 * Astro settings and policy, cached answers, recent lookups). Bolt calls no deleteInstallation by
 * itself (bolt-js#1203). Idempotent, and safe when the event arrives late, after a reinstall:
 * only what was installed before the event is deleted (bolt-js#673).
 */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { installationKey, type InstallationRef } from '../../../lookup/settings.js';
import type { Logger } from '../../../logger.js';

/** What uninstalling touches. */
export interface UninstallDeps {
  log: Logger;
  /** When the current installation of `key` was stored (ms), undefined when none; absent in single-workspace mode. */
  installedAt?: (key: string) => Promise<number | undefined>;
  /** Deletes the installation, settings, cache and history of `key`. */
  forgetWorkspace(key: string): Promise<void>;
}

/** Builds the listener for `app_uninstalled` and `tokens_revoked`. */
export function uninstallListener(deps: UninstallDeps) {
  return async ({ event, body, context }: AllMiddlewareArgs & SlackEventMiddlewareArgs<'app_uninstalled' | 'tokens_revoked'>): Promise<void> => {
    if (event.type === 'tokens_revoked' && (event.tokens.bot ?? []).length === 0) return; // only user tokens: none kept
    const b = body as { team_id?: string; enterprise_id?: string; is_enterprise_install?: boolean; event_time?: number; authorizations?: { is_enterprise_install?: boolean }[] };
    const ref: InstallationRef = {
      teamId: context.teamId ?? b.team_id,
      enterpriseId: context.enterpriseId ?? b.enterprise_id,
      isEnterpriseInstall: context.isEnterpriseInstall ?? b.is_enterprise_install ?? b.authorizations?.[0]?.is_enterprise_install,
    };
    const key = installationKey(ref);
    const log = deps.log.child({ surface: 'uninstall', team: ref.teamId, event: event.type });
    const eventAt = (b.event_time ?? Math.floor(Date.now() / 1000)) * 1000;
    try {
      if (deps.installedAt) {
        const installedAt = await deps.installedAt(key);
        if (installedAt !== undefined && installedAt > eventAt) {
          log.info({ installedAt, eventAt }, 'uninstall event predates the current installation; keeping it');
          return;
        }
      }
      await deps.forgetWorkspace(key);
      log.info({ audit: true, action: 'workspace_forgotten' }, 'removed everything kept for the workspace');
    } catch (err) {
      log.error({ err }, 'could not remove the workspace data; the event will be retried by Slack');
      throw err;
    }
  };
}
