/**
 * The organization's roles and the words for their permissions, read-through a best-effort cache
 * per installation and organization, with concurrent misses sharing one load (single flight).
 * Knows nothing of Block Kit.
 *
 * Sources: Astro API v1 (https://api.astronomer.io/spec/v1) operations `ListRoles`
 * (`GET /organizations/{organizationId}/roles?includeDefaultRoles=true&scopeTypes=…`, custom roles
 * paged, the built-in `defaultRoles` with their permissions), `GetCustomRole`
 * (`GET /organizations/{organizationId}/roles/{roleId}`, a custom role's permissions) and
 * `ListPermissionGroups` (`GET /authorization/permission-groups?scopeType=…`: "currently, the only
 * available permissions are in the `DEPLOYMENT` and `DAG` scopes"). `ListRoles` and `GetCustomRole`
 * need `organization.customRoles.get`; a token without it is answered 403, which this module
 * reports as `denied` (and remembers briefly) so the caller can fall back to documented text.
 */
import { z } from 'zod';
import { MAX_PAGE_LIMIT, type AstroClient, type AstroTarget } from '../astro/client.js';
import { AstroApiError } from '../astro/errors.js';
import { deadlineSignal } from '../astro/policy.js';
import type { AstroCustomRole, AstroDefaultRole, AstroPermissionGroup, AstroRoleWithPermissions } from '../astro/org-schemas.js';
import type { Logger } from '../logger.js';
import type { BestEffortCache } from '../store/best-effort-cache.js';
import { installationKey, type InstallationRef, type SettingsResolver } from './settings.js';

/** The scope types asked of `ListRoles` (every scope a role can have). */
export const ROLE_SCOPE_TYPES = ['ORGANIZATION', 'WORKSPACE', 'DEPLOYMENT', 'DAG'] as const;
/** The scope types asked of `ListPermissionGroups` (the only ones with permissions, per the spec). */
export const PERMISSION_SCOPE_TYPES = ['DEPLOYMENT', 'DAG'] as const;

/** Most `ListRoles` pages read (a guard against an API that keeps answering pages). */
const MAX_ROLE_PAGES = 20;

/**
 * Why a part is not available: `denied` (403: the token lacks the permission), `failed` (any other
 * error or timeout; not remembered), `not_configured` (the installation has no Astro connection).
 */
export type Unavailable = { unavailable: 'denied' | 'failed' | 'not_configured' };

/** A part of the catalog, or why not. */
export type CatalogPart<T> = { value: T } | Unavailable;

/** The organization's roles: every built-in role with its permissions, and every custom role (without). */
export interface RoleList {
  defaultRoles: AstroDefaultRole[];
  customRoles: AstroCustomRole[];
  /** False when paging stopped early or entries did not parse (a custom role may be missing). */
  complete: boolean;
}

/** Options of {@link createRoleCatalog}. */
export interface RoleCatalogOptions {
  /** The Astro client (normally the resilient one). */
  astro: Pick<AstroClient, 'listRoles' | 'getCustomRole' | 'listPermissionGroups'>;
  settings: SettingsResolver;
  cache: BestEffortCache;
  /** How long what Astro answered is cached, in ms. */
  ttlMs: number;
  /** How long a 403 is remembered, in ms (the token's role may be changed). Default 300 000 (5 min), at most `ttlMs`. */
  deniedTtlMs?: number;
  /** Time allowed for one part (all its pages and retries), in ms. Default 8000. */
  deadlineMs?: number;
  log?: Logger;
}

/** The catalog. Every method resolves (never rejects): a failure is an {@link Unavailable}. */
export interface RoleCatalog {
  /** Built-in and custom roles (`ListRoles`, all pages). */
  roles(installation: InstallationRef): Promise<CatalogPart<RoleList>>;
  /** One custom role with its permissions (`GetCustomRole`), by ID. */
  customRole(installation: InstallationRef, roleId: string): Promise<CatalogPart<AstroRoleWithPermissions>>;
  /** Words for each Deployment and Dag permission (`ListPermissionGroups` for both scopes); `denied` or `failed` when either call was. */
  permissionWords(installation: InstallationRef): Promise<CatalogPart<AstroPermissionGroup[]>>;
}

/**
 * The cache key of a catalog part: installation, organization, part (each URI-encoded, like
 * `userCacheKey`), so two Slack workspaces or two organizations never read each other's entries,
 * and a workspace's entries are cleared with the rest of its cache.
 */
export function roleCacheKey(installation: string, target: Pick<AstroTarget, 'organizationId'>, ...part: string[]): string {
  return ['roles', 'v1', installation, target.organizationId, ...part].map(encodeURIComponent).join(':');
}

