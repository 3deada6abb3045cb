/**
 * App Home's data: the viewer's recent lookups, the admin panel for admins, and the card of the
 * latest lookup when it is still cached (opening Home never calls Astro).
 *
 * What the token cannot reach (and the Astro role that would enable it) is part of the admin panel
 * only: other people cannot change the token, and each answer already says what it leaves out.
 */
import type { Capabilities } from '../core/capabilities.js';
import type { ConnectionHealth } from '../lookup/workspace-settings.js';
import type { RecentLookup } from '../lookup/recent.js';
import type { FoundUser } from './lookup-users.js';
import type { Services } from './ports.js';
import type { AskContext } from './request.js';

/** The admin's view of the workspace's Astro connection. Times in ms since the epoch. */
export interface AdminPanel {
  /** The saved connection (no token), when there is one. */
  connection?: { organizationId: string; tokenHint: string; scope: string; expiresAt?: number; savedBy: string; savedAt: number };
  /** True when lookups use the operator's `ASTRO_*` token instead. */
  usingDefaults: boolean;
  health: ConnectionHealth;
  /** The connection could not be read (storage down, or the key changed). */
  unreadable?: boolean;
  /** What the token in use can reach, as last probed (absent when no token serves the workspace). */
  capabilities?: Capabilities;
  now: number;
}

/** What Home shows, apart from a notice of the moment. */
export interface HomeData {
  recent: RecentLookup[];
  /** Admins only. */
  admin?: AdminPanel;
  /** The card of the latest lookup, from the cache, when `withLatestCard` was asked and it is cached. */
  result?: FoundUser;
}

/**
 * Reads Home's data for the viewer (`ctx.asker`). Never throws: an unreadable store shows an empty
 * history and an admin panel marked unreadable.
 * @param withLatestCard also read the latest lookup's card from the cache (no Astro call).
 */
export async function homeData(services: Services, ctx: Pick<AskContext, 'workspace' | 'asker' | 'directory'>, withLatestCard: boolean): Promise<HomeData> {
  const { workspace } = ctx;
  const viewer = ctx.asker.slackUserId;
  const recent = viewer ? await services.recent.list(workspace.key, viewer).catch(() => []) : [];
  const data: HomeData = { recent };
  if (viewer && (await ctx.directory.isAdmin(viewer))) {
    const health = await services.settings.getHealth(workspace.key);
    try {
      const c = await services.settings.getConnection(workspace.key);
      data.admin = {
        health,
        usingDefaults: !c && services.usesDefaults(workspace.ref),
        now: Date.now(),
        ...(c
          ? {
              connection: {
                organizationId: c.organizationId,
                tokenHint: c.tokenHint,
                scope: c.scope,
                savedBy: c.savedBy,
                savedAt: c.savedAt,
                ...(c.expiresAt !== undefined ? { expiresAt: c.expiresAt } : {}),
              },
            }
          : {}),
      };
      if ((c || data.admin.usingDefaults) && services.capabilities) data.admin.capabilities = await services.capabilities(workspace.ref, { probeIfStale: false });
    } catch {
      data.admin = { health, usingDefaults: false, unreadable: true, now: Date.now() };
    }
  }
  const latest = recent[0];
  if (withLatestCard && latest) {
    const cached = await services.lookup.cachedUser({ installation: workspace.ref, userId: latest.userId }).catch(() => undefined);
    if (cached) {
      data.result = { userId: latest.userId, user: cached.user, fetchedAt: cached.fetchedAt, ...(cached.names ? { names: cached.names } : {}), ...(cached.teams ? { teams: cached.teams } : {}) };
    }
  }
  return data;
}
