/**
 * The Astro API client: typed requests, zod-parsed responses and typed errors. Knows nothing of
 * Slack. Paths are those of Astro API v1 (and identical under `iam/v1beta1` for users), e.g.
 * `GET {base}/organizations/{organizationId}/users/{userId}` (operation `GetUser`).
 *
 * List operations (`ListWorkspaces`, `ListDeployments`, `ListUsers`, `ListUserTeams`) send array
 * query parameters the OpenAPI default way (`style: form`, `explode: true`): the key is repeated
 * per value, e.g. `?workspaceIds=a&workspaceIds=b` (Astro API v1 spec, https://api.astronomer.io/spec/v1).
 */
import { nextTurn } from '../core/turns.js';
import { AstroApiError, kindForStatus } from './errors.js';
import {
  AstroUserSchema,
  DeploymentsList,
  ErrorBodySchema,
  PageNumbersSchema,
  UserTeamsList,
  UsersList,
  WorkspacesList,
  type AstroDeploymentSummary,
  type AstroUser,
  type AstroUserTeam,
  type AstroWorkspaceSummary,
  type ListShape,
} from './schemas.js';
import {
  ApiTokensPageSchema,
  DeploymentCatalogPageSchema,
  PermissionGroupsSchema,
  RoleWithPermissionsSchema,
  RolesPageSchema,
  TeamMembersPageSchema,
  TeamsPageSchema,
  WorkspaceCatalogPageSchema,
  type AstroApiToken,
  type AstroCustomRole,
  type AstroDefaultRole,
  type AstroDeployment,
  type AstroPermissionGroup,
  type AstroRoleWithPermissions,
  type AstroTeam,
  type AstroTeamMember,
  type AstroWorkspace,
} from './org-schemas.js';

/** Which Astro organization to ask, with which token. The token is a secret. */
export interface AstroTarget {
  /** API base without a trailing slash, e.g. `https://api.astronomer.io/v1`. */
  apiUrl: string;
  /** Bearer token (an Astro API token, a JWT). */
  apiToken: string;
  organizationId: string;
}

