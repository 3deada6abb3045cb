/**
 * "Who can access X?" as a use case, in-process against a stand-in Astro serving a small
 * organization: finding the Deployment or Workspace (name, ID, link, picker, close names, links we
 * do not read), every way of access with its reason, the asker rules, one throttle point, what is
 * kept, Refresh and Share.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lookUpAccess, refreshAccess, shareAccess } from '../../src/app/access.js';
import { createCardRefs } from '../../src/app/cards.js';
import { answerMention } from '../../src/app/mention.js';
import type { Holder } from '../../src/core/access.js';
import type { AccessResult } from '../../src/lookup/access.js';
import { accessOrg, DATA, ETL_DEV, ETL_PROD, WEB_ETL_PROD } from '../support/access-org.js';
import type { AstroOrg } from '../support/astro-org.js';
import { useCaseWorld, type UseCaseWorld } from '../support/use-cases.js';

const asker = { kind: 'person', slackUserId: 'U0ASKER' } as const;
const refs = createCardRefs('access tests');
let org: AstroOrg;
let w: UseCaseWorld;

beforeEach(async () => {
  org = accessOrg();
  w = await useCaseWorld({}, { org });
  w.slack.channels = { C0OPS: false, C0CONNECT: true };
});
afterEach(() => w.close());

const ask = (target: Parameters<typeof lookUpAccess>[2], opts = {}) => lookUpAccess(w.services, w.ctx(asker), target, opts);
async function found(target: Parameters<typeof lookUpAccess>[2]): Promise<AccessResult> {
  const a = await ask(target);
  if (a.kind !== 'found') throw new Error(`expected an answer, got ${JSON.stringify(a)}`);
  return a.result;
}
const names = (r: AccessResult) => r.list.groups.map((g) => [g.role, g.holders.map((h: Holder) => h.name)]);

describe('who can access a Deployment', () => {
  it('lists every way in, strongest role first, with Team-only members and the Team itself', async () => {
    const r = await found({ kind: 'id', id: ETL_PROD });
    expect(r.subject).toMatchObject({ kind: 'deployment', name: 'etl-prod', workspaceName: 'Data', status: 'HEALTHY' });
    expect(names(r)).toEqual([
      ['ORGANIZATION_OWNER', ['Olga Owner', 'terraform']],
      ['WORKSPACE_OPERATOR', ['Oscar Operator']],
      ['DEPLOYMENT_ADMIN', ['Ada Admin', 'Ben Banned', 'ci-deploy']],
      ['WORKSPACE_AUTHOR', ['Bea Both', 'Tim Teamonly', 'Data Eng']],
      ['DAG_VIEWER', ['Dag Viewer']],
    ]);
    expect(r.list.counts).toEqual({ people: 7, teams: 1, tokens: 2 });
    const bea = r.list.groups.flatMap((g) => g.holders).find((h) => h.name === 'Bea Both')!;
    expect(bea.grants.map((g) => [g.role, g.team?.name ?? 'direct'])).toEqual([
      ['WORKSPACE_AUTHOR', 'Data Eng'],
      ['DEPLOYMENT_ACCESSOR', 'direct'],
    ]);
    expect(JSON.stringify(r)).not.toContain('SECRET-TOKEN-VALUE');
  });

  it('finds it by an Astro UI link, and takes one abuse-limit point', async () => {
    const r = await found({ kind: 'link', url: `https://cloud.astronomer.io/${DATA}/deployments/${ETL_PROD}/overview` });
    expect(r.subject.id).toBe(ETL_PROD);
    expect(w.takes).toHaveLength(1);
    const audit = w.logs.filter((l) => l.msg === 'access');
    expect(audit).toEqual([expect.objectContaining({ audit: true, query: 'access_link', outcome: 'found', people: 7, teams: 1, tokens: 2, slackUser: 'U0ASKER' })]);
    expect(JSON.stringify(audit)).not.toMatch(/Olga|example\.com/);
  });

  it('offers a short picker when two Deployments share the name', async () => {
    const a = await ask({ kind: 'name', text: 'ETL-Prod' });
    expect(a.kind).toBe('choose');
    if (a.kind === 'choose') expect(a.candidates.map((c) => c.id).sort()).toEqual([ETL_PROD, WEB_ETL_PROD].sort());
  });

  it('says an unknown name is unknown and offers close names', async () => {
    const a = await ask({ kind: 'name', text: 'etl-dve' });
    expect(a).toMatchObject({ kind: 'not_found', text: 'etl-dve', suggestions: [{ name: 'etl-dev' }] });
  });

  it('asks Astro nothing for a link to another host', async () => {
    const a = await ask({ kind: 'link', url: `https://evil.example/${DATA}/deployments/${ETL_PROD}` });
    expect(a).toEqual({ kind: 'not_a_link_we_read', host: 'evil.example' });
    expect(w.astro.requests).toHaveLength(0);
  });

  it('keeps answering without API tokens when the token may not list them, and says so', async () => {
    org.denyTokens = true;
    const r = await found({ kind: 'id', id: ETL_PROD });
    expect(r.missing).toEqual(['tokens']);
    expect(r.list.counts).toMatchObject({ people: 7, tokens: 0 });
  });

  it('answers a warm question from what is kept, and concurrent questions share the reads', async () => {
    await Promise.all([found({ kind: 'id', id: ETL_PROD }), found({ kind: 'name', text: 'etl-dev' }), found({ kind: 'id', id: ETL_PROD })]);
    const catalogReads = org.served!.filter((p) => p.endsWith('/workspaces')).length;
    expect(catalogReads).toBe(1);
    const before = w.astro.requests.length;
    const again = await found({ kind: 'id', id: ETL_PROD });
    expect(again.fromCache).toBe(true);
    expect(w.astro.requests.length).toBe(before);
  });

  it('finds a renamed Deployment by its new name once the catalog is read again', async () => {
    expect((await found({ kind: 'name', text: 'etl-dev' })).subject.id).toBe(ETL_DEV);
    org.deployments.find((d) => d.id === ETL_DEV)!.name = 'etl-staging';
    // Refresh reads the catalog afresh.
    await lookUpAccess(w.services, w.ctx(asker), { kind: 'deployment', id: ETL_DEV }, { bypassCache: true });
    expect((await found({ kind: 'name', text: 'ETL-Staging' })).subject).toMatchObject({ id: ETL_DEV, name: 'etl-staging' });
    expect(await ask({ kind: 'name', text: 'etl-dev' })).toMatchObject({ kind: 'not_found' });
  });

  it('counts a Deployment and a Team Astro served twice (paging while the list changed) once', async () => {
    org.deployments.push({ ...org.deployments.find((d) => d.id === ETL_DEV)! });
    org.teams.push({ ...org.teams[0]! });
    const dev = await ask({ kind: 'name', text: 'etl-dev' });
    expect(dev).toMatchObject({ kind: 'found', result: { subject: { id: ETL_DEV } } });
    expect((await found({ kind: 'id', id: ETL_PROD })).list.counts).toEqual({ people: 7, teams: 1, tokens: 2 });
  });

  it('refuses a guest before asking Astro', async () => {
    w.slack.people.U0ASKER = { isGuest: true };
    const a = await ask({ kind: 'id', id: ETL_PROD });
    expect(a).toMatchObject({ kind: 'failed', failure: { code: 'guest_refused' } });
    expect(w.astro.requests).toHaveLength(0);
  });

  it('refuses a person of another Slack organization (Slack Connect) before asking Astro, whatever the policy', async () => {
    await w.setPolicy({ allowPublicInSharedChannels: true, allowGuests: true });
    const a = await lookUpAccess(w.services, { ...w.ctx(asker), askerTeamId: 'T0OTHER' }, { kind: 'id', id: ETL_PROD });
    expect(a).toMatchObject({ kind: 'failed', failure: { code: 'other_organization' } });
    expect(w.astro.requests).toHaveLength(0);
    expect((await lookUpAccess(w.services, { ...w.ctx(asker), askerTeamId: 'T0001' }, { kind: 'id', id: ETL_PROD })).kind).toBe('found');
  });

  it('says Astro is unavailable rather than "nobody has access" when it is down', async () => {
    w.astroState.down = true;
    const a = await ask({ kind: 'id', id: ETL_PROD });
    expect(a.kind).toBe('failed');
  });
});

describe('who can access a Workspace', () => {
  it('lists Workspace roles and Organization Owners', async () => {
    const r = await found({ kind: 'name', text: 'data' });
    expect(r.subject).toMatchObject({ kind: 'workspace', id: DATA, deployments: 2 });
    expect(r.list.groups.map((g) => g.role)).toEqual(['ORGANIZATION_OWNER', 'WORKSPACE_OPERATOR', 'WORKSPACE_AUTHOR']);
  });
});

describe('Refresh and Share of an access answer', () => {
  const threadRef = refs.encodeAccess({ subject: { kind: 'deployment', id: ETL_PROD }, kind: 'thread', by: 'U0ORIGINAL' }, 'T.T0001');

  it('Refresh asks Astro again and redraws a thread answer for everyone', async () => {
    await found({ kind: 'id', id: ETL_PROD });
    org.users.push({ ...org.users[1]!, id: 'cuserxxx0000000000000zzzz', fullName: 'New Operator' });
    const r = await refreshAccess(w.services, w.ctx(asker, 'refresh'), refs, { value: threadRef, ephemeral: false, channelId: 'C0OPS' });
    expect(r).toMatchObject({ kind: 'replace', inChannel: true, shown: { kind: 'thread', by: 'U0ORIGINAL' } });
    if (r.kind === 'replace' && r.answer.kind === 'found') expect(r.answer.result.list.counts.people).toBe(8);
  });

  it('Refresh answers privately when the value was not signed by this server', async () => {
    const forged = threadRef.replace('U0ORIGINAL', 'U0SOMEONE');
    const r = await refreshAccess(w.services, w.ctx(asker, 'refresh'), refs, { value: forged, ephemeral: false, channelId: 'C0OPS' });
    expect(r.kind).toBe('private');
  });

  it('Share posts for everyone in an ordinary channel and refuses a Slack Connect one', async () => {
    const privateRef = refs.encodeAccess({ subject: { kind: 'deployment', id: ETL_PROD }, kind: 'private' }, 'T.T0001');
    expect(await shareAccess(w.services, w.ctx(asker, 'share'), refs, { value: privateRef, ephemeral: true, channelId: 'C0OPS' })).toMatchObject({ kind: 'shared', by: 'U0ASKER' });
    expect(await shareAccess(w.services, w.ctx(asker, 'share'), refs, { value: privateRef, ephemeral: true, channelId: 'C0CONNECT' })).toMatchObject({ kind: 'refused', failure: { code: 'public_not_allowed' } });
  });
});

describe('access questions in mentions', () => {
  const mention = (text: string, eventId: string) => answerMention(w.services, { ...w.ctx(asker, 'mention'), visibility: 'thread' }, { eventId, text, inSharedChannel: false, channel: 'C0OPS', self: { userId: 'U0BOT' } });

  it('answers `@astro-user access <name>` in the thread', async () => {
    const r = await mention('<@U0BOT> access etl-dev', 'Ev1');
    expect(r).toMatchObject({ kind: 'access', privately: false, answer: { kind: 'found', result: { subject: { name: 'etl-dev' } } } });
  });

  it('answers a mention holding an Astro link, and ignores links elsewhere', async () => {
    const r = await mention(`<@U0BOT> who can change this? <https://cloud.astronomer.io/${DATA}/deployments/${ETL_PROD}|etl-prod>`, 'Ev2');
    expect(r).toMatchObject({ kind: 'access', answer: { kind: 'found', result: { subject: { id: ETL_PROD } } } });
    const other = await mention('<@U0BOT> see <https://example.com/x|this>', 'Ev3');
    expect(other.kind).toBe('help');
  });

  it('answers privately in a Slack Connect channel', async () => {
    const r = await answerMention(w.services, { ...w.ctx(asker, 'mention'), visibility: 'thread' }, { eventId: 'Ev4', text: '<@U0BOT> access etl-dev', inSharedChannel: true, channel: 'C0CONNECT', self: { userId: 'U0BOT' } });
    expect(r).toMatchObject({ kind: 'access', privately: true });
  });
});
