/**
 * Lookup by email and by name: a per-organization index of users, since the Astro API has no
 * search, email or username filter (Astro API v1 `ListUsers`, https://api.astronomer.io/spec/v1). The index is built by paging
 * `ListUsers` (`GET /organizations/{organizationId}/users?offset=…&limit=1000&sorts=id:asc`,
 * `UsersPaginated{users, limit, offset, totalCount}`), the way astro-cli and terraform-provider-astro
 * page it, and kept in the best-effort cache and in process memory for a TTL.
 *
 * The index holds only what finding a user needs (ID, username, full name, status), never roles:
 * the card still comes from `GetUser`, so roles are always fresh.
 *
 * Re-reads are bounded: an index is rebuilt when stale, or when a lookup misses, but a miss
 * triggers at most one rebuild per organization per `minRefreshIntervalMs`, so a stream of random
 * emails cannot make the app page through the whole organization again and again. Concurrent
 * callers share one load or build (single flight).
 *
 * Size: at most `maxUsers` (default {@link MAX_INDEXED_USERS}, 50 000) users are indexed, the
 * first ones by ID; in a larger organization a user beyond the cap cannot be found by email or
 * name (`onBuild` reports `truncated: true`), and lookup by ID still works.
 *
 * Hostile or broken answers are bounded too (one ListUsers answer of 50,000 users with 15 KB names
 * once took 4 GB): each kept username is cut to {@link MAX_USERNAME_CHARS}, each full name to
 * {@link MAX_FULL_NAME_CHARS}, a status to 64 characters, and indexing stops once the kept text
 * reaches `maxIndexChars` (default {@link MAX_INDEX_CHARS}) in all. A cut username is never found
 * by email (it cannot equal a query, which is at most 320 characters), but is still found by a
 * prefix within the kept part; a cut full name is found by its kept words, never as an exact name.
 * Users past the text budget are left out as past `maxUsers` are (`truncated: true`), and once
 * the budget is spent no further page is asked for (its users could not be kept). Either is
 * logged as one warning per build through `log`, and counted in `onBuild`'s `shortened`.
 *
 * A large build does not hold up other requests: the client parses each page in slices (see
 * `src/astro/client.ts`), each page's users are taken {@link TAKE_SLICE} at a time, building the
 * matching form yields to the event loop every {@link PREPARE_SLICE_CHARS} characters of names,
 * and the cache is written and read one chunk (at most {@link CHARS_PER_CHUNK} characters) per
 * turn.
 */
import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { MAX_PAGE_LIMIT, type AstroClient, type AstroTarget } from '../astro/client.js';
import { AstroApiError } from '../astro/errors.js';
import { deadlineSignal } from '../astro/policy.js';
import { nextTurn } from '../core/turns.js';
import type { AstroUser } from '../astro/schemas.js';
import type { BestEffortCache } from '../store/best-effort-cache.js';

/** Most users indexed per organization by default; beyond it the index is truncated (first users by ID). */
export const MAX_INDEXED_USERS = 50_000;

/**
 * Longest username kept, in characters: the longest query taken (an email address is at most 254
 * characters: https://www.rfc-editor.org/rfc/rfc5321#section-4.5.3.1.3, errata 1690; 320 is the
 * common 64 + 1 + 255 upper bound).
 */
export const MAX_USERNAME_CHARS = 320;

/** Longest full name kept, in characters (beyond this, a name is noise on a card or a pick list). */
export const MAX_FULL_NAME_CHARS = 256;

/** Longest status kept, in characters (Astro's statuses are single words such as `ACTIVE`). */
const MAX_STATUS_CHARS = 64;

/**
 * Most characters (ID, username, full name and status together) kept in one index by default:
 * 8 million, about 160 per user at 50,000 users (real ones take about 50), so a normal organization
 * is never cut; the matching form at most triples it in memory.
 */
const MAX_INDEX_CHARS = 8_000_000;

