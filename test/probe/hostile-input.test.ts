/**
 * Probe: hostile slash-command text, over signed HTTP, and parseQuery under fast-check.
 * Every input must get a 200 ack with a friendly, valid, ping-free answer. Slack's own escapes
 * (channel pings, channel links, links), markup and paths are refused in the ack with no Astro
 * call; an ID, an email, a Slack user or a name may reach Astro, and then only the organization's
 * users paths: GetUser at /organizations/<org>/users/<id>, and ListUsers pages at
 * /organizations/<org>/users?offset=…&limit=…&sorts=id:asc for lookup by email and by name.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isAstroId } from '../../src/core/ids.js';
import { parseQuery } from '../../src/core/query.js';
import { failureMessage, inputProblemMessage } from '../../src/slack/views/messages.js';
import { renderPicker } from '../../src/slack/views/picker.js';
import { blockKitViolations } from '../../src/slack/views/limits.js';
import { ORG_ID, slackHandler, startHarness, type TestHarness } from '../support/app.js';
import { answerUsersList, isUsersListUrl, isUsersPathUrl } from '../support/astro-users.js';
import { allText } from '../support/block-kit.js';
import { json, type RecordedRequest } from '../support/http-stub.js';
import { ADA } from '../support/fixtures.js';
import { cid, expectNoSecretLeak, expectSlackPayloadsSafe, foreignControls, mrkdwnStrings } from './probe-support.js';

const ID = cid('input', 1);
const ID2 = cid('input', 2);

/** The organization's users, as the stand-in ListUsers serves them. */
const USERS = [ADA, { ...ADA, id: cid('grace', 1), fullName: 'Grace Hopper', username: 'grace.hopper@example.com' }];

/** Inputs that are not an Astro user ID, an email, a Slack user or a name: each is refused in the ack, with no Astro call. */
const REFUSED: [string, string][] = [
  ['4001 chars', 'x'.repeat(4001)],
  ['ZWJ emoji', '👩‍💻👨‍👩‍👧'],
  ['<!channel>', '<!channel>'],
  ['<!here>', '<!here>'],
  ['<!everyone>', '<!everyone>'],
  ['<!channel|channel>', '<!channel|channel>'],
  ['<!subteam^S123|@team>', '<!subteam^S123|@team>'],
  ['<#C123|x>', '<#C123|x>'],
  ['<https://evil|x>', '<https://evil.example/x|click me>'],
  ['a mailto that is not an email', '<mailto:<!channel>|x>'],
  ['backticks', '```'],
  ['*_~', '*_~'],
  ['lone <', '<'],
  ['lone >', '>'],
  ['upper-case ID', ID.toUpperCase()],
  ['../', '../'],
  ['two IDs', `${ID} ${ID2}`],
  ['100 IDs', Array.from({ length: 100 }, (_, i) => cid('many', i)).join(' ')],
  ['ID and a ping', `${ID} <!channel>`],
  ['ID with a mention around it', `<@${ID}>`],
];

/**
 * Paths, encoded paths, NUL bytes, lone surrogates (which arrive as U+FFFD) and Slack's escaped
 * `&lt;!channel&gt;`: refused in the ack with no Astro call (once read as name searches).
 */
const REFUSED_BUT_SEARCHED: [string, string][] = [
  ['escaped <!channel>', '&lt;!channel&gt;'],
  ['NUL bytes', 'a\u0000b\u0000'],
  ['lone surrogate', 'a\uD800b'],
  ['%2e%2e', '%2e%2e'],
  ['%2F', `${ID}%2F..%2F..`],
  ['ID/../x', `${ID}/../x`],
  ['ID?x=1', `${ID}?x=1`],
  ['ID#x', `${ID}#x`],
];

