/**
 * The admin report: what in the Astro organization needs an admin's attention, from one read of
 * its users, API tokens, Teams and catalog ({@link OrgDataSource}). {@link buildReport} returns
 * the findings as data (the scheduled report reuses it); {@link reportForAsker} is the on-demand
 * use case: admins only, one abuse-limit point, one audit line.
 *
 * Rules (times relative to `now`):
 * - API tokens: expiring within 30 days (marked within 7 days and within 1 day; already expired
 *   ones too), without an expiry, and unused for 90 days or more (last used that long ago, or
 *   never used and created that long ago). `ListApiTokens` needs `organization.apiTokens.access`;
 *   without it the section names the role that enables it.
 * - People whose status is BANNED or INACTIVE but who still hold roles: a Workspace, Deployment or
 *   DAG role, an Organization role above Member, or membership of a Team.
 * - Invitations pending for more than 14 days: users with status PENDING created that long ago
 *   (the v1 API lists no invitations).
 * - Workspaces without a Workspace Owner: no ACTIVE user holds WORKSPACE_OWNER there, directly or
 *   through a Team. Organization Owners are Workspace Owners everywhere
 *   (https://www.astronomer.io/docs/astro/user-permissions), so such a Workspace is still managed,
 *   but only by them: it is reported, and the report says how many Organization Owners there are.
 * - Direct roles that only repeat a Team's: see `covers` (src/core/access-rules.ts).
 */
import type { AstroApiToken, AstroDeployment, AstroWorkspace } from '../astro/org-schemas.js';
import type { AstroUser } from '../astro/schemas.js';
import { ORGANIZATION_OWNER, WORKSPACE_OWNER, covers, expiryMark, isStaleInvite, isUnused, timeOf, type ExpiryMark } from '../core/access-rules.js';
import { FEATURE_NEEDS, mayTry, type AstroFeature } from '../core/capabilities.js';
import { failureLabel, toFailure, type AstroErrorKind, type Failure } from '../core/outcomes.js';
import type { RoleScope } from '../core/roles.js';
import { ThrottledError } from '../lookup/throttle.js';
import type { OrgData, OrgPart, OrgSkippable, OrgTeam } from '../lookup/org-data.js';
import { isConnectionError } from '../lookup/workspace-settings.js';
import type { Services } from './ports.js';
import { askerBucket, auditLine, type AskContext, type Workspace } from './request.js';

/** Items of each kind kept in the report's data, most urgent first (the rest are counted). */
export const MAX_REPORT_ITEMS = 100;

/** Something the report names, with its name when the catalog knew it. */
export interface Named {
  id: string;
  name?: string;
}

/** Where a role applies. */
export type RoleTarget =
  | { kind: 'organization' }
  | { kind: 'workspace'; workspace: Named }
  | { kind: 'deployment'; deployment: Named; workspaceId?: string }
  | { kind: 'dag'; deployment: Named; workspaceId?: string; dagId?: string; dagTag?: string };

/** One role held on one scope. */
export interface RoleGrant {
  scope: RoleScope;
  /** As Astro names it: `WORKSPACE_OWNER`, or a custom role's name. */
  role: string;
  target: RoleTarget;
}

/** An API token worth a look. Times in ms since the epoch. */
export interface TokenFinding {
  id: string;
  name: string;
  /** `ORGANIZATION`, `WORKSPACE`, `DEPLOYMENT`, or a newer value. */
  scope: string;
  /** The Workspace of a Workspace token. */
  workspace?: Named;
  /** The Deployment of a Deployment token, with its Workspace when known. */
  deployment?: Named & { workspaceId?: string };
  endAt?: number;
  lastUsedAt?: number;
  createdAt?: number;
  /** How soon it expires (expiring tokens only). */
  mark?: ExpiryMark;
  /** Who created it, in words (a person: private surfaces only). */
  createdBy?: string;
}

/** A BANNED or INACTIVE user who still holds roles. */
export interface PersonFinding {
  userId: string;
  fullName: string;
  username: string;
  status: string;
  /** Their direct roles (the first 20). */
  roles: RoleGrant[];
  /** How many direct roles in all (an Organization role above Member counts). */
  roleCount: number;
  /** Names of the Teams they are in (the first 10), and how many in all. */
  teams: string[];
  teamCount: number;
}

