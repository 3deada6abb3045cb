/**
 * Who can access a Deployment or Workspace: finds the subject (by ID, name or Astro UI link, in the
 * organization catalog), reads its users (`ListUsers` filtered by Deployment and by Workspace,
 * merged: Astro does not document whether a filtered list includes people who reach it only through
 * a Team, so Team members are read and merged too), the Organization Owners, Teams and API tokens
 * from the catalog, and applies the rules of `core/access.ts`. Answers are kept in this process for
 * the cache TTL; concurrent asks for one subject share one read.
 */
import { LRUCache } from 'lru-cache';
import type { AstroClient, AstroTarget } from '../astro/client.js';
import { deadlineSignal } from '../astro/policy.js';
import type { AstroDeployment, AstroTeamMember, AstroWorkspace } from '../astro/org-schemas.js';
import type { AstroUser } from '../astro/schemas.js';
import { computeAccess, grantsOn, type AccessList, type AccessSubject, type TeamInput } from '../core/access.js';
import { parseAstroLink } from '../core/astro-links.js';
import type { InstallationRef } from '../core/installation.js';
import { installationKey } from '../core/installation.js';
import { isAstroId } from '../core/ids.js';
import type { AccessTarget } from '../core/query.js';
import { readAllPages, type Catalog, type CatalogPart, type OrgCatalog } from './catalog.js';
import { NotConfiguredError } from './lookup.js';
import type { SettingsResolver } from './settings.js';

/** A Deployment or Workspace as the answer shows it. */
export type SubjectInfo =
  | { kind: 'deployment'; id: string; name: string; workspaceId: string; workspaceName?: string; status?: string }
  | { kind: 'workspace'; id: string; name: string; deployments: number };

/** What a target named. */
export type FoundSubject =
  | { kind: 'found'; subject: SubjectInfo }
  /** Several Deployments or Workspaces have this name (e.g. the same name in two Workspaces). */
  | { kind: 'choose'; candidates: SubjectInfo[]; text: string }
  /** Nothing of that name or ID; `suggestions` are close names. */
  | { kind: 'not_found'; text: string; suggestions: SubjectInfo[] }
  /** A link to another host or page: nothing was asked of Astro. */
  | { kind: 'other_host'; host: string }
  | { kind: 'other_page' };

/** Someone reached only through a Team, whose member list Astro cut: how many are not shown. */
export interface AccessResult {
  subject: SubjectInfo;
  list: AccessList;
  /** Names of the organization's Workspaces and Deployments, for the reasons' "on …". */
  names: { workspaces: Record<string, string>; deployments: Record<string, string> };
  /** Parts the token may not read (their holders are not shown). */
  missing: CatalogPart[];
  /** Team members not read: beyond the per-Team limit (`members`), and Teams whose member list failed (their names). */
  unread: { members: number; teams: string[] };
  /** When Astro answered, ms since the epoch. */
  fetchedAt: number;
  fromCache: boolean;
}

/** Options of {@link createAccessLookup}. */
export interface AccessLookupOptions {
  astro: Pick<AstroClient, 'listUsers'>;
  catalog: Catalog;
  settings: SettingsResolver;
  /**
   * How long an answer is kept in this process, in ms. Answers are not written to the store: what
   * instances share is the catalog (validated when read back); an answer is a few reads on top.
   */
  cacheTtlMs: number;
  /** The Astro UI base (`ASTRO_UI_URL`), against which links are read. */
  astroUiUrl: string;
  /** Overall time of one answer, in ms. Default 9000 (the answer follows within Slack's 10 s... or the progress note says it is coming). */
  deadlineMs?: number;
  /** Most members read per Team. Default 5,000. */
  maxMembersPerTeam?: number;
  now?: () => number;
}

/** The access service. */
export interface AccessLookup {
  /** The Astro UI base links are read against (`ASTRO_UI_URL`). */
  readonly astroUiUrl: string;
  /**
   * What `target` names, from the catalog (read from Astro when none is kept; once more, fresh,
   * when an ID is not in a catalog older than a minute).
   * @throws {NotConfiguredError} when the installation has not connected Astro; {@link AstroApiError} when the catalog cannot be read.
   */
  find(installation: InstallationRef, target: AccessTarget): Promise<FoundSubject>;
  /**
   * Who can access `subject`, and why.
   * @throws {NotConfiguredError}; {@link AstroApiError} (`timeout` after `deadlineMs`).
   */
  access(installation: InstallationRef, subject: SubjectInfo, options?: { bypassCache?: boolean }): Promise<AccessResult>;
}

/** Most names compared by edit distance for close-name suggestions. */
const FUZZY_SCAN = 5000;
/** A Refresh joins another Refresh's read of the same answer started at most this long before, in ms. */
const JOIN_FRESH_MS = 1000;
/** Longest query compared by edit distance, in characters. */
const FUZZY_MAX_CHARS = 40;

/** Case- and accent-insensitive form of a name. */
function fold(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().trim();
}