/** Odd text that is now a name search matching nobody: [name, text, what the reply quotes]. */
const SEARCHED: [string, string, string][] = [
  ['every Unicode plane', 'A\u00e9\u4e2d\u{1F600}\u{20000}\u{30000}\u{E0001}\u{F0000}\u{10FFFD}', 'Aé中😀'],
  // The override characters are stripped; what is left is searched.
  ['RTL override', '\u202Eclx1user\u202C', '`clx1user`'],
  // A plain @channel is text, not Slack's <!channel>: a search for "channel", which must not ping.
  ['bare @channel', '@channel', '`channel`'],
  // What Slack sends when someone types the characters <!channel>: searched as typed, never a ping.
];

/** users.info of the stand-in Slack: members, with a profile email only for UADA. */
function usersInfo(req: RecordedRequest, res: ServerResponse): void {
  const user = new URLSearchParams(req.body).get('user') ?? '';
  json(res, 200, {
    ok: true,
    user: { id: user, is_admin: false, is_owner: false, is_restricted: false, is_ultra_restricted: false, profile: user === 'UADA' ? { email: ADA.username } : {} },
  });
}

describe('hostile slash-command text over signed HTTP', () => {
  let h: TestHarness;

  beforeAll(async () => {
    h = await startHarness({
      astroHandler: (req, res) => {
        if (answerUsersList(req, res, USERS)) return;
        const m = /^\/organizations\/([^/]+)\/users\/([^/?#]+)$/.exec(req.url);
        if (m) return json(res, 200, { ...ADA, id: m[2] });
        return json(res, 404, { message: 'no route', statusCode: 404 });
      },
    });
    h.slack.setHandler(slackHandler({ '/api/users.info': usersInfo }));
  });
  afterAll(async () => h?.close());

  /**
   * Sends `text` as a slash command and, when the ack is empty (the answer follows through the
   * response_url), waits for that reply, so every Astro request of this command has been made.
   */
  async function send(text: string) {
    const before = h.astro.requests.length;
    const r = await h.command(text);
    const reply = r.status === 200 && r.body === '' ? (await h.replies(r.responseUrl))[0] : undefined;
    return { ...r, reply, calls: h.astro.requests.slice(before) };
  }

  /** A private reply that is valid, ping-free (but for `allowedUsers`) and short. */
  function expectSafeMessage(message: Record<string, unknown>, allowedUsers: string[] = []) {
    expect(message.response_type).toBe('ephemeral');
    expect(String(message.text).length).toBeGreaterThan(0);
    expect(blockKitViolations(message as { blocks?: unknown[]; text?: string }, 'message')).toEqual([]);
    for (const s of mrkdwnStrings(message)) expect(foreignControls(s, allowedUsers)).toEqual([]);
    // Never echo more than a short quote of what was typed: Ada's whole card, buttons included, is
    // about 3,100 characters, and the longest input here 4,001.
    expect(JSON.stringify(message).length).toBeLessThan(3500);
  }

  it.each(['', '   ', '\t \u00a0 ', 'help', 'HeLp'])('answers %j with help in the ack', async (text) => {
    const r = await h.command(text);
    expect(r.status).toBe(200);
    const ack = JSON.parse(r.body) as { response_type: string; text: string; blocks: unknown[] };
    expect(ack.response_type).toBe('ephemeral');
    expect(ack.text).toMatch(/Look up an Astro user/);
    expect(blockKitViolations(ack, 'message')).toEqual([]);
  });

  it.each(REFUSED)('refuses %s in the ack, safely and without calling Astro', async (_name, text) => {
    const r = await send(text);
    expect(r.status).toBe(200);
    expect(r.body).not.toBe('');
    expectSafeMessage(JSON.parse(r.body) as Record<string, unknown>);
    expect(r.calls).toEqual([]);
  });

  // These were once read as name searches (an empty ack, then a ListUsers request).
  it.each(REFUSED_BUT_SEARCHED)('refuses %s in the ack, safely and without calling Astro', async (_name, text) => {
    const r = await send(text);
    expect(r.status).toBe(200);
    expect(r.body).not.toBe('');
    expectSafeMessage(JSON.parse(r.body) as Record<string, unknown>);
    expect(r.calls).toEqual([]);
  });

  it.each(SEARCHED)('searches %s by name: empty ack, a private "no match" reply, only the users list', async (_name, text, quoted) => {
    const r = await send(text);
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    expectSafeMessage(r.reply!);
    expect(r.reply!.text).toBe('No Astro user matches that name.');
    expect(allText(r.reply!.blocks)).toContain(`No Astro user's name or username starts with`);
    expect(allText(r.reply!.blocks)).toContain(quoted);
    // The index is built once (one page: 2 users) and then answers from memory.
    expect(r.calls.length).toBeLessThanOrEqual(1);
    for (const c of r.calls) expect(isUsersListUrl(c.url), c.url).toBe(true);
  });

  it('opens the card of the one user a plain @name matches, through the users list then GetUser', async () => {
    const r = await send('@ada');
    expect(r.body).toBe('');
    expectSafeMessage(r.reply!);
    expect(String(r.reply!.text)).toContain('Ada Lovelace');
    // Besides the users list, at most GetUser of Ada (a repeat comes from the cache).
    const others = r.calls.map((c) => c.url).filter((u) => !isUsersListUrl(u));
    expect(others.length).toBeLessThanOrEqual(1);
    for (const u of others) expect(u).toBe(`/organizations/${ORG_ID}/users/${ADA.id}`);
  });

  it.each([
    ['<@U123>', '<@U123>', 'U123'],
    ['<@U124|bob>', '<@U124|bob>', 'U124'],
  ])('answers %s (a Slack user whose email Slack does not show) privately, with no Astro call', async (_name, text, slackUser) => {
    const infoBefore = h.apiCalls('users.info').length;
    const r = await send(text);
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    // The reply names back the Slack user the asker typed, in a message only the asker sees.
    expectSafeMessage(r.reply!, [slackUser]);
    expect(r.reply!.text).toBe("That Slack user's email is not visible.");
    expect(allText(r.reply!.blocks)).toContain(`I can't see an email for <@${slackUser}>`);
    expect(h.apiCalls('users.info').slice(infoBefore).map((c) => c.user)).toContain(slackUser);
    expect(r.calls).toEqual([]);
  });

  it("opens the card of a mentioned Slack user through their profile email, calling only the users paths", async () => {
    const r = await send('<@UADA|ada>');
    expect(r.body).toBe('');
    expectSafeMessage(r.reply!);
    expect(String(r.reply!.text)).toContain('Ada Lovelace');
    // Besides the users list, at most GetUser of Ada (a repeat comes from the cache).
    const others = r.calls.map((c) => c.url).filter((u) => !isUsersListUrl(u));
    expect(others.length).toBeLessThanOrEqual(1);
    for (const u of others) expect(u).toBe(`/organizations/${ORG_ID}/users/${ADA.id}`);
  });

  it.each([
    ['<mailto:…> of nobody', '<mailto:a@b.co|a@b.co>', 'No Astro user has that email.'],
    ['<mailto:…> of Ada', `<mailto:${ADA.username}|${ADA.username}>`, 'Ada Lovelace'],
    ['a plain email of Ada, in other case', ADA.username.toUpperCase(), 'Ada Lovelace'],
  ])('looks %s up in the users list, privately', async (_name, text, shown) => {
    const r = await send(text);
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    expectSafeMessage(r.reply!);
    expect(String(r.reply!.text)).toContain(shown);
    // The users list, then (for Ada) at most GetUser of Ada: a repeat comes from the cache.
    const others = r.calls.map((c) => c.url).filter((u) => !isUsersListUrl(u));
    expect(others).toEqual(shown === 'Ada Lovelace' ? others.slice(0, 1) : []);
    for (const u of others) expect(u).toBe(`/organizations/${ORG_ID}/users/${ADA.id}`);
  });

  it.each([
    ['trailing punctuation', `${ID}.`],
    ['trailing ?!', `${ID}?!`],
    ['backticks', `\`${ID}\``],
    ['angle brackets', `<${ID}>`],
    ['surrounding spaces and tabs', ` \t${ID}\t `],
  ])('accepts an ID with %s and calls exactly the user path', async (_name, text) => {
    const before = h.astro.requests.length;
    const r = await h.command(text);
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    const [reply] = await h.replies(r.responseUrl);
    expect(String(reply!.text)).toContain('Ada Lovelace');
    const calls = h.astro.requests.slice(before);
    // At most one call (a repeat may come from the cache), and only to the user path.
    expect(calls.length).toBeLessThanOrEqual(1);
    for (const c of calls) expect(c.url).toBe(`/organizations/${ORG_ID}/users/${ID}`);
  });

  // Regression: an ID pasted with an invisible character (zero-width space U+200B, word joiner U+2060,
  // LRM/RLM U+200E/U+200F, common when copying from web pages, PDFs or RTL UIs) is refused as
  // "doesn't look like an Astro user ID" although it shows as exactly the right ID.
  // Cause: src/slack/query.ts:25,29 (`trim()` and `\s` do not cover format characters) and :14 (unwrap).
  it.each([
    ['a zero-width space after it', `${ID}\u200b`],
    ['an RLM before it', `\u200f${ID}`],
    ['a word joiner after it', `${ID}\u2060`],
  ])('accepts an ID with %s', async (_name, text) => {
    const r = await h.command(text);
    expect(r.body).toBe('');
  });

  it('ignores hostile command names, channel names and user IDs in the form', async () => {
    const r = await h.command('help', { command: '/<!channel>', channel_name: '<!here>', user_id: '<!everyone>' });
    expect(r.status).toBe(200);
    const ack = JSON.parse(r.body) as { text: string; blocks: unknown[] };
    for (const s of mrkdwnStrings(ack)) expect(foreignControls(s)).toEqual([]);
    const r2 = await h.command(ID, { channel_name: '<!here> & <@U1>', user_id: 'U0001' });
    const [reply] = await h.replies(r2.responseUrl);
    expect(JSON.stringify(reply)).not.toContain('<!here>');
  });

  // Regression: the app's own texts put raw `<…>` in mrkdwn, which Slack reads as a control sequence
  // (link/mention syntax), not as text: the help fallback `text` "…: /astro-user <user ID>"
  // (src/slack/views/messages.ts:27, shown in notifications) and the Home help line
  // "`/astro-user <ID>` answers privately" (src/slack/views/home.ts:179). Slack's formatting
  // reference asks for &lt; &gt; whenever `<` `>` are not meant as controls.
  it('writes no raw <…> placeholder in its own help texts', async () => {
    const r = await h.command('help');
    const ack = JSON.parse(r.body) as Record<string, unknown>;
    for (const s of mrkdwnStrings(ack)) expect(foreignControls(s, [], [])).toEqual([]);
  });

  it('every payload Slack received was valid and ping-free, and no secret leaked', () => {
    // U0001 asked; U123 and U124 are the Slack users the asker typed, named back in their private reply.
    expectSlackPayloadsSafe(h, ['U0001', 'U123', 'U124']);
    expectNoSecretLeak(h);
    // Only the organization's users paths: GetUser of a well-formed ID, and ListUsers pages.
    expect(h.astro.requests.length).toBeGreaterThan(0);
    for (const r of h.astro.requests) expect(isUsersPathUrl(r.url), r.url).toBe(true);
  });
});

describe('parseQuery under fast-check', () => {
  const anyText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 600 }),
    fc.string({ unit: 'grapheme', maxLength: 80 }),
    fc
      .array(
        fc.constantFrom('<', '>', '!', '@', '|', '`', '*', '_', '~', '&', 'c', 'x', '0', ' ', '\u0000', '\u200b', '.', '/', '%', ID, 'jane', 'a@b.co', '<@U123|x>', '<mailto:', 'mailto:', 'U0A', ':', '#'),
        { maxLength: 40 },
      )
      .map((a) => a.join('')),
  );
  /** What parseQuery looks at: the text without invisible format characters. */
  const visible = (text: string) => text.replace(/\p{Cf}/gu, '');

  it('never throws; an ID, email, Slack user or search only from what the input holds, and no markup in a search', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const q = parseQuery(text);
        expect(['help', 'config', 'user_id', 'email', 'slack_user', 'search', 'invalid']).toContain(q.kind);
        switch (q.kind) {
          case 'user_id':
            expect(isAstroId(q.userId)).toBe(true);
            expect(text).toContain(q.userId);
            break;
          case 'email':
            expect(q.email).toMatch(/^[^@\s<>|]+@[^@\s<>|]+\.[^@\s<>|]+$/);
            expect(visible(text)).toContain(q.email);
            break;
          case 'slack_user':
            expect(q.slackUserId).toMatch(/^[UW][A-Z0-9]{2,30}$/);
            expect(visible(text)).toContain(`<@${q.slackUserId}`);
            break;
          case 'search':
            expect(q.text).not.toMatch(/[<>|`*]/);
            expect(q.text).toMatch(/\p{L}/u);
            expect([...q.text].length).toBeGreaterThanOrEqual(2);
            expect(q.text.length).toBeLessThanOrEqual(100);
            expect(isAstroId(q.text)).toBe(false);
            expect(visible(text)).toContain(q.text);
            break;
          case 'help':
          case 'config':
            expect(visible(text).trim()).toMatch(/^(|help|-h|--help|\?|config|configure|settings|setup)$/i);
            break;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('answers every search with a valid, ping-free "no match" message and picker', () => {
    const someone = { id: ID, username: 'jane@example.com', fullName: 'Jane Doe', status: 'ACTIVE' };
    let searches = 0;
    fc.assert(
      fc.property(anyText, (text) => {
        const q = parseQuery(text);
        if (q.kind !== 'search') return;
        searches += 1;
        for (const msg of [failureMessage({ code: 'no_name_match', text: q.text }, ''), renderPicker([someone, { ...someone, id: ID2 }], q.text)]) {
          expect(blockKitViolations(msg, 'message')).toEqual([]);
          for (const s of mrkdwnStrings(msg as unknown as Record<string, unknown>)) expect(foreignControls(s)).toEqual([]);
        }
      }),
      { numRuns: 3000 },
    );
    // The property held for real searches, not only for texts it skipped.
    expect(searches).toBeGreaterThan(300);
  });

  it('turns every refusal into a valid, ping-free, short message', () => {
    const problems = new Set<string>();
    fc.assert(
      fc.property(anyText, (text) => {
        const q = parseQuery(text);
        if (q.kind !== 'invalid') return;
        problems.add(q.problem.kind);
        const msg = inputProblemMessage(q.problem);
        expect(blockKitViolations(msg, 'message')).toEqual([]);
        for (const s of mrkdwnStrings(msg as unknown as Record<string, unknown>)) expect(foreignControls(s)).toEqual([]);
      }),
      { numRuns: 3000 },
    );
    // The property held for refusals of several kinds, not only for texts it skipped.
    expect(problems.size).toBeGreaterThan(0);
  });

  it('reads any well-formed ID wrapped in pasted quotes or punctuation', () => {
    const wrap = fc.constantFrom(['', ''], ['`', '`'], ['"', '"'], ['“', '”'], ['(', ').'], ['<', '>'], ['*', '*'], ['', ','], ['', ':']);
    const id = fc.stringMatching(/^c[0-9a-z]{24}$/);
    fc.assert(
      fc.property(id, wrap, (i, [a, b]) => {
        expect(parseQuery(`${a}${i}${b}`)).toEqual({ kind: 'user_id', userId: i });
      }),
    );
  });
});
