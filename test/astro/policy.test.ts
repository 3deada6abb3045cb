/**
 * createResilientAstroClient around the real createAstroClient, against a real loopback HTTP
 * server standing in for the Astro API: what a user of the bot would notice — how many requests
 * reach Astro, how long a call takes, which error it ends with.
 */
import type { ServerResponse } from 'node:http';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAstroClient, type AstroTarget } from '../../src/astro/client.js';
import { AstroApiError } from '../../src/astro/errors.js';
import {
  createResilientAstroClient,
  deadlineSignal,
  tokenHash,
  type BreakerInfo,
  type BreakerStateName,
  type ResiliencePolicyOptions,
  type RetryInfo,
} from '../../src/astro/policy.js';
import { json, startHttpStub, type HttpStub, type RecordedRequest } from '../support/http-stub.js';
import { specExample } from '../support/fixtures.js';
import { sleep } from '../support/sleep.js';
import { astroFailure } from '../support/astro-failure.js';

const TOKEN_A = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwb2xpY3ktYSJ9.policyTestSignatureAAAA';
const TOKEN_B = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwb2xpY3ktYiJ9.policyTestSignatureBBBB';
const ORG = 'clorg000000000000000000001';
const example = specExample('User');
const USER_ID = String(example.id);

let stub: HttpStub;
let targetA: AstroTarget;
let targetB: AstroTarget;
/** performance.now() at which each request of `stub.requests` arrived (same index). */
let arrivals: number[];
/** Every error a call rejected with, checked for the token at the end. */
const seenErrors: unknown[] = [];
/** Everything handed to a hook, checked for the token at the end. */
const hookPayloads: unknown[] = [];

type Handler = (req: RecordedRequest, res: ServerResponse, n: number) => void;

/** Answers with `handler`, recording when each request arrived; `n` counts from 1. */
function serve(handler: Handler): void {
  stub.setHandler((req, res) => {
    arrivals.push(performance.now());
    handler(req, res, stub.requests.length);
  });
}

const ok: Handler = (_req, res) => json(res, 200, example);
const status =
  (code: number, headers: Record<string, string> = {}): Handler =>
  (_req, res) =>
    json(res, code, { message: `status ${code}`, requestId: `req-${code}`, statusCode: code }, headers);
/** The first `k` requests get `first`, the rest `then`. */
const firstThen =
  (k: number, first: Handler, then: Handler): Handler =>
  (req, res, n) =>
    (n <= k ? first : then)(req, res, n);

/**
 * The inner client: a 5 s per-request timeout, so that a slow loopback answer on a busy machine
 * is not a timeout (which would count for the breaker); the hanging-upstream test uses 1 s.
 */
const inner = createAstroClient({ requestTimeoutMs: 5000 });

