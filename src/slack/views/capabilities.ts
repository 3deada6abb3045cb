/**
 * App Home's words for what the Astro token cannot reach (admins only): one line per hidden
 * feature, naming what is hidden, the permission the token's role lacks and the Astro role that
 * would enable it (roles: https://www.astronomer.io/docs/astro/user-permissions). Pure.
 */
import { FEATURE_NEEDS, type AstroFeature, type Capabilities } from '../../core/capabilities.js';
import { slackDate } from './format.js';

/** What each feature shows, as the subject of "… aren't shown". */
const HIDDEN: Record<AstroFeature, string> = {
  users: 'Users',
  teams: 'Roles via Teams',
  tokens: 'API tokens',
  roles: 'Custom roles in plain words',
  catalog: 'Deployment and Workspace names',
  audit_logs: 'Access changes in scheduled reports',
};

/** What the token's role cannot do, per feature. */
const CANNOT: Record<AstroFeature, string> = {
  users: "can't list the organization's users",
  teams: "can't read Teams",
  tokens: "can't list them",
  roles: "can't read custom roles",
  catalog: "can't list Workspaces",
  audit_logs: "can't read the audit log",
};

/**
 * The admin's lines about the token's reach: for each feature the last probe found denied,
 * e.g. "API tokens aren't shown: the token's role can't list them (needs Organization Owner)";
 * when none is denied and the token was probed, one line saying so and when; nothing
 * when it was never probed.
 * @param capabilities the last probe's result (`checkedAt` 0: never probed).
 */
export function capabilityLines(capabilities: Capabilities): string[] {
  if (capabilities.checkedAt === 0) return [];
  const checked = slackDate(capabilities.checkedAt, '{date_short_pretty} at {time}');
  const denied = (Object.keys(FEATURE_NEEDS) as AstroFeature[]).filter((f) => capabilities[f] === 'denied');
  if (denied.length === 0) return [`Nothing is hidden by the token's Astro role (checked ${checked}).`];
  return [
    ...denied.map((f) => `:no_entry_sign: ${HIDDEN[f]} aren't shown: the token's role ${CANNOT[f]} (needs ${FEATURE_NEEDS[f].role}; permission \`${FEATURE_NEEDS[f].permission}\`).`),
    `_What the token can reach was checked ${checked}; saving a token in Configure checks again._`,
  ];
}
