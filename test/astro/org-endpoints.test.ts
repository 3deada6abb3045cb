/**
 * The organization-wide operations of createAstroClient behind access answers and reports
 * (ListWorkspaces/ListDeployments without ID filters, ListTeams, ListTeamMembers, ListApiTokens,
 * ListRoles, GetCustomRole, ListPermissionGroups, GetOrganizationAuditLogs): the requests they
 * send (loopback stub), how tolerant their parsing is, that an API token's secret is never kept,
 * and one request of each against Prism serving the official v1 spec.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAstroClient, type AstroTarget } from '../../src/astro/client.js';
import { AstroApiError } from '../../src/astro/errors.js';
import { createResilientAstroClient } from '../../src/astro/policy.js';
import { json, startHttpStub, type HttpStub, type RecordedRequest } from '../support/http-stub.js';
import { sharedPrism, type PrismMock } from '../support/prism.js';
import { PERMISSION_SCOPE_TYPES, ROLE_SCOPE_TYPES } from '../../src/lookup/role-catalog.js';
import { astroFailure } from '../support/astro-failure.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcmctdGVzdCJ9.orgTestSignature';
const ORG = 'clorg000000000000000000001';
const WS = 'clx1ws00000001abcdefghijk';
const DEP = 'clx1dep0000001abcdefghijk';
const TEAM = 'clx1team000001abcdefghijk';

let stub: HttpStub;
let target: AstroTarget;
let answer: (req: RecordedRequest) => [number, unknown];

beforeAll(async () => {
  stub = await startHttpStub((req, res) => {
    const [status, body] = answer(req);
    if (body instanceof Buffer) {
      res.writeHead(status, { 'content-type': 'application/octet-stream' });
      res.end(body);
      return;
    }
    json(res, status, body);
  });
  target = { apiUrl: stub.url, apiToken: TOKEN, organizationId: ORG };
});
afterAll(async () => stub?.close());
beforeEach(() => {
  stub.requests.length = 0;
  answer = () => [500, { message: 'unexpected request', requestId: 'req-x', statusCode: 500 }];
});

/** Path and query of the only request sent. */
function sent(): { path: string; query: string } {
  expect(stub.requests).toHaveLength(1);
  const url = new URL(stub.requests[0]!.url, 'http://stub');
  return { path: url.pathname, query: url.search };
}

const failure = astroFailure;

const page = (key: string, items: unknown[]) => ({ [key]: items, limit: 1000, offset: 0, totalCount: items.length });

describe('catalog lists (no ID filter)', () => {
  it('lists every Workspace, and the Deployments of chosen Workspaces with their status', async () => {
    const astro = createAstroClient();
    answer = () => [200, page('workspaces', [{ id: WS, name: 'Data', description: 'ETL' }, { id: WS }])];
    const ws = await astro.listAllWorkspaces(target);
    expect(sent()).toEqual({ path: `/organizations/${ORG}/workspaces`, query: '?offset=0&limit=1000' });
    expect(ws.workspaces).toEqual([{ id: WS, name: 'Data', description: 'ETL' }]);
    expect(ws.unreadable).toBe(1);

    stub.requests.length = 0;
    answer = () => [200, page('deployments', [{ id: DEP, name: 'etl-prod', workspaceId: WS, status: 'HEALTHY', executor: 'CELERY' }])];
    const deps = await astro.listAllDeployments(target, { workspaceIds: [WS], offset: 1000, limit: 500 });
    expect(sent()).toEqual({ path: `/organizations/${ORG}/deployments`, query: `?workspaceIds=${WS}&offset=1000&limit=500` });
    expect(deps.deployments).toEqual([{ id: DEP, name: 'etl-prod', workspaceId: WS, status: 'HEALTHY' }]);
  });
});

describe('ListTeams and ListTeamMembers', () => {
  it('filters Teams by Deployment and parses the roles each grants', async () => {
    answer = () => [
      200,
      page('teams', [{ id: TEAM, name: 'Data Eng', isIdpManaged: true, organizationRole: 'ORGANIZATION_MEMBER', deploymentRoles: [{ deploymentId: DEP, role: 'DEPLOYMENT_ADMIN' }, { bad: 1 }] }]),
    ];
    const teams = await createAstroClient().listTeams(target, { deploymentId: DEP });
    expect(sent()).toEqual({ path: `/organizations/${ORG}/teams`, query: `?deploymentId=${DEP}&offset=0&limit=1000` });
    expect(teams.teams[0]).toMatchObject({ id: TEAM, name: 'Data Eng', isIdpManaged: true, deploymentRoles: [{ deploymentId: DEP, role: 'DEPLOYMENT_ADMIN' }], unreadableRoles: 1 });
  });

  it("lists a Team's members and refuses a Team ID that is not a plain segment", async () => {
    answer = () => [200, page('teamMembers', [{ userId: 'u1', username: 'ada@example.com', fullName: 'Ada' }, { username: 'no-id' }])];
    const members = await createAstroClient().listTeamMembers(target, TEAM, { limit: 100 });
    expect(sent()).toEqual({ path: `/organizations/${ORG}/teams/${TEAM}/members`, query: '?offset=0&limit=100' });
    expect(members.members).toEqual([{ userId: 'u1', username: 'ada@example.com', fullName: 'Ada' }]);
    expect(members.unreadable).toBe(1);

    stub.requests.length = 0;
    expect((await failure(createAstroClient().listTeamMembers(target, '../users'))).kind).toBe('bad_request');
    expect(stub.requests).toHaveLength(0);
  });

  it('lists users with a role in a Workspace', async () => {
    answer = () => [200, page('users', [])];
    await createAstroClient().listUsers(target, { offset: 0, limit: 1000, workspaceId: WS, sorts: ['id:asc'] });
    expect(sent().query).toBe(`?workspaceId=${WS}&offset=0&limit=1000&sorts=id%3Aasc`);
  });
});