/** Levenshtein distance, stopping early above `max` (names are at most a few dozen characters). */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]!);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

function deploymentInfo(d: AstroDeployment, workspaces: Map<string, AstroWorkspace>): SubjectInfo {
  const workspaceName = d.workspaceName ?? workspaces.get(d.workspaceId)?.name;
  return { kind: 'deployment', id: d.id, name: d.name, workspaceId: d.workspaceId, ...(workspaceName ? { workspaceName } : {}), ...(d.status ? { status: d.status } : {}) };
}

/**
 * A catalog's Deployments and Workspaces as subjects (Deployments first), with their folded names,
 * by ID (a Deployment before a Workspace of the same ID) and by folded name. Made once per catalog
 * object, as answers kept warm ask the same catalog again and again; the subjects are shared, so
 * callers must not change them.
 */
interface SubjectIndex {
  all: SubjectInfo[];
  folded: string[];
  byId: Map<string, SubjectInfo>;
  byName: Map<string, SubjectInfo[]>;
}

const subjectIndexes = new WeakMap<OrgCatalog, SubjectIndex>();

function subjectIndex(catalog: OrgCatalog): SubjectIndex {
  let index = subjectIndexes.get(catalog);
  if (index) return index;
  const workspaces = new Map(catalog.workspaces.map((w) => [w.id, w]));
  const perWorkspace = new Map<string, number>();
  for (const d of catalog.deployments) perWorkspace.set(d.workspaceId, (perWorkspace.get(d.workspaceId) ?? 0) + 1);
  const all: SubjectInfo[] = [
    ...catalog.deployments.map((d) => deploymentInfo(d, workspaces)),
    ...catalog.workspaces.map((w): SubjectInfo => ({ kind: 'workspace', id: w.id, name: w.name, deployments: perWorkspace.get(w.id) ?? 0 })),
  ];
  const folded = all.map((s) => fold(s.name));
  const byId = new Map<string, SubjectInfo>();
  const byName = new Map<string, SubjectInfo[]>();
  all.forEach((s, i) => {
    if (!byId.has(s.id)) byId.set(s.id, s);
    const same = byName.get(folded[i]!);
    if (same) same.push(s);
    else byName.set(folded[i]!, [s]);
  });
  index = { all, folded, byId, byName };
  subjectIndexes.set(catalog, index);
  return index;
}

/** The subjects of a catalog whose name is `text` (exactly, ignoring case and accents), else close ones. */
export function matchByName(catalog: OrgCatalog, text: string): { exact: SubjectInfo[]; close: SubjectInfo[] } {
  const q = fold(text);
  const { all, folded, byName } = subjectIndex(catalog);
  const exact = byName.get(q);
  if (exact) return { exact: [...exact], close: [] };
  const scored: { s: SubjectInfo; score: number }[] = [];
  const max = q.length <= 4 ? 1 : 2;
  // Close names are a hint: the edit distance is computed for the first FUZZY_SCAN names of
  // similar length only, so a hostile catalog of 50,000 long names cannot hold the event loop.
  let fuzzy = 0;
  for (const [i, s] of all.entries()) {
    const name = folded[i]!;
    if (name.includes(q) || q.includes(name)) scored.push({ s, score: 0 });
    else if (q.length <= FUZZY_MAX_CHARS && Math.abs(name.length - q.length) <= max && fuzzy++ < FUZZY_SCAN) {
      const d = distance(name, q, max);
      if (d <= max) scored.push({ s, score: d });
    }
  }
  scored.sort((a, b) => a.score - b.score || a.s.name.localeCompare(b.s.name));
  return { exact: [], close: scored.slice(0, 5).map((x) => x.s) };
}

