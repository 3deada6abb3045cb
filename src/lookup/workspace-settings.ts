/**
 * Per-installation settings, in the strict `settings` namespace: the Astro connection (with the
 * API token sealed by a SecretBox and bound to its installation), the workspace's privacy policy,
 * and the connection's health (best effort, in the cache namespace).
 *
 * Every lookup reads the policy and the connection, so both are kept in a small in-process LRU for
 * `readCacheTtlMs` (default 10 s): a cached lookup then costs no settings round trip. This process's
 * own writes and deletes (saveConnection, deleteConnection, savePolicy, forget) drop the entry at
 * once, and a read that raced with one of them is not kept. A change made by ANOTHER instance
 * sharing the store (several instances on Redis) is seen here within `readCacheTtlMs`. Failures
 * (store down, token unreadable) are never kept.
 */
import type Keyv from 'keyv';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { AstroTarget } from '../astro/client.js';
import { AstroApiError } from '../astro/errors.js';
import { OutcomeError } from '../core/outcomes.js';
import type { TokenClaims } from '../astro/token.js';
import type { AstroDefaults } from '../config.js';
import type { BestEffortCache } from '../store/best-effort-cache.js';
import { StoreUnavailableError, strictCall } from '../store/once.js';
import { SEAL_AAD, SecretBoxError, type SecretBox } from '../store/secret-box.js';
import { installationKey, type InstallationRef, type SettingsResolver } from './settings.js';
import { scheduleKeysOf } from './report-schedule.js';

/** A workspace's Astro connection, decrypted. `apiToken` is a secret: never log or show it. */
export interface AstroConnection {
  organizationId: string;
  apiToken: string;
  /** The token's last 4 characters, for display (`…abcd`). */
  tokenHint: string;
  scope: TokenClaims['scope'];
  /** Token expiry in ms since the epoch, when it has one. */
  expiresAt?: number;
  /** Slack user ID of the admin who saved it, and when (ms since the epoch). */
  savedBy: string;
  savedAt: number;
}

/** What a workspace allows. Defaults are the private ones. */
export interface WorkspacePolicy {
  /** Guests (multi- and single-channel) may look users up. Default false. */
  allowGuests: boolean;
  /** Cards may be posted publicly in channels shared with other organizations (Slack Connect). Default false. */
  allowPublicInSharedChannels: boolean;
  /** Answer @-mentions privately (ephemeral) instead of in the thread. Default false. */
  privateMentionReplies: boolean;
  /** When not empty: only members of these Slack user groups (IDs `S…`) may look users up. */
  allowedUserGroups: string[];
  /**
   * Answer @-mentions written by other bots and workflows (`bot_id`). Default false: they are
   * ignored. When allowed they still pass the user-group rule (fail closed).
   */
  allowBotMentions: boolean;
  /**
   * When Slack reports a member deactivated and their Slack email matches an Astro user, send the
   * admins the offboarding checklist privately. Default (and absent) false.
   */
  offboardOnDeactivation?: boolean;
}

export const DEFAULT_POLICY: WorkspacePolicy = { allowGuests: false, allowPublicInSharedChannels: false, privateMentionReplies: false, allowedUserGroups: [], allowBotMentions: false, offboardOnDeactivation: false };

/** The health of a connection, shown to admins in App Home. Times in ms since the epoch. */
export interface ConnectionHealth {
  lastSuccessAt?: number;
  lastError?: { kind: string; requestId?: string; at: number };
}

/** The saved settings could not be decrypted (the encryption key changed, or the row was tampered with). */
export class SettingsUnreadableError extends OutcomeError {
  constructor() {
    super({ code: 'settings_unreadable' }, 'the saved Astro token cannot be decrypted');
    this.name = 'SettingsUnreadableError';
  }
}

