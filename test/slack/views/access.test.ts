/**
 * renderAccess: within Block Kit's limits on every surface whatever the size (thousands of people
 * in one group, hostile names), long groups cut with "…and N more" and a Show full list button,
 * names escaped, tokens' expiry marked.
 */
import { describe, expect, it } from 'vitest';
import { computeAccess, type UserInput } from '../../../src/core/access.js';
import type { AccessResult } from '../../../src/lookup/access.js';
import { renderAccess, renderSubjectNotFound, renderSubjectPicker, renderUnfurl, type AccessSurface } from '../../../src/slack/views/access.js';
import { allText, expectValidBlockKit } from '../../support/block-kit.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const subject = { kind: 'deployment', id: 'dep1', name: 'etl-prod', workspaceId: 'ws1', workspaceName: 'Data', status: 'HEALTHY' } as const;

function result(users: UserInput[], tokens: Parameters<typeof computeAccess>[3] = []): AccessResult {
  const list = computeAccess({ kind: 'deployment', deploymentId: 'dep1', workspaceId: 'ws1' }, users, [], tokens);
  return { subject, list, names: { workspaces: { ws1: 'Data' }, deployments: { dep1: 'etl-prod' } }, missing: [], unread: { members: 0, teams: [] }, fetchedAt: NOW, fromCache: false };
}
const user = (i: number, name = `Person ${i}`): UserInput => ({ id: `u${i}`, username: `p${i}@example.com`, fullName: name, status: 'ACTIVE', workspaceRoles: [{ workspaceId: 'ws1', role: i % 2 ? 'WORKSPACE_MEMBER' : 'WORKSPACE_OWNER' }], deploymentRoles: [], dagRoles: [] });

describe('renderAccess', () => {
  const surfaces: [AccessSurface, 'message' | 'view'][] = [
    ['message', 'message'],
    ['thread', 'message'],
    ['home', 'view'],
    ['modal', 'view'],
  ];

  it.each(surfaces)('stays within Block Kit limits with 5,000 people and 2,000-character names (%s)', (surface, kind) => {
    const users = Array.from({ length: 5000 }, (_, i) => user(i, `${'Ü'.repeat(2000)} ${i}`));
    const r = renderAccess(result(users), { surface, kind: 'private', astroUiUrl: 'https://cloud.astronomer.io', now: NOW, refValue: 'ref' });
    expectValidBlockKit(r, kind);
    expect(r.truncated).toBe(true);
    expect(allText(r.blocks)).toMatch(/…and [\d,]+ more/);
    if (surface !== 'modal') expect(JSON.stringify(r.blocks)).toContain('access_full');
  });

  it('escapes names so that nobody can ping a channel or fake a link', () => {
    const r = renderAccess(result([user(1, '<!channel> *bold* <https://evil.example|x>')]), { surface: 'message', kind: 'private', astroUiUrl: 'https://cloud.astronomer.io', now: NOW });
    const text = allText(r.blocks);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil');
    expect(text).toContain('&lt;!channel&gt;');
  });

  it('marks a token that expires within 30 days and one that never expires', () => {
    const tokens = [
      { id: 't1', name: 'soon', scope: 'DEPLOYMENT', roles: [{ entityType: 'DEPLOYMENT', entityId: 'dep1', role: 'DEPLOYMENT_ADMIN' }], endAt: '2026-12-05T00:00:00Z' },
      { id: 't2', name: 'forever', scope: 'DEPLOYMENT', roles: [{ entityType: 'DEPLOYMENT', entityId: 'dep1', role: 'DEPLOYMENT_ADMIN' }] },
    ];
    const text = allText(renderAccess(result([], tokens), { surface: 'message', kind: 'private', astroUiUrl: 'https://cloud.astronomer.io', now: NOW }).blocks);
    expect(text).toMatch(/\*soon\*[^\n]*:warning: expires[^\n]*\(in 4 days\)/);
    expect(text).toMatch(/\*forever\*[^\n]*never expires[^\n]*never used/);
  });

  it('offers "What can they do?" for each role group, not in the modal', () => {
    const r = renderAccess(result([user(1), user(2)]), { surface: 'message', kind: 'private', astroUiUrl: 'https://cloud.astronomer.io', now: NOW });
    const accessories = (r.blocks as { accessory?: { action_id: string; text: { text: string } } }[]).flatMap((b) => (b.accessory ? [b.accessory] : []));
    expect(accessories.map((a) => [a.action_id, a.text.text])).toEqual([
      ['explain_roles:0', 'What can they do?'],
      ['explain_roles:1', 'What can they do?'],
    ]);
    const modal = renderAccess(result([user(1)]), { surface: 'modal', kind: 'private', astroUiUrl: 'https://cloud.astronomer.io', now: NOW });
    expect(JSON.stringify(modal.blocks)).not.toContain('explain_roles');
  });

  it('says nobody has access when nobody does', () => {
    expect(allText(renderAccess(result([]), { surface: 'message', kind: 'private', astroUiUrl: 'https://cloud.astronomer.io', now: NOW }).blocks)).toContain('Nobody the Astro token can see has access');
  });
});

describe('renderUnfurl', () => {
  it('carries counts, never people', () => {
    const r = result([user(1, 'Secret Person')]);
    const blocks = renderUnfurl({ subject, counts: r.list.counts, missing: [], fetchedAt: NOW }).blocks;
    expectValidBlockKit({ blocks, text: 'x' });
    expect(allText(blocks)).toMatch(/1 person · 0 Teams · 0 API tokens have access/);
    expect(allText(blocks)).not.toMatch(/Secret Person|example\.com/);
  });
});

describe('notification texts', () => {
  // Slack reads a message's top-level `text` as mrkdwn too (it is what notifications show).
  const hostile = '<!channel> etl <https://evil.example|click> <@U0BOSS>';
  const pings = /<[!@#]|<https?:/;

  it('carry a hostile Deployment name escaped, on every surface and when shared', () => {
    const r = result([user(1)]);
    const named = { ...r, subject: { ...subject, name: hostile } };
    for (const surface of ['message', 'thread', 'home', 'modal'] as const) {
      const m = renderAccess(named, { surface, kind: 'shared', by: 'U0SHARER', astroUiUrl: 'https://cloud.astronomer.io', now: NOW });
      expect(m.text).not.toMatch(pings);
      expect(m.text).toContain('&lt;!channel&gt; etl');
    }
  });

  it('carry what was asked escaped in "not found" and in the picker', () => {
    const link = 'https://cloud.astronomer.io/cnotaworkspace000000000000/<!channel>';
    expect(renderSubjectNotFound(link, []).text).not.toMatch(pings);
    expect(renderSubjectPicker([{ ...subject, name: hostile }], hostile).text).not.toMatch(pings);
  });
});
