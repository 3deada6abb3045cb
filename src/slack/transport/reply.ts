/**
 * Sending a reply through a `response_url` (Bolt's `respond()`), safely: the payload is checked
 * against Block Kit limits first, failures are caught and logged with Slack's detail, and a reply
 * Slack refuses is retried once as a plain version without images. Never throws.
 */
import type { RespondFn } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { Logger } from '../../logger.js';
import { blockKitViolations } from '../views/limits.js';
import type { RenderedMessage } from '../views/user-card.js';
import { verbatim } from '../views/verbatim.js';

/** How the reply is posted through `response_url`. */
export interface ReplyOptions {
  /** `ephemeral` (only the asker sees it, the default) or `in_channel`. */
  responseType?: 'ephemeral' | 'in_channel';
  /** Replace the message that holds the clicked button (interactive payloads only). */
  replaceOriginal?: boolean;
}

/** Removes image accessories and image context elements (Slack refuses a message whose image it cannot fetch). */
export function withoutImages(blocks: KnownBlock[]): KnownBlock[] {
  return blocks.map((b) => {
    if (b.type === 'section' && b.accessory?.type === 'image') {
      const { accessory: _dropped, ...rest } = b;
      return rest;
    }
    if (b.type === 'context') {
      const elements = b.elements.filter((e) => e.type !== 'image');
      return elements.length > 0 ? { ...b, elements } : { ...b, elements: [{ type: 'mrkdwn', text: ' ' }] };
    }
    return b;
  });
}

/**
 * Blocks of messages already checked against Block Kit limits and marked verbatim, by message
 * object (renderCards hands out the same object for the same card): the check runs once per message.
 */
const checked = new WeakMap<RenderedMessage, KnownBlock[]>();

/** Status code of a `RespondError` (ours or Bolt's), if `err` is one. */
function statusOf(err: unknown): number | undefined {
  const s = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

/**
 * Posts `message` via `respond`. Returns true when Slack accepted it.
 *
 * - A message over Block Kit limits (a renderer bug) is logged and replaced by its text fallback.
 * - A refusal other than an expired `response_url` (404/410: it lives 30 minutes and 5 uses) is
 *   retried once without images, then as text only.
 */
export async function replyVia(respond: RespondFn, message: RenderedMessage, log: Logger, options: ReplyOptions = {}): Promise<boolean> {
  const base = {
    response_type: options.responseType ?? 'ephemeral',
    ...(options.replaceOriginal ? { replace_original: true } : { replace_original: false }),
  } as const;
  let blocks = checked.get(message);
  if (!blocks) {
    const violations = blockKitViolations(message, 'message');
    if (violations.length > 0) {
      log.error({ violations: violations.slice(0, 10) }, 'reply exceeds Block Kit limits; sending text only');
      blocks = [];
    } else {
      blocks = verbatim(message.blocks);
      checked.set(message, blocks);
    }
  }
  const attempts: KnownBlock[][] = blocks.length > 0 ? [blocks, withoutImages(blocks), []] : [[]];
  for (const [i, attempt] of attempts.entries()) {
    try {
      await respond({ ...base, text: message.text, ...(attempt.length > 0 ? { blocks: attempt } : {}) });
      return true;
    } catch (err) {
      const status = statusOf(err);
      log.warn({ err, statusCode: status, attempt: i + 1 }, 'reply via response_url failed');
      if (status === 404 || status === 410 || status === undefined) return false;
    }
  }
  return false;
}
