/**
 * What every Slack surface does around a lookup: find the installation, look the user up, remember
 * it in the asker's recent lookups, and describe card buttons. Listeners stay thin by calling this.
 */
import type { Context } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { AstroApiError } from '../astro/errors.js';
import { isConnectionError, type WorkspaceSettings } from '../lookup/workspace-settings.js';
import type { People } from './people.js';
import { EmailNotFoundError, type Lookup } from '../lookup/lookup.js';
import type { AstroIndexedUser } from '../lookup/user-index.js';
import type { Query } from './query.js';
import type { RecentLookups } from '../lookup/recent.js';
import { ThrottledError, type Throttle } from '../lookup/throttle.js';
import { installationKey, type InstallationRef } from '../lookup/settings.js';
import type { Logger } from '../logger.js';
import type { CardListItem } from './views/card-list.js';
import type { HomeState } from './views/home.js';

/** What the listeners share. */
export interface SlackDeps {
  lookup: Lookup;
  recent: RecentLookups;
  /** Abuse limits per Slack user and workspace. */
  throttle: Throttle;
  /** Counts lookups by surface and outcome. */
  countLookup?: (surface: string, outcome: string) => void;
  log: Logger;
  /** Astro UI base for Open in Astro, e.g. `https://cloud.astronomer.io`. */
  astroUiUrl: string;
  /** Strict once-only claims, for event de-duplication. */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
  /** Per-installation settings: Astro connection, policy, health. */
  settings: WorkspaceSettings;
  /** Who is asking: admin, guest. */
  people: People;
  /** True when the `ASTRO_*` defaults serve this installation (shown to admins). */
  usesDefaults(installation: InstallationRef): boolean;
}

/** A guest asked, and the workspace does not let guests look users up. */
export class GuestRefusedError extends Error {
  constructor() {
    super('guests may not look users up in this workspace');
    this.name = 'GuestRefusedError';
  }
}

/** Slack could not tell who is asking (users.info failed): refuse rather than guess. */
export class AskerUnknownError extends Error {
  constructor() {
    super('could not verify the Slack user');
    this.name = 'AskerUnknownError';
  }
}

/** The Slack installation of a request, from Bolt's context (set by authorize) and the body. */
export function installationOf(context: Context, body?: { team_id?: string; enterprise_id?: string; team?: { id?: string } | null; enterprise?: { id?: string } | null }): InstallationRef {
  return {
    teamId: context.teamId ?? body?.team_id ?? body?.team?.id ?? undefined,
    enterpriseId: context.enterpriseId ?? body?.enterprise_id ?? body?.enterprise?.id ?? undefined,
    isEnterpriseInstall: context.isEnterpriseInstall,
  };
}

/** The Slack user has no email Slack shows to the app. */
export class SlackUserNoEmailError extends Error {
  constructor(readonly slackUserId: string) {
    super('the Slack user has no visible email');
    this.name = 'SlackUserNoEmailError';
  }
}

/** The Slack user's email belongs to no Astro user. */
export class SlackUserNotInAstroError extends Error {
  constructor(readonly slackUserId: string) {
    super('no Astro user has the Slack user\'s email');
    this.name = 'SlackUserNotInAstroError';
  }
}

/** No Astro user's name or username starts with the words typed. */
export class NoNameMatchError extends Error {
  constructor(readonly text: string) {
    super('no Astro user matches that name');
    this.name = 'NoNameMatchError';
  }
}

/** A query that names one user by ID, email or Slack mention, or searches by name. */
export type UserQuery = Extract<Query, { kind: 'user_id' | 'email' | 'slack_user' | 'search' }>;

/** What a query resolves to: one Astro user ID, several candidates to pick from, or an error to show. */
export type Resolved = { userId: string } | { candidates: AstroIndexedUser[]; text: string } | { error: unknown };

/**
 * Resolves a query to an Astro user ID: an ID as it is; an email through the organization's user
 * index; a Slack user through `users.info` (their profile email; scope `users:read.email`) and
 * then the index; words through a name search (one match opens it, several give a picker).
 * Who asks is checked first (guests), and searches count against the abuse limits.
 * Never throws: an error is returned to be shown.
 */
