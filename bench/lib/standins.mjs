/**
 * Stand-in servers on 127.0.0.1 for the benchmark: a stand-in Astro API and a stand-in Slack
 * (Web API `auth.test`, and `response_url`s under /respond/<n>). They run in the driver's own
 * process so that request send times and reply arrival times come from one clock
 * (performance.now()).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { answerOrg } from '../../test/support/astro-org.mjs';

/** The test suite's ADA user (test/fixtures/ada.json, the one copy of it). */
const ADA = JSON.parse(readFileSync(new URL('../../test/fixtures/ada.json', import.meta.url), 'utf8'));

/** The test suite's ADA user with `id` (echoed from the path). */
export function adaLike(id) {
  return { ...ADA, id };
}

function listen(server) {
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
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
 * Stand-in Astro API, answering after `latencyMs` (settable):
 * - `GET /organizations/:org/users/:id` (GetUser): a user ({@link adaLike});
 * - `GET /organizations/:org/users/:id/teams` (ListUserTeams): no teams;
 * - `GET /organizations/:org/workspaces?workspaceIds=…` and `/deployments?deploymentIds=…` (the
 *   name lookups): each ID named after itself.
 * Records every request's arrival time, kind (`user`, `teams`, `workspaces`, `deployments`,
 * `other`) and user ID.
 *
 * With an organization set ({@link setOrg}: the test suite's stand-in organization,
 * test/support/astro-org.mjs), its lists and users are served instead, each request's kind being
 * `org:<list>` (`org:users`, `org:tokens`, `org:teams`, `org:members`, `org:workspaces`,
 * `org:deployments`).
 */
export async function startAstro() {
  const state = { latencyMs: 0, arrivals: [], org: undefined, orgId: '' };
  const server = createServer((req, res) => {
    const t = performance.now();
    req.resume();
    const url = new URL(req.url ?? '/', 'http://astro.invalid');
    if (state.org) {
      const path = url.pathname.split('/').slice(3);
      state.arrivals.push({ t, id: '', kind: `org:${path[0] === 'teams' && path[2] === 'members' ? 'members' : (path[0] ?? 'other')}` });
      const org = state.org;
      const answer = () => {
        if (!answerOrg({ method: req.method, url: req.url ?? '/' }, res, org, state.orgId)) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end('{"message":"not found"}');
        }
      };
      if (state.latencyMs > 0) setTimeout(answer, state.latencyMs);
      else answer();
      return;
    }
    const user = /^\/organizations\/[^/]+\/users\/([^/]+)(\/teams)?$/.exec(url.pathname);
    const list = /^\/organizations\/[^/]+\/(workspaces|deployments)$/.exec(url.pathname);
    const kind = req.method !== 'GET' ? 'other' : user ? (user[2] ? 'teams' : 'user') : list ? list[1] : 'other';
    const id = user ? decodeURIComponent(user[1]) : '';
    state.arrivals.push({ t, id, kind });
    let status = 200;
    let body;
    if (kind === 'user') body = adaLike(id);
    else if (kind === 'teams') body = { teams: [], totalCount: 0, offset: 0, limit: Number(url.searchParams.get('limit') ?? 1000) };
    else if (kind === 'workspaces') {
      const ids = url.searchParams.getAll('workspaceIds');
      body = { workspaces: ids.map((w) => ({ id: w, name: `Workspace ${w.slice(-4)}` })), totalCount: ids.length, offset: 0, limit: 1000 };
    } else if (kind === 'deployments') {
      const ids = url.searchParams.getAll('deploymentIds');
      body = { deployments: ids.map((d) => ({ id: d, name: `Deployment ${d.slice(-4)}`, workspaceId: 'clx1ws00000001abcdefghijk' })), totalCount: ids.length, offset: 0, limit: 1000 };
    } else {
      status = 404;
      body = { message: 'not found' };
    }
    const send = () => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (state.latencyMs > 0) setTimeout(send, state.latencyMs);
    else send();
  });
  server.keepAliveTimeout = 30_000;
  const s = await listen(server);
  return {
    ...s,
    state,
    setLatency(ms) {
      state.latencyMs = ms;
    },
    /** Serves `org` (astro-org.mjs shape) as organization `organizationId` from now on; `undefined` goes back to the lookup stand-in. */
    setOrg(org, organizationId = '') {
      state.org = org;
      state.orgId = organizationId;
    },
    /** Requests seen for user `id`, of `kind` (`user`: GetUser; `teams`: ListUserTeams; `undefined`: both). */
    count(id, kind = 'user') {
      return state.arrivals.filter((a) => a.id === id && (kind === undefined || a.kind === kind)).length;
    },
    /** Arrival times (ms) of requests whose user ID starts with `prefix`, ascending. */
    times(prefix) {
      return state.arrivals.filter((a) => a.id.startsWith(prefix)).map((a) => a.t).sort((a, b) => a - b);
    },
    /** Arrival times (ms) of every request that arrived at or after `t0`, ascending. */
    timesSince(t0) {
      return state.arrivals.filter((a) => a.t >= t0).map((a) => a.t).sort((a, b) => a - b);
    },
    /** Requests by kind that arrived at or after `t0`. */
    kindsSince(t0) {
      const kinds = {};
      for (const a of state.arrivals) if (a.t >= t0) kinds[a.kind] = (kinds[a.kind] ?? 0) + 1;
      return kinds;
    },
  };
}

