/**
 * An organization's access data in one read: every user with their direct roles, the API tokens,
 * the Teams with their members, and the Workspace and Deployment catalog, paged through the
 * resilient Astro client (so the token's request budget, retries and breaker apply) and kept
 * briefly, so that a report and an offboarding checklist a minute apart page the organization once.
 *
 * Sources (Astro API v1 spec, https://api.astronomer.io/spec/v1): `ListUsers` (1000 per page,
 * `sorts=id:asc` for stable paging, as the user index pages it), `ListApiTokens`, `ListTeams`,
 * `ListTeamMembers`, `ListWorkspaces` and `ListDeployments` (each at most 1000 per page). Token,
 * Team and catalog lists have no documented ID sort, so their pages are joined by ID (an item
 * seen twice is kept once).
 *
 * Only users are essential: when ListUsers fails the load fails. Any other list that fails is
 * kept as a {@link OrgPart} saying why (e.g. `forbidden`: the token's role lacks the permission),
 * so the caller can say what it could not check. A list the caller already knows the token cannot
 * read (its capabilities) is not asked for at all.
 *
 * Kept: in this process (a few organizations, for `ttlMs`) and in the best-effort cache (shared by
 * instances, same TTL), under a key naming the installation, the organization and a hash of the
 * token (a new token never reads what an old one could see). Concurrent loads of one key share
 * one read. Cached data is validated again when read from the shared cache.
 */
import { setMaxListeners } from 'node:events';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { MAX_PAGE_LIMIT, type AstroClient, type AstroTarget, type CallOptions } from '../astro/client.js';
import { AstroApiError, type AstroErrorKind } from '../astro/errors.js';
import { ApiTokenSchema, DeploymentSchema, TeamMemberSchema, TeamSchema, WorkspaceSchema, type AstroApiToken, type AstroDeployment, type AstroTeam, type AstroTeamMember, type AstroWorkspace } from '../astro/org-schemas.js';
import { deadlineSignal, tokenHash } from '../astro/policy.js';
import { AstroUserSchema, type AstroUser } from '../astro/schemas.js';
import type { BestEffortCache } from '../store/best-effort-cache.js';
import { NotConfiguredError } from './lookup.js';
import { installationKey, type InstallationRef, type SettingsResolver } from './settings.js';

/** A Team with who is in it. */
export interface OrgTeam extends AstroTeam {
  members: AstroTeamMember[];
  /** False when its member list could not be read (or was longer than the cap): owners and admins through it may be missed. */
  membersComplete: boolean;
}

/** One list of the organization: its items, or why it could not be read. */
export type OrgPart<T> =
  | {
      ok: true;
      items: T[];
      /** True when the list was longer than the cap and only its first items were read. */
      truncated: boolean;
    }
  | {
      ok: false;
      /** Why: `forbidden` when Astro answered 403 (or the token is known not to have the permission). */
      kind: AstroErrorKind;
      /** Astro's request ID, when it sent one. */
      requestId?: string;
    };

/** What {@link OrgDataSource.load} read. Times in ms since the epoch. */
export interface OrgData {
  organizationId: string;
  /** When the read began: the data is at least this fresh. */
  fetchedAt: number;
  /** The users (first `maxUsers` by ID), with their direct roles. */
  users: AstroUser[];
  /** How many users Astro says there are. */
  usersTotal: number;
  /** True when there are more users than were read. */
  usersTruncated: boolean;
  tokens: OrgPart<AstroApiToken>;
  teams: OrgPart<OrgTeam>;
  workspaces: OrgPart<AstroWorkspace>;
  deployments: OrgPart<AstroDeployment>;
  /** Items Astro sent, in all lists, that did not parse and were left out. */
  unreadable: number;
}

/** Lists a caller may leave out (the token is known not to reach them). */
export type OrgSkippable = 'tokens' | 'teams' | 'catalog';

/** One load. */
export interface OrgDataRequest {
  installation: InstallationRef;
  /** Lists not to ask Astro for: they come back as `forbidden` without a request. */
  skip?: Partial<Record<OrgSkippable, boolean>>;
  /** Read Astro again even when kept data is still fresh. */
  fresh?: boolean;
}