export async function resolveQuery(
  deps: SlackDeps,
  req: { installation: InstallationRef; slackUserId: string | undefined; client: WebClient; query: UserQuery; surface: string },
): Promise<Resolved> {
  const { query } = req;
  if (query.kind === 'user_id') return { userId: query.userId };
  const key = installationKey(req.installation);
  const log = deps.log.child({ audit: true, surface: req.surface, team: req.installation.teamId, slackUser: req.slackUserId, query: query.kind });
  try {
    await checkAsker(deps, key, req.client, req.slackUserId);
    const throttled = await deps.throttle.take(key, req.slackUserId ?? 'unknown');
    if (throttled) return { error: new ThrottledError(throttled) };
    if (query.kind === 'email') return { userId: await deps.lookup.findByEmail(req.installation, query.email) };
    if (query.kind === 'slack_user') {
      let email: string | undefined;
      try {
        const res = await req.client.users.info({ user: query.slackUserId });
        email = (res.user as { profile?: { email?: string } } | undefined)?.profile?.email;
      } catch (err) {
        log.info({ slackError: (err as { data?: { error?: string } }).data?.error }, 'users.info for a mentioned user failed');
      }
      if (!email) return { error: new SlackUserNoEmailError(query.slackUserId) };
      try {
        return { userId: await deps.lookup.findByEmail(req.installation, email) };
      } catch (err) {
        if (err instanceof EmailNotFoundError) return { error: new SlackUserNotInAstroError(query.slackUserId) };
        throw err;
      }
    }
    const found = await deps.lookup.search(req.installation, query.text, 10);
    log.info({ outcome: 'searched', matches: found.length }, 'lookup');
    if (found.length === 0) return { error: new NoNameMatchError(query.text) };
    if (found.length === 1) return { userId: found[0]!.id };
    return { candidates: found, text: query.text };
  } catch (err) {
    log.info({ outcome: 'error', kind: (err as { kind?: string }).kind ?? (err as Error).name }, 'lookup');
    return { error: err };
  }
}

/** Refuses guests (unless the workspace allows them) and askers Slack cannot vouch for. */
async function checkAsker(deps: SlackDeps, key: string, client: WebClient | undefined, slackUserId: string | undefined): Promise<void> {
  if (!client || !slackUserId) return;
  await checkGroups(deps, key, client, slackUserId);
  const policy = await deps.settings.getPolicy(key);
  if (policy.allowGuests) return;
  const facts = await deps.people.facts(client, key, slackUserId, deps.log);
  if (!facts.known) throw new AskerUnknownError();
  if (facts.isGuest) throw new GuestRefusedError();
}

/** Refuses askers outside the workspace's allowed user groups, when it names any. */
async function checkGroups(deps: SlackDeps, key: string, client: WebClient | undefined, slackUserId: string | undefined): Promise<void> {
  if (!client || !slackUserId) return;
  const { allowedUserGroups } = await deps.settings.getPolicy(key);
  if (allowedUserGroups.length > 0 && !(await deps.people.inAnyGroup(client, key, slackUserId, allowedUserGroups, deps.log))) throw new NotInUserGroupError();
}

/** The workspace lets only members of named user groups look users up, and the asker is not one. */
export class NotInUserGroupError extends Error {
  constructor() {
    super('the asker is not in an allowed user group');
    this.name = 'NotInUserGroupError';
  }
}

/** Options of {@link lookUp}. */
export interface LookUpRequest {
  installation: InstallationRef;
  /** The Slack user asking (their history gets the entry). */
  slackUserId: string | undefined;
  userId: string;
  bypassCache?: boolean;
  /** Where the lookup came from, for logs: `command`, `home`, `mention`, `shortcut`, `action`. */
  surface: string;
  /** The Web API client of the request, to check who is asking (guests). */
  client?: WebClient;
  /** Who will see the answer: only the asker, a thread, or a whole channel (audit). */
  visibility?: 'private' | 'thread' | 'channel';
}

/**
 * Looks a user up and, on success, records it in the asker's recent lookups.
 * Never throws: the outcome carries either the user or the error to render.
 */
export async function lookUp(deps: SlackDeps, req: LookUpRequest): Promise<CardListItem> {
  // Every lookup writes one audit line ('lookup'): team, Slack user, surface, kind of query,
  // outcome, and who sees the answer. Never a token or an email.
  const { log } = deps;
  const audit = { audit: true, surface: req.surface, team: req.installation.teamId, slackUser: req.slackUserId, query: 'user_id', visibility: req.visibility ?? 'private' };
  const key = installationKey(req.installation);
  try {
    await checkAsker(deps, key, req.client, req.slackUserId);
    const throttled = await deps.throttle.take(installationKey(req.installation), req.slackUserId ?? 'unknown');
    if (throttled) {
      log.info({ ...audit, outcome: 'throttled', scope: throttled.scope }, 'lookup');
      deps.countLookup?.(req.surface, 'throttled');
      return { userId: req.userId, error: new ThrottledError(throttled) };
    }
    const result = await deps.lookup.lookupUser({ installation: req.installation, userId: req.userId, bypassCache: req.bypassCache ?? false });
    log.info({ ...audit, outcome: 'found', fromCache: result.fromCache }, 'lookup');
    deps.countLookup?.(req.surface, 'found');
    if (!result.fromCache) void deps.settings.recordSuccess(key).catch(() => undefined);
    if (req.slackUserId) {
      const label = result.user.fullName || result.user.username || result.user.id;
      await deps.recent
        .record(installationKey(req.installation), req.slackUserId, { userId: req.userId, label })
        .catch((err: unknown) => log.warn({ err, surface: req.surface }, 'could not record a recent lookup'));
    }
    return { userId: req.userId, user: result.user, fetchedAt: result.fetchedAt, ...(result.names ? { names: result.names } : {}), ...(result.teams ? { teams: result.teams } : {}) };
  } catch (err) {
    const kind = (err as { kind?: string }).kind ?? (err instanceof Error ? err.name : 'unexpected');
    // Expected outcomes (Astro errors, refusals) are logged without a stack.
    const detail = err instanceof AstroApiError ? { status: err.status, requestId: err.requestId } : err instanceof Error && err.name !== 'Error' ? {} : { err };
    log.info({ ...audit, outcome: 'error', kind, ...detail }, 'lookup');
    if (isConnectionError(err)) void deps.settings.recordError(key, { kind: err.kind, ...(err.requestId ? { requestId: err.requestId } : {}) }).catch(() => undefined);
    deps.countLookup?.(req.surface, kind);
    return { userId: req.userId, error: err };
  }
}

