/**
 * Named sets of keys (e.g. the installations that have a report schedule), so that a strict
 * store's records of one kind can be enumerated without scanning the store. Adding and removing
 * are atomic on every backend (keyv has no set type): Redis `SADD`/`SREM`/`SMEMBERS` on the key
 * `set::<name>`; an SQLite table `key_sets(name, member)`; a Map of Sets in memory. Strict:
 * errors reject.
 */
import type { createClient } from '@keyv/redis';
import type { SqlQuery } from './once.js';

/** Named sets of strings. */
export interface KeySets {
  /** Adds `member` to set `name` (idempotent). @throws when the store fails. */
  add(name: string, member: string): Promise<void>;
  /** Removes `member` from set `name` (idempotent). @throws when the store fails. */
  remove(name: string, member: string): Promise<void>;
  /** Every member of set `name`, sorted. @throws when the store fails. */
  members(name: string): Promise<string[]>;
}

/** In-process sets. */
export function memoryKeySets(): KeySets {
  const sets = new Map<string, Set<string>>();
  return {
    async add(name, member) {
      const set = sets.get(name) ?? new Set<string>();
      set.add(member);
      sets.set(name, set);
    },
    async remove(name, member) {
      sets.get(name)?.delete(member);
    },
    async members(name) {
      return [...(sets.get(name) ?? [])].sort();
    },
  };
}

/** Sets in an SQLite table `key_sets(name, member)`. */
export async function sqliteKeySets(query: SqlQuery): Promise<KeySets> {
  await query('CREATE TABLE IF NOT EXISTS key_sets (name TEXT NOT NULL, member TEXT NOT NULL, PRIMARY KEY (name, member))');
  return {
    async add(name, member) {
      await query('INSERT INTO key_sets (name, member) VALUES (?, ?) ON CONFLICT DO NOTHING', name, member);
    },
    async remove(name, member) {
      await query('DELETE FROM key_sets WHERE name = ? AND member = ?', name, member);
    },
    async members(name) {
      const rows = (await query('SELECT member FROM key_sets WHERE name = ? ORDER BY member', name)) as { member: string }[];
      return rows.map((r) => r.member);
    },
  };
}

/** Sets as Redis sets under `set::<name>`. */
export function redisKeySets(client: ReturnType<typeof createClient>): KeySets {
  const key = (name: string) => `set::${name}`;
  return {
    async add(name, member) {
      await client.sAdd(key(name), member);
    },
    async remove(name, member) {
      await client.sRem(key(name), member);
    },
    async members(name) {
      return (await client.sMembers(key(name))).sort();
    },
  };
}
