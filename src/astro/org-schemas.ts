/**
 * zod schemas for the organization-wide lists behind "who can access a Deployment or Workspace"
 * and admin reports. Source: Astro API v1.0 OpenAPI spec (https://api.astronomer.io/spec/v1, kept
 * in test/fixtures/astro-api-v1.openapi.yml), schemas `TeamsPaginated`/`Team`,
 * `TeamMembersPaginated`/`TeamMember`, `ApiTokensPaginated`/`ApiToken`/`ApiTokenRole`,
 * `RolesPaginated`/`Role`/`DefaultRole`, `RoleWithPermission`, `PermissionGroup`/`PermissionEntry`,
 * `DeploymentsPaginated`/`Deployment`, `WorkspacesPaginated`/`Workspace`.
 *
 * Tolerant like the user schemas: an item that does not parse is dropped and counted, unknown enum
 * values are kept as text. Only the fields astro-user uses are kept; in particular an `ApiToken`'s
 * `token` (the secret itself, which the spec allows in answers) is never read.
 */
import { z } from 'zod';
import { pageNumber, roleArray, UserTeamSchema, type AstroUserTeam } from './schemas.js';

const ID_MAX = 256;
/** Longest name or description kept, in characters; longer values are cut (hostile answers stay bounded). */
export const MAX_TEXT_CHARS = 512;
const text = z.string();
const cut = (v: string) => (v.length > MAX_TEXT_CHARS ? `${v.slice(0, MAX_TEXT_CHARS - 1)}…` : v);
const optionalText = z.unknown().optional().transform((v) => (typeof v === 'string' && v.length > 0 ? cut(v) : undefined));
const optionalDate = z.unknown().optional().transform((v) => (typeof v === 'string' && v.length > 0 && v.length <= 64 && !Number.isNaN(Date.parse(v)) ? v : undefined));

/** Parses a required item array leniently: items that do not parse are dropped and counted. */
function itemArray<T extends z.ZodType>(item: T) {
  return z.array(z.unknown()).transform((values) => {
    const items: z.infer<T>[] = [];
    let unreadable = 0;
    for (const entry of values) {
      const r = item.safeParse(entry);
      if (r.success) items.push(r.data as z.infer<T>);
      else unreadable += 1;
    }
    return { items, unreadable };
  });
}

/** An array of strings, other entries dropped; absent → `[]`. */
const stringList = z.unknown().optional().transform((v) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s.length > 0).map(cut) : []));

/** A Team of the organization with the roles it grants (spec `Team`; same shape as a user's Team membership). */
export type AstroTeam = AstroUserTeam;
/** One `Team` item of `TeamsPaginated`. */
export const TeamSchema = UserTeamSchema;
/** `TeamsPaginated`: `teams` must be an array. */
export const TeamsPageSchema = z.object({ teams: itemArray(TeamSchema), totalCount: pageNumber, offset: pageNumber, limit: pageNumber });

/** A member of a Team (spec `TeamMember`: `userId` and `username` required). */
export interface AstroTeamMember {
  userId: string;
  /** The login identity, normally the email address. */
  username: string;
  fullName?: string;
}
/** One `TeamMember` item. */
export const TeamMemberSchema = z
  .object({ userId: text.min(1).max(ID_MAX), username: text.transform(cut), fullName: optionalText })
  .transform((m): AstroTeamMember => ({ userId: m.userId, username: m.username, ...(m.fullName ? { fullName: m.fullName } : {}) }));
/** `TeamMembersPaginated`: `teamMembers` must be an array. */
export const TeamMembersPageSchema = z.object({ teamMembers: itemArray(TeamMemberSchema), totalCount: pageNumber, offset: pageNumber, limit: pageNumber });

/** Who created or updated something (spec `BasicSubjectProfile`: a user or an API token). */
export interface AstroSubject {
  id: string;
  /** `USER` or `SERVICEKEY` (an API token), or a newer value. */
  subjectType?: string;
  username?: string;
  fullName?: string;
  /** Set when the subject is an API token. */
  apiTokenName?: string;
}
const SubjectSchema = z
  .object({ id: text.min(1).max(ID_MAX), subjectType: optionalText, username: optionalText, fullName: optionalText, apiTokenName: optionalText })
  .transform((s): AstroSubject => {
    const out: AstroSubject = { id: s.id };
    if (s.subjectType) out.subjectType = s.subjectType;
    if (s.username) out.username = s.username;
    if (s.fullName) out.fullName = s.fullName;
    if (s.apiTokenName) out.apiTokenName = s.apiTokenName;
    return out;
  });
