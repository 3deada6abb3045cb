/**
 * An @-mention in a conversation: answered once (Slack re-delivers events it thinks timed out),
 * never when the app wrote it, ignored from other bots and workflows unless the workspace allows
 * them, and privately where the workspace or the Slack Connect rule says so.
 */
import { findAstroLink } from '../core/astro-links.js';
import { findUserQueries, MAX_USERS_PER_MESSAGE } from '../core/find-queries.js';
import { parseQuery, type AccessTarget } from '../core/query.js';
import { lookUpAccess, type AccessAnswer } from './access.js';
import { isRefusal, toFailure, type Failure } from '../core/outcomes.js';
import type { WorkspacePolicy } from '../lookup/workspace-settings.js';
import { lookUpQueries, type Answer } from './lookup-users.js';
import type { Services } from './ports.js';
import type { AskContext } from './request.js';

/** How long an answered event is remembered: past Slack's last retry (about 5 minutes), in ms. */
export const EVENT_CLAIM_TTL_MS = 60 * 60 * 1000;

/** An `app_mention` event, as far as the use case needs it. */
export interface Mention {
  /** Slack's `event_id` (the envelope's), to answer each event once. */
  eventId: string;
  /** Text of the message. */
  text: string;
  /** Slack sets `is_ext_shared_channel` on the envelope of events from Slack Connect channels. */
  inSharedChannel: boolean;
  /** The conversation (asked about with `conversations.info` when the envelope does not say it is shared). */
  channel?: string;
  /** The app's own bot user and bot IDs (`context.botUserId`, `context.botId`). */
  self: { userId?: string; botId?: string };
}

/** Strict once-only claims (event de-duplication). */
export interface Claims {
  /** True the first time `key` is claimed within `ttlMs`. @throws {StoreUnavailableError} */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
}

/**
 * What to do with a mention:
 * - `ignore`: the app's own message, a bot the workspace does not answer, or a re-delivery;
 * - `help`: nothing to look up was named;
 * - `answers`: the cards, with `notShown` queries left out;
 * - `unavailable`: the store that de-duplicates events is down (answered only on first delivery).
 * `privately` says whether the answer goes only to who asked (ephemeral in the thread).
 */
export type MentionResult =
  | { kind: 'ignore'; reason: 'own_message' | 'bot' | 'already_answered' }
  | { kind: 'help'; privately: boolean }
  | { kind: 'answers'; privately: boolean; answers: Answer[]; notShown: number }
  /** `@astro-user access etl-prod`, or a mention with an Astro UI link to a Deployment or Workspace. */
  | { kind: 'access'; privately: boolean; answer: AccessAnswer }
  | { kind: 'refused'; privately: true; failure: Failure };

/**
 * Answers an @-mention. Bots and workflows (`ctx.asker.kind === 'bot'`) are ignored unless the
 * workspace allows them; when allowed they pass the same asker rules as people.
 * @param retryNum Slack's `X-Slack-Retry-Num`, when this is a re-delivery.
 */
export async function answerMention(
  services: Services & Claims,
  ctx: AskContext,
  mention: Mention,
  retryNum?: number,
  /** Called once the answer is decided to be given, before the lookups (the listener may show progress). */
  onAnswering?: (how: { privately: boolean }) => void,
): Promise<MentionResult> {
  const { asker } = ctx;
  if ((asker.kind === 'bot' && asker.botId === mention.self.botId) || (asker.slackUserId && asker.slackUserId === mention.self.userId)) {
    return { kind: 'ignore', reason: 'own_message' };
  }
  let policy: WorkspacePolicy;
  try {
    policy = await services.settings.getPolicy(ctx.workspace.key);
  } catch (err) {
    if (retryNum) return { kind: 'ignore', reason: 'already_answered' };
    return { kind: 'refused', privately: true, failure: toFailure(err) };
  }
  if (asker.kind === 'bot' && !policy.allowBotMentions) {
    ctx.log.info({ bot: asker.botId }, 'mention by a bot or workflow ignored (the workspace does not answer them)');
    return { kind: 'ignore', reason: 'bot' };
  }
  try {
    if (!(await services.claimOnce(`event:${mention.eventId}`, EVENT_CLAIM_TTL_MS))) return { kind: 'ignore', reason: 'already_answered' };
  } catch (err) {
    ctx.log.error({ err }, 'could not record the event as answered');
    // Without the claim, a re-delivery could be answered twice: answer only the first delivery, only to say so.
    if (retryNum) return { kind: 'ignore', reason: 'already_answered' };
    return { kind: 'refused', privately: true, failure: toFailure(err) };
  }
  // Slack Connect: the envelope's flag, else Slack's answer for the channel (pending shares count);
  // when Slack cannot say, privately.
  const shared =
    !policy.allowPublicInSharedChannels &&
    !policy.privateMentionReplies &&
    (mention.inSharedChannel || (mention.channel ? (await ctx.directory.isExternal(mention.channel)) !== false : true));
  const privately = policy.privateMentionReplies || (shared && !policy.allowPublicInSharedChannels);
  const access = accessTargetOf(mention.text, services.access.astroUiUrl);
  if (access) {
    onAnswering?.({ privately });
    const answer = await lookUpAccess(services, { ...ctx, surface: 'mention', visibility: privately ? 'private' : 'thread' }, access);
    if (answer.kind === 'failed' && isRefusal(answer.failure)) return { kind: 'refused', privately: true, failure: answer.failure };
    return { kind: 'access', privately, answer };
  }
  const queries = findUserQueries(mention.text, { ...(mention.self.userId ? { exceptUser: mention.self.userId } : {}) });
  if (queries.length === 0) return { kind: 'help', privately };
  const asked = queries.slice(0, MAX_USERS_PER_MESSAGE);
  onAnswering?.({ privately });
  const answers = await lookUpQueries(services, { ...ctx, surface: 'mention', visibility: privately ? 'private' : 'thread' }, asked);
  // A refusal (a guest, the user-group limit, too many lookups…) is for the asker alone.
  const refusal = answers.find((a) => a.kind === 'failed' && isRefusal(a.failure));
  if (refusal?.kind === 'failed') return { kind: 'refused', privately: true, failure: refusal.failure };
  return { kind: 'answers', privately, answers, notShown: queries.length - asked.length };
}

/**
 * The access question of a mention, if it is one: the words after the app's mention start with
 * `access` (`@astro-user access etl-prod`), or the message holds an Astro UI link to a Deployment
 * or Workspace page.
 */
function accessTargetOf(text: string, astroUiUrl: string): AccessTarget | undefined {
  const bounded = text.slice(0, 4000);
  // The mention that addressed the app comes first (`<@U…>`); what follows is the question.
  const rest = bounded.replace(/^\s*<@[UW][A-Z0-9]{2,30}(?:\|[^>]{0,100})?>/, '');
  const query = parseQuery(rest);
  if (query.kind === 'access') return query.target;
  const link = findAstroLink(bounded, astroUiUrl);
  return link ? { kind: 'link', url: link } : undefined;
}
