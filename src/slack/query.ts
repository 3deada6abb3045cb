/**
 * Parses what a person typed after `/astro-user` into a query. Pure; never throws.
 */
import { isAstroId } from '../astro/ids.js';
import type { InputProblem } from './views/messages.js';

/** A parsed query. */
export type Query = { kind: 'help' } | { kind: 'config' } | { kind: 'user_id'; userId: string } | { kind: 'invalid'; problem: InputProblem };

/** Longer input than this is not examined further (Slack sends up to ~4000 chars of text). */
const MAX_INPUT = 500;

/** Removes characters people paste around an ID: quotes, backticks, angle brackets, punctuation. */
function unwrap(token: string): string {
  return token.replace(/^[`'"“”‘’(<[{*_]+|[`'"“”‘’)>\]}*_.,;:!?]+$/gu, '');
}

/**
 * Parses slash-command text. `''` or `help` → help; one Astro user ID (surrounding quotes or
 * backticks ignored) → `user_id`; anything else → `invalid` with the reason, and no API call.
 * With `should_escape: true`, Slack sends mentions as `<@U…|name>` and emails as
 * `<mailto:a@b|a@b>`; both forms are recognised.
 */
export function parseQuery(text: string | undefined): Query {
  // Invisible format characters (zero-width spaces, direction marks) come along with pasted IDs.
  const raw = (text ?? '').replace(/\p{Cf}/gu, '').trim();
  if (raw === '' || /^(help|-h|--help|\?)$/i.test(raw)) return { kind: 'help' };
  if (/^(config|configure|settings|setup)$/i.test(raw)) return { kind: 'config' };
  if (raw.length > MAX_INPUT) return { kind: 'invalid', problem: { kind: 'too_long' } };
  const tokens = raw.split(/\s+/u);
  if (tokens.length > 1) {
    return { kind: 'invalid', problem: tokens.every((t) => isAstroId(unwrap(t))) ? { kind: 'several' } : { kind: 'not_an_id', shown: raw } };
  }
  const token = tokens[0] ?? '';
  if (/^<[@!]?[UW][A-Z0-9]+(\|[^>]*)?>$/.test(token) || /^<@/.test(token)) return { kind: 'invalid', problem: { kind: 'mention' } };
  const mailto = /^<mailto:([^|>]+)(\|[^>]*)?>$/.exec(token);
  if (mailto) return { kind: 'invalid', problem: { kind: 'email', shown: mailto[1] ?? '' } };
  const candidate = unwrap(token);
  if (isAstroId(candidate)) return { kind: 'user_id', userId: candidate };
  if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(candidate)) return { kind: 'invalid', problem: { kind: 'email', shown: candidate } };
  if (/^@\S+$/.test(candidate)) return { kind: 'invalid', problem: { kind: 'mention' } };
  return { kind: 'invalid', problem: { kind: 'not_an_id', shown: token } };
}
