/** Types of astro-org.mjs (the stand-in Astro organization shared by the tests and the benchmark). */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A JSON item as the Astro API sends it. */
export type Json = Record<string, unknown>;

/** An organization's lists, as served. `members` maps a Team ID to its members. */
export interface StandInOrg {
  users: Json[];
  tokens: Json[];
  teams: Json[];
  members: Record<string, Json[]>;
  workspaces: Json[];
  deployments: Json[];
}

export function orgId(prefix: string, i: number): string;
export function emptyOrg(): StandInOrg;
export function bigOrg(sizes?: { users?: number; tokens?: number; teams?: number; workspaces?: number; deploymentsPerWorkspace?: number; now?: number }): StandInOrg;
export function answerOrg(
  req: { method?: string; url: string } | IncomingMessage,
  res: ServerResponse,
  org: StandInOrg,
  organizationId: string,
  options?: { forbid?: ('tokens' | 'teams' | 'workspaces' | 'deployments')[] },
): boolean;
