/**
 * renderUserCard: within Block Kit limits for every size and surface, every API string escaped,
 * names cut on code points, roles and statuses in words; plus the limits.ts helpers it relies on.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AstroUserSchema, type AstroUser } from '../../../src/astro/schemas.js';
import { renderUserCard, type CardSurface, type RenderedMessage } from '../../../src/slack/views/user-card.js';
import { blockKitViolations, escapeAndTruncate, lengthOf, truncate } from '../../../src/slack/views/limits.js';
import { allText, expectValidBlockKit } from '../../support/block-kit.js';
import { ADA, userWithRoles } from '../../support/fixtures.js';

const FETCHED_AT = Date.parse('2026-05-20T09:00:00Z');
const SURFACES: CardSurface[] = ['message', 'home', 'thread'];
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** An AstroUser built from ADA with some fields replaced. */
function user(overrides: Partial<AstroUser> = {}): AstroUser {
  return { ...AstroUserSchema.parse(ADA), ...overrides };
}

function render(u: AstroUser, surface: CardSurface, extra: { askedBy?: string } = {}): RenderedMessage {
  return renderUserCard(u, { surface, fetchedAt: FETCHED_AT, ...extra });
}

/** Checks `card` against the limits of where it is shown (Home is a view, a thread reply a message). */
function expectValidFor(card: RenderedMessage, surface: CardSurface): void {
  expectValidBlockKit(card, surface === 'home' ? 'view' : 'message');
}

type Block = { type: string; block_id?: string; text?: { type: string; text: string }; fields?: { type: string; text: string }[]; accessory?: Record<string, unknown>; elements?: { type: string; text?: string }[] };
const blocksOf = (card: RenderedMessage) => card.blocks as unknown as Block[];

/** Every mrkdwn string of a card, plus the fallback `text` (which Slack also reads as mrkdwn). */
function mrkdwnTexts(card: RenderedMessage): string[] {
  const out = [card.text];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(card.blocks);
  return out;
}

/** The summary section (username, status, fields, avatar). */
const summaryOf = (card: RenderedMessage) => blocksOf(card).find((b) => b.block_id === 'card:summary')!;
/** The text of the context block (ID, "as of", asked by, unreadable note). */
const contextText = (card: RenderedMessage) =>
  (blocksOf(card).find((b) => b.type === 'context')?.elements ?? []).map((e) => e.text ?? '').join('\n');

/** Role lines shown for one scope, and the N of its "…and N more" line (0 when all are shown). */
function shownAndMore(card: RenderedMessage, key: 'ws' | 'dep' | 'dag'): { shown: number; more: number } {
  const text = blocksOf(card)
    .filter((b) => b.block_id?.startsWith(`card:${key}:`))
    .map((b) => b.text?.text ?? '')
    .join('\n');
  const shown = text.split('\n').filter((l) => l.startsWith('• ')).length;
  const m = /_…and (\d+) more (?:workspace|deployment|DAG) roles?_/.exec(text);
  return { shown, more: m ? Number(m[1]) : 0 };
}