const text = z.string();
const DeniedSchema = z.object({ denied: z.literal(true) });
const DefaultRoleSchema = z.object({ name: text.min(1), scopeType: text, description: text.optional(), permissions: z.array(text) });
const CustomRoleSchema = z.object({ id: text.min(1), name: text.min(1), scopeType: text, description: text.optional(), restrictedWorkspaceIds: z.array(text) });
const RoleListSchema = z.object({ value: z.object({ defaultRoles: z.array(DefaultRoleSchema), customRoles: z.array(CustomRoleSchema), complete: z.boolean() }) });
const RoleWithPermissionsSchema = z.object({ value: CustomRoleSchema.extend({ permissions: z.array(text) }) });
const GroupsSchema = z.object({
  value: z.array(z.object({ name: text, description: text, scope: text, permissions: z.array(z.object({ action: text, description: text })) })),
});

/** Creates the {@link RoleCatalog}. @throws {RangeError} for a TTL that is not a positive number of ms. */
export function createRoleCatalog(options: RoleCatalogOptions): RoleCatalog {
  const { astro, cache, ttlMs } = options;
  const deniedTtlMs = Math.min(options.deniedTtlMs ?? 5 * 60 * 1000, ttlMs);
  const deadlineMs = options.deadlineMs ?? 8000;
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`ttlMs must be a positive number of ms, got ${ttlMs}`);
  const inFlight = new Map<string, Promise<CatalogPart<unknown>>>();

  /**
   * The part at `key`: cached, else loaded once however many ask at the same time, then cached
   * (a 403 for {@link deniedTtlMs}; other failures not at all).
   */
  async function part<T>(
    installation: InstallationRef,
    name: string[],
    schema: z.ZodType<{ value: T }>,
    load: (target: AstroTarget, signal: AbortSignal) => Promise<T>,
  ): Promise<CatalogPart<T>> {
    let target: AstroTarget | undefined;
    try {
      target = await options.settings.resolve(installation);
    } catch (err) {
      options.log?.warn({ err }, 'could not read the Astro connection for the role catalog');
      return { unavailable: 'failed' };
    }
    if (!target) return { unavailable: 'not_configured' };
    const key = roleCacheKey(installationKey(installation), target, ...name);
    const cached = await cache.get(key);
    const hit = schema.safeParse(cached);
    if (hit.success) return { value: hit.data.value };
    if (DeniedSchema.safeParse(cached).success) return { unavailable: 'denied' };

    let pending = inFlight.get(key) as Promise<CatalogPart<T>> | undefined;
    if (!pending) {
      const t = target;
      const started = (async (): Promise<CatalogPart<T>> => {
        try {
          // The load is shared by every caller: it has its own deadline, no caller's signal.
          const value = await load(t, deadlineSignal(deadlineMs));
          void cache.set(key, { value }, ttlMs);
          return { value };
        } catch (err) {
          if (err instanceof AstroApiError && err.kind === 'forbidden') {
            void cache.set(key, { denied: true }, deniedTtlMs);
            return { unavailable: 'denied' };
          }
          options.log?.warn({ err, part: name[0], kind: err instanceof AstroApiError ? err.kind : undefined }, 'could not read the role catalog from Astro');
          return { unavailable: 'failed' };
        }
      })().finally(() => {
        if (inFlight.get(key) === started) inFlight.delete(key);
      });
      inFlight.set(key, started);
      pending = started;
    }
    return pending;
  }

  return {
    roles(installation) {
      return part(
        installation,
        ['list'],
        RoleListSchema,
        async (target, s) => {
          const defaultRoles: AstroDefaultRole[] = [];
          const customRoles: AstroCustomRole[] = [];
          let complete = true;
          let offset = 0;
          for (let page = 0; ; page++) {
            if (page === MAX_ROLE_PAGES) {
              complete = false;
              break;
            }
            // The built-in roles come whole with the first page.
            const answer = await astro.listRoles(target, { includeDefaultRoles: page === 0, scopeTypes: [...ROLE_SCOPE_TYPES], offset, limit: MAX_PAGE_LIMIT }, { signal: s });
            if (page === 0) defaultRoles.push(...answer.defaultRoles);
            customRoles.push(...answer.roles);
            if (answer.unreadable > 0) complete = false;
            const read = answer.roles.length + answer.unreadable;
            offset += read;
            if (read === 0 || offset >= answer.totalCount) break;
          }
          return { defaultRoles, customRoles, complete };
        },
      );
    },

    customRole(installation, roleId) {
      return part(installation, ['custom', roleId], RoleWithPermissionsSchema, async (target, s) => astro.getCustomRole(target, roleId, { signal: s }));
    },

    permissionWords(installation) {
      return part(
        installation,
        ['words'],
        GroupsSchema,
        async (target, s) => {
          const groups = await Promise.all(PERMISSION_SCOPE_TYPES.map((scope) => astro.listPermissionGroups(target, scope, { signal: s })));
          return groups.flat();
        },
      );
    },
  };
}
