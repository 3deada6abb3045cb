/**
 * "Who can access X?" under load, in-process against the stand-in Astro: what one answer costs of
 * the Astro token's request budget when a Team is huge, and a burst of Refresh clicks on one
 * answer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { lookUpAccess } from '../../src/app/access.js';
import { accessOrg, DATA, ETL_PROD } from '../support/access-org.js';
import { orgId, orgTeam, type AstroOrg } from '../support/astro-org.js';
import { useCaseWorld, type UseCaseWorld } from '../support/use-cases.js';

let w: UseCaseWorld;
afterEach(() => w.close());

const person = (slackUserId: string) => ({ kind: 'person', slackUserId }) as const;

describe('the Astro budget of an access answer', () => {
  it('reads only the members it shows of a Team of 100,000, and counts the rest', async () => {
    const org: AstroOrg = accessOrg();
    const huge = orgTeam(9, Array.from({ length: 100_000 }, (_, i) => orgId('mmbr', i)), { name: 'Everyone', workspaceRoles: [{ workspaceId: DATA, role: 'WORKSPACE_MEMBER' }] });
    org.teams.push(huge);
    w = await useCaseWorld({}, { org });
    const a = await lookUpAccess(w.services, w.ctx(person('U0ASKER')), { kind: 'id', id: ETL_PROD });
    expect(a.kind).toBe('found');
    if (a.kind !== 'found') return;
    expect(a.result.unread.members).toBe(95_000);
    expect(a.result.list.groups.flatMap((g) => g.holders).find((h) => h.id === huge.id)).toMatchObject({ kind: 'team', memberCount: 100_000 });
    const pages = w.astro.requests.filter((r) => r.url.includes(`/teams/${huge.id}/members`)).length;
    expect(pages).toBeLessThanOrEqual(5);
  });

  it('a burst of 60 Refresh clicks on one answer asks Astro once and answers every click', async () => {
    const org = accessOrg();
    w = await useCaseWorld({}, { org });
    await lookUpAccess(w.services, w.ctx(person('U0FIRST')), { kind: 'id', id: ETL_PROD });
    const before = w.astro.requests.length;
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => lookUpAccess(w.services, w.ctx(person(`U0CLICK${i}`), 'refresh'), { kind: 'deployment', id: ETL_PROD }, { bypassCache: true })),
    );
    expect(answers.map((a) => a.kind)).toEqual(Array(60).fill('found'));
    const users = w.astro.requests.slice(before).filter((r) => r.url.split('?')[0]!.endsWith('/users') && /[?&](workspaceId|deploymentId)=/.test(r.url));
    expect(users).toHaveLength(2);
  });
});