describe('renderUserCard: sizes and surfaces', () => {
  const SIZES = [0, 1, 10, 11, 500];
  const cases = SIZES.flatMap((n) => SURFACES.map((s) => [n, s] as const));

  it.each(cases)('with %i roles in each scope on %s: within Block Kit limits, and every role shown or counted', (n, surface) => {
    const card = render(AstroUserSchema.parse(userWithRoles(n)), surface);
    expectValidFor(card, surface);
    expect(card.text.trim()).not.toBe('');
    expect(blocksOf(card).some((b) => b.block_id === 'card:cut')).toBe(false);
    for (const key of ['ws', 'dep', 'dag'] as const) {
      const { shown, more } = shownAndMore(card, key);
      expect(shown + more).toBe(n);
      if (n <= 1) expect(more).toBe(0);
    }
    const summary = allText(card.blocks);
    if (surface !== 'thread') expect(summary).toContain(`${n} workspace · ${n} deployment · ${n} DAG`);
  });

  it('summarises 500 roles per scope as "…and N more" with N = 500 − shown, on every surface', () => {
    for (const surface of SURFACES) {
      const card = render(AstroUserSchema.parse(userWithRoles(500)), surface);
      for (const key of ['ws', 'dep', 'dag'] as const) {
        const { shown, more } = shownAndMore(card, key);
        expect(shown, `${surface}/${key}`).toBeGreaterThan(0);
        expect(more, `${surface}/${key}`).toBeGreaterThan(0);
        expect(shown + more).toBe(500);
      }
      expect(allText(card.blocks)).toMatch(/\*Workspace roles\* \(500\)/);
    }
  });

  it('gives a thread card with no roles one "no roles" line, and list cards a "None" per scope', () => {
    const empty = AstroUserSchema.parse(userWithRoles(0));
    expect(allText(render(empty, 'thread').blocks)).toContain('No workspace, deployment or DAG roles');
    expect(allText(render(empty, 'message').blocks).match(/_None_/g)).toHaveLength(3);
  });
});

