/**
 * What Astro's built-in roles can do, in Astronomer's own words, for when Astro's API gives no text
 * (Organization and Workspace permissions have no descriptions in `ListPermissionGroups`, and a
 * token without `organization.customRoles.get` cannot call `ListRoles` at all). Pure data.
 *
 * Sources (nothing here is invented; a role the pages do not describe has no entry):
 * - Astro user permissions reference, https://www.astronomer.io/docs/astro/user-permissions: the
 *   role hierarchies ("Organization Owner > Organization Billing Admin > Organization Observe
 *   Admin > Organization Observe Member > Organization Member"; "Workspace Owner > Workspace
 *   Operator > Workspace Author > Workspace Member > Workspace Accessor"; senior roles have the
 *   permissions of lower roles), the Organization and Workspace permission tables (rows as
 *   published in https://github.com/astronomer/docs/blob/main/astro/user-permissions.md), the
 *   description of each Workspace role, and of Deployment Admin.
 * - Dag-level access control, https://www.astronomer.io/docs/astro/dag-level-access-control: the
 *   two default Dag roles.
 * - Create and assign custom Deployment roles, https://www.astronomer.io/docs/astro/customize-deployment-roles:
 *   custom roles, and that Deployment roles add up.
 */
import type { RoleRef, RoleScope } from './roles.js';

/** The Astro user permissions reference (roles, hierarchies, permission tables). */
export const USER_PERMISSIONS_URL = 'https://www.astronomer.io/docs/astro/user-permissions';
/** Dag-level access control (Dag Viewer, Dag Author, custom Dag roles). */
export const DAG_ACCESS_URL = 'https://www.astronomer.io/docs/astro/dag-level-access-control';
/** Custom Deployment roles. */
export const CUSTOM_ROLES_URL = 'https://www.astronomer.io/docs/astro/customize-deployment-roles';

/** One built-in role as Astronomer's documentation describes it. */
export interface DocumentedRole {
  /** One paragraph in plain words (Astronomer's wording, shortened). */
  summary: string;
  /** The role directly below it in its hierarchy, whose abilities it also has. */
  includes?: string;
  /** The rows of the permission table this role adds to {@link DocumentedRole.includes}'s (may be empty). */
  adds: readonly string[];
  /** True when the page names the role but its table does not list what it adds. */
  addsNotListed?: boolean;
  /** The page this comes from. */
  source: string;
}

const ORG_MEMBER_ROWS = ['View Organization details and user membership', 'View lineage metadata in the Lineage tab', 'View clusters'] as const;
const ORG_BILLING_ROWS = [
  'Update Organization billing information and settings',
  'View usage for all Workspaces in the Usage tab',
  'View Organization-level metrics dashboards on the Dashboards page',
] as const;
const ORG_OWNER_ROWS = [
  'Create, update, and delete clusters',
  'Create a new Workspace',
  'Workspace Owner permissions to all Workspaces',
  'Update roles and permissions of existing Organization users',
  'Invite a new user to an Organization',
  'Remove a user from an Organization',
  'Create, update, and delete Organization API tokens',
  'Access, regenerate, and delete single sign-on (SSO) bypass links',
  'Create, update, and delete a Team',
  'Configure environment secrets fetching',
  'Configure IP access',
] as const;

const WS_MEMBER_ROWS = [
  'View Deployment and Workspace users and teams',
  'View all Deployments in the Astro UI',
  'View DAGs in the Airflow UI',
  'View Airflow task logs',
  'View Airflow datasets',
  'View Astro Cloud IDE projects',
  'View Astro alerts',
  'View the Cluster Activity tab in the Airflow UI',
  'Use custom plugins from the Airflow UI menu',
] as const;
const WS_AUTHOR_ROWS = [
  'Manually trigger DAG and task runs',
  'Pause or unpause a DAG',
  'Clear/mark a task run or DAG run',
  'Push code to Deployments or Astro Cloud IDE projects',
  'Create, update, and delete Astro Cloud IDE projects',
  'Create, update, and delete Astro alerts',
  'View Airflow connections, variables, plugins, providers, pools, and XComs that were created in the Airflow UI',
] as const;
const WS_OPERATOR_ROWS = [
  'Create, update, and delete Airflow connections, variables, plugins, providers, pools, and XComs',
  'Create, update, delete, and assign connections to Deployments in the Astro Environment Manager',
  'Update Deployment configurations',
  'Create and delete Deployments',
  'Create, update, and delete Deployment environment variables',
  'Create, update, and delete Workspace API tokens',
  'Create, delete, pause, and unpause hibernation schedules',
] as const;
const WS_OWNER_ROWS = ['Create, update, and delete Deployment API tokens', 'Update user roles and permissions', 'Invite users to a Workspace', 'Assign Teams to or remove from Workspaces'] as const;

