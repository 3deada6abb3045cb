/**
 * Block Kit limits in one place, with code-point-safe truncation and mrkdwn escaping, and a
 * checker that every renderer's output is run through (in tests, and as a last guard at runtime).
 *
 * Sources: https://docs.slack.dev/reference/block-kit/blocks (50 blocks per message, 100 per
 * modal or Home tab), .../blocks/section-block (text 1–3000 chars, ≤10 fields of ≤2000),
 * .../blocks/header-block (plain_text ≤150), .../blocks/context-block (≤10 elements),
 * .../block-elements/button-element (text ≤75, action_id ≤255, value ≤2000, url ≤3000),
 * .../block-elements/image-element (image_url ≤3000, alt_text ≤2000), and bolt-js#2509 for the
 * undocumented ~12k-character total per message (`msg_blocks_too_long`).
 */

export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  actionId: 255,
  blockId: 255,
  buttonValue: 2000,
  url: 3000,
  altText: 2000,
  /** Undocumented total of text in one message's blocks (bolt-js#2509); we stay well under it. */
  messageTotalChars: 12_000,
  /** Top-level fallback `text`: 40,000 is the hard cap; we keep it short for notifications. */
  fallbackText: 3000,
} as const;

/** Code points of `s` (so that an emoji is one unit and never split). */
export function codePoints(s: string): string[] {
  return Array.from(s);
}

