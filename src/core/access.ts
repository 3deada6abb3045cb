/**
 * Who can access a Deployment or a Workspace, and why: the rules, pure. Source: Astronomer's
 * documentation on user permissions, https://www.astronomer.io/docs/astro/user-permissions —
 * Organization Owners are Workspace Owners in every Workspace; a Workspace role reaches every
 * Deployment of that Workspace; a role held through a Team counts like a direct one, and where a
 * person holds several, the more privileged applies (every way is still shown); DAG roles reach one
 * DAG (by ID) or the DAGs with a tag (https://www.astronomer.io/docs/astro/dag-level-access-control).
 *
 * The inputs are structural (users, Teams with members, API tokens as Astro describes them), so this
 * module imports nothing of the project.
 */
import { rolePower, type RoleScope } from './roles.js';

/** What is asked about. */
export type AccessSubject = { kind: 'deployment'; deploymentId: string; workspaceId: string } | { kind: 'workspace'; workspaceId: string };

/** Roles as Astro lists them on a user or a Team. */
export interface RoleHolding {
  organizationRole?: string;
  workspaceRoles: readonly { workspaceId: string; role: string }[];
  deploymentRoles: readonly { deploymentId: string; role: string }[];
  dagRoles: readonly { deploymentId: string; role: string; dagId?: string; dagTag?: string }[];
}

/** A user with roles (Astro `User`). */
export interface UserInput extends RoleHolding {
  id: string;
  username: string;
  fullName: string;
  status: string;
}

/** A member of a Team (Astro `TeamMember`). */
export interface MemberInput {
  userId: string;
  username: string;
  fullName?: string;
}

/** A Team with the roles it grants and (as far as read) its members. */
export interface TeamInput extends RoleHolding {
  id: string;
  name: string;
  isIdpManaged?: boolean;
  members: readonly MemberInput[];
  /** Members Astro counts in all (`totalCount`), when more than were read. */
  memberCount?: number;
}

/** An API token (Astro `ApiToken`), never its secret. */
export interface TokenInput {
  id: string;
  name: string;
  scope: string;
  roles: readonly { entityType: string; entityId: string; role: string; deploymentId?: string }[];
  endAt?: string;
  lastUsedAt?: string;
}

/** One way a role reaches the subject. */
export interface Grant {
  scope: RoleScope;
  role: string;
  /** Where the role is held: the organization, the Workspace, the Deployment, or DAGs of it. */
  on: { kind: 'organization' } | { kind: 'workspace'; id: string } | { kind: 'deployment'; id: string } | { kind: 'dag'; deploymentId: string; dagId?: string; dagTag?: string };
  /** Set when the role comes through a Team. */
  team?: { id: string; name: string; isIdpManaged?: boolean };
}

/** Someone or something with access. */
export type Holder =
  | { kind: 'person'; id: string; name: string; username: string; status?: string; grants: Grant[]; top: Grant }
  | { kind: 'team'; id: string; name: string; isIdpManaged?: boolean; memberCount: number; grants: Grant[]; top: Grant }
  | { kind: 'token'; id: string; name: string; scope: string; endAt?: string; lastUsedAt?: string; grants: Grant[]; top: Grant };

/** Holders grouped by their most powerful role. */
export interface AccessGroup {
  scope: RoleScope;
  role: string;
  /** The role's rank ({@link rolePower}); groups are sorted by it, most powerful first. */
  power: number;
  holders: Holder[];
}

/** The whole answer's shape. */
export interface AccessList {
  subject: AccessSubject;
  groups: AccessGroup[];
  counts: { people: number; teams: number; tokens: number };
}

