/**
 * Names instead of IDs: resolves the Workspace and Deployment IDs of a user's roles to their
 * names, read-through a best-effort cache, with as few Astro calls as possible. Knows nothing of
 * Block Kit; the renderer falls back to the raw ID for anything left `undefined`.
 *
 * Sources: Astro API v1 operations `ListWorkspaces` (`GET /organizations/{organizationId}/workspaces`,
 * `workspaceIds[]`, `limit` ≤ 1000) and `ListDeployments` (`GET /organizations/{organizationId}/deployments`,
 * `deploymentIds[]`), both `…Paginated{items, limit, offset, totalCount}` (Astro API v1 spec, https://api.astronomer.io/spec/v1);
 * the Astro UI Deployment link of astro-cli `GetDeploymentURL` (§7).
 */
import { z } from 'zod';
import { MAX_PAGE_LIMIT, type AstroClient, type AstroTarget, type ListPage } from '../astro/client.js';
import type { AstroDeploymentSummary, AstroWorkspaceSummary } from '../astro/schemas.js';
import type { CatalogNames } from './catalog.js';
import type { BestEffortCache } from '../store/best-effort-cache.js';

/** A resolved Workspace. */
export interface WorkspaceName {
  /** The Workspace's display name (never empty). */
  name: string;
}

/** A resolved Deployment. */
export interface DeploymentName {
  /** The Deployment's display name (never empty). */
  name: string;
  /** The Workspace it belongs to (for grouping and for {@link astroDeploymentUrl}). */
  workspaceId: string;
  /** That Workspace's name, when ListDeployments sent it. */
  workspaceName?: string;
}

/** The IDs to resolve. Duplicates are fine; they are resolved once. */
export interface NameRequest {
  workspaceIds: readonly string[];
  deploymentIds: readonly string[];
}

/**
 * What {@link NameResolver.resolve} found. Each map has one entry per distinct requested ID, in
 * request order. `undefined` means "show the ID": the ID is deleted or hidden from the token
 * (Astro did not return it), is not a plain ID, or its call failed (then `failed` is true).
 */
export interface ResolvedNames {
  workspaces: Map<string, WorkspaceName | undefined>;
  deployments: Map<string, DeploymentName | undefined>;
  /**
   * True when at least one ListWorkspaces/ListDeployments call failed (error, timeout, or the
   * caller's signal), so some names may be missing only for now; the renderer may say so.
   */
  failed: boolean;
}

/** Options of {@link createNameResolver}. */
export interface NameResolverOptions {
  /** The Astro client (normally the resilient one, so retries, rate limit and breaker apply). */
  astro: Pick<AstroClient, 'listWorkspaces' | 'listDeployments'>;
  /** Where names are kept, per installation, organization, kind and ID. */
  cache: BestEffortCache;
  /** How long a found name is cached, in ms. Default 3 600 000 (1 h): names change rarely. */
  ttlMs?: number;
  /** How long an ID Astro did not return (deleted or hidden) is remembered as unresolved, in ms. Default 300 000 (5 min). */
  unresolvedTtlMs?: number;
  /** Longest request URL sent, in characters; longer ID lists are split into several calls. Default 6000. */
  maxUrlLength?: number;
  /** Clock, in ms since the epoch (tests). Cached entries carry their own expiry read with it. */
  now?: () => number;
  /** Told of every failed name call (for logs and metrics). Must not throw; exceptions are ignored. */
  onError?: (err: unknown, kind: NameKind) => void;
  /**
   * Names already known without asking Astro (the organization catalog, kept warm in the
   * background): consulted first, so a card whose IDs are all in it needs no name request. Must
   * not throw; undefined when nothing is known.
   */
  known?: (installationKey: string, target: AstroTarget) => Promise<CatalogNames | undefined>;
}

/** Which kind of name. */
export type NameKind = 'workspace' | 'deployment';

/** Resolves IDs to names. */
export interface NameResolver {
  /**
   * Resolves Workspace and Deployment IDs to names for one installation's organization: cached
   * names first, then one ListWorkspaces call with every missing Workspace ID and one
   * ListDeployments call with every missing Deployment ID, in parallel (split only to keep each
   * URL under `maxUrlLength`, paged only when Astro answers fewer than `totalCount`). Found names
   * are cached for `ttlMs`, IDs Astro did not return for `unresolvedTtlMs`; IDs of a failed call
   * are not cached.
   *
   * A Workspace that ListWorkspaces did not name but a Deployment's `workspaceName` did is named
   * from the Deployment.
   *
   * @param installationKey The Slack installation (as `installationKey()` of settings.ts makes it).
   * @param target The Astro API base, token and organization to ask.
   * @param ids The IDs to resolve.
   * @param signal Aborts the Astro calls (e.g. the lookup's deadline); what is known by then is returned.
   * @returns Never rejects: a failing call yields `undefined` names and `failed: true`.
   */
  resolve(installationKey: string, target: AstroTarget, ids: NameRequest, signal?: AbortSignal): Promise<ResolvedNames>;
}

