/**
 * The organization's catalog: every Workspace and Deployment (names, Workspace, status), every Team
 * with the roles it grants, the Organization Owners, and every API token (never its secret) — what
 * "who can access X" needs besides the users of X. Read with `ListWorkspaces`, `ListDeployments`,
 * `ListTeams`, `ListUsers` and `ListApiTokens` (Astro API v1, https://api.astronomer.io/spec/v1),
 * paged 1,000 at a time.
 *
 * Kept warm: a catalog older than `refreshAfterMs` is still answered at once and refreshed in the
 * background (stale-while-revalidate); {@link Catalog.warmRecent} refreshes the catalogs used in the
 * last day on a timer, so the first question after a quiet night does not wait. Shared by instances:
 * each catalog is kept in the best-effort cache (the store, Redis with several instances), so an
 * instance that starts after another reads it instead of asking Astro. Concurrent readers share one
 * load (single flight). Team members are read per Team when needed (`ListTeamMembers`) and kept
 * with the same TTL.
 *
 * Parts the token may not read (Teams, API tokens: a 403) are left out and named in `missing`; any
 * other failure of a part fails the load (and nothing is kept), so an outage never looks like
 * "nobody has access".
 */
import { setMaxListeners } from 'node:events';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { MAX_PAGE_LIMIT, type AstroClient, type AstroTarget, type ListPage } from '../astro/client.js';
import { AstroApiError } from '../astro/errors.js';
import { deadlineSignal, tokenHash } from '../astro/policy.js';
import { ApiTokenSchema, DeploymentSchema, TeamMemberSchema, TeamSchema, WorkspaceSchema, type AstroApiToken, type AstroDeployment, type AstroTeam, type AstroTeamMember, type AstroWorkspace } from '../astro/org-schemas.js';
import { AstroUserSchema, type AstroUser } from '../astro/schemas.js';
import type { Logger } from '../logger.js';
import type { BestEffortCache } from '../store/best-effort-cache.js';

/** Parts of the catalog a token may be refused. */
export type CatalogPart = 'teams' | 'tokens';

/** One organization's catalog, as read at `fetchedAt` (ms since the epoch). */
export interface OrgCatalog {
  workspaces: AstroWorkspace[];
  deployments: AstroDeployment[];
  /** Every Team with its roles; empty when `missing` includes `teams`. */
  teams: AstroTeam[];
  /** Users whose organization role is Organization Owner (they reach every Workspace). */
  owners: AstroUser[];
  /** Every API token; empty when `missing` includes `tokens`. */
  tokens: AstroApiToken[];
  /** Parts the token was refused (403). */
  missing: CatalogPart[];
  /** True when a list was longer than `maxItems` and was cut. */
  truncated: boolean;
  fetchedAt: number;
}

/** A Team's members as read. */
export interface TeamMembers {
  members: AstroTeamMember[];
  /** Members Astro counts in all. */
  total: number;
}

/** Options of {@link createCatalog}. */
export interface CatalogOptions {
  astro: Pick<AstroClient, 'listAllWorkspaces' | 'listAllDeployments' | 'listTeams' | 'listTeamMembers' | 'listUsers' | 'listApiTokens'>;
  cache: BestEffortCache;
  /** How long a catalog is kept, in ms (then it is read again before answering). Default 1 h. */
  ttlMs?: number;
  /** Age after which a catalog is refreshed in the background while still answered, in ms. Default 5 min. */
  refreshAfterMs?: number;
  /** Most items read per list (Workspaces, Deployments, Teams, users paged for owners, tokens, members of one Team). Default 50,000. */
  maxItems?: number;
  /** Time source, ms since the epoch. */
  now?: () => number;
  log?: Logger;
  /** {@link Catalog.peek} starts loading a catalog none is kept of (default true): later answers then find it. */
  loadOnPeek?: boolean;
  /**
   * Longest time one load from Astro may take, every list and page with their retries, in ms
   * (then it fails as a `timeout` and nothing is kept). Default 60,000: an Astro that answers each
   * page slowly cannot keep a load, and every question waiting on it, going for minutes.
   */
  loadTimeoutMs?: number;
}

/** Per-call options. */
export interface CatalogCall {
  signal?: AbortSignal;
  /** Read Astro now, whatever is kept (Refresh). */
  fresh?: boolean;
}