/**
 * Characters of usernames and full names prepared for matching between two yields to the event
 * loop: 2,000 users of ordinary length, 170 whose names are at their maximum lengths.
 */
const PREPARE_SLICE_CHARS = 100_000;

/** Users of a ListUsers page taken into a build between two yields to the event loop. */
const TAKE_SLICE = 250;

/** Users per cache entry at most: a large index is stored as a manifest plus chunks of users. */
const USERS_PER_CHUNK = 5000;

/**
 * Characters of user text (see `sizeOf`) per cache entry at most, about 1 MB of JSON: one chunk is
 * serialised, copied or parsed in a few ms, between two turns of the event loop.
 */
const CHARS_PER_CHUNK = 1_000_000;

/** Longest email or search text accepted, in characters; longer input finds nothing without loading the index. */
const MAX_QUERY_LENGTH = 320;

/** A user as the index knows it: enough to find them and show a pick list. No roles. */
export interface AstroIndexedUser {
  /** The Astro user ID, to call `GetUser` with. */
  id: string;
  /** The login identity, normally the email address. */
  username: string;
  fullName: string;
  /** `ACTIVE`, `PENDING`, `INACTIVE`, `BANNED`, or a newer value, as Astro sent it. */
  status: string;
}

/** What {@link UserIndexOptions.onBuild} is told after each successful build. */
export interface UserIndexBuildInfo {
  organizationId: string;
  /** Users in the index. */
  users: number;
  /** `totalCount` Astro reported on the first page. */
  totalCount: number;
  /** ListUsers requests made. */
  pages: number;
  /** Users Astro sent that did not parse and were left out. */
  unreadable: number;
  /**
   * True when the organization has more than `maxUsers` users, or their text more than
   * `maxIndexChars`, and the index holds only the first ones by ID.
   */
  truncated: boolean;
  /** Users kept with a username, full name or status cut to its maximum length. */
  shortened: number;
  /** Time the build took, in ms. */
  durationMs: number;
}

/** Options of {@link createUserIndex}. All durations are in ms. */
export interface UserIndexOptions {
  /** The Astro client (normally the resilient one, so retries, rate limit and breaker apply). */
  astro: Pick<AstroClient, 'listUsers'>;
  /** Where indexes are shared between processes (and kept across restarts). */
  cache: BestEffortCache;
  /** Age after which an index is rebuilt before use, in ms. Default 300 000 (5 min, like the user cache). */
  ttlMs?: number;
  /** Least time between two builds triggered by a miss, per installation and organization, in ms. Default 60 000. */
  minRefreshIntervalMs?: number;
  /** ListUsers page size, 1–1000. Default 1000 (the documented maximum). */
  pageSize?: number;
  /** ListUsers pages requested at once after the first. Default 4. */
  concurrency?: number;
  /** Most users indexed. Default {@link MAX_INDEXED_USERS}. */
  maxUsers?: number;
  /** Most characters kept in one index (see the module's comment). Default {@link MAX_INDEX_CHARS}. */
  maxIndexChars?: number;
  /** Where a truncated index or shortened names are reported (one warning per build, no names in it). */
  log?: { warn(obj: object, msg: string): void };
  /** Time allowed for one whole build (all pages, retries included), in ms. Default 60 000. */
  buildTimeoutMs?: number;
  /**
   * After a build fails and there is no index to fall back to, callers within this time get the
   * same error without a new build, in ms. Default 5000.
   */
  failedBuildRetryMs?: number;
  /** Indexes kept in process memory (least recently used dropped). Default 16. */
  maxIndexesInMemory?: number;
  /** Clock, in ms since the epoch (tests). */
  now?: () => number;
  /** Told after each successful build (logs, metrics). Must not throw; exceptions are ignored. */
  onBuild?: (info: UserIndexBuildInfo) => void;
}

