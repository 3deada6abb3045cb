/**
 * Resilience around the Astro API client: retries with backoff and jitter, a client-side rate
 * limit per Astro token, and a circuit breaker per API base and token. Every call of the wrapped
 * client goes through one generic function, {@link ResilientAstroClient.run}, so a new GET method
 * of {@link AstroClient} needs one line here (see the `getUser` line at the end of
 * {@link createResilientAstroClient}).
 *
 * External facts this module relies on:
 * - Astro API overview, "Rate limiting": 25 GET requests/s per API token; no `Retry-After` or
 *   `X-RateLimit-*` header is documented, but 429 does happen (https://www.astronomer.io/docs/astro/api/overview).
 * - Astro API overview, "API status codes": 400/401/403/404 are the caller's problem (never
 *   retried), 500 is an Astro-side error (retried at most once), 502/503/504 come from gateways
 *   (retried) (https://www.astronomer.io/docs/astro/api/overview).
 * - cockatiel 3.2.1 (the Node 20 line; https://github.com/connor4312/cockatiel): `retry` with a
 *   `DelegateBackoff`, `circuitBreaker` with a `ConsecutiveBreaker`. Its retry sleep is not
 *   abortable and its half-open trial drops the abort signal; this module works around both (the
 *   caller's signal is read from a closure, and the caller's promise is raced against it).
 *
 * Tokens are secrets: they are only ever hashed (SHA-256, hex) before being used as a map key,
 * handed to a hook, or written into an error. No error made here contains the token.
 */
import { createHash } from 'node:crypto';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  ExponentialBackoff,
  IsolatedCircuitError,
  TaskCancelledError,
  circuitBreaker,
  handleWhen,
  retry,
  type CircuitBreakerPolicy,
  type IBackoff,
  type IRetryBackoffContext,
} from 'cockatiel';
import { LRUCache } from 'lru-cache';
import type { AstroClient, AstroTarget, CallOptions } from './client.js';
import { AstroApiError, type AstroErrorKind } from './errors.js';
import type { AstroUser } from './schemas.js';

/** State of one circuit breaker, as a metrics label would carry it. */
export type BreakerStateName = 'closed' | 'open' | 'half-open';

/** What {@link ResiliencePolicyOptions.onRetry} is told before each retry's sleep. */
export interface RetryInfo {
  /** Number of the retry about to happen, 1-based (the upstream attempt after the sleep is `attempt + 1`). */
  attempt: number;
  /** Kind of the error that is being retried (`rate_limited`, `unavailable` or `timeout`). */
  kind: AstroErrorKind;
  /** HTTP status of that error, absent for a network failure or a per-request timeout. */
  status?: number;
  /** Sleep before the retry, in ms (Retry-After when Astro sent one, else jittered exponential backoff). */
  delayMs: number;
}

/** Which breaker changed state: the API base and the SHA-256 (hex) of the token, never the token. */
export interface BreakerInfo {
  apiUrl: string;
  /** SHA-256 of the Astro API token, lowercase hex (64 chars). */
  tokenHash: string;
}

/** Options of {@link createResilientAstroClient}. All durations are in ms. */
export interface ResiliencePolicyOptions {
  /** Upstream attempts per call, the first one included. Default 3. A status 500 is retried at most once regardless. */
  maxAttempts?: number;
  /** Initial delay of the exponential backoff (decorrelated jitter), in ms. Default 200. */
  backoffBaseMs?: number;
  /** Largest backoff delay, in ms. Default 5000. */
  backoffCapMs?: number;
  /** Largest wait honoured from an error's `retryAfterMs` (Retry-After), in ms. Default 5000. */
  retryAfterCapMs?: number;
  /**
   * Client-side budget per Astro token, in requests per second, below Astro's documented 25 GET/s
   * per token (Astro API overview, "Rate limiting"). Default 20. It holds as Astro counts arrivals,
   * whatever the delays on the way: a request counts from when it leaves until one second after its
   * answer is back (see SlidingWindowLimiter), so the sustained rate is this many per (1 s + latency).
   */
  requestsPerSecond?: number;
  /** Requests per token that may wait for a rate-limit slot at once; beyond that, `rate_limited` at once. Default 100. */
  maxQueuePerToken?: number;
  /**
   * Consecutive upstream failures (429, 5xx, network failure, per-request timeout) that open the
   * breaker of one API base and token. 400/401/403/404 and the caller's own deadline never count. Default 5.
   */
  breakerThreshold?: number;
  /** Time an open breaker waits before letting one trial call through (half-open), in ms. Default 15000. */
  halfOpenAfterMs?: number;
  /** Most tokens (and API base + token pairs) whose limiter and breaker are kept, least recently used evicted. Default 1000. */
  maxTrackedTokens?: number;
  /** Called before each retry's sleep (metrics: a retry counter). Exceptions it throws are ignored. */
  onRetry?: (info: RetryInfo) => void;
  /** Called when a breaker changes state (metrics: a breaker-state gauge). Exceptions it throws are ignored. */
  onBreakerStateChange?: (state: BreakerStateName, info: BreakerInfo) => void;
}

