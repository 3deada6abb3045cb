/**
 * Typed errors of the Astro API client. Knows nothing of Slack: turning an error into a message
 * a person reads happens in `src/slack/views/messages.ts` (by the error's `failure.code`).
 */
import { OutcomeError, type AstroErrorKind } from '../core/outcomes.js';

export type { AstroErrorKind } from '../core/outcomes.js';

/** An Astro API call that did not yield the expected data. Never carries the token. */
export class AstroApiError extends OutcomeError {
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
    super({ code: 'astro', kind, ...(details.requestId !== undefined ? { requestId: details.requestId } : {}) }, message, details.cause === undefined ? undefined : { cause: details.cause });
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
