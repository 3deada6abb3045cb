/**
 * One way to read a Slack request: its installation (from Bolt's `context`, set by `authorize`,
 * then the payload), and the use cases' {@link AskContext} built from it once.
 */
import type { Context } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { InstallationRef } from '../core/installation.js';
import type { Visibility } from '../core/visibility.js';
import { workspaceOf, type AskContext, type Asker, type Surface } from '../app/request.js';
import type { Logger } from '../logger.js';
import type { DirectoryFor } from './directory.js';

/** The parts of a payload that name its workspace (commands, events, actions, views). */
export interface PayloadTeam {
  team_id?: string | undefined;
  enterprise_id?: string | undefined;
  /** A boolean in events and actions; the string `'true'`/`'false'` in slash commands. */
  is_enterprise_install?: boolean | string | undefined;
  team?: { id?: string } | null | undefined;
  enterprise?: { id?: string } | null | undefined;
  authorizations?: { is_enterprise_install?: boolean }[] | undefined;
}

/**
 * The Slack installation of a request: Bolt's `context` (set by authorize) first, then the payload.
 * Source: https://docs.slack.dev/tools/bolt-js/concepts/authorization
 */
export function installationOf(context: Context, body?: PayloadTeam): InstallationRef {
  return {
    teamId: context.teamId ?? body?.team_id ?? body?.team?.id ?? undefined,
    enterpriseId: context.enterpriseId ?? body?.enterprise_id ?? body?.enterprise?.id ?? undefined,
    isEnterpriseInstall: context.isEnterpriseInstall ?? (body?.is_enterprise_install !== undefined ? body.is_enterprise_install === true || body.is_enterprise_install === 'true' : body?.authorizations?.[0]?.is_enterprise_install),
  };
}

/** What {@link askContext} needs from the listener's dependencies. */
export interface RequestDeps {
  directoryFor: DirectoryFor;
  log: Logger;
}

/**
 * The use cases' context for this request.
 * @throws {Error} when the request names no valid workspace (Bolt's authorize refuses those first).
 */
export function askContext(
  deps: RequestDeps,
  request: { context: Context; body?: PayloadTeam; client: WebClient },
  asker: Asker,
  surface: Surface,
  visibility: Visibility = 'private',
): AskContext {
  const workspace = workspaceOf(installationOf(request.context, request.body));
  const askerTeam = (request.body as { user?: { team_id?: unknown } } | undefined)?.user?.team_id;
  return {
    workspace,
    asker,
    directory: deps.directoryFor(request.client, workspace.key, deps.log),
    surface,
    visibility,
    log: deps.log,
    ...(typeof askerTeam === 'string' && askerTeam ? { askerTeamId: askerTeam } : {}),
  };
}

/** A person asking. */
export const person = (slackUserId: string): Asker => ({ kind: 'person', slackUserId });
