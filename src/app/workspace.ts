/**
 * A Slack workspace's connection to Astro: open the Connect Astro form, connect (check the token,
 * a test call, save), disconnect, and forget everything kept for a workspace (uninstall). Only
 * admins change anything, as Slack says (never the payload).
 */
import type { AstroClient, AstroTarget } from '../astro/client.js';
import { AstroApiError } from '../astro/errors.js';
import { maskToken, type TokenClaims } from '../astro/token.js';
import type { Capabilities } from '../core/capabilities.js';
import type { InstallationRef } from '../core/installation.js';
import { toFailure, type Failure } from '../core/outcomes.js';
import { FEATURES } from '../lookup/capabilities.js';
import type { WorkspacePolicy } from '../lookup/workspace-settings.js';
import type { Services } from './ports.js';
import type { AskContext, Workspace } from './request.js';

/** What the workspace use cases need besides the shared services. */
export interface WorkspaceDeps extends Services {
  /** The Astro client (test calls with a candidate token). */
  astro: AstroClient;
  /** The operator's Astro API base: tokens are only ever sent there. */
  astroApiUrl: string;
  /**
   * Deletes what is kept for a workspace in the shared stores and this process: cached answers
   * (and, with `history`, recent lookups). Which keys belong to a workspace is the store's rule.
   */
  clearWorkspace(key: string, what: { history: boolean }): Promise<void>;
  /**
   * Probes what a just-saved token can reach and keeps the result for the installation (see
   * src/lookup/capabilities.ts). Never throws; bounded in time.
   */
  probeCapabilities?(installation: InstallationRef, target: AstroTarget): Promise<Capabilities>;
  /** Installations (OAuth mode): when the current one of a key was stored, and deleting it. */
  installations?: { installedAt(key: string): Promise<number | undefined>; deleteByKey(key: string): Promise<void> };
}

/** The Connect Astro form's content, or why it is not shown. */
export type ConfigForm =
  | { kind: 'form'; policy: WorkspacePolicy; current?: { organizationId: string; tokenHint: string; scope: string; expiresAt?: number } }
  | { kind: 'not_admin' }
  | { kind: 'no_encryption_key' }
  | { kind: 'failed'; failure: Failure };

/** The Connect Astro form for the asker: only admins get it. Never throws. */
export async function configForm(deps: WorkspaceDeps, ctx: AskContext): Promise<ConfigForm> {
  try {
    const admin = ctx.asker.slackUserId ? await ctx.directory.isAdmin(ctx.asker.slackUserId) : false;
    if (!admin) return { kind: 'not_admin' };
    if (!deps.settings.canSave) return { kind: 'no_encryption_key' };
    const [current, policy] = await Promise.all([deps.settings.getConnection(ctx.workspace.key).catch(() => undefined), deps.settings.getPolicy(ctx.workspace.key)]);
    return {
      kind: 'form',
      policy,
      ...(current ? { current: { organizationId: current.organizationId, tokenHint: current.tokenHint, scope: current.scope, ...(current.expiresAt ? { expiresAt: current.expiresAt } : {}) } } : {}),
    };
  } catch (err) {
    ctx.log.warn({ err }, 'could not read the settings for the configuration form');
    return { kind: 'failed', failure: toFailure(err) };
  }
}

/** A submitted Connect Astro form, already checked for shape (inside Slack's 3 s acknowledgement). */
export interface ConnectRequest {
  /** The token and its claims, or none to keep the saved token and change the policy only. */
  token?: { value: string; claims: TokenClaims };
  policy: WorkspacePolicy;
}

/** What connecting did. */
export type ConnectResult =
  | { kind: 'connected'; organizationId: string; tokenHint: string; expiresAt?: number; policyOnly: boolean }
  | { kind: 'not_admin' }
  | { kind: 'no_encryption_key' }
  | { kind: 'no_token' }
  | { kind: 'token_refused'; failure: Failure; scope: TokenClaims['scope']; organizationId: string }
  | { kind: 'failed'; failure: Failure };

/**
 * Saves a workspace's Astro connection and policy: the admin check again, a test call with the
 * new token (`ListUsers`, limit 1), then save, clear the workspace's cached answers (they were read
 * with the old token), record a success, and probe what the token can reach (one small request
 * per feature, bounded in time; what it cannot reach is hidden and App Home names the role that
 * would enable it). Never throws.
 */
