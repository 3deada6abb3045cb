/**
 * Slack installations (bot tokens) for the OAuth install flow, in the strict `installs`
 * namespace, sealed whole with AES-256-GCM and bound to their team or enterprise. Keyed by
 * `enterprise_id` for org-wide installs, else `team_id` (Bolt's authorization docs).
 *
 * `fetchInstallation` runs on every Slack request (Bolt's authorize), so decrypted installations
 * are kept in process memory for a short time (never in a shared store).
 */
import type { Installation, InstallationQuery, InstallationStore } from '@slack/oauth';
import type Keyv from 'keyv';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { installationKey } from '../lookup/settings.js';
import { OutcomeError } from '../core/outcomes.js';
import { strictCall } from '../store/once.js';
import { SEAL_AAD, type SecretBox } from '../store/secret-box.js';

const Record = z.object({ v: z.literal(1), sealed: z.string(), installedAt: z.number() });

/** Options of {@link createInstallationStore}. */
export interface InstallationStoreOptions {
  store: Keyv;
  box: SecretBox;
  /** Team or enterprise IDs allowed; others are refused (also when installed before the list changed). */
  allowed?: ReadonlySet<string>;
  /** How long a decrypted installation stays in memory, in ms. Default 60 000. */
  memoryTtlMs?: number;
  /**
   * While the store does not answer, an installation this process read within this time (ms) is
   * still used (memory only), so that a workspace in use keeps working through a store outage.
   * Default 1 hour; 0 turns it off.
   */
  lastKnownTtlMs?: number;
  /** Told when a stored installation would not decrypt (with the cause), e.g. after a key change. */
  onUnreadable?: (cause: unknown) => void;
  now?: () => number;
}

/** Bolt's InstallationStore, plus what uninstall needs. */
export interface AstroUserInstallationStore extends InstallationStore {
  /** When the installation of `key` was stored (ms since the epoch), or undefined when none. @throws {StoreUnavailableError} */
  installedAt(key: string): Promise<number | undefined>;
  /** Deletes the installation of `key` (idempotent). @throws {StoreUnavailableError} */
  deleteByKey(key: string): Promise<void>;
}

/** The key of an installation or a query: `E.<enterprise>` for org-wide installs, else `T.<team>`. */
function keyOf(q: { isEnterpriseInstall?: boolean | undefined; teamId?: string | undefined; enterpriseId?: string | undefined }): string {
  return installationKey(q);
}

/** True when `key`'s team or enterprise is allowed (or no allow list is set). */
export function isAllowed(allowed: ReadonlySet<string> | undefined, ids: { teamId?: string | undefined; enterpriseId?: string | undefined }): boolean {
  if (!allowed) return true;
  return (ids.teamId !== undefined && allowed.has(ids.teamId)) || (ids.enterpriseId !== undefined && allowed.has(ids.enterpriseId));
}

/** Creates the installation store. */
export function createInstallationStore(options: InstallationStoreOptions): AstroUserInstallationStore {
  const { store, box } = options;
  const now = options.now ?? Date.now;
  const memory = new LRUCache<string, Installation>({ max: 5000, ttl: options.memoryTtlMs ?? 60_000 });
  const lastKnownTtlMs = options.lastKnownTtlMs ?? 60 * 60_000;
  const lastKnown = lastKnownTtlMs > 0 ? new LRUCache<string, Installation>({ max: 5000, ttl: lastKnownTtlMs }) : undefined;
  const aad = SEAL_AAD.installation;
  const strict = <T>(call: Promise<T>): Promise<T> => strictCall(call, 'the installation store');

  return {
    async storeInstallation(installation) {
      const key = keyOf({ isEnterpriseInstall: installation.isEnterpriseInstall, teamId: installation.team?.id, enterpriseId: installation.enterprise?.id });
      const record = { v: 1 as const, sealed: box.seal(JSON.stringify(installation), aad(key)), installedAt: now() };
      await strict(store.set(`slack:${key}`, record));
      memory.delete(key);
      lastKnown?.delete(key);
    },

    async fetchInstallation(query: InstallationQuery<boolean>) {
      if (!isAllowed(options.allowed, { teamId: query.teamId, enterpriseId: query.enterpriseId })) {
        throw new Error('this Slack workspace is not allowed to use astro-user (ALLOWED_TEAM_IDS)');
      }
      const key = keyOf(query);
      const hit = memory.get(key);
      if (hit) return hit;
      let raw: unknown;
      try {
        raw = await strict(store.get(`slack:${key}`));
      } catch (err) {
        // The store is down: an installation read recently still serves; else the caller says
        // "temporarily unavailable" (never "not installed").
        const known = lastKnown?.get(key);
        if (known) return known;
        throw err;
      }
      const rec = Record.safeParse(raw);
      if (!rec.success) throw new Error(`no installation for ${key}`);
      let opened: ReturnType<SecretBox['open']>;
      try {
        opened = box.open(rec.data.sealed, aad(key));
      } catch (err) {
        options.onUnreadable?.(err);
        throw new OutcomeError({ code: 'settings_unreadable' }, 'the stored installation cannot be decrypted', { cause: err });
      }
      const installation = JSON.parse(opened.plaintext) as Installation;
      if (opened.stale) {
        await strict(store.set(`slack:${key}`, { ...rec.data, sealed: box.seal(opened.plaintext, aad(key)) })).catch(() => undefined);
      }
      memory.set(key, installation);
      lastKnown?.set(key, installation);
      return installation;
    },

    async deleteInstallation(query: InstallationQuery<boolean>) {
      await this.deleteByKey(keyOf(query));
    },

    async installedAt(key) {
      const rec = Record.safeParse(await strict(store.get(`slack:${key}`)));
      return rec.success ? rec.data.installedAt : undefined;
    },

    async deleteByKey(key) {
      memory.delete(key);
      lastKnown?.delete(key);
      await strict(store.delete(`slack:${key}`));
    },
  };
}
