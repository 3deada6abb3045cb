/**
 * What a workspace's Astro token can reach. Which token roles may call which endpoint is not
 * documented per role (each operation names only its permission, the spec's `x-permission`:
 * https://api.astronomer.io/spec/v1), so astro-user probes each endpoint a feature needs when a
 * token is saved (and at start-up for `ASTRO_API_TOKEN`), and hides what the token cannot reach.
 */

/** The Astro reads features depend on. */
export type AstroFeature = 'users' | 'teams' | 'tokens' | 'roles' | 'catalog' | 'audit_logs';

/** `ok`: answered 200. `denied`: answered 403 (the token's role lacks the permission). `unknown`: not probed yet, or no clear answer (try, and handle the error). */
export type FeatureState = 'ok' | 'denied' | 'unknown';

/** Per feature, what the last probe found, and when (ms since the epoch; 0 when never probed). */
export type Capabilities = Record<AstroFeature, FeatureState> & { checkedAt: number };

/** Capabilities before any probe: everything `unknown` (features are tried). */
export const UNPROBED: Capabilities = { users: 'unknown', teams: 'unknown', tokens: 'unknown', roles: 'unknown', catalog: 'unknown', audit_logs: 'unknown', checkedAt: 0 };

/**
 * The Astro role that enables a feature, and the permission it needs (Astro API v1 spec
 * `x-permission`; roles from https://www.astronomer.io/docs/astro/user-permissions).
 */
export const FEATURE_NEEDS: Record<AstroFeature, { permission: string; role: string; what: string }> = {
  users: { permission: 'organization.users.get', role: 'Organization Member', what: 'looking up users' },
  teams: { permission: 'organization.teams.get', role: 'Organization Member', what: 'roles through Teams' },
  tokens: { permission: 'organization.apiTokens.access', role: 'Organization Owner', what: 'API tokens in access lists and reports' },
  roles: { permission: 'organization.customRoles.get', role: 'Organization Member', what: 'custom roles in plain words' },
  catalog: { permission: 'workspace.get / deployment.get', role: 'Organization Member (with Workspace access)', what: 'Deployments and Workspaces by name' },
  audit_logs: { permission: 'organization.auditLogs.get', role: 'Organization Owner', what: 'access changes in scheduled reports' },
};

/** True unless the last probe found the feature denied. */
export function mayTry(capabilities: Capabilities, feature: AstroFeature): boolean {
  return capabilities[feature] !== 'denied';
}
