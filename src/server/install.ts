/**
 * The OAuth install flow (multi-workspace mode): Bolt's installer with our installation store, the
 * allow list (ALLOWED_TEAM_IDS), and the small pages a person sees at the end of it.
 * Source: https://docs.slack.dev/tools/bolt-js/concepts/authenticating-oauth
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Installation, InstallationStore, OrgInstallation } from '@slack/oauth';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { isAllowed } from '../slack/installation-store.js';

/** Bot scopes asked for in the install flow (keep in step with manifest.yml). */
export const BOT_SCOPES = ['commands', 'app_mentions:read', 'chat:write', 'users:read', 'users:read.email', 'usergroups:read', 'channels:read', 'groups:read', 'im:read', 'mpim:read', 'links:read', 'links:write'] as const;

/** A small HTML page for the install flow's outcome; `title` and `text` are our own words. */
export function installPage(title: string, text: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:sans-serif;max-width:40em;margin:4em auto"><h1>${title}</h1><p>${text}</p></body></html>`;
}

/** Writes an install page. */
function page(res: ServerResponse, status: number, title: string, text: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(installPage(title, text));
}

/**
 * Bolt's OAuth options for the install flow: scopes, our installation store, and callbacks that
 * refuse workspaces outside ALLOWED_TEAM_IDS (the token Slack just issued is revoked) and show
 * plain pages for success and failure.
 * @param oauth Slack app credentials (client ID and secret, state secret).
 * @param socketMode the installer then serves its own HTTP port (`config.port`).
 */
export function installOptions(
  config: Pick<Config, 'allowedTeamIds' | 'port'> & { oauth: { clientId: string; clientSecret: string; stateSecret: string } },
  installationStore: InstallationStore,
  deps: { log: Logger; clientOptions: WebClientOptions; socketMode: boolean },
) {
  return {
    clientId: config.oauth.clientId,
    clientSecret: config.oauth.clientSecret,
    stateSecret: config.oauth.stateSecret,
    scopes: [...BOT_SCOPES],
    installationStore,
    installerOptions: {
      directInstall: true,
      ...(deps.socketMode ? { port: config.port } : {}),
      callbackOptions: {
        afterInstallation: async (installation: Installation | OrgInstallation, _o: unknown, _req: IncomingMessage, res: ServerResponse) => {
          const ids = { teamId: installation.team?.id, enterpriseId: installation.enterprise?.id };
          if (isAllowed(config.allowedTeamIds, ids)) return true;
          deps.log.warn({ audit: true, action: 'install_refused', team: ids.teamId, enterprise: ids.enterpriseId }, 'install from a workspace not in ALLOWED_TEAM_IDS refused');
          const token = installation.bot?.token;
          if (token) await new WebClient(token, deps.clientOptions).auth.revoke().catch(() => undefined);
          page(res, 403, 'astro-user is not available for this Slack workspace', 'Its operator allows it only for some workspaces. Nothing was installed; ask the person who runs astro-user.');
          return false;
        },
        success: (_i: unknown, _o: unknown, _req: IncomingMessage, res: ServerResponse) =>
          page(res, 200, 'astro-user is installed', 'Open astro-user in Slack: an admin connects Astro from its Home tab (Configure), then anyone can type /astro-user.'),
        failure: (_e: unknown, _o: unknown, _req: IncomingMessage, res: ServerResponse) =>
          page(res, 400, 'The installation did not complete', 'Slack did not confirm it (the link may have expired). Start again from the install link.'),
      },
    },
  };
}