/** Options of {@link createAstroClient}. */
export interface AstroClientOptions {
  /**
   * Time allowed for one HTTP request, headers and body, in ms. Default 7000: one slow answer may
   * use most of a lookup's 8 s deadline (its own signal), so a slow but working Astro still answers
   * and the card follows within ten seconds; a retry only gets what the deadline leaves.
   */
  requestTimeoutMs?: number;
  /** Largest response body read, in bytes; a larger body is a `bad_response`. Default 2 MiB. */
  maxBodyBytes?: number;
  /**
   * Time allowed for one request of a list operation (`ListWorkspaces`, `ListDeployments`,
   * `ListUsers`, `ListUserTeams`), headers and body, in ms: a page of 1000 users is far larger
   * than one user. Default 10000.
   */
  listRequestTimeoutMs?: number;
  /** Largest body of a list operation, in bytes; a larger body is a `bad_response`. Default 4 MiB: a page of 1,000 users is far smaller, and parsing a larger one blocks the event loop for tens of ms. */
  maxListBodyBytes?: number;
  /** Largest audit-log body, in bytes. Default 64 MiB. */
  maxAuditLogBytes?: number;
  /** `User-Agent` and `x-astro-client-identifier` value. */
  userAgent?: string;
  /** fetch implementation; the global one by default. */
  fetch?: typeof fetch;
  /**
   * Told after every request, for metrics: the HTTP status (undefined when there was no answer)
   * and the duration in ms. Must not throw.
   */
  onResponse?: (info: { status: number | undefined; durationMs: number }) => void;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the call (e.g. the lookup's overall deadline); surfaces as a `timeout` error. */
  signal?: AbortSignal;
  /**
   * Most upstream attempts a resilience policy wrapped around the client may make for this call,
   * the first one included (never more than the policy's own); e.g. 1 for an operation Astro
   * allows only a few times a minute. The plain client always makes exactly one.
   */
  maxAttempts?: number;
}

/** Largest `limit` sent to a list operation (the documented maximum of ListUsers, ListWorkspaces, ListUserTeams). */
export const MAX_PAGE_LIMIT = 1000;

/** The paging part of every list answer. */
export interface ListPage {
  /** How many items match in all, per Astro (`totalCount`); `offset + items read` when Astro left it out. */
  totalCount: number;
  /** Offset of this page, as Astro echoed it (else the one asked for). */
  offset: number;
  /** Page size, as Astro echoed it (else the one asked for). */
  limit: number;
  /** Items of this page that did not match the schema and were dropped. */
  unreadable: number;
}

/**
 * Query of {@link AstroClient.listWorkspaces}. `workspaceIds` is required and must not be empty
 * for a request to be sent: without it ListWorkspaces would list every Workspace.
 */
export interface ListWorkspacesQuery {
  /** IDs to describe; each a plain ID (`[A-Za-z0-9_-]`, 1–128 characters). */
  workspaceIds: string[];
  /** Items to skip. Default 0. */
  offset?: number;
  /** Page size, 0–1000. Default 1000. */
  limit?: number;
}

/** One page of {@link AstroClient.listWorkspaces}. */
export interface WorkspacesPage extends ListPage {
  workspaces: AstroWorkspaceSummary[];
}

/** Query of {@link AstroClient.listDeployments}; `deploymentIds` as in {@link ListWorkspacesQuery}. */
export interface ListDeploymentsQuery {
  /** IDs to describe; each a plain ID (`[A-Za-z0-9_-]`, 1–128 characters). */
  deploymentIds: string[];
  /** Items to skip. Default 0. */
  offset?: number;
  /** Page size, 0–1000 (the spec documents no maximum; astro-user sends at most 1000). Default 1000. */
  limit?: number;
}

/** One page of {@link AstroClient.listDeployments}. */
export interface DeploymentsPage extends ListPage {
  deployments: AstroDeploymentSummary[];
}

/** Query of {@link AstroClient.listUsers}. */
export interface ListUsersQuery {
  /** Items to skip, ≥ 0. */
  offset: number;
  /** Page size, 0–1000 (documented maximum). */
  limit: number;
  /**
   * Sort criteria, each `<field>:asc` or `<field>:desc`; documented fields are `id`, `username`,
   * `fullName`, `createdAt`, `updatedAt`. Use a stable sort (`id:asc`) when paging.
   */
  sorts?: string[];
  /** Only users with a role in this Workspace (a plain ID). */
  workspaceId?: string;
  /** Only users with a role in this Deployment (a plain ID). */
  deploymentId?: string;
}

/** One page of {@link AstroClient.listUsers}; `unreadable` counts users dropped because they did not parse. */
export interface UsersPage extends ListPage {
  users: AstroUser[];
}

/** Query of {@link AstroClient.listUserTeams}. */
export interface ListUserTeamsQuery {
  /** Items to skip. Default 0. */
  offset?: number;
  /** Page size, 0–1000. Default 1000. */
  limit?: number;
}

/** One page of {@link AstroClient.listUserTeams}. */
export interface UserTeamsPage extends ListPage {
  teams: AstroUserTeam[];
}

/** Paging of the organization-wide list operations: offset ≥ 0 (default 0), limit 0–1000 (default 1000). */
export interface PageQuery {
  offset?: number;
  limit?: number;
}

/** A list narrowed to what has a role in one Workspace or Deployment (plain IDs). */
export interface ScopeQuery extends PageQuery {
  workspaceId?: string;
  deploymentId?: string;
}

/** Query of {@link AstroClient.listApiTokens}. */
export interface ListApiTokensQuery extends ScopeQuery {
  /** Only Organization API tokens. */
  includeOnlyOrganizationTokens?: boolean;
}

/** Query of {@link AstroClient.listAllDeployments}. */
export interface ListAllDeploymentsQuery extends PageQuery {
  /** Only the Deployments of these Workspaces (plain IDs). */
  workspaceIds?: string[];
}

/** Query of {@link AstroClient.listRoles}. */
export interface ListRolesQuery extends PageQuery {
  /** Also answer the built-in roles with their permissions (`defaultRoles`). */
  includeDefaultRoles?: boolean;
  /** Only roles of these scopes: `DEPLOYMENT`, `WORKSPACE`, `ORGANIZATION`, `DAG`. */
  scopeTypes?: string[];
}

/** One page of {@link AstroClient.listAllWorkspaces}. */
export interface WorkspaceCatalogPage extends ListPage {
  workspaces: AstroWorkspace[];
}
/** One page of {@link AstroClient.listAllDeployments}. */
export interface DeploymentCatalogPage extends ListPage {
  deployments: AstroDeployment[];
}
/** One page of {@link AstroClient.listTeams}. */
export interface TeamsPage extends ListPage {
  teams: AstroTeam[];
}
/** One page of {@link AstroClient.listTeamMembers}. */
export interface TeamMembersPage extends ListPage {
  members: AstroTeamMember[];
}
/** One page of {@link AstroClient.listApiTokens}. */
export interface ApiTokensPage extends ListPage {
  tokens: AstroApiToken[];
}
/** One page of {@link AstroClient.listRoles}: custom roles paged; built-in roles (when asked) whole. */
export interface RolesPage extends ListPage {
  roles: AstroCustomRole[];
  defaultRoles: AstroDefaultRole[];
}

/** Query of {@link AstroClient.getOrganizationAuditLogs}: ISO 8601 date-times (UTC). */
export interface AuditLogQuery {
  startDate: string;
  endDate: string;
}

/** The Astro API operations astro-user uses. */
export interface AstroClient {
  /**
   * `GetUser`: one user with status and roles.
   * @throws {AstroApiError} for every non-2xx answer, timeout, network failure or unreadable body.
   */
  getUser(target: AstroTarget, userId: string, options?: CallOptions): Promise<AstroUser>;
  /**
   * `ListWorkspaces` (`GET /organizations/{organizationId}/workspaces?workspaceIds=…&offset=…&limit=…`):
   * the ID and name of the given Workspaces. IDs Astro does not return are deleted or hidden from
   * the token. An empty `workspaceIds` answers an empty page without a request.
   * @throws {AstroApiError} `bad_request` (no request sent) for an ID that is not a plain ID or a
   * bad offset/limit; else as {@link AstroClient.getUser} (ListWorkspaces documents 400/401/403/500).
   */
  listWorkspaces(target: AstroTarget, query: ListWorkspacesQuery, options?: CallOptions): Promise<WorkspacesPage>;
  /**
   * `ListDeployments` (`GET /organizations/{organizationId}/deployments?deploymentIds=…&offset=…&limit=…`):
   * ID, name and Workspace of the given Deployments. An empty `deploymentIds` answers an empty page
   * without a request.
   * @throws {AstroApiError} as {@link AstroClient.listWorkspaces}.
   */
  listDeployments(target: AstroTarget, query: ListDeploymentsQuery, options?: CallOptions): Promise<DeploymentsPage>;
  /**
   * `ListUsers` (`GET /organizations/{organizationId}/users?offset=…&limit=…&sorts=…`): one page of
   * the organization's users, each parsed like GetUser's answer; users that do not parse are
   * dropped and counted in `unreadable`. Requires `organization.users.get`.
   * @throws {AstroApiError} `bad_request` (no request sent) for a bad offset, limit or sort; else
   * as {@link AstroClient.getUser}.
   */
  listUsers(target: AstroTarget, query: ListUsersQuery, options?: CallOptions): Promise<UsersPage>;
  /**
   * `ListUserTeams` (`GET /organizations/{organizationId}/users/{userId}/teams?offset=…&limit=…`,
   * Astro API v1 only): the Teams a user belongs to, with the roles each Team grants (GetUser
   * returns direct roles only). Requires `organization.teams.get`.
   * @throws {AstroApiError} `not_found` for an unknown user, and also from a `iam/v1beta1` base,
   * which has no such endpoint: the caller should then say that roles via Teams are not shown;
   * `bad_request` (no request sent) for a bad ID, offset or limit; else as {@link AstroClient.getUser}.
   */
  listUserTeams(target: AstroTarget, userId: string, query?: ListUserTeamsQuery, options?: CallOptions): Promise<UserTeamsPage>;
  /**
   * `ListWorkspaces` without an ID filter: one page of every Workspace the token can see (the
   * organization's catalog). Requires `workspace.get` on each.
   * @throws {AstroApiError} `bad_request` (no request sent) for a bad offset or limit; else as {@link AstroClient.getUser}.
   */
  listAllWorkspaces(target: AstroTarget, query?: PageQuery, options?: CallOptions): Promise<WorkspaceCatalogPage>;
  /**
   * `ListDeployments` without an ID filter (optionally narrowed to Workspaces): one page of the
   * catalog, with each Deployment's Workspace and status.
   * @throws {AstroApiError} as {@link AstroClient.listAllWorkspaces}; `bad_request` for a bad Workspace ID.
   */
  listAllDeployments(target: AstroTarget, query?: ListAllDeploymentsQuery, options?: CallOptions): Promise<DeploymentCatalogPage>;
  /**
   * `ListTeams` (`GET /organizations/{organizationId}/teams?workspaceId=…&deploymentId=…`): Teams,
   * optionally only those with a role in one Workspace or Deployment, with the roles each grants.
   * Requires `organization.teams.get`.
   * @throws {AstroApiError} `bad_request` (no request sent) for a bad ID, offset or limit; else as {@link AstroClient.getUser}.
   */
  listTeams(target: AstroTarget, query?: ScopeQuery, options?: CallOptions): Promise<TeamsPage>;
  /**
   * `ListTeamMembers` (`GET /organizations/{organizationId}/teams/{teamId}/members`): who is in a Team.
   * Requires `organization.teams.get`.
   * @throws {AstroApiError} `not_found` for an unknown Team; else as {@link AstroClient.listTeams}.
   */
  listTeamMembers(target: AstroTarget, teamId: string, query?: PageQuery, options?: CallOptions): Promise<TeamMembersPage>;
  /**
   * `ListApiTokens` (`GET /organizations/{organizationId}/tokens?workspaceId=…&deploymentId=…`): API
   * tokens with their roles, creator, expiry and last use; never the secret. Requires
   * `organization.apiTokens.access` (more than Organization Member).
   * @throws {AstroApiError} as {@link AstroClient.listTeams}.
   */
  listApiTokens(target: AstroTarget, query?: ListApiTokensQuery, options?: CallOptions): Promise<ApiTokensPage>;
  /**
   * `ListRoles` (`GET /organizations/{organizationId}/roles?includeDefaultRoles=…&scopeTypes=…`):
   * custom roles, and with `includeDefaultRoles` the built-in roles with their permissions.
   * Requires `organization.customRoles.get`.
   * @throws {AstroApiError} `bad_request` (no request sent) for an unknown scope type, offset or limit; else as {@link AstroClient.getUser}.
   */
  listRoles(target: AstroTarget, query?: ListRolesQuery, options?: CallOptions): Promise<RolesPage>;
  /**
   * `GetCustomRole` (`GET /organizations/{organizationId}/roles/{roleId}`): one custom role with its permissions.
   * @throws {AstroApiError} `not_found` for an unknown role; else as {@link AstroClient.getUser}.
   */
  getCustomRole(target: AstroTarget, roleId: string, options?: CallOptions): Promise<AstroRoleWithPermissions>;
  /**
   * `ListPermissionGroups` (`GET /authorization/permission-groups?scopeType=…`): words for each
   * permission a role can hold. The spec: "currently, the only available permissions are in the
   * `DEPLOYMENT` and `DAG` scopes".
   * @throws {AstroApiError} `bad_request` (no request sent) for an unknown scope type; else as {@link AstroClient.getUser}.
   */
  listPermissionGroups(target: AstroTarget, scopeType?: string, options?: CallOptions): Promise<AstroPermissionGroup[]>;
  /**
   * `GetOrganizationAuditLogs` (`GET /organizations/{organizationId}/audit-logs?startDate=…&endDate=…`):
   * the raw body, `application/octet-stream` (gzip-compressed NDJSON per Astronomer's docs,
   * https://www.astronomer.io/docs/astro/audit-logs; fetch has already undone a
   * `Content-Encoding: gzip`, so the bytes may or may not still be gzip). Organization Owner only;
   * Astro allows two requests a minute. Bodies over `maxAuditLogBytes` are a `bad_response`.
   * @throws {AstroApiError} `bad_request` (no request sent) for a date that is not ISO 8601; else as {@link AstroClient.getUser}.
   */
  getOrganizationAuditLogs(target: AstroTarget, query: AuditLogQuery, options?: CallOptions): Promise<Uint8Array>;
}

/** Parses `Retry-After` (seconds or an HTTP date) into ms, or undefined. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Reads at most `maxBytes` of a body, undecoded; throws `bad_response` beyond that. */
async function readBody(res: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new AstroApiError('bad_response', `Astro answered with a body larger than ${maxBytes} bytes`, { status: res.status });
  }
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new AstroApiError('bad_response', `Astro answered with a body larger than ${maxBytes} bytes`, { status: res.status });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

/** `text` parsed as JSON, or undefined when it is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * List items parsed between two yields to the event loop: a page of 1,000 users is parsed in ten
 * slices, so other requests are served between them.
 */
export const LIST_ITEMS_PER_SLICE = 100;

/**
 * Size from which list answers are decoded one at a time (per client), in bytes: 256 KiB, whose
 * JSON parses in about a millisecond.
 */
const LARGE_LIST_BYTES = 256 * 1024;

/** The items of a list answer that matched, the count of those that did not, and its paging numbers. */
interface ReadList<T> {
  items: T[];
  unreadable: number;
  numbers: { totalCount?: number | undefined; offset?: number | undefined; limit?: number | undefined };
}

/**
 * Reads the list answer `json` as `shape` says, {@link LIST_ITEMS_PER_SLICE} items at a time with
 * a yield to the event loop between slices.
 * @returns undefined when `json` has no array under `shape.key`.
 * @throws {AstroApiError} `timeout` when `signal` aborts between two slices.
 */
async function readList<T>(json: unknown, shape: ListShape<T>, signal: AbortSignal | undefined): Promise<ReadList<T> | undefined> {
  const values = typeof json === 'object' && json !== null ? (json as Record<string, unknown>)[shape.key] : undefined;
  if (!Array.isArray(values)) return undefined;
  const numbers = PageNumbersSchema.safeParse(json);
  const items: T[] = [];
  let unreadable = 0;
  for (let i = 0; i < values.length; i += 1) {
    if (i > 0 && i % LIST_ITEMS_PER_SLICE === 0) {
      await nextTurn();
      if (signal?.aborted) throw new AstroApiError('timeout', 'No answer from the Astro API before the deadline', { cause: signal.reason });
    }
    const r = shape.item.safeParse(values[i]);
    if (r.success) items.push(r.data);
    else unreadable += 1;
  }
  return { items, unreadable, numbers: numbers.success ? numbers.data : {} };
}

/**
 * One URL path segment. Astro IDs are letters, digits, `_` and `-`; anything else (including `.`
 * and `..`, which URL parsing would resolve to another endpoint even when percent-encoded) is
 * refused before a request is sent.
 * @throws {AstroApiError} kind `bad_request`.
 */
function segment(id: string): string {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw new AstroApiError('bad_request', 'refused an ID that is not a plain path segment');
  return id;
}

/**
 * One plain ID used as a query value: the same alphabet as {@link segment}.
 * @throws {AstroApiError} kind `bad_request`.
 */
function idValue(id: string): string {
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw new AstroApiError('bad_request', 'refused an ID that is not a plain ID');
  return id;
}

/**
 * A paging number: an integer in `[0, max]`.
 * @throws {AstroApiError} kind `bad_request`.
 */
function pageValue(name: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) throw new AstroApiError('bad_request', `refused ${name} ${String(value)}: expected an integer from 0 to ${max}`);
  return value;
}

