/**
 * Outcome codes: every way a lookup (or any use case) can end other than with its answer, as plain
 * data with a `code`. Lower layers throw {@link OutcomeError}s carrying a {@link Failure}; the
 * application layer turns anything thrown into a Failure ({@link toFailure}); one view function
 * (src/slack/views/messages.ts `failureMessage`) turns codes into words.
 * Modelled on bolt-js's `ErrorCode` + `CodedError`: https://github.com/slackapi/bolt-js/blob/main/src/errors.ts
 * Imports nothing of the project.
 */

/**
 * What went wrong with an Astro API call:
 * - `not_found`: 404, no such resource in the organization, or hidden from the token.
 * - `unauthorized`: 401, the token is missing, invalid or expired.
 * - `forbidden`: 403, the token lacks the permission (e.g. a Workspace or Deployment token).
 * - `bad_request`: 400, Astro refused the request's shape.
 * - `rate_limited`: 429, more than the token's budget.
 * - `unavailable`: 5xx, or the connection failed.
 * - `bad_response`: a 2xx whose body is not JSON or does not match the documented schema.
 * - `timeout`: no complete answer within the request timeout.
 * Source: https://www.astronomer.io/docs/astro/api/overview (status codes, rate limits).
 */
export type AstroErrorKind = 'not_found' | 'unauthorized' | 'forbidden' | 'bad_request' | 'rate_limited' | 'unavailable' | 'bad_response' | 'timeout';

/**
 * Why an answer could not be given. Refusals (who may ask) and problems of the app or of Astro:
 * - `not_configured`: the Slack workspace has not connected Astro.
 * - `settings_unreadable`: its saved token cannot be decrypted (encryption key changed).
 * - `store_unavailable`: a store the answer needs is not answering.
 * - `email_not_found`, `slack_user_no_email`, `slack_user_not_in_astro`, `no_name_match`: the query
 *   named nobody (with the Slack user or the words, to say so).
 * - `guest_refused`, `not_in_user_group`, `asker_unknown`, `bot_refused`: who asked may not.
 * - `public_not_allowed`: a card may not be public in this conversation (Slack Connect, or Slack
 *   does not let the app tell).
 * - `throttled`: the abuse limits ran out (`scope`, `retryAfterMs` in ms).
 * - `astro`: the Astro API failed (`kind`, Astro's `requestId` when it sent one).
 * - `unexpected`: anything else (a bug): no detail is shown.
 */
export type Failure =
  | { code: 'not_configured' }
  | { code: 'settings_unreadable' }
  | { code: 'store_unavailable' }
  | { code: 'email_not_found' }
  | { code: 'slack_user_no_email'; slackUserId: string }
  | { code: 'slack_user_not_in_astro'; slackUserId: string }
  | { code: 'no_name_match'; text: string }
  | { code: 'guest_refused' }
  /** The asker belongs to another Slack organization (Slack Connect): this workspace's Astro data is not theirs to see. */
  | { code: 'other_organization' }
  | { code: 'not_in_user_group' }
  | { code: 'asker_unknown' }
  | { code: 'bot_refused' }
  | { code: 'public_not_allowed' }
  | { code: 'throttled'; scope: 'user' | 'workspace'; retryAfterMs: number }
  | { code: 'astro'; kind: AstroErrorKind; requestId?: string }
  | { code: 'unexpected' };

/** The `code` of a {@link Failure}. */
export type FailureCode = Failure['code'];

/** Codes that refuse the asker or stop every answer (nothing about the Astro users asked for is said). */
const REFUSALS: ReadonlySet<FailureCode> = new Set(['guest_refused', 'other_organization', 'not_in_user_group', 'asker_unknown', 'bot_refused', 'throttled', 'store_unavailable']);

/** True when `f` refuses the asker (or the app cannot answer anyone): such words are for the asker alone. */
export function isRefusal(f: Failure): boolean {
  return REFUSALS.has(f.code);
}

/** An error that carries a {@link Failure}: what lower layers throw for an expected outcome. */
export class OutcomeError extends Error {
  /** The outcome, as data. */
  readonly failure: Failure;

  constructor(failure: Failure, message: string = failure.code, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OutcomeError';
    this.failure = failure;
  }
}

/** The {@link Failure} of anything thrown: an {@link OutcomeError}'s own, else `unexpected`. */
export function toFailure(err: unknown): Failure {
  return err instanceof OutcomeError ? err.failure : { code: 'unexpected' };
}

/** A short name of a failure for logs and metrics labels: `throttled`, `astro.not_found`. */
export function failureLabel(f: Failure): string {
  return f.code === 'astro' ? `astro.${f.kind}` : f.code;
}
