/** computeAccess: who reaches a Deployment or Workspace, by which way, grouped by the strongest role. */
import { describe, expect, it } from 'vitest';
import { computeAccess, type TeamInput, type TokenInput, type UserInput } from '../../src/core/access.js';

const WS = 'ws1';
const OTHER_WS = 'ws2';
const DEP = 'dep1';
const DEP_SUBJECT = { kind: 'deployment', deploymentId: DEP, workspaceId: WS } as const;

const user = (id: string, roles: Partial<UserInput> = {}): UserInput => ({ id, username: `${id}@example.com`, fullName: id.toUpperCase(), status: 'ACTIVE', workspaceRoles: [], deploymentRoles: [], dagRoles: [], ...roles });
const team = (id: string, roles: Partial<TeamInput>, members: string[]): TeamInput => ({
  id,
  name: `Team ${id}`,
  workspaceRoles: [],
  deploymentRoles: [],
  dagRoles: [],
  members: members.map((m) => ({ userId: m, username: `${m}@example.com`, fullName: m.toUpperCase() })),
  ...roles,
});
const token = (id: string, roles: TokenInput['roles']): TokenInput => ({ id, name: `token ${id}`, scope: 'DEPLOYMENT', roles });

describe('computeAccess', () => {
  it('reaches a Deployment through the organization, its Workspace, itself and its DAGs, and ignores other places', () => {
    const users = [
      user('owner', { organizationRole: 'ORGANIZATION_OWNER' }),
      user('member', { organizationRole: 'ORGANIZATION_MEMBER' }),
      user('wsop', { workspaceRoles: [{ workspaceId: WS, role: 'WORKSPACE_OPERATOR' }] }),
      user('elsewhere', { workspaceRoles: [{ workspaceId: OTHER_WS, role: 'WORKSPACE_OWNER' }], deploymentRoles: [{ deploymentId: 'dep2', role: 'DEPLOYMENT_ADMIN' }] }),
      user('admin', { deploymentRoles: [{ deploymentId: DEP, role: 'DEPLOYMENT_ADMIN' }] }),
      user('dag', { dagRoles: [{ deploymentId: DEP, role: 'DAG_VIEWER', dagTag: 'finance' }] }),
    ];
    const access = computeAccess(DEP_SUBJECT, users, [], []);
    expect(access.groups.map((g) => [g.role, g.holders.map((h) => h.id)])).toEqual([
      ['ORGANIZATION_OWNER', ['owner']],
      ['WORKSPACE_OPERATOR', ['wsop']],
      ['DEPLOYMENT_ADMIN', ['admin']],
      ['DAG_VIEWER', ['dag']],
    ]);
    expect(access.counts).toEqual({ people: 4, teams: 0, tokens: 0 });
    const dag = access.groups[3]!.holders[0]!;
    expect(dag.top.on).toEqual({ kind: 'dag', deploymentId: DEP, dagTag: 'finance' });
  });

  it('merges a person found in several lists and through a Team: the stronger role applies, every way is kept', () => {
    const direct = user('ada', { deploymentRoles: [{ deploymentId: DEP, role: 'DEPLOYMENT_ACCESSOR' }] });
    const teams = [team('t1', { workspaceRoles: [{ workspaceId: WS, role: 'WORKSPACE_AUTHOR' }], isIdpManaged: true }, ['ada', 'bob'])];
    const access = computeAccess(DEP_SUBJECT, [direct, direct], teams, []);
    const ada = access.groups.flatMap((g) => g.holders).filter((h) => h.id === 'ada');
    expect(ada).toHaveLength(1);
    expect(ada[0]!.top).toMatchObject({ role: 'WORKSPACE_AUTHOR', team: { id: 't1', name: 'Team t1', isIdpManaged: true } });
    expect(ada[0]!.grants.map((g) => g.role)).toEqual(['WORKSPACE_AUTHOR', 'DEPLOYMENT_ACCESSOR']);
    // bob reaches it only through the Team; the Team itself is listed too.
    expect(access.counts).toEqual({ people: 2, teams: 1, tokens: 0 });
    const authors = access.groups.find((g) => g.role === 'WORKSPACE_AUTHOR')!;
    expect(authors.holders.map((h) => `${h.kind}:${h.id}`)).toEqual(['person:ada', 'person:bob', 'team:t1']);
    // The Team's own line holds its grant once, as its own (not "via" itself).
    const t1 = authors.holders.find((h) => h.kind === 'team')!;
    expect(t1.grants).toEqual([t1.top]);
    expect(t1.top.team).toBeUndefined();
  });

  it('counts API tokens by their roles: Deployment, Workspace, Organization Owner, DAG; not other places', () => {
    const tokens = [
      token('deploy', [{ entityType: 'DEPLOYMENT', entityId: DEP, role: 'DEPLOYMENT_ADMIN' }]),
      token('ws', [{ entityType: 'WORKSPACE', entityId: WS, role: 'WORKSPACE_MEMBER' }]),
      token('org', [{ entityType: 'ORGANIZATION', entityId: 'org', role: 'ORGANIZATION_OWNER' }]),
      token('orgmember', [{ entityType: 'ORGANIZATION', entityId: 'org', role: 'ORGANIZATION_MEMBER' }]),
      token('dagtag', [{ entityType: 'DAG_TAG', entityId: 'finance', role: 'DAG_AUTHOR', deploymentId: DEP }]),
      token('other', [{ entityType: 'DEPLOYMENT', entityId: 'dep2', role: 'DEPLOYMENT_ADMIN' }]),
    ];
    const access = computeAccess(DEP_SUBJECT, [], [], tokens);
    expect(access.counts.tokens).toBe(4);
    expect(access.groups.map((g) => g.holders.map((h) => h.id).join())).toEqual(['org', 'deploy', 'ws', 'dagtag']);
  });

  it('for a Workspace: Workspace roles and Organization Owners, not Deployment roles', () => {
    const users = [user('a', { workspaceRoles: [{ workspaceId: WS, role: 'WORKSPACE_ACCESSOR' }], deploymentRoles: [{ deploymentId: DEP, role: 'DEPLOYMENT_ADMIN' }] }), user('o', { organizationRole: 'ORGANIZATION_OWNER' })];
    const access = computeAccess({ kind: 'workspace', workspaceId: WS }, users, [], []);
    expect(access.groups.map((g) => g.role)).toEqual(['ORGANIZATION_OWNER', 'WORKSPACE_ACCESSOR']);
  });

  it('answers no groups when nobody has access', () => {
    expect(computeAccess(DEP_SUBJECT, [user('x')], [team('t', {}, ['x'])], [token('t', [])])).toMatchObject({ groups: [], counts: { people: 0, teams: 0, tokens: 0 } });
  });
});

describe('the order of holders', () => {
  it('sorts a role group by name ignoring case and accents, then by ID', () => {
    const subject = { kind: 'workspace', workspaceId: 'w1' } as const;
    const u = (id: string, fullName: string) => ({ id, username: `${id}@example.com`, fullName, status: 'ACTIVE', workspaceRoles: [{ workspaceId: 'w1', role: 'WORKSPACE_MEMBER' }], deploymentRoles: [], dagRoles: [] });
    const list = computeAccess(subject, [u('u4', 'émile'), u('u2', 'Zoë'), u('u3', 'adam'), u('u1', 'Emile'), u('u5', 'Bea')], [], []);
    expect(list.groups[0]!.holders.map((h) => [h.name, h.id])).toEqual([
      ['adam', 'u3'],
      ['Bea', 'u5'],
      ['Emile', 'u1'],
      ['émile', 'u4'],
      ['Zoë', 'u2'],
    ]);
  });
});
