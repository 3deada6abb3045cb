/**
 * Small pure formatters shared by the renderers: role labels, statuses, Slack dates, avatars.
 */
import { roleWords } from '../../core/roles.js';
import { escapeAndTruncate, oneLine } from './limits.js';

/**
 * A role in plain words: `WORKSPACE_OPERATOR` → "Workspace Operator", `DAG_VIEWER` → "DAG Viewer".
 * Anything that is not an upper-case constant (a custom role such as "my custom role") is kept as
 * it is, on one line. The result is plain text: escape it before putting it in mrkdwn.
 */
export function roleLabel(role: string): string {
  return roleWords(oneLine(role));
}

/** Display of a user status: a symbol and a word (with a hint for the states people ask about). */
export interface StatusDisplay {
  emoji: string;
  word: string;
  hint?: string;
}

/**
 * The status with a clear symbol and a word. Astro's documented values (v1 spec `User.status`):
 * ACTIVE, PENDING (invited, not yet accepted), INACTIVE, BANNED; others are shown as sent.
 */
export function statusDisplay(status: string): StatusDisplay {
  switch (status) {
    case 'ACTIVE':
      return { emoji: ':large_green_circle:', word: 'Active' };
    case 'PENDING':
      return { emoji: ':hourglass_flowing_sand:', word: 'Pending', hint: 'invited, has not accepted yet' };
    case 'INACTIVE':
      return { emoji: ':white_circle:', word: 'Inactive', hint: 'cannot sign in' };
    case 'BANNED':
      return { emoji: ':no_entry:', word: 'Banned', hint: 'blocked by an Organization Owner' };
    default:
      return { emoji: ':grey_question:', word: status ? roleLabel(status) : 'Unknown' };
  }
}

/** Formats a Date as `2024-03-02 10:15 UTC` (the fallback of a Slack date). */
function utcFallback(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * A date in Slack's `<!date^unix^{date_short} at {time}|fallback>` syntax, so each reader sees it
 * in their own time zone (Slack formatting reference, "Formatting dates").
 *
 * @param value an ISO 8601 string or ms since the epoch. An unparseable string is shown escaped,
 *   as text; an absent one as "unknown".
 */
export function slackDate(value: string | number | undefined, tokens = '{date_short} at {time}'): string {
  if (value === undefined || value === '') return 'unknown';
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms) || ms < 0 || ms > 253_402_300_799_000) {
    return escapeAndTruncate(oneLine(String(value)), 40);
  }
  const d = new Date(ms);
  return `<!date^${Math.floor(ms / 1000)}^${tokens}|${utcFallback(d)}>`;
}

/**
 * `url` when it is a usable public https image URL for Slack (≤3000 chars, no credentials, no
 * spaces or angle brackets), else undefined. Block Kit image element: image_url ≤ 3000 chars.
 */
export function httpsImageUrl(url: string | undefined): string | undefined {
  if (!url || url.length > 3000 || /[\s<>|"]/.test(url)) return undefined;
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' || u.username || u.password || !u.hostname.includes('.')) return undefined;
    return u.toString().length <= 3000 ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}
