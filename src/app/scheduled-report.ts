/**
 * Scheduled reports: for every installation with a schedule, post the report of the latest due
 * slot in its channel, exactly once across every instance sharing the store.
 *
 * How "exactly once" holds:
 * - Each attempt at a slot is claimed with the store's strict once-claim (Redis `SET NX PX`, atomic
 *   across instances; SQLite and memory within one process), keyed by installation, slot time and
 *   attempt number. Only the instance that wins the claim builds and posts the report.
 * - A claim lives longer than a slot can be due ({@link CLAIM_TTL_MS} > `MISSED_SLOT_GRACE_MS`
 *   plus the retry window), so an instance that posted and then died before recording it leaves
 *   the claim behind, and no other instance posts the slot again.
 * - After a post, the slot is recorded as handled (`handledSlot`); a restart then finds nothing
 *   due. A slot missed while no instance ran (restart, outage) is due once, on the next tick, if
 *   it is the latest slot and at most 12 hours old (see src/core/schedule.ts `dueSlot`).
 *
 * When something fails after the claim:
 * - Failures where nothing reached the channel for sure (the report could not be made, Slack
 *   refused the post with an error, rate limits, a refused connection) are retried: the attempt
 *   number is raised in the state, so the next attempt is a new claim that exactly one instance
 *   wins, every {@link RETRY_EVERY_MS} for up to {@link RETRY_WINDOW_MS} after the slot. When the
 *   report itself could not be made and retries are used up, a one-line notice says so instead.
 *   Errors that retrying cannot fix (the bot is not in the channel, the channel was archived, the
 *   workspace is not connected) are not retried.
 * - A post whose fate is unknown (a timeout or a dropped connection while Slack had the request)
 *   is never retried: it may have been posted. That slot counts as missed ("never double-post").
 */
import type { AstroTarget } from '../astro/client.js';
import type { AccessChangesOutcome, AuditLogReader } from '../astro/audit-log.js';
import { mayTry, type Capabilities } from '../core/capabilities.js';
import type { InstallationRef } from '../core/installation.js';
import { toFailure, type Failure } from '../core/outcomes.js';
import { dueSlot, periodOf } from '../core/schedule.js';
import type { Logger } from '../logger.js';
import type { ReportSchedule, ReportSchedules, ScheduleState } from '../lookup/report-schedule.js';
import { MISSED_SLOT_GRACE_MS } from '../core/schedule.js';

/**
 * Who sees a rendered report: a channel post naming things and counting people
 * (`public_counts`), a channel post that also names people (`public_names`, when the workspace
 * chose so), or one admin privately (`private`).
 */
export type ReportSurface = 'public_counts' | 'public_names' | 'private';

/** Block Kit of a rendered report: a notification `text` and the blocks (plain objects). */
export interface RenderedReport {
  text: string;
  blocks: readonly object[];
}

/** A report as the scheduler needs it: how many things need attention, and how to draw it for a surface. */
export interface ReportLike {
  /** Things that need attention; 0 means "all clear". */
  attentionCount: number;
  render(surface: ReportSurface): RenderedReport;
}

/**
 * Makes the on-demand admin report of an installation (its Astro target already resolved).
 * @throws whatever the report's reads throw (turned into a {@link Failure} by the caller).
 */
export type ReportSource = (installation: InstallationRef, target: AstroTarget) => Promise<ReportLike>;

/** What the scheduler posts in a channel. */
export type ScheduledPost =
  | {
      kind: 'report';
      report: ReportLike;
      surface: Exclude<ReportSurface, 'private'>;
      /** The slot, ms since the epoch. */
      slot: number;
      schedule: ReportSchedule;
      access: AccessChangesOutcome;
      /** Offer "Show details privately" (channel posts that count people only). */
      detailsButton: boolean;
    }
  | { kind: 'failed'; failure: Failure; slot: number; schedule: ReportSchedule };

/** A post that did not go through. `delivered`: `no` when Slack surely did not post it, `unknown` when it may have. */
export class PostFailedError extends Error {
  readonly delivered: 'no' | 'unknown';
  /** Slack's error code (`not_in_channel`, `ratelimited`…), or `timeout`, `network`, `not_installed`. */
  readonly reason: string;
  /** True when trying again later may succeed. */
  readonly transient: boolean;
  constructor(details: { delivered: 'no' | 'unknown'; reason: string; transient: boolean }, options?: { cause?: unknown }) {
    super(`the report was not posted (${details.reason})`, options);
    this.name = 'PostFailedError';
    this.delivered = details.delivered;
    this.reason = details.reason;
    this.transient = details.transient;
  }
}

