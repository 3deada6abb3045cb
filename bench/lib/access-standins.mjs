/**
 * Stand-ins for part 10 (who can access a Deployment or Workspace), on 127.0.0.1 in the driver's
 * process (one clock, performance.now(), for send, arrival and reply times):
 * - a stand-in Astro API serving a generated organization (test/support/org-fixture.mjs, the one
 *   the tests use) after a settable latency, recording each request's arrival time and kind;
 * - a stand-in Slack whose `response_url`s keep every message posted to them (an answer that takes
 *   over a second is preceded by "Looking that up in Astro…", then replaces it).
 */
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { ORG_ID, answerOrg, answerOrgUsers } from '../../test/support/org-fixture.mjs';

function listen(server) {
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        close: () => {
          for (const s of sockets) s.destroy();
          return new Promise((r) => server.close(() => r()));
        },
      }),
    ),
  );
}

/**
 * The Astro operation a request is (Astro API v1 names, https://api.astronomer.io/spec/v1), with the
 * ListUsers variants told apart: `ListUsers (page of 1)` (the start-up check and the probe),
 * `ListUsers (all)` (the catalog's pages, for the Organization Owners), `ListUsers by Workspace`,
 * `ListUsers by Deployment`; and `ListWorkspaces by ID` / `ListDeployments by ID` (the name lookups)
 * apart from the catalog's full lists.
 */
export function astroKind(method, url) {
  const [path = '', query = ''] = url.split('?', 2);
  const params = new URLSearchParams(query);
  const rest = path.startsWith(`/organizations/${ORG_ID}`) ? path.slice(`/organizations/${ORG_ID}`.length) : undefined;
  if (method !== 'GET' || rest === undefined) return 'other';
  if (rest === '/users') {
    if (params.has('deploymentId')) return 'ListUsers by Deployment';
    if (params.has('workspaceId')) return 'ListUsers by Workspace';
    return params.get('limit') === '1' ? 'ListUsers (page of 1)' : 'ListUsers (all)';
  }
  if (/^\/users\/[^/]+\/teams$/.test(rest)) return 'ListUserTeams';
  if (/^\/users\/[^/]+$/.test(rest)) return 'GetUser';
  if (rest === '/workspaces') return params.has('workspaceIds') ? 'ListWorkspaces by ID' : 'ListWorkspaces';
  if (rest === '/deployments') return params.has('deploymentIds') ? 'ListDeployments by ID' : 'ListDeployments';
  if (rest === '/teams') return 'ListTeams';
  if (/^\/teams\/[^/]+\/members$/.test(rest)) return 'ListTeamMembers';
  if (rest === '/tokens') return 'ListApiTokens';
  if (rest === '/roles') return 'ListRoles';
  if (rest === '/audit-logs') return 'GetOrganizationAuditLogs';
  return 'other';
}

/**
 * Stand-in Astro serving `org`, answering each request `latencyMs` (settable) after it arrived.
 * ListRoles answers an empty page and the audit logs empty bytes (the probe of what the token can
 * reach); anything else unknown, 404. `arrivals` holds { t, kind, path } for every request.
 */
export async function startOrgAstro(org) {
  const state = { latencyMs: 0, arrivals: [], inFlight: 0 };
  const server = createServer((req, res) => {
    const t = performance.now();
    const url = req.url ?? '/';
    const kind = astroKind(req.method, url);
    state.arrivals.push({ t, kind, path: url.split('?', 1)[0] });
    state.inFlight += 1;
    res.once('close', () => {
      state.inFlight -= 1;
    });
    req.resume();
    const answer = () => {
      if (answerOrg({ url }, res, org) || answerOrgUsers({ url }, res, org)) return;
      if (kind === 'ListRoles') return send(res, 200, { roles: [], totalCount: 0, offset: 0, limit: 1 });
      if (kind === 'GetOrganizationAuditLogs') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 0 });
        return res.end();
      }
      send(res, 404, { message: 'not found', requestId: 'req-bench-404', statusCode: 404 });
    };
    if (state.latencyMs > 0) setTimeout(answer, state.latencyMs);
    else answer();
  });
  const s = await listen(server);
  return {
    ...s,
    state,
    setLatency(ms) {
      state.latencyMs = ms;
    },
    /** Arrivals at or after `t0` (and before `t1`), in order. */
    since(t0, t1 = Infinity) {
      return state.arrivals.filter((a) => a.t >= t0 && a.t < t1);
    },
    /** Resolves once no request is in flight and none arrived for `quietMs` (bounded by `timeoutMs`). */
    async settle(quietMs = 1000, timeoutMs = 30_000) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const last = state.arrivals.at(-1)?.t ?? 0;
        if (state.inFlight === 0 && performance.now() - last >= quietMs) return true;
        if (performance.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Counts of `arrivals` by kind, as "GetUser 1, ListUserTeams 1" (most frequent first). */
export function kindsText(arrivals) {
  const counts = kindCounts(arrivals);
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

/** { kind: count } of `arrivals`. */
export function kindCounts(arrivals) {
  const counts = {};
  for (const a of arrivals) counts[a.kind] = (counts[a.kind] ?? 0) + 1;
  return counts;
}

/**
 * Stand-in Slack: Web API methods answer `{ok:true}` (`auth.test` the bot identity), and
 * `POST /respond/<n>` keeps every message posted to request n's `response_url` as
 * { t, body } (arrival time, text).
 */
export async function startRecordingSlack() {
  /** n → [{ t, body }] */
  const posts = new Map();
  /** n → [check] */
  const waiters = new Map();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      if (url.startsWith('/respond/')) {
        const t = performance.now();
        const n = Number(url.slice('/respond/'.length));
        const list = posts.get(n) ?? [];
        list.push({ t, body: Buffer.concat(chunks).toString('utf8') });
        posts.set(n, list);
        for (const check of waiters.get(n) ?? []) check();
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
        res.end('ok');
        return;
      }
      const body = url.startsWith('/api/auth.test') ? '{"ok":true,"user_id":"U1","bot_id":"B1","team_id":"TBENCH1","user":"astro-user","team":"bench"}' : '{"ok":true}';
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  const s = await listen(server);
  return {
    ...s,
    posts,
    /**
     * Resolves with the first message posted to request n's response_url whose body matches
     * `test` (e.g. the answer, not the progress note), or undefined after `timeoutMs`.
     */
    waitFor(n, test, timeoutMs) {
      const found = () => (posts.get(n) ?? []).find((p) => test(p.body));
      const now = found();
      if (now) return Promise.resolve(now);
      return new Promise((resolve) => {
        const list = waiters.get(n) ?? [];
        const done = (value) => {
          clearTimeout(timer);
          const rest = (waiters.get(n) ?? []).filter((c) => c !== check);
          if (rest.length) waiters.set(n, rest);
          else waiters.delete(n);
          resolve(value);
        };
        const check = () => {
          const p = found();
          if (p) done(p);
        };
        const timer = setTimeout(() => done(undefined), timeoutMs);
        list.push(check);
        waiters.set(n, list);
      });
    },
  };
}
