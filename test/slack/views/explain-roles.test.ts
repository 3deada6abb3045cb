/**
 * "What can they do?" views: the button value round-trips every role (custom names of any text
 * included), stays within Slack's 2000 characters by keeping the most powerful roles and counting
 * the rest, and refuses forged or garbled values; the modal stays within Block Kit's view limits
 * whatever the explanation, says where each part comes from, and summarises long permission lists;
 * user cards carry the button with the user's roles.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExplainedRole, ExplainResult } from '../../../src/app/explain-roles.js';
import { AstroUserSchema } from '../../../src/astro/schemas.js';
import { documentedAbilities, documentedRole } from '../../../src/core/role-docs.js';
import { byPower, distinctRoles, type RoleRef, type RoleScope } from '../../../src/core/roles.js';
import {
  EXPLAIN_ACTION,
  MAX_BUTTON_ROLES,
  encodeExplainValue,
  explainRolesButton,
  explainRolesModal,
  loadingExplainModal,
  parseExplainValue,
  rolesOf,
  unreadableExplainModal,
} from '../../../src/slack/views/explain-roles.js';
import { renderUserCard } from '../../../src/slack/views/user-card.js';
import { lengthOf, oneLine } from '../../../src/slack/views/limits.js';
import { allText, expectValidBlockKit } from '../../support/block-kit.js';
import { ADA } from '../../support/fixtures.js';

const SCOPES: RoleScope[] = ['ORGANIZATION', 'WORKSPACE', 'DEPLOYMENT', 'DAG'];
const BUILT_IN = ['ORGANIZATION_OWNER', 'ORGANIZATION_MEMBER', 'WORKSPACE_OWNER', 'WORKSPACE_ACCESSOR', 'DEPLOYMENT_ADMIN', 'DAG_VIEWER', 'DAG_AUTHOR'];
/** A role: built-in of its own scope, or a custom name of any (well-formed) text. */
const roleArb: fc.Arbitrary<RoleRef> = fc.oneof(
  fc.constantFrom(...BUILT_IN).map((role) => ({ scope: role.split('_')[0] as RoleScope, role })),
  fc.record({ scope: fc.constantFrom(...SCOPES), role: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }).filter((s) => s.length > 0 && oneLine(s) === s) }),
);