describe('ListApiTokens', () => {
  it('keeps name, scope, roles, expiry and last use, and never the secret', async () => {
    answer = () => [
      200,
      page('tokens', [
        {
          id: 'tok1',
          name: 'ci-deploy',
          description: '',
          kind: 'STANDARD',
          scope: 'DEPLOYMENT',
          shortToken: 'abc',
          token: 'THE-SECRET-VALUE',
          startAt: '2026-01-01T00:00:00Z',
          endAt: '2026-12-20T00:00:00Z',
          lastUsedAt: 'not a date',
          createdAt: '2026-01-01T00:00:00Z',
          updatedAt: '2026-01-01T00:00:00Z',
          createdBy: { id: 'u1', subjectType: 'USER', username: 'ada@example.com' },
          roles: [{ entityType: 'DEPLOYMENT', entityId: DEP, role: 'DEPLOYMENT_ADMIN' }, { entityType: 'DAG' }],
        },
      ]),
    ];
    const tokens = await createAstroClient().listApiTokens(target, { workspaceId: WS, includeOnlyOrganizationTokens: false });
    expect(sent().query).toBe(`?workspaceId=${WS}&offset=0&limit=1000`);
    const [t] = tokens.tokens;
    expect(t).toMatchObject({ id: 'tok1', name: 'ci-deploy', scope: 'DEPLOYMENT', endAt: '2026-12-20T00:00:00Z', unreadableRoles: 1, createdBy: { id: 'u1', username: 'ada@example.com' } });
    expect(t!.lastUsedAt).toBeUndefined();
    expect(t!.roles).toEqual([{ entityType: 'DEPLOYMENT', entityId: DEP, role: 'DEPLOYMENT_ADMIN' }]);
    expect(JSON.stringify(tokens)).not.toContain('THE-SECRET-VALUE');
    expect(JSON.stringify(tokens)).not.toContain('shortToken');
  });

  it('asks for Organization tokens only when told to', async () => {
    answer = () => [200, page('tokens', [])];
    await createAstroClient().listApiTokens(target, { includeOnlyOrganizationTokens: true, limit: 10 });
    expect(sent().query).toBe('?offset=0&limit=10&includeOnlyOrganizationTokens=true');
  });
});

describe('roles and permissions', () => {
  it('lists custom and default roles of chosen scopes', async () => {
    answer = () => [
      200,
      {
        ...page('roles', [{ id: 'r1', name: 'Viewer+', scopeType: 'DEPLOYMENT', restrictedWorkspaceIds: [WS, 7] }]),
        defaultRoles: [{ name: 'DEPLOYMENT_ADMIN', scopeType: 'DEPLOYMENT', description: 'Full control', permissions: ['deployment.get', 3] }],
      },
    ];
    const roles = await createAstroClient().listRoles(target, { includeDefaultRoles: true, scopeTypes: ['DEPLOYMENT', 'DAG'] });
    expect(sent().query).toBe('?includeDefaultRoles=true&scopeTypes=DEPLOYMENT&scopeTypes=DAG&offset=0&limit=1000');
    expect(roles.roles).toEqual([{ id: 'r1', name: 'Viewer+', scopeType: 'DEPLOYMENT', restrictedWorkspaceIds: [WS] }]);
    expect(roles.defaultRoles).toEqual([{ name: 'DEPLOYMENT_ADMIN', scopeType: 'DEPLOYMENT', description: 'Full control', permissions: ['deployment.get'] }]);
  });

  it('refuses an unknown scope type without a request', async () => {
    expect((await failure(createAstroClient().listRoles(target, { scopeTypes: ['SYSTEM&x=1'] }))).kind).toBe('bad_request');
    expect((await failure(createAstroClient().listPermissionGroups(target, 'EVERYTHING'))).kind).toBe('bad_request');
    expect(stub.requests).toHaveLength(0);
  });

  it('reads a custom role with its permissions, and the words for each permission', async () => {
    answer = () => [200, { id: 'r1', name: 'Viewer+', scopeType: 'DEPLOYMENT', restrictedWorkspaceIds: [], permissions: ['deployment.get', 'deployment.logs.get'] }];
    const role = await createAstroClient().getCustomRole(target, 'r1');
    expect(sent().path).toBe(`/organizations/${ORG}/roles/r1`);
    expect(role.permissions).toEqual(['deployment.get', 'deployment.logs.get']);

    stub.requests.length = 0;
    answer = () => [200, [{ name: 'Deployment', description: 'About the Deployment', scope: 'DEPLOYMENT', permissions: [{ action: 'deployment.get', description: 'View the Deployment' }, { action: 7 }] }, 'junk']];
    const groups = await createAstroClient().listPermissionGroups(target, 'DEPLOYMENT');
    expect(sent()).toEqual({ path: '/authorization/permission-groups', query: '?scopeType=DEPLOYMENT' });
    expect(groups).toEqual([{ name: 'Deployment', description: 'About the Deployment', scope: 'DEPLOYMENT', permissions: [{ action: 'deployment.get', description: 'View the Deployment' }] }]);
  });
});