/** An invitation pending for more than 14 days. */
export interface InviteFinding {
  userId: string;
  username: string;
  fullName: string;
  /** When the user was created (invited), ms since the epoch. */
  invitedAt: number;
}

/** A Workspace no one owns but the Organization Owners. */
export interface WorkspaceFinding extends Named {
  /** Deployments in it, when the catalog was read. */
  deployments?: number;
}

/** A direct role a Team the user is in already grants (or exceeds). */
export interface RedundantFinding {
  userId: string;
  fullName: string;
  username: string;
  grant: RoleGrant;
  team: Named;
  /** The role the Team grants on the same scope. */
  teamRole: string;
}

/** One kind of finding: how many in all, and the first {@link MAX_REPORT_ITEMS}. */
export interface Finding<T> {
  total: number;
  items: T[];
}

/** A list the report could not read, and why; `role` says which Astro role would enable it. */
export interface ReportGap {
  source: OrgSkippable;
  kind: AstroErrorKind;
  /** The Astro role that enables the list (for `forbidden`). */
  role: string;
  /** The permission behind it (Astro API spec `x-permission`). */
  permission: string;
  requestId?: string;
}

/** The report's findings. Times in ms since the epoch. */
export interface ReportData {
  organizationId: string;
  /** When Astro's data was read. */
  asOf: number;
  /** The time the rules were applied at. */
  now: number;
  /** How much was read. */
  size: { users: number; usersTotal: number; tokens?: number; teams?: number; workspaces?: number; deployments?: number };
  /** True when the organization has more users than were read. */
  usersTruncated: boolean;
  /** Lists that could not be read. */
  gaps: ReportGap[];
  /** Teams whose members could not all be read (owners and roles through them may be missed). */
  teamsIncomplete: number;
  /** Absent when the API tokens could not be read (see `gaps`). */
  tokens?: {
    /** With how many of all expiring tokens carry each mark. */
    expiring: Finding<TokenFinding> & { marks: Record<ExpiryMark, number> };
    noExpiry: Finding<TokenFinding>;
    unused: Finding<TokenFinding>;
  };
  inactiveWithRoles: Finding<PersonFinding>;
  staleInvites: Finding<InviteFinding>;
  /** Workspaces without an explicit Workspace Owner; `organizationOwners` counts ACTIVE Organization Owners (who manage them anyway). */
  withoutOwner: Finding<WorkspaceFinding> & { organizationOwners: number };
  /** Absent when the Teams could not be read (see `gaps`). */
  redundantRoles?: Finding<RedundantFinding>;
}

/** How many things in a report need an admin's attention (0: all clear): the sum of every finding's total. */
export function attentionOf(data: ReportData): number {
  const t = data.tokens;
  return (t ? t.expiring.total + t.noExpiry.total + t.unused.total : 0) + data.inactiveWithRoles.total + data.staleInvites.total + data.withoutOwner.total + (data.redundantRoles?.total ?? 0);
}

/** Options of {@link buildReport}. */
export interface BuildReportOptions {
  /** The time the rules apply at, in ms since the epoch. Default: now. */
  now?: number;
  /** Read Astro again even when the organization's data is kept and fresh. */
  fresh?: boolean;
}

/** The feature behind each list the report may miss. */
const FEATURE_OF: Record<OrgSkippable, AstroFeature> = { tokens: 'tokens', teams: 'teams', catalog: 'catalog' };

/** Keeps the first {@link MAX_REPORT_ITEMS} of `all` in `order`. */
function finding<T>(all: T[], order: (a: T, b: T) => number): Finding<T> {
  return { total: all.length, items: [...all].sort(order).slice(0, MAX_REPORT_ITEMS) };
}

/** Compares by a number (missing last), then by a string. */
const byNumber = <T>(num: (x: T) => number | undefined, str: (x: T) => string) => (a: T, b: T) =>
  (num(a) ?? Infinity) - (num(b) ?? Infinity) || str(a).localeCompare(str(b));

