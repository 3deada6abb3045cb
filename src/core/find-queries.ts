/**
 * Finds the people a Slack message names (Astro user IDs, emails, Slack user mentions) in time
 * linear in the text's length, whatever the text. Pure: no I/O, no dependencies.
 *
 * It matches exactly what this regular expression finds, scanned left to right with `matchAll`:
 *
 * ```
 * /(?<![0-9a-zA-Z])(c[0-9a-z]{24})(?![0-9a-zA-Z])
 * |<mailto:([^|>\s]{3,254})(?:\|[^>]*)?>
 * |(?<![^\s<(,;:'"])([^@\s<>|(),;:'"]{1,64}@[^@\s<>|(),;:'"]+\.[A-Za-z]{2,})
 * |<@([UW][A-Z0-9]{2,30})(?:\|[^>]*)?>/g
 * ```
 *
 * but without its worst case: after `<mailto:x|` or `<@U12|` the expression scans ahead for a
 * `>`, once per such opening, so a text of many openings and no `>` costs time quadratic in its
 * length. Here the next `>` after every position is computed once, in one backward pass, and every
 * other step looks at a bounded number of characters or at characters no other step revisits.
 * Characters are UTF-16 code units, as in a JavaScript regular expression without the `u` flag;
 * `\s` is JavaScript's whitespace set
 * (https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Regular_expressions/Character_class_escape#s).
 */

import type { UserQuery as AnyUserQuery } from './query.js';

/** What a text names: an Astro user ID, an email, or a Slack user (by mention). */
export type UserQuery = Extract<AnyUserQuery, { kind: 'user_id' | 'email' | 'slack_user' }>;

/** Options of {@link findUserQueries}. */
export interface FindQueriesOptions {
  /** A Slack user ID whose mentions are ignored (the bot itself). */
  exceptUser?: string;
  /** False to ignore Slack user mentions altogether. Default true. */
  mentions?: boolean;
  /** Most queries returned. Default 1000. */
  max?: number;
}

/**
 * Users looked up for one message, at most (a mention or a shortcut naming more gets "…and N
 * more"): five compact cards share a message's 50 blocks
 * (https://docs.slack.dev/reference/block-kit/blocks).
 */
export const MAX_USERS_PER_MESSAGE = 5;

/** Characters scanned per string; the rest is ignored. */
export const MAX_SCANNED_CHARS = 100_000;

const LT = 0x3c;
const GT = 0x3e;
const PIPE = 0x7c;
const AT = 0x40;
const DOT = 0x2e;

/** JavaScript's `\s`: https://tc39.es/ecma262/#sec-white-space and #sec-line-terminators. */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isLower = (c: number) => c >= 0x61 && c <= 0x7a;
const isUpper = (c: number) => c >= 0x41 && c <= 0x5a;
const isLetter = (c: number) => isLower(c) || isUpper(c);
const isAlnum = (c: number) => isDigit(c) || isLetter(c);

/** `[^@\s<>|(),;:'"]`: a character of an email's local part or domain. */
function isEmailChar(c: number): boolean {
  switch (c) {
    case AT:
    case LT:
    case GT:
    case PIPE:
    case 0x28: // (
    case 0x29: // )
    case 0x2c: // ,
    case 0x3b: // ;
    case 0x3a: // :
    case 0x27: // '
    case 0x22: // "
      return false;
    default:
      return !isSpace(c);
  }
}

/** `[\s<(,;:'"]`: what may precede a plain email. */
function isEmailLead(c: number): boolean {
  return isSpace(c) || c === LT || c === 0x28 || c === 0x2c || c === 0x3b || c === 0x3a || c === 0x27 || c === 0x22;
}

/** A match: the query's text, what kind it is, and where the match ends (exclusive). */
interface Match {
  kind: 'user_id' | 'email' | 'slack_user';
  value: string;
  end: number;
}

/**
 * The end (exclusive) of `(?:\|[^>]*)?>` at `i`, or -1: a `>` right there, or a `|` with a `>`
 * somewhere after it.
 */
function closeAt(t: string, i: number, nextGt: Int32Array): number {
  const c = t.charCodeAt(i);
  if (c === GT) return i + 1;
  if (c === PIPE && i + 1 < t.length && nextGt[i + 1]! >= 0) return nextGt[i + 1]! + 1;
  return -1;
}

/** `(?<![0-9a-zA-Z])(c[0-9a-z]{24})(?![0-9a-zA-Z])` at `p`. */
function userIdAt(t: string, p: number): Match | undefined {
  if (t.charCodeAt(p) !== 0x63 || p + 25 > t.length) return undefined;
  if (p > 0 && isAlnum(t.charCodeAt(p - 1))) return undefined;
  for (let i = p + 1; i < p + 25; i += 1) {
    const c = t.charCodeAt(i);
    if (!isDigit(c) && !isLower(c)) return undefined;
  }
  if (p + 25 < t.length && isAlnum(t.charCodeAt(p + 25))) return undefined;
  return { kind: 'user_id', value: t.slice(p, p + 25), end: p + 25 };
}

/**
 * `<mailto:([^|>\s]{3,254})(?:\|[^>]*)?>` at `p`. The address run stops at `|`, `>` or a space;
 * a shorter run is never followed by `|` or `>`, so no backtracking can succeed where this fails.
 */