/** The organization catalog service. */
export interface Catalog {
  /**
   * The catalog of `target` for this installation: from memory, else the store, else Astro.
   * @throws {AstroApiError} when it must be read and a part fails (other than a 403 on Teams or tokens).
   */
  get(installationKey: string, target: AstroTarget, call?: CatalogCall): Promise<OrgCatalog>;
  /**
   * The catalog if one is kept (memory or store), without asking Astro; a stale one starts a
   * background refresh. Never throws.
   */
  peek(installationKey: string, target: AstroTarget): Promise<OrgCatalog | undefined>;
  /**
   * Members of a Team (`ListTeamMembers`, paged): the first `call.maxMembers` (default and at most
   * `maxItems`) that Astro lists, and how many it counts in all. Only the pages those need are
   * asked for: a Team of 100,000 members costs 5 requests for 5,000 of them, not 50.
   * @throws {AstroApiError} as the client does.
   */
  teamMembers(installationKey: string, target: AstroTarget, teamId: string, call?: CatalogCall & { maxMembers?: number }): Promise<TeamMembers>;
  /** Starts loading the catalog in the background if none is kept or it is stale. Never throws. */
  warm(installationKey: string, target: AstroTarget): void;
  /** Refreshes in the background every catalog used in the last day that is stale. Never throws. */
  warmRecent(): void;
  /** Forgets what is kept for an installation (memory only; store entries expire). */
  forget(installationKey: string): void;
}

const KEY_VERSION = 'v1';

/** How far ahead of this instance's clock a kept catalog's time of reading may be, in ms (other instances' clocks). */
export const MAX_CLOCK_AHEAD_MS = 5 * 60 * 1000;

/**
 * The store key of a catalog: the organization and (a hash of) the token, not the Slack
 * installation: what a token can see is the same for every installation it serves, so the
 * operator's `ASTRO_API_TOKEN` catalog can be warmed at start-up before any request names an
 * installation.
 */
function catalogKey(target: Pick<AstroTarget, 'organizationId' | 'apiToken' | 'apiUrl'>): string {
  return ['catalog', KEY_VERSION, target.organizationId, tokenHash(`${target.apiUrl}\n${target.apiToken}`)].map(encodeURIComponent).join(':');
}

/**
 * {@link catalogKey}, remembered for the last `max` targets: every answer reads the catalog, and
 * hashing the token each time was a good part of a cached answer's cost.
 */
function catalogKeys(max = 1000): typeof catalogKey {
  const keys = new LRUCache<string, string>({ max });
  return (target) => {
    const id = `${target.organizationId}\n${target.apiUrl}\n${target.apiToken}`;
    let key = keys.get(id);
    if (key === undefined) {
      key = catalogKey(target);
      keys.set(id, key);
    }
    return key;
  };
}

/** A catalog read back from the store: its shape first, its lists item by item in {@link parseStoredCatalog}. */
const StoredCatalogHeadSchema = z.object({
  workspaces: z.array(z.unknown()),
  deployments: z.array(z.unknown()),
  teams: z.array(z.unknown()),
  owners: z.array(z.unknown()),
  tokens: z.array(z.unknown()),
  missing: z.array(z.enum(['teams', 'tokens'])),
  truncated: z.boolean(),
  fetchedAt: z.number().int().positive(),
});

/** Items validated between two yields to the event loop. */
const VALIDATE_CHUNK = 1000;

/** Every item of `values` through `schema`, a chunk at a time; undefined when any item does not parse. */
async function parseChunked<T>(values: unknown[], schema: z.ZodType<T>): Promise<T[] | undefined> {
  const list = z.array(schema);
  const out: T[] = [];
  for (let i = 0; i < values.length; i += VALIDATE_CHUNK) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const r = list.safeParse(values.slice(i, i + VALIDATE_CHUNK));
    if (!r.success) return undefined;
    for (const item of r.data) out.push(item);
  }
  return out;
}

/**
 * A catalog read back from the store, validated again (the store is not trusted to hold our
 * shapes), yielding to the event loop every {@link VALIDATE_CHUNK} items: a stored catalog of tens
 * of thousands of items took seconds to validate in one stretch, while no request was answered.
 * @returns the catalog, or undefined when anything in it does not parse.
 */
async function parseStoredCatalog(value: unknown): Promise<OrgCatalog | undefined> {
  const head = StoredCatalogHeadSchema.safeParse(value);
  if (!head.success) return undefined;
  const workspaces = await parseChunked(head.data.workspaces, WorkspaceSchema);
  const deployments = workspaces && (await parseChunked(head.data.deployments, DeploymentSchema));
  const teams = deployments && (await parseChunked(head.data.teams, TeamSchema));
  const owners = teams && (await parseChunked(head.data.owners, AstroUserSchema));
  const tokens = owners && (await parseChunked(head.data.tokens, ApiTokenSchema));
  if (!workspaces || !deployments || !teams || !owners || !tokens) return undefined;
  const { missing, truncated, fetchedAt } = head.data;
  return { workspaces, deployments, teams, owners, tokens, missing, truncated, fetchedAt };
}
const StoredMembersSchema = z.object({ members: z.array(TeamMemberSchema), total: z.number().int().min(0), fetchedAt: z.number().int().positive() });

