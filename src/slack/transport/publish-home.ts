/**
 * Publishing the Home view: `views.publish` with the view `hash` so that a slower request cannot
 * overwrite a newer view; on `hash_conflict` the view is rendered again and published once more
 * without a hash. Failures are logged with Slack's error detail, never thrown.
 * Source: https://docs.slack.dev/reference/methods/views.publish (hash, hash_conflict).
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../logger.js';
import { blockKitViolations } from '../views/limits.js';
import { renderHome, type HomeState } from '../views/home.js';
import type { HomeView, KnownBlock } from '@slack/types';
import { withoutImages } from './reply.js';
import { verbatim } from '../views/verbatim.js';

/** What to publish: who, and either the lookup Home's state or another Home view. */
export type PublishHomeRequest = PublishHomeBase &
  (
    | {
        /** Builds the state to show; called again after a `hash_conflict`, to show the newest state. */
        state: () => Promise<HomeState>;
        view?: undefined;
      }
    | {
        /** Builds another Home view instead of the lookup Home (e.g. the full report); called again after a `hash_conflict`. */
        view: () => Promise<HomeView>;
        state?: undefined;
      }
  );

/** What every publish says: whose Home, the view it replaces, and whether it is still wanted. */
export interface PublishHomeBase {
  /** Slack user whose Home it is. */
  userId: string;
  /** Hash of the view this update is based on, if known. */
  hash?: string | undefined;
  /**
   * False once a newer request of the same person has started: then this one publishes nothing
   * more (a slow lookup must not replace the card of a later one).
   */
  isCurrent?: () => boolean;
  log: Logger;
}

/** Slack's error code of a Web API failure. */
function slackError(err: unknown): string | undefined {
  return (err as { data?: { error?: string } }).data?.error;
}

/**
 * Publishes the Home view of `request.userId`.
 * @returns the new view's hash, or undefined when Slack refused (logged).
 */
export async function publishHome(client: WebClient, request: PublishHomeRequest): Promise<string | undefined> {
  const current = request.isCurrent ?? (() => true);
  let images = true;
  const publish = async (hash: string | undefined): Promise<string | undefined> => {
    if (!current()) return undefined;
    let view = verbatim(request.view ? await request.view() : renderHome(await request.state()));
    if (!images) view = { ...view, blocks: withoutImages(view.blocks as KnownBlock[]) };
    if (!current()) return undefined;
    const violations = blockKitViolations(view, 'view');
    if (violations.length > 0) request.log.error({ violations: violations.slice(0, 10) }, 'Home view exceeds Block Kit limits');
    const res = await client.views.publish({ user_id: request.userId, view, ...(hash ? { hash } : {}) });
    return (res.view as { hash?: string } | undefined)?.hash;
  };
  try {
    return await publish(request.hash);
  } catch (first) {
    let err: unknown = first;
    if (slackError(err) === 'invalid_blocks') {
      // Most often Slack could not fetch the avatar: show the card without images.
      images = false;
      try {
        return await publish(request.hash);
      } catch (again) {
        err = again;
      }
    }
    if (slackError(err) === 'hash_conflict' && current()) {
      request.log.info('Home view changed meanwhile; rendering the newest state again');
      try {
        return await publish(undefined);
      } catch (again) {
        err = again;
      }
    }
    request.log.warn({ err, slackError: slackError(err), detail: (err as { data?: { response_metadata?: unknown } }).data?.response_metadata }, 'views.publish failed');
    return undefined;
  }
}
