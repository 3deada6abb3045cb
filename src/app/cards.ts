/**
 * Card buttons: Refresh and Share. Who sees the result is decided here, by the server: from what
 * Slack's signed payload says of the clicked message (ephemeral or not), from the card reference
 * this server signed when it drew the card, and from the Slack Connect rule applied again at the
 * click, never from a button's value alone. A refusal or error is always private and leaves the
 * card as it was.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isAstroId } from '../core/ids.js';
import { toFailure, type Failure } from '../core/outcomes.js';
import type { CardKind, Visibility } from '../core/visibility.js';
import type { WorkspacePolicy } from '../lookup/workspace-settings.js';
import { lookUpQueries, lookUpQuery, type Answer, type FoundUser } from './lookup-users.js';
import type { Services } from './ports.js';
import type { AskContext } from './request.js';

/** What a card's buttons say about its message, so Refresh can redraw it. */
export interface CardRef {
  /** The Astro user of the clicked card. */
  userId: string;
  kind: CardKind;
  /** Slack user who asked (thread) or shared (shared). */
  by?: string;
  /** Every Astro user ID of the message, in order (ephemeral messages are not sent back to apps). */
  list: string[];
}

/** Encodes and verifies card references in button values. */
export interface CardRefs {
  /**
   * `v2|<user id>|<kind>|<asker or sharer>|<ids, comma-separated>|<MAC>`: at most 10 IDs, far
   * under Block Kit's 2000-character button value
   * (https://docs.slack.dev/reference/block-kit/block-elements/button-element).
   */
  encode(ref: CardRef, workspaceKey: string): string;
  /**
   * Parses a value that came back from Slack. `verified` is true only for a value this server
   * signed (HMAC-SHA-256 with its own key) for this workspace; an older `v1|…` value, a wrong MAC
   * or another workspace's card parses with `verified: false` (then only its Astro user IDs are
   * used). Undefined for anything else.
   */
  decode(value: string | undefined, workspaceKey: string): { ref: CardRef; verified: boolean } | undefined;
  /** `a1|<d or w>|<id>|<kind>|<asker or sharer>|<MAC>`: an access answer's reference, signed like a card's. */
  encodeAccess(ref: AccessRef, workspaceKey: string): string;
  /** Parses an access answer's reference; `verified` as in {@link CardRefs.decode}. Undefined for anything else. */
  decodeAccess(value: string | undefined, workspaceKey: string): { ref: AccessRef; verified: boolean } | undefined;
}

/** What an access answer's buttons say about its message. */
export interface AccessRef {
  subject: { kind: 'deployment' | 'workspace'; id: string };
  kind: CardKind;
  /** Slack user who asked (thread) or shared (shared). */
  by?: string;
}

const ACCESS_REF_RE = /^a1\|([dw])\|([A-Za-z0-9_-]{1,128})\|(private|thread|shared)\|([UW][A-Z0-9]{2,30})?\|([A-Za-z0-9_-]{22})$/;

const REF_RE = /^v([12])\|(c[0-9a-z]{24})\|(private|thread|shared)\|([UW][A-Z0-9]{2,30})?\|((?:c[0-9a-z]{24},){0,9}c[0-9a-z]{24})(?:\|([A-Za-z0-9_-]{22}))?$/;

/**
 * Creates the card reference codec.
 * @param secret key material known only to this app's instances (the encryption key, signing
 *   secret or bot token); a card signed under another secret is treated as unsigned.
 */