const ConnectionRecord = z.object({
  v: z.literal(1),
  organizationId: z.string(),
  sealedToken: z.string(),
  tokenHint: z.string(),
  scope: z.enum(['ORGANIZATION', 'WORKSPACE', 'DEPLOYMENT']),
  expiresAt: z.number().optional(),
  savedBy: z.string(),
  savedAt: z.number(),
});
const PolicyRecord = z.object({
  allowGuests: z.boolean(),
  allowPublicInSharedChannels: z.boolean(),
  privateMentionReplies: z.boolean(),
  allowedUserGroups: z.array(z.string().regex(/^S[A-Z0-9]{2,30}$/)).max(20).default([]),
  allowBotMentions: z.boolean().default(false),
  offboardOnDeactivation: z.boolean().default(false),
});
const HealthRecord = z.object({
  lastSuccessAt: z.number().optional(),
  lastError: z.object({ kind: z.string(), requestId: z.string().optional(), at: z.number() }).optional(),
});

const HEALTH_TTL_MS = 30 * 24 * 3600 * 1000;

/** Runs a strict store call; any failure becomes {@link StoreUnavailableError}. */
function strict<T>(call: Promise<T>): Promise<T> {
  return strictCall(call, 'the settings store');
}

/** Options of {@link createWorkspaceSettings}. */
export interface WorkspaceSettingsOptions {
  /** The strict `settings` namespace. */
  store: Keyv;
  /** The best-effort cache, for health records. */
  healthStore: BestEffortCache;
  /** Seals tokens; absent when ENCRYPTION_KEY is not set (then nothing can be saved). */
  box?: SecretBox;
  /**
   * How long a connection or policy read is kept in process, in ms (another instance's change is
   * seen within this time; this process's own changes at once). Default 10000; 0 keeps nothing.
   */
  readCacheTtlMs?: number;
  /** Installations whose connection and policy are kept in process. Default 1000. */
  readCacheMax?: number;
  /**
   * While the store does not answer, the connection and policy this process last read are used
   * for this long after that read, in ms (in memory only: a token is never written in clear
   * anywhere). Default 1 hour; 0 turns it off. A workspace not read within it gets
   * "temporarily unavailable".
   */
  lastKnownTtlMs?: number;
  /** Told when a saved Astro token would not decrypt (with the cause), e.g. after a key change. */
  onUnreadable?: (cause: unknown) => void;
}

/** Settings per installation (key from `installationKey`). */
export interface WorkspaceSettings {
  /** True when tokens can be saved (an encryption key is configured). */
  readonly canSave: boolean;
  /**
   * The connection, or undefined when none is saved.
   * @throws {StoreUnavailableError} when the store cannot be read; {@link SettingsUnreadableError} when the token cannot be decrypted.
   */
  getConnection(key: string): Promise<AstroConnection | undefined>;
  /** Saves (sealing the token with the active key). @throws {StoreUnavailableError}; Error when no key is configured. */
  saveConnection(key: string, connection: AstroConnection): Promise<void>;
  /** Removes the connection; true when there was one. @throws {StoreUnavailableError} */
  deleteConnection(key: string): Promise<boolean>;
  /** The policy (defaults when none saved). @throws {StoreUnavailableError} */
  getPolicy(key: string): Promise<WorkspacePolicy>;
  /** @throws {StoreUnavailableError} */
  savePolicy(key: string, policy: WorkspacePolicy): Promise<void>;
  /** Deletes everything kept for the installation here (connection, policy, report schedule, health). @throws {StoreUnavailableError} */
  forget(key: string): Promise<void>;
  getHealth(key: string): Promise<ConnectionHealth>;
  recordSuccess(key: string, at?: number): Promise<void>;
  recordError(key: string, error: { kind: string; requestId?: string }, at?: number): Promise<void>;
}