/** Length of `s` in code points. */
export function lengthOf(s: string): number {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

/**
 * Cuts `s` to at most `max` code points, ending with `…` when cut. Never splits a surrogate
 * pair. Slack counts characters; counting code points is the safe side of UTF-16 units.
 */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s; // UTF-16 length ≥ code points: nothing to cut
  const cps = codePoints(s);
  if (cps.length <= max) return s;
  return `${cps.slice(0, Math.max(0, max - 1)).join('')}…`;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Escapes text for Slack mrkdwn: `&`, `<`, `>` only, as Slack's formatting reference asks, so no
 * string from outside can form a mention, a channel ping (`<!channel>`) or a link.
 */
export function escapeMrkdwn(s: string): string {
  return s.replace(/[&<>]/g, (c) => ENTITIES[c] ?? c);
}

/**
 * Escapes `raw` for mrkdwn and cuts the result to `max` characters without splitting an entity
 * or a surrogate pair; ends with `…` when cut.
 */
export function escapeAndTruncate(raw: string, max: number): string {
  const escaped = escapeMrkdwn(raw);
  if (lengthOf(escaped) <= max) return escaped;
  let out = '';
  let used = 0;
  for (const cp of raw) {
    const piece = ENTITIES[cp] ?? cp;
    if (used + piece.length + 1 > max) break;
    out += piece;
    used += piece.length;
  }
  return `${out}…`;
}

/** Strips control characters (including newlines) that would break a one-line label. */
export function oneLine(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
}

/**
 * A value shown as inline code: escaped, on one line, without backticks (which would end the
 * span), and cut to `max` code points.
 */
export function inlineCode(raw: string, max = 80): string {
  const clean = oneLine(raw).replace(/`/g, 'ʹ');
  return `\`${escapeAndTruncate(clean || ' ', max)}\``;
}

/** One Block Kit element or block, loosely typed for checking. */
type Json = Record<string, unknown>;

/** Text of a text object, or '' when absent. */
function textOf(obj: unknown): string {
  return obj && typeof obj === 'object' && typeof (obj as Json).text === 'string' ? ((obj as Json).text as string) : '';
}

/**
 * Checks a message or view against the Block Kit limits above.
 *
 * @param payload `{ blocks, text? }` as sent to Slack.
 * @param surface `message` (50 blocks and the ~12k total) or `view` (Home tab or modal: 100 blocks).
 * @returns one line per violation; an empty array means the payload is within the limits.
 */
export function blockKitViolations(payload: { blocks?: unknown[]; text?: string }, surface: 'message' | 'view'): string[] {
  const v: string[] = [];
  const blocks = (payload.blocks ?? []) as Json[];
  const maxBlocks = surface === 'message' ? LIMITS.messageBlocks : LIMITS.viewBlocks;
  if (blocks.length > maxBlocks) v.push(`${blocks.length} blocks > ${maxBlocks}`);
  if (surface === 'message') {
    if (!payload.text || payload.text.trim() === '') v.push('no fallback text');
    else if (lengthOf(payload.text) > LIMITS.fallbackText) v.push(`fallback text ${lengthOf(payload.text)} > ${LIMITS.fallbackText}`);
  }
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  let total = 0;
  const countText = (s: string, where: string, max: number, min = 1) => {
    const n = lengthOf(s);
    total += n;
    if (n < min) v.push(`${where}: empty text`);
    if (n > max) v.push(`${where}: ${n} chars > ${max}`);
  };
  const checkElement = (el: Json, where: string) => {
    if (el.type === 'button') {
      countText(textOf(el.text), `${where}.text`, LIMITS.buttonText);
      if ((el.text as Json | undefined)?.type !== 'plain_text') v.push(`${where}: button text must be plain_text`);
      const id = String(el.action_id ?? '');
      if (lengthOf(id) > LIMITS.actionId) v.push(`${where}: action_id too long`);
      if (id && actionIds.has(id)) v.push(`${where}: duplicate action_id ${id}`);
      if (id) actionIds.add(id);
      if (typeof el.value === 'string' && lengthOf(el.value) > LIMITS.buttonValue) v.push(`${where}: value too long`);
      if (typeof el.url === 'string') checkUrl(el.url, `${where}.url`);
      if (el.confirm) {
        const c = el.confirm as Json;
        for (const k of ['title', 'text', 'confirm', 'deny']) if (!textOf(c[k])) v.push(`${where}: confirm.${k} missing`);
        if (lengthOf(textOf(c.title)) > 100) v.push(`${where}: confirm.title > 100`);
        if (lengthOf(textOf(c.text)) > 300) v.push(`${where}: confirm.text > 300`);
        if (lengthOf(textOf(c.confirm)) > 30 || lengthOf(textOf(c.deny)) > 30) v.push(`${where}: confirm button > 30`);
      }
    } else if (el.type === 'image') {
      if (typeof el.image_url !== 'string') v.push(`${where}: image without image_url`);
      else checkUrl(el.image_url, `${where}.image_url`);
      const alt = typeof el.alt_text === 'string' ? el.alt_text : '';
      if (!alt) v.push(`${where}: image without alt_text`);
      if (lengthOf(alt) > LIMITS.altText) v.push(`${where}: alt_text too long`);
    } else if (el.type === 'plain_text_input') {
      const id = String(el.action_id ?? '');
      if (lengthOf(id) > LIMITS.actionId) v.push(`${where}: action_id too long`);
    } else if (el.type === 'checkboxes' || el.type === 'static_select' || el.type === 'conversations_select' || el.type === 'timepicker') {
      // Input elements: checkboxes ≤10 options, static_select ≤100; option text ≤75, value ≤150,
      // description ≤75; timepicker `HH:mm` (…/block-elements/checkboxes-element, select-menu-element, time-picker-element).
      const id = String(el.action_id ?? '');
      if (lengthOf(id) > LIMITS.actionId) v.push(`${where}: action_id too long`);
      if (id && actionIds.has(id)) v.push(`${where}: duplicate action_id ${id}`);
      if (id) actionIds.add(id);
      const options = Array.isArray(el.options) ? (el.options as Json[]) : [];
      if (options.length > (el.type === 'checkboxes' ? 10 : 100)) v.push(`${where}: too many options`);
      for (const [i, o] of options.entries()) {
        if (lengthOf(textOf(o.text)) > 75) v.push(`${where}.options[${i}]: text > 75`);
        if (lengthOf(String(o.value ?? '')) > 150) v.push(`${where}.options[${i}]: value > 150`);
        if (o.description && lengthOf(textOf(o.description)) > 75) v.push(`${where}.options[${i}]: description > 75`);
      }
      if (el.type === 'timepicker' && el.initial_time !== undefined && !/^([01]\d|2[0-3]):[0-5]\d$/.test(String(el.initial_time))) v.push(`${where}: initial_time not HH:mm`);
    } else if (el.type === 'mrkdwn' || el.type === 'plain_text') {
      countText(String(el.text ?? ''), where, LIMITS.contextText);
    } else {
      v.push(`${where}: unexpected element type ${String(el.type)}`);
    }
  };
  const checkUrl = (url: string, where: string) => {
    if (lengthOf(url) > LIMITS.url) v.push(`${where}: url too long`);
    try {
      const u = new URL(url);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') v.push(`${where}: url scheme ${u.protocol}`);
    } catch {
      v.push(`${where}: not a URL`);
    }
  };
  blocks.forEach((b, i) => {
    const where = `blocks[${i}] (${String(b.type)})`;
    if (typeof b.block_id === 'string') {
      if (lengthOf(b.block_id) > LIMITS.blockId) v.push(`${where}: block_id too long`);
      if (blockIds.has(b.block_id)) v.push(`${where}: duplicate block_id ${b.block_id}`);
      blockIds.add(b.block_id);
    }
    switch (b.type) {
      case 'header':
        if ((b.text as Json | undefined)?.type !== 'plain_text') v.push(`${where}: header must be plain_text`);
        countText(textOf(b.text), where, LIMITS.headerText);
        break;
      case 'section': {
        const fields = (b.fields as Json[] | undefined) ?? [];
        if (!b.text && fields.length === 0) v.push(`${where}: section needs text or fields`);
        if (b.text) countText(textOf(b.text), `${where}.text`, LIMITS.sectionText);
        if (fields.length > LIMITS.sectionFields) v.push(`${where}: ${fields.length} fields > ${LIMITS.sectionFields}`);
        fields.forEach((f, j) => {
          countText(textOf(f), `${where}.fields[${j}]`, LIMITS.fieldText);
        });
        if (b.accessory) checkElement(b.accessory as Json, `${where}.accessory`);
        break;
      }
      case 'context': {
        const els = (b.elements as Json[] | undefined) ?? [];
        if (els.length === 0) v.push(`${where}: context without elements`);
        if (els.length > LIMITS.contextElements) v.push(`${where}: ${els.length} elements > ${LIMITS.contextElements}`);
        els.forEach((e, j) => {
          checkElement(e, `${where}.elements[${j}]`);
        });
        break;
      }
      case 'actions': {
        const els = (b.elements as Json[] | undefined) ?? [];
        if (els.length === 0) v.push(`${where}: actions without elements`);
        if (els.length > LIMITS.actionsElements) v.push(`${where}: ${els.length} elements > ${LIMITS.actionsElements}`);
        els.forEach((e, j) => {
          checkElement(e, `${where}.elements[${j}]`);
        });
        break;
      }
      case 'input': {
        const label = textOf(b.label);
        if (!label || lengthOf(label) > 2000) v.push(`${where}: input label missing or > 2000`);
        if (b.element) checkElement(b.element as Json, `${where}.element`);
        break;
      }
      case 'divider':
        break;
      default:
        v.push(`${where}: unexpected block type`);
    }
  });
  if (surface === 'message' && total > LIMITS.messageTotalChars) v.push(`total text ${total} > ${LIMITS.messageTotalChars}`);
  return v;
}
