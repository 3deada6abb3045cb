/**
 * "What can they do?": each role in plain words, with the permissions behind it. Built-in roles
 * come with their permissions from Astro (`ListRoles` with `includeDefaultRoles=true`), custom
 * roles are found by name (a user's Deployment and DAG roles are custom role names) and read with
 * `GetCustomRole`, and each Deployment and DAG permission gets Astro's own words
 * (`ListPermissionGroups`). Where Astro gives no text, or the token may not read roles (403 without
 * `organization.customRoles.get`), the words come from Astronomer's documented role tables
 * (src/core/role-docs.ts, https://www.astronomer.io/docs/astro/user-permissions). One failed call
 * never fails the whole explanation. Never throws.
 *
 * Who may ask is checked as for lookups ({@link checkAsker}); no abuse-limit point is taken: the
 * answer names no person, and the Astro reads behind it are cached per organization and shared by
 * concurrent clicks, so clicking again costs Astro nothing new.
 */
import type { AstroCustomRole, AstroDefaultRole, AstroPermissionGroup } from '../astro/org-schemas.js';
import { FEATURE_NEEDS, mayTry, UNPROBED } from '../core/capabilities.js';
import { toFailure, failureLabel, type Failure } from '../core/outcomes.js';
import { customRoleSummary, documentedAbilities, documentedRole, UNDOCUMENTED_ROLE } from '../core/role-docs.js';
import { byPower, distinctRoles, inScopeOrder, isBuiltInRole, roleWords, type RoleRef } from '../core/roles.js';
import type { CatalogPart, RoleList } from '../lookup/role-catalog.js';
import { checkAsker } from './asker.js';
import type { Services } from './ports.js';
import { auditLine, type AskContext } from './request.js';

/** Most roles explained at once; the most powerful are kept. */
export const MAX_EXPLAINED_ROLES = 40;

/** Where a piece of an explanation comes from: Astro's API, or Astronomer's documentation. */
export type ExplainSource = 'astro' | 'docs';

/** One permission: its action (e.g. `deployment.get`) and Astro's words for it, when Astro gave some. */
export interface ExplainedPermission {
  action: string;
  description?: string;
}

/** Permissions of one group (an Astro permission group, or the actions sharing a prefix). */
export interface ExplainedPermissionGroup {
  /** Astro's name of the group (e.g. "Deployment Airflow Connection"), or the actions' common prefix. */
  title: string;
  /** Astro's words for the group, when it gave some. */
  description?: string;
  permissions: ExplainedPermission[];
}

/** Why Astro's permissions of a role are not shown. */
export type PermissionsMissing =
  /** The token may not read roles (403). */
  | 'denied'
  /** Astro did not answer (error, timeout). */
  | 'failed'
  /** A custom role name no custom role of the organization has (deleted or renamed). */
  | 'not_found'
  /** Astro lists no such built-in role. */
  | 'not_listed';

/** One role explained. */
export interface ExplainedRole {
  ref: RoleRef;
  /** The role in plain words: "Workspace Operator", or a custom role's own name. */
  label: string;
  /** A custom role (not one of Astro's built-in roles). */
  custom: boolean;
  /** One paragraph in plain words. */
  summary: string;
  /** Where {@link ExplainedRole.summary} comes from. */
  summarySource: ExplainSource;
  /** The documentation page behind the documented parts. */
  docsUrl: string;
  /** What the documentation's tables list for the role (all of it, included roles' rows first). */
  abilities?: {
    items: string[];
    /** Included roles whose additions the documentation's table does not list (plain words). */
    unlisted: string[];
  };
  /** The permissions Astro lists for the role, grouped, each once. */
  permissions?: { groups: ExplainedPermissionGroup[]; count: number };
  /** Why {@link ExplainedRole.permissions} is absent, when it is. */
  permissionsMissing?: PermissionsMissing;
  /** A custom role limited to some Workspaces: their IDs. */
  restrictedWorkspaceIds?: string[];
}

/**
 * Something the reader should know about the whole answer:
 * - `roles_denied`: the token may not read roles, so custom roles cannot be explained (`permission` names what it needs);
 * - `roles_unavailable`: Astro's role list could not be read just now (documented text shown);
 * - `words_unavailable`: Astro's words for permissions could not be read (actions shown as they are);
 * - `not_configured`: the workspace has no Astro connection (documented text only);
 * - `custom_list_incomplete`: not every custom role could be read (a name may not have been found);
 * - `cut`: more roles were asked than are explained at once (`count` left out, the least powerful).
 */
