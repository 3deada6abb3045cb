/**
 * A stand-in Astro organization for the report and offboarding: users with roles, API tokens,
 * Teams with members, and the Workspace and Deployment catalog, served the way the Astro API v1
 * pages them (https://api.astronomer.io/spec/v1: `offset`, `limit` ≤ 1000, `totalCount`). Plain
 * JavaScript so that the benchmark (bench/run.mjs) serves the very same organization as the tests.
 */

/** An Astro-like ID: `c` + 24 lowercase letters or digits, from a prefix and a number. */
export function orgId(prefix, i) {
  const body = `${prefix}${i.toString(36)}`.toLowerCase().replace(/[^0-9a-z]/g, '');
  return `c${body.padStart(24, '0').slice(-24)}`;
}

/** An empty organization (lists filled by the test). */
export function emptyOrg() {
  return { users: [], tokens: [], teams: [], members: {}, workspaces: [], deployments: [] };
}

const DAY = 86_400_000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * A large organization, the same every time for the same sizes: `users` users (1% banned or
 * inactive with roles, 1% pending invitations, the rest active), `tokens` API tokens with every
 * kind of expiry and use, `teams` Teams of 20 members, `workspaces` Workspaces with
 * `deploymentsPerWorkspace` Deployments each. Dates are relative to `now` (ms since the epoch).
 */
