/**
 * Mentions by bots and workflows: ignored by default; when a workspace allows them they pass the
 * same asker rules as people (user groups fail closed), count in their own abuse-limit bucket,
 * and the app never answers itself.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answerMention, type Mention } from '../../src/app/mention.js';
import type { Asker } from '../../src/app/request.js';
import { ADA } from '../support/fixtures.js';
import { useCaseWorld, type UseCaseWorld } from '../support/use-cases.js';

let w: UseCaseWorld;
let n = 0;
beforeEach(async () => {
  w = await useCaseWorld();
  w.slack.channels = { C0OPS: false, C0CONNECT: true };
});
afterEach(() => w.close());

const mention = (overrides: Partial<Mention> = {}): Mention => ({ eventId: `Ev${++n}`, text: `<@UBOT> ${ADA.id}`, inSharedChannel: false, channel: 'C0OPS', self: { userId: 'UBOT', botId: 'B0SELF' }, ...overrides });
const ask = (asker: Asker, m: Mention = mention()) => answerMention(w.services, w.ctx(asker, 'mention'), m);
const workflow: Asker = { kind: 'bot', botId: 'B0WORKFLOW' };
const botWithUser: Asker = { kind: 'bot', botId: 'B0OTHER', slackUserId: 'U0OTHERBOT' };

describe('mentions by bots and workflows', () => {
  it('are ignored by default, and cost nothing', async () => {
    expect(await ask(workflow)).toEqual({ kind: 'ignore', reason: 'bot' });
    expect(await ask(botWithUser)).toEqual({ kind: 'ignore', reason: 'bot' });
    expect(w.takes).toHaveLength(0);
    expect(w.astro.requests).toHaveLength(0);
  });

  it("are never answered when the app wrote them, even when bots are allowed", async () => {
    await w.setPolicy({ allowBotMentions: true });
    expect(await ask({ kind: 'bot', botId: 'B0SELF' })).toEqual({ kind: 'ignore', reason: 'own_message' });
    expect(await ask({ kind: 'person', slackUserId: 'UBOT' })).toEqual({ kind: 'ignore', reason: 'own_message' });
    expect(w.takes).toHaveLength(0);
  });

  it('when allowed, are answered, each bot in its own abuse-limit bucket', async () => {
    await w.setPolicy({ allowBotMentions: true });
    w.slack.people.U0OTHERBOT = { isBot: true };
    const a = await ask(workflow);
    const b = await ask(botWithUser);
    expect(a.kind === 'answers' && a.answers[0]?.kind).toBe('found');
    expect(b.kind === 'answers' && b.answers[0]?.kind).toBe('found');
    expect(w.takes.map((t) => t.bucket)).toEqual(['bot:B0WORKFLOW', 'U0OTHERBOT']);
  });

  it('when allowed, never pass a user-group limit: refused without a lookup', async () => {
    await w.setPolicy({ allowBotMentions: true, allowedUserGroups: ['S0OPS'] });
    for (const bot of [workflow, botWithUser]) expect(await ask(bot)).toEqual({ kind: 'refused', privately: true, failure: { code: 'not_in_user_group' } });
    expect(w.takes).toHaveLength(0);
    expect(w.astro.requests).toHaveLength(0);
  });

  it('when allowed, a bot user Slack cannot vouch for is refused where guests are', async () => {
    await w.setPolicy({ allowBotMentions: true });
    w.slack.people.U0OTHERBOT = { unknown: true };
    expect(await ask(botWithUser)).toEqual({ kind: 'refused', privately: true, failure: { code: 'asker_unknown' } });
  });

  it('a person in an allowed user group is answered, one outside it is refused', async () => {
    await w.setPolicy({ allowedUserGroups: ['S0OPS'] });
    w.slack.people.U0IN = { groups: ['S0OPS'] };
    const inside = await ask({ kind: 'person', slackUserId: 'U0IN' });
    const outside = await ask({ kind: 'person', slackUserId: 'U0OUT' });
    expect(inside.kind === 'answers' && inside.answers[0]?.kind).toBe('found');
    expect(outside).toEqual({ kind: 'refused', privately: true, failure: { code: 'not_in_user_group' } });
  });
});

describe('mention privacy and de-duplication', () => {
  it('tells a refused asker privately, never the whole thread', async () => {
    w.slack.people.U0GUEST = { isGuest: true };
    expect(await ask({ kind: 'person', slackUserId: 'U0GUEST' })).toEqual({ kind: 'refused', privately: true, failure: { code: 'guest_refused' } });
  });

  it('answers privately in a Slack Connect channel unless the workspace allows public cards there', async () => {
    const person: Asker = { kind: 'person', slackUserId: 'U0ASKER' };
    expect(await ask(person, mention({ inSharedChannel: true }))).toMatchObject({ kind: 'answers', privately: true });
    expect(await ask(person, mention({ inSharedChannel: false }))).toMatchObject({ kind: 'answers', privately: false });
    // The envelope does not always say: Slack is asked about the channel, and "can't tell" is private.
    expect(await ask(person, mention({ channel: 'C0CONNECT' }))).toMatchObject({ kind: 'answers', privately: true });
    expect(await ask(person, mention({ channel: 'G0UNKNOWN' }))).toMatchObject({ kind: 'answers', privately: true });
    await w.setPolicy({ allowPublicInSharedChannels: true });
    expect(await ask(person, mention({ inSharedChannel: true }))).toMatchObject({ kind: 'answers', privately: false });
  });

  it('answers a re-delivered event once', async () => {
    const person: Asker = { kind: 'person', slackUserId: 'U0ASKER' };
    const m = mention();
    expect((await ask(person, m)).kind).toBe('answers');
    expect(await ask(person, m)).toEqual({ kind: 'ignore', reason: 'already_answered' });
    expect(w.takes).toHaveLength(1);
  });
});
