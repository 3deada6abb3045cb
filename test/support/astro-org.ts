/**
 * A synthetic Astro organization for the stand-in Astro API, and the answers that serve it: see
 * org-fixture.mjs (plain JavaScript, so the benchmark runs the same organization) and its types in
 * org-fixture.d.mts. Used by tests through this module.
 */
export { answerOrg, answerOrgUsers, generateOrg, orgId, orgTeam, orgToken, orgUser } from './org-fixture.mjs';
export type { AstroOrg, OrgSize, OrgTeam, OrgToken, OrgUser } from './org-fixture.mjs';