export async function connectWorkspace(deps: WorkspaceDeps, ctx: AskContext, request: ConnectRequest): Promise<ConnectResult> {
  const key = ctx.workspace.key;
  const adminId = ctx.asker.slackUserId;
  try {
    if (!adminId || !(await ctx.directory.isAdmin(adminId))) return { kind: 'not_admin' };
    if (!deps.settings.canSave) return { kind: 'no_encryption_key' };
    const current = await deps.settings.getConnection(key).catch(() => undefined);
    if (!request.token) {
      if (!current) return { kind: 'no_token' };
      await deps.settings.savePolicy(key, request.policy);
      ctx.log.info({ audit: true, action: 'policy_saved', policy: request.policy }, 'workspace policy saved');
      return { kind: 'connected', organizationId: current.organizationId, tokenHint: current.tokenHint, ...(current.expiresAt ? { expiresAt: current.expiresAt } : {}), policyOnly: true };
    }
    const { value, claims } = request.token;
    const target: AstroTarget = { apiUrl: deps.astroApiUrl, apiToken: value, organizationId: claims.organizationId };
    try {
      await deps.astro.listUsers(target, { offset: 0, limit: 1 });
    } catch (err) {
      ctx.log.info({ outcome: 'token_refused', kind: (err as { kind?: string }).kind, requestId: err instanceof AstroApiError ? err.requestId : undefined }, 'Astro token test failed');
      return { kind: 'token_refused', failure: toFailure(err), scope: claims.scope, organizationId: claims.organizationId };
    }
    const connection = {
      organizationId: claims.organizationId,
      apiToken: value,
      tokenHint: maskToken(value),
      scope: claims.scope,
      ...(claims.expiresAt !== undefined ? { expiresAt: claims.expiresAt } : {}),
      savedBy: adminId,
      savedAt: Date.now(),
    };
    await deps.settings.saveConnection(key, connection);
    await deps.settings.savePolicy(key, request.policy);
    await deps.clearWorkspace(key, { history: false });
    await deps.settings.recordSuccess(key);
    const reach = await deps.probeCapabilities?.(ctx.workspace.ref, target);
    const denied = reach ? FEATURES.filter((f) => reach[f] === 'denied') : [];
    ctx.log.info({ audit: true, action: 'astro_connected', organization: claims.organizationId, scope: claims.scope, ...(denied.length > 0 ? { denied } : {}) }, 'Astro connection saved');
    return { kind: 'connected', organizationId: connection.organizationId, tokenHint: connection.tokenHint, ...(connection.expiresAt ? { expiresAt: connection.expiresAt } : {}), policyOnly: false };
  } catch (err) {
    ctx.log.error({ err }, 'could not save the Astro connection');
    return { kind: 'failed', failure: toFailure(err) };
  }
}

/** Removes the workspace's Astro token and its cached answers (admins only). Never throws. */
export async function disconnectWorkspace(deps: WorkspaceDeps, ctx: AskContext): Promise<'disconnected' | 'not_admin' | 'failed'> {
  const adminId = ctx.asker.slackUserId;
  if (!adminId || !(await ctx.directory.isAdmin(adminId))) {
    ctx.log.warn('a non-admin clicked Disconnect');
    return 'not_admin';
  }
  try {
    await deps.settings.deleteConnection(ctx.workspace.key);
    await deps.clearWorkspace(ctx.workspace.key, { history: false });
    ctx.log.info({ audit: true, action: 'astro_disconnected' }, 'Astro connection removed');
    return 'disconnected';
  } catch (err) {
    ctx.log.error({ err }, 'could not remove the Astro connection');
    return 'failed';
  }
}

/**
 * `app_uninstalled` / `tokens_revoked`: removes everything kept for the workspace (installation,
 * settings, cached answers, recent lookups). Safe when the event arrives late, after a reinstall:
 * only an installation stored before the event is deleted (https://github.com/slackapi/bolt-js/issues/673).
 * @param eventAt when Slack sent the event, in ms since the epoch.
 * @returns `kept` when the current installation is newer than the event.
 * @throws when a store fails (Slack retries the event).
 */
export async function forgetWorkspace(deps: WorkspaceDeps, workspace: Workspace, eventAt: number): Promise<'forgotten' | 'kept'> {
  const { key } = workspace;
  if (deps.installations) {
    const installedAt = await deps.installations.installedAt(key);
    if (installedAt !== undefined && installedAt > eventAt) return 'kept';
    await deps.installations.deleteByKey(key);
  }
  await deps.settings.forget(key);
  await deps.clearWorkspace(key, { history: true });
  return 'forgotten';
}