/**
 * Per-call options of the resilient client: the inner client's {@link CallOptions} plus an
 * optional deadline the policy can plan with.
 */
export interface ResilientCallOptions extends CallOptions {
  /**
   * When the caller's deadline passes, in ms since the epoch. Lets the policy fail fast (rather
   * than wait and then time out) when a rate-limit slot or a Retry-After wait would end after it.
   * Defaults to the deadline of a signal made by {@link deadlineSignal}; unknown otherwise.
   */
  deadlineAt?: number;
}

/** The API base and token a breaker or limiter is kept for. */
export type BreakerTarget = Pick<AstroTarget, 'apiUrl' | 'apiToken'>;

/** An {@link AstroClient} whose every call is retried, rate limited and guarded by a breaker. */
export interface ResilientAstroClient extends AstroClient {
  /**
   * `GetUser` through the policy; see {@link AstroClient.getUser} and {@link ResilientAstroClient.run}.
   * @throws {AstroApiError} as `run` does.
   */
  getUser(target: AstroTarget, userId: string, options?: ResilientCallOptions): Promise<AstroUser>;
  /**
   * Runs one Astro API operation `fn` through the policy: breaker check, rate-limit slot, then
   * `fn(call)` with the caller's signal; retried on 429/502/503/504/network failure/per-request
   * timeout (500: once) with exponential backoff and jitter or Retry-After (capped), up to
   * `maxAttempts` upstream attempts (fewer when the call's own `maxAttempts` says so), never sleeping past the caller's deadline.
   *
   * @param target Which API base and token (the breaker and rate-limit keys derive from them).
   * @param fn One upstream attempt; must pass `call.signal` on to the request and throw {@link AstroApiError}.
   * @param options The caller's signal (overall deadline) and optional `deadlineAt` (ms since the epoch).
   * @returns What `fn` resolved with.
   * @throws {AstroApiError} `timeout` as soon as the caller's signal aborts; `unavailable` with
   * message "the Astro API is unavailable" while the breaker is open (no upstream request);
   * `rate_limited` (no `status`) when a rate-limit slot would come after the deadline or the
   * queue is full; else the last upstream error (`not_found`, `unauthorized`, …) unchanged.
   */
  run<T>(target: BreakerTarget, fn: (call: CallOptions) => Promise<T>, options?: ResilientCallOptions): Promise<T>;
  /**
   * State of the breaker of `target` (`closed` when it has not been used yet). Without a target,
   * the worst state over all kept breakers (`open` > `half-open` > `closed`), e.g. for a health gauge.
   * An open breaker whose `halfOpenAfterMs` has passed stays `open` until the next call tries it.
   */
  breakerState(target?: BreakerTarget): BreakerStateName;
}

/** Deadlines of signals made by {@link deadlineSignal}, in ms since the epoch. */
const deadlines = new WeakMap<AbortSignal, number>();

/**
 * `AbortSignal.timeout(ms)` whose deadline the resilient client can read, so it can fail fast
 * when a wait would end after it (see {@link ResilientCallOptions.deadlineAt}).
 * @param ms Time until the signal aborts, in ms.
 * @returns A signal that aborts with a `TimeoutError` after `ms`.
 */
export function deadlineSignal(ms: number): AbortSignal {
  const signal = AbortSignal.timeout(ms);
  deadlines.set(signal, Date.now() + ms);
  return signal;
}