/** A plain Astro ID, safe in a URL (same alphabet as the client's path segments). */
const PLAIN_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Most pages read for one chunk of IDs (a guard against an API that keeps answering pages). */
const MAX_PAGES_PER_CHUNK = 20;

/**
 * The cache key of one name: installation, organization, kind and ID, each URI-encoded (like
 * `userCacheKey`), so two Slack workspaces or two organizations never read each other's names.
 * @param installation The installation key.
 * @param target Its organization is part of the key.
 * @param kind `workspace` or `deployment`.
 * @param id The Workspace or Deployment ID.
 */
export function nameCacheKey(installation: string, target: Pick<AstroTarget, 'organizationId'>, kind: NameKind, id: string): string {
  return ['name', 'v1', installation, target.organizationId, kind, id].map(encodeURIComponent).join(':');
}

export { astroDeploymentUrl } from '../core/ids.js';

const expiresAt = z.number();
const WorkspaceEntrySchema = z.union([
  z.object({ unresolved: z.literal(true), expiresAt }),
  z.object({ name: z.string().min(1), expiresAt }),
]);
const DeploymentEntrySchema = z.union([
  z.object({ unresolved: z.literal(true), expiresAt }),
  z.object({ name: z.string().min(1), workspaceId: z.string().min(1), workspaceName: z.string().min(1).optional(), expiresAt }),
]);

/** A cache read: the value, `null` for a remembered "unresolved", or `undefined` on a miss. */
type CacheRead<T> = T | null | undefined;

/**
 * Splits `ids` into chunks whose request URL stays within `maxUrlLength` (and at most
 * {@link MAX_PAGE_LIMIT} IDs each). `fixedLength` is the URL length without any ID parameter.
 */
