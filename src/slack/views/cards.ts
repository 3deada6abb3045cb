/**
 * Cards as each kind of message shows them: a private reply (with Share), a thread reply (compact,
 * saying who asked), or a card shared to a channel (saying who shared it). Pure. Refresh redraws a
 * message with the same function, from what its buttons say.
 */
import type { AstroUser } from '../../astro/schemas.js';
import { astroDeploymentUrl, type ResolvedNames } from '../../lookup/names.js';
import { renderCardList, type CardListItem } from './card-list.js';
import { lookupErrorMessage } from './messages.js';
import { renderUserCard, type CardActions, type RenderedMessage } from './user-card.js';

/** Where a card is, which decides how it looks and how Refresh redraws it. */
export type CardKind = 'private' | 'thread' | 'shared';

/** What a card button says about its message, so Refresh can redraw it without reading it back. */
export interface CardButtonInfo {
  /** The Astro user of the clicked card. */
  userId: string;
  kind: CardKind;
  /** Asker (thread) or sharer (shared). */
  by?: string;
  /** Every Astro user ID of the message, in order (ephemeral messages are not sent back to apps). */
  list: string[];
}

/**
 * A button value: `v1|<user id>|<kind>|<slack user id or empty>|<ids of the message, comma-separated>`.
 * At most 5 IDs of 25 characters: far under the 2000-character value limit.
 */
export function cardButtonValue(userId: string, kind: CardKind, by: string | undefined, list: string[]): string {
  return ['v1', userId, kind, by ?? '', list.join(',')].join('|');
}

/** Parses {@link cardButtonValue}; undefined for anything else (values come back from Slack untrusted). */
export function parseCardButtonValue(value: string | undefined): CardButtonInfo | undefined {
  const m = /^v1\|(c[0-9a-z]{24})\|(private|thread|shared)\|([UW][A-Z0-9]{2,30})?\|((?:c[0-9a-z]{24},){0,9}c[0-9a-z]{24})$/.exec(value ?? '');
  if (!m) return undefined;
  const list = [...new Set(m[4]!.split(','))];
  if (!list.includes(m[1]!)) return undefined;
  return { userId: m[1]!, kind: m[2] as CardKind, list, ...(m[3] ? { by: m[3] } : {}) };
}

/** The Astro UI page of the user's first deployment whose workspace is known, if any. */
export function firstDeploymentUrl(user: AstroUser, names: ResolvedNames, uiBase: string): string | undefined {
  for (const id of [...user.deploymentRoles.map((r) => r.deploymentId), ...user.dagRoles.map((r) => r.deploymentId)]) {
    const d = names.deployments.get(id);
    if (d) return astroDeploymentUrl(uiBase, d.workspaceId, id);
  }
  return undefined;
}

/** Context of {@link renderCards}. */
export interface CardsContext {
  /** Asker (thread) or sharer (shared) Slack user ID. */
  by?: string;
  /** Who a share would reach, for the confirm dialog (`#ops`, `this conversation`). */
  audience?: string;
  /** Astro UI base for Open in Astro. */
  astroUiUrl: string;
  /** IDs found but not looked up. */
  notShown?: number;
}

/** Renders the outcomes of one message of the given kind. */
export function renderCards(kind: CardKind, items: CardListItem[], ctx: CardsContext): RenderedMessage {
  const list = items.map((i) => i.userId).filter((id) => /^c[0-9a-z]{24}$/.test(id)).slice(0, 10);
  const openUrlFor = (userId: string) => {
    const item = items.find((i) => i.userId === userId);
    return item && 'user' in item && item.names ? firstDeploymentUrl(item.user, item.names, ctx.astroUiUrl) ?? ctx.astroUiUrl : ctx.astroUiUrl;
  };
  const actionsFor = (userId: string): CardActions => ({
    refresh: true,
    openUrl: openUrlFor(userId),
    value: cardButtonValue(userId, kind, ctx.by, list),
    ...(kind === 'private' ? { shareAudience: ctx.audience ?? 'this conversation' } : {}),
  });
  const only = items[0];
  if (items.length === 1 && only && kind !== 'thread' && !ctx.notShown) {
    if (!('user' in only)) return lookupErrorMessage(only.error, only.userId);
    return renderUserCard(only.user, {
      surface: 'message',
      fetchedAt: only.fetchedAt,
      astroUiUrl: ctx.astroUiUrl,
      ...(only.names ? { names: only.names } : {}),
      ...(only.teams ? { teams: only.teams } : {}),
      ...(kind === 'shared' && ctx.by ? { sharedBy: ctx.by } : {}),
      actions: actionsFor(only.userId),
    });
  }
  return renderCardList(items, {
    surface: kind === 'thread' ? 'thread' : 'message',
    astroUiUrl: ctx.astroUiUrl,
    ...(kind === 'thread' && ctx.by ? { askedBy: ctx.by } : {}),
    ...(ctx.notShown ? { notShown: ctx.notShown } : {}),
    actions: (_i, userId) => actionsFor(userId),
  });
}
