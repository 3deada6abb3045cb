/**
 * "Who can access X?": the use case, the same on every surface (command, App Home, mention, link
 * unfurl's button, Refresh, Share). Who may ask, one abuse-limit point, finding the Deployment or
 * Workspace, the answer, one audit line (`access`). Never throws: every outcome is data.
 */
import { failureLabel, toFailure, type Failure } from '../core/outcomes.js';
import type { AccessTarget } from '../core/query.js';
import type { CardKind } from '../core/visibility.js';
import { refreshPlacement, shareRefusal, type CardRefs, type Click } from './cards.js';
import type { AccessResult, SubjectInfo } from '../lookup/access.js';
import { ThrottledError } from '../lookup/throttle.js';
import { isConnectionError } from '../lookup/workspace-settings.js';
import { checkAsker } from './asker.js';
import type { Services } from './ports.js';
import { askerBucket, auditLine, type AskContext } from './request.js';

/** The answer to an access question. */
export type AccessAnswer =
  | { kind: 'found'; result: AccessResult }
  /** Several Deployments or Workspaces have that name: a short picker. */
  | { kind: 'choose'; candidates: SubjectInfo[]; text: string }
  /** Nothing of that name or ID; close names to try. */
  | { kind: 'not_found'; text: string; suggestions: SubjectInfo[] }
  /** A link to another host (nothing was asked of Astro), or an Astro page that is not a Deployment or Workspace. */
  | { kind: 'not_a_link_we_read'; host?: string }
  | { kind: 'failed'; failure: Failure };

/** Options of {@link lookUpAccess}. */
export interface AccessOptions {
  /** Ask Astro even when the answer is kept (Refresh). */
  bypassCache?: boolean;
}

/** A subject chosen by ID (a picker's button, Refresh, Share, an unfurl's button): `d:<id>` or `w:<id>`. */
export type SubjectRef = { kind: 'deployment' | 'workspace'; id: string };

/**
 * Answers an access question for the asker: {@link checkAsker}, one throttle point, find the
 * subject, read who can access it, one audit line.
 * @param target What was asked: a name, an ID, a link; or a {@link SubjectRef} (a button's choice).
 */
export async function lookUpAccess(services: Services, ctx: AskContext, target: AccessTarget | SubjectRef, options: AccessOptions = {}): Promise<AccessAnswer> {
  const asked = 'text' in target ? 'name' : target.kind === 'link' ? 'link' : 'id';
  try {
    await checkAsker(services, ctx);
  } catch (err) {
    const failure = toFailure(err);
    audit(services, ctx, asked, { outcome: 'refused', kind: failureLabel(failure) });
    return { kind: 'failed', failure };
  }
  const { workspace } = ctx;
  try {
    const throttled = await services.throttle.take(workspace.key, askerBucket(ctx.asker));
    if (throttled) throw new ThrottledError(throttled);
    const accessTarget: AccessTarget = isSubjectRef(target) ? { kind: 'id', id: target.id } : target;
    const found = await services.access.find(workspace.ref, accessTarget);
    switch (found.kind) {
      case 'other_host':
      case 'other_page':
        audit(services, ctx, asked, { outcome: 'not_a_link_we_read' });
        return { kind: 'not_a_link_we_read', ...(found.kind === 'other_host' && found.host ? { host: found.host } : {}) };
      case 'not_found':
        audit(services, ctx, asked, { outcome: 'not_found', suggestions: found.suggestions.length });
        return found;
      case 'choose':
        audit(services, ctx, asked, { outcome: 'choose', matches: found.candidates.length });
        return found;
    }
    if (isSubjectRef(target) && found.subject.kind !== target.kind) {
      audit(services, ctx, asked, { outcome: 'not_found' });
      return { kind: 'not_found', text: target.id, suggestions: [] };
    }
    const result = await services.access.access(workspace.ref, found.subject, options);
    audit(services, ctx, asked, { outcome: 'found', subject: found.subject.kind, fromCache: result.fromCache, people: result.list.counts.people, teams: result.list.counts.teams, tokens: result.list.counts.tokens });
    if (!result.fromCache) void services.settings.recordSuccess(workspace.key).catch(() => undefined);
    return { kind: 'found', result };
  } catch (err) {
    const failure = toFailure(err);
    const detail = failure.code === 'astro' ? { status: (err as { status?: number }).status, requestId: failure.requestId } : failure.code === 'unexpected' ? { err } : {};
    audit(services, ctx, asked, { outcome: failure.code === 'throttled' ? 'throttled' : 'error', kind: failureLabel(failure), ...detail });
    if (isConnectionError(err)) void services.settings.recordError(workspace.key, { kind: err.kind, ...(err.requestId ? { requestId: err.requestId } : {}) }).catch(() => undefined);
    return { kind: 'failed', failure };
  }
}

