/**
 * A small organization for access tests: two Workspaces ("Data", "Web"), each with a Deployment
 * called etl-prod (the same name twice), people with every kind of role on Data's etl-prod, an
 * identity-provider Team, and API tokens (one whose secret must never show).
 */
import { ORG_ID } from './app.js';
import { orgId, orgTeam, orgToken, orgUser, type AstroOrg } from './astro-org.js';

export const DATA = orgId('wksp', 1);
export const WEB = orgId('wksp', 2);
export const ETL_PROD = orgId('depl', 1);
export const WEB_ETL_PROD = orgId('depl', 2);
export const ETL_DEV = orgId('depl', 3);

/** Builds the organization afresh (tests may change it). */
export function accessOrg(): AstroOrg {
  const owner = orgUser(1, { organizationRole: 'ORGANIZATION_OWNER', fullName: 'Olga Owner' });
  const operator = orgUser(2, { fullName: 'Oscar Operator', workspaceRoles: [{ workspaceId: DATA, role: 'WORKSPACE_OPERATOR' }] });
  const admin = orgUser(3, { fullName: 'Ada Admin', deploymentRoles: [{ deploymentId: ETL_PROD, role: 'DEPLOYMENT_ADMIN' }] });
  const viewer = orgUser(4, { fullName: 'Dag Viewer', dagRoles: [{ deploymentId: ETL_PROD, role: 'DAG_VIEWER', dagTag: 'finance' }] });
  const both = orgUser(5, { fullName: 'Bea Both', deploymentRoles: [{ deploymentId: ETL_PROD, role: 'DEPLOYMENT_ACCESSOR' }] });
  const teamOnly = orgUser(6, { fullName: 'Tim Teamonly' });
  const elsewhere = orgUser(7, { fullName: 'Elsa Elsewhere', workspaceRoles: [{ workspaceId: WEB, role: 'WORKSPACE_OWNER' }] });
  const banned = orgUser(8, { fullName: 'Ben Banned', status: 'BANNED', deploymentRoles: [{ deploymentId: ETL_PROD, role: 'DEPLOYMENT_ADMIN' }] });
  const dataEng = orgTeam(1, [both.id, teamOnly.id], { name: 'Data Eng', isIdpManaged: true, workspaceRoles: [{ workspaceId: DATA, role: 'WORKSPACE_AUTHOR' }] });
  const webTeam = orgTeam(2, [elsewhere.id], { name: 'Web Folks', workspaceRoles: [{ workspaceId: WEB, role: 'WORKSPACE_MEMBER' }] });
  const soon = new Date(Date.now() + 5 * 24 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    workspaces: [
      { id: DATA, name: 'Data', organizationId: ORG_ID, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', cicdEnforcedDefault: false },
      { id: WEB, name: 'Web', organizationId: ORG_ID, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', cicdEnforcedDefault: false },
    ],
    deployments: [
      { id: ETL_PROD, name: 'etl-prod', workspaceId: DATA, workspaceName: 'Data', status: 'HEALTHY' },
      { id: WEB_ETL_PROD, name: 'etl-prod', workspaceId: WEB, workspaceName: 'Web', status: 'HIBERNATING' },
      { id: ETL_DEV, name: 'etl-dev', workspaceId: DATA, workspaceName: 'Data', status: 'HEALTHY' },
    ],
    users: [owner, operator, admin, viewer, both, teamOnly, elsewhere, banned],
    teams: [dataEng, webTeam],
    tokens: [
      orgToken(1, [{ entityType: 'DEPLOYMENT', entityId: ETL_PROD, role: 'DEPLOYMENT_ADMIN' }], { name: 'ci-deploy', endAt: soon, lastUsedAt: '2026-11-30T10:00:00Z' }),
      orgToken(2, [{ entityType: 'ORGANIZATION', entityId: ORG_ID, role: 'ORGANIZATION_OWNER' }], { name: 'terraform' }),
      orgToken(3, [{ entityType: 'DEPLOYMENT', entityId: ETL_DEV, role: 'DEPLOYMENT_ADMIN' }], { name: 'dev-only' }),
    ],
    served: [],
  };
}
