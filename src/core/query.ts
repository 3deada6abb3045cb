/**
 * Parses what a person typed after `/astro-user` (or in App Home) into a query. Pure; never throws.
 */
import { isAstroId } from './ids.js';

/**
 * Why a query was refused before any API call: not a user ID, email, mention or name; several IDs
 * at once; or longer than {@link MAX_INPUT} characters.
 */
export type InputProblem = { kind: 'not_an_id'; shown: string } | { kind: 'several' } | { kind: 'too_long' };

/** A query that names one user by ID, email or Slack mention, or searches by name. */
export type UserQuery = Extract<Query, { kind: 'user_id' | 'email' | 'slack_user' | 'search' }>;

/** A parsed query. */
export type Query =
  | { kind: 'help' }
  | { kind: 'config' }
  | { kind: 'user_id'; userId: string }
  /** An email address: the Astro user whose username matches (case-insensitive). */
  | { kind: 'email'; email: string }
  /** A Slack user (`<@U…>`): their email, then the Astro user with that email. */
  | { kind: 'slack_user'; slackUserId: string }
  /** Words: full names or usernames starting with them; one match opens, several give a picker. */
  | { kind: 'search'; text: string }
  | { kind: 'invalid'; problem: InputProblem };

/** Longer input than this is not examined further (Slack sends up to ~4000 chars of text). */
const MAX_INPUT = 500;
/** Name searches are at most this long. */
const MAX_SEARCH = 100;

/** Removes characters people paste around an ID: quotes, backticks, angle brackets, punctuation. */
function unwrap(token: string): string {
  return token.replace(/^[`'"“”‘’(<[{*_]+|[`'"“”‘’)>\]}*_.,;:!?]+$/gu, '');
}

/** Slack escapes `&`, `<` and `>` in text it sends; a name is searched as typed. */
function decodeEntities(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** True when `s` has no lone surrogate (String.prototype.isWellFormed, Node ≥ 20). */
function isWellFormed(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

const EMAIL = /^[^@\s<>|]{1,64}@[^@\s<>|]+\.[^@\s<>|]{2,}$/;

/**
 * Parses slash-command (or App Home) text:
 * - `''` or `help` → help; `config` → the admin's Connect Astro modal;
 * - an Astro user ID (surrounding quotes or backticks ignored) → `user_id`;
 * - an email, plain or as Slack escapes it (`<mailto:a@b|a@b>`) → `email`;
 * - a Slack mention, as Slack escapes it (`<@U…|name>`) or typed (`<@U…>`) → `slack_user`;
 * - other words (a plain `@jane` included) → `search` by name;
 * - anything else (several IDs, links, channel mentions, text too long) → `invalid`, with no API call.
 */
export function parseQuery(text: string | undefined): Query {
  // Invisible format characters (zero-width spaces, direction marks) come along with pasted IDs.
  const raw = (text ?? '').replace(/\p{Cf}/gu, '').trim();
  if (raw === '' || /^(help|-h|--help|\?)$/i.test(raw)) return { kind: 'help' };
  if (/^(config|configure|settings|setup)$/i.test(raw)) return { kind: 'config' };
  if (raw.length > MAX_INPUT) return { kind: 'invalid', problem: { kind: 'too_long' } };
  const tokens = raw.split(/\s+/u);
  if (tokens.length > 1 && tokens.every((t) => isAstroId(unwrap(t)))) return { kind: 'invalid', problem: { kind: 'several' } };
  if (tokens.length === 1) {
    const token = tokens[0]!;
    const mention = /^<@([UW][A-Z0-9]{2,30})(\|[^>]*)?>$/.exec(token);
    if (mention) return { kind: 'slack_user', slackUserId: mention[1]! };
    const mailto = /^<mailto:([^|>]+)(\|[^>]*)?>$/.exec(token);
    if (mailto) {
      const email = mailto[1]!;
      return EMAIL.test(email) ? { kind: 'email', email } : { kind: 'invalid', problem: { kind: 'not_an_id', shown: email } };
    }
    const candidate = unwrap(token);
    if (isAstroId(candidate)) return { kind: 'user_id', userId: candidate };
    if (EMAIL.test(candidate)) return { kind: 'email', email: candidate };
  }
  // Words: a name. Slack's escapes (<#C…>, <!here>, <https://…>) and other markup are not names,
  // nor are paths, control characters, broken Unicode, or anything holding an ID-like token.
  const words = decodeEntities(raw).replace(/^@/, '').trim();
  if (
    /[<>|`*/\\%]/.test(words) ||
    /[\p{Cc}\uFFFD]/u.test(words) ||
    !isWellFormed(words) ||
    /(?<![0-9a-z])c(?=[0-9a-z]*\d)[0-9a-z]{19,29}(?![0-9a-z])/i.test(words) ||
    words.length > MAX_SEARCH ||
    !/\p{L}/u.test(words)
  ) {
    return { kind: 'invalid', problem: { kind: 'not_an_id', shown: raw } };
  }
  if ([...words].length < 2) return { kind: 'invalid', problem: { kind: 'not_an_id', shown: raw } };
  return { kind: 'search', text: words };
}