/**
 * One sort criterion, `<field>:asc` or `<field>:desc`.
 * @throws {AstroApiError} kind `bad_request`.
 */
function sortValue(sort: string): string {
  if (typeof sort !== 'string' || !/^[A-Za-z]{1,64}:(asc|desc)$/.test(sort)) throw new AstroApiError('bad_request', 'refused a sort that is not <field>:asc|desc');
  return sort;
}

/** A query string (with its `?`), array values repeated per key (form, explode), every part URI-encoded. */
function queryString(params: [string, string | number][]): string {
  if (params.length === 0) return '';
  return `?${params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&')}`;
}

/** The paging numbers of a list answer, with the request's values when Astro left them out. */
function paging(
  page: { totalCount?: number | undefined; offset?: number | undefined; limit?: number | undefined },
  asked: { offset: number; limit: number },
  read: number,
  unreadable: number,
): ListPage {
  const offset = page.offset ?? asked.offset;
  return { totalCount: page.totalCount ?? offset + read + unreadable, offset, limit: page.limit ?? asked.limit, unreadable };
}

/** The `[key, value]` pairs of the optional Workspace/Deployment filter of a list. */
function scopeParams(query: ScopeQuery): [string, string][] {
  const out: [string, string][] = [];
  if (query.workspaceId !== undefined) out.push(['workspaceId', idValue(query.workspaceId)]);
  if (query.deploymentId !== undefined) out.push(['deploymentId', idValue(query.deploymentId)]);
  return out;
}