/** Creates the settings store. */
export function createWorkspaceSettings(options: WorkspaceSettingsOptions): WorkspaceSettings {
  const { store, healthStore, box } = options;
  const aad = SEAL_AAD.astroToken;
  const healthKey = (key: string) => ['health', 'v1', key].map(encodeURIComponent).join(':');

  const readCacheTtlMs = options.readCacheTtlMs ?? 10_000;
  /** `astro:<key>` → the connection or null (none saved); `policy:<key>` → the policy. Values are never handed out: copies are. */
  const reads = readCacheTtlMs > 0 ? new LRUCache<string, { value: AstroConnection | WorkspacePolicy | null }>({ max: options.readCacheMax ?? 1000, ttl: readCacheTtlMs }) : undefined;
  /** Bumped by every write or delete of this process: a read that started before one is not kept. */
  let writes = 0;
  const lastKnownTtlMs = options.lastKnownTtlMs ?? 60 * 60_000;
  /** What was last read of each id, for store outages (see {@link WorkspaceSettingsOptions.lastKnownTtlMs}). */
  const lastKnown = lastKnownTtlMs > 0 ? new LRUCache<string, { value: AstroConnection | WorkspacePolicy | null }>({ max: options.readCacheMax ?? 1000, ttl: lastKnownTtlMs }) : undefined;
  /**
   * Reads `id` through the in-process cache: `load` on a miss; kept only when no write happened
   * meanwhile. When the store does not answer, the value last read (within `lastKnownTtlMs`) is used.
   */
  async function cached<T extends AstroConnection | WorkspacePolicy | null>(id: string, load: () => Promise<T>): Promise<T> {
    const hit = reads?.get(id);
    if (hit) return hit.value as T;
    const before = writes;
    let value: T;
    try {
      value = await load();
    } catch (err) {
      const known = err instanceof StoreUnavailableError ? lastKnown?.get(id) : undefined;
      if (known) return known.value as T;
      throw err;
    }
    if (before === writes) {
      reads?.set(id, { value });
      lastKnown?.set(id, { value });
    }
    return value;
  }
  /** Forgets what this process kept for `ids` and counts a write, so that a read in flight meanwhile is not kept either. */
  const forgetRead = (...ids: string[]) => {
    writes += 1;
    for (const id of ids) {
      reads?.delete(id);
      lastKnown?.delete(id);
    }
  };

  async function saveConnection(key: string, c: AstroConnection): Promise<void> {
    if (!box) throw new Error('ENCRYPTION_KEY is not set: Astro tokens cannot be saved');
    const record: z.infer<typeof ConnectionRecord> = {
      v: 1,
      organizationId: c.organizationId,
      sealedToken: box.seal(c.apiToken, aad(key)),
      tokenHint: c.tokenHint,
      scope: c.scope,
      ...(c.expiresAt !== undefined ? { expiresAt: c.expiresAt } : {}),
      savedBy: c.savedBy,
      savedAt: c.savedAt,
    };
    await writing([`astro:${key}`], () => strict(store.set(`astro:${key}`, record)));
  }

  /** The connection as stored, decrypted; null when none is saved. */
  async function loadConnection(key: string): Promise<AstroConnection | null> {
    const raw = await strict(store.get(`astro:${key}`));
    if (raw === undefined) return null;
    const rec = ConnectionRecord.safeParse(raw);
    if (!rec.success || !box) throw new SettingsUnreadableError();
    let opened: ReturnType<SecretBox['open']>;
    try {
      opened = box.open(rec.data.sealedToken, aad(key));
    } catch (err) {
      if (err instanceof SecretBoxError) {
        options.onUnreadable?.(err);
        throw new SettingsUnreadableError();
      }
      throw err;
    }
    const { sealedToken: _s, v: _v, ...rest } = rec.data;
    const connection: AstroConnection = { ...rest, apiToken: opened.plaintext };
    // Re-seal with the active key during a rotation.
    if (opened.stale) await saveConnection(key, connection).catch(() => undefined);
    return connection;
  }

  /** Runs a write or delete of `ids`, forgetting what this process kept for them before and after. */
  async function writing<T>(ids: string[], call: () => Promise<T>): Promise<T> {
    forgetRead(...ids);
    try {
      return await call();
    } finally {
      forgetRead(...ids);
    }
  }

  return {
    canSave: Boolean(box),
    async getConnection(key) {
      const connection = await cached(`astro:${key}`, () => loadConnection(key));
      return connection ? { ...connection } : undefined;
    },
    saveConnection,
    async deleteConnection(key) {
      return writing([`astro:${key}`], () => strict(store.delete(`astro:${key}`)));
    },
    async getPolicy(key) {
      const policy = await cached(`policy:${key}`, async () => {
        const parsed = PolicyRecord.safeParse(await strict(store.get(`policy:${key}`)));
        return parsed.success ? parsed.data : { ...DEFAULT_POLICY };
      });
      return { ...policy };
    },
    async savePolicy(key, policy) {
      const record = PolicyRecord.parse(policy);
      await writing([`policy:${key}`], () => strict(store.set(`policy:${key}`, record)));
    },
    async forget(key) {
      await writing([`astro:${key}`, `policy:${key}`], () => strict(store.delete([`astro:${key}`, `policy:${key}`, ...scheduleKeysOf(key)])));
      await healthStore.delete(healthKey(key));
    },
    async getHealth(key) {
      const parsed = HealthRecord.safeParse(await healthStore.get(healthKey(key)));
      return parsed.success ? parsed.data : {};
    },
    async recordSuccess(key, at = Date.now()) {
      const h = HealthRecord.safeParse(await healthStore.get(healthKey(key)));
      await healthStore.set(healthKey(key), { ...(h.success ? h.data : {}), lastSuccessAt: at }, HEALTH_TTL_MS);
    },
    async recordError(key, error, at = Date.now()) {
      const h = HealthRecord.safeParse(await healthStore.get(healthKey(key)));
      const lastError = { kind: error.kind, at, ...(error.requestId ? { requestId: error.requestId } : {}) };
      await healthStore.set(healthKey(key), { ...(h.success ? h.data : {}), lastError }, HEALTH_TTL_MS);
    },
  };
}