describe('the button value', () => {
  it('round-trips any few roles, repeats dropped, with nothing left out', () => {
    fc.assert(
      fc.property(fc.array(roleArb, { minLength: 1, maxLength: 8 }), (roles) => {
        const { value, omitted } = encodeExplainValue(roles);
        expect(omitted).toBe(0);
        expect(lengthOf(value!)).toBeLessThanOrEqual(2000);
        const back = parseExplainValue(value);
        expect(new Set(back!.roles.map((r) => `${r.scope}|${r.role}`))).toEqual(new Set(distinctRoles(roles).map((r) => `${r.scope}|${r.role}`)));
        expect(back!.omitted).toBe(0);
      }),
    );
  });

  it('writes built-in roles in a few characters', () => {
    const { value } = encodeExplainValue([{ scope: 'WORKSPACE', role: 'WORKSPACE_OWNER' }, { scope: 'DAG', role: 'DAG_VIEWER' }]);
    expect(value).toBe('xr1|0|W0,G1');
  });

  it('keeps the most powerful roles when they do not all fit in 2000 characters, and counts the rest', () => {
    const custom = Array.from({ length: 30 }, (_, i) => ({ scope: 'DEPLOYMENT' as const, role: `Ünïcödé custom role ${i} ${'é'.repeat(40)}` }));
    const roles: RoleRef[] = [...custom, { scope: 'DAG', role: 'DAG_VIEWER' }, { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' }, { scope: 'WORKSPACE', role: 'WORKSPACE_OPERATOR' }];
    const { value, omitted } = encodeExplainValue(roles);
    expect(lengthOf(value!)).toBeLessThanOrEqual(2000);
    const back = parseExplainValue(value)!;
    expect(back.roles.length + omitted).toBe(roles.length);
    expect(omitted).toBeGreaterThan(0);
    expect(back.omitted).toBe(omitted);
    // The most powerful are kept: the Organization Owner and the Workspace Operator, not the DAG Viewer.
    expect(back.roles.map((r) => r.role)).toEqual(expect.arrayContaining(['ORGANIZATION_OWNER', 'WORKSPACE_OPERATOR']));
    expect(back.roles.map((r) => r.role)).not.toContain('DAG_VIEWER');
    expect(back.roles).toEqual(byPower(roles).slice(0, back.roles.length));
  });

  it(`carries at most ${MAX_BUTTON_ROLES} roles, and none of a name that is not text`, () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ scope: 'DEPLOYMENT' as const, role: `r${i}` }));
    const { value, omitted } = encodeExplainValue(many);
    expect(parseExplainValue(value)!.roles).toHaveLength(MAX_BUTTON_ROLES);
    expect(omitted).toBe(100 - MAX_BUTTON_ROLES);
    expect(encodeExplainValue([{ scope: 'DEPLOYMENT', role: '\ud800' }])).toEqual({ value: undefined, omitted: 1 });
    expect(encodeExplainValue([{ scope: 'DEPLOYMENT', role: 'two\nlines' }, { scope: 'DEPLOYMENT', role: ' padded ' }])).toEqual({ value: 'xr1|1|D~%20padded%20', omitted: 1 });
    expect(parseExplainValue('xr1|1|D~%20padded%20')!.roles).toEqual([{ scope: 'DEPLOYMENT', role: ' padded ' }]);
    expect(explainRolesButton([])).toBeUndefined();
  });

  it.each([
    ['nothing', undefined],
    ['a number', 7],
    ['a card reference', 'v2|clx1user0000001abcdefghij|private||clx1user0000001abcdefghij|abc'],
    ['an unknown version', 'xr2|0|W0'],
    ['no roles', 'xr1|0|'],
    ['an unknown scope', 'xr1|0|X0'],
    ['a built-in index out of range', 'xr1|0|W9'],
    ['a broken escape', 'xr1|0|D~%E0%A4%A'],
    ['an empty name', 'xr1|0|D~'],
    ['a name with a newline', `xr1|0|D~${encodeURIComponent('a\nb')}`],
    ['raw separators in a name', 'xr1|0|D~a|b'],
    ['too long', `xr1|0|${'D~a,'.repeat(600)}W0`],
    ['too many roles', `xr1|0|${Array.from({ length: MAX_BUTTON_ROLES + 1 }, (_, i) => `D~r${i}`).join(',')}`],
    ['a path', 'xr1|0|D~..%2F..%2Forganizations'.replace('%2F', '/')],
  ])('refuses %s', (_what, value) => {
    expect(parseExplainValue(value)).toBeUndefined();
  });

  it('makes a button with the roles in its value, and a suffix when several share a message', () => {
    const button = explainRolesButton([{ scope: 'WORKSPACE', role: 'WORKSPACE_AUTHOR' }], 'What can Workspace Authors do?', { idSuffix: '2' })!;
    expect(button).toMatchObject({ type: 'button', action_id: `${EXPLAIN_ACTION}:2`, text: { type: 'plain_text', text: 'What can Workspace Authors do?' } });
    expect(parseExplainValue(button.value)!.roles).toEqual([{ scope: 'WORKSPACE', role: 'WORKSPACE_AUTHOR' }]);
  });
});

describe('user cards', () => {
  it("put a What can they do? button listing the user's roles, direct and via Teams", () => {
    const user = AstroUserSchema.parse(ADA);
    const teams = { teams: [{ id: 't1', name: 'Ops', organizationRole: undefined, workspaceRoles: [{ workspaceId: 'w', role: 'WORKSPACE_OWNER' }], deploymentRoles: [], dagRoles: [{ deploymentId: 'd', role: 'DAG_AUTHOR' }], unreadableRoles: 0 }] };
    const card = renderUserCard(user, { surface: 'message', fetchedAt: 0, teams, actions: { refresh: true, explain: true } });
    expectValidBlockKit(card);
    const actions = (card.blocks as { type: string; elements?: { action_id?: string; value?: string; text?: { text: string } }[] }[]).find((b) => b.type === 'actions')!;
    const button = actions.elements!.find((e) => e.action_id === EXPLAIN_ACTION)!;
    expect(button.text!.text).toBe('What can they do?');
    const expected = rolesOf(user, teams.teams);
    expect(expected).toEqual(expect.arrayContaining([{ scope: 'WORKSPACE', role: 'WORKSPACE_OWNER' }, { scope: 'DAG', role: 'DAG_AUTHOR' }]));
    expect(new Set(parseExplainValue(button.value)!.roles.map((r) => `${r.scope}|${r.role}`))).toEqual(new Set(expected.map((r) => `${r.scope}|${r.role}`)));
    // Without `explain`, no such button.
    expect(JSON.stringify(renderUserCard(user, { surface: 'message', fetchedAt: 0, actions: { refresh: true } }).blocks)).not.toContain(EXPLAIN_ACTION);
  });
});

