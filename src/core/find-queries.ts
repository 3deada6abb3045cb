/**
 * Finds the Astro users a message names: IDs, emails and Slack mentions, for @-mentions and the
 * message shortcut. Pure.
 */
import type { UserQuery } from './query.js';

/**
 * Finds everyone a text names, in order and without repeats, up to `max`: Astro user IDs, emails
 * (Slack's `<mailto:…|…>` or plain), and Slack user mentions `<@U…>` other than `exceptUser` (the
 * bot itself). Each string is scanned up to 100,000 characters.
 */
export function findUserQueries(texts: string | readonly string[], options: { exceptUser?: string; mentions?: boolean; max?: number } = {}): UserQuery[] {
  const max = options.max ?? 1000;
  const seen = new Set<string>();
  const out: UserQuery[] = [];
  const re = /(?<![0-9a-zA-Z])(c[0-9a-z]{24})(?![0-9a-zA-Z])|<mailto:([^|>\s]{3,254})(?:\|[^>]*)?>|(?<![^\s<(,;:'"])([^@\s<>|(),;:'"]{1,64}@[^@\s<>|(),;:'"]+\.[A-Za-z]{2,})|<@([UW][A-Z0-9]{2,30})(?:\|[^>]*)?>/g;
  for (const text of typeof texts === 'string' ? [texts] : texts) {
    for (const m of text.slice(0, 100_000).matchAll(re)) {
      let q: UserQuery | undefined;
      if (m[1]) q = { kind: 'user_id', userId: m[1] };
      else if (m[2] ?? m[3]) q = { kind: 'email', email: (m[2] ?? m[3])!.replace(/[.]+$/, '') };
      else if (m[4] && options.mentions !== false && m[4] !== options.exceptUser) q = { kind: 'slack_user', slackUserId: m[4] };
      if (!q) continue;
      const key = JSON.stringify(q).toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(q);
      if (out.length >= max) return out;
    }
  }
  return out;
}