const optionalSubject = z.unknown().optional().transform((v) => {
  const r = SubjectSchema.safeParse(v);
  return r.success ? r.data : undefined;
});

/** One role of an API token (spec `ApiTokenRole`): `entityType` is DEPLOYMENT, WORKSPACE, ORGANIZATION, DAG or DAG_TAG. */
export interface AstroApiTokenRole {
  entityType: string;
  /** The ID of the organization, Workspace or Deployment; the DAG ID or tag for DAG roles. */
  entityId: string;
  role: string;
  /** For DAG and DAG_TAG roles: the Deployment the DAG belongs to. */
  deploymentId?: string;
}
const ApiTokenRoleSchema = z
  .object({ entityType: text.min(1).max(64), entityId: text.min(1).max(ID_MAX), role: text.min(1).transform(cut), deploymentId: optionalText })
  .transform((r): AstroApiTokenRole => ({ entityType: r.entityType, entityId: r.entityId, role: r.role, ...(r.deploymentId ? { deploymentId: r.deploymentId } : {}) }));

/**
 * An API token as astro-user keeps it (spec `ApiToken`), never with its secret. Dates are ISO 8601
 * strings as Astro sends them; `endAt` absent means the token never expires.
 */
export interface AstroApiToken {
  id: string;
  name: string;
  description?: string;
  /** `ORGANIZATION`, `WORKSPACE` or `DEPLOYMENT`, or a newer value. */
  scope: string;
  /** `STANDARD` or `DIRECT_ACCESS`, when Astro said. */
  kind?: string;
  roles: AstroApiTokenRole[];
  createdBy?: AstroSubject;
  createdAt?: string;
  startAt?: string;
  /** When the token expires; absent: never. */
  endAt?: string;
  expiryPeriodInDays?: number;
  lastUsedAt?: string;
  lastRotatedAt?: string;
  /** Role entries of this token that did not parse and were dropped. */
  unreadableRoles: number;
}
/** One `ApiToken` item; `token` and `shortToken` are deliberately not read. */
export const ApiTokenSchema = z
  .object({
    id: text.min(1).max(ID_MAX),
    name: text.transform(cut),
    description: optionalText,
    scope: text.min(1).max(64),
    kind: optionalText,
    roles: roleArray(ApiTokenRoleSchema),
    createdBy: optionalSubject,
    createdAt: optionalDate,
    startAt: optionalDate,
    endAt: optionalDate,
    expiryPeriodInDays: z.number().int().min(0).optional().catch(undefined),
    lastUsedAt: optionalDate,
    lastRotatedAt: optionalDate,
  })
  .transform((t): AstroApiToken => {
    const out: AstroApiToken = { id: t.id, name: t.name, scope: t.scope, roles: t.roles.items, unreadableRoles: t.roles.unreadable };
    if (t.description) out.description = t.description;
    if (t.kind) out.kind = t.kind;
    if (t.createdBy) out.createdBy = t.createdBy;
    for (const k of ['createdAt', 'startAt', 'endAt', 'lastUsedAt', 'lastRotatedAt'] as const) if (t[k]) out[k] = t[k];
    if (t.expiryPeriodInDays !== undefined) out.expiryPeriodInDays = t.expiryPeriodInDays;
    return out;
  });
/** `ApiTokensPaginated`: `tokens` must be an array. */
export const ApiTokensPageSchema = z.object({ tokens: itemArray(ApiTokenSchema), totalCount: pageNumber, offset: pageNumber, limit: pageNumber });

/** A custom role (spec `Role`). */
export interface AstroCustomRole {
  id: string;
  name: string;
  description?: string;
  /** `DEPLOYMENT`, `WORKSPACE` or `ORGANIZATION`, or a newer value. */
  scopeType: string;
  restrictedWorkspaceIds: string[];
}
/** A built-in role with its permissions (spec `DefaultRole`). */
export interface AstroDefaultRole {
  /** E.g. `DEPLOYMENT_ADMIN`, `WORKSPACE_OPERATOR`, `DAG_VIEWER`. */
  name: string;
  description?: string;
  scopeType: string;
  /** Permission actions, e.g. `deployment.get`. */
  permissions: string[];
}
const CustomRoleSchema = z
  .object({ id: text.min(1).max(ID_MAX), name: text.min(1).transform(cut), description: optionalText, scopeType: text.min(1).max(64), restrictedWorkspaceIds: stringList })
  .transform((r): AstroCustomRole => ({ id: r.id, name: r.name, scopeType: r.scopeType, restrictedWorkspaceIds: r.restrictedWorkspaceIds, ...(r.description ? { description: r.description } : {}) }));
