/**
 * Slack's answers about people and conversations (the application layer's {@link SlackDirectory}),
 * read with the Web API, never trusted from a payload. Facts and user-group members are kept in
 * process memory for a few minutes, so a lookup rarely waits for Slack.
 * Sources: https://docs.slack.dev/reference/methods/users.info (`is_admin`, `is_owner`,
 * `is_primary_owner`, `is_restricted`, `is_ultra_restricted`, `is_bot`, `profile.email`),
 * https://docs.slack.dev/reference/methods/usergroups.users.list,
 * https://docs.slack.dev/reference/methods/conversations.info (`is_ext_shared`).
 */
import type { WebClient } from '@slack/web-api';
import { LRUCache } from 'lru-cache';
import type { PersonFacts, SlackDirectory } from '../app/ports.js';
import type { Logger } from '../logger.js';

/** Options of {@link createPeople}. */
export interface PeopleOptions {
  /** Slack user IDs treated as admins besides workspace admins and owners (ADMIN_USER_IDS). */
  adminUserIds: ReadonlySet<string>;
  /** How long facts are kept, in ms. Default 5 minutes. */
  ttlMs?: number;
}

/** Builds the {@link SlackDirectory} of one request: its Web API client, workspace key and logger. */
export type DirectoryFor = (client: WebClient, teamKey: string, log: Logger) => SlackDirectory;

/** Slack's error code of a Web API failure. */
const slackError = (err: unknown) => (err as { data?: { error?: string } }).data?.error;

/** Creates the process-wide memory of facts and returns how to build each request's directory. */
export function createPeople(options: PeopleOptions): DirectoryFor {
  const ttl = options.ttlMs ?? 5 * 60_000;
  const users = new LRUCache<string, { isAdmin: boolean; isGuest: boolean; isBot: boolean; email: string | undefined }>({ max: 20_000, ttl });
  const members = new LRUCache<string, ReadonlySet<string>>({ max: 1000, ttl });
  return (client, teamKey, log) => {
    const read = async (userId: string) => {
      const key = `${teamKey}:${userId}`;
      const hit = users.get(key);
      if (hit) return hit;
      try {
        const res = await client.users.info({ user: userId });
        const u = res.user ?? {};
        const email = (u.profile as { email?: unknown } | undefined)?.email;
        const f = {
          isAdmin: Boolean(u.is_admin || u.is_owner || u.is_primary_owner) || options.adminUserIds.has(userId),
          isGuest: Boolean(u.is_restricted || u.is_ultra_restricted),
          isBot: Boolean(u.is_bot),
          email: typeof email === 'string' && email ? email : undefined,
        };
        users.set(key, f);
        return f;
      } catch (err) {
        log.warn({ component: 'people', err, slackError: slackError(err) }, 'users.info failed');
        return undefined;
      }
    };
    return {
      async facts(userId): Promise<PersonFacts> {
        const f = await read(userId);
        return f ? { known: true, isAdmin: f.isAdmin, isGuest: f.isGuest, isBot: f.isBot } : { known: false };
      },
      async isAdmin(userId) {
        if (options.adminUserIds.has(userId)) return true;
        return (await read(userId))?.isAdmin ?? false;
      },
      async emailOf(userId) {
        return (await read(userId))?.email;
      },
      async inAnyGroup(userId, groups) {
        for (const group of groups) {
          const key = `${teamKey}:${group}`;
          let set = members.get(key);
          if (!set) {
            try {
              const res = await client.usergroups.users.list({ usergroup: group });
              set = new Set(res.users ?? []);
              members.set(key, set);
            } catch (err) {
              log.warn({ component: 'people', err, slackError: slackError(err), group }, 'usergroups.users.list failed');
              continue;
            }
          }
          if (set.has(userId)) return true;
        }
        return false;
      },
      async isExternal(channelId) {
        try {
          const info = await client.conversations.info({ channel: channelId });
          const c = info.channel as { is_ext_shared?: boolean; is_pending_ext_shared?: boolean } | undefined;
          if (!c) return undefined;
          return Boolean(c.is_ext_shared || c.is_pending_ext_shared);
        } catch (err) {
          log.info({ slackError: slackError(err) }, 'conversations.info failed; treating the conversation as possibly shared');
          return undefined;
        }
      },
    };
  };
}
