/**
 * Direct messages from the app to one person (`chat.postMessage` with the user's ID as the
 * channel: the app's DM with them, shown in its Messages tab; https://docs.slack.dev/reference/methods/chat.postMessage).
 * The message is checked against Block Kit limits first and sent `verbatim`; failures are logged
 * with Slack's error, never thrown.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../logger.js';
import { blockKitViolations } from '../views/limits.js';
import type { RenderedMessage } from '../views/user-card.js';
import { verbatim } from '../views/verbatim.js';

/**
 * Sends `message` to the Slack user `userId` privately.
 * @returns true when Slack accepted it.
 */
export async function sendDirect(client: WebClient, userId: string, message: RenderedMessage, log: Logger): Promise<boolean> {
  const violations = blockKitViolations(message, 'message');
  if (violations.length > 0) log.error({ violations: violations.slice(0, 10) }, 'direct message exceeds Block Kit limits; sending text only');
  try {
    await client.chat.postMessage({ channel: userId, text: message.text, ...(violations.length === 0 ? { blocks: verbatim(message.blocks) } : {}) });
    return true;
  } catch (err) {
    log.warn({ err, slackError: (err as { data?: { error?: string } }).data?.error, to: userId }, 'direct message failed');
    return false;
  }
}