const ALL_WORKSPACES = 'A Workspace role applies to every Deployment in the Workspace.';

/** The documented built-in roles, by scope and Astro's role constant. */
export const DOCUMENTED_ROLES: Readonly<Record<RoleScope, Readonly<Record<string, DocumentedRole>>>> = {
  ORGANIZATION: {
    ORGANIZATION_OWNER: {
      summary:
        "Full control of the Organization: its users, Teams, Organization API tokens, clusters, new Workspaces, single sign-on bypass links, IP access and environment secrets fetching, on top of every Billing Admin permission. Organization Owners are also Workspace Owners in every Workspace of the Organization.",
      includes: 'ORGANIZATION_BILLING_ADMIN',
      adds: ORG_OWNER_ROWS,
      source: USER_PERMISSIONS_URL,
    },
    ORGANIZATION_BILLING_ADMIN: {
      summary: "Manages the Organization's billing information and settings, and sees the usage of every Workspace and the Organization's metrics dashboards, on top of what the roles below it in the hierarchy can do.",
      includes: 'ORGANIZATION_OBSERVE_ADMIN',
      adds: ORG_BILLING_ROWS,
      source: USER_PERMISSIONS_URL,
    },
    ORGANIZATION_OBSERVE_ADMIN: {
      summary: "Ranks between Organization Billing Admin and Organization Observe Member in Astronomer's role hierarchy, so it has every permission of the roles below it, down to Organization Member. Astronomer's permissions page lists what it adds.",
      includes: 'ORGANIZATION_OBSERVE_MEMBER',
      adds: [],
      addsNotListed: true,
      source: USER_PERMISSIONS_URL,
    },
    ORGANIZATION_OBSERVE_MEMBER: {
      summary: "Ranks just above Organization Member in Astronomer's role hierarchy, so it has every Organization Member permission. Astronomer's permissions page lists what it adds.",
      includes: 'ORGANIZATION_MEMBER',
      adds: [],
      addsNotListed: true,
      source: USER_PERMISSIONS_URL,
    },
    ORGANIZATION_MEMBER: {
      summary: "The base Organization role every user has: view the Organization's details and users, its lineage metadata and its clusters. Access to a Workspace comes from a Workspace role.",
      adds: ORG_MEMBER_ROWS,
      source: USER_PERMISSIONS_URL,
    },
  },
  WORKSPACE: {
    WORKSPACE_OWNER: {
      summary: `Everything a Workspace Operator can do, plus manage who belongs to the Workspace: invite users, change their roles, assign Teams, and manage Deployment API tokens. ${ALL_WORKSPACES}`,
      includes: 'WORKSPACE_OPERATOR',
      adds: WS_OWNER_ROWS,
      source: USER_PERMISSIONS_URL,
    },
    WORKSPACE_OPERATOR: {
      summary: `Everything a Workspace Author can do, plus manage the environments DAGs run in: Deployment configuration, environment variables, Airflow connections and variables, and creating or deleting Deployments. ${ALL_WORKSPACES}`,
      includes: 'WORKSPACE_AUTHOR',
      adds: WS_OPERATOR_ROWS,
      source: USER_PERMISSIONS_URL,
    },
    WORKSPACE_AUTHOR: {
      summary: `Everything a Workspace Member can do, plus update DAG code and run DAGs in the Airflow UI, and configure Deployment-level observability such as Astro alerts: for DAG developers who don't manage the environments their DAGs run in. ${ALL_WORKSPACES}`,
      includes: 'WORKSPACE_MEMBER',
      adds: WS_AUTHOR_ROWS,
      source: USER_PERMISSIONS_URL,
    },
    WORKSPACE_MEMBER: {
      summary: `Views the most basic details about Deployments, DAGs, tasks, logs and alerts: for someone who monitors DAG runs or Deployment health but shouldn't change a Deployment. ${ALL_WORKSPACES}`,
      includes: 'WORKSPACE_ACCESSOR',
      adds: WS_MEMBER_ROWS,
      source: USER_PERMISSIONS_URL,
    },
    WORKSPACE_ACCESSOR: {
      summary:
        'The fewest permissions in a Workspace: only basic information about the Workspace. Further permissions come only from a Deployment role; Astro gives this role to someone granted a Deployment role without a Workspace role.',
      adds: [],
      source: USER_PERMISSIONS_URL,
    },
  },
  DEPLOYMENT: {
    DEPLOYMENT_ADMIN: {
      summary:
        "The same permissions as a Workspace Operator, but only for Deployment-level operations in this one Deployment: for example, it can create a Deployment environment variable, but not an Astro alert (alerts are configured at the Workspace level).",
      adds: [],
      source: USER_PERMISSIONS_URL,
    },
  },
  DAG: {
    DAG_AUTHOR: { summary: 'Read, edit, and delete access to a specific Dag and its resources.', adds: [], source: DAG_ACCESS_URL },
    DAG_VIEWER: { summary: 'Read-only access to a specific Dag and its resources.', adds: [], source: DAG_ACCESS_URL },
  },
};