/** True for a 403: the token's role may not read this part. */
function isDenied(err: unknown): boolean {
  return err instanceof AstroApiError && err.kind === 'forbidden';
}

/**
 * Reads every page of a list: `read(offset, limit)` until `totalCount` is reached, a page comes back
 * empty, or `max` items were read. A page that keeps only some of its entries (a filter) says how
 * many it covered in `covered` (default: its items and unreadable entries), so the next page starts
 * after them.
 *
 * Bounded whatever Astro answers: at most `max` entries are covered (unreadable and filtered-out
 * ones count), at most `maxPages` pages are asked for (default: `max` at Astro's largest page four
 * times over, so a list Astro serves in smaller pages still reads whole), and a page that answers
 * another offset than asked (Astro ignoring `offset`, which would serve the same page forever) ends
 * the list. A list stopped by these bounds is `truncated`.
 * @returns the items and whether the list was cut.
 */
export async function readAllPages<T>(
  read: (offset: number, limit: number) => Promise<ListPage & { items: T[]; covered?: number }>,
  max: number,
  options: { maxPages?: number } = {},
): Promise<{ items: T[]; truncated: boolean }> {
  const maxPages = options.maxPages ?? Math.max(4, Math.ceil(max / MAX_PAGE_LIMIT) * 4);
  const items: T[] = [];
  let offset = 0;
  for (let pages = 1; ; pages++) {
    const page = await read(offset, MAX_PAGE_LIMIT);
    if (offset > 0 && page.offset !== offset) return { items, truncated: true };
    // Not push(...items): a page of a hundred thousand entries would overflow the call stack.
    for (const item of page.items) items.push(item);
    const seen = page.covered ?? page.items.length + page.unreadable;
    offset += seen;
    if (items.length >= max) return { items: items.slice(0, max), truncated: page.totalCount > max };
    if (seen === 0 || offset >= page.totalCount) return { items, truncated: false };
    if (offset >= max || pages >= maxPages) return { items, truncated: true };
  }
}

/**
 * Items with the same ID once (the first kept). Offset paging over a list that changes while it is
 * read serves an item again at a page boundary: a Deployment twice would answer its own name with
 * a picker of itself, a Team twice would be counted twice.
 */
function onceEach<T extends { id: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(item.id) && Boolean(seen.add(item.id)));
}

