/**
 * Abuse limits: lookups per Slack user and per Slack workspace, so nobody can enumerate the
 * directory or burn the workspace's Astro API budget. Counted with rate-limiter-flexible, in
 * Redis when the app runs several instances on Redis (the limits are then shared), else in
 * process memory. A Redis outage falls back to in-memory counting (the library's insurance
 * limiter) instead of refusing or allowing everything.
 */
import type { createClient } from '@keyv/redis';
import { OutcomeError } from '../core/outcomes.js';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** Per-minute budgets. */
export interface ThrottleLimits {
  /** Lookups one Slack user may make per minute. */
  perUserPerMinute: number;
  /** Lookups all users of one Slack installation may make per minute. */
  perWorkspacePerMinute: number;
}

/** A refusal: which budget ran out and when to try again. */
export interface Throttled {
  scope: 'user' | 'workspace';
  /** Time until the budget allows another lookup, in ms. */
  retryAfterMs: number;
}

/** Thrown (as a lookup outcome) when a lookup is refused by the abuse limits. */
export class ThrottledError extends OutcomeError {
  readonly scope: Throttled['scope'];
  readonly retryAfterMs: number;

  constructor(t: Throttled) {
    super({ code: 'throttled', scope: t.scope, retryAfterMs: t.retryAfterMs }, `too many lookups (${t.scope})`);
    this.name = 'ThrottledError';
    this.scope = t.scope;
    this.retryAfterMs = t.retryAfterMs;
  }
}

/** The abuse limits. */
export interface Throttle {
  /**
   * Takes `points` lookups from the user's and the workspace's budgets.
   * @returns undefined when allowed, else which budget ran out.
   */
  take(installation: string, slackUserId: string, points?: number): Promise<Throttled | undefined>;
}

/**
 * Creates the limits; with `redis`, counters live in Redis under `throttle:*` keys (shared by all
 * instances), with an in-memory limiter as insurance while Redis is unreachable.
 */
export function createThrottle(limits: ThrottleLimits, redis?: ReturnType<typeof createClient>, options: { redisTimeoutMs?: number } = {}): Throttle {
  const redisTimeoutMs = options.redisTimeoutMs ?? 300;
  const make = (keyPrefix: string, points: number): { limiter: RateLimiterAbstract; memory: RateLimiterMemory } => {
    const memory = new RateLimiterMemory({ keyPrefix, points, duration: 60 });
    if (!redis) return { limiter: memory, memory };
    const limiter = new RateLimiterRedis({
      storeClient: redis,
      useRedisPackage: true,
      keyPrefix: `throttle:${keyPrefix}`,
      points,
      duration: 60,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    });
    return { limiter, memory };
  };
  const user = make('user', limits.perUserPerMinute);
  const workspace = make('workspace', limits.perWorkspacePerMinute);
  /**
   * Takes `points` from `limiter`, counting in memory instead when Redis errs (the library's
   * insurance) or does not answer within `redisTimeoutMs` (a stalled Redis is still "ready" to its
   * client, which has no command timeout: https://github.com/redis/node-redis/issues/2720).
   */
  const consume = async (pair: { limiter: RateLimiterAbstract; memory: RateLimiterMemory }, key: string, points: number): Promise<number | undefined> => {
    const take = (l: RateLimiterAbstract) => l.consume(key, points).then(
      () => undefined,
      (res: unknown) => {
        if (res instanceof RateLimiterRes) return res.msBeforeNext;
        throw res;
      },
    );
    if (pair.limiter === pair.memory) return take(pair.memory);
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<'slow'>((resolve) => {
      timer = setTimeout(() => resolve('slow'), redisTimeoutMs);
    });
    const shared = take(pair.limiter);
    shared.catch(() => undefined);
    const first = await Promise.race([shared, slow]);
    clearTimeout(timer);
    return first === 'slow' ? take(pair.memory) : first;
  };
  return {
    async take(installation, slackUserId, points = 1) {
      const userWait = await consume(user, `${installation}:${slackUserId}`, points);
      if (userWait !== undefined) return { scope: 'user', retryAfterMs: userWait };
      const wsWait = await consume(workspace, installation, points);
      if (wsWait !== undefined) return { scope: 'workspace', retryAfterMs: wsWait };
      return undefined;
    },
  };
}
