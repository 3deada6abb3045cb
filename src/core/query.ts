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

/**
 * What `access` asks about: a Deployment or Workspace by ID, by name, or by its Astro UI link
 * (checked against the configured UI host by the use case, see `parseAstroLink`).
 */
export type AccessTarget = { kind: 'id'; id: string } | { kind: 'name'; text: string } | { kind: 'link'; url: string };

/** A parsed query. */
export type Query =
  | { kind: 'help' }
  | { kind: 'config' }
  /** `access <deployment or workspace>`, or a bare link: who can access it, and why. */
  | { kind: 'access'; target: AccessTarget }
  /** `access` with nothing after it, or a target that cannot be one. */
  | { kind: 'access_help' }
  /** `report`: the admin report. */
  | { kind: 'report' }
  /** `offboard <user>`: what to remove when someone leaves; `who` is the user query after the word. */
  | { kind: 'offboard'; who: Query }
  | { kind: 'user_id'; userId: string }
  /** An email address: the Astro user whose username matches (case-insensitive). */
  | { kind: 'email'; email: string }
  /** A Slack user (`<@U…>`): their email, then the Astro user with that email. */
  | { kind: 'slack_user'; slackUserId: string }
  /** Words: full names or usernames starting with them; one match opens, several give a picker. */
  | { kind: 'search'; text: string }
  | { kind: 'invalid'; problem: InputProblem };

/** True for a query that names or searches one Astro user. */
export function isUserQuery(query: Query): query is UserQuery {
  return query.kind === 'user_id' || query.kind === 'email' || query.kind === 'slack_user' || query.kind === 'search';
}

/** Longer input than this is not examined further (Slack sends up to ~4000 chars of text). */
const MAX_INPUT = 500;
/** Name searches are at most this long. */
const MAX_SEARCH = 100;

/** The URL of a lone link, as Slack escapes it (`<https://…|label>`, `<https://…>`) or typed bare. */
function linkOf(raw: string): string | undefined {
  const m = /^<(https?:\/\/[^|>\s]+)(?:\|[^>]*)?>$/i.exec(raw) ?? /^(https?:\/\/\S+)$/i.exec(raw);
  return m ? decodeEntities(m[1]!) : undefined;
}

/**
 * What follows `access`: a link, an ID, or a name (1–100 characters of letters, digits, spaces and
 * `-_.:/`, the characters of Deployment and Workspace names); undefined when empty or none of these.
 */
export function parseAccessTarget(rest: string): AccessTarget | undefined {
  const text = rest.replace(/\p{Cf}/gu, '').trim();
  if (text === '') return undefined;
  const link = linkOf(text);
  if (link) return { kind: 'link', url: link };
  const candidate = unwrap(text);
  if (isAstroId(candidate)) return { kind: 'id', id: candidate };
  const name = decodeEntities(text).replace(/^["'`“”‘’]+|["'`“”‘’]+$/gu, '').trim();
  if (name === '' || [...name].length > MAX_SEARCH || /[<>|*\\\p{Cc}\uFFFD]/u.test(name) || !isWellFormed(name) || !/[\p{L}\p{N}]/u.test(name)) return undefined;
  return { kind: 'name', text: name };
}

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
  if (/^report$/i.test(raw)) return { kind: 'report' };
  const verb = /^(access|who-can-access|offboard)(?:\s+([\s\S]*))?$/i.exec(raw);
  if (verb) {
    const rest = (verb[2] ?? '').trim();
    if (verb[1]!.toLowerCase() === 'offboard') return { kind: 'offboard', who: rest === '' ? { kind: 'help' } : parseQuery(rest) };
    const target = parseAccessTarget(rest);
    return target ? { kind: 'access', target } : { kind: 'access_help' };
  }
  const link = linkOf(raw);
  if (link) return { kind: 'access', target: { kind: 'link', url: link } };
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
