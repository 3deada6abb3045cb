/**
 * The list operations of createAstroClient (ListWorkspaces, ListDeployments, ListUsers,
 * ListUserTeams) against a real loopback HTTP server: the query strings they send (array
 * parameters repeated per value, form/explode, as the spec's defaults say), how pages parse
 * (tolerant: unreadable items dropped and counted), their typed errors, the resilient wrappers,
 * and one request of each against Prism serving the official v1 spec.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAstroClient, LIST_ITEMS_PER_SLICE, type AstroTarget } from '../../src/astro/client.js';
import type { AstroApiError } from '../../src/astro/errors.js';
import { createResilientAstroClient } from '../../src/astro/policy.js';
import { json, startHttpStub, type HttpStub, type RecordedRequest } from '../support/http-stub.js';
import { ADA, specExample } from '../support/fixtures.js';
import { sharedPrism, type PrismMock } from '../support/prism.js';
import { astroFailure } from '../support/astro-failure.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsaXN0LXRlc3QifQ.listTestSignature';
const ORG = 'clorg000000000000000000001';
const WS_A = 'clx1ws00000001abcdefghijk';
const WS_B = 'clx1ws00000002abcdefghijk';
const DEP_A = 'clx1dep0000001abcdefghijk';
const DEP_B = 'clx1dep0000002abcdefghijk';

let stub: HttpStub;
let target: AstroTarget;
let answer: (req: RecordedRequest) => [number, unknown];

beforeAll(async () => {
  stub = await startHttpStub((req, res) => {
    const [status, body] = answer(req);
    json(res, status, body);
  });
  target = { apiUrl: stub.url, apiToken: TOKEN, organizationId: ORG };
});
afterAll(async () => stub?.close());
beforeEach(() => {
  stub.requests.length = 0;
  answer = () => [500, { message: 'unexpected request', requestId: 'req-x', statusCode: 500 }];
});

/** Path and decoded query of a recorded request. */
function parts(req: RecordedRequest): { path: string; query: URLSearchParams } {
  const url = new URL(req.url, 'http://stub');
  return { path: url.pathname, query: url.searchParams };
}

const failure = astroFailure;

