/**
 * zod schemas for what the Astro API returns. Source: Astro API v1.0 OpenAPI spec
 * (https://api.astronomer.io/spec/v1, kept in test/fixtures/astro-api-v1.openapi.yml; schemas `User`, `WorkspaceRole`,
 * `DeploymentRole`, `DagRole`, `Error`).
 *
 * Parsing is tolerant where the API evolves: enum values we do not know (a new status or role)
 * are kept as strings, role arrays may be absent or null, deployment and DAG roles are free
 * strings, and a DAG role may carry `dagId`, `dagTag`, both or neither. A role entry that does
 * not parse is dropped and counted in `unreadableRoles`, so the card can say so rather than fail.
 */
import { z } from 'zod';

/** Documented `User.status` values; any other string is kept and shown as text. */
export const KNOWN_STATUSES = ['ACTIVE', 'PENDING', 'INACTIVE', 'BANNED'] as const;

const text = z.string();

/** `WorkspaceRole` from the spec: both fields required. */
export const WorkspaceRoleSchema = z.object({ workspaceId: text.min(1), role: text.min(1) });
/** `DeploymentRole`: `role` is a free string (built-in such as `DEPLOYMENT_ADMIN`, or a custom role's name). */
export const DeploymentRoleSchema = z.object({ deploymentId: text.min(1), role: text.min(1) });
/** `DagRole`: free-string role bound to a DAG by `dagId` or `dagTag` (the spec says exactly one). */
export const DagRoleSchema = z.object({
  deploymentId: text.min(1),
  role: text.min(1),
  dagId: text.min(1).optional().catch(undefined),
  dagTag: text.min(1).optional().catch(undefined),
});

export type WorkspaceRole = z.infer<typeof WorkspaceRoleSchema>;
export type DeploymentRole = z.infer<typeof DeploymentRoleSchema>;
export type DagRole = z.infer<typeof DagRoleSchema>;

/** Parses a role array leniently: absent or null → `[]`; unreadable entries are counted, not thrown. */
export function roleArray<T extends z.ZodType>(item: T) {
  return z.unknown().optional().transform((value) => {
    const items: z.infer<T>[] = [];
    let unreadable = 0;
    if (Array.isArray(value)) {
      for (const entry of value) {
        const r = item.safeParse(entry);
        if (r.success) items.push(r.data as z.infer<T>);
        else unreadable += 1;
      }
    } else if (value !== undefined && value !== null) {
      unreadable += 1;
    }
    return { items, unreadable };
  });
}

const optionalText = z.unknown().optional().transform((v) => (typeof v === 'string' && v.length > 0 ? v : undefined));

/**
 * The raw `User` object as Astro sends it, validated. `id`, `username`, `fullName` and `status`
 * are required strings, as the spec says (an empty value is tolerated, an absent one is not: a
 * body without them is not a user, and must not be shown as one with "no roles"); other fields
 * are optional and ignored when of the wrong type.
 */
export const RawUserSchema = z.object({
  id: text.min(1).max(256),
  username: text,
  fullName: text,
  status: text,
  avatarUrl: optionalText,
  createdAt: optionalText,
  updatedAt: optionalText,
  organizationRole: optionalText,
  workspaceRoles: roleArray(WorkspaceRoleSchema),
  deploymentRoles: roleArray(DeploymentRoleSchema),
  dagRoles: roleArray(DagRoleSchema),
});

/**
 * An Astro user as the rest of the app sees it: plain JSON (safe to cache), strings only.
 * `unreadableRoles` counts role entries Astro sent that did not match the schema.
 */
export interface AstroUser {
  id: string;
  /** The login identity, normally the email address (the CLI shows it as EMAIL). */
  username: string;
  fullName: string;
  /** `ACTIVE`, `PENDING` (invited, not yet accepted), `INACTIVE`, `BANNED`, or a newer value. */
  status: string;
  avatarUrl?: string;
  /** ISO 8601 date-time strings, UTC, as Astro sends them. */
  createdAt?: string;
  updatedAt?: string;
  organizationRole?: string;
  workspaceRoles: WorkspaceRole[];
  deploymentRoles: DeploymentRole[];
  dagRoles: DagRole[];
  unreadableRoles: number;
}