describe('GetOrganizationAuditLogs', () => {
  it('answers the raw bytes for a period, and refuses a date that is not ISO 8601 without a request', async () => {
    const body = gzipSync('{"a":1}\n{"a":2}\n');
    answer = () => [200, body];
    const bytes = await createAstroClient().getOrganizationAuditLogs(target, { startDate: '2026-11-30T00:00:00Z', endDate: '2026-12-01T00:00:00Z' });
    expect(sent().query).toBe('?startDate=2026-11-30T00%3A00%3A00Z&endDate=2026-12-01T00%3A00%3A00Z');
    expect(Buffer.from(bytes).equals(body)).toBe(true);

    stub.requests.length = 0;
    expect((await failure(createAstroClient().getOrganizationAuditLogs(target, { startDate: 'yesterday', endDate: '2026-12-01T00:00:00Z' }))).kind).toBe('bad_request');
    expect(stub.requests).toHaveLength(0);
  });

  it('maps a 403 (not an Organization Owner) to forbidden', async () => {
    answer = () => [403, { message: 'forbidden', requestId: 'req-403', statusCode: 403 }];
    const err = await failure(createAstroClient().getOrganizationAuditLogs(target, { startDate: '2026-11-30T00:00:00Z', endDate: '2026-12-01T00:00:00Z' }));
    expect(err.kind).toBe('forbidden');
    expect(err.requestId).toBe('req-403');
  });
});

describe('through createResilientAstroClient', () => {
  it('retries the new operations on a 503', async () => {
    const astro = createResilientAstroClient(createAstroClient(), { backoffBaseMs: 1, backoffCapMs: 5 });
    let calls = 0;
    answer = () => (++calls % 2 === 1 ? [503, { message: 'busy', requestId: 'r', statusCode: 503 }] : [200, page('teams', [])]);
    expect((await astro.listTeams(target, { workspaceId: WS })).teams).toEqual([]);
    expect(calls).toBe(2);
  });
});

describe('against Prism serving the official v1 spec', () => {
  let prism: PrismMock;
  beforeAll(async () => {
    prism = await sharedPrism();
  }, 90_000);
  afterAll(async () => prism?.close());

  it('sends one request of each new operation that the spec accepts, and reads the examples', async () => {
    const astro = createAstroClient({ listRequestTimeoutMs: 10_000, requestTimeoutMs: 10_000 });
    const t: AstroTarget = { apiUrl: prism.url, apiToken: TOKEN, organizationId: ORG };
    const ws = await astro.listAllWorkspaces(t);
    const deps = await astro.listAllDeployments(t, { workspaceIds: [WS] });
    const teams = await astro.listTeams(t, { deploymentId: DEP });
    const members = await astro.listTeamMembers(t, TEAM);
    const tokens = await astro.listApiTokens(t, { workspaceId: WS });
    const users = await astro.listUsers(t, { offset: 0, limit: 1000, deploymentId: DEP });
    // The role catalog's requests (src/lookup/role-catalog.ts), as it sends them.
    const roles = await astro.listRoles(t, { includeDefaultRoles: true, scopeTypes: [...ROLE_SCOPE_TYPES] });
    const role = await astro.getCustomRole(t, 'clrole00000001abcdefghijk');
    const groups = (await Promise.all(PERMISSION_SCOPE_TYPES.map((scope) => astro.listPermissionGroups(t, scope)))).flat();
    await astro.getOrganizationAuditLogs(t, { startDate: '2026-11-30T00:00:00Z', endDate: '2026-12-01T00:00:00Z' }).catch((err: unknown) => {
      // Prism cannot make up an octet-stream example; the request shape is what is checked here.
      if (!(err instanceof AstroApiError)) throw err;
    });
    for (const list of [ws.workspaces, deps.deployments, teams.teams, members.members, tokens.tokens, users.users, roles.roles, groups]) expect(list.length).toBeGreaterThan(0);
    expect(ws.unreadable + deps.unreadable + teams.unreadable + members.unreadable + tokens.unreadable + users.unreadable + roles.unreadable).toBe(0);
    expect(role.name.length).toBeGreaterThan(0);
    expect(prism.output()).not.toMatch(/Violation/);
  });
});