/** Lookup of users by email and by name. */
export interface UserIndex {
  /**
   * The user whose username equals `email`, compared case-insensitively after Unicode NFKC
   * normalisation and trimming. On a miss, rebuilds the index first when the last build of this
   * organization is at least `minRefreshIntervalMs` old, then looks again.
   * @param installationKey The Slack installation (as `installationKey()` of settings.ts makes it).
   * @param target The Astro API base, token and organization.
   * @param email The email (Astro username) to find.
   * @param signal The caller's deadline; the shared build goes on for other callers when it aborts.
   * @returns The user, or undefined when no indexed user has that username (or `email` is blank or over 320 characters).
   * @throws {AstroApiError} when there is no index and it cannot be built (e.g. `forbidden` for a
   * token without `organization.users.get`); `timeout` when `signal` aborts first. A failed
   * rebuild of an existing index is not thrown: the existing index answers.
   */
  findByEmail(installationKey: string, target: AstroTarget, email: string, signal?: AbortSignal): Promise<AstroIndexedUser | undefined>;
  /**
   * Users whose full name has a word starting with `prefix`, or whose username or full name starts
   * with it (case-insensitive, NFKC). Several words in `prefix` must each start a word of the
   * name. Ranked: exact username or full name, then an exact name word, then a username or full
   * name prefix, then a word prefix; ties by full name, username, ID. An empty result triggers a
   * rebuild under the same rule as {@link UserIndex.findByEmail}.
   * @param prefix The text typed; blank (or over 320 characters) finds nothing.
   * @param limit Most users returned, 1–100. Default 10.
   * @returns At most `limit` users, best first.
   * @throws {AstroApiError} as {@link UserIndex.findByEmail}.
   */
  search(installationKey: string, target: AstroTarget, prefix: string, limit?: number, signal?: AbortSignal): Promise<AstroIndexedUser[]>;
}

/**
 * The text form lookups compare: Unicode NFKC, lowercase (locale-independent), trimmed, runs of
 * whitespace collapsed to one space. E.g. `'  ＡＤＡ  Lovelace '` → `'ada lovelace'`.
 */
export function normalizeForLookup(text: string): string {
  return text.normalize('NFKC').toLowerCase().trim().replace(/\s+/gu, ' ');
}

/** Words of a normalised name: runs of letters, digits and marks. */
function wordsOf(normalized: string): string[] {
  return normalized.split(/[^\p{L}\p{M}\p{N}]+/u).filter((w) => w.length > 0);
}

/**
 * The cache key of an organization's index: installation and organization, URI-encoded (like
 * `userCacheKey`). Chunks of a large index use this key plus a generation and a number.
 */
export function userIndexCacheKey(installation: string, target: Pick<AstroTarget, 'organizationId'>): string {
  return ['users', 'v1', installation, target.organizationId].map(encodeURIComponent).join(':');
}

/** One user prepared for matching. */
interface Entry {
  user: AstroIndexedUser;
  username: string;
  fullName: string;
  words: string[];
  /** The username or full name was cut: it must not count as an exact match. */
  usernameCut: boolean;
  fullNameCut: boolean;
}

/** An index ready to answer. */
interface BuiltIndex {
  /** When the build started, in ms since the epoch (so its data is at least this fresh). */
  builtAt: number;
  totalCount: number;
  truncated: boolean;
  entries: Entry[];
  byUsername: Map<string, AstroIndexedUser>;
}

/** Stored as `[id, username, fullName, status]` to keep entries small. */
const StoredUserSchema = z.tuple([z.string().min(1), z.string(), z.string(), z.string()]);
const ManifestSchema = z.object({
  v: z.literal(1),
  builtAt: z.number(),
  totalCount: z.number().int().min(0),
  truncated: z.boolean(),
  users: z.number().int().min(0),
  generation: z.string().regex(/^[0-9a-f-]{1,64}$/),
  chunks: z.number().int().min(0).max(1000),
});
const ChunkSchema = z.object({ users: z.array(StoredUserSchema) });

/**
 * The first `max` characters of `text`, as a string of its own: V8 makes a short slice of a long
 * string point into it, which would keep the whole long string alive.
 */