/**
 * The organization's data indexed for the rules: users, Workspaces and Deployments by ID, and the
 * Teams each user is in (shared with the offboarding checklist).
 */
export class OrgIndex {
  readonly users = new Map<string, AstroUser>();
  readonly workspaces = new Map<string, AstroWorkspace>();
  readonly deployments = new Map<string, AstroDeployment>();
  readonly teamsOf = new Map<string, OrgTeam[]>();
  readonly teams: OrgTeam[];

  constructor(readonly data: OrgData) {
    for (const u of data.users) this.users.set(u.id, u);
    if (data.workspaces.ok) for (const w of data.workspaces.items) this.workspaces.set(w.id, w);
    if (data.deployments.ok) for (const d of data.deployments.items) this.deployments.set(d.id, d);
    this.teams = data.teams.ok ? data.teams.items : [];
    for (const t of this.teams) for (const m of t.members) this.teamsOf.set(m.userId, [...(this.teamsOf.get(m.userId) ?? []), t]);
  }

  /**
   * True for an ACTIVE user. A Team member missing from the users read counts as active only when
   * not every user was read (then they may be one of the others).
   */
  isActive(userId: string): boolean {
    const u = this.users.get(userId);
    return u ? u.status === 'ACTIVE' : this.data.usersTruncated;
  }

  /** A Workspace by ID, with its name when the catalog knew it. */
  workspace(id: string): Named {
    const name = this.workspaces.get(id)?.name;
    return name ? { id, name } : { id };
  }

  /** A Deployment by ID, with its name and Workspace when the catalog knew them. */
  deployment(id: string): Named & { workspaceId?: string } {
    const d = this.deployments.get(id);
    return d ? { id, name: d.name, workspaceId: d.workspaceId } : { id };
  }

  /** Every direct role of `user` (Organization role above Member included), in scope order. */
  grantsOf(user: Pick<AstroUser, 'organizationRole' | 'workspaceRoles' | 'deploymentRoles' | 'dagRoles'>, withMember = false): RoleGrant[] {
    const out: RoleGrant[] = [];
    if (user.organizationRole && (withMember || user.organizationRole !== 'ORGANIZATION_MEMBER')) out.push({ scope: 'ORGANIZATION', role: user.organizationRole, target: { kind: 'organization' } });
    for (const r of user.workspaceRoles) out.push({ scope: 'WORKSPACE', role: r.role, target: { kind: 'workspace', workspace: this.workspace(r.workspaceId) } });
    for (const r of user.deploymentRoles) {
      const d = this.deployment(r.deploymentId);
      const { workspaceId, ...deployment } = d;
      out.push({ scope: 'DEPLOYMENT', role: r.role, target: { kind: 'deployment', deployment, ...(workspaceId ? { workspaceId } : {}) } });
    }
    for (const r of user.dagRoles) {
      const { workspaceId, ...deployment } = this.deployment(r.deploymentId);
      out.push({
        scope: 'DAG',
        role: r.role,
        target: { kind: 'dag', deployment, ...(workspaceId ? { workspaceId } : {}), ...(r.dagId ? { dagId: r.dagId } : {}), ...(r.dagTag ? { dagTag: r.dagTag } : {}) },
      });
    }
    return out;
  }
}

/** The gap of a list that could not be read, if it could not. */
function gapOf(source: OrgSkippable, part: OrgPart<unknown>): ReportGap | undefined {
  if (part.ok) return undefined;
  const need = FEATURE_NEEDS[FEATURE_OF[source]];
  return { source, kind: part.kind, role: need.role, permission: need.permission, ...(part.requestId ? { requestId: part.requestId } : {}) };
}

/** The lists of `data` that could not be read, with the role that would enable each. */
export function gapsOf(data: OrgData): ReportGap[] {
  return (['tokens', 'teams', 'catalog'] as const)
    .map((source) => gapOf(source, source === 'catalog' ? (data.workspaces.ok ? data.deployments : data.workspaces) : data[source]))
    .filter((g): g is ReportGap => g !== undefined);
}