describe('renderUserCard: untrusted strings', () => {
  const HOSTILE = '🚀 Ada <&> <!channel> <@U123> <https://evil.example.com|click>';
  const hostileUser = user({
    fullName: HOSTILE,
    username: '<!here>@example.com',
    status: '<!channel>',
    organizationRole: '<@U123>',
    createdAt: '<!everyone> soon',
    workspaceRoles: [{ workspaceId: '<!channel>', role: '<@U123> & co' }],
    deploymentRoles: [{ deploymentId: 'dep`<!here>`', role: 'custom <b>' }],
    dagRoles: [{ deploymentId: 'cldep', role: 'DAG_VIEWER', dagTag: '<@U999|boss>' }],
  });

  it.each(SURFACES)('escapes every API string in mrkdwn on %s, so nothing pings or links', (surface) => {
    const card = render(hostileUser, surface);
    expectValidFor(card, surface);
    for (const text of mrkdwnTexts(card)) {
      // Only our own <!date^…> may open a Slack token; askedBy was not given.
      expect(text.replace(/<!date\^[^>]*>/g, '')).not.toMatch(/[<>]/);
      expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
    const shown = mrkdwnTexts(card).join('\n');
    expect(shown).toContain('&lt;!here&gt;@example.com');
    expect(shown).toContain('&lt;@U123&gt;');
    expect(card.text).toContain('&lt;!channel&gt;');
  });

  it('shows the name literally in a plain_text header, which Slack never parses', () => {
    const card = render(hostileUser, 'message');
    const header = blocksOf(card)[0]!;
    expect(header.type).toBe('header');
    expect(header.text?.type).toBe('plain_text');
    expect(header.text?.text).toBe(HOSTILE);
  });

  it('cuts a very long emoji name on a code-point boundary everywhere it appears', () => {
    const name = `a${'😀'.repeat(400)}`;
    for (const surface of SURFACES) {
      const card = render(user({ fullName: name, username: `${'👩‍💻'.repeat(100)}@example.com` }), surface);
      expectValidFor(card, surface);
      const header = blocksOf(card)[0]!.text!.text;
      expect(lengthOf(header)).toBeLessThanOrEqual(150);
      expect(header.endsWith('…')).toBe(true);
      expect(header.startsWith('a😀😀')).toBe(true);
      const strings = allText(JSON.parse(JSON.stringify(card))).split('\n');
      for (const s of strings) expect(s).not.toMatch(LONE_SURROGATE);
      expect(lengthOf(card.text)).toBeLessThanOrEqual(300);
    }
  });

  it('falls back to the username, then the ID, when the name is blank', () => {
    expect(blocksOf(render(user({ fullName: '  ' }), 'message'))[0]!.text!.text).toBe(ADA.username);
    expect(blocksOf(render(user({ fullName: '', username: '' }), 'message'))[0]!.text!.text).toBe(ADA.id);
  });

  it('puts a multi-line name on one line', () => {
    expect(blocksOf(render(user({ fullName: 'Ada\nLovelace\u2028Jr' }), 'message'))[0]!.text!.text).toBe('Ada Lovelace Jr');
  });
});

describe('renderUserCard: content', () => {
  it('writes roles in words and keeps custom role names as they are', () => {
    const card = render(
      user({
        organizationRole: 'ORGANIZATION_BILLING_ADMIN',
        workspaceRoles: [{ workspaceId: 'clws1', role: 'WORKSPACE_OPERATOR' }],
        deploymentRoles: [{ deploymentId: 'cldep1', role: 'my custom role' }],
        dagRoles: [{ deploymentId: 'cldep1', role: 'DAG_VIEWER', dagId: 'daily_revenue' }],
      }),
      'message',
    );
    const shown = allText(card.blocks);
    expect(shown).toContain('Organization Billing Admin');
    expect(shown).toContain('*Workspace Operator*');
    expect(shown).toContain('*my custom role*');
    expect(shown).toContain('*DAG Viewer*');
    expect(shown).not.toMatch(/WORKSPACE_OPERATOR|DAG_VIEWER/);
    expect(shown).toContain('DAG `daily_revenue`');
  });

  it('says how a DAG role is bound: by DAG ID, by tag, or neither', () => {
    const shown = allText(
      render(
        user({
          dagRoles: [
            { deploymentId: 'cldep1', role: 'DAG_VIEWER', dagId: 'etl' },
            { deploymentId: 'cldep1', role: 'DAG_VIEWER', dagTag: 'nightly' },
            { deploymentId: 'cldep1', role: 'DAG_VIEWER' },
          ],
        }),
        'message',
      ).blocks,
    );
    expect(shown).toContain('DAG `etl`');
    expect(shown).toContain('DAGs tagged `nightly`');
    expect(shown).toContain('no DAG ID or tag given');
  });

  it.each([
    ['ACTIVE', ':large_green_circle:', 'Active'],
    ['PENDING', ':hourglass_flowing_sand:', 'Pending'],
    ['INACTIVE', ':white_circle:', 'Inactive'],
    ['BANNED', ':no_entry:', 'Banned'],
    ['SUSPENDED', ':grey_question:', 'Suspended'],
    ['', ':grey_question:', 'Unknown'],
  ])('shows status %j with %s and the word %s', (status, emoji, word) => {
    for (const surface of SURFACES) {
      const card = render(user({ status }), surface);
      expect(summaryOf(card).text!.text).toContain(`${emoji} *${word}*`);
      expect(card.text).toContain(word);
    }
  });

  it('explains the statuses people ask about', () => {
    expect(summaryOf(render(user({ status: 'PENDING' }), 'message')).text!.text).toMatch(/invited, has not accepted yet/);
    expect(summaryOf(render(user({ status: 'BANNED' }), 'message')).text!.text).toMatch(/blocked/);
  });

  it('shows the avatar for an https URL on message and Home, not in a thread', () => {
    const u = user({ avatarUrl: 'https://avatars.example.com/ada.png' });
    for (const surface of ['message', 'home'] as const) {
      const accessory = summaryOf(render(u, surface)).accessory;
      expect(accessory).toMatchObject({ type: 'image', image_url: 'https://avatars.example.com/ada.png' });
      expect(String(accessory?.alt_text)).toContain('Ada Lovelace');
    }
    expect(summaryOf(render(u, 'thread')).accessory).toBeUndefined();
  });

  it.each(['http://avatars.example.com/ada.png', 'javascript:alert(1)', 'not a url', '', 'https://user:pw@avatars.example.com/a.png', 'https://localhost/a.png', `https://x.example.com/${'a'.repeat(3000)}`])(
    'shows no avatar for %j',
    (avatarUrl) => {
      const card = render(user({ avatarUrl }), 'message');
      expect(summaryOf(card).accessory).toBeUndefined();
      expectValidFor(card, 'message');
    },
  );

  it("renders dates as Slack dates in the reader's time zone, with a UTC fallback", () => {
    const card = render(user({ createdAt: '2024-03-02T10:15:00Z' }), 'message');
    const created = summaryOf(card).fields!.find((f) => f.text.startsWith('*Created*'))!.text;
    expect(created).toBe(`*Created*\n<!date^${Date.parse('2024-03-02T10:15:00Z') / 1000}^{date_short} at {time}|2024-03-02 10:15 UTC>`);
    expect(contextText(card)).toContain(`<!date^${FETCHED_AT / 1000}^`);
  });

  it('shows a date it cannot read as escaped text, and an absent one as unknown', () => {
    const card = render(user({ createdAt: '<b>soon</b>', updatedAt: undefined }), 'message');
    const fields = summaryOf(card).fields!.map((f) => f.text);
    expect(fields).toContain('*Created*\n&lt;b&gt;soon&lt;/b&gt;');
    expect(fields).toContain('*Updated*\nunknown');
  });

  it('gives a fallback text naming the user, status, organization role and role counts', () => {
    const card = render(user(), 'message');
    expect(card.text).toBe(
      'Astro user Ada Lovelace (ada.lovelace@example.com): Active, Organization Member, 2 workspace, 2 deployment and 2 DAG roles',
    );
    expect(render(user({ organizationRole: undefined }), 'message').text).toContain('no organization role');
  });

  it('says when some role entries from Astro could not be read', () => {
    expect(contextText(render(user({ unreadableRoles: 1 }), 'message'))).toContain('1 role entry from Astro could not be read and is not shown');
    expect(contextText(render(user({ unreadableRoles: 3 }), 'thread'))).toContain('3 role entries from Astro could not be read and are not shown');
    expect(contextText(render(user({ unreadableRoles: 0 }), 'message'))).not.toContain('could not be read');
  });

  it('names who asked in a thread only when askedBy is a Slack user ID', () => {
    expect(contextText(render(user(), 'thread', { askedBy: 'U0123ABCD' }))).toContain('asked by <@U0123ABCD>');
    expect(contextText(render(user(), 'thread', { askedBy: 'W0123ABCD' }))).toContain('asked by <@W0123ABCD>');
    for (const askedBy of ['<!channel>', 'U123>|<!channel', 'jane', 'u0123abcd', 'C0123ABCD', '']) {
      const card = render(user(), 'thread', { askedBy });
      expect(contextText(card), askedBy).not.toContain('asked by');
      expect(mrkdwnTexts(card).join('\n')).not.toContain('<!channel');
    }
    expect(contextText(render(user(), 'thread'))).not.toContain('asked by');
  });

  it('shows the Astro user ID in the context line', () => {
    expect(contextText(render(user(), 'message'))).toContain(`Astro user ID \`${ADA.id}\``);
  });
});

describe('limits.ts helpers', () => {
  it('truncate keeps short text and cuts long text to max code points ending with …', () => {
    expect(truncate('hello', 5)).toBe('hello');
    expect(truncate('hello world', 6)).toBe('hello…');
    expect(truncate('😀😀😀😀', 4)).toBe('😀😀😀😀');
    expect(truncate('😀😀😀😀😀', 3)).toBe('😀😀…');
    expect(truncate(`a${'😀'.repeat(10)}`, 4)).toBe('a😀😀…');
  });

  it('escapeAndTruncate escapes & < > and leaves short text whole', () => {
    expect(escapeAndTruncate('a <b> & c', 100)).toBe('a &lt;b&gt; &amp; c');
  });

  it('escapeAndTruncate never cuts an entity in half', () => {
    expect(escapeAndTruncate('&&&&&', 8)).toBe('&amp;…');
    for (let max = 1; max <= 20; max += 1) {
      const out = escapeAndTruncate('a&b<c>d&e'.repeat(3), max);
      expect(lengthOf(out)).toBeLessThanOrEqual(max);
      expect(out).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
  });

  it('escapeAndTruncate: for any text and limit, the result fits, has whole entities and no lone surrogate', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), fc.integer({ min: 1, max: 60 }), (raw, max) => {
        const out = escapeAndTruncate(raw, max);
        expect(lengthOf(out)).toBeLessThanOrEqual(max);
        expect(out.replace(/&(amp|lt|gt);/g, '')).not.toMatch(/[&<>]/);
        expect(out).not.toMatch(LONE_SURROGATE);
      }),
      { numRuns: 60 },
    );
  });

  const section = (text: string, extra: Record<string, unknown> = {}) => ({ type: 'section', text: { type: 'mrkdwn', text }, ...extra });

  it('blockKitViolations accepts a small valid message', () => {
    expect(blockKitViolations({ text: 'hi', blocks: [section('hello')] }, 'message')).toEqual([]);
  });

  it('blockKitViolations catches 51 blocks in a message (but not in a view)', () => {
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(blockKitViolations({ text: 'x', blocks }, 'message')).toContain('51 blocks > 50');
    expect(blockKitViolations({ blocks }, 'view')).toEqual([]);
    expect(blockKitViolations({ blocks: [...blocks, ...blocks] }, 'view')).toContain('102 blocks > 100');
  });

  it('blockKitViolations catches a 3001-character section text', () => {
    expect(blockKitViolations({ text: 'x', blocks: [section('a'.repeat(3001))] }, 'message').join('\n')).toMatch(/3001 chars > 3000/);
    expect(blockKitViolations({ text: 'x', blocks: [section('a'.repeat(3000))] }, 'message')).toEqual([]);
  });

  it('blockKitViolations catches 11 fields', () => {
    const fields = Array.from({ length: 11 }, (_, i) => ({ type: 'mrkdwn', text: `f${i}` }));
    expect(blockKitViolations({ text: 'x', blocks: [{ type: 'section', fields }] }, 'message').join('\n')).toMatch(/11 fields > 10/);
  });

  it('blockKitViolations catches a duplicate block_id', () => {
    const v = blockKitViolations({ text: 'x', blocks: [section('a', { block_id: 'same' }), section('b', { block_id: 'same' })] }, 'message');
    expect(v.join('\n')).toMatch(/duplicate block_id same/);
  });

  it('blockKitViolations catches an empty section text and a missing fallback', () => {
    expect(blockKitViolations({ text: 'x', blocks: [section('')] }, 'message').join('\n')).toMatch(/empty text/);
    expect(blockKitViolations({ blocks: [section('a')] }, 'message')).toContain('no fallback text');
  });

  it('blockKitViolations catches an image whose URL is javascript:x', () => {
    const v = blockKitViolations(
      { text: 'x', blocks: [section('a', { accessory: { type: 'image', image_url: 'javascript:x', alt_text: 'avatar' } })] },
      'message',
    );
    expect(v.join('\n')).toMatch(/url scheme javascript:/);
  });

  it('blockKitViolations catches a header that is not plain_text', () => {
    const v = blockKitViolations({ text: 'x', blocks: [{ type: 'header', text: { type: 'mrkdwn', text: '*hi*' } }] }, 'message');
    expect(v.join('\n')).toMatch(/header must be plain_text/);
  });
});

describe('a user with a huge number of roles', () => {
  it('is drawn from the first roles only (its event-loop figure is in the bench, part 8), counting the rest, within Block Kit limits', () => {
    const huge = AstroUserSchema.parse(userWithRoles(20_000));
    const card = renderUserCard(huge, { surface: 'message', fetchedAt: 0 });
    expectValidBlockKit(card);
    const text = allText(card.blocks);
    expect(text).toContain('*Workspace roles* (20000)');
    const more = /…and (\d+) more workspace roles/.exec(text);
    expect(Number(more?.[1])).toBeGreaterThan(19_000);
    expect(Number(more?.[1])).toBeLessThan(20_000);
  });
});
