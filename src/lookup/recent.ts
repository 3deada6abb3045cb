/**
 * Each Slack user's recent lookups, newest first, for App Home. Kept per installation and Slack
 * user in the best-effort `recent` namespace with a TTL: losing it costs only the history.
 *
 * Looking the same user up again and again (Refresh, a repeated command) writes nothing while that
 * user is already first in the list under the same label and was recorded less than
 * `refreshAfterMs` ago (default 5 minutes): a cached lookup then costs one store read here, not a
 * read and a write. The time shown in App Home for that entry is then at most that much older
 * than the latest lookup.
 */
import { z } from 'zod';
import type { BestEffortCache } from '../store/best-effort-cache.js';

/** One remembered lookup. */
export interface RecentLookup {
  /** Astro user ID. */
  userId: string;
  /** Full name (or username) at the time, to label the entry. */
  label: string;
  /** When it was looked up, in ms since the epoch. */
  at: number;
}

const RecentListSchema = z.array(
  z.object({ userId: z.string().regex(/^c[0-9a-z]{24}$/), label: z.string().max(300), at: z.number().int().positive() }),
);

/** Options of {@link createRecentLookups}. */
export interface RecentLookupsOptions {
  store: BestEffortCache;
  /** Entries kept per Slack user. Default 10. */
  max?: number;
  /** How long a history lives after its last change, in ms. Default 30 days. */
  ttlMs?: number;
  /**
   * Recording the user who is already first, under the same label, rewrites the list only when
   * that entry is at least this old, in ms. Default 5 minutes; 0 rewrites every time.
   */
  refreshAfterMs?: number;
  now?: () => number;
}

/** Recent lookups per (installation, Slack user). */
export interface RecentLookups {
  /** The history, newest first; [] when none or unreadable. */
  list(installation: string, slackUserId: string): Promise<RecentLookup[]>;
  /**
   * Puts `entry` first (dropping an older entry for the same Astro user), capped. Writes nothing
   * when the same user is already first under the same label and younger than `refreshAfterMs`.
   */
  record(installation: string, slackUserId: string, entry: Omit<RecentLookup, 'at'>): Promise<void>;
  /** Forgets the history. */
  clear(installation: string, slackUserId: string): Promise<void>;
}

const keyOf = (installation: string, slackUserId: string) => ['recent', 'v1', installation, slackUserId].map(encodeURIComponent).join(':');

/** Creates the {@link RecentLookups} store. */
export function createRecentLookups(options: RecentLookupsOptions): RecentLookups {
  const max = options.max ?? 10;
  const ttlMs = options.ttlMs ?? 30 * 24 * 3600 * 1000;
  const refreshAfterMs = options.refreshAfterMs ?? 5 * 60 * 1000;
  const now = options.now ?? Date.now;
  const list = async (installation: string, slackUserId: string) => {
    const parsed = RecentListSchema.safeParse(await options.store.get(keyOf(installation, slackUserId)));
    return parsed.success ? parsed.data : [];
  };
  return {
    list,
    async record(installation, slackUserId, entry) {
      const current = await list(installation, slackUserId);
      const label = Array.from(entry.label).slice(0, 300).join('');
      const at = now();
      const first = current[0];
      if (first && first.userId === entry.userId && first.label === label && at - first.at < refreshAfterMs && at >= first.at) return;
      const next = [{ userId: entry.userId, label, at }, ...current.filter((e) => e.userId !== entry.userId)].slice(0, max);
      await options.store.set(keyOf(installation, slackUserId), next, ttlMs);
    },
    async clear(installation, slackUserId) {
      await options.store.delete(keyOf(installation, slackUserId));
    },
  };
}