export function createCardRefs(secret: string): CardRefs {
  const key = createHmac('sha256', 'astro-user card reference').update(secret).digest();
  /** The MAC of a value's payload, bound to the workspace it was drawn for. */
  const mac = (payload: string, workspaceKey: string) => createHmac('sha256', key).update(`${workspaceKey}\n${payload}`).digest('base64url').slice(0, 22);
  return {
    encode(ref, workspaceKey) {
      const payload = ['v2', ref.userId, ref.kind, ref.by ?? '', ref.list.join(',')].join('|');
      return `${payload}|${mac(payload, workspaceKey)}`;
    },
    decode(value, workspaceKey) {
      const m = REF_RE.exec(value ?? '');
      if (!m) return undefined;
      const list = [...new Set(m[5]!.split(','))];
      if (!list.includes(m[2]!)) return undefined;
      const ref: CardRef = { userId: m[2]!, kind: m[3] as CardKind, list, ...(m[4] ? { by: m[4] } : {}) };
      let verified = false;
      if (m[1] === '2' && m[6]) {
        const payload = value!.slice(0, value!.length - m[6].length - 1);
        const expected = Buffer.from(mac(payload, workspaceKey));
        verified = expected.length === m[6].length && timingSafeEqual(expected, Buffer.from(m[6]));
      }
      return { ref, verified };
    },
    encodeAccess(ref, workspaceKey) {
      const payload = ['a1', ref.subject.kind === 'deployment' ? 'd' : 'w', ref.subject.id, ref.kind, ref.by ?? ''].join('|');
      return `${payload}|${mac(payload, workspaceKey)}`;
    },
    decodeAccess(value, workspaceKey) {
      const m = ACCESS_REF_RE.exec(value ?? '');
      if (!m) return undefined;
      const ref: AccessRef = { subject: { kind: m[1] === 'd' ? 'deployment' : 'workspace', id: m[2]! }, kind: m[3] as CardKind, ...(m[4] ? { by: m[4] } : {}) };
      const payload = value!.slice(0, value!.length - m[5]!.length - 1);
      const expected = Buffer.from(mac(payload, workspaceKey));
      return { ref, verified: timingSafeEqual(expected, Buffer.from(m[5]!)) };
    },
  };
}

/** Where a button was clicked, as Slack's signed payload says. */
export interface Click {
  /** The button's value. */
  value: string | undefined;
  /** The clicked message is ephemeral (`container.is_ephemeral`, or Slack sent no `message` back). */
  ephemeral: boolean;
  /** The conversation of the message, when Slack names it. */
  channelId?: string;
  /** The team of the person who clicked (`user.team_id`); another team's person means Slack Connect. */
  clickerTeamId?: string;
}

/** A card to draw: its kind, who asked or shared it, and the answers in order. */
export interface CardContent {
  kind: CardKind;
  by?: string;
  answers: Answer[];
}

/**
 * What a Refresh does:
 * - `replace`: redraw the clicked message in place (`inChannel` for a message everyone sees);
 * - `private`: answer privately with a fresh private card and leave the message as it was (a
 *   public card whose origin cannot be verified, or that may no longer be public here);
 * - `refused`: say privately why not, and leave the message as it was;
 * - `ignored`: an unreadable button value (logged, nothing shown).
 */
export type RefreshResult =
  | { kind: 'replace'; card: CardContent; inChannel: boolean }
  | { kind: 'private'; card: CardContent }
  | { kind: 'refused'; failure: Failure }
  | { kind: 'ignored' };

/**
 * Whether an answer may be public in the clicked conversation: yes when the workspace allows
 * public cards in Slack Connect channels; otherwise only when Slack says the conversation is not
 * shared with another organization and the clicker is of this workspace. When Slack cannot say
 * (a DM or private channel the app is not in), no.
 */
export async function mayBePublic(ctx: AskContext, policy: WorkspacePolicy, click: Pick<Click, 'channelId' | 'clickerTeamId'>): Promise<boolean> {
  if (policy.allowPublicInSharedChannels) return true;
  const team = ctx.workspace.ref.teamId;
  if (click.clickerTeamId && team && click.clickerTeamId !== team) return false;
  if (!click.channelId) return false;
  return (await ctx.directory.isExternal(click.channelId)) === false;
}

/**
 * Refresh on a card in a message: looks every user of the message up again (the clicked one
 * bypassing the cache; one throttle point each) and decides where the new card goes.
 */
export async function refreshCard(services: Services, ctx: AskContext, refs: CardRefs, click: Click): Promise<RefreshResult> {
  const decoded = refs.decode(click.value, ctx.workspace.key);
  if (!decoded) return { kind: 'ignored' };
  const { ref, verified } = decoded;
  // Where the fresh card goes: an ephemeral card is replaced privately; a public one is replaced
  // for everyone only when this server signed it and the conversation may still see it;
  // otherwise the fresh card comes privately and the message stays as it was.
  const placed = await refreshPlacement(services, ctx, click, ref, verified);
  if ('failure' in placed) return { kind: 'refused', failure: placed.failure };
  const where = { card: placed.shown, replace: placed.replace };
  const visibility = placed.visibility;
  const queries = ref.list.map((userId) => ({ kind: 'user_id' as const, userId }));
  const answers = await lookUpQueries(services, { ...ctx, visibility }, queries, { bypassCacheFor: ref.userId });
  const refusal = refusalOf(answers);
  if (refusal) return { kind: 'refused', failure: refusal };
  const card = { ...where.card, answers };
  if (!where.replace) return { kind: 'private', card };
  return { kind: 'replace', card, inChannel: card.kind !== 'private' };
}