/**
 * SHA-256 of an Astro API token, lowercase hex: the only form of a token used as a key or label.
 * @param token The Astro API token (secret).
 */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Length of the rate-limit window, in ms ("N requests per second"). */
const WINDOW_MS = 1000;
/**
 * Added to the window, in ms, for timer and clock granularity. Delays between a request leaving
 * here and reaching Astro need no margin: a request is counted until its answer is back (see
 * {@link SlidingWindowLimiter}).
 */
const WINDOW_GUARD_MS = 10;

/** Told when the upstream call a slot was taken for has settled (answer, error or abort). Idempotent. */
export type SlotDone = () => void;

/** One call waiting for a rate-limit slot. */
interface Waiter {
  /** Estimated start (clock ms), for the deadline check of later arrivals. */
  planned: number;
  resolve(done: SlotDone): void;
}

/**
 * A sliding-window limiter that holds by construction as Astro counts: at most `limit` requests
 * ARRIVE at Astro within any `WINDOW_MS` (one second).
 *
 * A request occupies a slot from when this limiter lets it go until `WINDOW_MS + WINDOW_GUARD_MS`
 * after its upstream call has settled (the caller says so with the {@link SlotDone} it got). A new
 * request may go only while fewer than `limit` requests are in flight or settled within that span.
 * Why this holds whatever the delays: a request reaches Astro after it was let go and before its
 * answer came back. Take any second at Astro and the last request R let go among those arriving in
 * it: every other one was let go before R and settled after the second began, i.e. less than the
 * span before R was let go, so each still held a slot then; R was let go with a slot free, so at most
 * `limit` arrive in that second. Nothing here depends on when timers fire or how long the event
 * loop takes to write a request after letting it go (under load that was measured at up to 250 ms,
 * enough to bunch two windows together when requests were counted from their release only).
 *
 * The price: each request holds its slot for its own latency on top of the window, so the budget
 * is `limit` per (1 s + latency): about 17/s of 20/s when Astro answers in 150 ms.
 *
 * Timers only wake the queue: when one fires (late or not) the window is checked again, and the
 * timer armed again while it is still full. Waiters leave in arrival order (FIFO). Each waiter
 * gets an estimated start when it queues (in-flight requests counted as settling now), so that a
 * request that would start after its deadline fails at once; the real start can only be later. A
 * waiter whose signal aborts leaves the queue. Written here because cockatiel 3 has no rate limiter
 * and the packages that have one (p-throttle 8, limiter 4, rate-limiter-flexible) offer neither a
 * per-call abort that frees the slot nor a wait known in advance.
 */
export class SlidingWindowLimiter {
  /** When requests settled, within the last span (clock ms), ascending. */
  private readonly settled: number[] = [];
  /** Requests let go whose upstream call has not settled yet. */
  private inFlight = 0;
  /** Calls waiting for a slot, first come first served. */
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly span = WINDOW_MS + WINDOW_GUARD_MS;

  constructor(
    private readonly limit: number,
    private readonly maxQueue: number,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Number of calls waiting for a slot (tests, metrics). */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Resolves when the request may start, with the function to call once its upstream call has
   * settled (always call it, also when the request is not sent after all).
   * @throws {AstroApiError} `rate_limited` (no status) when the queue is full or the estimated start would come at or after `deadlineAt`;
   * `timeout` when `signal` aborts while waiting.
   */
  acquire(signal: AbortSignal | undefined, deadlineAt: number | undefined): Promise<SlotDone> {
    const now = this.clock();
    this.release(now);
    if (this.queue.length === 0 && this.taken() < this.limit) return Promise.resolve(this.take());
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(localError('rate_limited', 'Too many Astro API requests are waiting for this token; try again shortly'));
    }
    const planned = this.estimate(now);
    if (deadlineAt !== undefined && Date.now() + (planned - now) >= deadlineAt) {
      return Promise.reject(localError('rate_limited', 'The Astro API request budget for this token is used up until after the deadline'));
    }
    return new Promise<SlotDone>((resolve, reject) => {
      const waiter: Waiter = {
        planned,
        resolve: (done) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(done);
        },
      };
      const onAbort = () => {
        const i = this.queue.indexOf(waiter);
        if (i < 0) return; // already let go
        // Leaving the queue is safe: the waiters behind only get more room.
        this.queue.splice(i, 1);
        if (this.queue.length === 0) this.stopTimer();
        reject(localError('timeout', DEADLINE_MESSAGE));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.schedule(now);
    });
  }