/** The Workspace or Deployment an API token is scoped to, from its roles. */
function tokenTarget(token: AstroApiToken, dir: OrgIndex): Pick<TokenFinding, 'workspace' | 'deployment'> {
  if (token.scope === 'WORKSPACE') {
    const role = token.roles.find((r) => r.entityType === 'WORKSPACE');
    return role ? { workspace: dir.workspace(role.entityId) } : {};
  }
  if (token.scope === 'DEPLOYMENT') {
    const role = token.roles.find((r) => r.entityType === 'DEPLOYMENT');
    return role ? { deployment: dir.deployment(role.entityId) } : {};
  }
  return {};
}

/** Who created a token, in words: a person's name or username, or another token's name. */
export function creatorOf(token: AstroApiToken): string | undefined {
  const c = token.createdBy;
  return c ? c.fullName || c.username || (c.apiTokenName ? `API token ${c.apiTokenName}` : undefined) : undefined;
}

/** A token as the report shows it. */
export function tokenFinding(token: AstroApiToken, dir: OrgIndex, now: number): TokenFinding {
  const endAt = timeOf(token.endAt);
  const lastUsedAt = timeOf(token.lastUsedAt);
  const createdAt = timeOf(token.createdAt);
  const mark = expiryMark(endAt, now);
  const createdBy = creatorOf(token);
  return {
    id: token.id,
    name: token.name,
    scope: token.scope,
    ...tokenTarget(token, dir),
    ...(endAt !== undefined ? { endAt } : {}),
    ...(lastUsedAt !== undefined ? { lastUsedAt } : {}),
    ...(createdAt !== undefined ? { createdAt } : {}),
    ...(mark ? { mark } : {}),
    ...(createdBy ? { createdBy } : {}),
  };
}

/** Workspaces without an explicit owner, and how many ACTIVE Organization Owners there are. */
function ownership(dir: OrgIndex): ReportData['withoutOwner'] {
  const known = new Set<string>(dir.workspaces.keys());
  for (const u of dir.data.users) for (const r of u.workspaceRoles) known.add(r.workspaceId);
  for (const t of dir.teams) for (const r of t.workspaceRoles) known.add(r.workspaceId);
  for (const d of dir.deployments.values()) known.add(d.workspaceId);
  const owned = new Set<string>();
  let organizationOwners = 0;
  for (const u of dir.data.users) {
    if (u.status !== 'ACTIVE') continue;
    if (u.organizationRole === ORGANIZATION_OWNER) organizationOwners += 1;
    for (const r of u.workspaceRoles) if (r.role === WORKSPACE_OWNER) owned.add(r.workspaceId);
  }
  const orgOwnersViaTeams = new Set<string>();
  for (const t of dir.teams) {
    const active = t.members.filter((m) => dir.isActive(m.userId));
    if (active.length === 0) continue;
    for (const r of t.workspaceRoles) if (r.role === WORKSPACE_OWNER) owned.add(r.workspaceId);
    if (t.organizationRole === ORGANIZATION_OWNER) for (const m of active) if (dir.users.get(m.userId)?.organizationRole !== ORGANIZATION_OWNER) orgOwnersViaTeams.add(m.userId);
  }
  const perWorkspace = new Map<string, number>();
  for (const d of dir.deployments.values()) perWorkspace.set(d.workspaceId, (perWorkspace.get(d.workspaceId) ?? 0) + 1);
  const all: WorkspaceFinding[] = [...known]
    .filter((id) => !owned.has(id))
    .map((id) => ({ ...dir.workspace(id), ...(dir.data.deployments.ok ? { deployments: perWorkspace.get(id) ?? 0 } : {}) }));
  return { ...finding(all, (a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id)), organizationOwners: organizationOwners + orgOwnersViaTeams.size };
}

/** Whether two grants are on the same scope and target (a DAG by its ID or tag). */
function sameTarget(a: RoleTarget, b: RoleTarget): boolean {
  if (a.kind === 'organization' || b.kind === 'organization') return a.kind === b.kind;
  if (a.kind === 'workspace' || b.kind === 'workspace') return a.kind === 'workspace' && b.kind === 'workspace' && a.workspace.id === b.workspace.id;
  if (a.kind === 'deployment' || b.kind === 'deployment') return a.kind === 'deployment' && b.kind === 'deployment' && a.deployment.id === b.deployment.id;
  return a.deployment.id === b.deployment.id && a.dagId === b.dagId && a.dagTag === b.dagTag;
}

