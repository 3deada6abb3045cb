/**
 * Astro roles: their scopes and how powerful each is. Source: Astronomer's documentation on user
 * permissions, https://www.astronomer.io/docs/astro/user-permissions — roles are hierarchical within
 * a scope (Organization: Owner > Billing Admin > Observe Admin > Observe Member > Member; Workspace:
 * Owner > Operator > Author > Member > Accessor), Organization Owners are Workspace Owners in every
 * Workspace, and a Workspace role reaches every Deployment of the Workspace. Deployment and DAG roles
 * are free strings (built-in such as `DEPLOYMENT_ADMIN`, `DAG_VIEWER`, or a custom role's name:
 * https://www.astronomer.io/docs/astro/customize-deployment-roles). Pure.
 */

/** The scopes a role applies to. */
export type RoleScope = 'ORGANIZATION' | 'WORKSPACE' | 'DEPLOYMENT' | 'DAG';

/** One role, by scope and the name Astro gives it (an enum value, or a custom role's name). */
export interface RoleRef {
  scope: RoleScope;
  role: string;
}

/** Organization roles, most powerful first. */
export const ORGANIZATION_ROLES = ['ORGANIZATION_OWNER', 'ORGANIZATION_BILLING_ADMIN', 'ORGANIZATION_OBSERVE_ADMIN', 'ORGANIZATION_OBSERVE_MEMBER', 'ORGANIZATION_MEMBER'] as const;
/** Workspace roles, most powerful first. */
export const WORKSPACE_ROLES = ['WORKSPACE_OWNER', 'WORKSPACE_OPERATOR', 'WORKSPACE_AUTHOR', 'WORKSPACE_MEMBER', 'WORKSPACE_ACCESSOR'] as const;
/** Built-in Deployment roles, most powerful first (other values are custom roles). */
export const DEPLOYMENT_ROLES = ['DEPLOYMENT_ADMIN', 'DEPLOYMENT_ACCESSOR'] as const;
/** Built-in DAG roles, most powerful first. */
export const DAG_ROLES = ['DAG_AUTHOR', 'DAG_VIEWER'] as const;

/**
 * How much a role can do on a Deployment it reaches, as a rank: higher is more powerful. Any
 * Workspace role outranks any Deployment role of the same Workspace's Deployments only where the
 * docs say so: Workspace Owner and Operator manage every Deployment; a custom Deployment role ranks
 * between the Workspace Author and Member (its permissions are the admin's choice), a DAG role below
 * every Deployment-wide role. Unknown values rank lowest within their scope.
 */
export function rolePower(ref: RoleRef): number {
  const at = (list: readonly string[]) => {
    const i = list.indexOf(ref.role);
    return i < 0 ? -1 : list.length - i;
  };
  switch (ref.scope) {
    case 'ORGANIZATION':
      // Only Organization Owner reaches Deployments (as Workspace Owner everywhere).
      return ref.role === 'ORGANIZATION_OWNER' ? 100 : 10 + at(ORGANIZATION_ROLES);
    case 'WORKSPACE': {
      const i = at(WORKSPACE_ROLES);
      return i < 0 ? 50 : [0, 40, 55, 70, 85, 90][i]!;
    }
    case 'DEPLOYMENT':
      return ref.role === 'DEPLOYMENT_ADMIN' ? 80 : ref.role === 'DEPLOYMENT_ACCESSOR' ? 30 : 60;
    case 'DAG':
      return ref.role === 'DAG_AUTHOR' ? 25 : ref.role === 'DAG_VIEWER' ? 20 : 22;
  }
}

/** True when `role` is one of Astro's built-in roles of `scope` (not a custom role). */
export function isBuiltInRole(ref: RoleRef): boolean {
  const lists: Record<RoleScope, readonly string[]> = { ORGANIZATION: ORGANIZATION_ROLES, WORKSPACE: WORKSPACE_ROLES, DEPLOYMENT: DEPLOYMENT_ROLES, DAG: DAG_ROLES };
  return lists[ref.scope].includes(ref.role);
}

/** The scopes, widest first: the order roles are explained in. */
export const ROLE_SCOPES: readonly RoleScope[] = ['ORGANIZATION', 'WORKSPACE', 'DEPLOYMENT', 'DAG'];

/** Built-in roles of each scope, most powerful first (custom roles are any other value). */
export const BUILT_IN_ROLES: Readonly<Record<RoleScope, readonly string[]>> = { ORGANIZATION: ORGANIZATION_ROLES, WORKSPACE: WORKSPACE_ROLES, DEPLOYMENT: DEPLOYMENT_ROLES, DAG: DAG_ROLES };

/** A role's identity as a string (`DEPLOYMENT|my role`), for de-duplication and map keys. */
export function roleKey(ref: RoleRef): string {
  return `${ref.scope}|${ref.role}`;
}

/** `refs` without repeats (same scope and role), in first-seen order. */
export function distinctRoles(refs: Iterable<RoleRef>): RoleRef[] {
  const seen = new Map<string, RoleRef>();
  for (const ref of refs) if (!seen.has(roleKey(ref))) seen.set(roleKey(ref), { scope: ref.scope, role: ref.role });
  return [...seen.values()];
}

/** `refs` most powerful first ({@link rolePower}); equal power keeps the given order. A new array. */
export function byPower(refs: readonly RoleRef[]): RoleRef[] {
  return refs
    .map((ref, i) => ({ ref, i, power: rolePower(ref) }))
    .sort((a, b) => b.power - a.power || a.i - b.i)
    .map((x) => x.ref);
}

/** `refs` by scope (Organization, Workspace, Deployment, DAG), then most powerful first within each. A new array. */
export function inScopeOrder(refs: readonly RoleRef[]): RoleRef[] {
  return ROLE_SCOPES.flatMap((scope) => byPower(refs.filter((r) => r.scope === scope)));
}

/** Words kept in capitals when a role constant is turned into words. */
const ACRONYMS = new Set(['DAG', 'API', 'CI', 'CD', 'IDP', 'SSO', 'UI']);

/**
 * A role in plain words: `WORKSPACE_OPERATOR` → "Workspace Operator", `DAG_VIEWER` → "DAG Viewer".
 * Anything that is not an upper-case constant (a custom role such as "my custom role") is kept as
 * it is. Plain text: escape it before putting it in mrkdwn.
 */
export function roleWords(role: string): string {
  if (!/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(role)) return role;
  return role
    .split('_')
    .map((w) => (ACRONYMS.has(w) ? w : w.charAt(0) + w.slice(1).toLowerCase()))
    .join(' ');
}