/** Reads (and keeps) an organization's access data. */
export interface OrgDataSource {
  /**
   * The installation's organization data, kept data when fresh.
   * @throws {NotConfiguredError} when the installation has not connected Astro.
   * @throws {AstroApiError} when the users cannot be listed (`forbidden`, `timeout`, …).
   */
  load(request: OrgDataRequest): Promise<OrgData>;
}

/** Options of {@link createOrgDataSource}. Durations in ms. */
export interface OrgDataOptions {
  /** The resilient Astro client (rate limit, retries, breaker). */
  astro: Pick<AstroClient, 'listUsers' | 'listApiTokens' | 'listTeams' | 'listTeamMembers' | 'listAllWorkspaces' | 'listAllDeployments'>;
  settings: SettingsResolver;
  /** The shared best-effort cache. */
  cache: BestEffortCache;
  /** How long read data is kept, in ms. Default 180 000 (3 minutes). */
  ttlMs?: number;
  /** Requests of one load in flight at once (all lists together). Default 8, far below the rate limiter's queue of 100. */
  concurrency?: number;
  /** Time allowed for one whole load, retries included, in ms. Default 60 000. */
  loadTimeoutMs?: number;
  /** Most users read. Default 50 000 (as the user index). */
  maxUsers?: number;
  /** Most API tokens, Teams, Workspaces or Deployments read per list. Default 20 000. */
  maxItems?: number;
  /** Most members read per Team. Default 10 000. */
  maxMembersPerTeam?: number;
  /** Organizations kept in this process. Default 8. */
  maxInMemory?: number;
  /** Clock, in ms since the epoch (tests). */
  now?: () => number;
}

/**
 * The cache key of an organization's data: installation, organization and the first 16 hex
 * digits of the token's SHA-256, each URI-encoded (the installation first, so a workspace's
 * entries are found and deleted with the rest of its cache).
 */
export function orgDataCacheKey(installation: string, target: AstroTarget): string {
  return ['org', 'v1', installation, target.organizationId, tokenHash(target.apiToken).slice(0, 16)].map(encodeURIComponent).join(':');
}

const KINDS = ['not_found', 'unauthorized', 'forbidden', 'bad_request', 'rate_limited', 'unavailable', 'bad_response', 'timeout'] as const;
const failedPart = z.object({ ok: z.literal(false), kind: z.enum(KINDS), requestId: z.string().max(128).optional() });
function partSchema<T extends z.ZodType>(item: T) {
  return z.union([z.object({ ok: z.literal(true), items: z.array(item), truncated: z.boolean() }), failedPart]);
}
const OrgTeamSchema = z
  .object({ team: TeamSchema, members: z.array(TeamMemberSchema), membersComplete: z.boolean() })
  .transform(({ team, members, membersComplete }): OrgTeam => ({ ...team, members, membersComplete }));
/** Stored form: Teams are kept as `{team, members, membersComplete}` so each part re-validates with its own schema. */
const StoredSchema = z.object({
  v: z.literal(1),
  organizationId: z.string(),
  fetchedAt: z.number(),
  users: z.array(AstroUserSchema),
  usersTotal: z.number().int().min(0),
  usersTruncated: z.boolean(),
  tokens: partSchema(ApiTokenSchema),
  teams: partSchema(OrgTeamSchema),
  workspaces: partSchema(WorkspaceSchema),
  deployments: partSchema(DeploymentSchema),
  unreadable: z.number().int().min(0),
});

/** The form written to the shared cache (users without avatars). */
function stored(data: OrgData): unknown {
  const teams = data.teams.ok ? { ...data.teams, items: data.teams.items.map(({ members, membersComplete, ...team }) => ({ team, members, membersComplete })) } : data.teams;
  return { v: 1, ...data, users: data.users.map(({ avatarUrl: _a, ...u }) => u), teams };
}

/** A part for an error of a list other than users. */
function failed(err: unknown): OrgPart<never> {
  if (err instanceof AstroApiError) return { ok: false, kind: err.kind, ...(err.requestId ? { requestId: err.requestId } : {}) };
  throw err;
}

