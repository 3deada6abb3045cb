/**
 * Who asks, where, and how: what every use case is called with. Built once per Slack request by
 * the listener (src/slack/request.ts), so the installation key is computed once.
 */
import { installationKey, type InstallationRef } from '../core/installation.js';
import type { Visibility } from '../core/visibility.js';
import type { Logger } from '../logger.js';
import type { SlackDirectory } from './ports.js';

/** A Slack installation and its key (`T.<team>` or `E.<enterprise>`). */
export interface Workspace {
  ref: InstallationRef;
  key: string;
}

/**
 * Builds a {@link Workspace}.
 * @throws {Error} when the reference names no valid team or enterprise (see `installationKey`).
 */
export function workspaceOf(ref: InstallationRef): Workspace {
  return { ref, key: installationKey(ref) };
}

/**
 * Who asks: a person, or a bot or workflow (an app's message, `bot_id`; it may carry the bot's
 * own user ID in `slackUserId`, and often none).
 */
export type Asker = { kind: 'person'; slackUserId: string } | { kind: 'bot'; botId: string; slackUserId?: string };

/** Where a question came from, for logs, metrics and the audit line. */
export type Surface = 'command' | 'home' | 'mention' | 'shortcut' | 'refresh' | 'share' | 'picker' | 'unfurl' | 'report' | 'workflow' | 'explain';

/** One request to a use case. */
export interface AskContext {
  workspace: Workspace;
  asker: Asker;
  /** Slack's view of people and conversations, through this request's client. */
  directory: SlackDirectory;
  surface: Surface;
  /** Who will see the answer (for the audit line): only the asker, a thread, or a channel. */
  visibility: Visibility;
  /** The request's logger (carries its correlation ID). */
  log: Logger;
  /**
   * The Slack team of the person asking, when the payload names it (`user.team_id` of a button
   * click): in a channel shared with another organization (Slack Connect) it can differ from the
   * workspace's own.
   */
  askerTeamId?: string;
}

/** The abuse-limit bucket of an asker: the Slack user, else `bot:<bot_id>`. */
export function askerBucket(asker: Asker): string {
  return asker.slackUserId ?? (asker.kind === 'bot' ? `bot:${asker.botId}` : 'unknown');
}

/**
 * Writes one audit line of a question answered on any surface: who asked (team, Slack user or
 * bot), where, who sees the answer, then `fields` (the outcome; never a token, a name or an email).
 * @param msg the line's message, naming the use case (`lookup`, `access`, `report`, …).
 */
export function auditLine(ctx: AskContext, msg: string, fields: Record<string, unknown>): void {
  ctx.log.info(
    {
      audit: true,
      surface: ctx.surface,
      team: ctx.workspace.ref.teamId,
      slackUser: ctx.asker.slackUserId,
      ...(ctx.asker.kind === 'bot' ? { bot: ctx.asker.botId } : {}),
      visibility: ctx.visibility,
      ...fields,
    },
    msg,
  );
}
