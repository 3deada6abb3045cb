/**
 * From use-case answers to messages: the glue every listener shares (no I/O).
 */
import type { Answer } from '../../app/lookup-users.js';
import type { CardKind } from '../../core/visibility.js';
import type { CardListItem } from '../views/card-list.js';
import { renderCards } from '../views/cards.js';
import { failureMessage } from '../views/messages.js';
import { renderPicker } from '../views/picker.js';
import type { RenderedMessage } from '../views/user-card.js';
import type { ListenerDeps } from './deps.js';

/** Answers as card list items: a found user, or the failure (a choice among several is none here). */
export function itemsOf(answers: readonly Answer[]): CardListItem[] {
  return answers.map((a) => {
    if (a.kind === 'found') return a.found;
    if (a.kind === 'failed') return { userId: a.label, failure: a.failure };
    return { userId: '', failure: { code: 'no_name_match', text: a.text } };
  });
}

/** The message for answers of one kind of card, with buttons carrying signed card references. */
export function cardsMessage(
  deps: Pick<ListenerDeps, 'cardRefs' | 'astroUiUrl'>,
  /** The workspace the card is drawn for (its buttons' references are bound to it). */
  workspaceKey: string,
  kind: CardKind,
  answers: readonly Answer[],
  options: { by?: string | undefined; audience?: string; notShown?: number } = {},
): RenderedMessage {
  return renderCards(kind, itemsOf(answers), {
    astroUiUrl: deps.astroUiUrl,
    valueOf: (ref) => deps.cardRefs.encode(ref, workspaceKey),
    scope: workspaceKey,
    ...(options.by ? { by: options.by } : {}),
    ...(options.audience ? { audience: options.audience } : {}),
    ...(options.notShown ? { notShown: options.notShown } : {}),
  });
}

/** The message for one answer shown privately: a card, a picker, or the failure in words. */
export function answerMessage(deps: Pick<ListenerDeps, 'cardRefs' | 'astroUiUrl'>, workspaceKey: string, answer: Answer, audience: string): RenderedMessage {
  if (answer.kind === 'choose') return renderPicker(answer.candidates, answer.text);
  if (answer.kind === 'failed') return failureMessage(answer.failure, answer.label);
  return cardsMessage(deps, workspaceKey, 'private', [answer], { audience });
}
