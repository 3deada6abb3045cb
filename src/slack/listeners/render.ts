/**
 * From use-case answers to messages: the glue every listener shares (no I/O).
 */
import type { AccessAnswer } from '../../app/access.js';
import type { Answer } from '../../app/lookup-users.js';
import { renderAccess, renderNotALink, renderSubjectNotFound, renderSubjectPicker, type AccessSurface } from '../views/access.js';
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

/**
 * The message for an access answer: the list (with Refresh and Share carrying a signed reference
 * bound to the workspace), a picker, "not found" with close names, a note on a link we do not
 * read, or the failure in words.
 */
export function accessMessage(
  deps: Pick<ListenerDeps, 'cardRefs' | 'astroUiUrl'>,
  workspaceKey: string,
  answer: AccessAnswer,
  options: { surface?: AccessSurface; kind?: CardKind; by?: string | undefined; audience?: string; now?: number } = {},
): RenderedMessage {
  switch (answer.kind) {
    case 'choose':
      return renderSubjectPicker(answer.candidates, answer.text);
    case 'not_found':
      return renderSubjectNotFound(answer.text, answer.suggestions);
    case 'not_a_link_we_read':
      return renderNotALink(answer.host, deps.astroUiUrl);
    case 'failed':
      return failureMessage(answer.failure, '');
    case 'found': {
      const kind = options.kind ?? 'private';
      const { subject } = answer.result;
      const refValue = deps.cardRefs.encodeAccess({ subject: { kind: subject.kind, id: subject.id }, kind, ...(options.by ? { by: options.by } : {}) }, workspaceKey);
      return renderAccess(answer.result, {
        surface: options.surface ?? 'message',
        kind,
        astroUiUrl: deps.astroUiUrl,
        refValue,
        now: options.now ?? Date.now(),
        ...(options.by ? { by: options.by } : {}),
        ...(options.audience && kind === 'private' ? { shareAudience: options.audience } : {}),
      });
    }
  }
}