/** Validates `data` (an Astro `User` body, or a cached {@link AstroUser}) into an {@link AstroUser}. */
export const AstroUserSchema = RawUserSchema.transform((u): AstroUser => {
  const out: AstroUser = {
    id: u.id,
    username: u.username,
    fullName: u.fullName,
    status: u.status,
    workspaceRoles: u.workspaceRoles.items,
    deploymentRoles: u.deploymentRoles.items,
    dagRoles: u.dagRoles.items.map((r) => ({
      deploymentId: r.deploymentId,
      role: r.role,
      ...(r.dagId ? { dagId: r.dagId } : {}),
      ...(r.dagTag ? { dagTag: r.dagTag } : {}),
    })),
    unreadableRoles: u.workspaceRoles.unreadable + u.deploymentRoles.unreadable + u.dagRoles.unreadable,
  };
  if (u.avatarUrl) out.avatarUrl = u.avatarUrl;
  if (u.createdAt) out.createdAt = u.createdAt;
  if (u.updatedAt) out.updatedAt = u.updatedAt;
  if (u.organizationRole) out.organizationRole = u.organizationRole;
  return out;
});

/** A cached user keeps the count of unreadable entries from the original answer. */
export const CachedUserSchema = z
  .object({ user: AstroUserSchema, unreadableRoles: z.number().int().min(0).default(0), fetchedAt: z.number().int().positive() })
  .transform(({ user, unreadableRoles, fetchedAt }) => ({
    user: { ...user, unreadableRoles: user.unreadableRoles + unreadableRoles },
    fetchedAt,
  }));

/**
 * The `Error` body: `{message, requestId, statusCode, fieldErrors?}`. Only what we show is kept;
 * `requestId` is restricted to a safe alphabet because it is displayed in Slack.
 */
export const ErrorBodySchema = z.object({
  message: z.string().max(2000).optional().catch(undefined),
  requestId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/)
    .optional()
    .catch(undefined),
});

// ---------------------------------------------------------------------------------------------
// List endpoints (names instead of IDs, lookup by email, Team roles). Source: Astro API v1.0
// OpenAPI spec, schemas `WorkspacesPaginated`/`Workspace`, `DeploymentsPaginated`/`Deployment`,
// `UsersPaginated`, `UserTeamsPaginated`/`UserTeamMembership`. Only the fields astro-user uses are
// kept. Tolerant like `User`: an item that does not parse is dropped and counted (`unreadable`),
// never a failed page; only a body without the item array is unreadable as a whole.
// ---------------------------------------------------------------------------------------------

/** Largest length accepted for an ID in a list item (Astro IDs are 25-character CUIDs). */
const ID_MAX = 256;

/** `limit`, `offset`, `totalCount` of a page: a non-negative integer, or undefined when absent or of the wrong type. */
export const pageNumber = z.number().int().min(0).optional().catch(undefined);

/** A Workspace as name resolution needs it: `{id, name}` (spec `Workspace`, both required). */
export interface AstroWorkspaceSummary {
  id: string;
  /** The Workspace's display name; never empty. */
  name: string;
}

/** One `Workspace` item of `WorkspacesPaginated`; other fields are ignored. */
export const WorkspaceSummarySchema = z.object({ id: text.min(1).max(ID_MAX), name: text.min(1) }).transform((w): AstroWorkspaceSummary => ({ id: w.id, name: w.name }));

/**
 * A Deployment as name resolution needs it (spec `Deployment`: `id`, `name`, `workspaceId` are
 * required; `workspaceName` is optional).
 */
export interface AstroDeploymentSummary {
  id: string;
  /** The Deployment's display name; never empty. */
  name: string;
  /** The Workspace the Deployment belongs to (needed for its Astro UI link). */
  workspaceId: string;
  /** That Workspace's name, when Astro sent it. */
  workspaceName?: string;
}