describe('listWorkspaces (ListWorkspaces)', () => {
  it('sends workspaceIds once per value, then offset and limit, with the Bearer token', async () => {
    answer = () => [200, { workspaces: [], limit: 1000, offset: 0, totalCount: 0 }];
    await createAstroClient().listWorkspaces(target, { workspaceIds: [WS_A, WS_B] });
    expect(stub.requests).toHaveLength(1);
    const req = stub.requests[0]!;
    expect(req.url).toBe(`/organizations/${ORG}/workspaces?workspaceIds=${WS_A}&workspaceIds=${WS_B}&offset=0&limit=1000`);
    expect(parts(req).query.getAll('workspaceIds')).toEqual([WS_A, WS_B]);
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.headers.accept).toBe('application/json');
  });

  it('passes offset and limit as asked', async () => {
    answer = () => [200, { workspaces: [], limit: 2, offset: 4, totalCount: 0 }];
    await createAstroClient().listWorkspaces(target, { workspaceIds: [WS_A], offset: 4, limit: 2 });
    const { query } = parts(stub.requests[0]!);
    expect(query.get('offset')).toBe('4');
    expect(query.get('limit')).toBe('2');
  });

  it('parses the spec example to {id, name} and the paging numbers', async () => {
    const example = specExample('WorkspacesPaginated');
    const ws = (example.workspaces as Record<string, unknown>[])[0]!;
    answer = () => [200, example];
    const page = await createAstroClient().listWorkspaces(target, { workspaceIds: [String(ws.id)] });
    expect(page.workspaces).toEqual([{ id: ws.id, name: ws.name }]);
    expect(page).toMatchObject({ totalCount: example.totalCount, offset: example.offset, limit: example.limit, unreadable: 0 });
  });

  it('drops unreadable items and counts them, keeping the rest', async () => {
    answer = () => [
      200,
      {
        workspaces: [{ id: WS_A, name: 'Data Platform', extra: true }, { id: WS_B }, 'nonsense', null, { id: '', name: 'x' }],
        limit: 1000,
        offset: 0,
        totalCount: 5,
      },
    ];
    const page = await createAstroClient().listWorkspaces(target, { workspaceIds: [WS_A, WS_B] });
    expect(page.workspaces).toEqual([{ id: WS_A, name: 'Data Platform' }]);
    expect(page.unreadable).toBe(4);
    expect(page.totalCount).toBe(5);
  });

  it('fills paging numbers Astro left out from the request', async () => {
    answer = () => [200, { workspaces: [{ id: WS_A, name: 'A' }], totalCount: 'many' }];
    const page = await createAstroClient().listWorkspaces(target, { workspaceIds: [WS_A], offset: 3, limit: 7 });
    expect(page).toMatchObject({ offset: 3, limit: 7, totalCount: 4 });
  });

  it('reports a page without a workspaces array as bad_response', async () => {
    answer = () => [200, { items: [], totalCount: 0 }];
    const err = await failure(createAstroClient().listWorkspaces(target, { workspaceIds: [WS_A] }));
    expect(err.kind).toBe('bad_response');
  });

  it('answers an empty ID list with an empty page and no request (it would list every Workspace)', async () => {
    const page = await createAstroClient().listWorkspaces(target, { workspaceIds: [] });
    expect(page).toEqual({ workspaces: [], totalCount: 0, offset: 0, limit: 1000, unreadable: 0 });
    expect(stub.requests).toHaveLength(0);
  });

  it.each([
    ['an ID with a slash', { workspaceIds: ['a/b'] }],
    ['an ID with &', { workspaceIds: [`${WS_A}&limit=1`] }],
    ['a dot segment', { workspaceIds: ['..'] }],
    ['limit above 1000', { workspaceIds: [WS_A], limit: 1001 }],
    ['a negative offset', { workspaceIds: [WS_A], offset: -1 }],
    ['a fractional limit', { workspaceIds: [WS_A], limit: 2.5 }],
  ])('refuses %s with bad_request before any request', async (_what, query) => {
    const err = await failure(createAstroClient().listWorkspaces(target, query));
    expect(err.kind).toBe('bad_request');
    expect(stub.requests).toHaveLength(0);
  });

  it('maps error statuses like getUser, with the requestId', async () => {
    answer = () => [403, { message: 'forbidden', requestId: 'req-403-ws', statusCode: 403 }];
    const err = await failure(createAstroClient().listWorkspaces(target, { workspaceIds: [WS_A] }));
    expect(err).toMatchObject({ kind: 'forbidden', status: 403, requestId: 'req-403-ws' });
  });
});