export type ExplainNote =
  | { code: 'roles_denied'; permission: string; role: string }
  | { code: 'roles_unavailable' }
  | { code: 'words_unavailable' }
  | { code: 'not_configured' }
  | { code: 'custom_list_incomplete' }
  | { code: 'cut'; count: number };

/** The answer: the roles explained (Organization, Workspace, Deployment, DAG; most powerful first), or why not. */
export type ExplainResult = { kind: 'explained'; roles: ExplainedRole[]; notes: ExplainNote[] } | { kind: 'refused'; failure: Failure };

/** Actions of a role without repeats, in Astro's order. */
function uniq(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** "organization.users" → "Organization Users"; "deployment.airflow.adminMenu" → "Deployment Airflow Admin Menu". */
function prefixWords(prefix: string): string {
  return prefix
    .split('.')
    .map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1 $2'))
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join(' ');
}

/** Astro's words for each permission: by full action, and by `<group name>.<action>` (the spec's example gives a bare `get`). */
function wordsIndex(groups: readonly AstroPermissionGroup[]): Map<string, { group: AstroPermissionGroup; description: string }> {
  const index = new Map<string, { group: AstroPermissionGroup; description: string }>();
  for (const group of groups) {
    for (const p of group.permissions) {
      const entry = { group, description: p.description };
      if (!index.has(p.action)) index.set(p.action, entry);
      const full = `${group.name}.${p.action}`;
      if (!p.action.startsWith(`${group.name}.`) && !index.has(full)) index.set(full, entry);
    }
  }
  return index;
}

/** A role's permissions grouped: by Astro's permission group where it names the action, else by the action's prefix. */
function groupPermissions(actions: readonly string[], words: ReturnType<typeof wordsIndex> | undefined): { groups: ExplainedPermissionGroup[]; count: number } {
  const groups = new Map<string, ExplainedPermissionGroup>();
  const list = uniq(actions);
  for (const action of list) {
    const known = words?.get(action);
    const key = known ? `g:${known.group.name}` : `p:${action.includes('.') ? action.slice(0, action.lastIndexOf('.')) : action}`;
    let group = groups.get(key);
    if (!group) {
      group = known
        ? { title: known.group.scope || prefixWords(known.group.name), ...(known.group.description ? { description: known.group.description } : {}), permissions: [] }
        : { title: prefixWords(key.slice(2)), permissions: [] };
      groups.set(key, group);
    }
    group.permissions.push({ action, ...(known?.description ? { description: known.description } : {}) });
  }
  return { groups: [...groups.values()], count: list.length };
}

/** The custom role a user's role names: same name (exactly, else ignoring case) and scope. */
function findCustom(list: readonly AstroCustomRole[], ref: RoleRef): AstroCustomRole | undefined {
  const sameScope = list.filter((r) => r.scopeType === ref.scope);
  return sameScope.find((r) => r.name === ref.role) ?? sameScope.find((r) => r.name.toLowerCase() === ref.role.toLowerCase());
}

/** The built-in role Astro lists with this name and scope. */
function findDefault(list: readonly AstroDefaultRole[], ref: RoleRef): AstroDefaultRole | undefined {
  return list.find((r) => r.name === ref.role && r.scopeType === ref.scope);
}

/**
 * Explains `roles` for the asker: {@link checkAsker}, then the catalog (cached per organization;
 * skipped when the last capability probe found roles denied), then each role in words. Repeated
 * roles are explained once; at most {@link MAX_EXPLAINED_ROLES}, the most powerful. One audit line
 * (`explain_roles`). Never throws.
 */
export async function explainRoles(services: Services, ctx: AskContext, roles: readonly RoleRef[]): Promise<ExplainResult> {
  try {
    await checkAsker(services, ctx);
  } catch (err) {
    const failure = toFailure(err);
    audit(ctx, { outcome: 'refused', kind: failureLabel(failure), roles: roles.length });
    return { kind: 'refused', failure };
  }
  try {
    const distinct = distinctRoles(roles);
    const kept = byPower(distinct).slice(0, MAX_EXPLAINED_ROLES);
    const notes: ExplainNote[] = distinct.length > kept.length ? [{ code: 'cut', count: distinct.length - kept.length }] : [];
    const installation = ctx.workspace.ref;
    const catalog = services.roles;
    // As last probed; a click never starts a probe (it would ask Astro more than the explanation needs).
    const capabilities = services.capabilities ? await services.capabilities(installation, { probeIfStale: false }).catch(() => UNPROBED) : UNPROBED;
    const denied = { unavailable: 'denied' } as const;
    const noCatalog = { unavailable: 'failed' } as const;
    const [list, words]: [CatalogPart<RoleList>, CatalogPart<AstroPermissionGroup[]>] = catalog
      ? await Promise.all([mayTry(capabilities, 'roles') ? catalog.roles(installation) : denied, catalog.permissionWords(installation)])
      : [noCatalog, noCatalog];
    if ('unavailable' in list) {
      if (list.unavailable === 'denied') notes.push({ code: 'roles_denied', permission: FEATURE_NEEDS.roles.permission, role: FEATURE_NEEDS.roles.role });
      else if (list.unavailable === 'not_configured') notes.push({ code: 'not_configured' });
      else notes.push({ code: 'roles_unavailable' });
    } else if (!list.value.complete) notes.push({ code: 'custom_list_incomplete' });
    const index = 'value' in words ? wordsIndex(words.value) : undefined;
    if (!index && 'value' in list) notes.push({ code: 'words_unavailable' });

    const explained = await Promise.all(
      inScopeOrder(kept).map(async (ref): Promise<ExplainedRole> => {
        const builtIn = isBuiltInRole(ref);
        const doc = documentedRole(ref);
        // What the documentation says: of this role, of an undocumented built-in one, or of custom roles.
        const known = doc ?? (builtIn ? UNDOCUMENTED_ROLE : undefined);
        const abilities = doc ? abilitiesOf(ref) : undefined;
        const base = { ref, label: roleWords(ref.role), ...(abilities ? { abilities } : {}) };
        if ('unavailable' in list) {
          const words = known ?? customRoleSummary(ref.scope);
          return { ...base, custom: !known, summary: words.summary, summarySource: 'docs', docsUrl: words.source, permissionsMissing: list.unavailable === 'denied' ? 'denied' : 'failed' };
        }
        const listed = findDefault(list.value.defaultRoles, ref);
        if (listed || known) {
          const words = known ?? UNDOCUMENTED_ROLE;
          // Astro's own description where it gives one; else the documentation's.
          return {
            ...base,
            custom: false,
            summary: listed?.description ?? words.summary,
            summarySource: listed?.description ? 'astro' : 'docs',
            docsUrl: words.source,
            ...(listed ? { permissions: groupPermissions(listed.permissions, index) } : { permissionsMissing: 'not_listed' as const }),
          };
        }
        const general = customRoleSummary(ref.scope);
        const custom = findCustom(list.value.customRoles, ref);
        if (!custom) return { ...base, custom: true, summary: general.summary, summarySource: 'docs', docsUrl: general.source, permissionsMissing: 'not_found' };
        const full = catalog ? await catalog.customRole(installation, custom.id) : noCatalog;
        const described = 'value' in full ? full.value.description : custom.description;
        const restricted = 'value' in full ? full.value.restrictedWorkspaceIds : custom.restrictedWorkspaceIds;
        return {
          ...base,
          label: custom.name,
          custom: true,
          summary: described ?? general.summary,
          summarySource: described ? 'astro' : 'docs',
          docsUrl: general.source,
          ...('value' in full ? { permissions: groupPermissions(full.value.permissions, index) } : { permissionsMissing: full.unavailable === 'denied' ? ('denied' as const) : ('failed' as const) }),
          ...(restricted.length > 0 ? { restrictedWorkspaceIds: restricted } : {}),
        };
      }),
    );
    audit(ctx, {
      outcome: 'explained',
      roles: explained.length,
      custom: explained.filter((r) => r.custom).length,
      roleList: 'value' in list ? 'astro' : list.unavailable,
      words: 'value' in words ? 'astro' : words.unavailable,
    });
    return { kind: 'explained', roles: explained, notes };
  } catch (err) {
    // A bug: the documented text alone could still be shown, but nothing is guessed.
    audit(ctx, { outcome: 'error', kind: 'unexpected', err });
    return { kind: 'refused', failure: toFailure(err) };
  }
}

/** The documented abilities of a built-in role, with unlisted included roles in words; undefined when its table lists none. */
function abilitiesOf(ref: RoleRef): { items: string[]; unlisted: string[] } | undefined {
  const { abilities, unlisted } = documentedAbilities(ref);
  return abilities.length + unlisted.length > 0 ? { items: abilities, unlisted: unlisted.map(roleWords) } : undefined;
}

/** The audit line: one per explanation, `explain_roles`, with who asked and from where; never a token. */
function audit(ctx: AskContext, fields: Record<string, unknown>): void {
  auditLine(ctx, 'explain_roles', fields);
}