/** A resilient client with fast test timings. */
function resilient(options: ResiliencePolicyOptions = {}, client = inner) {
  return createResilientAstroClient(client, {
    backoffBaseMs: 10,
    backoffCapMs: 50,
    halfOpenAfterMs: 200,
    onRetry: (info) => hookPayloads.push(info),
    onBreakerStateChange: (state, info) => hookPayloads.push({ state, ...info }),
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<AstroApiError> {
  const err = await astroFailure(promise);
  seenErrors.push(err);
  return err;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}


/** Most values of ascending `times` within any window of `windowMs` (ms). */
function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j]! - times[i]! >= windowMs) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

/**
 * A stand-in Astro API in a worker thread (its own event loop): answers every request with
 * `body` and records when each arrived, by the worker's clock, even while this thread is blocked.
 */
async function startThreadStub(body: unknown): Promise<{ url: string; arrivals(): Promise<number[]>; close(): Promise<void> }> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { createServer } = require('node:http');
    const arrivals = [];
    const text = JSON.stringify(workerData.body);
    const server = createServer((req, res) => {
      arrivals.push(performance.now());
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
    server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
    parentPort.on('message', (m) => {
      if (m === 'arrivals') parentPort.postMessage({ arrivals: [...arrivals].sort((a, b) => a - b) });
      if (m === 'close') { server.closeAllConnections(); server.close(() => process.exit(0)); }
    });
  `;
  const worker = new Worker(code, { eval: true, workerData: { body } });
  const next = <T>(): Promise<T> => new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const { port } = await next<{ port: number }>();
  return {
    url: `http://127.0.0.1:${port}`,
    async arrivals() {
      const reply = next<{ arrivals: number[] }>();
      worker.postMessage('arrivals');
      return (await reply).arrivals;
    },
    async close() {
      const exited = new Promise((r) => worker.once('exit', r));
      worker.postMessage('close');
      await Promise.race([exited, sleep(2000).then(() => worker.terminate())]);
    },
  };
}

beforeAll(async () => {
  stub = await startHttpStub((_req, res) => json(res, 200, example));
  targetA = { apiUrl: stub.url, apiToken: TOKEN_A, organizationId: ORG };
  targetB = { apiUrl: stub.url, apiToken: TOKEN_B, organizationId: ORG };
});
afterAll(async () => stub?.close());
beforeEach(() => {
  stub.requests.length = 0;
  arrivals = [];
  serve(ok);
});

describe('retries', () => {
  it('429 twice then 200: succeeds after exactly 3 requests, reporting 2 retries', async () => {
    serve(firstThen(2, status(429), ok));
    const retries: RetryInfo[] = [];
    const client = resilient({ onRetry: (i) => retries.push(i) });
    const user = await client.getUser(targetA, USER_ID);
    expect(user.id).toBe(USER_ID);
    expect(stub.requests).toHaveLength(3);
    expect(retries.map(({ attempt, kind, status }) => ({ attempt, kind, status }))).toEqual([
      { attempt: 1, kind: 'rate_limited', status: 429 },
      { attempt: 2, kind: 'rate_limited', status: 429 },
    ]);
    for (const r of retries) expect(r.delayMs).toBeLessThanOrEqual(50);
  });

  it('429 with Retry-After: 1 waits about 1 s before the retry', async () => {
    serve(firstThen(1, status(429, { 'retry-after': '1' }), ok));
    const retries: RetryInfo[] = [];
    const { value: user, ms } = await timed(() => resilient({ onRetry: (i) => retries.push(i) }).getUser(targetA, USER_ID));
    expect(user.id).toBe(USER_ID);
    expect(stub.requests).toHaveLength(2);
    const gap = arrivals[1]! - arrivals[0]!;
    expect(gap).toBeGreaterThanOrEqual(900);
    expect(gap).toBeLessThan(2500);
    expect(ms).toBeLessThan(3000);
    expect(retries).toEqual([{ attempt: 1, kind: 'rate_limited', status: 429, delayMs: 1000 }]);
  });

  it('caps a long Retry-After (retryAfterCapMs)', async () => {
    serve(firstThen(1, status(503, { 'retry-after': '120' }), ok));
    const { ms } = await timed(() => resilient({ retryAfterCapMs: 100 }).getUser(targetA, USER_ID));
    expect(stub.requests).toHaveLength(2);
    expect(ms).toBeLessThan(5000); // not the 120 s asked for
  });

  it('gives a 429 back at once when its Retry-After would end after the known deadline', async () => {
    serve(status(429, { 'retry-after': '10' }));
    const { value: err, ms } = await timed(() => failure(resilient({ retryAfterCapMs: 20_000 }).getUser(targetA, USER_ID, { signal: deadlineSignal(5000) })));
    expect(err.kind).toBe('rate_limited');
    expect(err.status).toBe(429);
    expect(ms).toBeLessThan(2500); // at once, not at the 5 s deadline
    expect(stub.requests).toHaveLength(1);
  });

  it.each([502, 503, 504])('retries %i and then succeeds', async (code) => {
    serve(firstThen(1, status(code), ok));
    const user = await resilient().getUser(targetA, USER_ID);
    expect(user.id).toBe(USER_ID);
    expect(stub.requests).toHaveLength(2);
  });

  it('gives up after maxAttempts requests of a lasting 503, with the last error', async () => {
    serve(status(503));
    const err = await failure(resilient({ maxAttempts: 4 }).getUser(targetA, USER_ID));
    expect(err).toMatchObject({ kind: 'unavailable', status: 503, requestId: 'req-503' });
    expect(stub.requests).toHaveLength(4);
  });

  it("a call's own maxAttempts of 1 sends one request of a lasting 503 or 429, and never more than the policy's", async () => {
    serve(status(503));
    expect(await failure(resilient().getUser(targetA, USER_ID, { maxAttempts: 1 }))).toMatchObject({ kind: 'unavailable', status: 503 });
    expect(stub.requests).toHaveLength(1);
    serve(status(429));
    expect(await failure(resilient().getUser(targetB, USER_ID, { maxAttempts: 1 }))).toMatchObject({ kind: 'rate_limited', status: 429 });
    expect(stub.requests).toHaveLength(2);
    serve(status(503));
    await failure(resilient({ maxAttempts: 2 }).getUser(targetA, USER_ID, { maxAttempts: 5 }));
    expect(stub.requests).toHaveLength(4);
  });

  it('500: exactly 2 requests, then unavailable', async () => {
    serve(status(500));
    const err = await failure(resilient().getUser(targetA, USER_ID));
    expect(err).toMatchObject({ kind: 'unavailable', status: 500 });
    expect(stub.requests).toHaveLength(2);
  });

  it.each([
    [404, 'not_found'],
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [400, 'bad_request'],
  ] as const)('%i: exactly 1 request, error %s', async (code, kind) => {
    serve(status(code));
    const err = await failure(resilient().getUser(targetA, USER_ID));
    expect(err).toMatchObject({ kind, status: code, requestId: `req-${code}` });
    expect(stub.requests).toHaveLength(1);
  });

  it('a 200 that is not JSON (bad_response): exactly 1 request', async () => {
    serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>proxy login</html>');
    });
    const err = await failure(resilient().getUser(targetA, USER_ID));
    expect(err.kind).toBe('bad_response');
    expect(stub.requests).toHaveLength(1);
  });

  it('retries a connection reset', async () => {
    serve(firstThen(1, (_req, res) => res.socket?.destroy(), ok));
    const user = await resilient().getUser(targetA, USER_ID);
    expect(user.id).toBe(USER_ID);
    expect(stub.requests).toHaveLength(2);
  });
});

