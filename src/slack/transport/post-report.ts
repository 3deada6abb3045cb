/**
 * Posts scheduled reports with `chat.postMessage` (https://docs.slack.dev/reference/methods/chat.postMessage)
 * using the installation's bot token: from the installation store (several workspaces), else
 * `SLACK_BOT_TOKEN`. The Web API client here never retries by itself (a retry of a post whose
 * answer was lost could post twice); a failure says whether Slack surely did not post
 * (`delivered: 'no'`: an error answer, a rate limit, a refused connection) or may have
 * (`unknown`: a timeout, a dropped connection, Slack's `internal_error`/`fatal_error`, which
 * Slack says may have partly succeeded). Nothing is posted in a channel shared with another
 * organization (Slack Connect, https://docs.slack.dev/reference/methods/conversations.info
 * `is_ext_shared`, `is_pending_ext_shared`): the channel is asked about before every post.
 */
import type { InstallationStore } from '@slack/oauth';
import { ErrorCode, WebClient, type WebClientOptions } from '@slack/web-api';
import { LRUCache } from 'lru-cache';
import { PostFailedError, type ReportPoster } from '../../app/scheduled-report.js';
import type { InstallationRef } from '../../core/installation.js';
import type { Logger } from '../../logger.js';
import { scheduledReportMessage } from '../views/scheduled-report.js';
import { verbatim } from '../views/verbatim.js';

/** The bot token of an installation, or undefined when it has none (not installed). */
export type BotTokenFor = (installation: InstallationRef) => Promise<string | undefined>;

/**
 * Where bot tokens come from: the installation store when the app serves several workspaces,
 * else the single workspace's `SLACK_BOT_TOKEN`.
 * @throws from the installation store when it cannot be read (a retry may help).
 */
export function botTokenFor(options: { installationStore?: InstallationStore; botToken?: string }): BotTokenFor {
  return async (ref) => {
    if (!options.installationStore) return options.botToken;
    try {
      const installation = await options.installationStore.fetchInstallation({
        teamId: ref.teamId,
        enterpriseId: ref.enterpriseId,
        isEnterpriseInstall: ref.isEnterpriseInstall === true,
      });
      return installation.bot?.token;
    } catch (err) {
      if (/^no installation for /.test((err as Error).message ?? '')) return undefined;
      throw err;
    }
  };
}

/** Slack errors after which the same post cannot succeed later (the slot is given up). */
const PERMANENT = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'invalid_auth', 'account_inactive', 'token_revoked', 'token_expired', 'missing_scope', 'not_authed', 'restricted_action', 'team_access_not_granted', 'ekm_access_denied', 'invalid_blocks', 'msg_too_long', 'too_many_attachments']);
/** Slack errors that may have partly succeeded (Slack's words for `internal_error` and `fatal_error`). */
const MAYBE_POSTED = new Set(['internal_error', 'fatal_error']);

/** Classifies a Web API failure of `chat.postMessage`. */
export function postFailure(err: unknown): PostFailedError {
  const e = err as { code?: string; data?: { error?: string }; original?: { code?: string }; statusCode?: number };
  if (e.code === ErrorCode.PlatformError) {
    const reason = e.data?.error ?? 'error';
    if (MAYBE_POSTED.has(reason)) return new PostFailedError({ delivered: 'unknown', reason, transient: false }, { cause: err });
    return new PostFailedError({ delivered: 'no', reason, transient: !PERMANENT.has(reason) }, { cause: err });
  }
  if (e.code === ErrorCode.RateLimitedError) return new PostFailedError({ delivered: 'no', reason: 'ratelimited', transient: true }, { cause: err });
  if (e.code === ErrorCode.RequestError && (e.original?.code === 'ECONNREFUSED' || e.original?.code === 'ENOTFOUND' || e.original?.code === 'EAI_AGAIN')) {
    return new PostFailedError({ delivered: 'no', reason: 'network', transient: true }, { cause: err });
  }
  if (e.code === ErrorCode.HTTPError && e.statusCode === 429) return new PostFailedError({ delivered: 'no', reason: 'ratelimited', transient: true }, { cause: err });
  return new PostFailedError({ delivered: 'unknown', reason: e.code === ErrorCode.HTTPError ? `http_${e.statusCode ?? 0}` : 'timeout', transient: false }, { cause: err });
}

/** Creates the poster. `clientOptions` are the app's Web API options (API URL, timeout); retries are turned off here. */
export function createReportPoster(options: { tokenFor: BotTokenFor; clientOptions: WebClientOptions; log: Logger }): ReportPoster {
  const clients = new LRUCache<string, WebClient>({ max: 500 });
  const clientOf = (token: string) => {
    let c = clients.get(token);
    if (!c) {
      c = new WebClient(token, { ...options.clientOptions, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
      clients.set(token, c);
    }
    return c;
  };
  // Reading a channel changes nothing: that call may be retried (a post may not).
  const readers = new LRUCache<string, WebClient>({ max: 500 });
  const readerOf = (token: string) => {
    let c = readers.get(token);
    if (!c) {
      c = new WebClient(token, { ...options.clientOptions, retryConfig: { retries: 2, factor: 1, minTimeout: 200, maxTimeout: 500 } });
      readers.set(token, c);
    }
    return c;
  };
  return {
    async post(installation, channelId, post) {
      let token: string | undefined;
      try {
        token = await options.tokenFor(installation);
      } catch (err) {
        throw new PostFailedError({ delivered: 'no', reason: 'installation_unreadable', transient: true }, { cause: err });
      }
      if (!token) throw new PostFailedError({ delivered: 'no', reason: 'not_installed', transient: false });
      const client = clientOf(token);
      // The channel was not shared with another organization when the schedule was saved; it may
      // be since (Slack Connect). Asked again before every post: a report is for this organization.
      let shared: boolean;
      try {
        const info = await readerOf(token).conversations.info({ channel: channelId });
        const c = info.channel as { is_ext_shared?: boolean; is_pending_ext_shared?: boolean } | undefined;
        shared = Boolean(c?.is_ext_shared || c?.is_pending_ext_shared);
      } catch (err) {
        // Nothing was posted: an error answer is read as chat.postMessage's would be; otherwise try again later.
        const failure = postFailure(err);
        throw failure.delivered === 'no' ? failure : new PostFailedError({ delivered: 'no', reason: failure.reason, transient: true }, { cause: err });
      }
      if (shared) throw new PostFailedError({ delivered: 'no', reason: 'channel_shared', transient: false });
      const message = verbatim(scheduledReportMessage(post));
      try {
        await client.chat.postMessage({ channel: channelId, text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false });
      } catch (err) {
        throw postFailure(err);
      }
    },
  };
}
