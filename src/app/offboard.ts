/**
 * Leavers: everything to remove when someone leaves, from one read of the organization's data
 * (the same data the report reads, kept briefly): their roles by scope, their Teams (those an
 * identity provider manages are removed there), the API tokens they created, and the Deployments
 * where they are the only admin (hand those over first).
 *
 * "Only admin" rule: the admins of a Deployment are the ACTIVE users who hold Deployment Admin on
 * it, or Workspace Owner or Workspace Operator in its Workspace (both manage every Deployment of
 * the Workspace), directly or through a Team with members; Organization Owners, who are Workspace
 * Owners everywhere, can always step in and are not counted
 * (https://www.astronomer.io/docs/astro/user-permissions). A Deployment is reported when the
 * person is one of its admins and no one else is.
 *
 * Two ways in: an admin asks (`/astro-user offboard <email | @person | user ID>`), or Slack
 * reports a member deactivated (`user_change` with `user.deleted: true`,
 * https://docs.slack.dev/reference/events/user_change) in a workspace whose policy asks for the
 * checklist then. Who is told: the operator's `ADMIN_USER_IDS`, each by a direct message; when
 * none are set, the admin who connected the workspace's Astro token, while Slack still says they
 * are an admin. Nobody else: the checklist names a person and their access.
 */
import type { AstroUser } from '../astro/schemas.js';
import { DEPLOYMENT_ADMIN, ORGANIZATION_OWNER, WORKSPACE_DEPLOYMENT_ADMINS } from '../core/access-rules.js';
import { mayTry } from '../core/capabilities.js';
import { failureLabel, toFailure, type Failure } from '../core/outcomes.js';
import type { UserQuery } from '../core/query.js';
import type { OrgData, OrgTeam } from '../lookup/org-data.js';
import { ThrottledError } from '../lookup/throttle.js';
import type { AstroIndexedUser } from '../lookup/user-index.js';
import { isConnectionError } from '../lookup/workspace-settings.js';
import { resolveUserQuery } from './lookup-users.js';
import type { Services, SlackDirectory } from './ports.js';
import { OrgIndex, gapsOf, tokenFinding, type Named, type ReportGap, type RoleGrant, type TokenFinding } from './report.js';
import { askerBucket, auditLine, type AskContext, type Workspace } from './request.js';
import type { Logger } from '../logger.js';

/** A Team the person is in. */
export interface TeamFinding extends Named {
  /** Managed by the identity provider (SCIM): membership is removed there, not in Astro. */
  idpManaged: boolean;
  /** Roles the Team grants (Organization role aside). */
  grants: number;
}

/** How someone administers a Deployment: a role on it or on its Workspace, directly or through a Team. */
export interface AdminVia {
  scope: 'DEPLOYMENT' | 'WORKSPACE';
  /** `DEPLOYMENT_ADMIN`, `WORKSPACE_OWNER` or `WORKSPACE_OPERATOR`. */
  role: string;
  /** The Team that grants it, when not direct. */
  team?: Named;
}

/** A Deployment where the person is the only admin. */
export interface SoleAdminFinding {
  deployment: Named;
  workspace?: Named;
  /** How the person administers it. */
  via: AdminVia[];
}

/** The checklist for one person. Times in ms since the epoch. */
export interface OffboardData {
  organizationId: string;
  asOf: number;
  user: { id: string; fullName: string; username: string; status: string };
  /** Direct roles, Organization role first (Organization Member included). */
  roles: RoleGrant[];
  teams: TeamFinding[];
  /** API tokens they created; absent when the tokens could not be read (see `gaps`). */
  tokens?: { total: number; items: TokenFinding[] };
  soleAdmin: SoleAdminFinding[];
  /** ACTIVE Organization Owners other than the person (they can always step in). */
  otherOrganizationOwners: number;
  gaps: ReportGap[];
  /** Teams whose members could not all be read (Teams and admins through them may be missed). */
  teamsIncomplete: number;
}

