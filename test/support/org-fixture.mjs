/**
 * A synthetic Astro organization for the stand-in Astro API: Workspaces, Deployments, users with
 * roles, Teams with members and roles, API tokens. {@link answerOrg} serves the v1 list operations
 * the access answers read (ListWorkspaces, ListDeployments, ListUsers filtered by Workspace or
 * Deployment, ListTeams, ListTeamMembers, ListApiTokens), with offset/limit paging;
 * {@link answerOrgUsers} adds GetUser, ListUserTeams and the unfiltered ListUsers of its users.
 *
 * Plain JavaScript (types in org-fixture.d.mts) so that the tests (TypeScript, through
 * test/support/astro-org.ts) and the benchmark (bench/access.mjs, plain Node against the built app)
 * share one organization.
 *
 * A filtered ListUsers returns the users with a direct role there (a Workspace role, or a
 * Deployment or DAG role on one of its Deployments), never those who reach it only through a Team:
 * Astro does not document it either way, and the app must not rely on it.
 *
 * Shapes: Astro API v1 (https://api.astronomer.io/spec/v1) `User`, `Team`, `TeamMember`,
 * `ApiToken`, `Workspace`, `Deployment` and their `…Paginated` lists.
 */

/** The organization every fixture belongs to (test/support/app.ts and the bench use the same). */
export const ORG_ID = 'clorg000000000000000000001';

/** A 25-character CUID-like ID: `c`, a 4-letter kind, digits. */
export function orgId(kind, n) {
  return `c${kind.slice(0, 4).padEnd(4, 'x')}${n.toString(36).padStart(20, '0')}`;
}

const T0 = '2026-01-01T00:00:00Z';

/** A user with roles. */
export function orgUser(n, roles = {}) {
  return {
    id: orgId('user', n),
    username: `user${n}@example.com`,
    fullName: roles.fullName ?? `User ${n}`,
    status: roles.status ?? 'ACTIVE',
    avatarUrl: `https://avatars.example.com/${n}.png`,
    createdAt: T0,
    updatedAt: T0,
    organizationRole: roles.organizationRole ?? 'ORGANIZATION_MEMBER',
    workspaceRoles: roles.workspaceRoles ?? [],
    deploymentRoles: roles.deploymentRoles ?? [],
    dagRoles: roles.dagRoles ?? [],
  };
}

/** A Team with roles and members. */
export function orgTeam(n, memberIds, roles = {}) {
  return {
    id: orgId('team', n),
    name: roles.name ?? `Team ${n}`,
    isIdpManaged: roles.isIdpManaged ?? false,
    organizationId: ORG_ID,
    organizationRole: roles.organizationRole ?? 'ORGANIZATION_MEMBER',
    createdAt: T0,
    updatedAt: T0,
    memberIds,
    workspaceRoles: roles.workspaceRoles ?? [],
    deploymentRoles: roles.deploymentRoles ?? [],
    dagRoles: roles.dagRoles ?? [],
  };
}

/** An API token with roles. */
export function orgToken(n, roles, extra = {}) {
  return {
    id: orgId('tokn', n),
    name: `token-${n}`,
    description: '',
    kind: 'STANDARD',
    scope: roles[0]?.entityType === 'WORKSPACE' ? 'WORKSPACE' : roles[0]?.entityType === 'ORGANIZATION' ? 'ORGANIZATION' : 'DEPLOYMENT',
    shortToken: 'short',
    token: `SECRET-TOKEN-VALUE-${n}`,
    startAt: T0,
    createdAt: T0,
    updatedAt: T0,
    roles,
    ...extra,
  };
}

/**
 * A generated organization: `workspaces` Workspaces with `deploymentsPerWorkspace` each, `users`
 * users (the first 3 Organization Owners; each with a Workspace role on one Workspace and a
 * Deployment role on one Deployment), `teams` Teams of `membersPerTeam` each with a Workspace role,
 * and `tokens` Deployment tokens spread over the Deployments.
 */
export function generateOrg(size) {
  const workspaces = Array.from({ length: size.workspaces }, (_, i) => ({ id: orgId('wksp', i), name: `workspace-${i}`, organizationId: ORG_ID, createdAt: T0, updatedAt: T0, cicdEnforcedDefault: false }));
  const deployments = workspaces.flatMap((w, wi) => Array.from({ length: size.deploymentsPerWorkspace }, (_, j) => ({ id: orgId('depl', wi * size.deploymentsPerWorkspace + j), name: `${w.name}-dep-${j}`, workspaceId: w.id, workspaceName: w.name, status: 'HEALTHY' })));
  const wsRoles = ['WORKSPACE_OWNER', 'WORKSPACE_OPERATOR', 'WORKSPACE_AUTHOR', 'WORKSPACE_MEMBER', 'WORKSPACE_ACCESSOR'];
  const users = Array.from({ length: size.users }, (_, i) => {
    const w = workspaces[i % workspaces.length];
    const d = deployments[i % deployments.length];
    return orgUser(i, {
      organizationRole: i < 3 ? 'ORGANIZATION_OWNER' : 'ORGANIZATION_MEMBER',
      workspaceRoles: [{ workspaceId: w.id, role: wsRoles[i % wsRoles.length] }],
      deploymentRoles: [{ deploymentId: d.id, role: i % 2 ? 'DEPLOYMENT_ADMIN' : 'DEPLOYMENT_ACCESSOR' }],
    });
  });
  const teams = Array.from({ length: size.teams }, (_, t) =>
    orgTeam(
      t,
      Array.from({ length: size.membersPerTeam }, (_, m) => users[(t * 7 + m * 13) % users.length].id),
      { workspaceRoles: [{ workspaceId: workspaces[t % workspaces.length].id, role: wsRoles[t % wsRoles.length] }], isIdpManaged: t % 3 === 0 },
    ),
  );
  const tokens = Array.from({ length: size.tokens }, (_, k) => orgToken(k, [{ entityType: 'DEPLOYMENT', entityId: deployments[k % deployments.length].id, role: 'DEPLOYMENT_ADMIN' }], { lastUsedAt: T0, ...(k % 4 ? { endAt: '2027-06-01T00:00:00Z' } : {}) }));
  return { workspaces, deployments, users, teams, tokens };
}