/** Posts scheduled reports in Slack with the installation's bot token. */
export interface ReportPoster {
  /** @throws {PostFailedError} when the post did not (surely) go through. */
  post(installation: InstallationRef, channelId: string, post: ScheduledPost): Promise<void>;
}

/** What the scheduler needs. */
export interface ScheduledReportDeps {
  schedules: ReportSchedules;
  /** The store's strict once-claim (true for the first claim of a key within `ttlMs`). @throws {StoreUnavailableError} */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
  /** The installation's Astro target, undefined when not connected. @throws when the settings cannot be read. */
  resolveTarget(installation: InstallationRef): Promise<AstroTarget | undefined>;
  source: ReportSource;
  poster: ReportPoster;
  auditLogs: AuditLogReader;
  /** What the token can reach (audit logs denied: skip the read). */
  capabilities?(installation: InstallationRef): Promise<Capabilities>;
  log: Logger;
  /** Installations worked on at once. Default 4. */
  concurrency?: number;
}

/** Attempts at a slot are at least this far apart, in ms (5 minutes). */
export const RETRY_EVERY_MS = 5 * 60 * 1000;
/** A slot is retried until this long after it, in ms (1 hour). */
export const RETRY_WINDOW_MS = 60 * 60 * 1000;
/** How long a claim on a slot's attempt lives, in ms: past the last time the slot can be due. */
export const CLAIM_TTL_MS = MISSED_SLOT_GRACE_MS + RETRY_WINDOW_MS + 60 * 60 * 1000;

/** What one check of one installation did (for logs and tests). */
export type SlotResult = 'none' | 'idle' | 'waiting' | 'claimed_elsewhere' | 'posted' | 'retrying' | 'missed' | 'error';

/** The claim key of an attempt at a slot. */
export function slotClaimKey(installationKey: string, slot: number, attempt: number): string {
  return `report:${installationKey}:${new Date(slot).toISOString()}:${attempt}`;
}

/**
 * Checks every installation with a schedule and posts the reports due at `now` (ms since the
 * epoch). Never throws: failures are logged and recorded in each installation's state.
 * @returns the result per installation key.
 */
export async function runDueReports(deps: ScheduledReportDeps, now: number): Promise<Map<string, SlotResult>> {
  const results = new Map<string, SlotResult>();
  let keys: string[];
  try {
    keys = await deps.schedules.scheduled();
  } catch (err) {
    deps.log.warn({ err }, 'scheduled reports: could not read which installations have a schedule');
    return results;
  }
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++]!;
      results.set(key, await checkInstallation(deps, key, now).catch((err: unknown) => {
        deps.log.warn({ err, installation: key }, 'scheduled report check failed');
        return 'error' as const;
      }));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(deps.concurrency ?? 4, keys.length)) }, worker));
  return results;
}

/** Checks one installation; posts when a slot is due and this instance wins its claim. */
async function checkInstallation(deps: ScheduledReportDeps, key: string, now: number): Promise<SlotResult> {
  const schedule = await deps.schedules.get(key);
  if (!schedule) {
    await deps.schedules.unindex(key);
    return 'none';
  }
  const state = await deps.schedules.state(key);
  const slot = dueSlot(schedule, now, schedule.savedAt, state.handledSlot);
  if (slot === undefined) return 'idle';
  const retry = state.retry?.slot === slot ? state.retry : undefined;
  if (retry && retry.notBefore > now) return 'waiting';
  const attempt = retry?.attempts ?? 0;
  if (!(await deps.claimOnce(slotClaimKey(key, slot, attempt), CLAIM_TTL_MS))) return 'claimed_elsewhere';
  return attemptSlot(deps, { key, schedule, state, slot, attempt, now });
}

interface Attempt {
  key: string;
  schedule: ReportSchedule;
  state: ScheduleState;
  slot: number;
  attempt: number;
  now: number;
}

