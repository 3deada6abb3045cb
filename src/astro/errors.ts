/**
 * Typed errors of the Astro API client. Knows nothing of Slack: turning an error into a message
 * a person reads happens in `src/slack/views/errors.ts`.
 */

/**
 * What went wrong, as a caller needs to know it:
 * - `not_found`: 404, no such resource in the organization, or hidden from the token.
 * - `unauthorized`: 401, the token is missing, invalid or expired.
 * - `forbidden`: 403, the token lacks the permission (e.g. a Workspace or Deployment token).
 * - `bad_request`: 400, Astro refused the request's shape.
 * - `rate_limited`: 429, more than the token's budget (25 GET/s per token, Astro API overview).
 * - `unavailable`: 5xx, or the connection failed.
 * - `bad_response`: a 2xx whose body is not JSON or does not match the documented schema.
 * - `timeout`: no complete answer within the request timeout.
 */
export type AstroErrorKind =
  | 'not_found'
  | 'unauthorized'
  | 'forbidden'
  | 'bad_request'
  | 'rate_limited'
  | 'unavailable'
  | 'bad_response'
  | 'timeout';

/** An Astro API call that did not yield the expected data. Never carries the token. */
export class AstroApiError extends Error {
  /** See {@link AstroErrorKind}. */
  readonly kind: AstroErrorKind;
  /** HTTP status of the answer, when there was one. */
  readonly status?: number;
  /** Astro's `requestId` from the error body, to share with Astronomer support. */
  readonly requestId?: string;
  /** `Retry-After` of a 429/503 answer, in ms, when Astro sent one. */
  readonly retryAfterMs?: number;

  constructor(
    kind: AstroErrorKind,
    message: string,
    details: { status?: number; requestId?: string; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'AstroApiError';
    this.kind = kind;
    if (details.status !== undefined) this.status = details.status;
    if (details.requestId !== undefined) this.requestId = details.requestId;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }
}

/** Maps an HTTP status outside 2xx to an {@link AstroErrorKind}. */
export function kindForStatus(status: number): AstroErrorKind {
  if (status === 404) return 'not_found';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 429) return 'rate_limited';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'unavailable';
  if (status >= 400) return 'bad_request';
  return 'bad_response';
}