/** Creates the {@link AccessLookup}. */
export function createAccessLookup(options: AccessLookupOptions): AccessLookup {
  const { astro, catalog, settings } = options;
  const now = options.now ?? Date.now;
  const deadlineMs = options.deadlineMs ?? 9000;
  const maxMembers = options.maxMembersPerTeam ?? 5000;
  const hot = new LRUCache<string, AccessResult>({ max: 500 });
  const inFlight = new Map<string, { promise: Promise<AccessResult>; fresh: boolean; startedAt: number }>();

  async function targetOf(installation: InstallationRef): Promise<AstroTarget> {
    const target = await settings.resolve(installation);
    if (!target) throw new NotConfiguredError();
    return target;
  }

  function subjectFrom(catalog: OrgCatalog, id: string): SubjectInfo | undefined {
    return subjectIndex(catalog).byId.get(id);
  }

  async function byId(key: string, target: AstroTarget, id: string, text: string): Promise<FoundSubject> {
    let cat = await catalog.get(key, target);
    let found = subjectFrom(cat, id);
    if (!found && now() - cat.fetchedAt > 60_000) {
      cat = await catalog.get(key, target, { fresh: true });
      found = subjectFrom(cat, id);
    }
    return found ? { kind: 'found', subject: found } : { kind: 'not_found', text, suggestions: [] };
  }

  async function read(installation: InstallationRef, subject: SubjectInfo, bypass: boolean): Promise<AccessResult> {
    const key = installationKey(installation);
    const target = await targetOf(installation);
    const signal = deadlineSignal(deadlineMs);
    const call = { signal, ...(bypass ? { fresh: true } : {}) };
    const sub: AccessSubject = subject.kind === 'deployment' ? { kind: 'deployment', deploymentId: subject.id, workspaceId: subject.workspaceId } : { kind: 'workspace', workspaceId: subject.id };
    const usersOf = (filter: { workspaceId: string } | { deploymentId: string }) =>
      readAllPages(async (offset, limit) => {
        const p = await astro.listUsers(target, { offset, limit, sorts: ['id:asc'], ...filter }, { signal });
        return { ...p, items: p.users };
      }, 50_000);
    const [cat, byWorkspace, byDeployment] = await Promise.all([
      catalog.get(key, target, call),
      usersOf({ workspaceId: sub.workspaceId }),
      sub.kind === 'deployment' ? usersOf({ deploymentId: sub.deploymentId }) : Promise.resolve({ items: [] as AstroUser[], truncated: false }),
    ]);
    // Members only of the Teams that reach the subject.
    const relevant = cat.teams.filter((t) => grantsOn(t, sub).length > 0);
    let unreadMembers = 0;
    const unreadTeams: string[] = [];
    const teams: TeamInput[] = await Promise.all(
      relevant.map(async (t) => {
        let members: AstroTeamMember[] = [];
        let total = 0;
        try {
          const read = await catalog.teamMembers(key, target, t.id, { ...call, maxMembers });
          members = read.members.slice(0, maxMembers);
          total = read.total;
        } catch (err) {
          if (signal.aborted) throw err;
          unreadTeams.push(t.name);
        }
        unreadMembers += Math.max(0, total - members.length);
        return { ...t, members, memberCount: total };
      }),
    );
    const list = computeAccess(sub, [...byDeployment.items, ...byWorkspace.items, ...cat.owners], teams, cat.tokens);
    const names = { workspaces: Object.fromEntries(cat.workspaces.map((w) => [w.id, w.name])), deployments: Object.fromEntries(cat.deployments.filter((d) => d.workspaceId === sub.workspaceId).map((d) => [d.id, d.name])) };
    const fresh = subjectFrom(cat, subject.id) ?? subject;
    return { subject: fresh, list, names, missing: cat.missing, unread: { members: unreadMembers, teams: unreadTeams }, fetchedAt: now(), fromCache: false };
  }

  return {
    astroUiUrl: options.astroUiUrl,
    async find(installation, accessTarget) {
      if (accessTarget.kind === 'link') {
        const link = parseAstroLink(accessTarget.url, options.astroUiUrl);
        if (link.kind === 'other_host' || link.kind === 'other_page') return link;
        const target = await targetOf(installation);
        const key = installationKey(installation);
        return byId(key, target, link.kind === 'deployment' ? link.deploymentId : link.workspaceId, accessTarget.url);
      }
      const target = await targetOf(installation);
      const key = installationKey(installation);
      if (accessTarget.kind === 'id' && isAstroId(accessTarget.id)) return byId(key, target, accessTarget.id, accessTarget.id);
      const text = accessTarget.kind === 'name' ? accessTarget.text : accessTarget.id;
      const cat = await catalog.get(key, target);
      const { exact, close } = matchByName(cat, text);
      if (exact.length === 1) return { kind: 'found', subject: exact[0]! };
      if (exact.length > 1) return { kind: 'choose', candidates: exact.slice(0, 10), text };
      return { kind: 'not_found', text, suggestions: close };
    },

    async access(installation, subject, opts = {}) {
      const target = await targetOf(installation);
      const cacheKey = ['access', 'v1', installationKey(installation), target.organizationId, subject.kind, subject.id].map(encodeURIComponent).join(':');
      if (!opts.bypassCache) {
        const inMemory = hot.get(cacheKey);
        if (inMemory && now() - inMemory.fetchedAt < options.cacheTtlMs) return { ...inMemory, fromCache: true };
      }
      // A question joins the read in progress; a Refresh joins only a Refresh's read that started
      // just now (a burst of clicks on one answer asks Astro once), else it reads afresh.
      const current = inFlight.get(cacheKey);
      if (current && (!opts.bypassCache || (current.fresh && now() - current.startedAt <= JOIN_FRESH_MS))) return current.promise;
      const fresh = opts.bypassCache === true;
      const mine = {
        fresh,
        startedAt: now(),
        promise: read(installation, subject, fresh).then((result) => {
          hot.set(cacheKey, result);
          return result;
        }),
      };
      inFlight.set(cacheKey, mine);
      void mine.promise.finally(() => inFlight.get(cacheKey) === mine && inFlight.delete(cacheKey)).catch(() => undefined);
      return mine.promise;
    },
  };
}
