/**
 * The documented role tables and the pure role helpers: every built-in Organization and Workspace
 * role is described, senior roles have their juniors' abilities and never the other way round,
 * roles the documentation does not describe get no invented text, and roles sort by scope and power.
 */
import { describe, expect, it } from 'vitest';
import { customRoleSummary, documentedAbilities, documentedRole, DOCUMENTED_ROLES, USER_PERMISSIONS_URL } from '../../src/core/role-docs.js';
import { byPower, distinctRoles, inScopeOrder, ORGANIZATION_ROLES, roleWords, WORKSPACE_ROLES, type RoleRef } from '../../src/core/roles.js';

const ws = (role: string): RoleRef => ({ scope: 'WORKSPACE', role });
const org = (role: string): RoleRef => ({ scope: 'ORGANIZATION', role });

describe('documented roles', () => {
  it('describes every built-in Organization and Workspace role, citing the permissions page', () => {
    for (const ref of [...ORGANIZATION_ROLES.map(org), ...WORKSPACE_ROLES.map(ws)]) {
      const doc = documentedRole(ref);
      expect(doc, ref.role).toBeDefined();
      expect(doc!.summary.length).toBeGreaterThan(40);
      expect(doc!.source).toBe(USER_PERMISSIONS_URL);
    }
  });

  it('gives each role the abilities of the roles below it, and none of those above', () => {
    const member = documentedAbilities(ws('WORKSPACE_MEMBER')).abilities;
    const author = documentedAbilities(ws('WORKSPACE_AUTHOR')).abilities;
    const operator = documentedAbilities(ws('WORKSPACE_OPERATOR')).abilities;
    const owner = documentedAbilities(ws('WORKSPACE_OWNER')).abilities;
    expect(member).toContain('View Airflow task logs');
    expect(member).not.toContain('Pause or unpause a DAG');
    expect(author).toEqual([...member, ...DOCUMENTED_ROLES.WORKSPACE.WORKSPACE_AUTHOR!.adds]);
    expect(operator.slice(0, author.length)).toEqual(author);
    expect(operator).toContain('Create and delete Deployments');
    expect(operator).not.toContain('Invite users to a Workspace');
    expect(owner).toContain('Invite users to a Workspace');
    expect(new Set(owner).size).toBe(owner.length);
    expect(documentedAbilities(ws('WORKSPACE_ACCESSOR')).abilities).toEqual([]);
  });

  it('says which included roles the table does not list (the Observe roles), instead of inventing their abilities', () => {
    expect(documentedAbilities(org('ORGANIZATION_OBSERVE_MEMBER'))).toEqual({ abilities: ['View Organization details and user membership', 'View lineage metadata in the Lineage tab', 'View clusters'], unlisted: ['ORGANIZATION_OBSERVE_MEMBER'] });
    const owner = documentedAbilities(org('ORGANIZATION_OWNER'));
    expect(owner.unlisted).toEqual(['ORGANIZATION_OBSERVE_MEMBER', 'ORGANIZATION_OBSERVE_ADMIN']);
    expect(owner.abilities).toEqual(expect.arrayContaining(['View clusters', 'View usage for all Workspaces in the Usage tab', 'Workspace Owner permissions to all Workspaces', 'Configure IP access']));
    expect(documentedAbilities(org('ORGANIZATION_MEMBER')).abilities).not.toContain('Create a new Workspace');
  });

  it('has no text for a built-in role the pages do not describe, nor for a custom role', () => {
    expect(documentedRole({ scope: 'DEPLOYMENT', role: 'DEPLOYMENT_ACCESSOR' })).toBeUndefined();
    expect(documentedRole({ scope: 'DEPLOYMENT', role: 'my role' })).toBeUndefined();
    expect(documentedRole({ scope: 'WORKSPACE', role: 'toString' })).toBeUndefined();
    expect(documentedAbilities({ scope: 'DEPLOYMENT', role: 'my role' })).toEqual({ abilities: [], unlisted: [] });
    expect(documentedRole({ scope: 'DAG', role: 'DAG_AUTHOR' })!.summary).toBe('Read, edit, and delete access to a specific Dag and its resources.');
    expect(customRoleSummary('DEPLOYMENT').source).toBe('https://www.astronomer.io/docs/astro/customize-deployment-roles');
  });
});

describe('role helpers', () => {
  it('puts roles in plain words, leaving custom names as they are', () => {
    expect(roleWords('WORKSPACE_OPERATOR')).toBe('Workspace Operator');
    expect(roleWords('DAG_VIEWER')).toBe('DAG Viewer');
    expect(roleWords('ORGANIZATION_BILLING_ADMIN')).toBe('Organization Billing Admin');
    expect(roleWords('Viewer+ (prod)')).toBe('Viewer+ (prod)');
  });

  it('drops repeats, orders by power, and by scope then power', () => {
    const refs: RoleRef[] = [ws('WORKSPACE_MEMBER'), { scope: 'DAG', role: 'DAG_VIEWER' }, ws('WORKSPACE_OWNER'), org('ORGANIZATION_MEMBER'), ws('WORKSPACE_MEMBER'), { scope: 'DEPLOYMENT', role: 'DEPLOYMENT_ADMIN' }];
    expect(distinctRoles(refs)).toHaveLength(5);
    expect(byPower(distinctRoles(refs)).map((r) => r.role)).toEqual(['WORKSPACE_OWNER', 'DEPLOYMENT_ADMIN', 'WORKSPACE_MEMBER', 'DAG_VIEWER', 'ORGANIZATION_MEMBER']);
    expect(inScopeOrder(distinctRoles(refs)).map((r) => r.role)).toEqual(['ORGANIZATION_MEMBER', 'WORKSPACE_OWNER', 'WORKSPACE_MEMBER', 'DEPLOYMENT_ADMIN', 'DAG_VIEWER']);
  });
});
