/**
 * Who is asking: admin or not, guest or not, read with the Web API (`users.info`, scope
 * `users:read`), never trusted from a payload. Answers are kept in process memory for a few
 * minutes, so a lookup rarely waits for Slack.
 * Source: https://docs.slack.dev/reference/methods/users.info (`is_admin`, `is_owner`,
 * `is_primary_owner`, `is_restricted`, `is_ultra_restricted`).
 */
import type { WebClient } from '@slack/web-api';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../logger.js';

/** What Slack says about a user; `unknown` when Slack could not be asked. */
export type PersonFacts = { known: true; isAdmin: boolean; isGuest: boolean } | { known: false };

/** Options of {@link createPeople}. */
export interface PeopleOptions {
  /** Slack user IDs treated as admins besides workspace admins and owners (ADMIN_USER_IDS). */
  adminUserIds: ReadonlySet<string>;
  log: Logger;
  /** How long facts are kept, in ms. Default 5 minutes. */
  ttlMs?: number;
}

/**
 * Facts about Slack users. Each method takes the request's logger (its lines then carry the
 * request's correlation ID); the one of {@link PeopleOptions} when absent.
 */
export interface People {
  /** The user's facts; `{known: false}` when `users.info` failed (logged). */
  facts(client: WebClient, teamKey: string, userId: string, log?: Logger): Promise<PersonFacts>;
  /** True for ADMIN_USER_IDS, workspace admins and owners; false when unknown (fail closed). */
  isAdmin(client: WebClient, teamKey: string, userId: string, log?: Logger): Promise<boolean>;
  /**
   * True when `userId` is in one of the user groups (`usergroups.users.list`, scope
   * `usergroups:read`); false when not, or when Slack cannot say (fail closed).
   */
  inAnyGroup(client: WebClient, teamKey: string, userId: string, groups: readonly string[], log?: Logger): Promise<boolean>;
}

/** Creates the {@link People} reader. */
export function createPeople(options: PeopleOptions): People {
  const cache = new LRUCache<string, { isAdmin: boolean; isGuest: boolean }>({ max: 20_000, ttl: options.ttlMs ?? 5 * 60_000 });
  const facts: People['facts'] = async (client, teamKey, userId, log = options.log) => {
    const key = `${teamKey}:${userId}`;
    const hit = cache.get(key);
    if (hit) return { known: true, ...hit };
    try {
      const res = await client.users.info({ user: userId });
      const u = res.user ?? {};
      const f = {
        isAdmin: Boolean(u.is_admin || u.is_owner || u.is_primary_owner) || options.adminUserIds.has(userId),
        isGuest: Boolean(u.is_restricted || u.is_ultra_restricted),
      };
      cache.set(key, f);
      return { known: true, ...f };
    } catch (err) {
      log.warn({ component: 'people', err, slackError: (err as { data?: { error?: string } }).data?.error }, 'users.info failed');
      return { known: false };
    }
  };
  const members = new LRUCache<string, ReadonlySet<string>>({ max: 1000, ttl: options.ttlMs ?? 5 * 60_000 });
  return {
    facts,
    async inAnyGroup(client, teamKey, userId, groups, log = options.log) {
      for (const group of groups) {
        const key = `${teamKey}:${group}`;
        let set = members.get(key);
        if (!set) {
          try {
            const res = await client.usergroups.users.list({ usergroup: group });
            set = new Set(res.users ?? []);
            members.set(key, set);
          } catch (err) {
            log.warn({ component: 'people', err, slackError: (err as { data?: { error?: string } }).data?.error, group }, 'usergroups.users.list failed');
            continue;
          }
        }
        if (set.has(userId)) return true;
      }
      return false;
    },
    async isAdmin(client, teamKey, userId, log) {
      if (options.adminUserIds.has(userId)) return true;
      const f = await facts(client, teamKey, userId, log);
      return f.known && f.isAdmin;
    },
  };
}