/** Users (active, and the leaver) who administer each Deployment and Workspace, and how. */
type Holders = Map<string, Map<string, AdminVia[]>>;
function admins(index: OrgIndex, data: OrgData): { deployments: Holders; workspaces: Holders } {
  const deployments: Holders = new Map();
  const workspaces: Holders = new Map();
  const add = (map: Holders, id: string, userId: string, how: AdminVia) => {
    const holders = map.get(id) ?? new Map<string, AdminVia[]>();
    holders.set(userId, [...(holders.get(userId) ?? []), how]);
    map.set(id, holders);
  };
  const grant = (userId: string, source: Pick<AstroUser, 'workspaceRoles' | 'deploymentRoles'>, team?: OrgTeam) => {
    const through = team ? { team: { id: team.id, ...(team.name ? { name: team.name } : {}) } } : {};
    for (const r of source.deploymentRoles) if (r.role === DEPLOYMENT_ADMIN) add(deployments, r.deploymentId, userId, { scope: 'DEPLOYMENT', role: r.role, ...through });
    for (const r of source.workspaceRoles) if (WORKSPACE_DEPLOYMENT_ADMINS.has(r.role)) add(workspaces, r.workspaceId, userId, { scope: 'WORKSPACE', role: r.role, ...through });
  };
  for (const u of data.users) grant(u.id, u);
  for (const t of index.teams) for (const m of t.members) grant(m.userId, t, t);
  return { deployments, workspaces };
}

/**
 * The checklist for `user` from the organization's data. Pure.
 * @param user the person (from the data, or looked up when the data did not hold them).
 */
export function checklistOf(data: OrgData, user: AstroUser): OffboardData {
  const index = new OrgIndex(data);
  const teams = index.teamsOf.get(user.id) ?? [];
  const roles = index.grantsOf(user, true);

  let tokens: OffboardData['tokens'];
  if (data.tokens.ok) {
    const mine = data.tokens.items.filter((t) => t.createdBy?.id === user.id).map((t) => tokenFinding(t, index, data.fetchedAt));
    tokens = { total: mine.length, items: mine.sort((a, b) => a.name.localeCompare(b.name)) };
  }

  // Deployments the person administers, and whether anyone else (ACTIVE) does.
  const { deployments, workspaces } = admins(index, data);
  const candidates = new Set<string>();
  for (const [id, holders] of deployments) if (holders.has(user.id)) candidates.add(id);
  for (const [wsId, holders] of workspaces) if (holders.has(user.id)) for (const d of index.deployments.values()) if (d.workspaceId === wsId) candidates.add(d.id);
  const soleAdmin: SoleAdminFinding[] = [];
  for (const id of candidates) {
    const wsId = index.deployments.get(id)?.workspaceId;
    const holders = new Map<string, AdminVia[]>();
    for (const source of [deployments.get(id), wsId ? workspaces.get(wsId) : undefined]) {
      for (const [userId, how] of source ?? []) holders.set(userId, [...(holders.get(userId) ?? []), ...how]);
    }
    const others = [...holders.keys()].filter((u) => u !== user.id && index.isActive(u));
    if (others.length > 0) continue;
    const { workspaceId: _w, ...deployment } = index.deployment(id);
    soleAdmin.push({ deployment, ...(wsId ? { workspace: index.workspace(wsId) } : {}), via: holders.get(user.id) ?? [] });
  }
  soleAdmin.sort((a, b) => (a.deployment.name ?? a.deployment.id).localeCompare(b.deployment.name ?? b.deployment.id));

  const owners = new Set<string>();
  for (const u of data.users) if (u.id !== user.id && u.status === 'ACTIVE' && u.organizationRole === ORGANIZATION_OWNER) owners.add(u.id);
  for (const t of index.teams) if (t.organizationRole === ORGANIZATION_OWNER) for (const m of t.members) if (m.userId !== user.id && index.isActive(m.userId)) owners.add(m.userId);

  return {
    organizationId: data.organizationId,
    asOf: data.fetchedAt,
    user: { id: user.id, fullName: user.fullName, username: user.username, status: user.status },
    roles,
    teams: teams
      .map((t) => ({ id: t.id, ...(t.name ? { name: t.name } : {}), idpManaged: t.isIdpManaged === true, grants: t.workspaceRoles.length + t.deploymentRoles.length + t.dagRoles.length }))
      .sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id)),
    ...(tokens ? { tokens } : {}),
    soleAdmin,
    otherOrganizationOwners: owners.size,
    gaps: gapsOf(data),
    teamsIncomplete: index.teams.filter((t) => !t.membersComplete).length,
  };
}