const DefaultRoleSchema = z
  .object({ name: text.min(1).transform(cut), description: optionalText, scopeType: text.min(1).max(64), permissions: stringList })
  .transform((r): AstroDefaultRole => ({ name: r.name, scopeType: r.scopeType, permissions: r.permissions, ...(r.description ? { description: r.description } : {}) }));
/** `RolesPaginated`: `roles` must be an array; `defaultRoles` is optional (present with `includeDefaultRoles=true`). */
export const RolesPageSchema = z.object({
  roles: itemArray(CustomRoleSchema),
  defaultRoles: z
    .unknown()
    .optional()
    .transform((v) => (Array.isArray(v) ? itemArray(DefaultRoleSchema).parse(v) : { items: [], unreadable: 0 })),
  totalCount: pageNumber,
  offset: pageNumber,
  limit: pageNumber,
});

/** A custom role with its permissions (spec `RoleWithPermission`, the answer of `GetCustomRole`). */
export interface AstroRoleWithPermissions extends AstroCustomRole {
  permissions: string[];
}
/** The `RoleWithPermission` body. */
export const RoleWithPermissionsSchema = z
  .object({ id: text.min(1).max(ID_MAX), name: text.min(1).transform(cut), description: optionalText, scopeType: text.min(1).max(64), restrictedWorkspaceIds: stringList, permissions: stringList })
  .transform(
    (r): AstroRoleWithPermissions => ({
      id: r.id,
      name: r.name,
      scopeType: r.scopeType,
      restrictedWorkspaceIds: r.restrictedWorkspaceIds,
      permissions: r.permissions,
      ...(r.description ? { description: r.description } : {}),
    }),
  );

/** One group of permissions with words for each (spec `PermissionGroup`/`PermissionEntry`). */
export interface AstroPermissionGroup {
  name: string;
  description: string;
  /** The scope the permissions apply to, e.g. `DEPLOYMENT`. */
  scope: string;
  permissions: { action: string; description: string }[];
}
const PermissionEntrySchema = z.object({ action: text.min(1).max(256), description: text.transform(cut) });
/** One `PermissionGroup`; permission entries that do not parse are dropped. */
export const PermissionGroupSchema = z
  .object({ name: text.min(1).transform(cut), description: text.transform(cut).catch(''), scope: text.max(64).catch(''), permissions: itemArray(PermissionEntrySchema) })
  .transform((g): AstroPermissionGroup => ({ name: g.name, description: g.description, scope: g.scope, permissions: g.permissions.items }));
/** The `ListPermissionGroups` answer: an array of groups. */
export const PermissionGroupsSchema = itemArray(PermissionGroupSchema);

/** A Deployment of the organization's catalog (spec `Deployment`; only what access answers show). */
export interface AstroDeployment {
  id: string;
  name: string;
  workspaceId: string;
  workspaceName?: string;
  /** `HEALTHY`, `UNHEALTHY`, `HIBERNATING`, `CREATING`, `DEPLOYING`, `UNKNOWN`, or a newer value. */
  status?: string;
  description?: string;
}
/** One `Deployment` item of the catalog. */
export const DeploymentSchema = z
  .object({ id: text.min(1).max(ID_MAX), name: text.min(1).transform(cut), workspaceId: text.min(1).max(ID_MAX), workspaceName: optionalText, status: optionalText, description: optionalText })
  .transform((d): AstroDeployment => {
    const out: AstroDeployment = { id: d.id, name: d.name, workspaceId: d.workspaceId };
    if (d.workspaceName) out.workspaceName = d.workspaceName;
    if (d.status) out.status = d.status.slice(0, 64);
    if (d.description) out.description = d.description;
    return out;
  });
/** `DeploymentsPaginated` with catalog items. */
export const DeploymentCatalogPageSchema = z.object({ deployments: itemArray(DeploymentSchema), totalCount: pageNumber, offset: pageNumber, limit: pageNumber });

/** A Workspace of the organization's catalog (spec `Workspace`). */
export interface AstroWorkspace {
  id: string;
  name: string;
  description?: string;
}
/** One `Workspace` item of the catalog. */
export const WorkspaceSchema = z
  .object({ id: text.min(1).max(ID_MAX), name: text.min(1).transform(cut), description: optionalText })
  .transform((w): AstroWorkspace => ({ id: w.id, name: w.name, ...(w.description ? { description: w.description } : {}) }));
/** `WorkspacesPaginated` with catalog items. */
export const WorkspaceCatalogPageSchema = z.object({ workspaces: itemArray(WorkspaceSchema), totalCount: pageNumber, offset: pageNumber, limit: pageNumber });