/** One `Deployment` item of `DeploymentsPaginated`; other fields are ignored. */
export const DeploymentSummarySchema = z
  .object({ id: text.min(1).max(ID_MAX), name: text.min(1), workspaceId: text.min(1).max(ID_MAX), workspaceName: optionalText })
  .transform((d): AstroDeploymentSummary => ({
    id: d.id,
    name: d.name,
    workspaceId: d.workspaceId,
    ...(d.workspaceName ? { workspaceName: d.workspaceName } : {}),
  }));

/**
 * One Team a user belongs to, with the roles the Team grants (spec `UserTeamMembership`).
 * `organizationRole` is required by the spec but kept optional here; role arrays may be absent.
 */
export interface AstroUserTeam {
  id: string;
  name: string;
  description?: string;
  /** True when the Team is managed by the identity provider (SCIM); absent when Astro did not say. */
  isIdpManaged?: boolean;
  organizationRole?: string;
  workspaceRoles: WorkspaceRole[];
  deploymentRoles: DeploymentRole[];
  dagRoles: DagRole[];
  /** Role entries of this Team that did not match the schema and were dropped. */
  unreadableRoles: number;
}

/** One `UserTeamMembership` item of `UserTeamsPaginated`, parsed like a `User`'s roles. */
export const UserTeamSchema = z
  .object({
    id: text.min(1).max(ID_MAX),
    name: text.default(''),
    description: optionalText,
    isIdpManaged: z.boolean().optional().catch(undefined),
    organizationRole: optionalText,
    workspaceRoles: roleArray(WorkspaceRoleSchema),
    deploymentRoles: roleArray(DeploymentRoleSchema),
    dagRoles: roleArray(DagRoleSchema),
  })
  .transform((t): AstroUserTeam => {
    const out: AstroUserTeam = {
      id: t.id,
      name: t.name,
      workspaceRoles: t.workspaceRoles.items,
      deploymentRoles: t.deploymentRoles.items,
      dagRoles: t.dagRoles.items.map((r) => ({
        deploymentId: r.deploymentId,
        role: r.role,
        ...(r.dagId ? { dagId: r.dagId } : {}),
        ...(r.dagTag ? { dagTag: r.dagTag } : {}),
      })),
      unreadableRoles: t.workspaceRoles.unreadable + t.deploymentRoles.unreadable + t.dagRoles.unreadable,
    };
    if (t.description) out.description = t.description;
    if (t.isIdpManaged !== undefined) out.isIdpManaged = t.isIdpManaged;
    if (t.organizationRole) out.organizationRole = t.organizationRole;
    return out;
  });

/**
 * The paging numbers of a list answer (`totalCount`, `offset`, `limit`): each a non-negative
 * integer, or undefined when absent or of the wrong type. Other keys are ignored.
 */
export const PageNumbersSchema = z.object({ totalCount: pageNumber, offset: pageNumber, limit: pageNumber });

/**
 * What one list answer holds besides its paging numbers: an item array under `key`, each item
 * matching `item`. The client reads the array item by item (an item that does not match is dropped
 * and counted as unreadable); a body without an array under `key` is unreadable as a whole.
 */
export interface ListShape<T> {
  /** Key of the item array, e.g. `users`. */
  key: string;
  /** Schema of one item. */
  item: z.ZodType<T>;
}

/** `WorkspacesPaginated`: `workspaces`, each item a {@link WorkspaceSummarySchema}. */
export const WorkspacesList: ListShape<AstroWorkspaceSummary> = { key: 'workspaces', item: WorkspaceSummarySchema };
/** `DeploymentsPaginated`: `deployments`, each item a {@link DeploymentSummarySchema}. */
export const DeploymentsList: ListShape<AstroDeploymentSummary> = { key: 'deployments', item: DeploymentSummarySchema };
/** `UsersPaginated`: `users`, each item a `User` parsed by {@link AstroUserSchema}. */
export const UsersList: ListShape<AstroUser> = { key: 'users', item: AstroUserSchema };
/** `UserTeamsPaginated`: `teams`, each item a {@link UserTeamSchema}. */
export const UserTeamsList: ListShape<AstroUserTeam> = { key: 'teams', item: UserTeamSchema };