/** Options of {@link workspaceSettingsResolver}. */
export interface ResolverOptions {
  settings: WorkspaceSettings;
  /** The operator's Astro API base: every workspace's token goes there, and nowhere else. */
  apiUrl: string;
  /** The `ASTRO_*` defaults, when set. */
  defaults?: AstroDefaults;
  /** Who may use the defaults: every installation (single-workspace mode) or these team/enterprise IDs. */
  defaultsFor: 'all' | ReadonlySet<string>;
}

/** True when the `ASTRO_*` defaults may serve `ref`: every installation, or a listed team or enterprise. */
export function defaultsServe(defaultsFor: ResolverOptions['defaultsFor'], ref: InstallationRef): boolean {
  return (
    defaultsFor === 'all' ||
    (ref.teamId !== undefined && defaultsFor.has(ref.teamId)) ||
    (ref.enterpriseId !== undefined && defaultsFor.has(ref.enterpriseId))
  );
}

/**
 * Resolves an installation's Astro target: its own saved connection first, else the `ASTRO_*`
 * defaults where allowed, else undefined ("not configured").
 * @throws {StoreUnavailableError} or {@link SettingsUnreadableError} from the store: never
 *   mistaken for "not configured".
 */
export function workspaceSettingsResolver(options: ResolverOptions): SettingsResolver {
  return {
    async resolve(ref: InstallationRef): Promise<AstroTarget | undefined> {
      const key = installationKey(ref);
      const own = await options.settings.getConnection(key);
      if (own) return { apiUrl: options.apiUrl, apiToken: own.apiToken, organizationId: own.organizationId };
      const d = options.defaults;
      if (!d) return undefined;
      return defaultsServe(options.defaultsFor, ref) ? { ...d } : undefined;
    },
  };
}

/** Whether an Astro error says something about the connection (worth showing as its last error). */
export function isConnectionError(err: unknown): err is AstroApiError {
  return err instanceof AstroApiError && err.kind !== 'not_found' && err.kind !== 'bad_request';
}