  /** Slots held: requests in flight, and those settled within the span. */
  private taken(): number {
    return this.inFlight + this.settled.length;
  }

  /** Takes a slot; the returned function gives the request's settling time. */
  private take(): SlotDone {
    this.inFlight += 1;
    let settled = false;
    return () => {
      if (settled) return;
      settled = true;
      this.inFlight -= 1;
      const at = this.clock();
      this.settled.push(at);
      this.schedule(at);
    };
  }

  /**
   * First start time free for a new waiter behind the queue: the oldest settled requests first,
   * in-flight ones as if they settled now, then the waiters' estimates.
   */
  private estimate(now: number): number {
    const taken = this.taken() + this.queue.length;
    if (taken < this.limit) return now;
    const i = taken - this.limit;
    const s = this.settled.length;
    const from = i < s ? this.settled[i]! : i < s + this.inFlight ? now : this.queue[i - s - this.inFlight]!.planned;
    return Math.max(now, from + this.span);
  }

  /** Forgets settled requests that left the window, then lets waiters go while a slot is free. */
  private release(now: number): void {
    while (this.settled.length > 0 && this.settled[0]! + this.span <= now) this.settled.shift();
    while (this.queue.length > 0 && this.taken() < this.limit) this.queue.shift()!.resolve(this.take());
  }

  /**
   * While calls wait, arms the timer for when the oldest settled request leaves the window. When
   * every slot is in flight there is nothing to wait for but a request settling, which calls this again.
   */
  private schedule(now: number): void {
    if (this.timer !== undefined || this.queue.length === 0) return;
    let due: number;
    if (this.taken() < this.limit) due = now;
    else if (this.settled.length > 0) due = this.settled[0]! + this.span;
    else return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // The timer may fire late (event-loop lag): the window is checked again against what
      // really happened, and the timer armed again while it is still full.
      const at = this.clock();
      this.release(at);
      this.schedule(at);
    }, Math.max(0, Math.ceil(due - now)));
  }

  private stopTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

const DEADLINE_MESSAGE = 'No answer from the Astro API before the deadline';
const OPEN_MESSAGE = 'the Astro API is unavailable';

/**
 * Errors that say nothing about Astro's health: made here (open breaker, local rate limit, the
 * caller's deadline) or an upstream error caused by the caller's signal. Never retried, never
 * counted by a breaker.
 */
const notUpstreamFailures = new WeakSet<Error>();

function localError(kind: AstroErrorKind, message: string, cause?: unknown): AstroApiError {
  const err = new AstroApiError(kind, message, cause === undefined ? {} : { cause });
  notUpstreamFailures.add(err);
  return err;
}

/** True for an upstream answer (or non-answer) that says Astro is struggling: breaker failures. */
function isUpstreamFailure(err: Error): boolean {
  if (!(err instanceof AstroApiError) || notUpstreamFailures.has(err)) return false;
  if (err.kind === 'rate_limited') return err.status === 429;
  return err.kind === 'unavailable' || err.kind === 'timeout';
}

function stateName(state: CircuitState): BreakerStateName {
  if (state === CircuitState.Closed) return 'closed';
  if (state === CircuitState.HalfOpen) return 'half-open';
  return 'open'; // Open, Isolated
}

const SEVERITY: Record<BreakerStateName, number> = { closed: 0, 'half-open': 1, open: 2 };

/** Calls a metrics hook; a failing hook must not fail the Astro call. */
function safely(hook: () => void): void {
  try {
    hook();
  } catch {
    // ignored on purpose
  }
}

/**
 * Wraps an {@link AstroClient} so that every call is retried, rate limited per token and guarded
 * by a circuit breaker per API base and token (details in {@link ResilientAstroClient.run}).
 *
 * Defaults: 3 attempts; backoff 200 ms initial, 5 s cap, decorrelated jitter; Retry-After honoured
 * up to 5 s; 20 requests/s per token (Astro documents 25 GET/s per token, Astro API overview);
 * breaker opens after 5 consecutive upstream failures and tries again after 15 s.
 *
 * @param inner The client doing the HTTP requests (e.g. `createAstroClient()`), which must turn
 * every failure into an {@link AstroApiError}.
 * @param options See {@link ResiliencePolicyOptions}; durations in ms.
 * @returns The wrapped client, plus `run` for any other operation and `breakerState` for health checks.
 */