/** Direct roles a Team the user is in already grants (the first covering Team is named). */
function redundancy(dir: OrgIndex): RedundantFinding[] {
  const out: RedundantFinding[] = [];
  for (const user of dir.data.users) {
    const teams = dir.teamsOf.get(user.id);
    if (!teams) continue;
    const direct = dir.grantsOf(user);
    if (direct.length === 0) continue;
    const viaTeams = teams.map((team) => ({ team, grants: dir.grantsOf(team, true) }));
    for (const grant of direct) {
      for (const { team, grants } of viaTeams) {
        const match = grants.find((g) => g.scope === grant.scope && sameTarget(g.target, grant.target) && covers(grant.scope, g.role, grant.role));
        if (match) {
          out.push({ userId: user.id, fullName: user.fullName, username: user.username, grant, team: { id: team.id, ...(team.name ? { name: team.name } : {}) }, teamRole: match.role });
          break;
        }
      }
    }
  }
  return out;
}

/**
 * The report's findings for a workspace's Astro organization, from its organization data (kept
 * data when fresh). Lists the token's capabilities (when known) say it cannot read are not asked
 * for. Does not check who asks.
 * @throws {OutcomeError} `not_configured`; {@link AstroApiError} when the users cannot be listed.
 */
export async function buildReport(services: Services, workspace: Workspace, options: BuildReportOptions = {}): Promise<ReportData> {
  const capabilities = await services.capabilities?.(workspace.ref);
  const skip = capabilities ? { tokens: !mayTry(capabilities, 'tokens'), teams: !mayTry(capabilities, 'teams'), catalog: !mayTry(capabilities, 'catalog') } : {};
  const data = await services.orgData.load({ installation: workspace.ref, skip, ...(options.fresh ? { fresh: true } : {}) });
  return reportOf(data, options.now ?? Date.now());
}

/** Applies the report's rules to organization data at `now` (ms since the epoch). Pure. */
export function reportOf(data: OrgData, now: number): ReportData {
  const dir = new OrgIndex(data);
  const gaps = gapsOf(data);

  let tokens: ReportData['tokens'];
  if (data.tokens.ok) {
    const all = data.tokens.items.map((t) => tokenFinding(t, dir, now));
    const unused = data.tokens.items.flatMap((t, i) => (isUnused(t, now) ? [all[i]!] : []));
    const name = (t: TokenFinding) => t.name;
    const expiring = all.filter((t) => t.mark);
    const marks: Record<ExpiryMark, number> = { expired: 0, day: 0, week: 0, month: 0 };
    for (const t of expiring) marks[t.mark!] += 1;
    tokens = {
      expiring: {
        ...finding(
          expiring,
          byNumber((t) => t.endAt, name),
        ),
        marks,
      },
      noExpiry: finding(
        all.filter((t) => t.endAt === undefined),
        byNumber((t) => t.createdAt, name),
      ),
      unused: finding(
        unused,
        byNumber((t) => t.lastUsedAt ?? t.createdAt, name),
      ),
    };
  }

  const inactive: PersonFinding[] = [];
  const invites: InviteFinding[] = [];
  for (const u of data.users) {
    if (u.status === 'BANNED' || u.status === 'INACTIVE') {
      const roles = dir.grantsOf(u);
      const teams = dir.teamsOf.get(u.id) ?? [];
      if (roles.length > 0 || teams.length > 0) {
        inactive.push({ userId: u.id, fullName: u.fullName, username: u.username, status: u.status, roles: roles.slice(0, 20), roleCount: roles.length, teams: teams.slice(0, 10).map((t) => t.name || t.id), teamCount: teams.length });
      }
    } else if (u.status === 'PENDING' && isStaleInvite(u.createdAt, now)) {
      invites.push({ userId: u.id, username: u.username, fullName: u.fullName, invitedAt: timeOf(u.createdAt)! });
    }
  }

  return {
    organizationId: data.organizationId,
    asOf: data.fetchedAt,
    now,
    size: {
      users: data.users.length,
      usersTotal: data.usersTotal,
      ...(data.tokens.ok ? { tokens: data.tokens.items.length } : {}),
      ...(data.teams.ok ? { teams: data.teams.items.length } : {}),
      ...(data.workspaces.ok ? { workspaces: data.workspaces.items.length } : {}),
      ...(data.deployments.ok ? { deployments: data.deployments.items.length } : {}),
    },
    usersTruncated: data.usersTruncated,
    gaps,
    teamsIncomplete: dir.teams.filter((t) => !t.membersComplete).length,
    ...(tokens ? { tokens } : {}),
    inactiveWithRoles: finding(inactive, (a, b) => b.roleCount + b.teamCount - (a.roleCount + a.teamCount) || a.fullName.localeCompare(b.fullName)),
    staleInvites: finding(invites, byNumber((i) => i.invitedAt, (i) => i.username)),
    withoutOwner: ownership(dir),
    ...(data.teams.ok ? { redundantRoles: finding(redundancy(dir), (a, b) => a.fullName.localeCompare(b.fullName) || a.userId.localeCompare(b.userId)) } : {}),
  };
}

