/**
 * "What can they do?" in process: built-in roles with the permissions Astro lists, a custom role
 * found by name with its own permissions, Astro's words for each permission, one read of each per
 * organization (cached, shared by concurrent clicks), and Astronomer's documented tables when the
 * token may not read roles (403) or Astro fails.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { explainRoles, type ExplainedRole, type ExplainResult } from '../../src/app/explain-roles.js';
import type { RoleRef } from '../../src/core/roles.js';
import { ORG_ID } from '../support/app.js';
import { json, type RecordedRequest } from '../support/http-stub.js';
import { useCaseWorld, type UseCaseWorld } from '../support/use-cases.js';

const asker = { kind: 'person', slackUserId: 'U0ASKER' } as const;
const CUSTOM_ID = 'clrole00000001abcdefghijk';

/** Astro's role answers, as the v1 spec shapes them. */
const ROLES_PAGE = {
  roles: [{ id: CUSTOM_ID, name: 'Viewer+', description: 'Sees the Deployment and its logs.', scopeType: 'DEPLOYMENT', restrictedWorkspaceIds: [] }],
  defaultRoles: [
    { name: 'WORKSPACE_OPERATOR', scopeType: 'WORKSPACE', permissions: ['workspace.get', 'workspace.deployments.create'] },
    { name: 'DEPLOYMENT_ADMIN', scopeType: 'DEPLOYMENT', description: 'Manages one Deployment.', permissions: ['deployment.get', 'deployment.airflow.connection.get', 'deployment.get'] },
  ],
  offset: 0,
  limit: 1000,
  totalCount: 1,
};
const CUSTOM_ROLE = { ...ROLES_PAGE.roles[0], permissions: ['deployment.get', 'deployment.logs.get', 'deployment.get'] };
const GROUPS: Record<string, unknown[]> = {
  DEPLOYMENT: [
    {
      name: 'deployment',
      description: 'The Deployment itself.',
      scope: 'Deployment',
      permissions: [
        { action: 'deployment.get', description: 'Get information about the Deployment.' },
        { action: 'deployment.logs.get', description: 'View the Deployment logs.' },
      ],
    },
    { name: 'deployment.airflow.connection', description: '', scope: 'Deployment Airflow Connection', permissions: [{ action: 'get', description: 'View connections in the Airflow UI.' }] },
  ],
  DAG: [{ name: 'dag', description: 'A Dag.', scope: 'Dag', permissions: [{ action: 'dag.get', description: 'View the Dag.' }] }],
};

const ASKED: RoleRef[] = [
  { scope: 'DEPLOYMENT', role: 'Viewer+' },
  { scope: 'DEPLOYMENT', role: 'DEPLOYMENT_ADMIN' },
  { scope: 'WORKSPACE', role: 'WORKSPACE_OPERATOR' },
  { scope: 'WORKSPACE', role: 'WORKSPACE_OPERATOR' },
];

let w: UseCaseWorld;
/** How the role endpoints answer: 200 with the data above, or the given status. */
let rolesStatus: number;
let wordsStatus: number;

/** Role requests only (not users). */
const roleRequests = () => w.astro.requests.filter((r) => /\/roles|permission-groups/.test(r.url));

beforeEach(async () => {
  w = await useCaseWorld();
  rolesStatus = 200;
  wordsStatus = 200;
  w.astroState.answer = (req: RecordedRequest, res: ServerResponse) => {
    const url = new URL(req.url, 'http://stub');
    if (url.pathname === `/organizations/${ORG_ID}/roles`) {
      if (rolesStatus !== 200) json(res, rolesStatus, { message: 'nope', requestId: 'req-roles', statusCode: rolesStatus });
      else json(res, 200, ROLES_PAGE);
      return true;
    }
    if (url.pathname === `/organizations/${ORG_ID}/roles/${CUSTOM_ID}`) {
      if (rolesStatus !== 200) json(res, rolesStatus, { message: 'nope', requestId: 'req-role', statusCode: rolesStatus });
      else json(res, 200, CUSTOM_ROLE);
      return true;
    }
    if (url.pathname === '/authorization/permission-groups') {
      if (wordsStatus !== 200) json(res, wordsStatus, { message: 'nope', requestId: 'req-words', statusCode: wordsStatus });
      else json(res, 200, GROUPS[url.searchParams.get('scopeType') ?? ''] ?? []);
      return true;
    }
    return false;
  };
});
afterEach(() => w.close());

