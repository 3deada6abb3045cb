/**
 * The rules the admin report and the offboarding checklist apply. Pure; times in ms since the epoch.
 *
 * Roles and what they include follow Astronomer's documentation on user permissions
 * (https://www.astronomer.io/docs/astro/user-permissions): roles are hierarchical within a scope,
 * Organization Owners are Workspace Owners in every Workspace, Workspace Owners and Operators
 * manage every Deployment of their Workspace, and Deployment Admin holds every Deployment
 * permission (a custom Deployment role is a subset of them:
 * https://www.astronomer.io/docs/astro/customize-deployment-roles).
 */
import { ORGANIZATION_ROLES, WORKSPACE_ROLES, type RoleScope } from './roles.js';

/** One day, in ms. */
export const DAY_MS = 86_400_000;
/** API tokens expiring within this many days are reported. */
export const EXPIRY_WINDOW_DAYS = 30;
/** Tokens not used for at least this many days are reported as unused. */
export const UNUSED_DAYS = 90;
/** Invitations still pending after this many days are reported. */
export const PENDING_DAYS = 14;

/**
 * How soon a token expires: `expired` (already), `day` (within 1 day), `week` (within 7 days),
 * `month` (within {@link EXPIRY_WINDOW_DAYS} days).
 */
export type ExpiryMark = 'expired' | 'day' | 'week' | 'month';

/** Parses an ISO 8601 date, or undefined. */
export function timeOf(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
}

/** The {@link ExpiryMark} of a token ending at `endAt`, or undefined when it ends later (or never). */
export function expiryMark(endAt: number | undefined, now: number): ExpiryMark | undefined {
  if (endAt === undefined) return undefined;
  const left = endAt - now;
  if (left <= 0) return 'expired';
  if (left <= DAY_MS) return 'day';
  if (left <= 7 * DAY_MS) return 'week';
  if (left <= EXPIRY_WINDOW_DAYS * DAY_MS) return 'month';
  return undefined;
}

/**
 * True when a token has not been used for {@link UNUSED_DAYS} days: its last use is that old, or
 * it was never used and was created that long ago. A token never used but created recently is not
 * (yet) unused; one whose dates Astro did not send is not judged.
 */
export function isUnused(token: { lastUsedAt?: string; createdAt?: string }, now: number): boolean {
  const limit = now - UNUSED_DAYS * DAY_MS;
  const used = timeOf(token.lastUsedAt);
  if (used !== undefined) return used <= limit;
  const created = timeOf(token.createdAt);
  return created !== undefined && created <= limit;
}

/** True when an invitation created at `createdAt` is older than {@link PENDING_DAYS} days. */
export function isStaleInvite(createdAt: string | undefined, now: number): boolean {
  const t = timeOf(createdAt);
  return t !== undefined && now - t > PENDING_DAYS * DAY_MS;
}

/** Position in a most-powerful-first list, or -1. */
const rank = (list: readonly string[], role: string) => list.indexOf(role);

/**
 * True when `teamRole`, granted by a Team on some scope, already gives everything `directRole`
 * on the same scope does, so the direct role only repeats it:
 * - the same role, on any scope;
 * - Organization and Workspace: built-in roles, the Team's at least as high in the documented
 *   order (a direct Organization Member role is never redundant: every member of the organization
 *   holds an Organization role directly);
 * - Deployment: the Team grants Deployment Admin (every Deployment permission);
 * - DAG: the Team grants DAG Author where the direct role is DAG Viewer.
 */
export function covers(scope: RoleScope, teamRole: string, directRole: string): boolean {
  if (scope === 'ORGANIZATION') {
    if (directRole === 'ORGANIZATION_MEMBER') return false;
    const t = rank(ORGANIZATION_ROLES, teamRole);
    const d = rank(ORGANIZATION_ROLES, directRole);
    return teamRole === directRole || (t >= 0 && d >= 0 && t <= d);
  }
  if (teamRole === directRole) return true;
  if (scope === 'WORKSPACE') {
    const t = rank(WORKSPACE_ROLES, teamRole);
    const d = rank(WORKSPACE_ROLES, directRole);
    return t >= 0 && d >= 0 && t <= d;
  }
  if (scope === 'DEPLOYMENT') return teamRole === 'DEPLOYMENT_ADMIN';
  return teamRole === 'DAG_AUTHOR' && directRole === 'DAG_VIEWER';
}

/** Workspace roles that administer every Deployment of their Workspace. */
export const WORKSPACE_DEPLOYMENT_ADMINS: ReadonlySet<string> = new Set(['WORKSPACE_OWNER', 'WORKSPACE_OPERATOR']);

/** The Deployment role that administers a Deployment. */
export const DEPLOYMENT_ADMIN = 'DEPLOYMENT_ADMIN';

/** The Workspace role that owns a Workspace. */
export const WORKSPACE_OWNER = 'WORKSPACE_OWNER';

/** The Organization role that owns the organization (and, implicitly, every Workspace). */
export const ORGANIZATION_OWNER = 'ORGANIZATION_OWNER';
