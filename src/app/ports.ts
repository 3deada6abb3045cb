/**
 * What the use cases need from outside the application layer, as interfaces: Slack's view of
 * people and conversations (implemented over the request's Web API client in
 * src/slack/directory.ts), and the services they share (built once in src/compose.ts).
 */
import type { Capabilities } from '../core/capabilities.js';
import type { InstallationRef } from '../core/installation.js';
import type { AccessLookup } from '../lookup/access.js';
import type { Lookup } from '../lookup/lookup.js';
import type { OrgDataSource } from '../lookup/org-data.js';
import type { RecentLookups } from '../lookup/recent.js';
import type { RoleCatalog } from '../lookup/role-catalog.js';
import type { Throttle } from '../lookup/throttle.js';
import type { WorkspaceSettings } from '../lookup/workspace-settings.js';

/** What Slack says about a user; `known: false` when Slack could not be asked. */
export type PersonFacts = { known: true; isAdmin: boolean; isGuest: boolean; isBot: boolean } | { known: false };

/**
 * Slack's answers about people and conversations of one workspace, read with the Web API (never
 * trusted from a payload). Failures are logged by the implementation and answered as "unknown".
 */
export interface SlackDirectory {
  /** The user's facts (`users.info`: https://docs.slack.dev/reference/methods/users.info). */
  facts(slackUserId: string): Promise<PersonFacts>;
  /** True for ADMIN_USER_IDS, workspace admins and owners; false when unknown (fail closed). */
  isAdmin(slackUserId: string): Promise<boolean>;
  /**
   * True when the user is in one of the user groups (`usergroups.users.list`); false when not, or
   * when Slack cannot say (fail closed).
   */
  inAnyGroup(slackUserId: string, groups: readonly string[]): Promise<boolean>;
  /** The email of the user's Slack profile (scope `users:read.email`), undefined when hidden or unknown. */
  emailOf(slackUserId: string): Promise<string | undefined>;
  /**
   * Whether a conversation is shared with another organization (Slack Connect:
   * `conversations.info` `is_ext_shared` / `is_pending_ext_shared`,
   * https://docs.slack.dev/reference/methods/conversations.info); undefined when Slack does not
   * let the app read it (a DM or private channel it is not in).
   */
  isExternal(channelId: string): Promise<boolean | undefined>;
}

/** The services every use case shares. */
export interface Services {
  lookup: Lookup;
  /** Who can access a Deployment or Workspace. */
  access: AccessLookup;
  recent: RecentLookups;
  /** Abuse limits per Slack user (or bot) and workspace. */
  throttle: Throttle;
  /** Per-installation settings: Astro connection, policy, health. */
  settings: WorkspaceSettings;
  /** Counts answers by surface and outcome (metrics). */
  countLookup?: (surface: string, outcome: string) => void;
  /** True when the operator's `ASTRO_*` token serves this installation (shown to admins). */
  usesDefaults(installation: InstallationRef): boolean;
  /**
   * What the installation's Astro token can reach, as last probed (`UNPROBED` when never, or when
   * not known): features the token cannot reach are hidden and App Home names the role needed.
   * Never throws. A missing or day-old result is probed again in the background, unless
   * `probeIfStale` is false (App Home: opening Home never calls Astro).
   */
  capabilities?(installation: InstallationRef, options?: { probeIfStale?: boolean }): Promise<Capabilities>;
  /** The organization's users, API tokens, Teams and catalog, paged and kept briefly (reports, offboarding). */
  orgData: OrgDataSource;
  /** Slack user IDs the operator named as admins (`ADMIN_USER_IDS`): who is told when a member is deactivated. */
  adminUserIds: ReadonlySet<string>;
  /** The organization's roles and permission words ("What can they do?"); documented text only when absent. */
  roles?: RoleCatalog;
}
