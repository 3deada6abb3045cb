/**
 * zod schemas for what the Astro API returns. Source: Astro API v1.0 OpenAPI spec
 * (`shared/reference/astro-api/v1/openapi.yml`, schemas `User`, `WorkspaceRole`,
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
function roleArray<T extends z.ZodType>(item: T) {
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
 * The raw `User` object as Astro sends it, validated. `id` is required; `username`, `fullName` and
 * `status` must be strings when present (the spec requires them; an empty value is tolerated);
 * other fields are optional and ignored when of the wrong type.
 */
export const RawUserSchema = z.object({
  id: text.min(1).max(256),
  username: text.default(''),
  fullName: text.default(''),
  status: text.default(''),
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
