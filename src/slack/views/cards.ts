/**
 * Cards as each kind of message shows them: a private reply (with Share), a thread reply (compact,
 * saying who asked), or a card shared to a channel (saying who shared it). Pure. Refresh redraws a
 * message with the same function.
 */
import type { AstroUser } from '../../astro/schemas.js';
import type { TeamRoles } from '../../lookup/lookup.js';
import type { ResolvedNames } from '../../lookup/names.js';
import { astroDeploymentUrl } from '../../core/ids.js';
import type { CardKind } from '../../core/visibility.js';
import { renderCardList, type CardListItem } from './card-list.js';
import { failureMessage } from './messages.js';
import { renderUserCard, type CardActions, type RenderedMessage } from './user-card.js';

export type { CardKind } from '../../core/visibility.js';

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
  /**
   * The value of the buttons of the card of `userId` in a message of `kind` listing `list`: a card
   * reference the server signs (src/app/cards.ts); the view only places it.
   */
  valueOf(ref: { userId: string; kind: CardKind; by?: string; list: string[] }): string;
  /** What else the button values depend on (the workspace), so a card drawn before is reused only for the same. */
  scope?: string;
}

/** A single card already drawn for a user object, with everything else it was drawn from. */
interface Drawn {
  key: string;
  names: ResolvedNames | undefined;
  teams: TeamRoles | undefined;
  message: RenderedMessage;
}

/**
 * Single cards already drawn, by user object. The lookup hands out the same objects while it keeps
 * a user hot (src/lookup/lookup.ts, `hot`), so the same card asked for again within seconds is
 * not drawn again (nor checked again by replyVia, which remembers messages it checked). Entries
 * live as long as their user object, at most {@link DRAWN_PER_USER} per user.
 */
const drawn = new WeakMap<AstroUser, Drawn[]>();
const DRAWN_PER_USER = 4;

/**
 * Renders the outcomes of one message of the given kind. The same inputs give the same message,
 * and a single card may be the very object returned before: callers must not change it.
 */
export function renderCards(kind: CardKind, items: CardListItem[], ctx: CardsContext): RenderedMessage {
  const only = items[0];
  if (items.length !== 1 || !only || !('user' in only) || kind === 'thread' || ctx.notShown) return draw(kind, items, ctx);
  const key = JSON.stringify([kind, only.userId, only.fetchedAt, ctx.by ?? '', ctx.audience ?? '', ctx.astroUiUrl, ctx.scope ?? '']);
  const earlier = drawn.get(only.user) ?? [];
  const hit = earlier.find((d) => d.key === key && d.names === only.names && d.teams === only.teams);
  if (hit) return hit.message;
  const message = draw(kind, items, ctx);
  drawn.set(only.user, [{ key, names: only.names, teams: only.teams, message }, ...earlier].slice(0, DRAWN_PER_USER));
  return message;
}

function draw(kind: CardKind, items: CardListItem[], ctx: CardsContext): RenderedMessage {
  const list = items.map((i) => i.userId).filter((id) => /^c[0-9a-z]{24}$/.test(id)).slice(0, 10);
  const openUrlFor = (userId: string) => {
    const item = items.find((i) => i.userId === userId);
    return item && 'user' in item && item.names ? firstDeploymentUrl(item.user, item.names, ctx.astroUiUrl) ?? ctx.astroUiUrl : ctx.astroUiUrl;
  };
  const actionsFor = (userId: string): CardActions => ({
    refresh: true,
    openUrl: openUrlFor(userId),
    explain: true,
    value: ctx.valueOf({ userId, kind, ...(ctx.by ? { by: ctx.by } : {}), list }),
    ...(kind === 'private' ? { shareAudience: ctx.audience ?? 'this conversation' } : {}),
  });
  const only = items[0];
  if (items.length === 1 && only && kind !== 'thread' && !ctx.notShown) {
    if (!('user' in only)) return failureMessage(only.failure, only.userId);
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