export function createResilientAstroClient(inner: AstroClient, options: ResiliencePolicyOptions = {}): ResilientAstroClient {
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 3));
  const backoffBaseMs = options.backoffBaseMs ?? 200;
  const backoffCapMs = options.backoffCapMs ?? 5000;
  const retryAfterCapMs = options.retryAfterCapMs ?? 5000;
  const requestsPerSecond = Math.max(1, Math.floor(options.requestsPerSecond ?? 20));
  const maxQueuePerToken = options.maxQueuePerToken ?? 100;
  const breakerThreshold = options.breakerThreshold ?? 5;
  const halfOpenAfterMs = options.halfOpenAfterMs ?? 15_000;
  const maxTracked = options.maxTrackedTokens ?? 1000;
  const { onRetry, onBreakerStateChange } = options;

  /** Keyed by token hash. */
  const limiters = new LRUCache<string, SlidingWindowLimiter>({ max: maxTracked });
  /** Keyed by `${apiUrl} ${tokenHash}`. */
  const breakers = new LRUCache<string, CircuitBreakerPolicy>({ max: maxTracked });

  function limiterFor(hash: string): SlidingWindowLimiter {
    let limiter = limiters.get(hash);
    if (!limiter) {
      limiter = new SlidingWindowLimiter(requestsPerSecond, maxQueuePerToken);
      limiters.set(hash, limiter);
    }
    return limiter;
  }

  function breakerFor(apiUrl: string, hash: string, create: boolean): CircuitBreakerPolicy | undefined {
    const key = `${apiUrl} ${hash}`;
    let breaker = breakers.get(key);
    if (!breaker && create) {
      breaker = circuitBreaker(handleWhen(isUpstreamFailure), {
        halfOpenAfter: halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(breakerThreshold),
      });
      if (onBreakerStateChange) {
        const info: BreakerInfo = { apiUrl, tokenHash: hash };
        breaker.onStateChange((state) => safely(() => onBreakerStateChange(stateName(state), info)));
      }
      breakers.set(key, breaker);
    }
    return breaker;
  }

  async function run<T>(target: BreakerTarget, fn: (call: CallOptions) => Promise<T>, call: ResilientCallOptions = {}): Promise<T> {
    const { signal } = call;
    const deadlineAt = call.deadlineAt ?? (signal ? deadlines.get(signal) : undefined);
    if (signal?.aborted) throw localError('timeout', DEADLINE_MESSAGE, signal.reason);

    const hash = tokenHash(target.apiToken);
    const limiter = limiterFor(hash);
    const breaker = breakerFor(target.apiUrl, hash, true)!;
    const upstreamCall: CallOptions = signal ? { signal } : {};
    const remaining = () => (deadlineAt === undefined ? Infinity : deadlineAt - Date.now());

    /** One upstream attempt behind the breaker and the rate limit. */
    async function attempt(): Promise<T> {
      // cockatiel sleeps before a retry without watching the signal: never send after the deadline.
      if (signal?.aborted || remaining() <= 0) throw localError('timeout', DEADLINE_MESSAGE, signal?.reason);
      try {
        return await breaker.execute(async () => {
          const done = await limiter.acquire(signal, deadlineAt);
          try {
            if (signal?.aborted || remaining() <= 0) throw localError('timeout', DEADLINE_MESSAGE, signal?.reason);
            return await fn(upstreamCall);
          } catch (err) {
            if (signal?.aborted && err instanceof Error) notUpstreamFailures.add(err);
            throw err;
          } finally {
            // The request counts against the budget until its answer is back (or it was given up).
            done();
          }
        });
      } catch (err) {
        if (err instanceof BrokenCircuitError || err instanceof IsolatedCircuitError) throw localError('unavailable', OPEN_MESSAGE, err);
        if (err instanceof TaskCancelledError) throw localError('timeout', DEADLINE_MESSAGE, err);
        throw err;
      }
    }

    /** Wait before retrying `err`, in ms: its Retry-After (capped) when it has one. */
    const retryAfter = (err: AstroApiError): number | undefined =>
      err.retryAfterMs === undefined ? undefined : Math.min(err.retryAfterMs, retryAfterCapMs);

    let retried500 = false;
    const retryable = (err: Error): boolean => {
      if (!(err instanceof AstroApiError) || notUpstreamFailures.has(err)) return false;
      const wait = retryAfter(err);
      // A Retry-After wait that ends after the deadline is pointless: give the error back now.
      if (wait !== undefined && wait >= remaining()) return false;
      if (err.kind === 'rate_limited') return err.status === 429;
      if (err.kind === 'timeout') return true; // the per-request timeout, not the caller's deadline
      if (err.kind !== 'unavailable') return false;
      if (err.status === undefined || err.status === 502 || err.status === 503 || err.status === 504) return true;
      if (err.status === 500 && !retried500) {
        retried500 = true;
        return true;
      }
      return false;
    };

    const exponential = new ExponentialBackoff({ initialDelay: backoffBaseMs, maxDelay: backoffCapMs });
    const backoff = new DelegateBackoff<IRetryBackoffContext<unknown>, IBackoff<unknown> | undefined>((ctx, previous) => {
      const next = previous ? previous.next(ctx) : exponential.next();
      const wait = 'error' in ctx.result && ctx.result.error instanceof AstroApiError ? retryAfter(ctx.result.error) : undefined;
      const delay = Math.max(0, Math.min(wait ?? next.duration, remaining()));
      return { delay: Math.round(delay), state: next };
    });
    const attempts = Math.min(maxAttempts, Math.max(1, Math.floor(call.maxAttempts ?? maxAttempts)));
    const policy = retry(handleWhen(retryable), { maxAttempts: attempts - 1, backoff });
    if (onRetry) {
      policy.onRetry((event) => {
        const err = 'error' in event ? event.error : undefined;
        if (!(err instanceof AstroApiError)) return;
        const info: RetryInfo = { attempt: event.attempt, kind: err.kind, delayMs: event.delay };
        if (err.status !== undefined) info.status = err.status;
        safely(() => onRetry(info));
      });
    }

    const work = policy.execute(attempt, signal);
    if (!signal) return work;
    // Reject as soon as the caller's signal fires, even while cockatiel sleeps before a retry.
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(localError('timeout', DEADLINE_MESSAGE, signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  return {
    run,
    breakerState(target) {
      if (target) {
        const breaker = breakerFor(target.apiUrl, tokenHash(target.apiToken), false);
        return breaker ? stateName(breaker.state) : 'closed';
      }
      let worst: BreakerStateName = 'closed';
      for (const breaker of breakers.values()) {
        const state = stateName(breaker.state);
        if (SEVERITY[state] > SEVERITY[worst]) worst = state;
      }
      return worst;
    },
    // One line per operation of AstroClient:
    getUser: (target, userId, call) => run(target, (c) => inner.getUser(target, userId, c), call),
    listWorkspaces: (target, query, call) => run(target, (c) => inner.listWorkspaces(target, query, c), call),
    listDeployments: (target, query, call) => run(target, (c) => inner.listDeployments(target, query, c), call),
    listUsers: (target, query, call) => run(target, (c) => inner.listUsers(target, query, c), call),
    listUserTeams: (target, userId, query, call) => run(target, (c) => inner.listUserTeams(target, userId, query, c), call),
    listAllWorkspaces: (target, query, call) => run(target, (c) => inner.listAllWorkspaces(target, query, c), call),
    listAllDeployments: (target, query, call) => run(target, (c) => inner.listAllDeployments(target, query, c), call),
    listTeams: (target, query, call) => run(target, (c) => inner.listTeams(target, query, c), call),
    listTeamMembers: (target, teamId, query, call) => run(target, (c) => inner.listTeamMembers(target, teamId, query, c), call),
    listApiTokens: (target, query, call) => run(target, (c) => inner.listApiTokens(target, query, c), call),
    listRoles: (target, query, call) => run(target, (c) => inner.listRoles(target, query, c), call),
    getCustomRole: (target, roleId, call) => run(target, (c) => inner.getCustomRole(target, roleId, c), call),
    listPermissionGroups: (target, scopeType, call) => run(target, (c) => inner.listPermissionGroups(target, scopeType, c), call),
    getOrganizationAuditLogs: (target, query, call) => run(target, (c) => inner.getOrganizationAuditLogs(target, query, c), call),
  };
}
