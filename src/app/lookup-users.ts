/**
 * The lookup use case, the same on every surface: who may ask, **one** abuse-limit point per
 * query, resolving the query (ID, email, Slack person, name), the lookup, the asker's recent
 * lookups, and one audit line with the real kind of query. Never throws: every outcome is data.
 */
import { toFailure, failureLabel, type Failure } from '../core/outcomes.js';
import type { UserQuery } from '../core/query.js';
import type { AstroUser } from '../astro/schemas.js';
import type { TeamRoles } from '../lookup/lookup.js';
import type { ResolvedNames } from '../lookup/names.js';
import type { AstroIndexedUser } from '../lookup/user-index.js';
import { isConnectionError } from '../lookup/workspace-settings.js';
import { ThrottledError } from '../lookup/throttle.js';
import { OutcomeError } from '../core/outcomes.js';
import { checkAsker } from './asker.js';
import type { Services } from './ports.js';
import { askerBucket, auditLine, type AskContext } from './request.js';

/** A user found, with when Astro answered (ms since the epoch), names and Teams roles when known. */
export interface FoundUser {
  userId: string;
  user: AstroUser;
  fetchedAt: number;
  names?: ResolvedNames;
  teams?: TeamRoles;
}

/**
 * One query's answer: a user; several candidates to choose from (a name search); or a failure,
 * with `label` (the Astro user ID when the query was one, else '') to say what it was about.
 */
export type Answer =
  | { kind: 'found'; found: FoundUser }
  | { kind: 'choose'; candidates: AstroIndexedUser[]; text: string }
  | { kind: 'failed'; failure: Failure; label: string };

/** Most candidates a name search offers; one more is asked for, so a picker can say "more than this". */
export const MAX_CANDIDATES = 10;

/** Options of a lookup. */
export interface LookUpOptions {
  /** Ask Astro even when the answer is cached (Refresh). */
  bypassCache?: boolean;
}

/**
 * Answers one query for the asker: {@link checkAsker}, one throttle point, resolve, look up,
 * record in the asker's recent lookups, one audit line (`lookup`).
 */
export async function lookUpQuery(services: Services, ctx: AskContext, query: UserQuery, options: LookUpOptions = {}): Promise<Answer> {
  const [answer] = await lookUpQueries(services, ctx, [query], options);
  return answer!;
}

/**
 * Answers several queries of one message (a mention or a shortcut naming several users, a Refresh
 * of a list): the asker is checked once, then each query takes one throttle point and is answered
 * concurrently. Answers are in the order of `queries`.
 * @param options.bypassCacheFor the Astro user ID whose cache is bypassed (the clicked card).
 */
export async function lookUpQueries(
  services: Services,
  ctx: AskContext,
  queries: readonly UserQuery[],
  options: LookUpOptions & { bypassCacheFor?: string } = {},
): Promise<Answer[]> {
  try {
    await checkAsker(services, ctx);
  } catch (err) {
    const failure = toFailure(err);
    return queries.map((query) => {
      audit(services, ctx, query, { outcome: 'refused', kind: failureLabel(failure) });
      return { kind: 'failed', failure, label: labelOf(query) };
    });
  }
  return Promise.all(queries.map((query) => answer(services, ctx, query, { bypassCache: options.bypassCache === true || (query.kind === 'user_id' && query.userId === options.bypassCacheFor) })));
}

/** The label of a query for an error line: the Astro user ID when it was one. */
function labelOf(query: UserQuery): string {
  return query.kind === 'user_id' ? query.userId : '';
}