/** Classifies a response_url body: the admin report, its progress note, a user card, a "try again" answer, or anything else. */
export function classify(body) {
  if (body.includes('"block_id":"report:title"')) return 'report';
  if (body.includes('Building the report')) return 'building';
  if (body.includes('"type":"header"')) return 'card';
  if (/slow down|try again|busy|did not answer|unavailable/i.test(body)) return 'retry';
  if (body.includes('Hello from bare Bolt')) return 'fixed';
  return 'other';
}

/**
 * What the stand-in `oauth.v2.access` answers for an authorization code `bench-<team ID>`: a bot
 * installation of that team, shaped like Slack's (https://docs.slack.dev/reference/methods/oauth.v2.access).
 */
export function oauthAccess(code) {
  const team = /^bench-([A-Z0-9]+)$/.exec(code)?.[1] ?? 'TBENCH1';
  return {
    ok: true,
    access_token: `xoxb-${team}-bench-bot-token`,
    token_type: 'bot',
    scope: 'commands,chat:write,users:read',
    bot_user_id: 'UBOT',
    app_id: 'A1',
    team: { id: team, name: `bench ${team}` },
    enterprise: null,
    is_enterprise_install: false,
    authed_user: { id: 'U1' },
  };
}

/**
 * Stand-in Slack: `/api/auth.test` answers the bot identity, `/api/oauth.v2.access` an
 * installation ({@link oauthAccess}), other `/api/*` `{ok:true}`, and `POST /respond/<n>` records
 * the arrival time and kind of the reply to request n.
 */
export async function startSlack() {
  /** n → { t, kind } (the latest reply to request n) */
  const replies = new Map();
  /** n → every reply to request n, in arrival order (a report posts a progress note, then the report). */
  const history = new Map();
  /** Waiters for a reply of a given kind. */
  const kindWaiters = new Set();
  /** n → resolve */
  const waiters = new Map();
  /** Web API method → calls. */
  const apiCalls = new Map();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      if (url.startsWith('/respond/')) {
        const t = performance.now();
        const n = Number(url.slice('/respond/'.length));
        const kind = classify(Buffer.concat(chunks).toString('utf8'));
        replies.set(n, { t, kind });
        history.set(n, [...(history.get(n) ?? []), { t, kind }]);
        for (const kw of kindWaiters) kw();
        const w = waiters.get(n);
        if (w) {
          waiters.delete(n);
          w();
        }
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
        res.end('ok');
        return;
      }
      const method = url.split('?')[0].replace(/^\/api\//, '');
      apiCalls.set(method, (apiCalls.get(method) ?? 0) + 1);
      const body = url.startsWith('/api/auth.test')
        ? '{"ok":true,"user_id":"U1","bot_id":"B1","team_id":"TBENCH1","user":"astro-user","team":"bench"}'
        : url.startsWith('/api/oauth.v2.access')
          ? JSON.stringify(oauthAccess(new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('code') ?? ''))
          : '{"ok":true}';
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 30_000;
  const s = await listen(server);
  return {
    ...s,
    replies,
    history,
    apiCalls,
    /** Resolves with the first reply of `kind` to request n ({ t, kind }), or undefined after `timeoutMs`. */
    waitKind(n, kind, timeoutMs) {
      return new Promise((resolve) => {
        const check = () => {
          const hit = (history.get(n) ?? []).find((r) => r.kind === kind);
          if (!hit) return false;
          kindWaiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
          return true;
        };
        const timer = setTimeout(() => {
          kindWaiters.delete(check);
          resolve(undefined);
        }, timeoutMs);
        kindWaiters.add(check);
        check();
      });
    },
    /** Resolves when the reply to request n has arrived, or after `timeoutMs` (then false). */
    waitReply(n, timeoutMs) {
      if (replies.has(n)) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(n);
          resolve(false);
        }, timeoutMs);
        waiters.set(n, () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
    /** Waits (bounded) for the replies to every request in `ns`. */
    async waitAll(ns, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      await Promise.all(ns.map((n) => this.waitReply(n, Math.max(1, deadline - performance.now()))));
    },
    forget(ns) {
      for (const n of ns) {
        replies.delete(n);
        history.delete(n);
      }
    },
  };
}