/** The organization's data, asking Astro only for lists the token's capabilities (when known) allow. */
async function orgDataFor(services: Services, workspace: Workspace): Promise<OrgData> {
  const capabilities = await services.capabilities?.(workspace.ref);
  const skip = capabilities ? { tokens: !mayTry(capabilities, 'tokens'), teams: !mayTry(capabilities, 'teams'), catalog: !mayTry(capabilities, 'catalog') } : {};
  return services.orgData.load({ installation: workspace.ref, skip });
}

/** The person from the data, else looked up (a user added since the data was read). */
async function userOf(services: Services, workspace: Workspace, data: OrgData, userId: string): Promise<AstroUser> {
  const known = data.users.find((u) => u.id === userId);
  if (known) return known;
  return (await services.lookup.lookupUser({ installation: workspace.ref, userId })).user;
}

/** What an admin asking for a checklist gets. */
export type OffboardResult =
  | { kind: 'checklist'; data: OffboardData }
  | { kind: 'choose'; candidates: AstroIndexedUser[]; text: string }
  | { kind: 'not_admin' }
  | { kind: 'failed'; failure: Failure };

/**
 * `/astro-user offboard <who>` for the person asking: admins only (others are refused before
 * anything is asked of Astro), one abuse-limit point, the person resolved as lookups resolve them
 * (several name matches: candidates to choose from), then the checklist; one audit line
 * (`offboard`, with the Astro user ID, never an email). Never throws.
 */
export async function offboardForAsker(
  services: Services,
  ctx: AskContext,
  query: UserQuery,
  /** Called once the person is found, before the organization is read (the listener shows progress). */
  onBuilding?: () => void,
): Promise<OffboardResult> {
  const admin = ctx.asker.slackUserId ? await ctx.directory.isAdmin(ctx.asker.slackUserId) : false;
  if (!admin) {
    audit(ctx, { outcome: 'refused', kind: 'not_admin', query: query.kind });
    return { kind: 'not_admin' };
  }
  try {
    const throttled = await services.throttle.take(ctx.workspace.key, askerBucket(ctx.asker));
    if (throttled) throw new ThrottledError(throttled);
    const resolved = await resolveUserQuery(services, ctx, query);
    if ('candidates' in resolved) {
      audit(ctx, { outcome: 'choose', query: query.kind, matches: resolved.candidates.length });
      return { kind: 'choose', candidates: resolved.candidates, text: resolved.text };
    }
    onBuilding?.();
    const data = await orgDataFor(services, ctx.workspace);
    const checklist = checklistOf(data, await userOf(services, ctx.workspace, data, resolved.userId));
    audit(ctx, { outcome: 'checklist', query: query.kind, astroUser: resolved.userId, roles: checklist.roles.length, teams: checklist.teams.length, tokens: checklist.tokens?.total, soleAdmin: checklist.soleAdmin.length });
    return { kind: 'checklist', data: checklist };
  } catch (err) {
    const failure = toFailure(err);
    audit(ctx, { outcome: failure.code === 'throttled' ? 'throttled' : 'error', query: query.kind, kind: failureLabel(failure), ...(failure.code === 'unexpected' ? { err } : {}) });
    if (isConnectionError(err)) void services.settings.recordError(ctx.workspace.key, { kind: err.kind, ...(err.requestId ? { requestId: err.requestId } : {}) }).catch(() => undefined);
    return { kind: 'failed', failure };
  }
}

/** A Slack member Slack reported deactivated (`user_change` with `user.deleted: true`). */
export interface DeactivatedMember {
  slackUserId: string;
  /** The email of their Slack profile, when the event carried it. */
  email?: string;
  isBot?: boolean;
}

/** How long one deactivation is remembered, so that repeated events send one checklist, in ms (a day). */
export const DEACTIVATION_CLAIM_TTL_MS = 24 * 3600 * 1000;

/**
 * What to do about a deactivated member:
 * - `off`: the workspace's policy does not ask for checklists (nothing was read or sent);
 * - `ignored`: a bot, no email Slack will show, no Astro account with that email, or already sent;
 * - `send`: send the checklist to each of `to` (Slack user IDs), privately;
 * - `no_recipients`: no one to send it to (no `ADMIN_USER_IDS`, and the admin who connected Astro
 *   is unknown or no longer an admin);
 * - `failed`: Astro or the store failed.
 */