/** Scope types of `ListRoles` and `ListPermissionGroups` (Astro API v1 spec enums). */
const SCOPE_TYPES = new Set(['DEPLOYMENT', 'WORKSPACE', 'ORGANIZATION', 'DAG']);
/**
 * One scope type.
 * @throws {AstroApiError} kind `bad_request`.
 */
function scopeTypeValue(scope: string): string {
  if (!SCOPE_TYPES.has(scope)) throw new AstroApiError('bad_request', 'refused a scope type the API does not know');
  return scope;
}

/**
 * An ISO 8601 date-time (`YYYY-MM-DDTHH:MM:SS(.sss)Z`).
 * @throws {AstroApiError} kind `bad_request`.
 */
function dateValue(value: string): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new AstroApiError('bad_request', 'refused a date that is not an ISO 8601 UTC date-time');
  }
  return value;
}

/** True for the errors fetch raises when a signal aborts (ours or a timeout). */
function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
}

/**
 * Creates an {@link AstroClient} over native fetch, with a per-request timeout.
 * Retries, rate limiting and the circuit breaker wrap this client (see `src/lookup/`).
 */
export function createAstroClient(options: AstroClientOptions = {}): AstroClient {
  const requestTimeoutMs = options.requestTimeoutMs ?? 7000;
  const maxBodyBytes = options.maxBodyBytes ?? 2 * 1024 * 1024;
  const userAgent = options.userAgent ?? 'astro-user';
  const doFetch = options.fetch ?? fetch;
  const listLimits = { timeoutMs: options.listRequestTimeoutMs ?? 10_000, maxBodyBytes: options.maxListBodyBytes ?? 4 * 1024 * 1024 };
  const auditLimits = { timeoutMs: options.listRequestTimeoutMs ?? 10_000, maxBodyBytes: options.maxAuditLogBytes ?? 64 * 1024 * 1024 };

  /**
   * Sends `GET {apiUrl}{path}` and reads the answer's body, at most `limits.maxBodyBytes`.
   * @returns the body of a 2xx answer, undecoded, with its status.
   * @throws {AstroApiError} for a non-2xx answer (with Astro's message and request ID when its
   *   body has them), a timeout, a network failure or a body over the cap.
   */
  async function getBody(
    target: AstroTarget,
    path: string,
    call: CallOptions | undefined,
    limits: { timeoutMs: number; maxBodyBytes: number },
    accept = 'application/json',
  ): Promise<{ status: number; body: Buffer }> {
    const { timeoutMs, maxBodyBytes: bodyCap } = limits;
    const url = `${target.apiUrl}${path}`;
    const signal = call?.signal
      ? AbortSignal.any([call.signal, AbortSignal.timeout(timeoutMs)])
      : AbortSignal.timeout(timeoutMs);
    let res: Response | undefined;
    let body: Buffer;
    const started = performance.now();
    const report = () => options.onResponse?.({ status: res?.status, durationMs: performance.now() - started });
    try {
      res = await doFetch(url, {
        method: 'GET',
        redirect: 'error',
        signal,
        headers: {
          authorization: `Bearer ${target.apiToken}`,
          accept,
          'user-agent': userAgent,
          'x-astro-client-identifier': 'astro-user',
        },
      });
      body = await readBody(res, bodyCap);
      report();
    } catch (err) {
      report();
      if (err instanceof AstroApiError) throw err;
      if (signal.aborted || isAbort(err)) throw new AstroApiError('timeout', `Astro did not answer within ${timeoutMs} ms`, { cause: err });
      throw new AstroApiError('unavailable', 'Could not reach the Astro API', { cause: err });
    }
    if (!res.ok) {
      const parsed = ErrorBodySchema.safeParse(parseJson(body.toString('utf8')));
      const info = parsed.success ? parsed.data : {};
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      throw new AstroApiError(kindForStatus(res.status), info.message ?? `Astro answered with status ${res.status}`, {
        status: res.status,
        ...(info.requestId ? { requestId: info.requestId } : {}),
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      });
    }
    return { status: res.status, body };
  }

  /**
   * `text`, the body of an answer with `status`, parsed as JSON.
   * @throws {AstroApiError} `bad_response` when it is not JSON.
   */
  function toJson(status: number, text: string): unknown {
    const json = parseJson(text);
    if (json === undefined) throw new AstroApiError('bad_response', 'Astro answered with a body that is not JSON', { status });
    return json;
  }

  /**
   * `GET` of an answer parsed as JSON at once (one user, and the organization lists other than
   * users, whose pages are small).
   * @throws {AstroApiError} as {@link getBody}; `bad_response` when the body is not JSON.
   */
  async function getJson(target: AstroTarget, path: string, call: CallOptions = {}, limits: { timeoutMs: number; maxBodyBytes: number } = { timeoutMs: requestTimeoutMs, maxBodyBytes }): Promise<unknown> {
    const { status, body } = await getBody(target, path, call, limits);
    return toJson(status, body.toString('utf8'));
  }

  /** The end of the last large list answer queued for decoding (never rejects). */
  let decoding: Promise<unknown> = Promise.resolve();

  /**
   * `GET` of one list page. The body is read like any answer, then parsed in turns of the event
   * loop of its own: UTF-8 decoding in one, JSON parsing in the next, then the items in slices
   * (see {@link readList}). Bodies of at least {@link LARGE_LIST_BYTES} are decoded one at a time
   * per client, so two large pages arriving together are never parsed in the same turn; smaller
   * ones do not wait behind them.
   * @throws {AstroApiError} as {@link getBody}; `bad_response` when the body is not JSON, or (with
   *   the message `unreadable`) has no array under `shape.key`; `timeout` when `call.signal` aborts
   *   while the items are parsed.
   */
  async function getList<T>(target: AstroTarget, path: string, call: CallOptions | undefined, shape: ListShape<T>, unreadable: string): Promise<ReadList<T>> {
    const answer = await getBody(target, path, call, listLimits);
    const decode = async (): Promise<ReadList<T>> => {
      await nextTurn();
      const text = answer.body.toString('utf8');
      await nextTurn();
      const json = toJson(answer.status, text);
      await nextTurn();
      const list = await readList(json, shape, call?.signal);
      if (!list) throw new AstroApiError('bad_response', unreadable, { status: 200 });
      return list;
    };
    if (answer.body.length < LARGE_LIST_BYTES) return decode();
    const turn = decoding.then(decode);
    decoding = turn.catch(() => undefined);
    return turn;
  }

  return {
    async getUser(target, userId, call) {
      const path = `/organizations/${segment(target.organizationId)}/users/${segment(userId)}`;
      const { status, body } = await getBody(target, path, call, { timeoutMs: requestTimeoutMs, maxBodyBytes });
      const parsed = AstroUserSchema.safeParse(toJson(status, body.toString('utf8')));
      if (!parsed.success) {
        throw new AstroApiError('bad_response', 'Astro answered with a user we could not read', { status: 200 });
      }
      return parsed.data;
    },

    async listWorkspaces(target, query, call) {
      const offset = pageValue('offset', query.offset ?? 0);
      const limit = pageValue('limit', query.limit ?? MAX_PAGE_LIMIT, MAX_PAGE_LIMIT);
      const ids = query.workspaceIds.map(idValue);
      const path = `/organizations/${segment(target.organizationId)}/workspaces`;
      if (ids.length === 0) return { workspaces: [], totalCount: 0, offset, limit, unreadable: 0 };
      const params: [string, string | number][] = [...ids.map((id): [string, string] => ['workspaceIds', id]), ['offset', offset], ['limit', limit]];
      const { items, unreadable, numbers } = await getList(target, path + queryString(params), call, WorkspacesList, 'Astro answered with a Workspace list we could not read');
      return { workspaces: items, ...paging(numbers, { offset, limit }, items.length, unreadable) };
    },

    async listDeployments(target, query, call) {
      const offset = pageValue('offset', query.offset ?? 0);
      const limit = pageValue('limit', query.limit ?? MAX_PAGE_LIMIT, MAX_PAGE_LIMIT);
      const ids = query.deploymentIds.map(idValue);
      const path = `/organizations/${segment(target.organizationId)}/deployments`;
      if (ids.length === 0) return { deployments: [], totalCount: 0, offset, limit, unreadable: 0 };
      const params: [string, string | number][] = [...ids.map((id): [string, string] => ['deploymentIds', id]), ['offset', offset], ['limit', limit]];
      const { items, unreadable, numbers } = await getList(target, path + queryString(params), call, DeploymentsList, 'Astro answered with a Deployment list we could not read');
      return { deployments: items, ...paging(numbers, { offset, limit }, items.length, unreadable) };
    },

    async listUsers(target, query, call) {
      const offset = pageValue('offset', query.offset);
      const limit = pageValue('limit', query.limit, MAX_PAGE_LIMIT);
      const sorts = (query.sorts ?? []).map(sortValue);
      const params: [string, string | number][] = [...scopeParams(query), ['offset', offset], ['limit', limit], ...sorts.map((s): [string, string] => ['sorts', s])];
      const path = `/organizations/${segment(target.organizationId)}/users${queryString(params)}`;
      const { items, unreadable, numbers } = await getList(target, path, call, UsersList, 'Astro answered with a user list we could not read');
      return { users: items, ...paging(numbers, { offset, limit }, items.length, unreadable) };
    },

    async listUserTeams(target, userId, query = {}, call) {
      const offset = pageValue('offset', query.offset ?? 0);
      const limit = pageValue('limit', query.limit ?? MAX_PAGE_LIMIT, MAX_PAGE_LIMIT);
      const params: [string, string | number][] = [['offset', offset], ['limit', limit]];
      const path = `/organizations/${segment(target.organizationId)}/users/${segment(userId)}/teams${queryString(params)}`;
      const { items, unreadable, numbers } = await getList(target, path, call, UserTeamsList, "Astro answered with a user's Team list we could not read");
      return { teams: items, ...paging(numbers, { offset, limit }, items.length, unreadable) };
    },

    async listAllWorkspaces(target, query = {}, call) {
      const page = pageOf(query);
      const path = `/organizations/${segment(target.organizationId)}/workspaces${queryString(page.params)}`;
      const parsed = WorkspaceCatalogPageSchema.safeParse(await getJson(target, path, call, listLimits));
      if (!parsed.success) throw unreadableList('Workspace');
      const { items, unreadable } = parsed.data.workspaces;
      return { workspaces: items, ...paging(parsed.data, page, items.length, unreadable) };
    },

    async listAllDeployments(target, query = {}, call) {
      const ids = (query.workspaceIds ?? []).map(idValue);
      const page = pageOf(query);
      const params: [string, string | number][] = [...ids.map((id): [string, string] => ['workspaceIds', id]), ...page.params];
      const path = `/organizations/${segment(target.organizationId)}/deployments${queryString(params)}`;
      const parsed = DeploymentCatalogPageSchema.safeParse(await getJson(target, path, call, listLimits));
      if (!parsed.success) throw unreadableList('Deployment');
      const { items, unreadable } = parsed.data.deployments;
      return { deployments: items, ...paging(parsed.data, page, items.length, unreadable) };
    },

    async listTeams(target, query = {}, call) {
      const page = pageOf(query);
      const params = [...scopeParams(query), ...page.params];
      const path = `/organizations/${segment(target.organizationId)}/teams${queryString(params)}`;
      const parsed = TeamsPageSchema.safeParse(await getJson(target, path, call, listLimits));
      if (!parsed.success) throw unreadableList('Team');
      const { items, unreadable } = parsed.data.teams;
      return { teams: items, ...paging(parsed.data, page, items.length, unreadable) };
    },

    async listTeamMembers(target, teamId, query = {}, call) {
      const page = pageOf(query);
      const path = `/organizations/${segment(target.organizationId)}/teams/${segment(teamId)}/members${queryString(page.params)}`;
      const parsed = TeamMembersPageSchema.safeParse(await getJson(target, path, call, listLimits));
      if (!parsed.success) throw unreadableList('Team member');
      const { items, unreadable } = parsed.data.teamMembers;
      return { members: items, ...paging(parsed.data, page, items.length, unreadable) };
    },

    async listApiTokens(target, query = {}, call) {
      const page = pageOf(query);
      const params: [string, string | number][] = [...scopeParams(query), ...page.params];
      if (query.includeOnlyOrganizationTokens) params.push(['includeOnlyOrganizationTokens', 'true']);
      const path = `/organizations/${segment(target.organizationId)}/tokens${queryString(params)}`;
      const parsed = ApiTokensPageSchema.safeParse(await getJson(target, path, call, listLimits));
      if (!parsed.success) throw unreadableList('API token');
      const { items, unreadable } = parsed.data.tokens;
      return { tokens: items, ...paging(parsed.data, page, items.length, unreadable) };
    },

    async listRoles(target, query = {}, call) {
      const page = pageOf(query);
      const scopes = (query.scopeTypes ?? []).map(scopeTypeValue);
      const params: [string, string | number][] = [];
      if (query.includeDefaultRoles) params.push(['includeDefaultRoles', 'true']);
      params.push(...scopes.map((s): [string, string] => ['scopeTypes', s]), ...page.params);
      const path = `/organizations/${segment(target.organizationId)}/roles${queryString(params)}`;
      const parsed = RolesPageSchema.safeParse(await getJson(target, path, call, listLimits));
      if (!parsed.success) throw unreadableList('role');
      const { items, unreadable } = parsed.data.roles;
      return { roles: items, defaultRoles: parsed.data.defaultRoles.items, ...paging(parsed.data, page, items.length, unreadable + parsed.data.defaultRoles.unreadable) };
    },

    async getCustomRole(target, roleId, call) {
      const path = `/organizations/${segment(target.organizationId)}/roles/${segment(roleId)}`;
      const parsed = RoleWithPermissionsSchema.safeParse(await getJson(target, path, call));
      if (!parsed.success) throw new AstroApiError('bad_response', 'Astro answered with a role we could not read', { status: 200 });
      return parsed.data;
    },

    async listPermissionGroups(target, scopeType, call) {
      const params: [string, string][] = scopeType === undefined ? [] : [['scopeType', scopeTypeValue(scopeType)]];
      const parsed = PermissionGroupsSchema.safeParse(await getJson(target, `/authorization/permission-groups${queryString(params)}`, call, listLimits));
      if (!parsed.success) throw unreadableList('permission group');
      return parsed.data.items;
    },

    async getOrganizationAuditLogs(target, query, call) {
      const params: [string, string][] = [
        ['startDate', dateValue(query.startDate)],
        ['endDate', dateValue(query.endDate)],
      ];
      const path = `/organizations/${segment(target.organizationId)}/audit-logs${queryString(params)}`;
      const res = await getBody(target, path, call ?? {}, auditLimits, 'application/octet-stream');
      return new Uint8Array(res.body.buffer, res.body.byteOffset, res.body.byteLength);
    },
  };
}

/** Offset and limit of a list request (validated, with defaults 0 and 1000) and their query pairs. */
function pageOf(query: PageQuery): { offset: number; limit: number; params: [string, number][] } {
  const offset = pageValue('offset', query.offset ?? 0);
  const limit = pageValue('limit', query.limit ?? MAX_PAGE_LIMIT, MAX_PAGE_LIMIT);
  return { offset, limit, params: [['offset', offset], ['limit', limit]] };
}

/** The error for a list answer without its item array. */
function unreadableList(what: string): AstroApiError {
  return new AstroApiError('bad_response', `Astro answered with a ${what} list we could not read`, { status: 200 });
}