/**
 * Finds everyone a text names, in order and without repeats, up to `max`: Astro user IDs, emails
 * (Slack's `<mailto:…|…>` or plain), and Slack user mentions `<@U…>` other than `exceptUser` (the
 * bot itself). Each string is scanned up to 100,000 characters.
 */
export function findUserQueries(texts: string | readonly string[], options: { exceptUser?: string; mentions?: boolean; max?: number } = {}): UserQuery[] {
  const max = options.max ?? 1000;
  const seen = new Set<string>();
  const out: UserQuery[] = [];
  const re = /(?<![0-9a-zA-Z])(c[0-9a-z]{24})(?![0-9a-zA-Z])|<mailto:([^|>\s]{3,254})(?:\|[^>]*)?>|(?<![^\s<(,;:'"])([^@\s<>|(),;:'"]{1,64}@[^@\s<>|(),;:'"]+\.[A-Za-z]{2,})|<@([UW][A-Z0-9]{2,30})(?:\|[^>]*)?>/g;
  for (const text of typeof texts === 'string' ? [texts] : texts) {
    for (const m of text.slice(0, 100_000).matchAll(re)) {
      let q: UserQuery | undefined;
      if (m[1]) q = { kind: 'user_id', userId: m[1] };
      else if (m[2] ?? m[3]) q = { kind: 'email', email: (m[2] ?? m[3])!.replace(/[.]+$/, '') };
      else if (m[4] && options.mentions !== false && m[4] !== options.exceptUser) q = { kind: 'slack_user', slackUserId: m[4] };
      if (!q) continue;
      const key = JSON.stringify(q).toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(q);
      if (out.length >= max) return out;
    }
  }
  return out;
}

/** Who will see a shared card, in words for the confirm dialog: `#ops`, or this conversation. */
export function audienceOf(channel: { id?: string; name?: string } | undefined): string {
  const id = channel?.id ?? '';
  const name = channel?.name ?? '';
  if (id.startsWith('D') || name === 'directmessage') return 'this conversation';
  if (name.startsWith('mpdm-') || name === 'privategroup' || !/^[a-z0-9][a-z0-9._-]{0,79}$/.test(name)) return 'this conversation';
  return `#${name}`;
}

/**
 * The Home view's state, read from the stores: the viewer's recent lookups and, unless `show`
 * gives a fresh result or a notice, the card of the latest lookup when it is still cached (no
 * Astro call).
 */
export async function homeState(
  deps: SlackDeps,
  installation: InstallationRef,
  slackUserId: string,
  show: Pick<HomeState, 'result' | 'notice'> = {},
  client?: WebClient,
): Promise<HomeState> {
  const key = installationKey(installation);
  const recent = await deps.recent.list(key, slackUserId).catch(() => []);
  const state: HomeState = { recent, astroUiUrl: deps.astroUiUrl };
  if (client && (await deps.people.isAdmin(client, key, slackUserId, deps.log))) {
    const health = await deps.settings.getHealth(key);
    try {
      const c = await deps.settings.getConnection(key);
      state.admin = {
        health,
        usingDefaults: !c && deps.usesDefaults(installation),
        now: Date.now(),
        ...(c
          ? {
              connection: {
                organizationId: c.organizationId,
                tokenHint: c.tokenHint,
                scope: c.scope,
                savedBy: c.savedBy,
                savedAt: c.savedAt,
                ...(c.expiresAt !== undefined ? { expiresAt: c.expiresAt } : {}),
              },
            }
          : {}),
      };
    } catch {
      state.admin = { health, usingDefaults: false, unreadable: true, now: Date.now() };
    }
  }
  if (show.result) return { ...state, result: show.result };
  if (show.notice) return { ...state, notice: show.notice };
  const latest = recent[0];
  if (latest) {
    const cached = await deps.lookup.cachedUser({ installation, userId: latest.userId }).catch(() => undefined);
    if (cached) state.result = cached;
  }
  return state;
}