/** What an asker gets: the report, a refusal (not an admin), or why it could not be built. */
export type ReportResult = { kind: 'report'; data: ReportData } | { kind: 'not_admin' } | { kind: 'failed'; failure: Failure };

/**
 * The report for the person asking (`/astro-user report`, App Home): Slack workspace admins and
 * owners and the operator's `ADMIN_USER_IDS` only (others are refused before anything is asked of
 * Astro), one abuse-limit point, then {@link buildReport}; one audit line (`report`) with the
 * counts, never names. Never throws.
 */
export async function reportForAsker(
  services: Services,
  ctx: AskContext,
  options: BuildReportOptions & {
    /** Called once the asker is let through, before Astro is read (the listener shows progress). */
    onBuilding?: () => void;
  } = {},
): Promise<ReportResult> {
  const admin = ctx.asker.slackUserId ? await ctx.directory.isAdmin(ctx.asker.slackUserId) : false;
  if (!admin) {
    audit(services, ctx, { outcome: 'refused', kind: 'not_admin' });
    return { kind: 'not_admin' };
  }
  try {
    const throttled = await services.throttle.take(ctx.workspace.key, askerBucket(ctx.asker));
    if (throttled) throw new ThrottledError(throttled);
    options.onBuilding?.();
    const data = await buildReport(services, ctx.workspace, { ...(options.now !== undefined ? { now: options.now } : {}), ...(options.fresh ? { fresh: true } : {}) });
    void services.settings.recordSuccess(ctx.workspace.key).catch(() => undefined);
    audit(services, ctx, {
      outcome: 'report',
      users: data.size.users,
      expiring: data.tokens?.expiring.total,
      noExpiry: data.tokens?.noExpiry.total,
      unused: data.tokens?.unused.total,
      inactiveWithRoles: data.inactiveWithRoles.total,
      staleInvites: data.staleInvites.total,
      withoutOwner: data.withoutOwner.total,
      redundant: data.redundantRoles?.total,
      gaps: data.gaps.map((g) => `${g.source}:${g.kind}`),
    });
    return { kind: 'report', data };
  } catch (err) {
    const failure = toFailure(err);
    audit(services, ctx, { outcome: failure.code === 'throttled' ? 'throttled' : 'error', kind: failureLabel(failure), ...(failure.code === 'unexpected' ? { err } : {}) });
    if (isConnectionError(err)) void services.settings.recordError(ctx.workspace.key, { kind: err.kind, ...(err.requestId ? { requestId: err.requestId } : {}) }).catch(() => undefined);
    return { kind: 'failed', failure };
  }
}

/** The audit line of a report: who asked, where, and what came of it (counts only). */
function audit(services: Services, ctx: AskContext, fields: Record<string, unknown>): void {
  auditLine(ctx, 'report', { action: 'report', ...fields });
  services.countLookup?.(`report:${ctx.surface}`, typeof fields.kind === 'string' ? fields.kind : String(fields.outcome));
}