describe("the caller's deadline", () => {
  it('a hanging upstream with a 1.5 s deadline: timeout within ~2 s, no request after the deadline', async () => {
    serve(() => undefined); // never answers
    const start = performance.now();
    const signal = AbortSignal.timeout(1500); // as src/lookup/lookup.ts makes it: deadline unknown to the policy
    const err = await failure(resilient({}, createAstroClient({ requestTimeoutMs: 1000 })).getUser(targetA, USER_ID, { signal }));
    const elapsed = performance.now() - start;
    expect(err.kind).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(2500); // at the deadline, not after three 1 s attempts
    // requestTimeoutMs is 1000: the first request timed out and was retried (once, unless this
    // machine is so busy that the retry's moment came after the deadline).
    const sent = stub.requests.length;
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(sent).toBeLessThanOrEqual(2);
    await sleep(200);
    expect(stub.requests).toHaveLength(sent);
    for (const t of arrivals) expect(t - start).toBeLessThan(1500);
  });

  it('rejects at the deadline while sleeping before a retry, and never sends that retry', async () => {
    serve(status(503, { 'retry-after': '1' }));
    const start = performance.now();
    const client = resilient({ retryAfterCapMs: 500 });
    const err = await failure(client.getUser(targetA, USER_ID, { signal: AbortSignal.timeout(300) }));
    expect(err.kind).toBe('timeout');
    expect(performance.now() - start).toBeLessThan(450);
    await sleep(400); // past the (capped) Retry-After sleep cockatiel is still in
    expect(stub.requests).toHaveLength(1);
  });

  it('an already aborted signal: timeout, no request', async () => {
    const err = await failure(resilient().getUser(targetA, USER_ID, { signal: AbortSignal.abort() }));
    expect(err.kind).toBe('timeout');
    expect(stub.requests).toHaveLength(0);
  });
});