/** A role explained as the use case would: documented text, and `n` permissions from Astro. */
function explainedRole(ref: RoleRef, n: number, extra: Partial<ExplainedRole> = {}): ExplainedRole {
  const doc = documentedRole(ref);
  const { abilities, unlisted } = documentedAbilities(ref);
  return {
    ref,
    label: ref.role,
    custom: !doc,
    summary: doc?.summary ?? 'A custom role <b>& co</b> <!channel>',
    summarySource: doc ? 'docs' : 'astro',
    docsUrl: 'https://www.astronomer.io/docs/astro/user-permissions',
    ...(abilities.length > 0 ? { abilities: { items: abilities, unlisted } } : {}),
    ...(n > 0
      ? {
          permissions: {
            count: n,
            groups: Array.from({ length: Math.ceil(n / 5) }, (_, g) => ({
              title: `Deployment Group ${g}`,
              description: 'What this group is about, in a sentence of ordinary length.',
              permissions: Array.from({ length: Math.min(5, n - g * 5) }, (_, i) => ({ action: `deployment.group${g}.action${i}`, description: `Do thing ${i} of group ${g} in the Airflow UI.` })),
            })),
          },
        }
      : {}),
    ...extra,
  };
}

describe('the modal', () => {
  it('opens as a modal with a loading text, and a friendly text for an unreadable button', () => {
    for (const view of [loadingExplainModal(), unreadableExplainModal()]) {
      expect(view.type).toBe('modal');
      expectValidBlockKit(view, 'view');
    }
    expect(allText(unreadableExplainModal())).toMatch(/couldn't read which roles/);
  });

  it('explains each role, marking what comes from Astro and what from the documentation', () => {
    const result: ExplainResult = {
      kind: 'explained',
      roles: [explainedRole({ scope: 'WORKSPACE', role: 'WORKSPACE_OPERATOR' }, 0, { label: 'Workspace Operator' }), explainedRole({ scope: 'DEPLOYMENT', role: 'Viewer+' }, 3, { label: 'Viewer+' })],
      notes: [],
    };
    const view = explainRolesModal(result);
    expectValidBlockKit(view, 'view');
    const text = allText(view);
    expect(text).toContain('*Workspace Operator* · Workspace role');
    expect(text).toContain('Update Deployment configurations');
    expect(text).toContain("Astronomer's permission table");
    expect(text).toContain('*Viewer+* · custom Deployment role');
    expect(text).toContain('Description from Astro');
    expect(text).toContain('*Permissions in Astro* (3)');
    expect(text).toContain('Do thing 1 of group 0 in the Airflow UI. `deployment.group0.action1`');
    // Astro's strings are escaped: nothing pings.
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
  });

  it('says why permissions are missing, and what the token needs after a 403', () => {
    const view = explainRolesModal(
      { kind: 'explained', roles: [explainedRole({ scope: 'DEPLOYMENT', role: 'Viewer+' }, 0, { permissionsMissing: 'denied' })], notes: [{ code: 'roles_denied', permission: 'organization.customRoles.get', role: 'Organization Member' }] },
      { omitted: 2 },
    );
    expectValidBlockKit(view, 'view');
    const text = allText(view);
    expect(text).toContain('`organization.customRoles.get`');
    expect(text).toContain('custom role details are not shown');
    expect(text).toContain('…and 2 less powerful roles not explained here');
    // Said once for all roles after a 403; a role of its own is told why.
    expect(text).not.toContain("Astro's permission list for this role needs");
    const alone = allText(explainRolesModal({ kind: 'explained', roles: [explainedRole({ scope: 'DEPLOYMENT', role: 'Gone' }, 0, { permissionsMissing: 'not_found' })], notes: [] }));
    expect(alone).toContain('No custom role of this name in the organization now');
  });

  it('shows a refusal with the one failure message', () => {
    const view = explainRolesModal({ kind: 'refused', failure: { code: 'guest_refused' } });
    expectValidBlockKit(view, 'view');
    expect(allText(view)).toContain("Guests can't look up Astro users");
  });

  it('summarises a long permission list: one line per group, then "…and N more"', () => {
    const view = explainRolesModal({ kind: 'explained', roles: [explainedRole({ scope: 'DEPLOYMENT', role: 'DEPLOYMENT_ADMIN' }, 400)], notes: [] });
    expectValidBlockKit(view, 'view');
    const text = allText(view);
    expect(text).toContain('*Permissions in Astro* (400)');
    expect(text).toMatch(/• \*Deployment Group 0\*: action0, action1, action2/);
    expect(text).toMatch(/…and \d+ more permission groups/);
  });

  it('stays within the view limits for any mix of up to 40 roles and permission lists', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(roleArb, fc.nat({ max: 300 })), { minLength: 0, maxLength: 40 }), fc.nat({ max: 50 }), (entries, omitted) => {
        const roles = entries.map(([ref, n]) => explainedRole(ref, n));
        const view = explainRolesModal({ kind: 'explained', roles, notes: [{ code: 'words_unavailable' }, { code: 'cut', count: 3 }] }, { omitted });
        expectValidBlockKit(view, 'view');
        const left = omitted + 3;
        expect(allText(view)).toContain(`…and ${left} less powerful role${left === 1 ? '' : 's'}`);
      }),
      { numRuns: 60 },
    );
  });
});