function isSubjectRef(target: AccessTarget | SubjectRef): target is SubjectRef {
  return target.kind === 'deployment' || target.kind === 'workspace';
}

/** The audit line: one per access question, `access`, with how it was asked and the outcome; never a name or email. */
function audit(services: Services, ctx: AskContext, asked: string, fields: Record<string, unknown>): void {
  auditLine(ctx, 'access', { query: `access_${asked}`, ...fields });
  services.countLookup?.(ctx.surface, typeof fields.kind === 'string' ? fields.kind : String(fields.outcome));
}

/**
 * What a Refresh of an access answer does: `replace` the clicked message (for everyone when
 * `inChannel`), answer `private`ly and leave the message (a public answer that cannot be verified
 * or may no longer be public here), `refused` (said privately), or `ignored` (unreadable value).
 */
export type AccessRefreshResult =
  | { kind: 'replace'; answer: AccessAnswer; shown: { kind: CardKind; by?: string }; inChannel: boolean }
  | { kind: 'private'; answer: AccessAnswer }
  | { kind: 'refused'; failure: Failure }
  | { kind: 'ignored' };

/**
 * Refresh on an access answer: asks Astro again (bypassing what is kept; one throttle point) and
 * decides where the fresh answer goes, as Refresh on a card does: from Slack's signed payload
 * (ephemeral or not), the reference this server signed, and the Slack Connect rule at the click.
 */
export async function refreshAccess(services: Services, ctx: AskContext, refs: CardRefs, click: Click): Promise<AccessRefreshResult> {
  const decoded = refs.decodeAccess(click.value, ctx.workspace.key);
  if (!decoded) return { kind: 'ignored' };
  const { ref, verified } = decoded;
  const placed = await refreshPlacement(services, ctx, click, ref, verified);
  if ('failure' in placed) return { kind: 'refused', failure: placed.failure };
  const { shown, replace, visibility } = placed;
  const answer = await lookUpAccess(services, { ...ctx, visibility }, ref.subject, { bypassCache: true });
  if (answer.kind === 'failed') return { kind: 'refused', failure: answer.failure };
  if (!replace) return { kind: 'private', answer };
  return { kind: 'replace', answer, shown, inChannel: shown.kind !== 'private' };
}

/** What a Share of an access answer does: post it for everyone, or say privately why not. */
export type AccessShareResult = { kind: 'shared'; answer: AccessAnswer; by: string } | { kind: 'refused'; failure: Failure } | { kind: 'ignored' };

/**
 * Share to channel: the access answer, asked again for the clicker (one throttle point, what is
 * kept may answer) and posted for everyone with "shared by", when the conversation may see it.
 */
export async function shareAccess(services: Services, ctx: AskContext, refs: CardRefs, click: Click): Promise<AccessShareResult> {
  const decoded = refs.decodeAccess(click.value, ctx.workspace.key);
  const by = ctx.asker.slackUserId;
  if (!decoded || !by) return { kind: 'ignored' };
  const refused = await shareRefusal(services, ctx, click);
  if (refused) return { kind: 'refused', failure: refused };
  const answer = await lookUpAccess(services, { ...ctx, visibility: 'channel' }, decoded.ref.subject);
  if (answer.kind === 'failed') return { kind: 'refused', failure: answer.failure };
  if (answer.kind !== 'found') return { kind: 'ignored' };
  return { kind: 'shared', answer, by };
}