describe('circuit breaker', () => {
  it('opens after 5 consecutive 503s, fails fast without a request, and closes after one good trial', async () => {
    serve(status(503));
    const states: BreakerStateName[] = [];
    const client = resilient({ onBreakerStateChange: (s) => states.push(s) });

    expect(await failure(client.getUser(targetA, USER_ID))).toMatchObject({ kind: 'unavailable', status: 503 });
    expect(stub.requests).toHaveLength(3);
    expect(client.breakerState(targetA)).toBe('closed');
    // Requests 4 and 5 fail; the breaker opens, so the third attempt is not sent.
    const second = await failure(client.getUser(targetA, USER_ID));
    expect(second).toMatchObject({ kind: 'unavailable', message: 'the Astro API is unavailable' });
    expect(stub.requests).toHaveLength(5);
    expect(client.breakerState(targetA)).toBe('open');

    const { value: fast, ms } = await timed(() => failure(client.getUser(targetA, USER_ID)));
    expect(fast.kind).toBe('unavailable');
    expect(fast.message).toBe('the Astro API is unavailable');
    expect(fast.status).toBeUndefined();
    expect(ms).toBeLessThan(200);
    expect(stub.requests).toHaveLength(5);

    await sleep(250); // halfOpenAfterMs is 200
    serve(ok);
    expect((await client.getUser(targetA, USER_ID)).id).toBe(USER_ID);
    expect(stub.requests).toHaveLength(6);
    expect(client.breakerState(targetA)).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('a failed half-open trial opens it again', async () => {
    serve(status(503));
    const client = resilient({ breakerThreshold: 2, maxAttempts: 1 });
    await failure(client.getUser(targetA, USER_ID));
    await failure(client.getUser(targetA, USER_ID));
    expect(client.breakerState(targetA)).toBe('open');
    await sleep(250);
    expect((await failure(client.getUser(targetA, USER_ID))).status).toBe(503); // the trial
    expect(stub.requests).toHaveLength(3);
    expect(client.breakerState(targetA)).toBe('open');
    expect((await failure(client.getUser(targetA, USER_ID))).message).toBe('the Astro API is unavailable');
    expect(stub.requests).toHaveLength(3);
  });

  it.each([404, 401, 403, 400])('%i answers never open it', async (code) => {
    serve(status(code));
    const client = resilient({ breakerThreshold: 2 });
    for (let i = 0; i < 6; i++) await failure(client.getUser(targetA, USER_ID));
    expect(stub.requests).toHaveLength(6);
    expect(client.breakerState(targetA)).toBe('closed');
  });

  it("the caller's own deadline does not count as an Astro failure", async () => {
    serve(() => undefined);
    const client = resilient({ breakerThreshold: 1 });
    await failure(client.getUser(targetA, USER_ID, { signal: AbortSignal.timeout(100) }));
    expect(client.breakerState(targetA)).toBe('closed');
  });
});

describe('rate limit per token', () => {
  it('50 calls at once with 10/s: at most 10 requests reach Astro in any 1 s, and all succeed', async () => {
    const client = resilient({ requestsPerSecond: 10 });
    const start = performance.now();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => client.getUser(targetA, USER_ID, { signal: deadlineSignal(8000) })),
    );
    const elapsed = performance.now() - start;
    expect(results.every((u) => u.id === USER_ID)).toBe(true);
    expect(stub.requests).toHaveLength(50);
    const times = [...arrivals].sort((a, b) => a - b);
    for (let i = 0; i + 10 < times.length; i++) expect(times[i + 10]! - times[i]!).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(8000);
  });

  it('fails fast with rate_limited (no request) when the next slot would come after the deadline', async () => {
    const client = resilient({ requestsPerSecond: 2 });
    const calls = Array.from({ length: 3 }, () => timed(() => client.getUser(targetA, USER_ID, { signal: deadlineSignal(500) }).catch((e: unknown) => e)));
    const [a, b, c] = await Promise.all(calls);
    expect((a!.value as { id: string }).id).toBe(USER_ID);
    expect((b!.value as { id: string }).id).toBe(USER_ID);
    seenErrors.push(c!.value);
    expect(c!.value).toBeInstanceOf(AstroApiError);
    expect(c!.value).toMatchObject({ kind: 'rate_limited', status: undefined });
    expect(c!.ms).toBeLessThan(300); // at once, not at its 500 ms deadline
    expect(stub.requests).toHaveLength(2);
  });

  it('a call waiting for a slot gives up at its deadline with timeout, and gives its slot back', async () => {
    const client = resilient({ requestsPerSecond: 1 });
    await client.getUser(targetA, USER_ID); // takes this second's only slot
    const start = performance.now();
    const err = await failure(client.getUser(targetA, USER_ID, { signal: AbortSignal.timeout(200) }));
    expect(err.kind).toBe('timeout');
    expect(performance.now() - start).toBeLessThan(400);

    // The next slot (about 1 s after the first call) is free again: a call whose deadline is after
    // it waits for it rather than failing fast…
    const controller = new AbortController();
    const waiting = failure(client.getUser(targetA, USER_ID, { signal: controller.signal, deadlineAt: Date.now() + 1200 }));
    const pending = await Promise.race([waiting.then(() => 'settled'), sleep(100).then(() => 'pending')]);
    expect(pending).toBe('pending');
    // …and, since that call now holds it, one more such call fails fast.
    const { value: over, ms } = await timed(() => failure(client.getUser(targetA, USER_ID, { deadlineAt: Date.now() + 1200 })));
    expect(over).toMatchObject({ kind: 'rate_limited', status: undefined });
    expect(ms).toBeLessThan(300); // at once, not at its deadline 1.2 s away
    controller.abort();
    expect((await waiting).kind).toBe('timeout');
    expect(stub.requests).toHaveLength(1);
  });

  it('holds under event-loop lag: no 1 s window of arrivals at a stub in another thread exceeds the limit', async () => {
    // The stub runs in a worker thread, so it records when requests really arrive while this
    // thread is blocked. 30 calls at 10/s queue three batches; the event loop is then blocked
    // (busy-wait) across the moment the second batch is due, so its timers fire ~300 ms late.
    // Counting from planned start times, the third batch would leave 1.05 s after the second was
    // planned, i.e. ~0.75 s after it actually left: 20 arrivals within one second.
    const remote = await startThreadStub(example);
    try {
      const client = resilient({ requestsPerSecond: 10 });
      const target: AstroTarget = { apiUrl: remote.url, apiToken: TOKEN_A, organizationId: ORG };
      const calls = Array.from({ length: 30 }, () => client.getUser(target, USER_ID, { signal: deadlineSignal(10_000) }));
      await sleep(900);
      const blockUntil = performance.now() + 400;
      while (performance.now() < blockUntil) {
        // busy-wait: event-loop lag
      }
      const users = await Promise.all(calls);
      expect(users.every((u) => u.id === USER_ID)).toBe(true);
      const times = await remote.arrivals();
      expect(times).toHaveLength(30);
      expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(10);
    } finally {
      await remote.close();
    }
  });

  it('holds when requests reach Astro late: the event loop is blocked between letting a request go and writing it', async () => {
    // The first 10 calls are let go at once, but this thread is then blocked for 300 ms, so they
    // reach the stub ~300 ms later. Counted from when they were let go, the next 10 would leave
    // 1 s after that, i.e. ~0.7 s after the first 10 arrived: 20 arrivals within one second.
    const remote = await startThreadStub(example);
    try {
      const client = resilient({ requestsPerSecond: 10 });
      const target: AstroTarget = { apiUrl: remote.url, apiToken: TOKEN_A, organizationId: ORG };
      const calls = Array.from({ length: 20 }, () => client.getUser(target, USER_ID, { signal: deadlineSignal(10_000) }));
      const blockUntil = performance.now() + 300;
      while (performance.now() < blockUntil) {
        // busy-wait: the requests let go above are not written yet
      }
      const users = await Promise.all(calls);
      expect(users.every((u) => u.id === USER_ID)).toBe(true);
      const times = await remote.arrivals();
      expect(times).toHaveLength(20);
      expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(10);
    } finally {
      await remote.close();
    }
  });

  it('counts a request until its answer is back: a slow Astro slows the budget down', async () => {
    serve((_req, res) => void sleep(300).then(() => json(res, 200, example)));
    const client = resilient({ requestsPerSecond: 2 });
    const start = performance.now();
    await Promise.all(Array.from({ length: 3 }, () => client.getUser(targetA, USER_ID, { signal: deadlineSignal(5000) })));
    // The third waits for the first answer (~300 ms) plus the window (1 s).
    expect(arrivals[2]! - start).toBeGreaterThanOrEqual(1250);
    expect(arrivals[2]! - start).toBeLessThan(2500);
  });

  it('two tokens have independent budgets and breakers', async () => {
    serve((req, res) => (req.headers.authorization === `Bearer ${TOKEN_A}` ? status(503) : ok)(req, res, 0));
    // halfOpenAfterMs: A's breaker must stay open until the end, however slowly this test runs.
    const client = resilient({ requestsPerSecond: 5, breakerThreshold: 2, maxAttempts: 1, halfOpenAfterMs: 60_000 });

    // Token A uses up its budget for this second (all 503s) and opens its breaker…
    await Promise.all(Array.from({ length: 5 }, () => client.getUser(targetA, USER_ID).catch((e: unknown) => e)));
    expect(client.breakerState(targetA)).toBe('open');
    // …while token B still gets 5 requests through at once, and its breaker stays closed. Had B
    // shared A's budget, its requests would have waited for A's window to end (1 s after A's).
    const users = await Promise.all(Array.from({ length: 5 }, () => client.getUser(targetB, USER_ID)));
    expect(users.every((u) => u.id === USER_ID)).toBe(true);
    expect(Math.max(...arrivals) - Math.min(...arrivals)).toBeLessThan(1000);
    expect(client.breakerState(targetB)).toBe('closed');
    expect(client.breakerState()).toBe('open');
    expect(stub.requests.filter((r) => r.headers.authorization === `Bearer ${TOKEN_B}`)).toHaveLength(5);
    expect((await failure(client.getUser(targetA, USER_ID))).message).toBe('the Astro API is unavailable');
  });
});