function mailtoAt(t: string, p: number, nextGt: Int32Array): Match | undefined {
  if (!t.startsWith('<mailto:', p)) return undefined;
  const start = p + 8;
  let i = start;
  while (i < t.length && i - start < 254) {
    const c = t.charCodeAt(i);
    if (c === PIPE || c === GT || isSpace(c)) break;
    i += 1;
  }
  if (i - start < 3 || i >= t.length) return undefined;
  const end = closeAt(t, i, nextGt);
  return end < 0 ? undefined : { kind: 'email', value: t.slice(start, i), end };
}

/**
 * `(?<![^\s<(,;:'"])([^@\s<>|(),;:'"]{1,64}@[^@\s<>|(),;:'"]+\.[A-Za-z]{2,})` at `p`. The local
 * part is the whole run of email characters from `p` (a shorter one is followed by an email
 * character, never `@`); the domain ends at the last `.` of the next run that two ASCII letters
 * follow, as the greedy `+` backtracks to it. Runs read here are never read again by a later
 * start, which must follow a character outside them.
 */
function emailAt(t: string, p: number): Match | undefined {
  if (p > 0 && !isEmailLead(t.charCodeAt(p - 1))) return undefined;
  let i = p;
  while (i < t.length && i - p <= 64 && isEmailChar(t.charCodeAt(i))) i += 1;
  const local = i - p;
  if (local < 1 || local > 64 || t.charCodeAt(i) !== AT) return undefined;
  const s = i + 1;
  let e = s;
  while (e < t.length && isEmailChar(t.charCodeAt(e))) e += 1;
  for (let j = e - 3; j >= s + 1; j -= 1) {
    if (t.charCodeAt(j) === DOT && isLetter(t.charCodeAt(j + 1)) && isLetter(t.charCodeAt(j + 2))) {
      let end = j + 3;
      while (end < e && isLetter(t.charCodeAt(end))) end += 1;
      return { kind: 'email', value: t.slice(p, end), end };
    }
  }
  return undefined;
}

/** `<@([UW][A-Z0-9]{2,30})(?:\|[^>]*)?>` at `p`. */
function mentionAt(t: string, p: number, nextGt: Int32Array): Match | undefined {
  if (t.charCodeAt(p) !== LT || t.charCodeAt(p + 1) !== AT) return undefined;
  const first = t.charCodeAt(p + 2);
  if (first !== 0x55 && first !== 0x57) return undefined; // U or W
  const start = p + 3;
  let i = start;
  while (i < t.length && i - start < 30) {
    const c = t.charCodeAt(i);
    if (!isUpper(c) && !isDigit(c)) break;
    i += 1;
  }
  if (i - start < 2 || i >= t.length) return undefined;
  const end = closeAt(t, i, nextGt);
  return end < 0 ? undefined : { kind: 'slack_user', value: t.slice(p + 2, i), end };
}

/** Drops trailing dots (`a@b.co.` at the end of a sentence). */
function trimDots(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === DOT) end -= 1;
  return s.slice(0, end);
}

/**
 * Finds everyone a text names, in order and without repeats (case-insensitively), up to `max`:
 * Astro user IDs (`c` + 24 lowercase letters or digits), emails (Slack's `<mailto:…|…>`, or plain
 * `local@domain.tld`, trailing dots dropped), and Slack user mentions `<@U…>` / `<@W…>` other than
 * `exceptUser`. Each string is scanned up to its first {@link MAX_SCANNED_CHARS} characters.
 * Time and memory are linear in the characters scanned.
 *
 * @param texts One text, or several (a message's text, attachments and blocks), scanned in order.
 * @returns The queries found, first occurrence first; at most `options.max` (default 1000).
 */
export function findUserQueries(texts: string | readonly string[], options: FindQueriesOptions = {}): UserQuery[] {
  const max = options.max ?? 1000;
  const seen = new Set<string>();
  const out: UserQuery[] = [];
  for (const full of typeof texts === 'string' ? [texts] : texts) {
    const t = full.length > MAX_SCANNED_CHARS ? full.slice(0, MAX_SCANNED_CHARS) : full;
    const nextGt = new Int32Array(t.length + 1);
    let gt = -1;
    nextGt[t.length] = -1;
    for (let i = t.length - 1; i >= 0; i -= 1) {
      if (t.charCodeAt(i) === GT) gt = i;
      nextGt[i] = gt;
    }
    let p = 0;
    /** Whether an email may start at `p`: at the start, or after a lead character. */
    let lead = true;
    while (p < t.length) {
      // Fast path: a match starts only at `c`, at `<`, or (an email) after a lead.
      const c = t.charCodeAt(p);
      if (c !== 0x63 && c !== LT && !lead) {
        lead = isEmailLead(c);
        p += 1;
        continue;
      }
      const m = userIdAt(t, p) ?? mailtoAt(t, p, nextGt) ?? emailAt(t, p) ?? mentionAt(t, p, nextGt);
      if (!m) {
        lead = isEmailLead(c);
        p += 1;
        continue;
      }
      p = m.end;
      lead = isEmailLead(t.charCodeAt(p - 1));
      let q: UserQuery | undefined;
      if (m.kind === 'user_id') q = { kind: 'user_id', userId: m.value };
      else if (m.kind === 'email') q = { kind: 'email', email: trimDots(m.value) };
      else if (options.mentions !== false && m.value !== options.exceptUser) q = { kind: 'slack_user', slackUserId: m.value };
      if (!q) continue;
      const key = JSON.stringify(q).toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(q);
      if (out.length >= max) return out;
    }
  }
  return out;
}
