/**
 * The lookup use case on every surface: one abuse-limit point per query whatever its kind, the
 * documented per-user limit holding for every kind, and the audit line naming the real kind.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pickUser, refreshCard, shareCard, createCardRefs } from '../../src/app/cards.js';
import { lookUpQueries, lookUpQuery } from '../../src/app/lookup-users.js';
import { answerMention } from '../../src/app/mention.js';
import type { UserQuery } from '../../src/core/query.js';
import { ADA } from '../support/fixtures.js';
import { ADAM, useCaseWorld, type UseCaseWorld } from '../support/use-cases.js';

const refs = createCardRefs('use-case tests');
const asker = { kind: 'person', slackUserId: 'U0ASKER' } as const;

/** One query of each kind, all naming ADA. */
const QUERIES: Record<UserQuery['kind'], UserQuery> = {
  user_id: { kind: 'user_id', userId: ADA.id },
  email: { kind: 'email', email: ADA.username.toUpperCase() },
  slack_user: { kind: 'slack_user', slackUserId: 'U0ADA' },
  search: { kind: 'search', text: 'Ada Love' },
};

/** How each kind is written in a mention. */
const MENTION_TEXT: Partial<Record<UserQuery['kind'], string>> = {
  user_id: `<@UBOT> ${ADA.id}`,
  email: `<@UBOT> <mailto:${ADA.username}|${ADA.username}>`,
  slack_user: '<@UBOT> <@U0ADA>',
};

let w: UseCaseWorld;
beforeEach(async () => {
  w = await useCaseWorld();
  w.slack.people.U0ADA = { email: ADA.username };
});
afterEach(() => w.close());

describe('one abuse-limit point per query', () => {
  it.each(Object.keys(QUERIES))('a %s query on the command, Home and shortcut surfaces takes exactly one point and finds Ada', async (kind) => {
    for (const surface of ['command', 'home'] as const) {
      const before = w.takes.length;
      const answer = await lookUpQuery(w.services, w.ctx(asker, surface), QUERIES[kind as UserQuery['kind']]);
      expect(answer.kind === 'found' && answer.found.user.id).toBe(ADA.id);
      expect(w.takes.length - before).toBe(1);
    }
    const before = w.takes.length;
    const [answer] = await lookUpQueries(w.services, w.ctx(asker, 'shortcut'), [QUERIES[kind as UserQuery['kind']]]);
    expect(answer?.kind).toBe('found');
    expect(w.takes.length - before).toBe(1);
  });

  it.each(Object.entries(MENTION_TEXT))('a %s query in a mention takes exactly one point', async (_kind, text) => {
    const result = await answerMention(w.services, w.ctx(asker, 'mention'), { eventId: `Ev-${text.length}`, text, inSharedChannel: false, self: { userId: 'UBOT' } });
    expect(result.kind === 'answers' && result.answers.map((a) => a.kind)).toEqual(['found']);
    expect(w.takes).toHaveLength(1);
  });

  it('Refresh, Share and the picker each take exactly one point per user they show', async () => {
    w.slack.channels.C0PUBLIC = false;
    const value = refs.encode({ userId: ADA.id, kind: 'private', list: [ADA.id] }, 'T.T0001');
    expect((await refreshCard(w.services, w.ctx(asker, 'refresh'), refs, { value, ephemeral: true })).kind).toBe('replace');
    expect(w.takes).toHaveLength(1);
    expect((await shareCard(w.services, w.ctx(asker, 'share'), refs, { value, ephemeral: true, channelId: 'C0PUBLIC' })).kind).toBe('shared');
    expect(w.takes).toHaveLength(2);
    expect((await pickUser(w.services, w.ctx(asker, 'picker'), ADAM.id))?.kind).toBe('found');
    expect(w.takes).toHaveLength(3);
    const two = refs.encode({ userId: ADA.id, kind: 'private', list: [ADA.id, ADAM.id] }, 'T.T0001');
    expect((await refreshCard(w.services, w.ctx(asker, 'refresh'), refs, { value: two, ephemeral: true })).kind).toBe('replace');
    expect(w.takes).toHaveLength(5);
  });

  it('a name search with several matches takes one point and offers a choice', async () => {
    const answer = await lookUpQuery(w.services, w.ctx(asker), { kind: 'search', text: 'Ada' });
    expect(answer.kind === 'choose' && answer.candidates.map((c) => c.id).sort()).toEqual([ADA.id, ADAM.id].sort());
    expect(w.takes).toHaveLength(1);
  });
});

describe('the documented per-user limit holds for every kind of query', () => {
  it.each(Object.keys(QUERIES))('LOOKUPS_PER_USER_PER_MINUTE=3 allows three %s lookups, then says when to try again', async (kind) => {
    const limited = await useCaseWorld({ LOOKUPS_PER_USER_PER_MINUTE: '3' });
    try {
      limited.slack.people.U0ADA = { email: ADA.username };
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await lookUpQuery(limited.services, limited.ctx(asker), QUERIES[kind as UserQuery['kind']]));
      expect(answers.map((a) => a.kind)).toEqual(['found', 'found', 'found', 'failed']);
      const last = answers[3]!;
      expect(last.kind === 'failed' && last.failure).toMatchObject({ code: 'throttled', scope: 'user' });
    } finally {
      await limited.close();
    }
  });
});

describe('the audit line', () => {
  it('names the real kind of query, the surface and the outcome, and never the email', async () => {
    await lookUpQuery(w.services, w.ctx(asker, 'home'), QUERIES.email);
    const lines = w.logs.filter((l) => l.msg === 'lookup');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ audit: true, surface: 'home', query: 'email', outcome: 'found', slackUser: 'U0ASKER', visibility: 'private' });
    expect(JSON.stringify(w.logs)).not.toContain(ADA.username);
  });

  it('records a failure with its code', async () => {
    const answer = await lookUpQuery(w.services, w.ctx(asker), { kind: 'user_id', userId: 'cnobody000000000000000000' });
    expect(answer.kind === 'failed' && answer.failure).toMatchObject({ code: 'astro', kind: 'not_found' });
    expect(w.logs.find((l) => l.msg === 'lookup')).toMatchObject({ outcome: 'error', kind: 'astro.not_found', query: 'user_id' });
  });
});