describe('listDeployments (ListDeployments)', () => {
  it('sends deploymentIds once per value, then offset and limit', async () => {
    answer = () => [200, { deployments: [], limit: 1000, offset: 0, totalCount: 0 }];
    await createAstroClient().listDeployments(target, { deploymentIds: [DEP_A, DEP_B], limit: 2 });
    expect(stub.requests[0]!.url).toBe(`/organizations/${ORG}/deployments?deploymentIds=${DEP_A}&deploymentIds=${DEP_B}&offset=0&limit=2`);
  });

  it('parses the spec example to {id, name, workspaceId, workspaceName?}', async () => {
    const example = specExample('DeploymentsPaginated');
    const d = (example.deployments as Record<string, unknown>[])[0]!;
    answer = () => [200, example];
    const page = await createAstroClient().listDeployments(target, { deploymentIds: [String(d.id)] });
    expect(page.deployments).toEqual([
      { id: d.id, name: d.name, workspaceId: d.workspaceId, ...(d.workspaceName ? { workspaceName: d.workspaceName } : {}) },
    ]);
    expect(page.unreadable).toBe(0);
  });

  it('keeps workspaceName optional and drops an item without workspaceId', async () => {
    answer = () => [
      200,
      {
        deployments: [
          { id: DEP_A, name: 'etl-prod', workspaceId: WS_A, workspaceName: 'Data Platform' },
          { id: DEP_B, name: 'etl-dev', workspaceId: WS_B, workspaceName: null },
          { id: 'clx1dep0000003abcdefghijk', name: 'orphan' },
        ],
        limit: 1000,
        offset: 0,
        totalCount: 3,
      },
    ];
    const page = await createAstroClient().listDeployments(target, { deploymentIds: [DEP_A, DEP_B, 'clx1dep0000003abcdefghijk'] });
    expect(page.deployments).toEqual([
      { id: DEP_A, name: 'etl-prod', workspaceId: WS_A, workspaceName: 'Data Platform' },
      { id: DEP_B, name: 'etl-dev', workspaceId: WS_B },
    ]);
    expect(page.unreadable).toBe(1);
  });

  it('answers an empty ID list without a request', async () => {
    const page = await createAstroClient().listDeployments(target, { deploymentIds: [] });
    expect(page.deployments).toEqual([]);
    expect(stub.requests).toHaveLength(0);
  });
});

describe('listUsers (ListUsers)', () => {
  it('sends offset, limit and each sort (form, explode)', async () => {
    answer = () => [200, { users: [], limit: 1000, offset: 2000, totalCount: 0 }];
    await createAstroClient().listUsers(target, { offset: 2000, limit: 1000, sorts: ['id:asc', 'username:desc'] });
    const req = stub.requests[0]!;
    expect(req.url).toBe(`/organizations/${ORG}/users?offset=2000&limit=1000&sorts=id%3Aasc&sorts=username%3Adesc`);
    const { path, query } = parts(req);
    expect(path).toBe(`/organizations/${ORG}/users`);
    expect(query.getAll('sorts')).toEqual(['id:asc', 'username:desc']);
  });

  it('parses users like GetUser, dropping and counting the unreadable ones', async () => {
    answer = () => [200, { users: [ADA, { username: 'no-id@example.com' }, 42], limit: 3, offset: 0, totalCount: 3 }];
    const page = await createAstroClient().listUsers(target, { offset: 0, limit: 3 });
    expect(page.users).toHaveLength(1);
    expect(page.users[0]).toMatchObject({ id: ADA.id, username: ADA.username, fullName: ADA.fullName, status: 'ACTIVE', unreadableRoles: 0 });
    expect(page.users[0]!.workspaceRoles).toEqual(ADA.workspaceRoles);
    expect(page).toMatchObject({ unreadable: 2, totalCount: 3, offset: 0, limit: 3 });
  });

  it('parses the spec example page', async () => {
    const example = specExample('UsersPaginated');
    answer = () => [200, example];
    const page = await createAstroClient().listUsers(target, { offset: 0, limit: 10 });
    expect(page.users.map((u) => u.id)).toEqual([(example.users as { id: string }[])[0]!.id]);
  });

  it.each([
    ['limit above 1000', { offset: 0, limit: 1001 }],
    ['a sort that is not field:asc|desc', { offset: 0, limit: 10, sorts: ['id:sideways'] }],
    ['a sort with a query in it', { offset: 0, limit: 10, sorts: ['id:asc&limit=5'] }],
  ])('refuses %s before any request', async (_what, query) => {
    const err = await failure(createAstroClient().listUsers(target, query));
    expect(err.kind).toBe('bad_request');
    expect(stub.requests).toHaveLength(0);
  });

  it('uses the larger list body cap: a page over 2 MiB is read, one over maxListBodyBytes is refused', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ ...ADA, id: `c${String(i).padStart(24, '0')}`, fullName: 'x'.repeat(2500) }));
    answer = () => [200, { users: many, limit: 1000, offset: 0, totalCount: 1000 }];
    const page = await createAstroClient().listUsers(target, { offset: 0, limit: 1000 });
    expect(page.users).toHaveLength(1000);
    const err = await failure(createAstroClient({ maxListBodyBytes: 1024 * 1024 }).listUsers(target, { offset: 0, limit: 1000 }));
    expect(err.kind).toBe('bad_response');
  });

  it('times out after listRequestTimeoutMs', async () => {
    stub.setHandler(() => undefined); // never answers
    try {
      const started = Date.now();
      const err = await failure(createAstroClient({ listRequestTimeoutMs: 200 }).listUsers(target, { offset: 0, limit: 10 }));
      expect(err.kind).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      stub.setHandler((req, res) => {
        const [status, body] = answer(req);
        json(res, status, body);
      });
    }
  });

  it("surfaces the caller's abort as a timeout", async () => {
    const err = await failure(createAstroClient().listUsers(target, { offset: 0, limit: 10 }, { signal: AbortSignal.abort() }));
    expect(err.kind).toBe('timeout');
    expect(stub.requests).toHaveLength(0);
  });
});