function cut(text: string, max: number): string {
  return text.length <= max ? text : (JSON.parse(JSON.stringify(text.slice(0, max))) as string);
}

/** `user` with each field cut to its maximum length, and whether any was. */
function bounded(user: AstroIndexedUser): { user: AstroIndexedUser; shortened: boolean } {
  const shortened = user.username.length > MAX_USERNAME_CHARS || user.fullName.length > MAX_FULL_NAME_CHARS || user.status.length > MAX_STATUS_CHARS;
  if (!shortened) return { user, shortened };
  return {
    user: { id: user.id, username: cut(user.username, MAX_USERNAME_CHARS), fullName: cut(user.fullName, MAX_FULL_NAME_CHARS), status: cut(user.status, MAX_STATUS_CHARS) },
    shortened,
  };
}

const sizeOf = (u: AstroIndexedUser) => u.id.length + u.username.length + u.fullName.length + u.status.length;

/** Prepares `users` for matching, yielding to the event loop every {@link PREPARE_SLICE_CHARS} characters of names. */
async function prepare(users: AstroIndexedUser[], builtAt: number, totalCount: number, truncated: boolean): Promise<BuiltIndex> {
  const entries: Entry[] = [];
  const byUsername = new Map<string, AstroIndexedUser>();
  let sliceChars = 0;
  for (const user of users) {
    if (sliceChars >= PREPARE_SLICE_CHARS) {
      await nextTurn();
      sliceChars = 0;
    }
    sliceChars += user.username.length + user.fullName.length;
    // A field at its maximum length may have been cut (here or by the process that cached it).
    const usernameCut = user.username.length >= MAX_USERNAME_CHARS;
    const fullNameCut = user.fullName.length >= MAX_FULL_NAME_CHARS;
    const username = normalizeForLookup(user.username);
    const fullName = normalizeForLookup(user.fullName);
    const words = wordsOf(fullName);
    // The last word of a cut name may be a fragment: it must not match as a whole word.
    if (fullNameCut) words.pop();
    entries.push({ user, username, fullName, words, usernameCut, fullNameCut });
    if (username && !usernameCut && !byUsername.has(username)) byUsername.set(username, user);
  }
  return { builtAt, totalCount, truncated, entries, byUsername };
}

/** Rank of `e` for the normalised query `q` (lower is better), or undefined when it does not match. */
function rank(e: Entry, q: string, qWords: string[]): number | undefined {
  if ((e.username === q && !e.usernameCut) || (e.fullName === q && !e.fullNameCut)) return 0;
  if (e.words.includes(q)) return 1;
  if (e.username.startsWith(q) || e.fullName.startsWith(q)) return 2;
  if (qWords.length === 1 ? e.words.some((w) => w.startsWith(q)) : qWords.length > 1 && qWords.every((qw) => e.words.some((w) => w.startsWith(qw)))) {
    return 3;
  }
  return undefined;
}

/** Waits for `promise`, rejecting with a `timeout` AstroApiError as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new AstroApiError('timeout', 'No answer from the Astro API before the deadline', { cause: signal.reason }));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AstroApiError('timeout', 'No answer from the Astro API before the deadline', { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Creates a {@link UserIndex}.
 * @throws {RangeError} for a non-positive duration or a page size outside 1–1000.
 */
