/**
 * Several compact cards in one message (an @-mention or a message shortcut naming several
 * users), sharing the message's Block Kit budget. Pure.
 */
import type { KnownBlock } from '@slack/types';
import type { AstroUser } from '../../astro/schemas.js';
import type { TeamRoles } from '../../lookup/lookup.js';
import type { ResolvedNames } from '../../lookup/names.js';
import { LIMITS, truncate } from './limits.js';
import { MAX_USERS_PER_MESSAGE } from '../../core/find-queries.js';
import type { Failure } from '../../core/outcomes.js';
import { failureMessage } from './messages.js';
import { renderUserCard, type CardActions, type CardSurface, type RenderedMessage } from './user-card.js';


/**
 * One user's outcome: a found user, or the failure that stopped the lookup (`userId` is then the
 * Astro user ID the query named, or '').
 */
export type CardListItem =
  | { userId: string; user: AstroUser; fetchedAt: number; names?: ResolvedNames; teams?: TeamRoles }
  | { userId: string; failure: Failure };

/** Options of {@link renderCardList}. */
export interface CardListOptions {
  surface: Extract<CardSurface, 'thread' | 'message'>;
  /** Slack user ID of who asked (shown on each card). */
  askedBy?: string;
  /** How many further IDs were found but not looked up. */
  notShown?: number;
  /** Astro UI base, for deployment links. */
  astroUiUrl?: string;
  /** Buttons for the card at `index` (action_ids get the index as suffix). */
  actions?: (index: number, userId: string) => CardActions | undefined;
}

/**
 * Renders up to {@link MAX_USERS_PER_MESSAGE} outcomes in one message, each a compact card or a
 * one-paragraph error, with "…and N more" when IDs were left out.
 * @returns a message within Block Kit limits (≤50 blocks, ≤~12k characters) and a fallback text.
 */
export function renderCardList(items: CardListItem[], options: CardListOptions): RenderedMessage {
  const shown = items.slice(0, MAX_USERS_PER_MESSAGE);
  const n = Math.max(1, shown.length);
  const maxBlocks = Math.max(6, Math.floor((LIMITS.messageBlocks - 2) / n));
  const roleCharBudget = Math.floor(7000 / n);
  const blocks: KnownBlock[] = [];
  const texts: string[] = [];
  shown.forEach((item, i) => {
    if (i > 0) blocks.push({ type: 'divider', block_id: `c${i}:sep` });
    if ('user' in item) {
      const actions = options.actions?.(i, item.userId);
      const card = renderUserCard(item.user, {
        surface: options.surface === 'thread' ? 'thread' : 'message',
        fetchedAt: item.fetchedAt,
        blockIdPrefix: `c${i}`,
        maxBlocks,
        roleCharBudget,
        ...(options.astroUiUrl ? { astroUiUrl: options.astroUiUrl } : {}),
        ...(item.names ? { names: item.names } : {}),
        ...(item.teams ? { teams: item.teams } : {}),
        ...(options.askedBy ? { askedBy: options.askedBy } : {}),
        ...(actions ? { actions: { ...actions, idSuffix: String(i) } } : {}),
      });
      blocks.push(...card.blocks);
      texts.push(card.text);
    } else {
      const err = failureMessage(item.failure, item.userId);
      err.blocks.forEach((b, j) => {
        blocks.push({ ...b, block_id: `c${i}:err:${j}` } as KnownBlock);
      });
      texts.push(err.text);
    }
  });
  const more = (items.length - shown.length) + (options.notShown ?? 0);
  if (more > 0) {
    blocks.push({
      type: 'context',
      block_id: 'list:more',
      elements: [{ type: 'mrkdwn', text: `…and ${more} more Astro user ID${more === 1 ? '' : 's'} not looked up (at most ${MAX_USERS_PER_MESSAGE} per message).` }],
    });
  }
  return { text: truncate(texts.join(' · ') || 'No Astro users found.', LIMITS.fallbackText), blocks };
}