/** Writes a JSON answer. */
function json(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Offset/limit of a list request, Astro's defaults when absent (0, 20). */
function paging(params) {
  return { offset: Number(params.get('offset') ?? 0), limit: Number(params.get('limit') ?? 20) };
}

function page(res, key, items, params, map = (t) => t) {
  const { offset, limit } = paging(params);
  json(res, 200, { [key]: items.slice(offset, offset + limit).map(map), offset, limit, totalCount: items.length });
}

const strip = ({ memberIds: _m, ...team }) => team;

/**
 * When `req` is one of the organization list operations, answers it from `org` and returns true;
 * else returns false and leaves `res` alone.
 */
export function answerOrg(req, res, org) {
  const [path = '', query = ''] = req.url.split('?', 2);
  const params = new URLSearchParams(query);
  const base = `/organizations/${ORG_ID}`;
  const served = () => org.served?.push(path);
  if (path === `${base}/workspaces` && !params.has('workspaceIds')) {
    served();
    page(res, 'workspaces', org.workspaces, params);
    return true;
  }
  if (path === `${base}/deployments` && !params.has('deploymentIds')) {
    served();
    const ws = params.getAll('workspaceIds');
    page(res, 'deployments', ws.length ? org.deployments.filter((d) => ws.includes(d.workspaceId)) : org.deployments, params);
    return true;
  }
  if (path === `${base}/deployments` && params.has('deploymentIds')) {
    served();
    const ids = params.getAll('deploymentIds');
    page(res, 'deployments', org.deployments.filter((d) => ids.includes(d.id)), params);
    return true;
  }
  if (path === `${base}/workspaces` && params.has('workspaceIds')) {
    served();
    const ids = params.getAll('workspaceIds');
    page(res, 'workspaces', org.workspaces.filter((w) => ids.includes(w.id)), params);
    return true;
  }
  if (path === `${base}/users` && (params.has('workspaceId') || params.has('deploymentId') || params.get('sorts') === 'id:asc')) {
    served();
    const ws = params.get('workspaceId');
    const dep = params.get('deploymentId');
    const depsOfWs = new Set(org.deployments.filter((d) => d.workspaceId === ws).map((d) => d.id));
    const users = org.users.filter((u) => {
      if (ws) return u.workspaceRoles.some((r) => r.workspaceId === ws) || u.deploymentRoles.some((r) => depsOfWs.has(r.deploymentId)) || u.dagRoles.some((r) => depsOfWs.has(r.deploymentId));
      if (dep) return u.deploymentRoles.some((r) => r.deploymentId === dep) || u.dagRoles.some((r) => r.deploymentId === dep);
      return true;
    });
    page(res, 'users', users, params);
    return true;
  }
  if (path === `${base}/teams`) {
    served();
    page(res, 'teams', org.teams, params, strip);
    return true;
  }
  const members = new RegExp(`^${base}/teams/([^/]+)/members$`).exec(path);
  if (members) {
    served();
    const team = org.teams.find((t) => t.id === members[1]);
    if (!team) {
      json(res, 404, { message: 'team not found', requestId: 'req-team-404' });
      return true;
    }
    const byId = new Map(org.users.map((u) => [u.id, u]));
    page(res, 'teamMembers', team.memberIds, params, (id) => ({ userId: id, username: byId.get(id)?.username ?? `${id}@example.com`, fullName: byId.get(id)?.fullName ?? id }));
    return true;
  }
  if (path === `${base}/tokens`) {
    served();
    if (org.denyTokens) {
      json(res, 403, { message: 'forbidden', requestId: 'req-tokens-403' });
      return true;
    }
    page(res, 'tokens', org.tokens, params);
    return true;
  }
  return false;
}

/**
 * The operations on the organization's users that {@link answerOrg} leaves alone: GetUser
 * (`/users/{id}`) and ListUserTeams (`/users/{id}/teams`: the Teams with that member, with their
 * roles, as `UserTeamMembership`) of a user of `org`, and ListUsers without a filter (any sort, e.g.
 * the start-up check's page of one). Returns false, leaving `res` alone, for anything else,
 * including a user `org` does not have.
 */
export function answerOrgUsers(req, res, org) {
  const [path = '', query = ''] = req.url.split('?', 2);
  const params = new URLSearchParams(query);
  const base = `/organizations/${ORG_ID}`;
  if (path === `${base}/users` && !params.has('workspaceId') && !params.has('deploymentId')) {
    org.served?.push(path);
    page(res, 'users', org.users, params);
    return true;
  }
  const m = new RegExp(`^${base}/users/([^/]+)(/teams)?$`).exec(path);
  const id = m ? decodeURIComponent(m[1]) : '';
  const user = m ? org.users.find((u) => u.id === id) : undefined;
  if (!m || !user) return false;
  org.served?.push(path);
  if (!m[2]) {
    json(res, 200, user);
    return true;
  }
  const teams = org.teams.filter((t) => t.memberIds.includes(user.id)).map(({ id, name, isIdpManaged, organizationRole, workspaceRoles, deploymentRoles, dagRoles }) => ({ id, name, isIdpManaged, organizationRole, workspaceRoles, deploymentRoles, dagRoles }));
  page(res, 'teams', teams, params);
  return true;
}