export function bigOrg({ users = 5000, tokens = 500, teams = 50, workspaces = 25, deploymentsPerWorkspace = 4, now = Date.now() } = {}) {
  const org = emptyOrg();
  for (let w = 0; w < workspaces; w += 1) {
    const wsId = orgId('ws', w);
    org.workspaces.push({ id: wsId, name: `Workspace ${w}` });
    for (let d = 0; d < deploymentsPerWorkspace; d += 1) org.deployments.push({ id: orgId(`dep${w}x`, d), name: `Deployment ${w}-${d}`, workspaceId: wsId, workspaceName: `Workspace ${w}` });
  }
  for (let i = 0; i < users; i += 1) {
    const ws = org.workspaces[i % workspaces];
    const dep = org.deployments[i % org.deployments.length];
    const status = i % 100 === 1 ? 'BANNED' : i % 100 === 2 ? 'INACTIVE' : i % 100 === 3 ? 'PENDING' : 'ACTIVE';
    org.users.push({
      id: orgId('user', i),
      username: `user${i}@example.com`,
      fullName: `User Number ${i}`,
      status,
      createdAt: iso(now - ((i % 60) + 1) * DAY),
      organizationRole: i < 3 ? 'ORGANIZATION_OWNER' : 'ORGANIZATION_MEMBER',
      // Every fifth Workspace gets no owner: its owner slot goes to an Operator.
      workspaceRoles: [{ workspaceId: ws.id, role: i < workspaces && i % 5 !== 0 ? 'WORKSPACE_OWNER' : i % 3 ? 'WORKSPACE_MEMBER' : 'WORKSPACE_OPERATOR' }],
      deploymentRoles: i % 4 === 0 ? [{ deploymentId: dep.id, role: i % 8 === 0 ? 'DEPLOYMENT_ADMIN' : 'DEPLOYMENT_ACCESSOR' }] : [],
      dagRoles: i % 10 === 0 ? [{ deploymentId: dep.id, role: 'DAG_VIEWER', dagId: `dag_${i % 7}` }] : [],
    });
  }
  for (let t = 0; t < tokens; t += 1) {
    const kind = t % 5;
    const ws = org.workspaces[t % workspaces];
    const dep = org.deployments[t % org.deployments.length];
    const scope = t % 3 === 0 ? 'ORGANIZATION' : t % 3 === 1 ? 'WORKSPACE' : 'DEPLOYMENT';
    const creator = org.users[(t * 7) % users];
    org.tokens.push({
      id: orgId('tok', t),
      name: `token-${t}`,
      scope,
      roles: scope === 'ORGANIZATION' ? [{ entityType: 'ORGANIZATION', entityId: 'org', role: 'ORGANIZATION_MEMBER' }] : scope === 'WORKSPACE' ? [{ entityType: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_MEMBER' }] : [{ entityType: 'DEPLOYMENT', entityId: dep.id, role: 'DEPLOYMENT_ADMIN' }],
      createdBy: { id: creator.id, subjectType: 'USER', username: creator.username, fullName: creator.fullName },
      createdAt: iso(now - (200 - (t % 150)) * DAY),
      // 0: expires within 30 days, 1: never, 2: in a year, 3: within a week, 4: in 60 days
      ...(kind === 1 ? {} : { endAt: iso(now + [20, 0, 365, 5, 60][kind] * DAY) }),
      ...(t % 4 === 0 ? {} : { lastUsedAt: iso(now - (t % 4 === 1 ? 100 : 3) * DAY) }),
    });
  }
  for (let t = 0; t < teams; t += 1) {
    const id = orgId('team', t);
    const ws = org.workspaces[t % workspaces];
    org.teams.push({ id, name: `Team ${t}`, isIdpManaged: t % 2 === 0, createdAt: iso(now - 300 * DAY), organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [{ workspaceId: ws.id, role: 'WORKSPACE_AUTHOR' }], deploymentRoles: [], dagRoles: [] });
    org.members[id] = Array.from({ length: Math.min(20, users) }, (_, k) => {
      const u = org.users[(t * 20 + k) % users];
      return { userId: u.id, username: u.username, fullName: u.fullName };
    });
  }
  return org;
}

function page(res, key, items, url) {
  const offset = Number(url.searchParams.get('offset') ?? 0);
  const limit = Number(url.searchParams.get('limit') ?? 20);
  json(res, 200, { [key]: items.slice(offset, offset + limit), offset, limit, totalCount: items.length });
}

function json(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Answers `req` (method and `url`, path and query) from `org` when it is one of the organization's
 * lists or a user, and returns true; else returns false and leaves `res` alone.
 * `options.forbid`: list names (`tokens`, `teams`, `workspaces`, `deployments`) answered 403.
 */
export function answerOrg(req, res, org, organizationId, options = {}) {
  if (req.method && req.method !== 'GET') return false;
  const url = new URL(req.url, 'http://astro.invalid');
  const prefix = `/organizations/${organizationId}`;
  if (!url.pathname.startsWith(`${prefix}/`)) return false;
  const path = url.pathname.slice(prefix.length);
  const forbid = new Set(options.forbid ?? []);
  const denied = (what) => {
    if (!forbid.has(what)) return false;
    json(res, 403, { message: 'forbidden', requestId: `req-403-${what}`, statusCode: 403 });
    return true;
  };
  if (path === '/users') {
    const sorted = [...org.users].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    page(res, 'users', sorted, url);
    return true;
  }
  const user = /^\/users\/([^/]+)$/.exec(path);
  if (user) {
    const found = org.users.find((u) => u.id === user[1]);
    if (found) json(res, 200, found);
    else json(res, 404, { message: 'not found', requestId: 'req-404' });
    return true;
  }
  if (path === '/tokens') {
    if (!denied('tokens')) page(res, 'tokens', org.tokens, url);
    return true;
  }
  if (path === '/teams') {
    if (!denied('teams')) page(res, 'teams', org.teams, url);
    return true;
  }
  const members = /^\/teams\/([^/]+)\/members$/.exec(path);
  if (members) {
    if (!denied('teams')) {
      const list = org.members[members[1]];
      if (list) page(res, 'teamMembers', list, url);
      else json(res, 404, { message: 'no such Team', requestId: 'req-404-team' });
    }
    return true;
  }
  if (path === '/workspaces') {
    if (denied('workspaces')) return true;
    const ids = url.searchParams.getAll('workspaceIds');
    page(res, 'workspaces', ids.length ? org.workspaces.filter((w) => ids.includes(w.id)) : org.workspaces, url);
    return true;
  }
  if (path === '/deployments') {
    if (denied('deployments')) return true;
    const ids = url.searchParams.getAll('deploymentIds');
    page(res, 'deployments', ids.length ? org.deployments.filter((d) => ids.includes(d.id)) : org.deployments, url);
    return true;
  }
  return false;
}