describe('decoding large list pages without holding up the event loop', () => {
  /** A client whose fetch answers every request at once with a page of `n` users, from memory (no socket, so no turn of the event loop is spent on I/O). */
  function inMemory(n: number) {
    const users = Array.from({ length: n }, (_, i) => ({ ...ADA, id: `c${String(i).padStart(24, '0')}` }));
    const body = JSON.stringify({ users, limit: n, offset: 0, totalCount: n });
    return createAstroClient({ fetch: async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }) });
  }

  /** Counts turns of the event loop (setImmediate callbacks) until `stop()`; `now()` reads the count. */
  function turnCounter() {
    let turns = 0;
    let stopped = false;
    const spin = () => {
      if (stopped) return;
      turns += 1;
      setImmediate(spin);
    };
    setImmediate(spin);
    return { now: () => turns, stop: () => (stopped = true) };
  }

  it(`parses a page of 1,000 users in slices of ${LIST_ITEMS_PER_SLICE}, letting the event loop turn between them`, async () => {
    const turns = turnCounter();
    const page = await inMemory(1000).listUsers(target, { offset: 0, limit: 1000 });
    turns.stop();
    expect(page.users).toHaveLength(1000);
    expect(page.users[999]!.id).toBe(`c${String(999).padStart(24, '0')}`);
    expect(turns.now()).toBeGreaterThanOrEqual(1000 / LIST_ITEMS_PER_SLICE);
  });

  it('decodes pages that arrive together one after the other, not interleaved', async () => {
    const client = inMemory(1000);
    const turns = turnCounter();
    const doneAt: number[] = [];
    await Promise.all([0, 1000].map((offset) => client.listUsers(target, { offset, limit: 1000 }).then(() => doneAt.push(turns.now()))));
    turns.stop();
    // Interleaved, both would finish within a turn or two of each other.
    expect(doneAt[1]! - doneAt[0]!).toBeGreaterThanOrEqual(1000 / LIST_ITEMS_PER_SLICE);
  });

  it('does not queue a small answer behind a large one', async () => {
    const large = JSON.stringify({ users: Array.from({ length: 1000 }, (_, i) => ({ ...ADA, id: `c${String(i).padStart(24, '0')}` })), totalCount: 1000 });
    expect(large.length).toBeGreaterThan(256 * 1024);
    const small = JSON.stringify({ users: [ADA], totalCount: 1 });
    const client = createAstroClient({ fetch: async (url) => new Response(String(url).includes('limit=1000') ? large : small, { status: 200 }) });
    const order: string[] = [];
    const first = client.listUsers(target, { offset: 0, limit: 1000 }).then(() => order.push('large'));
    await new Promise((resolve) => setImmediate(resolve));
    const second = client.listUsers(target, { offset: 0, limit: 1 }).then(() => order.push('small'));
    await Promise.all([first, second]);
    expect(order).toEqual(['small', 'large']);
  });

  it("stops decoding with a timeout when the caller's signal aborts between slices", async () => {
    const controller = new AbortController();
    setImmediate(() => setImmediate(() => setImmediate(() => controller.abort())));
    const err = await failure(inMemory(1000).listUsers(target, { offset: 0, limit: 1000 }, { signal: controller.signal }));
    expect(err.kind).toBe('timeout');
  });

  it('still reads the large page after one that failed to decode', async () => {
    let calls = 0;
    const good = JSON.stringify({ users: [ADA], limit: 1, offset: 0, totalCount: 1, padding: ' '.repeat(300 * 1024) });
    const bad = `{"users": [${' '.repeat(300 * 1024)} nope`;
    const client = createAstroClient({ fetch: async () => new Response(calls++ === 0 ? bad : good, { status: 200 }) });
    const [first, second] = await Promise.allSettled([client.listUsers(target, { offset: 0, limit: 1 }), client.listUsers(target, { offset: 1, limit: 1 })]);
    expect(first.status === 'rejected' && (first.reason as AstroApiError).kind).toBe('bad_response');
    expect(second.status === 'fulfilled' && second.value.users.map((u) => u.id)).toEqual([ADA.id]);
  });
});

