/**
 * What each answer leaves behind and asks for: the audit line (outcome, kind, who sees it), the
 * label an error names, and Refresh asking Astro again for the clicked user only.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCardRefs, pickUser, refreshCard, shareCard } from '../../src/app/cards.js';
import { lookUpQueries, lookUpQuery } from '../../src/app/lookup-users.js';
import { ORG_ID } from '../support/app.js';
import { ADA } from '../support/fixtures.js';
import { ADAM, useCaseWorld, type UseCaseWorld } from '../support/use-cases.js';

const refs = createCardRefs('use-case tests');
const asker = { kind: 'person', slackUserId: 'U0ASKER' } as const;

let w: UseCaseWorld;
beforeEach(async () => {
  w = await useCaseWorld({ CACHE_HOT_SECONDS: '0' });
  w.slack.channels.C0OPS = false;
});
afterEach(() => w.close());

const auditLines = () => w.logs.filter((l) => l.msg === 'lookup');
const getUsers = (id: string) => w.astro.requests.filter((r) => r.url === `/organizations/${ORG_ID}/users/${id}`).length;

describe('the audit line says who sees each answer', () => {
  it('private on an ephemeral Refresh and the picker, thread on a public thread card, channel on Share', async () => {
    await refreshCard(w.services, w.ctx(asker, 'refresh'), refs, { value: refs.encode({ userId: ADA.id, kind: 'private', list: [ADA.id] }, 'T.T0001'), ephemeral: true });
    await refreshCard(w.services, w.ctx(asker, 'refresh'), refs, { value: refs.encode({ userId: ADA.id, kind: 'thread', by: 'U0X', list: [ADA.id] }, 'T.T0001'), ephemeral: false, channelId: 'C0OPS' });
    await refreshCard(w.services, w.ctx(asker, 'refresh'), refs, { value: refs.encode({ userId: ADA.id, kind: 'shared', by: 'U0X', list: [ADA.id] }, 'T.T0001'), ephemeral: false, channelId: 'C0OPS' });
    await shareCard(w.services, w.ctx(asker, 'share'), refs, { value: refs.encode({ userId: ADA.id, kind: 'private', list: [ADA.id] }, 'T.T0001'), ephemeral: true, channelId: 'C0OPS' });
    await pickUser(w.services, w.ctx(asker, 'picker'), ADAM.id);
    expect(auditLines().map((l) => [l.surface, l.visibility])).toEqual([
      ['refresh', 'private'],
      ['refresh', 'thread'],
      ['refresh', 'channel'],
      ['share', 'channel'],
      ['picker', 'private'],
    ]);
  });

  it('a refused asker gets one line per query, with the refusal', async () => {
    w.slack.people.U0ASKER = { isGuest: true };
    const answers = await lookUpQueries(w.services, w.ctx(asker, 'shortcut'), [
      { kind: 'user_id', userId: ADA.id },
      { kind: 'email', email: ADAM.username },
    ]);
    expect(answers.map((a) => a.kind === 'failed' && [a.failure.code, a.label])).toEqual([
      ['guest_refused', ADA.id],
      ['guest_refused', ''],
    ]);
    expect(auditLines().map((l) => [l.outcome, l.kind, l.query])).toEqual([
      ['refused', 'guest_refused', 'user_id'],
      ['refused', 'guest_refused', 'email'],
    ]);
  });

  it('a name search with several matches is logged as a choice, with how many', async () => {
    await lookUpQuery(w.services, w.ctx(asker), { kind: 'search', text: 'Ada' });
    expect(auditLines()).toEqual([expect.objectContaining({ outcome: 'choose', matches: 2, query: 'search' })]);
  });

  it('a bot asking outside a mention is refused like one in a mention', async () => {
    const answer = await lookUpQuery(w.services, w.ctx({ kind: 'bot', botId: 'B0X' }), { kind: 'user_id', userId: ADA.id });
    expect(answer.kind === 'failed' && answer.failure).toEqual({ code: 'bot_refused' });
    expect(w.takes).toHaveLength(0);
  });
});

describe('Refresh asks Astro again', () => {
  it('for the clicked user only; the other users of the message come from the cache', async () => {
    await lookUpQueries(w.services, w.ctx(asker), [
      { kind: 'user_id', userId: ADA.id },
      { kind: 'user_id', userId: ADAM.id },
    ]);
    expect([getUsers(ADA.id), getUsers(ADAM.id)]).toEqual([1, 1]);
    const value = refs.encode({ userId: ADAM.id, kind: 'private', list: [ADA.id, ADAM.id] }, 'T.T0001');
    expect((await refreshCard(w.services, w.ctx(asker, 'refresh'), refs, { value, ephemeral: true })).kind).toBe('replace');
    expect([getUsers(ADA.id), getUsers(ADAM.id)]).toEqual([1, 2]);
    // A plain lookup again is a cache hit.
    await lookUpQuery(w.services, w.ctx(asker), { kind: 'user_id', userId: ADAM.id });
    expect(getUsers(ADAM.id)).toBe(2);
  });

  it('records the lookup in the asker\'s recent lookups', async () => {
    await lookUpQuery(w.services, w.ctx(asker), { kind: 'user_id', userId: ADA.id });
    expect(await w.services.recent.list('T.T0001', 'U0ASKER')).toEqual([expect.objectContaining({ userId: ADA.id, label: 'Ada Lovelace' })]);
  });
});