describe('secrets', () => {
  it('hooks get the SHA-256 of the token, never the token', async () => {
    serve(status(503));
    const infos: BreakerInfo[] = [];
    const client = resilient({ breakerThreshold: 1, maxAttempts: 1, onBreakerStateChange: (_s, info) => infos.push(info) });
    await failure(client.getUser(targetA, USER_ID));
    expect(infos).toEqual([{ apiUrl: stub.url, tokenHash: tokenHash(TOKEN_A) }]);
    expect(tokenHash(TOKEN_A)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('no error message, stack or cause, and no hook payload, contains a token', () => {
    expect(seenErrors.length).toBeGreaterThan(20);
    expect(hookPayloads.length).toBeGreaterThan(5);
    const texts: string[] = [];
    const collect = (e: unknown, depth = 0): void => {
      if (depth > 5 || e === undefined || e === null) return;
      if (e instanceof Error) {
        texts.push(e.message, e.stack ?? '', JSON.stringify(e));
        collect(e.cause, depth + 1);
      } else texts.push(String(e));
    };
    for (const e of seenErrors) collect(e);
    texts.push(JSON.stringify(hookPayloads));
    for (const text of texts) {
      expect(text).not.toContain(TOKEN_A);
      expect(text).not.toContain(TOKEN_B);
    }
  });
});
