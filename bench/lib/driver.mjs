/**
 * The load driver: signed slash commands over keep-alive HTTP/1.1 (node:http), bounded loops,
 * and percentiles. Each request gets its own response_url (`<slack>/respond/<n>`) so the reply's
 * arrival can be matched to the request.
 */
import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export const SIGNING_SECRET = 'benchsigningsecret0123456789abcdef';
/** The Slack team (workspace) ID every command comes from, unless a request names another. */
export const BENCH_TEAM = 'TBENCH1';

let counter = 0;
/** A fresh request number (response_url suffix). */
export const nextN = () => ++counter;

/** One keep-alive agent per target, so targets never share sockets. */
const agents = new Map();
function agentFor(baseUrl) {
  let a = agents.get(baseUrl);
  if (!a) {
    a = new Agent({ keepAlive: true, maxSockets: 512, keepAliveMsecs: 1000 });
    agents.set(baseUrl, a);
  }
  return a;
}
export function destroyAgents() {
  for (const a of agents.values()) a.destroy();
  agents.clear();
}

/** `v0=` + hex HMAC-SHA256 of `v0:{ts}:{body}`. */
export function sign(body, ts = Math.floor(Date.now() / 1000)) {
  return { ts: String(ts), sig: `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex')}` };
}

/**
 * Posts one signed slash command to `target.url`. Resolves with the HTTP status, the time it was
 * sent (t0) and the ack latency in ms.
 */
export function postCommand(target, slackUrl, { n, text, slackUser = 'U0001', team = BENCH_TEAM }) {
  const body = new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: team,
    team_domain: 'bench',
    channel_id: 'C0001',
    channel_name: 'ops',
    user_id: slackUser,
    user_name: 'bench',
    command: '/astro-user',
    text,
    api_app_id: 'A0001',
    is_enterprise_install: 'false',
    response_url: `${slackUrl}/respond/${n}`,
    trigger_id: `1.2.${n}`,
  }).toString();
  const { ts, sig } = sign(body);
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = request(
      `${target.url}/slack/events`,
      {
        method: 'POST',
        agent: agentFor(target.url),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          'x-slack-request-timestamp': ts,
          'x-slack-signature': sig,
        },
        timeout: 15_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, t0, ms: performance.now() - t0 }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, t0, ms: performance.now() - t0 }));
    req.end(body);
  });
}

/**
 * Runs `concurrency` workers posting commands until `durationMs` passes or `maxRequests` were
 * sent (both bounds always apply). `make(i)` gives the i-th request's text and Slack user.
 * @returns ack latencies (ms), request numbers, HTTP errors and elapsed wall time (ms).
 */
export async function runLoad(target, slackUrl, { concurrency, durationMs, maxRequests, make }) {
  const lat = [];
  const ns = [];
  const t0s = new Map();
  let issued = 0;
  let errors = 0;
  const start = performance.now();
  const end = start + durationMs;
  const worker = async () => {
    while (issued < maxRequests && performance.now() < end) {
      const i = issued++;
      const n = nextN();
      ns.push(n);
      const r = await postCommand(target, slackUrl, { n, ...make(i) });
      t0s.set(n, r.t0);
      if (r.status === 200) lat.push(r.ms);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { lat, ns, t0s, errors, elapsedMs: performance.now() - start };
}

/**
 * Open loop: sends `count` commands at a fixed `ratePerSecond`, each without waiting for the one
 * before, so a slow ack never delays the next send (no coordinated omission).
 */
export async function runPaced(target, slackUrl, { ratePerSecond, count, make }) {
  const interval = 1000 / ratePerSecond;
  const start = performance.now();
  const pending = [];
  const ns = [];
  for (let i = 0; i < count; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const n = nextN();
    ns.push(n);
    pending.push(postCommand(target, slackUrl, { n, ...make(i) }));
  }
  const results = await Promise.all(pending);
  return { lat: results.filter((r) => r.status === 200).map((r) => r.ms), errors: results.filter((r) => r.status !== 200).length, ns };
}

/** Nearest-rank percentile of an unsorted array. */
export function pct(values, p) {
  if (values.length === 0) return NaN;
  const s = Float64Array.from(values).sort();
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}

export const median = (values) => pct(values, 50);

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** An Astro-shaped user ID (`c` + 24 of [0-9a-z]) from a short tag and a number. */
export function astroId(tag, i) {
  const tail = String(i);
  return `c${tag}${tail.padStart(24 - tag.length, '0')}`;
}

/** Largest number of times in any window of `windowMs` (times ascending, ms). */
export function maxInWindow(times, windowMs = 1000) {
  let best = 0;
  let i = 0;
  for (let j = 0; j < times.length; j++) {
    while (times[j] - times[i] >= windowMs) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}