function explained(result: ExplainResult): ExplainedRole[] {
  if (result.kind !== 'explained') throw new Error(`expected an explanation, got ${JSON.stringify(result)}`);
  return result.roles;
}
const byRole = (roles: ExplainedRole[], role: string) => roles.find((r) => r.ref.role === role)!;

describe('with Astro answering', () => {
  it('explains built-in and custom roles once each, widest scope first, with Astro permissions in words, deduplicated', async () => {
    const result = await explainRoles(w.services, w.ctx(asker, 'explain'), ASKED);
    const roles = explained(result);
    expect(roles.map((r) => r.label)).toEqual(['Workspace Operator', 'Deployment Admin', 'Viewer+']);

    const custom = byRole(roles, 'Viewer+');
    expect(custom).toMatchObject({ custom: true, summary: 'Sees the Deployment and its logs.', summarySource: 'astro' });
    expect(custom.permissions!.count).toBe(2);
    expect(custom.permissions!.groups).toEqual([
      {
        title: 'Deployment',
        description: 'The Deployment itself.',
        permissions: [
          { action: 'deployment.get', description: 'Get information about the Deployment.' },
          { action: 'deployment.logs.get', description: 'View the Deployment logs.' },
        ],
      },
    ]);

    // Built-in: Astro's description and permissions; the group's words found by `<group>.<action>` too.
    const admin = byRole(roles, 'DEPLOYMENT_ADMIN');
    expect(admin).toMatchObject({ custom: false, summary: 'Manages one Deployment.', summarySource: 'astro' });
    expect(admin.permissions!.count).toBe(2);
    expect(admin.permissions!.groups.flatMap((g) => g.permissions)).toContainEqual({ action: 'deployment.airflow.connection.get', description: 'View connections in the Airflow UI.' });

    // No text from Astro for a Workspace role: the documented paragraph and table, and Astro's permissions by name.
    const operator = byRole(roles, 'WORKSPACE_OPERATOR');
    expect(operator.summarySource).toBe('docs');
    expect(operator.summary).toMatch(/^Everything a Workspace Author can do/);
    expect(operator.abilities!.items).toEqual(expect.arrayContaining(['Update Deployment configurations', 'Manually trigger DAG and task runs', 'View Airflow task logs']));
    expect(operator.abilities!.items).not.toContain('Invite users to a Workspace');
    expect(operator.permissions!.groups.flatMap((g) => g.permissions)).toEqual([{ action: 'workspace.get' }, { action: 'workspace.deployments.create' }]);
    expect(result.kind === 'explained' && result.notes).toEqual([]);

    // ListRoles (with the built-in roles, every scope), GetCustomRole, ListPermissionGroups ×2.
    const urls = roleRequests().map((r) => r.url).sort();
    expect(urls).toEqual(
      [
        `/organizations/${ORG_ID}/roles/${CUSTOM_ID}`,
        `/organizations/${ORG_ID}/roles?includeDefaultRoles=true&scopeTypes=ORGANIZATION&scopeTypes=WORKSPACE&scopeTypes=DEPLOYMENT&scopeTypes=DAG&offset=0&limit=1000`,
        '/authorization/permission-groups?scopeType=DAG',
        '/authorization/permission-groups?scopeType=DEPLOYMENT',
      ].sort(),
    );
    expect(w.takes).toHaveLength(0);
    const line = w.logs.find((l) => l.msg === 'explain_roles');
    expect(line).toMatchObject({ audit: true, surface: 'explain', team: 'T0001', slackUser: 'U0ASKER', outcome: 'explained', roles: 3, custom: 1, roleList: 'astro', words: 'astro' });
  });

  it('reads the catalog once per organization: a second click and concurrent clicks make no new request', async () => {
    await Promise.all([explainRoles(w.services, w.ctx(asker, 'explain'), ASKED), explainRoles(w.services, w.ctx(asker, 'explain'), ASKED)]);
    expect(roleRequests()).toHaveLength(4);
    explained(await explainRoles(w.services, w.ctx(asker, 'explain'), ASKED));
    expect(roleRequests()).toHaveLength(4);
  });

  it('says when a custom role name matches no custom role of the organization', async () => {
    const roles = explained(await explainRoles(w.services, w.ctx(asker, 'explain'), [{ scope: 'DEPLOYMENT', role: 'Deleted role' }]));
    expect(roles[0]).toMatchObject({ custom: true, label: 'Deleted role', permissionsMissing: 'not_found', summarySource: 'docs' });
    expect(roleRequests().some((r) => r.url.includes(CUSTOM_ID))).toBe(false);
  });

  it("shows permissions by name, and says so, when Astro's words cannot be read", async () => {
    wordsStatus = 500;
    const result = await explainRoles(w.services, w.ctx(asker, 'explain'), ASKED);
    const custom = byRole(explained(result), 'Viewer+');
    expect(custom.permissions!.groups.flatMap((g) => g.permissions)).toEqual([{ action: 'deployment.get' }, { action: 'deployment.logs.get' }]);
    expect(result.kind === 'explained' && result.notes).toEqual([{ code: 'words_unavailable' }]);
  });
});