/** Runs tasks with at most `limit` at once; rejects with the first error (the others still settle). */
function pool(limit: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

/** How far ahead of this instance's clock kept data may be dated, in ms (other instances' clocks). */
const MAX_CLOCK_AHEAD_MS = 5 * 60_000;

/** A page of any list: its items and paging numbers. */
interface Page<T> {
  items: T[];
  totalCount: number;
  limit: number;
  unreadable: number;
}

/**
 * Creates the {@link OrgDataSource}.
 * @throws {RangeError} for a non-positive TTL or load timeout.
 */
export function createOrgDataSource(options: OrgDataOptions): OrgDataSource {
  const { astro, settings, cache } = options;
  const ttlMs = options.ttlMs ?? 180_000;
  const loadTimeoutMs = options.loadTimeoutMs ?? 60_000;
  const maxUsers = options.maxUsers ?? 50_000;
  const maxItems = options.maxItems ?? 20_000;
  const maxMembers = options.maxMembersPerTeam ?? 10_000;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
  const now = options.now ?? Date.now;
  for (const [name, v] of [['ttlMs', ttlMs], ['loadTimeoutMs', loadTimeoutMs]] as const) {
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be a positive number of ms, got ${v}`);
  }
  const memory = new LRUCache<string, OrgData>({ max: Math.max(1, options.maxInMemory ?? 8) });
  const inFlight = new Map<string, Promise<OrgData>>();
  // Data dated ahead of this clock by more than a few minutes (a tampered store, an instance whose
  // clock is far off) would never grow old: it is not fresh.
  const fresh = (data: OrgData) => data.fetchedAt <= now() + MAX_CLOCK_AHEAD_MS && now() - data.fetchedAt < ttlMs;

  /**
   * Every page of one list, the first alone (for its total), then the rest through `run`; items
   * joined by `idOf`, at most `max`.
   */
  async function pageAll<T>(
    run: ReturnType<typeof pool>,
    page: (offset: number, limit: number) => Promise<Page<T>>,
    idOf: (item: T) => string,
    max: number,
  ): Promise<{ items: T[]; total: number; truncated: boolean; unreadable: number }> {
    const first = await run(() => page(0, MAX_PAGE_LIMIT));
    const byId = new Map<string, T>();
    let unreadable = first.unreadable;
    const take = (items: T[]) => {
      for (const item of items) if (byId.size < max && !byId.has(idOf(item))) byId.set(idOf(item), item);
    };
    take(first.items);
    // Step by the page size Astro says it used, should it serve fewer than asked.
    const step = first.limit > 0 && first.limit < MAX_PAGE_LIMIT ? first.limit : MAX_PAGE_LIMIT;
    const wanted = Math.min(first.totalCount, max);
    // At most `max` at Astro's largest page four times over: a page size Astro says is tiny (one
    // entry a page under a large total) must not turn one list into thousands of requests.
    const maxPages = Math.max(4, Math.ceil(max / MAX_PAGE_LIMIT) * 4);
    const offsets: number[] = [];
    for (let offset = step; offset < wanted && offsets.length < maxPages - 1; offset += step) offsets.push(offset);
    const cut = step * (offsets.length + 1) < wanted;
    const pages = await Promise.all(offsets.map((offset) => run(() => page(offset, step))));
    for (const p of pages) {
      unreadable += p.unreadable;
      take(p.items);
    }
    return { items: [...byId.values()], total: first.totalCount, truncated: first.totalCount > max || cut, unreadable };
  }

  async function read(target: AstroTarget, skip: OrgDataRequest['skip'] = {}): Promise<OrgData> {
    const fetchedAt = now();
    const signal = deadlineSignal(loadTimeoutMs);
    // Every request of the load listens to this one signal (up to `concurrency` at once, and those waiting for a rate-limit slot).
    setMaxListeners(0, signal);
    const call: CallOptions = { signal };
    const run = pool(concurrency);
    let unreadable = 0;
    const skipped: OrgPart<never> = { ok: false, kind: 'forbidden' };

    const users = pageAll(
      run,
      async (offset, limit) => {
        const p = await astro.listUsers(target, { offset, limit, sorts: ['id:asc'] }, call);
        return { items: p.users, totalCount: p.totalCount, limit: p.limit, unreadable: p.unreadable };
      },
      (u) => u.id,
      maxUsers,
    );
    const list = async <T>(page: (offset: number, limit: number) => Promise<Page<T>>, idOf: (item: T) => string): Promise<OrgPart<T>> => {
      try {
        const r = await pageAll(run, page, idOf, maxItems);
        unreadable += r.unreadable;
        return { ok: true, items: r.items, truncated: r.truncated };
      } catch (err) {
        return failed(err);
      }
    };
    const tokens: Promise<OrgPart<AstroApiToken>> = skip.tokens
      ? Promise.resolve(skipped)
      : list(async (offset, limit) => {
          const p = await astro.listApiTokens(target, { offset, limit }, call);
          return { items: p.tokens, totalCount: p.totalCount, limit: p.limit, unreadable: p.unreadable };
        }, (t) => t.id);
    const workspaces: Promise<OrgPart<AstroWorkspace>> = skip.catalog
      ? Promise.resolve(skipped)
      : list(async (offset, limit) => {
          const p = await astro.listAllWorkspaces(target, { offset, limit }, call);
          return { items: p.workspaces, totalCount: p.totalCount, limit: p.limit, unreadable: p.unreadable };
        }, (w) => w.id);
    const deployments: Promise<OrgPart<AstroDeployment>> = skip.catalog
      ? Promise.resolve(skipped)
      : list(async (offset, limit) => {
          const p = await astro.listAllDeployments(target, { offset, limit }, call);
          return { items: p.deployments, totalCount: p.totalCount, limit: p.limit, unreadable: p.unreadable };
        }, (d) => d.id);
    const teams: Promise<OrgPart<OrgTeam>> = skip.teams
      ? Promise.resolve(skipped)
      : list(async (offset, limit) => {
          const p = await astro.listTeams(target, { offset, limit }, call);
          return { items: p.teams, totalCount: p.totalCount, limit: p.limit, unreadable: p.unreadable };
        }, (t) => t.id).then(async (part) => {
          if (!part.ok) return part;
          // Members of each Team, through the same pool: one request per Team (and per further 1000 members).
          const withMembers = await Promise.all(
            part.items.map(async (team): Promise<OrgTeam> => {
              try {
                const r = await pageAll(
                  run,
                  async (offset, limit) => {
                    const p = await astro.listTeamMembers(target, team.id, { offset, limit }, call);
                    return { items: p.members, totalCount: p.totalCount, limit: p.limit, unreadable: p.unreadable };
                  },
                  (m) => m.userId,
                  maxMembers,
                );
                unreadable += r.unreadable;
                return { ...team, members: r.items, membersComplete: !r.truncated && r.unreadable === 0 };
              } catch (err) {
                if (!(err instanceof AstroApiError) || signal.aborted) throw err;
                return { ...team, members: [], membersComplete: false };
              }
            }),
          );
          return { ...part, items: withMembers };
        }, failed);
    // Settle everything before answering, so no request of this load outlives it.
    const [u, t, tm, w, d] = await Promise.allSettled([users, tokens, teams, workspaces, deployments]);
    if (u.status === 'rejected') throw u.reason;
    for (const r of [t, tm, w, d]) if (r.status === 'rejected') throw r.reason;
    unreadable += u.value.unreadable;
    const value = <T>(r: PromiseSettledResult<T>) => (r as PromiseFulfilledResult<T>).value;
    return {
      organizationId: target.organizationId,
      fetchedAt,
      users: u.value.items,
      usersTotal: u.value.total,
      usersTruncated: u.value.truncated,
      tokens: value(t),
      teams: value(tm),
      workspaces: value(w),
      deployments: value(d),
      unreadable,
    };
  }

  /** Kept data from the shared cache, validated; undefined when absent, stale or unreadable. */
  async function readShared(key: string, organizationId: string): Promise<OrgData | undefined> {
    const parsed = StoredSchema.safeParse(await cache.get(key));
    if (!parsed.success || parsed.data.organizationId !== organizationId) return undefined;
    const { v: _v, ...data } = parsed.data;
    return fresh(data) ? data : undefined;
  }

  return {
    async load({ installation, skip, fresh: wantFresh }) {
      const target = await settings.resolve(installation);
      if (!target) throw new NotConfiguredError();
      const key = orgDataCacheKey(installationKey(installation), target);
      if (!wantFresh) {
        const kept = memory.get(key);
        if (kept && fresh(kept)) return kept;
      }
      const running = inFlight.get(key);
      if (running) return running;
      const work = (async () => {
        if (!wantFresh) {
          const shared = await readShared(key, target.organizationId);
          if (shared) {
            memory.set(key, shared);
            return shared;
          }
        }
        const data = await read(target, skip);
        memory.set(key, data);
        void cache.set(key, stored(data), ttlMs);
        return data;
      })().finally(() => inFlight.delete(key));
      inFlight.set(key, work);
      return work;
    },
  };
}
