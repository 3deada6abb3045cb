/**
 * createAstroClient against a real loopback HTTP server standing in for the Astro API: the
 * request it sends, how every answer (and non-answer) becomes a user or a typed AstroApiError.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAstroClient, parseRetryAfter, type AstroTarget } from '../../src/astro/client.js';
import { AstroApiError, type AstroErrorKind } from '../../src/astro/errors.js';
import { json, startHttpStub, type HttpStub } from '../support/http-stub.js';
import { specExample } from '../support/fixtures.js';
import { astroFailure } from '../support/astro-failure.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjbGllbnQtdGVzdCJ9.clientTestSignature';
const ORG = 'clorg000000000000000000001';
const example = specExample('User');
const USER_ID = String(example.id);

let stub: HttpStub;
let target: AstroTarget;

beforeAll(async () => {
  stub = await startHttpStub((_req, res) => json(res, 200, example));
  target = { apiUrl: stub.url, apiToken: TOKEN, organizationId: ORG };
});
afterAll(async () => stub?.close());
beforeEach(() => {
  stub.requests.length = 0;
  stub.setHandler((_req, res) => json(res, 200, example));
});

const failure = astroFailure;

describe('getUser: the request', () => {
  it('returns the documented example user, parsed', async () => {
    const user = await createAstroClient().getUser(target, USER_ID);
    expect(user).toMatchObject({
      id: USER_ID,
      username: example.username,
      fullName: example.fullName,
      status: example.status,
      organizationRole: example.organizationRole,
      unreadableRoles: 0,
    });
    expect(user.workspaceRoles).toEqual(example.workspaceRoles);
    expect(user.deploymentRoles).toEqual(example.deploymentRoles);
    expect(user.dagRoles.length).toBe((example.dagRoles as unknown[]).length);
  });

  it('asks GET /organizations/<org>/users/<id> with the Bearer token', async () => {
    await createAstroClient().getUser(target, USER_ID);
    expect(stub.requests).toHaveLength(1);
    const req = stub.requests[0]!;
    expect(req.method).toBe('GET');
    expect(req.url).toBe(`/organizations/${ORG}/users/${USER_ID}`);
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.headers.accept).toBe('application/json');
  });

  it('keeps the API base path (e.g. /v1) in front of the operation path', async () => {
    await createAstroClient().getUser({ ...target, apiUrl: `${stub.url}/v1` }, USER_ID);
    expect(stub.requests.map((r) => r.url)).toEqual([`/v1/organizations/${ORG}/users/${USER_ID}`]);
  });

  it.each([
    ['organization', 'a/b?c#d..e', USER_ID],
    ['user', ORG, '../u?x=1#y/z'],
  ])('refuses a %s ID that could change the path or add a query, without sending a request', async (_which, org, userId) => {
    const outcome = await createAstroClient()
      .getUser({ ...target, organizationId: org }, userId)
      .then(
        () => 'answered',
        (e: unknown) => (e instanceof AstroApiError ? e.kind : 'other'),
      );
    expect(outcome).toBe('bad_request');
    expect(stub.requests).toEqual([]);
  });

  // Regression: encodeURIComponent leaves '.' alone, so an ID that is exactly '..' or '.' stays a dot
  // segment and fetch's URL parser resolves it: getUser(target, '..') requests
  // /organizations/<org>/ (GetOrganization), and an organization body (it has an `id`) is then
  // parsed and returned as a "user". Today's callers validate IDs first, but the client promises
  // encoded paths. Fix in src/astro/client.ts getUser: refuse an ID that is empty, '.' or '..' (or
  // any ID outside [A-Za-z0-9_-]) with AstroApiError('bad_request') before any request; encoding
  // the dots as %2E does not help, since the URL parser treats %2e%2e as '..' too.
  it('never lets an ID that is a dot segment reach another endpoint', async () => {
    stub.setHandler((_req, res) => json(res, 200, { id: ORG, name: 'Acme Corp' })); // what GetOrganization would answer
    const client = createAstroClient();
    for (const [org, userId] of [
      [ORG, '..'],
      [ORG, '.'],
      ['..', USER_ID],
    ] as const) {
      await client.getUser({ ...target, organizationId: org }, userId).then(
        () => expect.fail(`getUser(${org}, ${userId}) returned a user`),
        () => undefined,
      );
    }
    for (const req of stub.requests) expect(req.url).toMatch(/^\/organizations\/[^/]+\/users\/[^/]+$/);
  });

  it('does not follow a redirect, so the token is never sent to another host', async () => {
    const other = await startHttpStub((_req, res) => json(res, 200, example));
    try {
      stub.setHandler((_req, res) => {
        res.writeHead(302, { location: `${other.url}/steal` });
        res.end();
      });
      const err = await failure(createAstroClient().getUser(target, USER_ID));
      expect(err.kind).toBe('unavailable');
      expect(other.requests).toHaveLength(0);
    } finally {
      await other.close();
    }
  });
});

describe('getUser: error answers', () => {
  const CASES: [status: number, kind: AstroErrorKind][] = [
    [400, 'bad_request'],
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [429, 'rate_limited'],
    [500, 'unavailable'],
    [502, 'unavailable'],
    [503, 'unavailable'],
  ];

  it.each(CASES)('maps %i to kind %s, with status and requestId from the error body', async (status, kind) => {
    stub.setHandler((_req, res) => json(res, status, { message: `status ${status}`, requestId: `req-${status}-abc`, statusCode: status }));
    const err = await failure(createAstroClient().getUser(target, USER_ID));
    expect(err.kind).toBe(kind);
    expect(err.status).toBe(status);
    expect(err.requestId).toBe(`req-${status}-abc`);
    expect(err.message).not.toContain(TOKEN);
  });

  it('reads a non-JSON error page (an HTML 502 from a proxy) as unavailable, with no requestId', async () => {
    stub.setHandler((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    });
    const err = await failure(createAstroClient().getUser(target, USER_ID));
    expect(err.kind).toBe('unavailable');
    expect(err.status).toBe(502);
    expect(err.requestId).toBeUndefined();
  });

  it('turns Retry-After seconds into retryAfterMs', async () => {
    stub.setHandler((_req, res) => json(res, 429, { message: 'slow down', requestId: 'req-429', statusCode: 429 }, { 'retry-after': '7' }));
    const err = await failure(createAstroClient().getUser(target, USER_ID));
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterMs).toBe(7000);
  });

  it('leaves retryAfterMs unset when there is no Retry-After', async () => {
    stub.setHandler((_req, res) => json(res, 503, { message: 'down', statusCode: 503 }));
    const err = await failure(createAstroClient().getUser(target, USER_ID));
    expect(err.retryAfterMs).toBeUndefined();
  });

  it.each([
    ['spaces', 'req with spaces'],
    ['a channel ping', '<!channel>'],
    ['500 characters', 'a'.repeat(500)],
    ['a non-string', 12345],
  ])('drops a hostile requestId (%s), since it would be shown in Slack', async (_what, requestId) => {
    stub.setHandler((_req, res) => json(res, 404, { message: 'not found', requestId, statusCode: 404 }));
    const err = await failure(createAstroClient().getUser(target, USER_ID));
    expect(err.kind).toBe('not_found');
    expect(err.requestId).toBeUndefined();
  });
});

describe('getUser: unreadable 200 answers', () => {
  it('reports a 200 that is not JSON as bad_response', async () => {
    stub.setHandler((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>login page</html>');
    });
    const err = await failure(createAstroClient().getUser(target, USER_ID));
    expect(err.kind).toBe('bad_response');
  });

  it('reports a 200 whose JSON has no id as bad_response', async () => {
    const { id: _id, ...withoutId } = example;
    stub.setHandler((_req, res) => json(res, 200, withoutId));
    const err = await failure(createAstroClient().getUser(target, USER_ID));
    expect(err.kind).toBe('bad_response');
  });

  it('refuses a body larger than maxBodyBytes when Content-Length says so', async () => {
    stub.setHandler((_req, res) => json(res, 200, { ...example, padding: 'x'.repeat(5000) }));
    const err = await failure(createAstroClient({ maxBodyBytes: 1024 }).getUser(target, USER_ID));
    expect(err.kind).toBe('bad_response');
  });

  it('refuses a chunked body once it grows past maxBodyBytes, without waiting for its end', async () => {
    stub.setHandler((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // no Content-Length: chunked
      res.write(`{"id":"${USER_ID}","padding":"`);
      res.write('x'.repeat(4096)); // and never end
    });
    const started = Date.now();
    const err = await failure(createAstroClient({ maxBodyBytes: 1024, requestTimeoutMs: 1500 }).getUser(target, USER_ID));
    expect(err.kind).toBe('bad_response');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('still accepts a body just under maxBodyBytes', async () => {
    const body = JSON.stringify(example);
    const user = await createAstroClient({ maxBodyBytes: Buffer.byteLength(body) }).getUser(target, USER_ID);
    expect(user.id).toBe(USER_ID);
  });
});

describe('getUser: no answer', () => {
  it('times out when the server never answers, within requestTimeoutMs', async () => {
    stub.setHandler(() => undefined); // never answers
    const started = Date.now();
    const err = await failure(createAstroClient({ requestTimeoutMs: 200 }).getUser(target, USER_ID));
    const elapsed = Date.now() - started;
    expect(err.kind).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(700);
  });

  it('times out when the body starts and never ends', async () => {
    stub.setHandler((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":');
    });
    const started = Date.now();
    const err = await failure(createAstroClient({ requestTimeoutMs: 200 }).getUser(target, USER_ID));
    expect(err.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(700);
  });

  it('reports a reset connection as unavailable', async () => {
    stub.setHandler((_req, res) => {
      res.socket?.destroy();
    });
    const err = await failure(createAstroClient({ requestTimeoutMs: 1500 }).getUser(target, USER_ID));
    expect(err.kind).toBe('unavailable');
  });

  it('reports a closed port as unavailable', async () => {
    const gone = await startHttpStub(() => undefined);
    const url = gone.url;
    await gone.close();
    const err = await failure(createAstroClient({ requestTimeoutMs: 1500 }).getUser({ ...target, apiUrl: url }, USER_ID));
    expect(err.kind).toBe('unavailable');
  });

  it("surfaces the caller's abort as a timeout, at once", async () => {
    stub.setHandler(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const err = await failure(createAstroClient({ requestTimeoutMs: 5000 }).getUser(target, USER_ID, { signal: controller.signal }));
    expect(err.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('surfaces an already-aborted signal as a timeout without calling Astro', async () => {
    const err = await failure(createAstroClient().getUser(target, USER_ID, { signal: AbortSignal.abort() }));
    expect(err.kind).toBe('timeout');
    expect(stub.requests).toHaveLength(0);
  });

  // Regression: CallOptions.signal is documented to "surface as a timeout error", but a caller that aborts
  // with its own reason (controller.abort(new Error('deadline'))) gets kind 'unavailable' ("The
  // Astro API is unavailable") because fetch rejects with that reason and isAbort() only looks at
  // err.name. Fix in src/astro/client.ts getJson's catch: treat `signal.aborted` as a timeout
  // (if (signal.aborted || isAbort(err)) …) before falling back to 'unavailable'.
  it('surfaces a caller abort with a custom reason as a timeout too', async () => {
    stub.setHandler(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('lookup deadline passed')), 50);
    const err = await failure(createAstroClient({ requestTimeoutMs: 5000 }).getUser(target, USER_ID, { signal: controller.signal }));
    expect(err.kind).toBe('timeout');
  });
});

describe('parseRetryAfter', () => {
  const NOW = Date.parse('2026-01-01T00:00:00Z');

  it('reads whole and fractional seconds', () => {
    expect(parseRetryAfter('7', NOW)).toBe(7000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
    expect(parseRetryAfter('1.5', NOW)).toBe(1500);
  });

  it('reads an HTTP date as the time left until then, never negative', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', NOW)).toBe(0);
  });

  it('gives undefined for an absent or unreadable value', () => {
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter('', NOW)).toBeUndefined();
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
  });
});
