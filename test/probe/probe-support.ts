/**
 * Shared helpers of the probe suite: Astro IDs, collecting everything the stand-in Slack received,
 * and the invariants every payload must keep (valid Block Kit, no ping from data, no secret).
 */
import { expect } from 'vitest';
import type { ServerResponse } from 'node:http';
import { blockKitViolations } from '../../src/slack/views/limits.js';
import { ASTRO_TOKEN, BOT_TOKEN, SIGNING_SECRET, parseWebApiBody, slackHandler, type TestHarness } from '../support/app.js';
import { json, type RecordedRequest } from '../support/http-stub.js';

/** A well-formed Astro ID (`c` + 24 of [0-9a-z]) built from a short lowercase tag and a number. */
export function cid(tag: string, n = 0): string {
  const body = `${tag}${String(n).padStart(5, '0')}`.replace(/[^0-9a-z]/g, '');
  if (body.length > 24) throw new Error(`tag too long: ${tag}`);
  return `c${body.padEnd(24, '0')}`;
}

export { sleep } from '../support/sleep.js';

/** One payload the stand-in Slack received. */
export interface SlackPayload {
  /** `respond` (a response_url post), or the Web API method (`chat.postMessage`, `views.publish`, …). */
  kind: string;
  path: string;
  payload: Record<string, unknown>;
}

/** Every message or view the stand-in Slack received (response_url posts and Web API calls, auth.test excepted). */
export function slackPayloads(h: TestHarness): SlackPayload[] {
  const out: SlackPayload[] = [];
  for (const r of h.slack.requests) {
    const path = r.url.split('?')[0] ?? '';
    if (path.startsWith('/respond/')) {
      try {
        out.push({ kind: 'respond', path, payload: JSON.parse(r.body) as Record<string, unknown> });
      } catch {
        out.push({ kind: 'respond', path, payload: { unparseable: r.body } });
      }
    } else if (path.startsWith('/api/') && path !== '/api/auth.test') {
      out.push({ kind: path.slice('/api/'.length), path, payload: parseWebApiBody(r) });
    }
  }
  return out;
}

/**
 * The mrkdwn strings of a message or view payload: every `mrkdwn` text object, plus the top-level
 * `text` of a message (Slack reads it as mrkdwn).
 */
export function mrkdwnStrings(payload: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (typeof payload.text === 'string') out.push(payload.text);
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(payload.blocks);
  walk(payload.view);
  return out;
}

/**
 * The app's own static placeholders written with raw angle brackets (`/astro-user <user ID>`,
 * `/astro-user <ID>`). They are a separate, cosmetic bug (see hostile-input.test.ts); the data
 * checks skip them so that they can find what came from data.
 */
export const STATIC_PLACEHOLDERS = ['<user ID>', '<ID>'] as const;

/**
 * Control sequences in mrkdwn that did not come from the app itself: anything in `<…>` except a
 * Slack date and a mention of one of `allowedUsers` (the real asker / sharer), and any lone `<` or `>`.
 */
export function foreignControls(text: string, allowedUsers: readonly string[] = [], ignore: readonly string[] = STATIC_PLACEHOLDERS): string[] {
  const bad: string[] = [];
  const rest = text.replace(/<([^<>]*)>/g, (whole, inner: string) => {
    if (ignore.includes(whole)) return '';
    if (/^!date\^\d+\^[^|<>]*\|[^<>]*$/.test(inner)) return '';
    const user = /^@([UW][A-Z0-9]{2,30})$/.exec(inner);
    if (user && allowedUsers.includes(user[1]!)) return '';
    bad.push(whole);
    return '';
  });
  for (const m of rest.matchAll(/[<>]/g)) bad.push(`lone ${m[0]}`);
  return bad;
}

/**
 * Asserts every payload Slack received is valid Block Kit and carries no ping or link that came
 * from data; `allowedUsers` are the real Slack users who asked or shared.
 */
export function expectSlackPayloadsSafe(h: TestHarness, allowedUsers: readonly string[]): void {
  const problems: string[] = [];
  for (const p of slackPayloads(h)) {
    if (p.kind === 'views.publish') {
      const view = p.payload.view as { blocks?: unknown[] } | undefined;
      const v = blockKitViolations(view ?? {}, 'view');
      if (v.length) problems.push(`${p.path}: ${v.join('; ')}`);
    } else if (p.kind === 'respond' || p.kind === 'chat.postMessage') {
      const v = blockKitViolations(p.payload as { blocks?: unknown[]; text?: string }, 'message');
      if (v.length) problems.push(`${p.path}: ${v.join('; ')}`);
    }
    for (const s of mrkdwnStrings(p.payload)) {
      const bad = foreignControls(s, allowedUsers);
      if (bad.length) problems.push(`${p.path}: ${bad.slice(0, 5).join(' ')} in ${JSON.stringify(s.slice(0, 200))}`);
    }
  }
  expect(problems).toEqual([]);
}

/** Asserts no secret reached a log line, Slack received no Astro token, and Astro no Slack secret. */
export function expectNoSecretLeak(h: TestHarness): void {
  const raw = h.rawLogs();
  expect(raw.length).toBeGreaterThan(0);
  for (const secret of [BOT_TOKEN, SIGNING_SECRET, ASTRO_TOKEN]) expect(raw).not.toContain(secret);
  // The JWT's parts on their own (a scrubber matching only the whole token would miss them).
  for (const part of ASTRO_TOKEN.split('.')) expect(raw).not.toContain(part);
  for (const r of h.slack.requests) {
    const all = JSON.stringify(r);
    expect(all).not.toContain(ASTRO_TOKEN);
    expect(all).not.toContain(SIGNING_SECRET);
    if (r.url.startsWith('/respond/')) expect(all).not.toContain(BOT_TOKEN);
  }
  for (const r of h.astro.requests) {
    const all = JSON.stringify(r);
    expect(all).not.toContain(BOT_TOKEN);
    expect(all).not.toContain(SIGNING_SECRET);
  }
}

/** A stand-in Slack whose views.publish answers with fresh hashes, plus any overrides. */
export function slackWith(overrides: Record<string, (req: RecordedRequest, res: ServerResponse) => void> = {}) {
  let n = 0;
  return slackHandler({
    '/api/views.publish': (_req, res) => json(res, 200, { ok: true, view: { id: 'V1', hash: `hash-${++n}` } }),
    ...overrides,
  });
}

/** A block_actions payload from a Home view. */
export function homeAction(user: string, action: Record<string, unknown>, view: Record<string, unknown> = {}) {
  return {
    type: 'block_actions',
    user: { id: user, team_id: 'T0001' },
    team: { id: 'T0001', domain: 'example' },
    api_app_id: 'A0001',
    trigger_id: '1.2.3',
    container: { type: 'view', view_id: 'V1' },
    view: { id: 'V1', type: 'home', hash: 'hash-current', private_metadata: '{}', state: { values: {} }, ...view },
    actions: [{ action_ts: '1.1', block_id: 'b', ...action }],
  };
}

/** The view of the last views.publish for `user`, parsed. */
export function lastHomeView(h: TestHarness, user: string): Record<string, unknown> | undefined {
  const calls = h.apiCalls('views.publish').filter((c) => c.user_id === user);
  return calls.at(-1)?.view as Record<string, unknown> | undefined;
}