export function createUserIndex(options: UserIndexOptions): UserIndex {
  const { astro, cache } = options;
  const ttlMs = options.ttlMs ?? 5 * 60 * 1000;
  const minRefreshIntervalMs = options.minRefreshIntervalMs ?? 60_000;
  const pageSize = options.pageSize ?? MAX_PAGE_LIMIT;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const maxUsers = Math.max(1, Math.floor(options.maxUsers ?? MAX_INDEXED_USERS));
  const maxIndexChars = Math.max(1, Math.floor(options.maxIndexChars ?? MAX_INDEX_CHARS));
  const buildTimeoutMs = options.buildTimeoutMs ?? 60_000;
  const failedBuildRetryMs = options.failedBuildRetryMs ?? 5000;
  const now = options.now ?? Date.now;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_LIMIT) throw new RangeError(`pageSize must be an integer from 1 to ${MAX_PAGE_LIMIT}, got ${pageSize}`);
  for (const [name, v] of [['ttlMs', ttlMs], ['buildTimeoutMs', buildTimeoutMs]] as const) {
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be a positive number of ms, got ${v}`);
  }
  if (!(minRefreshIntervalMs >= 0) || !(failedBuildRetryMs >= 0)) throw new RangeError('minRefreshIntervalMs and failedBuildRetryMs must be ≥ 0');

  const maxKept = Math.max(1, options.maxIndexesInMemory ?? 16);
  /** Ready indexes, by cache key. */
  const memory = new LRUCache<string, BuiltIndex>({ max: maxKept });
  /** When the last build of a key started, in ms since the epoch (a failed one counts too). */
  const lastBuildAt = new LRUCache<string, number>({ max: 1000 });
  /** The last failed build of a key, for `failedBuildRetryMs`. */
  const lastFailure = new LRUCache<string, { at: number; err: unknown }>({ max: 1000 });
  /** Loads and builds in progress, by cache key (single flight). */
  const inFlight = new Map<string, Promise<BuiltIndex>>();

  const fresh = (index: BuiltIndex) => now() - index.builtAt < ttlMs;

  /** Runs `work` for `key` unless a load or build of `key` is already running; then joins it. */
  function singleFlight(key: string, work: () => Promise<BuiltIndex>): Promise<BuiltIndex> {
    const running = inFlight.get(key);
    if (running) return running;
    const promise = work().finally(() => inFlight.delete(key));
    inFlight.set(key, promise);
    return promise;
  }

  async function readCached(key: string): Promise<BuiltIndex | undefined> {
    const manifest = ManifestSchema.safeParse(await cache.get(key));
    if (!manifest.success) return undefined;
    const m = manifest.data;
    const chunks = await Promise.all(Array.from({ length: m.chunks }, (_, i) => cache.get(`${key}:${m.generation}:${i}`)));
    const users: AstroIndexedUser[] = [];
    for (const [i, value] of chunks.entries()) {
      if (i > 0) await nextTurn();
      const chunk = ChunkSchema.safeParse(value);
      if (!chunk.success) return undefined; // a chunk expired or was evicted: rebuild
      for (const [id, username, fullName, status] of chunk.data.users) users.push({ id, username, fullName, status });
    }
    if (users.length !== m.users) return undefined;
    if (users.reduce((n, u) => n + sizeOf(u), 0) > maxIndexChars) return undefined; // written under a larger budget
    return prepare(
      users.map((u) => bounded(u).user),
      m.builtAt,
      m.totalCount,
      m.truncated,
    );
  }

  /**
   * Stores `index` as chunks (at most {@link USERS_PER_CHUNK} users and {@link CHARS_PER_CHUNK}
   * characters each, one written per turn of the event loop), then a manifest pointing at them
   * (readers never see a half-written generation).
   */
  async function writeCached(key: string, index: BuiltIndex): Promise<void> {
    const generation = randomUUID();
    const chunks: [string, string, string, string][][] = [];
    let chunk: [string, string, string, string][] = [];
    let chars = 0;
    for (const { user: u } of index.entries) {
      if (chunk.length >= USERS_PER_CHUNK || (chunk.length > 0 && chars + sizeOf(u) > CHARS_PER_CHUNK)) {
        chunks.push(chunk);
        chunk = [];
        chars = 0;
      }
      chunk.push([u.id, u.username, u.fullName, u.status]);
      chars += sizeOf(u);
    }
    if (chunk.length > 0) chunks.push(chunk);
    for (const [i, users] of chunks.entries()) {
      if (i > 0) await nextTurn();
      if (!(await cache.set(`${key}:${generation}:${i}`, { users }, ttlMs))) return;
    }
    await cache.set(key, { v: 1, builtAt: index.builtAt, totalCount: index.totalCount, truncated: index.truncated, users: index.entries.length, generation, chunks: chunks.length }, ttlMs);
  }

  /** Pages through ListUsers (first page, then the rest `concurrency` at a time) and stores the result. */
  async function build(key: string, target: AstroTarget): Promise<BuiltIndex> {
    const startedAt = now();
    const started = performance.now();
    lastBuildAt.set(key, startedAt);
    const signal = deadlineSignal(buildTimeoutMs);
    const sorts = ['id:asc'];
    const byId = new Map<string, AstroIndexedUser>();
    let unreadable = 0;
    let pages = 0;
    let shortened = 0;
    /** Characters of the users taken so far (see maxIndexChars). */
    let taken = 0;
    // Only bounded copies are kept, so a page's long strings are freed once it is read. Copying
    // cut names costs a little per user: a page is taken in slices, between yields.
    const take = async (users: AstroUser[]) => {
      for (let i = 0; i < users.length; i += 1) {
        if (i > 0 && i % TAKE_SLICE === 0) await nextTurn();
        const u = users[i]!;
        if (byId.has(u.id)) continue;
        const b = bounded({ id: u.id, username: u.username, fullName: u.fullName, status: u.status });
        if (b.shortened) shortened += 1;
        byId.set(u.id, b.user);
        taken += sizeOf(b.user);
      }
    };
    try {
      const first = await astro.listUsers(target, { offset: 0, limit: pageSize, sorts }, { signal });
      pages += 1;
      unreadable += first.unreadable;
      await take(first.users);
      const wanted = Math.min(first.totalCount, maxUsers);
      // Step by the page size Astro says it used, should it serve fewer than asked.
      const step = first.limit > 0 && first.limit < pageSize ? first.limit : pageSize;
      const offsets: number[] = [];
      for (let offset = step; offset < wanted; offset += step) offsets.push(offset);
      let next = 0;
      const worker = async () => {
        // Users are kept in the order they were taken, until the text budget is spent: once it
        // is, no user of a later page could be kept, so no later page is asked for.
        while (next < offsets.length && taken < maxIndexChars) {
          const offset = offsets[next++]!;
          const page = await astro.listUsers(target, { offset, limit: step, sorts }, { signal });
          pages += 1;
          unreadable += page.unreadable;
          await take(page.users);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, offsets.length) }, worker));
      // Within both caps, in the order pages arrived (pages past maxUsers are never asked for).
      const all = [...byId.values()];
      const kept: AstroIndexedUser[] = [];
      let chars = 0;
      for (const u of all) {
        if (kept.length >= maxUsers || chars + sizeOf(u) > maxIndexChars) break;
        chars += sizeOf(u);
        kept.push(u);
      }
      const truncated = first.totalCount > maxUsers || all.length > kept.length || next < offsets.length;
      const index = await prepare(kept, startedAt, first.totalCount, truncated);
      if (shortened > 0 || all.length > kept.length) {
        options.log?.warn(
          { organizationId: target.organizationId, users: kept.length, received: all.length, totalCount: first.totalCount, shortened, maxUsers, maxIndexChars },
          'user index bounded: some users are left out of lookup by email and name, or their names were cut',
        );
      }
      memory.set(key, index);
      lastFailure.delete(key);
      void writeCached(key, index);
      try {
        options.onBuild?.({
          organizationId: target.organizationId,
          users: index.entries.length,
          totalCount: first.totalCount,
          pages,
          unreadable,
          truncated,
          shortened,
          durationMs: performance.now() - started,
        });
      } catch {
        // a failing hook must not fail the build
      }
      return index;
    } catch (err) {
      lastFailure.set(key, { at: now(), err });
      throw err;
    }
  }

  /** A fresh index from the cache, else a new build; when the build fails, a stale index (memory or cache) if there is one. */
  async function load(key: string, target: AstroTarget, stale: BuiltIndex | undefined): Promise<BuiltIndex> {
    const cached = await readCached(key);
    if (cached && fresh(cached)) {
      memory.set(key, cached);
      return cached;
    }
    const fallback = stale ?? cached; // a stale index still answers when Astro cannot
    const failure = lastFailure.get(key);
    if (!fallback && failure && now() - failure.at < failedBuildRetryMs) throw failure.err;
    try {
      return await build(key, target);
    } catch (err) {
      if (fallback) return fallback;
      throw err;
    }
  }

  /** The index of an organization: from memory when fresh, else loaded or built (shared by concurrent callers). */
  function current(key: string, target: AstroTarget, signal: AbortSignal | undefined): Promise<BuiltIndex> {
    const known = memory.get(key);
    if (known && fresh(known)) return Promise.resolve(known);
    return untilAborted(
      singleFlight(key, () => load(key, target, known)),
      signal,
    );
  }

  /**
   * After a miss: a rebuilt index when the last build of `key` is at least `minRefreshIntervalMs`
   * old, else undefined (also when the rebuild fails; the caller keeps its index).
   * @throws {AstroApiError} `timeout` when `signal` aborts while waiting.
   */
  async function refreshed(key: string, target: AstroTarget, index: BuiltIndex, signal: AbortSignal | undefined): Promise<BuiltIndex | undefined> {
    const last = Math.max(index.builtAt, lastBuildAt.get(key) ?? -Infinity);
    // A build already running (started by another miss) is joined whatever its age.
    if (!inFlight.has(key) && now() - last < minRefreshIntervalMs) return undefined;
    const rebuild = singleFlight(key, () => build(key, target)).then(
      (i) => i,
      () => undefined,
    );
    const result = await untilAborted(rebuild, signal);
    return result && result !== index ? result : undefined;
  }

  /**
   * The best `limit` matches, best first. Only the best `limit` seen so far are kept sorted, so a
   * query that matches every user of a large index costs a few comparisons per user.
   */
  function searchIn(index: BuiltIndex, q: string, limit: number): AstroIndexedUser[] {
    const qWords = wordsOf(q);
    const order = (a: { e: Entry; r: number }, b: { e: Entry; r: number }) =>
      a.r - b.r ||
      (a.e.fullName < b.e.fullName ? -1 : a.e.fullName > b.e.fullName ? 1 : 0) ||
      (a.e.username < b.e.username ? -1 : a.e.username > b.e.username ? 1 : 0) ||
      (a.e.user.id < b.e.user.id ? -1 : a.e.user.id > b.e.user.id ? 1 : 0);
    const best: { e: Entry; r: number }[] = [];
    for (const e of index.entries) {
      const r = rank(e, q, qWords);
      if (r === undefined) continue;
      const hit = { e, r };
      if (best.length === limit && order(hit, best[limit - 1]!) >= 0) continue;
      let lo = 0;
      let hi = best.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (order(hit, best[mid]!) < 0) hi = mid;
        else lo = mid + 1;
      }
      best.splice(lo, 0, hit);
      if (best.length > limit) best.pop();
    }
    return best.map((h) => h.e.user);
  }

  return {
    async findByEmail(installation, target, email, signal) {
      const q = normalizeForLookup(email);
      if (!q || q.length > MAX_QUERY_LENGTH) return undefined;
      const key = userIndexCacheKey(installation, target);
      const index = await current(key, target, signal);
      const hit = index.byUsername.get(q);
      if (hit) return hit;
      const again = await refreshed(key, target, index, signal);
      return again?.byUsername.get(q);
    },

    async search(installation, target, prefix, limit = 10, signal) {
      const q = normalizeForLookup(prefix);
      if (!q || q.length > MAX_QUERY_LENGTH) return [];
      const max = Math.min(100, Math.max(1, Math.floor(Number.isFinite(limit) ? limit : 10)));
      const key = userIndexCacheKey(installation, target);
      const index = await current(key, target, signal);
      const found = searchIn(index, q, max);
      if (found.length > 0) return found;
      const again = await refreshed(key, target, index, signal);
      return again ? searchIn(again, q, max) : [];
    },
  };
}
