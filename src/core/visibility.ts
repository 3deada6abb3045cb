/**
 * Where an answer is seen, as the server decides it. Pure.
 */

/**
 * How a card message is shown: `private` (ephemeral, only the asker), `thread` (answer to an
 * @-mention, public to the thread), `shared` (posted for a channel by a Share click).
 */
export type CardKind = 'private' | 'thread' | 'shared';

/** Who sees an answer, for the audit line. */
export type Visibility = 'private' | 'thread' | 'channel';

/** Who will see a shared card, in words for the confirm dialog: `#ops`, or this conversation. */
export function audienceOf(channel: { id?: string; name?: string } | undefined): string {
  const id = channel?.id ?? '';
  const name = channel?.name ?? '';
  if (id.startsWith('D') || name === 'directmessage') return 'this conversation';
  if (name.startsWith('mpdm-') || name === 'privategroup' || !/^[a-z0-9][a-z0-9._-]{0,79}$/.test(name)) return 'this conversation';
  return `#${name}`;
}

