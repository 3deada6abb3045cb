/**
 * Probe: the renderers under fast-check with arbitrary Astro users (arbitrary strings, wrong
 * types, hundreds of roles): never throw, always valid Block Kit for the surface, and no `<…>`
 * control sequence or lone `<`/`>` from data in any mrkdwn text. Plus the cache round trip.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Keyv from 'keyv';
import { AstroUserSchema, CachedUserSchema, type AstroUser } from '../../src/astro/schemas.js';
import { AstroApiError, type AstroErrorKind } from '../../src/astro/errors.js';
import { renderUserCard, type CardSurface } from '../../src/slack/views/user-card.js';
import { renderCards, type CardKind } from '../../src/slack/views/cards.js';
import { renderHome } from '../../src/slack/views/home.js';
import { toFailure } from '../../src/core/outcomes.js';
import { failureMessage } from '../../src/slack/views/messages.js';
import { createCardRefs, type CardRef } from '../../src/app/cards.js';

/** Card references signed as the app signs them. */
const REFS = createCardRefs('test secret');
import { blockKitViolations } from '../../src/slack/views/limits.js';
import { cid, foreignControls, mrkdwnStrings } from './probe-support.js';

const HOSTILE = [
  '<!channel>', '<!here>', '<!everyone>', '<@U0BOSS>', '<@W1|x>', '<#C1|general>', '<!subteam^S1|@t>', '<https://evil.example|click>',
  '<mailto:a@b.c|x>', '&lt;!channel&gt;', '&amp;', '&', '<', '>', '`', '```', '*', '_', '~', '\n', '\r\n', '\u0000', '\u2028', '\u202E',
  '\u200b', '🚀', '👩‍💻', '\uD800', '\uDC00', ':base64:AAAA', ':', '|', '^', '<!date^1^{date}|x>',
];
const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }) },
);
/** A string built from hostile pieces; occasionally very long. */
const str = fc.oneof(
  { weight: 8, arbitrary: fc.array(piece, { maxLength: 12 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...HOSTILE, 'x', 'é'), fc.integer({ min: 100, max: 4000 })).map(([s, n]) => s.repeat(Math.ceil(n / s.length))) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'ACTIVE', 'PENDING', 'WORKSPACE_OPERATOR', 'DAG_VIEWER', '2024-03-02T10:15:00Z', '+099999-01-01T00:00:00Z', '1', '-1') },
);
/** A value of any JSON type, mostly strings. */
const anyValue = fc.oneof({ weight: 6, arbitrary: str }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }, { weight: 1, arbitrary: fc.constantFrom(null, undefined, 0, [], {}) });

/** A non-empty string (what a role field must be to parse). */
const nonEmpty = str.map((s) => s || 'x');
/** A role array: often absent or of a wrong type; else 0–300 entries, mostly well-formed, some junk. */
const roles = (valid: Record<string, fc.Arbitrary<unknown>>, optional: string[] = []) => {
  const entry = fc.oneof(
    { weight: 12, arbitrary: fc.record(valid, { requiredKeys: Object.keys(valid).filter((k) => !optional.includes(k)) }) },
    { weight: 1, arbitrary: anyValue },
  );
  return fc.oneof(
    { weight: 1, arbitrary: anyValue },
    { weight: 2, arbitrary: fc.array(entry, { maxLength: 8 }) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 300 }).chain((n) => fc.array(entry, { minLength: n, maxLength: n })) },
  );
};

/** A raw Astro `User` body, possibly malformed. */
const rawUser = fc.record(
  {
    id: fc.oneof(fc.stringMatching(/^c[0-9a-z]{24}$/), str),
    username: str,
    fullName: str,
    status: str,
    avatarUrl: fc.oneof(anyValue, fc.constantFrom('https://a.example/x.png', 'javascript:alert(1)', 'http://a.example/x.png', 'https://u:p@a.example/x', `https://a.example/${'a'.repeat(3000)}`, 'https://a.example/<!here>')),
    createdAt: anyValue,
    updatedAt: anyValue,
    organizationRole: anyValue,
    workspaceRoles: roles({ workspaceId: nonEmpty, role: nonEmpty }),
    deploymentRoles: roles({ deploymentId: nonEmpty, role: nonEmpty }),
    dagRoles: roles({ deploymentId: nonEmpty, role: nonEmpty, dagId: anyValue, dagTag: anyValue }, ['dagId', 'dagTag']),
  },
  { requiredKeys: ['id'] },
);
/** A user that parses (what the renderers actually get). */
const user: fc.Arbitrary<AstroUser> = rawUser.map((r) => AstroUserSchema.safeParse(r)).filter((r) => r.success).map((r) => r.data!);

const FETCHED_AT = Date.parse('2026-05-20T09:00:00Z');
const ALLOWED = ['UASKER', 'USHARER'];

function expectSafe(payload: { blocks?: unknown[]; text?: string }, surface: 'message' | 'view'): void {
  expect(blockKitViolations(payload, surface)).toEqual([]);
  for (const s of mrkdwnStrings(surface === 'view' ? { view: payload } : (payload as Record<string, unknown>))) {
    expect(foreignControls(s, ALLOWED)).toEqual([]);
  }
}

