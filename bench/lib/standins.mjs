/**
 * Stand-in servers on 127.0.0.1 for the benchmark: a stand-in Astro API and a stand-in Slack
 * (Web API `auth.test`, and `response_url`s under /respond/<n>). They run in the driver's own
 * process so that request send times and reply arrival times come from one clock
 * (performance.now()).
 */
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';

/** A user shaped like test/support/fixtures.ts ADA; `id` is echoed from the path. */
export function adaLike(id) {
  return {
    id,
    username: 'ada.lovelace@example.com',
    fullName: 'Ada Lovelace',
    avatarUrl: 'https://avatars.example.com/ada.png',
    status: 'ACTIVE',
    createdAt: '2024-03-02T10:15:00Z',
    updatedAt: '2026-05-20T08:01:44Z',
    organizationRole: 'ORGANIZATION_MEMBER',
    workspaceRoles: [
      { workspaceId: 'clx1ws00000001abcdefghijk', role: 'WORKSPACE_AUTHOR' },
      { workspaceId: 'clx1ws00000002abcdefghijk', role: 'WORKSPACE_ACCESSOR' },
    ],
    deploymentRoles: [
      { deploymentId: 'clx1dep0000001abcdefghijk', role: 'DEPLOYMENT_ADMIN' },
      { deploymentId: 'clx1dep0000002abcdefghijk', role: 'my custom role' },
    ],
    dagRoles: [
      { deploymentId: 'clx1dep0000002abcdefghijk', dagTag: 'team:analytics', role: 'DAG_VIEWER' },
      { deploymentId: 'clx1dep0000002abcdefghijk', dagId: 'daily_revenue', role: 'DAG_AUTHOR' },
    ],
  };
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
 * Stand-in Astro API: `GET /organizations/:org/users/:id` answers a user after `latencyMs`
 * (settable). Records each request's arrival time and user ID.
 */
export async function startAstro() {
  const state = { latencyMs: 0, arrivals: [] };
  const server = createServer((req, res) => {
    const t = performance.now();
    const m = /^\/organizations\/([^/]+)\/users\/([^/?]+)/.exec(req.url ?? '');
    req.resume();
    if (req.method !== 'GET' || !m) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"message":"not found"}');
      return;
    }
    const id = decodeURIComponent(m[2]);
    state.arrivals.push({ t, id });
    const send = () => {
      const text = JSON.stringify(adaLike(id));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
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
    /** Requests seen for `id`. */
    count(id) {
      return state.arrivals.filter((a) => a.id === id).length;
    },
    /** Arrival times (ms) of requests whose user ID starts with `prefix`, ascending. */
    times(prefix) {
      return state.arrivals.filter((a) => a.id.startsWith(prefix)).map((a) => a.t).sort((a, b) => a - b);
    },
  };
}

/** Classifies a response_url body: a user card, a "try again" answer, or anything else. */
export function classify(body) {
  if (body.includes('"type":"header"')) return 'card';
  if (/slow down|try again|busy|did not answer|unavailable/i.test(body)) return 'retry';
  if (body.includes('Hello from bare Bolt')) return 'fixed';
  return 'other';
}

/**
 * Stand-in Slack: `/api/auth.test` answers the bot identity, other `/api/*` `{ok:true}`, and
 * `POST /respond/<n>` records the arrival time and kind of the reply to request n.
 */
export async function startSlack() {
  /** n → { t, kind } */
  const replies = new Map();
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
        ? '{"ok":true,"user_id":"U1","bot_id":"B1","team_id":"T1","user":"astro-user","team":"bench"}'
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
    apiCalls,
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
      for (const n of ns) replies.delete(n);
    },
  };
}