function chunkIds(ids: string[], param: string, fixedLength: number, maxUrlLength: number): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let length = fixedLength;
  for (const id of ids) {
    const cost = param.length + 2 + encodeURIComponent(id).length; // "param=id&"
    if (current.length > 0 && (length + cost > maxUrlLength || current.length >= MAX_PAGE_LIMIT)) {
      chunks.push(current);
      current = [];
      length = fixedLength;
    }
    current.push(id);
    length += cost;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Creates a {@link NameResolver}. @throws {RangeError} for a TTL that is not a positive number of ms. */
export function createNameResolver(options: NameResolverOptions): NameResolver {
  const { astro, cache } = options;
  const ttlMs = options.ttlMs ?? 60 * 60 * 1000;
  const unresolvedTtlMs = options.unresolvedTtlMs ?? 5 * 60 * 1000;
  const maxUrlLength = options.maxUrlLength ?? 6000;
  const now = options.now ?? Date.now;
  for (const [name, v] of [['ttlMs', ttlMs], ['unresolvedTtlMs', unresolvedTtlMs]] as const) {
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be a positive number of ms, got ${v}`);
  }

  const reportError = (err: unknown, kind: NameKind) => {
    try {
      options.onError?.(err, kind);
    } catch {
      // a failing hook must not fail name resolution
    }
  };

  /** A cached workspace name, `null` for a remembered "unresolved", undefined on a miss (or an expired or unreadable entry). */
  async function readWorkspace(key: string): Promise<CacheRead<WorkspaceName>> {
    const parsed = WorkspaceEntrySchema.safeParse(await cache.get(key));
    if (!parsed.success || parsed.data.expiresAt <= now()) return undefined;
    return 'unresolved' in parsed.data ? null : { name: parsed.data.name };
  }

  /** A cached deployment name; as {@link readWorkspace}. */
  async function readDeployment(key: string): Promise<CacheRead<DeploymentName>> {
    const parsed = DeploymentEntrySchema.safeParse(await cache.get(key));
    if (!parsed.success || parsed.data.expiresAt <= now()) return undefined;
    if ('unresolved' in parsed.data) return null;
    const { name, workspaceId, workspaceName } = parsed.data;
    return { name, workspaceId, ...(workspaceName ? { workspaceName } : {}) };
  }

  /**
   * Fetches the given IDs with one call per URL-sized chunk (chunks in parallel), paging a chunk
   * while Astro has more than it sent. Resolves to the items found, and to `failed` IDs of chunks
   * whose call failed.
   */
  async function fetchAll<T extends { id: string }>(
    target: AstroTarget,
    kind: NameKind,
    ids: string[],
    list: (chunk: string[], offset: number, limit: number) => Promise<ListPage & { items: T[] }>,
  ): Promise<{ found: Map<string, T>; failed: Set<string> }> {
    const param = kind === 'workspace' ? 'workspaceIds' : 'deploymentIds';
    const path = `/organizations/${encodeURIComponent(target.organizationId)}/${kind}s?`;
    const fixed = target.apiUrl.length + path.length + '&offset=&limit='.length + 2 * String(Number.MAX_SAFE_INTEGER).length;
    const found = new Map<string, T>();
    const failed = new Set<string>();
    await Promise.all(
      chunkIds(ids, param, fixed, maxUrlLength).map(async (chunk) => {
        const limit = Math.min(MAX_PAGE_LIMIT, chunk.length);
        try {
          let offset = 0;
          for (let pages = 0; pages < MAX_PAGES_PER_CHUNK; pages++) {
            const page = await list(chunk, offset, limit);
            for (const item of page.items) found.set(item.id, item);
            const read = page.items.length + page.unreadable;
            offset += read;
            if (read === 0 || offset >= page.totalCount) break;
          }
        } catch (err) {
          reportError(err, kind);
          for (const id of chunk) failed.add(id);
        }
      }),
    );
    return { found, failed };
  }

  return {
    async resolve(installation, target, ids, signal) {
      const workspaceIds = [...new Set(ids.workspaceIds)];
      const deploymentIds = [...new Set(ids.deploymentIds)];
      const workspaces = new Map<string, WorkspaceName | undefined>(workspaceIds.map((id) => [id, undefined]));
      const deployments = new Map<string, DeploymentName | undefined>(deploymentIds.map((id) => [id, undefined]));
      const key = (kind: NameKind, id: string) => nameCacheKey(installation, target, kind, id);

      // 0. Names the organization catalog already holds.
      const catalog = options.known ? await options.known(installation, target).catch(() => undefined) : undefined;
      if (catalog) {
        for (const id of workspaceIds) {
          const name = catalog.workspaces.get(id);
          if (name) workspaces.set(id, { name });
        }
        for (const id of deploymentIds) {
          const d = catalog.deployments.get(id);
          if (d) deployments.set(id, { name: d.name, workspaceId: d.workspaceId, ...(d.workspaceName ? { workspaceName: d.workspaceName } : {}) });
        }
        if ([...workspaces.values()].every(Boolean) && [...deployments.values()].every(Boolean)) return { workspaces, deployments, failed: false };
      }
      const wantedWs = workspaceIds.filter((id) => !workspaces.get(id));
      const wantedDep = deploymentIds.filter((id) => !deployments.get(id));

      // 1. Cached names and remembered "unresolved" markers.
      const [wsCached, depCached] = await Promise.all([
        // An ID that is not a plain ID is never sent: it reads as "unresolved" (null).
        Promise.all(wantedWs.map((id) => (PLAIN_ID.test(id) ? readWorkspace(key('workspace', id)) : null))),
        Promise.all(wantedDep.map((id) => (PLAIN_ID.test(id) ? readDeployment(key('deployment', id)) : null))),
      ]);
      const missingWs: string[] = [];
      const missingDep: string[] = [];
      wantedWs.forEach((id, i) => {
        const hit = wsCached[i];
        if (hit === undefined) missingWs.push(id);
        else if (hit) workspaces.set(id, hit);
      });
      wantedDep.forEach((id, i) => {
        const hit = depCached[i];
        if (hit === undefined) missingDep.push(id);
        else if (hit) deployments.set(id, hit);
      });

      // 2. One ListWorkspaces and one ListDeployments for what is missing, in parallel.
      const call = signal ? { signal } : {};
      const [wsFetched, depFetched] = await Promise.all([
        fetchAll<AstroWorkspaceSummary>(target, 'workspace', missingWs, async (chunk, offset, limit) => {
          const page = await astro.listWorkspaces(target, { workspaceIds: chunk, offset, limit }, call);
          return { ...page, items: page.workspaces };
        }),
        fetchAll<AstroDeploymentSummary>(target, 'deployment', missingDep, async (chunk, offset, limit) => {
          const page = await astro.listDeployments(target, { deploymentIds: chunk, offset, limit }, call);
          return { ...page, items: page.deployments };
        }),
      ]);

      // 3. Remember what was found, and briefly what Astro did not return (best effort, not awaited).
      for (const id of missingWs) {
        const w = wsFetched.found.get(id);
        if (w) {
          workspaces.set(id, { name: w.name });
          void cache.set(key('workspace', id), { name: w.name, expiresAt: now() + ttlMs }, ttlMs);
        } else if (!wsFetched.failed.has(id)) {
          void cache.set(key('workspace', id), { unresolved: true, expiresAt: now() + unresolvedTtlMs }, unresolvedTtlMs);
        }
      }
      for (const id of missingDep) {
        const d = depFetched.found.get(id);
        if (d) {
          const value: DeploymentName = { name: d.name, workspaceId: d.workspaceId, ...(d.workspaceName ? { workspaceName: d.workspaceName } : {}) };
          deployments.set(id, value);
          void cache.set(key('deployment', id), { ...value, expiresAt: now() + ttlMs }, ttlMs);
        } else if (!depFetched.failed.has(id)) {
          void cache.set(key('deployment', id), { unresolved: true, expiresAt: now() + unresolvedTtlMs }, unresolvedTtlMs);
        }
      }
      // 4. A Workspace left unnamed may be named by one of its Deployments.
      for (const d of deployments.values()) {
        if (d?.workspaceName && workspaces.has(d.workspaceId) && workspaces.get(d.workspaceId) === undefined) {
          workspaces.set(d.workspaceId, { name: d.workspaceName });
        }
      }

      return { workspaces, deployments, failed: wsFetched.failed.size > 0 || depFetched.failed.size > 0 };
    },
  };
}
