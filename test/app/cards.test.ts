/**
 * Refresh and Share: who sees the result is decided by the server (Slack's ephemeral flag, the
 * server-signed card reference, the Slack Connect rule at the click), and every refusal or error
 * is private and leaves the card as it was.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCardRefs, refreshCard, shareCard, type Click } from '../../src/app/cards.js';
import { ADA } from '../support/fixtures.js';
import { useCaseWorld, type UseCaseWorld } from '../support/use-cases.js';

const refs = createCardRefs('use-case tests');
const asker = { kind: 'person', slackUserId: 'U0ASKER' } as const;
const threadCard = refs.encode({ userId: ADA.id, kind: 'thread', by: 'U0ORIGINAL', list: [ADA.id] }, 'T.T0001');
const privateCard = refs.encode({ userId: ADA.id, kind: 'private', list: [ADA.id] }, 'T.T0001');

let w: UseCaseWorld;
beforeEach(async () => {
  w = await useCaseWorld();
  w.slack.channels = { C0OPS: false, C0CONNECT: true };
});
afterEach(() => w.close());

const refresh = (click: Click) => refreshCard(w.services, w.ctx(asker, 'refresh'), refs, click);
const share = (click: Click) => shareCard(w.services, w.ctx(asker, 'share'), refs, click);

describe('Refresh decides visibility on the server', () => {
  it('redraws a public thread card in place for everyone, keeping who asked', async () => {
    const r = await refresh({ value: threadCard, ephemeral: false, channelId: 'C0OPS' });
    expect(r).toMatchObject({ kind: 'replace', inChannel: true, card: { kind: 'thread', by: 'U0ORIGINAL' } });
  });

  it('keeps an ephemeral card private, whatever its button value says', async () => {
    const r = await refresh({ value: threadCard, ephemeral: true, channelId: 'C0OPS' });
    expect(r).toMatchObject({ kind: 'replace', inChannel: false, card: { kind: 'private' } });
  });

  it('answers privately, leaving the card, when the channel is now shared with another organization', async () => {
    const r = await refresh({ value: threadCard, ephemeral: false, channelId: 'C0CONNECT' });
    expect(r).toMatchObject({ kind: 'private', card: { kind: 'private' } });
  });

  it('answers privately when Slack will not say whether the conversation is shared (a DM the app is not in)', async () => {
    expect((await refresh({ value: threadCard, ephemeral: false, channelId: 'D0SOMEDM' })).kind).toBe('private');
  });

  it('answers privately when the clicker belongs to another organization', async () => {
    expect((await refresh({ value: threadCard, ephemeral: false, channelId: 'C0OPS', clickerTeamId: 'T0OTHER' })).kind).toBe('private');
  });

  it('publishes again when the workspace allows public cards in Slack Connect channels', async () => {
    await w.setPolicy({ allowPublicInSharedChannels: true });
    expect(await refresh({ value: threadCard, ephemeral: false, channelId: 'C0CONNECT' })).toMatchObject({ kind: 'replace', inChannel: true });
  });

  it('trusts no kind or asker from a value it did not sign: a forged or old value refreshes privately', async () => {
    const forged = threadCard.replace('U0ORIGINAL', 'U0SOMEONE');
    expect(await refresh({ value: forged, ephemeral: false, channelId: 'C0OPS' })).toMatchObject({ kind: 'private', card: { kind: 'private' } });
    const v1 = `v1|${ADA.id}|shared|U0ORIGINAL|${ADA.id}`;
    expect(await refresh({ value: v1, ephemeral: false, channelId: 'C0OPS' })).toMatchObject({ kind: 'private' });
    const other = createCardRefs('another secret').encode({ userId: ADA.id, kind: 'shared', by: 'U0X', list: [ADA.id] }, 'T.T0001');
    expect((await refresh({ value: other, ephemeral: false, channelId: 'C0OPS' })).kind).toBe('private');
  });

  it('ignores a value that names no card', async () => {
    expect((await refresh({ value: 'v2|<script>', ephemeral: false, channelId: 'C0OPS' })).kind).toBe('ignored');
  });
});

describe('refusals and errors on buttons are private and leave the card', () => {
  const clicks: [string, Click][] = [
    ['a public card', { value: threadCard, ephemeral: false, channelId: 'C0OPS' }],
    ['a private card', { value: privateCard, ephemeral: true, channelId: 'C0OPS' }],
  ];

  it.each(clicks)('Refresh on %s by a guest is refused', async (_name, click) => {
    w.slack.people.U0ASKER = { isGuest: true };
    expect(await refresh(click)).toEqual({ kind: 'refused', failure: { code: 'guest_refused' } });
  });

  it.each(clicks)('Refresh on %s outside the allowed user groups is refused', async (_name, click) => {
    await w.setPolicy({ allowedUserGroups: ['S0OPS'] });
    expect(await refresh(click)).toEqual({ kind: 'refused', failure: { code: 'not_in_user_group' } });
  });

  it.each(clicks)('Refresh on %s past the abuse limit is refused with when to retry', async (_name, click) => {
    const limited = await useCaseWorld({ LOOKUPS_PER_USER_PER_MINUTE: '1' });
    try {
      limited.slack.channels = { C0OPS: false };
      const first = await refreshCard(limited.services, limited.ctx(asker), refs, click);
      expect(first.kind).toBe('replace');
      const second = await refreshCard(limited.services, limited.ctx(asker), refs, click);
      expect(second).toMatchObject({ kind: 'refused', failure: { code: 'throttled', scope: 'user' } });
    } finally {
      await limited.close();
    }
  });

  it.each(clicks)('Refresh on %s while Astro is down says so and replaces nothing', async (_name, click) => {
    w.astroState.down = true;
    expect(await refresh(click)).toMatchObject({ kind: 'refused', failure: { code: 'astro', kind: 'unavailable' } });
  });

  it('Share by a guest, or while Astro is down, is refused', async () => {
    w.slack.people.U0ASKER = { isGuest: true };
    expect(await share({ value: privateCard, ephemeral: true, channelId: 'C0OPS' })).toEqual({ kind: 'refused', failure: { code: 'guest_refused' } });
    w.slack.people.U0ASKER = {};
    w.astroState.down = true;
    expect(await share({ value: privateCard, ephemeral: true, channelId: 'C0OPS' })).toMatchObject({ kind: 'refused', failure: { code: 'astro' } });
  });
});

describe('Share', () => {
  it('posts for everyone in a channel Slack says is not shared, naming the sharer from the request', async () => {
    const r = await share({ value: refs.encode({ userId: ADA.id, kind: 'private', by: 'U0FORGED', list: [ADA.id] }, 'T.T0001'), ephemeral: true, channelId: 'C0OPS' });
    expect(r).toMatchObject({ kind: 'shared', by: 'U0ASKER', found: { userId: ADA.id } });
  });

  it.each([
    ['a Slack Connect channel', 'C0CONNECT'],
    ['a DM or private channel the app cannot read', 'G0PRIVATE'],
  ])('keeps cards private in %s', async (_name, channelId) => {
    expect(await share({ value: privateCard, ephemeral: true, channelId })).toEqual({ kind: 'refused', failure: { code: 'public_not_allowed' } });
    expect(w.takes).toHaveLength(0);
  });
});

describe('card references', () => {
  it("are bound to their workspace: another workspace's signed card refreshes privately", async () => {
    const elsewhere = refs.encode({ userId: ADA.id, kind: 'thread', by: 'U0ORIGINAL', list: [ADA.id] }, 'T.T0OTHER');
    expect(await refresh({ value: elsewhere, ephemeral: false, channelId: 'C0OPS' })).toMatchObject({ kind: 'private' });
    expect(refs.decode(elsewhere, 'T.T0OTHER')?.verified).toBe(true);
    expect(refs.decode(elsewhere, 'T.T0001')?.verified).toBe(false);
  });

  it('are read whole: extra text before or after, an ID list without the clicked user, or more than 10 IDs are not cards', () => {
    const good = refs.encode({ userId: ADA.id, kind: 'private', list: [ADA.id] }, 'T.T0001');
    expect(refs.decode(good, 'T.T0001')).toMatchObject({ verified: true, ref: { userId: ADA.id, kind: 'private', list: [ADA.id] } });
    expect(refs.decode(`x${good}`, 'T.T0001')).toBeUndefined();
    expect(refs.decode(`${good}x`, 'T.T0001')).toBeUndefined();
    expect(refs.decode(`v2|${ADA.id}|private||cother0000000000000000000|${'A'.repeat(22)}`, 'T.T0001')).toBeUndefined();
    const eleven = Array.from({ length: 11 }, (_, i) => `c${String(i).padStart(24, '0')}`);
    expect(refs.decode(`v1|${eleven[0]}|private||${eleven.join(',')}`, 'T.T0001')).toBeUndefined();
  });

  it('verify only under the key that signed them', () => {
    const value = refs.encode({ userId: ADA.id, kind: 'shared', by: 'U0X', list: [ADA.id] }, 'T.T0001');
    expect(createCardRefs('another secret').decode(value, 'T.T0001')?.verified).toBe(false);
    expect(createCardRefs('use-case tests').decode(value, 'T.T0001')?.verified).toBe(true);
  });
});