/** Makes and posts the report of a claimed attempt, and records how it ended. */
async function attemptSlot(deps: ScheduledReportDeps, a: Attempt): Promise<SlotResult> {
  const { schedule, slot, now } = a;
  const ref = schedule.installation;
  const log = deps.log.child({ installation: a.key, slot: new Date(slot).toISOString(), attempt: a.attempt });

  let target: AstroTarget | undefined;
  try {
    target = await deps.resolveTarget(ref);
  } catch (err) {
    const failure = toFailure(err);
    log.warn({ err, code: failure.code }, 'scheduled report: could not read the Astro connection');
    return failure.code === 'store_unavailable' ? retryOrGiveUp(deps, a, log, failure.code, failure) : missed(deps, a, log, failure.code);
  }
  if (!target) return missed(deps, a, log, 'not_connected');

  let report: ReportLike;
  try {
    report = await deps.source(ref, target);
  } catch (err) {
    const failure = toFailure(err);
    log.warn({ code: failure.code, ...(failure.code === 'unexpected' ? { err } : {}) }, 'scheduled report: could not make the report');
    return retryOrGiveUp(deps, a, log, failure.code === 'astro' ? `astro_${failure.kind}` : failure.code, failure);
  }

  const since = a.state.auditCoveredUntil ?? slot - periodOf(schedule.cadence);
  const capabilities = await deps.capabilities?.(ref).catch(() => undefined);
  const access: AccessChangesOutcome = capabilities && !mayTry(capabilities, 'audit_logs') ? { kind: 'denied' } : await deps.auditLogs.read(target, since, now);
  const surface = schedule.namePeople ? 'public_names' : 'public_counts';
  try {
    await deps.poster.post(ref, schedule.channelId, { kind: 'report', report, surface, slot, schedule, access, detailsButton: surface === 'public_counts' });
  } catch (err) {
    return postFailed(deps, a, log, err);
  }
  const state: ScheduleState = {
    ...a.state,
    lastPostedSlot: slot,
    handledSlot: slot,
    retry: undefined,
    auditCoveredUntil: access.kind === 'read' ? access.until : a.state.auditCoveredUntil,
    last: { slot, kind: 'posted', at: now },
  };
  await saveState(deps, a.key, state, log);
  log.info({ audit: true, action: 'report_posted', channel: schedule.channelId, attention: report.attentionCount, access: access.kind, visibility: 'channel' }, 'scheduled report posted');
  return 'posted';
}

/** A post that failed: retried when surely not delivered and worth retrying; else the slot is missed. */
function postFailed(deps: ScheduledReportDeps, a: Attempt, log: Logger, err: unknown): Promise<SlotResult> {
  if (err instanceof PostFailedError) {
    log.warn({ reason: err.reason, delivered: err.delivered }, 'scheduled report: the post failed');
    if (err.delivered === 'no' && err.transient) return retryOrGiveUp(deps, a, log, err.reason);
    return missed(deps, a, log, err.delivered === 'unknown' ? `unknown_delivery_${err.reason}` : err.reason);
  }
  log.error({ err }, 'scheduled report: the post failed unexpectedly');
  return missed(deps, a, log, 'unknown_delivery');
}

/**
 * Nothing reached the channel: try again in {@link RETRY_EVERY_MS} while within
 * {@link RETRY_WINDOW_MS} of the slot; after that, the slot is missed (and when the report could
 * not be made, `failure`, a one-line notice says so in the channel).
 */
async function retryOrGiveUp(deps: ScheduledReportDeps, a: Attempt, log: Logger, reason: string, failure?: Failure): Promise<SlotResult> {
  const notBefore = a.now + RETRY_EVERY_MS;
  if (notBefore <= a.slot + RETRY_WINDOW_MS) {
    await saveState(deps, a.key, { ...a.state, retry: { slot: a.slot, attempts: a.attempt + 1, notBefore }, last: { slot: a.slot, kind: 'retrying', reason, at: a.now } }, log);
    return 'retrying';
  }
  if (failure) {
    try {
      await deps.poster.post(a.schedule.installation, a.schedule.channelId, { kind: 'failed', failure, slot: a.slot, schedule: a.schedule });
    } catch (err) {
      log.warn({ reason: err instanceof PostFailedError ? err.reason : 'unexpected' }, 'scheduled report: the failure notice was not posted either');
    }
  }
  return missed(deps, a, log, reason);
}

/** Records the slot as handled without a report: it is not tried again. */
async function missed(deps: ScheduledReportDeps, a: Attempt, log: Logger, reason: string): Promise<SlotResult> {
  await saveState(deps, a.key, { ...a.state, handledSlot: a.slot, retry: undefined, last: { slot: a.slot, kind: 'missed', reason, at: a.now } }, log);
  log.warn({ reason }, 'scheduled report missed');
  return 'missed';
}

/** Saves the state; a failure is logged (the claim still keeps this slot from being posted twice). */
async function saveState(deps: ScheduledReportDeps, key: string, state: ScheduleState, log: Logger): Promise<void> {
  await deps.schedules.saveState(key, state).catch((err: unknown) => log.error({ err }, 'scheduled report: could not record the outcome'));
}
