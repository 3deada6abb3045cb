/**
 * Types of org-fixture.mjs (plain JavaScript, shared by the tests and the benchmark): a synthetic
 * Astro organization and the stand-in Astro answers that serve it. Shapes follow the Astro API v1
 * (https://api.astronomer.io/spec/v1).
 */
import type { ServerResponse } from 'node:http';

type Roles = { workspaceRoles: { workspaceId: string; role: string }[]; deploymentRoles: { deploymentId: string; role: string }[]; dagRoles: { deploymentId: string; role: string; dagId?: string; dagTag?: string }[] };
/** A user as Astro's `User`. */
export type OrgUser = { id: string; username: string; fullName: string; status: string; avatarUrl: string; createdAt: string; updatedAt: string; organizationRole: string } & Roles;
/** A Team as Astro's `Team`, with its members' IDs. */
export type OrgTeam = { id: string; name: string; isIdpManaged: boolean; organizationId: string; organizationRole: string; createdAt: string; updatedAt: string; memberIds: string[] } & Roles;
/** An API token as Astro's `ApiToken` (with a secret, to check it never shows). */
export type OrgToken = { id: string; name: string; description: string; kind: string; scope: string; shortToken: string; token: string; startAt: string; endAt?: string; lastUsedAt?: string; createdAt: string; updatedAt: string; createdBy?: { id: string; subjectType: string; username?: string }; roles: { entityType: string; entityId: string; role: string; deploymentId?: string }[] };

/** The organization. */
export interface AstroOrg {
  workspaces: { id: string; name: string; organizationId: string; createdAt: string; updatedAt: string; cicdEnforcedDefault: boolean }[];
  deployments: { id: string; name: string; workspaceId: string; workspaceName: string; status: string }[];
  users: OrgUser[];
  teams: OrgTeam[];
  tokens: OrgToken[];
  /** Answer 403 to ListApiTokens (a token whose role may not list them). */
  denyTokens?: boolean;
  /** Every request served, by path (without query). */
  served?: string[];
}

/** Sizes of {@link generateOrg}. */
export interface OrgSize {
  workspaces: number;
  deploymentsPerWorkspace: number;
  users: number;
  teams: number;
  membersPerTeam: number;
  tokens: number;
}

/** A request as the stand-in sees it: its path and query, as sent. */
export interface OrgRequest {
  url: string;
}

/** The organization every fixture belongs to. */
export declare const ORG_ID: string;
/** A 25-character CUID-like ID: `c`, a 4-letter kind, digits. */
export declare function orgId(kind: string, n: number): string;
/** A user with roles. */
export declare function orgUser(n: number, roles?: Partial<Roles> & { organizationRole?: string; status?: string; fullName?: string }): OrgUser;
/** A Team with roles and members. */
export declare function orgTeam(n: number, memberIds: string[], roles?: Partial<Roles> & { organizationRole?: string; isIdpManaged?: boolean; name?: string }): OrgTeam;
/** An API token with roles. */
export declare function orgToken(n: number, roles: OrgToken['roles'], extra?: Partial<OrgToken>): OrgToken;
/** A generated organization (see org-fixture.mjs). */
export declare function generateOrg(size: OrgSize): AstroOrg;
/** Answers one of the organization list operations from `org` (true), or leaves `res` alone (false). */
export declare function answerOrg(req: OrgRequest, res: ServerResponse, org: AstroOrg): boolean;
/** Answers GetUser, ListUserTeams or an unfiltered ListUsers of `org`'s users (true), or leaves `res` alone (false). */
export declare function answerOrgUsers(req: OrgRequest, res: ServerResponse, org: AstroOrg): boolean;
