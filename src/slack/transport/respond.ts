/**
 * Posting replies to a Slack `response_url` (what Bolt's `respond()` does), with undici's
 * `request` instead of `fetch`: the same HTTP client Node's `fetch` is built on, without the
 * WHATWG Request/Response/stream layers, which cost ~4× the CPU per post (bench/results.md).
 * Connections are kept alive, every post is bounded in time, and Slack's answer is read and
 * dropped so that its connection returns to the pool.
 */
import { Agent, request } from 'undici';

/** Slack answered a post to a `response_url` with a status other than 2xx (404/410: expired or used up). */
export class RespondError extends Error {
  constructor(
    /** Slack's HTTP status. */
    readonly statusCode: number,
  ) {
    super(`Slack refused the post to the response_url (HTTP ${statusCode})`);
    this.name = 'RespondError';
  }
}

/**
 * Posts one message to a `response_url`; the same contract as Bolt's `RespondFn`: a string is
 * sent as `{ text }`. Resolves when Slack accepted it (2xx).
 * @throws {RespondError} with `statusCode` when Slack answers with another status.
 * @throws {Error} on a network error or when `timeoutMs` passes (no `statusCode`).
 */
export type Respond = (message: string | Record<string, unknown>) => Promise<void>;

/** Posts to `response_url`s. */
export interface Responder {
  /** A {@link Respond} bound to one `response_url` (an `https:` or `http:` URL, else every post fails). */
  to(responseUrl: string): Respond;
  /**
   * Closes every connection at once, aborting posts still in flight (at shutdown, after the
   * grace period for work in flight: a post to a `response_url` that hangs must not hold the exit).
   */
  close(): Promise<void>;
}

/** Most of Slack's answer read (and dropped) per post, in bytes; its answer is `ok` or a short error. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Creates a {@link Responder}.
 * @param options.timeoutMs wall-clock bound of one post, connecting included, in ms (Slack shows
 *   a reply to a slash command only within 30 minutes; a post that hangs must not hold the app).
 */
export function createResponder(options: { timeoutMs: number }): Responder {
  const agent = new Agent({ keepAliveTimeout: 30_000, connect: { timeout: options.timeoutMs } });
  return {
    to(responseUrl) {
      return async (message) => {
        if (!/^https?:\/\//i.test(responseUrl)) throw new Error('not an http(s) response_url');
        const body = JSON.stringify(typeof message === 'string' ? { text: message } : message);
        const res = await request(responseUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body,
          dispatcher: agent,
          signal: AbortSignal.timeout(options.timeoutMs),
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
        });
        await res.body.dump({ limit: MAX_ANSWER_BYTES }).catch(() => undefined);
        if (res.statusCode < 200 || res.statusCode >= 300) throw new RespondError(res.statusCode);
      };
    },
    close: () => agent.destroy(),
  };
}