/** Creates the {@link Catalog}. */
export function createCatalog(options: CatalogOptions): Catalog {
  const { astro, cache, log } = options;
  const ttlMs = options.ttlMs ?? 60 * 60 * 1000;
  const refreshAfterMs = options.refreshAfterMs ?? 5 * 60 * 1000;
  const max = options.maxItems ?? 50_000;
  const loadTimeoutMs = options.loadTimeoutMs ?? 60_000;
  /**
   * True for a time of reading (ms since the epoch) within the TTL. A time ahead of this clock by
   * more than {@link MAX_CLOCK_AHEAD_MS} (a store entry tampered with, or written by an instance
   * whose clock is far off) is not fresh: it would otherwise never grow old, and never be read again.
   */
  const fresh = (fetchedAt: number) => fetchedAt <= now() + MAX_CLOCK_AHEAD_MS && now() - fetchedAt < ttlMs;
  const now = options.now ?? Date.now;
  const catalogKey = catalogKeys();
  const memory = new LRUCache<string, OrgCatalog>({ max: 200 });
  const members = new LRUCache<string, TeamMembers & { fetchedAt: number }>({ max: 20_000 });
  const loading = new Map<string, Promise<OrgCatalog>>();
  /** Reads of a kept catalog from the store in progress, by key. */
  const reading = new Map<string, Promise<OrgCatalog | undefined>>();
  const loadingMembers = new Map<string, Promise<TeamMembers>>();
  /** Catalogs asked for, with their target and when last asked (for warmRecent). */
  const used = new LRUCache<string, { installationKey: string; target: AstroTarget; at: number }>({ max: 200 });
  /** The catalog keys each installation used (for forget). */
  const byInstallation = new LRUCache<string, Set<string>>({ max: 10_000 });

  async function load(target: AstroTarget): Promise<OrgCatalog> {
    const signal = deadlineSignal(loadTimeoutMs);
    // Every request of the load listens to this one signal (five lists at once, and those waiting for a rate-limit slot).
    setMaxListeners(0, signal);
    const call = { signal };
    const denied = <T>(part: CatalogPart, missing: CatalogPart[]) => (err: unknown): { items: T[]; truncated: boolean } => {
      if (!isDenied(err)) throw err;
      missing.push(part);
      return { items: [], truncated: false };
    };
    const missing: CatalogPart[] = [];
    const [workspaces, deployments, teams, users, tokens] = await Promise.all([
      readAllPages(async (offset, limit) => {
        const p = await astro.listAllWorkspaces(target, { offset, limit }, call);
        return { ...p, items: p.workspaces };
      }, max),
      readAllPages(async (offset, limit) => {
        const p = await astro.listAllDeployments(target, { offset, limit }, call);
        return { ...p, items: p.deployments };
      }, max),
      readAllPages(async (offset, limit) => {
        const p = await astro.listTeams(target, { offset, limit }, call);
        return { ...p, items: p.teams };
      }, max).catch(denied<AstroTeam>('teams', missing)),
      readAllPages(async (offset, limit) => {
        const p = await astro.listUsers(target, { offset, limit, sorts: ['id:asc'] }, call);
        // Only the Organization Owners are kept (they reach every Workspace); the next page starts after every user read.
        return { ...p, items: p.users.filter((u) => u.organizationRole === 'ORGANIZATION_OWNER'), covered: p.users.length + p.unreadable };
      }, max),
      readAllPages(async (offset, limit) => {
        const p = await astro.listApiTokens(target, { offset, limit }, call);
        return { ...p, items: p.tokens };
      }, max).catch(denied<AstroApiToken>('tokens', missing)),
    ]);
    const catalog: OrgCatalog = {
      workspaces: onceEach(workspaces.items),
      deployments: onceEach(deployments.items),
      teams: onceEach(teams.items),
      owners: onceEach(users.items),
      tokens: onceEach(tokens.items),
      missing: missing.sort(),
      truncated: workspaces.truncated || deployments.truncated || teams.truncated || users.truncated || tokens.truncated,
      fetchedAt: now(),
    };
    const key = catalogKey(target);
    memory.set(key, catalog);
    void cache.set(key, catalog, ttlMs);
    if (catalog.truncated) log?.warn({ workspaces: workspaces.items.length, deployments: deployments.items.length, teams: teams.items.length, tokens: tokens.items.length }, 'the organization catalog was cut at its size limit');
    return catalog;
  }

  function loadOnce(target: AstroTarget, signal?: AbortSignal): Promise<OrgCatalog> {
    const key = catalogKey(target);
    let running = loading.get(key);
    if (!running) {
      // A shared load is not tied to one caller's signal: another caller may still want it.
      running = load(target).finally(() => loading.delete(key));
      loading.set(key, running);
    }
    if (!signal) return running;
    return new Promise<OrgCatalog>((resolve, reject) => {
      if (signal.aborted) return reject(new AstroApiError('timeout', 'the catalog did not load in time'));
      const onAbort = () => reject(new AstroApiError('timeout', 'the catalog did not load in time'));
      signal.addEventListener('abort', onAbort, { once: true });
      running.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /**
   * The kept catalog (memory, else store), or undefined. Concurrent readers share one read of the
   * store: validating a stored catalog of an organization with hundreds of Teams and tokens takes
   * milliseconds, and every answer after a start-up asks for it at once.
   */
  async function kept(target: AstroTarget): Promise<OrgCatalog | undefined> {
    const key = catalogKey(target);
    const inMemory = memory.get(key);
    if (inMemory && fresh(inMemory.fetchedAt)) return inMemory;
    let running = reading.get(key);
    if (!running) {
      running = (async () => {
        const raw = await cache.get(key);
        // Its date first: an old catalog is not worth validating.
        const at = (raw as { fetchedAt?: unknown } | undefined)?.fetchedAt;
        if (typeof at !== 'number' || !fresh(at)) return undefined;
        const stored = await parseStoredCatalog(raw);
        if (!stored) return undefined;
        // A catalog read from Astro meanwhile is newer: it stays.
        const newer = memory.get(key);
        if (newer && newer.fetchedAt >= stored.fetchedAt) return newer;
        memory.set(key, stored);
        return stored;
      })().finally(() => reading.delete(key));
      reading.set(key, running);
    }
    return running;
  }

  function backgroundRefresh(target: AstroTarget): void {
    loadOnce(target).catch((err: unknown) => log?.warn({ err }, 'could not refresh the organization catalog'));
  }

  function note(installationKey: string, target: AstroTarget): void {
    const key = catalogKey(target);
    used.set(key, { installationKey, target, at: now() });
    const keys = byInstallation.get(installationKey) ?? new Set<string>();
    keys.add(key);
    byInstallation.set(installationKey, keys);
  }

  return {
    async get(installationKey, target, call = {}) {
      note(installationKey, target);
      if (!call.fresh) {
        const catalog = await kept(target);
        if (catalog) {
          if (now() - catalog.fetchedAt >= refreshAfterMs) backgroundRefresh(target);
          return catalog;
        }
      }
      return loadOnce(target, call.signal);
    },

    async peek(installationKey, target) {
      note(installationKey, target);
      const catalog = await kept(target);
      if (catalog ? now() - catalog.fetchedAt >= refreshAfterMs : options.loadOnPeek !== false) backgroundRefresh(target);
      return catalog;
    },

    async teamMembers(installationKey, target, teamId, call = {}) {
      note(installationKey, target);
      const wanted = Math.max(1, Math.min(call.maxMembers ?? max, max));
      const key = `${catalogKey(target)}:team:${encodeURIComponent(teamId)}`;
      // What is kept serves when it holds as many members as are wanted (or all there are).
      const serves = (kept: TeamMembers & { fetchedAt: number }) => fresh(kept.fetchedAt) && kept.members.length >= Math.min(kept.total, wanted);
      if (!call.fresh) {
        const inMemory = members.get(key);
        if (inMemory && serves(inMemory)) return inMemory;
        const stored = StoredMembersSchema.safeParse(await cache.get(key));
        if (stored.success && serves(stored.data)) {
          members.set(key, stored.data);
          return stored.data;
        }
      }
      const loadKey = `${key}:${wanted}`;
      let running = loadingMembers.get(loadKey);
      if (!running) {
        running = (async () => {
          let total = 0;
          const read = await readAllPages(async (offset, limit) => {
            const p = await astro.listTeamMembers(target, teamId, { offset, limit: Math.min(limit, wanted - offset) }, call.signal ? { signal: call.signal } : {});
            total = Math.max(total, p.totalCount);
            return { ...p, items: p.members };
          }, wanted);
          const value = { members: read.items, total: Math.max(total, read.items.length), fetchedAt: now() };
          members.set(key, value);
          void cache.set(key, value, ttlMs);
          return value;
        })().finally(() => loadingMembers.delete(loadKey));
        loadingMembers.set(loadKey, running);
      }
      return running;
    },

    warm(installationKey, target) {
      void this.peek(installationKey, target).catch(() => undefined);
    },

    warmRecent() {
      const dayAgo = now() - 24 * 60 * 60 * 1000;
      for (const [key, entry] of used.entries()) {
        if (entry.at < dayAgo) continue;
        const catalog = memory.get(key);
        if (!catalog || now() - catalog.fetchedAt >= refreshAfterMs) backgroundRefresh(entry.target);
      }
    },

    forget(installationKey) {
      for (const key of byInstallation.get(installationKey) ?? []) {
        memory.delete(key);
        used.delete(key);
        for (const m of [...members.keys()]) if (m.startsWith(`${key}:`)) members.delete(m);
      }
      byInstallation.delete(installationKey);
    },
  };
}

/** Names of a catalog's Workspaces and Deployments, by ID (made once per catalog). */
export interface CatalogNames {
  workspaces: ReadonlyMap<string, string>;
  deployments: ReadonlyMap<string, { name: string; workspaceId: string; workspaceName?: string }>;
}

const namesOf = new WeakMap<OrgCatalog, CatalogNames>();

/** The {@link CatalogNames} of `catalog`, computed once per catalog object. */
export function catalogNames(catalog: OrgCatalog): CatalogNames {
  let names = namesOf.get(catalog);
  if (!names) {
    const workspaces = new Map(catalog.workspaces.map((w) => [w.id, w.name]));
    const deployments = new Map(
      catalog.deployments.map((d) => {
        const workspaceName = d.workspaceName ?? workspaces.get(d.workspaceId);
        return [d.id, { name: d.name, workspaceId: d.workspaceId, ...(workspaceName ? { workspaceName } : {}) }] as const;
      }),
    );
    names = { workspaces, deployments };
    namesOf.set(catalog, names);
  }
  return names;
}