/** What the documentation says of a role: undefined for custom roles and built-in roles the pages do not describe. */
export function documentedRole(ref: RoleRef): DocumentedRole | undefined {
  return Object.hasOwn(DOCUMENTED_ROLES[ref.scope], ref.role) ? DOCUMENTED_ROLES[ref.scope][ref.role] : undefined;
}

/**
 * Every documented ability of a role: its own table rows after those of the roles it includes
 * (walking down the hierarchy), without repeats, and the roles whose additions the page does not
 * list (e.g. the Observe roles under an Organization Owner).
 */
export function documentedAbilities(ref: RoleRef): { abilities: string[]; unlisted: string[] } {
  const abilities: string[] = [];
  const unlisted: string[] = [];
  const chain: string[] = [];
  let role: string | undefined = ref.role;
  while (role !== undefined && !chain.includes(role)) {
    chain.push(role);
    role = documentedRole({ scope: ref.scope, role })?.includes;
  }
  for (const r of chain.reverse()) {
    const doc = documentedRole({ scope: ref.scope, role: r });
    if (!doc) continue;
    if (doc.addsNotListed) unlisted.push(r);
    for (const row of doc.adds) if (!abilities.includes(row)) abilities.push(row);
  }
  return { abilities, unlisted };
}

/** What the documentation says of any custom role of a scope (its own permissions come from Astro). */
export function customRoleSummary(scope: RoleScope): { summary: string; source: string } {
  switch (scope) {
    case 'DEPLOYMENT':
      return {
        summary: "A custom Deployment role your Organization defined, with the Deployment-level permissions it chose. Deployment roles add up: someone with several has each role's permissions, plus those of their Workspace role.",
        source: CUSTOM_ROLES_URL,
      };
    case 'DAG':
      return { summary: 'A custom Dag role your Organization defined, for the Dags it is bound to (by Dag ID or tag), with the permissions it chose.', source: DAG_ACCESS_URL };
    default:
      return { summary: 'A custom role your Organization defined: what it can do is the permissions Astro lists for it.', source: USER_PERMISSIONS_URL };
  }
}

/** What to say of a built-in role the documentation does not describe (e.g. one newer than these tables). */
export const UNDOCUMENTED_ROLE = {
  summary: "One of Astro's built-in roles that Astronomer's permissions page does not describe: what it can do is the permissions Astro lists for it.",
  source: USER_PERMISSIONS_URL,
} as const;
