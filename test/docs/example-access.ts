/**
 * The README's example access answer and unfurl: what the renderers draw for a small, fixed
 * organization (the access rules applied in-process), as the text a reader sees.
 */
import { computeAccess, type TeamInput, type TokenInput, type UserInput } from '../../src/core/access.js';
import type { AccessResult } from '../../src/lookup/access.js';
import { renderAccess, renderUnfurl } from '../../src/slack/views/access.js';

const WS = 'clx1ws00000001abcdefghijk';
const DEP = 'clx1dep0000001abcdefghijk';
const AT = Date.parse('2026-12-01T09:30:00Z');

const person = (id: string, fullName: string, roles: Partial<UserInput>): UserInput => ({ id, username: `${fullName.split(' ')[0]!.toLowerCase()}@example.com`, fullName, status: 'ACTIVE', workspaceRoles: [], deploymentRoles: [], dagRoles: [], ...roles });

/** The example's access answer. */
export function exampleAccessResult(): AccessResult {
  const users = [
    person('u1', 'Olga Owner', { organizationRole: 'ORGANIZATION_OWNER' }),
    person('u2', 'Oscar Operator', { workspaceRoles: [{ workspaceId: WS, role: 'WORKSPACE_OPERATOR' }] }),
    person('u3', 'Ada Admin', { deploymentRoles: [{ deploymentId: DEP, role: 'DEPLOYMENT_ADMIN' }] }),
    person('u4', 'Bea Both', { deploymentRoles: [{ deploymentId: DEP, role: 'DEPLOYMENT_ACCESSOR' }] }),
    person('u5', 'Dag Viewer', { dagRoles: [{ deploymentId: DEP, role: 'DAG_VIEWER', dagTag: 'finance' }] }),
  ];
  const teams: TeamInput[] = [
    { id: 't1', name: 'Data Eng', isIdpManaged: true, workspaceRoles: [{ workspaceId: WS, role: 'WORKSPACE_AUTHOR' }], deploymentRoles: [], dagRoles: [], members: [{ userId: 'u4', username: 'bea@example.com', fullName: 'Bea Both' }, { userId: 'u6', username: 'tim@example.com', fullName: 'Tim Teamonly' }], memberCount: 2 },
  ];
  const tokens: TokenInput[] = [{ id: 'k1', name: 'ci-deploy', scope: 'DEPLOYMENT', roles: [{ entityType: 'DEPLOYMENT', entityId: DEP, role: 'DEPLOYMENT_ADMIN' }], endAt: '2026-12-06T00:00:00Z', lastUsedAt: '2026-11-30T22:00:00Z' }];
  return {
    subject: { kind: 'deployment', id: DEP, name: 'etl-prod', workspaceId: WS, workspaceName: 'Data', status: 'HEALTHY' },
    list: computeAccess({ kind: 'deployment', deploymentId: DEP, workspaceId: WS }, users, teams, tokens),
    names: { workspaces: { [WS]: 'Data' }, deployments: { [DEP]: 'etl-prod' } },
    missing: [],
    unread: { members: 0, teams: [] },
    fetchedAt: AT,
    fromCache: false,
  };
}

/** The text of blocks as a reader sees it (mrkdwn as sent), one block per paragraph; buttons in brackets. */
export function blocksAsText(blocks: unknown[]): string {
  const out: string[] = [];
  for (const b of blocks as { type: string; text?: { text: string }; accessory?: { text?: { text: string } }; elements?: { type: string; text?: string | { text: string } }[] }[]) {
    if (b.text) out.push(b.accessory?.text ? `${b.text.text}  [${b.accessory.text.text}]` : b.text.text);
    else if (b.type === 'context') out.push((b.elements ?? []).map((e) => (typeof e.text === 'string' ? e.text : '')).join(' '));
    else if (b.type === 'actions') out.push((b.elements ?? []).map((e) => `[${typeof e.text === 'object' ? e.text.text : ''}]`).join(' '));
  }
  return out.join('\n\n');
}

/** The example answer as `/astro-user access etl-prod` shows it. */
export function exampleAccessText(): string {
  return blocksAsText(renderAccess(exampleAccessResult(), { surface: 'message', kind: 'private', astroUiUrl: 'https://cloud.astronomer.io', now: AT, refValue: 'ref', shareAudience: '#ops' }).blocks);
}

/** The example unfurl of the same Deployment's link. */
export function exampleUnfurlText(): string {
  const r = exampleAccessResult();
  return blocksAsText(renderUnfurl({ subject: r.subject, counts: r.list.counts, missing: [], fetchedAt: AT }).blocks);
}