// CPU-bound (hundreds of roles per user): a longer timeout on a busy machine; no timing is asserted.
describe('renderers under fast-check', { timeout: 60_000 }, () => {
  it('the schema never throws on arbitrary bodies', () => {
    fc.assert(
      fc.property(fc.oneof(rawUser, fc.jsonValue()), (raw) => {
        expect(() => AstroUserSchema.safeParse(raw)).not.toThrow();
      }),
      { numRuns: 200 },
    );
  });

  it('renderUserCard: valid and ping-free on every surface, with and without buttons', () => {
    const surface = fc.constantFrom<CardSurface>('message', 'home', 'thread');
    fc.assert(
      fc.property(user, surface, fc.boolean(), fc.boolean(), (u, s, withActions, withUnreadable) => {
        const card = renderUserCard(
          { ...u, unreadableRoles: withUnreadable ? 7 : u.unreadableRoles },
          {
            surface: s,
            fetchedAt: FETCHED_AT,
            askedBy: 'UASKER',
            sharedBy: 'USHARER',
            ...(withActions ? { actions: { refresh: true, shareAudience: '<!channel> & co', openUrl: 'https://cloud.astronomer.io', value: `v1|${cid('v')}|private||${cid('v')}` } } : {}),
          },
        );
        expectSafe(card, s === 'home' ? 'view' : 'message');
        expect(card.text.trim().length).toBeGreaterThan(0);
      }),
      { numRuns: 150 },
    );
  });

  it('renderCards: up to seven users or errors per message, every kind, stays valid and ping-free', () => {
    const kinds: AstroErrorKind[] = ['not_found', 'unauthorized', 'forbidden', 'bad_request', 'rate_limited', 'unavailable', 'bad_response', 'timeout'];
    const item = fc.oneof(
      { weight: 4, arbitrary: user.map((u) => ({ user: u })) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...kinds), str).map(([k, rid]) => ({ failure: toFailure(new AstroApiError(k, 'x', { requestId: rid })) })) },
      { weight: 1, arbitrary: fc.constant({ failure: toFailure(new Error('<!channel> internal')) }) },
    );
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 7 }), fc.constantFrom<CardKind>('private', 'thread', 'shared'), fc.nat(2000), (items, kind, notShown) => {
        const list = items.map((it, i) => ({ userId: cid('list', i), ...('user' in it ? { user: it.user, fetchedAt: FETCHED_AT } : { failure: it.failure }) }));
        const msg = renderCards(kind, list, { astroUiUrl: 'https://cloud.astronomer.io', by: kind === 'shared' ? 'USHARER' : 'UASKER', audience: '#ops', notShown, valueOf: (ref) => REFS.encode(ref, 'T.T0001') });
        expectSafe(msg, 'message');
      }),
      { numRuns: 60 },
    );
  });

  it('renderCards: a card drawn again for the same user object is exactly the card drawn afresh, whatever changed between', () => {
    const ctx = fc.record({
      kind: fc.constantFrom<CardKind>('private', 'shared'),
      audience: fc.constantFrom('#ops', 'this conversation', '#incident-1'),
      by: fc.constantFrom('UASKER', 'USHARER'),
      fetchedAt: fc.constantFrom(FETCHED_AT, FETCHED_AT + 60_000),
      astroUiUrl: fc.constantFrom('https://cloud.astronomer.io', 'https://cloud.astronomer-dev.io'),
      scope: fc.constantFrom('T.T0001', 'T.T0002'),
    });
    fc.assert(
      fc.property(user, fc.array(ctx, { minLength: 1, maxLength: 6 }), (u, contexts) => {
        for (const c of contexts) {
          const items = (x: AstroUser) => [{ userId: cid('memo'), user: x, fetchedAt: c.fetchedAt }];
          const options = { astroUiUrl: c.astroUiUrl, by: c.by, audience: c.audience, scope: c.scope, valueOf: (ref: CardRef) => REFS.encode(ref, c.scope) };
          const again = renderCards(c.kind, items(u), options);
          const afresh = renderCards(c.kind, items(structuredClone(u)), options);
          expect(again).toEqual(afresh);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('renderHome: arbitrary history labels, a result or a notice, always a valid view', () => {
    const recent = fc.array(fc.record({ userId: fc.stringMatching(/^c[0-9a-z]{24}$/), label: str.map((s) => Array.from(s).slice(0, 300).join('')), at: fc.integer({ min: 1, max: 4_000_000_000_000 }) }), { maxLength: 15 });
    fc.assert(
      fc.property(recent, fc.option(user, { nil: undefined }), fc.option(str, { nil: undefined }), (r, u, rid) => {
        const view = renderHome({
          recent: r,
          astroUiUrl: 'https://cloud.astronomer.io',
          ...(u ? { result: { user: u, fetchedAt: FETCHED_AT } } : rid !== undefined ? { notice: failureMessage(toFailure(new AstroApiError('not_found', 'x', { requestId: rid })), cid('n')) } : {}),
        });
        expectSafe(view as unknown as { blocks: unknown[] }, 'view');
        expect((view.private_metadata ?? '').length).toBeLessThanOrEqual(3000);
      }),
      { numRuns: 100 },
    );
  });

  it('a cached user is read back through keyv as the same user', async () => {
    await fc.assert(
      fc.asyncProperty(user, async (u) => {
        const kv = new Keyv();
        await kv.set('k', { user: u, unreadableRoles: u.unreadableRoles, fetchedAt: FETCHED_AT });
        const back = CachedUserSchema.safeParse(await kv.get('k'));
        expect(back.success).toBe(true);
        expect(back.data!.user).toEqual(u);
      }),
      { numRuns: 100 },
    );
  });
});