export type DeactivationResult =
  | { kind: 'off' }
  | { kind: 'ignored'; reason: 'bot' | 'no_email' | 'not_in_astro' | 'already_sent' }
  | { kind: 'send'; to: string[]; data: OffboardData }
  | { kind: 'no_recipients' }
  | { kind: 'failed'; failure: Failure };

/** Services the deactivation flow needs: the shared ones and once-only claims. */
export interface DeactivationDeps extends Services {
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
}

/**
 * The checklist for a member Slack reports deactivated, when the workspace's policy
 * (`offboardOnDeactivation`, off by default) asks for it and their Slack email matches an Astro
 * user; sent once per member and day (re-deliveries and later profile events send nothing).
 * Never throws.
 */
export async function checklistOnDeactivation(
  services: DeactivationDeps,
  ctx: { workspace: Workspace; directory: SlackDirectory; log: Logger },
  member: DeactivatedMember,
): Promise<DeactivationResult> {
  const { workspace } = ctx;
  const line = (fields: Record<string, unknown>) => ctx.log.info({ audit: true, action: 'offboard_on_deactivation', team: workspace.ref.teamId, deactivated: member.slackUserId, ...fields }, 'offboard on deactivation');
  try {
    const policy = await services.settings.getPolicy(workspace.key);
    if (!policy.offboardOnDeactivation) return { kind: 'off' };
    if (member.isBot) return { kind: 'ignored', reason: 'bot' };
    const email = member.email ?? (await ctx.directory.emailOf(member.slackUserId));
    if (!email) {
      line({ outcome: 'ignored', reason: 'no_email' });
      return { kind: 'ignored', reason: 'no_email' };
    }
    let userId: string;
    try {
      userId = await services.lookup.findByEmail(workspace.ref, email);
    } catch (err) {
      if (toFailure(err).code !== 'email_not_found') throw err;
      line({ outcome: 'ignored', reason: 'not_in_astro' });
      return { kind: 'ignored', reason: 'not_in_astro' };
    }
    const to = await recipients(services, ctx);
    if (to.length === 0) {
      ctx.log.warn({ team: workspace.ref.teamId }, 'a deactivated member has an Astro account, but no one can be told: set ADMIN_USER_IDS');
      line({ outcome: 'no_recipients', astroUser: userId });
      return { kind: 'no_recipients' };
    }
    if (!(await services.claimOnce(`deactivated:${workspace.key}:${member.slackUserId}`, DEACTIVATION_CLAIM_TTL_MS))) return { kind: 'ignored', reason: 'already_sent' };
    const data = await orgDataFor(services, workspace);
    const checklist = checklistOf(data, await userOf(services, workspace, data, userId));
    line({ outcome: 'send', astroUser: userId, recipients: to.length, roles: checklist.roles.length, soleAdmin: checklist.soleAdmin.length });
    return { kind: 'send', to, data: checklist };
  } catch (err) {
    const failure = toFailure(err);
    line({ outcome: 'error', kind: failureLabel(failure), ...(failure.code === 'unexpected' ? { err } : {}) });
    return { kind: 'failed', failure };
  }
}

/**
 * Who is told about a deactivated member: the operator's `ADMIN_USER_IDS`; when none are set, the
 * admin who saved the workspace's Astro connection, if Slack still says they are an admin.
 */
async function recipients(services: Services, ctx: { workspace: Workspace; directory: SlackDirectory }): Promise<string[]> {
  if (services.adminUserIds.size > 0) return [...services.adminUserIds];
  const connection = await services.settings.getConnection(ctx.workspace.key).catch(() => undefined);
  if (connection && /^[UW][A-Z0-9]{2,30}$/.test(connection.savedBy) && (await ctx.directory.isAdmin(connection.savedBy))) return [connection.savedBy];
  return [];
}

/** The audit line of an offboarding checklist asked for by an admin. */
function audit(ctx: AskContext, fields: Record<string, unknown>): void {
  auditLine(ctx, 'offboard', { action: 'offboard', ...fields });
}