/**
 * The failure that stops a redraw: any failed answer (a refusal of the asker, or an error for one
 * of the message's users). The card is then left as it was and the clicker is told why, privately.
 */
function refusalOf(answers: Answer[]): Failure | undefined {
  for (const a of answers) if (a.kind === 'failed') return a.failure;
  return undefined;
}

/**
 * Why a Share may not post in the clicked conversation (the policy cannot be read, or the
 * conversation may not see a public answer: {@link mayBePublic}), or undefined when it may.
 */
export async function shareRefusal(services: Services, ctx: AskContext, click: Click): Promise<Failure | undefined> {
  let policy: WorkspacePolicy;
  try {
    policy = await services.settings.getPolicy(ctx.workspace.key);
  } catch (err) {
    return toFailure(err);
  }
  return (await mayBePublic(ctx, policy, click)) ? undefined : { code: 'public_not_allowed' };
}

/**
 * Where a Refresh's fresh answer goes, for a card or an access list alike: an ephemeral message is
 * replaced privately; a public one (a thread answer or a share) is replaced for everyone only when
 * this server signed its reference and the conversation may still see it; otherwise the fresh
 * answer comes privately and the message stays as it was.
 * @param ref the kind and asker/sharer the clicked message's reference says.
 * @param verified whether this server signed that reference for this workspace.
 * @returns the placement, or the failure to tell the clicker (the policy could not be read).
 */
export async function refreshPlacement(
  services: Services,
  ctx: AskContext,
  click: Click,
  ref: { kind: CardKind; by?: string },
  verified: boolean,
): Promise<{ shown: { kind: CardKind; by?: string }; replace: boolean; visibility: Visibility } | { failure: Failure }> {
  const publicKind = verified && ref.kind !== 'private' ? ref.kind : undefined;
  const privately = (replace: boolean) => ({ shown: { kind: 'private' as const }, replace, visibility: 'private' as const });
  if (click.ephemeral || !publicKind) return privately(click.ephemeral);
  let policy: WorkspacePolicy;
  try {
    policy = await services.settings.getPolicy(ctx.workspace.key);
  } catch (err) {
    return { failure: toFailure(err) };
  }
  if (!(await mayBePublic(ctx, policy, click))) return privately(false);
  return { shown: { kind: publicKind, ...(ref.by ? { by: ref.by } : {}) }, replace: true, visibility: publicKind === 'thread' ? 'thread' : 'channel' };
}

/** What a Share does: post the card for everyone, or say privately why not. */
export type ShareResult = { kind: 'shared'; found: FoundUser; by: string } | { kind: 'refused'; failure: Failure } | { kind: 'ignored' };

/**
 * Share to channel: the clicked card's user, looked up for the clicker (one throttle point) and
 * posted for everyone with "shared by", when the conversation may see it.
 */
export async function shareCard(services: Services, ctx: AskContext, refs: CardRefs, click: Click): Promise<ShareResult> {
  const decoded = refs.decode(click.value, ctx.workspace.key);
  const by = ctx.asker.slackUserId;
  if (!decoded || !by) return { kind: 'ignored' };
  const refused = await shareRefusal(services, ctx, click);
  if (refused) return { kind: 'refused', failure: refused };
  const answer = await lookUpQuery(services, { ...ctx, visibility: 'channel' }, { kind: 'user_id', userId: decoded.ref.userId });
  if (answer.kind === 'failed') return { kind: 'refused', failure: answer.failure };
  if (answer.kind !== 'found') return { kind: 'ignored' };
  return { kind: 'shared', found: answer.found, by };
}

/** A picker's choice: the chosen user's card for the asker (private). */
export async function pickUser(services: Services, ctx: AskContext, userId: string): Promise<Answer | undefined> {
  if (!isAstroId(userId)) return undefined;
  return lookUpQuery(services, { ...ctx, visibility: 'private' }, { kind: 'user_id', userId });
}