describe('when Astro will not say', () => {
  it('falls back to the documented tables on a 403, names the permission needed, and remembers the refusal', async () => {
    rolesStatus = 403;
    const result = await explainRoles(w.services, w.ctx(asker, 'explain'), ASKED);
    const roles = explained(result);
    expect(result.kind === 'explained' && result.notes).toEqual([{ code: 'roles_denied', permission: 'organization.customRoles.get', role: 'Organization Member' }]);
    const operator = byRole(roles, 'WORKSPACE_OPERATOR');
    expect(operator).toMatchObject({ summarySource: 'docs', permissionsMissing: 'denied' });
    expect(operator.abilities!.items).toContain('Create and delete Deployments');
    expect(byRole(roles, 'DEPLOYMENT_ADMIN').summary).toMatch(/same permissions as a Workspace Operator/);
    expect(byRole(roles, 'Viewer+')).toMatchObject({ custom: true, summarySource: 'docs', permissionsMissing: 'denied' });
    expect(roles.every((r) => r.permissions === undefined)).toBe(true);
    // No GetCustomRole for a role that could not be found; the refusal is not asked again.
    const before = roleRequests().length;
    expect(roleRequests().some((r) => r.url.includes(CUSTOM_ID))).toBe(false);
    explained(await explainRoles(w.services, w.ctx(asker, 'explain'), ASKED));
    expect(roleRequests().filter((r) => r.url.includes('/roles')).length).toBe(1);
    expect(roleRequests().length - before).toBe(0);
  });

  it('does not ask for roles when the last probe of the token found them denied', async () => {
    rolesStatus = 403;
    expect((await w.capabilities.probeOperatorToken())?.roles).toBe('denied');
    rolesStatus = 200;
    const before = roleRequests().length;
    const result = await explainRoles(w.services, w.ctx(asker, 'explain'), ASKED);
    expect(result.kind === 'explained' && result.notes).toEqual([{ code: 'roles_denied', permission: 'organization.customRoles.get', role: 'Organization Member' }]);
    expect(roleRequests().slice(before).filter((r) => r.url.includes('/roles'))).toEqual([]);
  });

  it('explains from the documented tables when Astro is down, and asks again next time', async () => {
    w.astroState.down = true;
    const result = await explainRoles(w.services, w.ctx(asker, 'explain'), [{ scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' }, { scope: 'DAG', role: 'DAG_VIEWER' }]);
    const roles = explained(result);
    expect(result.kind === 'explained' && result.notes).toEqual([{ code: 'roles_unavailable' }]);
    const owner = byRole(roles, 'ORGANIZATION_OWNER');
    expect(owner.abilities!.items).toEqual(expect.arrayContaining(['View Organization details and user membership', 'Update Organization billing information and settings', 'Create, update, and delete a Team']));
    expect(owner.abilities!.unlisted).toEqual(['Organization Observe Member', 'Organization Observe Admin']);
    expect(byRole(roles, 'DAG_VIEWER').summary).toBe('Read-only access to a specific Dag and its resources.');
    const before = roleRequests().length;
    w.astroState.down = false;
    explained(await explainRoles(w.services, w.ctx(asker, 'explain'), ASKED));
    expect(roleRequests().length).toBeGreaterThan(before);
  });

  it('refuses an asker the workspace does not let look users up, asking Astro nothing', async () => {
    w.slack.people.UGUEST = { isGuest: true };
    const result = await explainRoles(w.services, w.ctx({ kind: 'person', slackUserId: 'UGUEST' }, 'explain'), ASKED);
    expect(result).toEqual({ kind: 'refused', failure: { code: 'guest_refused' } });
    expect(w.astro.requests).toHaveLength(0);
    expect(w.logs.find((l) => l.msg === 'explain_roles')).toMatchObject({ outcome: 'refused', kind: 'guest_refused' });
  });
});