describe('listUserTeams (ListUserTeams)', () => {
  it('asks GET /organizations/<org>/users/<id>/teams with offset and limit', async () => {
    answer = () => [200, { teams: [], limit: 1000, offset: 0, totalCount: 0 }];
    await createAstroClient().listUserTeams(target, ADA.id);
    expect(stub.requests[0]!.url).toBe(`/organizations/${ORG}/users/${ADA.id}/teams?offset=0&limit=1000`);
  });

  it('parses the spec example, roles included', async () => {
    const example = specExample('UserTeamsPaginated');
    const t = (example.teams as Record<string, unknown>[])[0]!;
    answer = () => [200, example];
    const page = await createAstroClient().listUserTeams(target, ADA.id, { offset: 0, limit: 10 });
    expect(page.teams).toHaveLength(1);
    expect(page.teams[0]).toMatchObject({ id: t.id, name: t.name, organizationRole: t.organizationRole, isIdpManaged: t.isIdpManaged, unreadableRoles: 0 });
    expect(page.teams[0]!.workspaceRoles).toEqual(t.workspaceRoles);
    expect(page.teams[0]!.deploymentRoles).toEqual(t.deploymentRoles);
    expect(page.totalCount).toBe(example.totalCount);
  });

  it('tolerates absent role arrays and an unknown organization role, and counts bad role entries', async () => {
    answer = () => [
      200,
      {
        teams: [{ id: 'clteam00000000000000000001', name: 'Analysts', isIdpManaged: true, organizationRole: 'ORGANIZATION_FUTURE', workspaceRoles: [{ workspaceId: WS_A }] }],
        limit: 10,
        offset: 0,
        totalCount: 1,
      },
    ];
    const page = await createAstroClient().listUserTeams(target, ADA.id);
    expect(page.teams[0]).toEqual({
      id: 'clteam00000000000000000001',
      name: 'Analysts',
      isIdpManaged: true,
      organizationRole: 'ORGANIZATION_FUTURE',
      workspaceRoles: [],
      deploymentRoles: [],
      dagRoles: [],
      unreadableRoles: 1,
    });
  });

  it('surfaces a 404 (an iam/v1beta1 base has no such endpoint) as not_found', async () => {
    answer = () => [404, { message: 'Not Found', requestId: 'req-404-teams', statusCode: 404 }];
    const err = await failure(createAstroClient().listUserTeams({ ...target, apiUrl: `${stub.url}/iam/v1beta1` }, ADA.id));
    expect(err).toMatchObject({ kind: 'not_found', status: 404, requestId: 'req-404-teams' });
    expect(stub.requests[0]!.url).toMatch(/^\/iam\/v1beta1\/organizations\/[^/]+\/users\/[^/]+\/teams\?/);
  });

  it('refuses a user ID that is not a plain path segment', async () => {
    const err = await failure(createAstroClient().listUserTeams(target, '..'));
    expect(err.kind).toBe('bad_request');
    expect(stub.requests).toHaveLength(0);
  });
});