/** One query, after the asker was let through. */
async function answer(services: Services, ctx: AskContext, query: UserQuery, options: LookUpOptions): Promise<Answer> {
  const { workspace } = ctx;
  try {
    const throttled = await services.throttle.take(workspace.key, askerBucket(ctx.asker));
    if (throttled) throw new ThrottledError(throttled);
    const resolved = await resolve(services, ctx, query);
    if ('candidates' in resolved) {
      audit(services, ctx, query, { outcome: 'choose', matches: resolved.candidates.length });
      return { kind: 'choose', candidates: resolved.candidates, text: resolved.text };
    }
    const result = await services.lookup.lookupUser({ installation: workspace.ref, userId: resolved.userId, bypassCache: options.bypassCache ?? false });
    audit(services, ctx, query, { outcome: 'found', fromCache: result.fromCache });
    if (!result.fromCache) void services.settings.recordSuccess(workspace.key).catch(() => undefined);
    if (ctx.asker.slackUserId) {
      const label = result.user.fullName || result.user.username || result.user.id;
      await services.recent
        .record(workspace.key, ctx.asker.slackUserId, { userId: resolved.userId, label })
        .catch((err: unknown) => ctx.log.warn({ err, surface: ctx.surface }, 'could not record a recent lookup'));
    }
    return {
      kind: 'found',
      found: { userId: resolved.userId, user: result.user, fetchedAt: result.fetchedAt, ...(result.names ? { names: result.names } : {}), ...(result.teams ? { teams: result.teams } : {}) },
    };
  } catch (err) {
    const failure = toFailure(err);
    // Expected outcomes are logged without a stack; a bug (unexpected) with it.
    const detail = failure.code === 'astro' ? { status: (err as { status?: number }).status, requestId: failure.requestId } : failure.code === 'unexpected' ? { err } : {};
    audit(services, ctx, query, { outcome: failure.code === 'throttled' ? 'throttled' : 'error', kind: failureLabel(failure), ...detail });
    if (isConnectionError(err)) void services.settings.recordError(workspace.key, { kind: err.kind, ...(err.requestId ? { requestId: err.requestId } : {}) }).catch(() => undefined);
    return { kind: 'failed', failure, label: labelOf(query) };
  }
}

/**
 * Resolves a query to an Astro user ID: an ID as it is; an email through the organization's user
 * index; a Slack person through their profile email, then the index; words through a name search
 * (one match is the user, several are candidates).
 * @throws {OutcomeError} `email_not_found`, `slack_user_no_email`, `slack_user_not_in_astro`,
 *   `no_name_match`; whatever the lookup throws.
 */
async function resolve(services: Services, ctx: AskContext, query: UserQuery): Promise<{ userId: string } | { candidates: AstroIndexedUser[]; text: string }> {
  const installation = ctx.workspace.ref;
  switch (query.kind) {
    case 'user_id':
      return { userId: query.userId };
    case 'email':
      return { userId: await services.lookup.findByEmail(installation, query.email) };
    case 'slack_user': {
      const email = await ctx.directory.emailOf(query.slackUserId);
      if (!email) throw new OutcomeError({ code: 'slack_user_no_email', slackUserId: query.slackUserId });
      try {
        return { userId: await services.lookup.findByEmail(installation, email) };
      } catch (err) {
        if (toFailure(err).code === 'email_not_found') throw new OutcomeError({ code: 'slack_user_not_in_astro', slackUserId: query.slackUserId });
        throw err;
      }
    }
    case 'search': {
      const found = await services.lookup.search(installation, query.text, MAX_CANDIDATES + 1);
      if (found.length === 0) throw new OutcomeError({ code: 'no_name_match', text: query.text });
      if (found.length === 1) return { userId: found[0]!.id };
      return { candidates: found, text: query.text };
    }
  }
}

/**
 * Resolves a user query the way lookups do (an ID as it is; an email or a Slack person through the
 * organization's user index; words through a name search), for other use cases (offboarding).
 * @throws as the lookup's resolution does (`email_not_found`, `slack_user_no_email`, …).
 */
export const resolveUserQuery: (services: Services, ctx: AskContext, query: UserQuery) => Promise<{ userId: string } | { candidates: AstroIndexedUser[]; text: string }> = resolve;

/**
 * The audit line: one per query answered, `lookup`, with the real kind of query and the outcome.
 * Never a token or an email.
 */
function audit(services: Services, ctx: AskContext, query: UserQuery, fields: Record<string, unknown>): void {
  auditLine(ctx, 'lookup', { query: query.kind, ...fields });
  services.countLookup?.(ctx.surface, typeof fields.kind === 'string' ? fields.kind : String(fields.outcome));
}