/** The grants of `holding` that reach `subject` (Organization Owner, Workspace, Deployment, DAG roles). */
export function grantsOn(holding: RoleHolding, subject: AccessSubject, team?: Grant['team']): Grant[] {
  const out: Grant[] = [];
  const withTeam = (g: Grant): Grant => (team ? { ...g, team } : g);
  if (holding.organizationRole === 'ORGANIZATION_OWNER') out.push(withTeam({ scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER', on: { kind: 'organization' } }));
  for (const r of holding.workspaceRoles) if (r.workspaceId === subject.workspaceId) out.push(withTeam({ scope: 'WORKSPACE', role: r.role, on: { kind: 'workspace', id: r.workspaceId } }));
  if (subject.kind === 'deployment') {
    for (const r of holding.deploymentRoles) if (r.deploymentId === subject.deploymentId) out.push(withTeam({ scope: 'DEPLOYMENT', role: r.role, on: { kind: 'deployment', id: r.deploymentId } }));
    for (const r of holding.dagRoles) {
      if (r.deploymentId !== subject.deploymentId) continue;
      out.push(withTeam({ scope: 'DAG', role: r.role, on: { kind: 'dag', deploymentId: r.deploymentId, ...(r.dagId ? { dagId: r.dagId } : {}), ...(r.dagTag ? { dagTag: r.dagTag } : {}) } }));
    }
  }
  return out;
}

/** The grants of an API token that reach `subject` (token roles are per entity: organization, Workspace, Deployment, DAG, DAG tag). */
export function tokenGrantsOn(token: TokenInput, subject: AccessSubject): Grant[] {
  const out: Grant[] = [];
  for (const r of token.roles) {
    switch (r.entityType) {
      case 'ORGANIZATION':
        if (r.role === 'ORGANIZATION_OWNER') out.push({ scope: 'ORGANIZATION', role: r.role, on: { kind: 'organization' } });
        break;
      case 'WORKSPACE':
        if (r.entityId === subject.workspaceId) out.push({ scope: 'WORKSPACE', role: r.role, on: { kind: 'workspace', id: r.entityId } });
        break;
      case 'DEPLOYMENT':
        if (subject.kind === 'deployment' && r.entityId === subject.deploymentId) out.push({ scope: 'DEPLOYMENT', role: r.role, on: { kind: 'deployment', id: r.entityId } });
        break;
      case 'DAG':
      case 'DAG_TAG':
        if (subject.kind === 'deployment' && r.deploymentId === subject.deploymentId) {
          out.push({ scope: 'DAG', role: r.role, on: { kind: 'dag', deploymentId: r.deploymentId, ...(r.entityType === 'DAG' ? { dagId: r.entityId } : { dagTag: r.entityId }) } });
        }
        break;
    }
  }
  return out;
}

/**
 * Holders' names in order, ignoring case and accents. One collator for every comparison:
 * `localeCompare` with a locale and options builds one per call, which held the event loop about
 * 600 ms to sort a Workspace of 5,000 people (https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/String/localeCompare#performance).
 */
const NAME_ORDER = new Intl.Collator('en', { sensitivity: 'base' });

/** Sort key of a grant: more powerful first; at equal power, direct before via a Team. */
function compareGrants(a: Grant, b: Grant): number {
  return rolePower(b) - rolePower(a) || Number(Boolean(a.team)) - Number(Boolean(b.team));
}

/**
 * Everyone and everything with access to `subject`: people (direct roles and roles through Teams,
 * merged per person and de-duplicated across every list they came from), Teams, and API tokens,
 * grouped by each one's most powerful role, most powerful group first; within a group people, then
 * Teams, then tokens, each by name.
 *
 * @param users Users from any number of lists (e.g. ListUsers by Deployment, by Workspace, the
 *   Organization Owners); the same ID may appear more than once (the first is used for name, the
 *   roles of all are merged).
 * @param teams Teams with their members as read; Teams granting nothing on `subject` are ignored.
 * @param tokens API tokens; those granting nothing on `subject` are ignored.
 */
export function computeAccess(subject: AccessSubject, users: readonly UserInput[], teams: readonly TeamInput[], tokens: readonly TokenInput[]): AccessList {
  const people = new Map<string, { id: string; name: string; username: string; status?: string; grants: Grant[]; seen: Set<string> }>();
  const addGrant = (p: { grants: Grant[]; seen: Set<string> }, g: Grant) => {
    const key = JSON.stringify([g.scope, g.role, g.on, g.team?.id ?? '']);
    if (p.seen.has(key)) return;
    p.seen.add(key);
    p.grants.push(g);
  };
  const personOf = (id: string, name: string, username: string, status?: string) => {
    let p = people.get(id);
    if (!p) {
      p = { id, name, username, grants: [], seen: new Set(), ...(status ? { status } : {}) };
      people.set(id, p);
    } else if (status && !p.status) p.status = status;
    return p;
  };
  for (const u of users) {
    const grants = grantsOn(u, subject);
    if (grants.length === 0) continue;
    const p = personOf(u.id, u.fullName, u.username, u.status);
    for (const g of grants) addGrant(p, g);
  }
  const teamHolders: Holder[] = [];
  for (const t of teams) {
    const team = { id: t.id, name: t.name, ...(t.isIdpManaged !== undefined ? { isIdpManaged: t.isIdpManaged } : {}) };
    const grants = grantsOn(t, subject, team).sort(compareGrants);
    if (grants.length === 0) continue;
    const memberCount = Math.max(t.memberCount ?? 0, t.members.length);
    // The Team's own line: its grants as its own (not "via" itself).
    const own = grants.map(({ team: _t, ...g }) => g);
    teamHolders.push({ kind: 'team', id: t.id, name: t.name, ...(t.isIdpManaged !== undefined ? { isIdpManaged: t.isIdpManaged } : {}), memberCount, grants: own, top: own[0]! });
    for (const m of t.members) {
      const p = personOf(m.userId, m.fullName ?? '', m.username);
      for (const g of grants) addGrant(p, g);
    }
  }
  const tokenHolders: Holder[] = [];
  for (const t of tokens) {
    const grants = tokenGrantsOn(t, subject).sort(compareGrants);
    if (grants.length === 0) continue;
    tokenHolders.push({ kind: 'token', id: t.id, name: t.name, scope: t.scope, ...(t.endAt ? { endAt: t.endAt } : {}), ...(t.lastUsedAt ? { lastUsedAt: t.lastUsedAt } : {}), grants, top: grants[0]! });
  }
  const personHolders: Holder[] = [...people.values()].map((p) => {
    const grants = p.grants.sort(compareGrants);
    return { kind: 'person', id: p.id, name: p.name, username: p.username, ...(p.status ? { status: p.status } : {}), grants, top: grants[0]! };
  });

  const groups = new Map<string, AccessGroup>();
  const kindOrder = { person: 0, team: 1, token: 2 } as const;
  for (const h of [...personHolders, ...teamHolders, ...tokenHolders]) {
    const key = `${h.top.scope}\u0000${h.top.role}`;
    let g = groups.get(key);
    if (!g) {
      g = { scope: h.top.scope, role: h.top.role, power: rolePower(h.top), holders: [] };
      groups.set(key, g);
    }
    g.holders.push(h);
  }
  const byName = (a: Holder, b: Holder) => kindOrder[a.kind] - kindOrder[b.kind] || NAME_ORDER.compare(a.name || displayId(a), b.name || displayId(b)) || a.id.localeCompare(b.id);
  const sorted = [...groups.values()].sort((a, b) => b.power - a.power || a.role.localeCompare(b.role));
  for (const g of sorted) g.holders.sort(byName);
  return { subject, groups: sorted, counts: { people: personHolders.length, teams: teamHolders.length, tokens: tokenHolders.length } };
}

function displayId(h: Holder): string {
  return h.kind === 'person' ? h.username : h.id;
}