describe('through createResilientAstroClient', () => {
  it('retries each list operation on a 503 and keeps 404 unretried', async () => {
    const astro = createResilientAstroClient(createAstroClient(), { backoffBaseMs: 1, backoffCapMs: 5 });
    const pages: Record<string, unknown> = {
      workspaces: { workspaces: [{ id: WS_A, name: 'A' }], limit: 1000, offset: 0, totalCount: 1 },
      deployments: { deployments: [{ id: DEP_A, name: 'd', workspaceId: WS_A }], limit: 1000, offset: 0, totalCount: 1 },
      users: { users: [ADA], limit: 1000, offset: 0, totalCount: 1 },
      teams: { teams: [], limit: 1000, offset: 0, totalCount: 0 },
    };
    const seen = new Map<string, number>();
    answer = (req) => {
      const kind = parts(req).path.split('/').pop()!;
      const n = (seen.get(kind) ?? 0) + 1;
      seen.set(kind, n);
      return n === 1 ? [503, { message: 'busy', requestId: 'req-503', statusCode: 503 }] : [200, pages[kind]];
    };
    expect((await astro.listWorkspaces(target, { workspaceIds: [WS_A] })).workspaces).toHaveLength(1);
    expect((await astro.listDeployments(target, { deploymentIds: [DEP_A] })).deployments).toHaveLength(1);
    expect((await astro.listUsers(target, { offset: 0, limit: 1000, sorts: ['id:asc'] })).users).toHaveLength(1);
    expect((await astro.listUserTeams(target, ADA.id)).teams).toEqual([]);
    expect(Object.fromEntries(seen)).toEqual({ workspaces: 2, deployments: 2, users: 2, teams: 2 });

    stub.requests.length = 0;
    answer = () => [404, { message: 'Not Found', requestId: 'req-404', statusCode: 404 }];
    const err = await failure(astro.listUserTeams(target, ADA.id));
    expect(err.kind).toBe('not_found');
    expect(stub.requests).toHaveLength(1);
  });
});

describe('against Prism serving the official v1 spec', () => {
  let prism: PrismMock;
  beforeAll(async () => {
    prism = await sharedPrism();
  }, 90_000);
  afterAll(async () => prism?.close());

  it('sends one request of each list operation that the spec accepts, and reads the examples', async () => {
    const astro = createAstroClient({ listRequestTimeoutMs: 10_000 });
    const t: AstroTarget = { apiUrl: prism.url, apiToken: TOKEN, organizationId: ORG };
    const ws = await astro.listWorkspaces(t, { workspaceIds: [WS_A, WS_B], offset: 0, limit: 1000 });
    const deps = await astro.listDeployments(t, { deploymentIds: [DEP_A, DEP_B], offset: 0, limit: 1000 });
    const users = await astro.listUsers(t, { offset: 0, limit: 1000, sorts: ['id:asc'] });
    const teams = await astro.listUserTeams(t, ADA.id, { offset: 0, limit: 1000 });
    expect(ws.workspaces).toHaveLength(1);
    expect(deps.deployments).toHaveLength(1);
    expect(users.users).toHaveLength(1);
    expect(teams.teams).toHaveLength(1);
    expect(ws.unreadable + deps.unreadable + users.unreadable + teams.unreadable).toBe(0);
    expect(prism.output()).not.toMatch(/Violation/);
  });
});
