/**
 * A short picker when several Astro users match a name: never a guess, one click opens the card.
 * Pure.
 */
import type { KnownBlock } from '@slack/types';
import type { AstroIndexedUser } from '../../lookup/user-index.js';
import { statusDisplay } from './format.js';
import { escapeAndTruncate, inlineCode, oneLine, truncate } from './limits.js';
import type { RenderedMessage } from './user-card.js';

/** `action_id` of a picker's buttons (a `:n` suffix follows); the value is the Astro user ID. */
export const PICK_ACTION = 'pick_user';

/** Candidates shown at most. */
const SHOWN = 10;

/**
 * Renders up to 10 candidates for `text`, each with a Show button; when more were found (the
 * search asks for one more than it shows), says so and asks for more of the name.
 */
export function renderPicker(candidates: AstroIndexedUser[], text: string): RenderedMessage {
  const shown = candidates.slice(0, SHOWN);
  const more = candidates.length > SHOWN;
  const head = more ? `*More than ${SHOWN} Astro users match* ${inlineCode(text, 60)}: here are the first ${SHOWN}. Type more of the name to narrow it down.` : `*${shown.length} Astro users match* ${inlineCode(text, 60)}. Which one?`;
  const blocks: KnownBlock[] = [{ type: 'section', block_id: 'pick:head', text: { type: 'mrkdwn', text: head } }];
  shown.forEach((u, i) => {
    const name = oneLine(u.fullName) || oneLine(u.username) || u.id;
    const status = statusDisplay(u.status);
    blocks.push({
      type: 'section',
      block_id: `pick:${i}`,
      text: { type: 'mrkdwn', text: `*${escapeAndTruncate(name, 100)}* · ${escapeAndTruncate(oneLine(u.username), 120)} · ${status.emoji} ${escapeAndTruncate(status.word, 30)}` },
      accessory: { type: 'button', action_id: `${PICK_ACTION}:${i}`, text: { type: 'plain_text', text: 'Show' }, value: u.id, accessibility_label: truncate(`Show ${name}`, 75) },
    });
  });
  return { text: truncate(`${more ? `More than ${SHOWN}` : shown.length} Astro users match "${oneLine(text)}"`, 300), blocks };
}
