/**
 * An admin's side of scheduled reports: the schedule shown in App Home → Configure, its checks
 * (a real IANA time zone; a channel the bot is a member of, not shared with another organization),
 * saving it together with the Astro connection, and "Show details privately" on a channel post,
 * which makes the on-demand report for an admin who clicks (anyone else is refused, privately).
 */
import type { AstroTarget } from '../astro/client.js';
import type { InstallationRef } from '../core/installation.js';
import { toFailure, type Failure } from '../core/outcomes.js';
import { canonicalTimeZone, nextSlotAfter, parseTimeOfDay, type Cadence } from '../core/schedule.js';
import type { ReportSchedule, ReportSchedules, ScheduleOutcome } from '../lookup/report-schedule.js';
import type { RenderedReport, ReportSource } from './scheduled-report.js';
import { configForm, connectWorkspace, type ConfigForm, type ConnectRequest, type ConnectResult, type WorkspaceDeps } from './workspace.js';
import { ThrottledError } from '../lookup/throttle.js';
import type { Services } from './ports.js';
import { askerBucket, type AskContext } from './request.js';

/** The report services the listeners use (absent until a report source is wired: then schedules are not offered). */
export interface ReportServices {
  schedules: ReportSchedules;
  source: ReportSource;
  /** The installation's Astro target, undefined when not connected. @throws when the settings cannot be read. */
  resolveTarget(installation: InstallationRef): Promise<AstroTarget | undefined>;
  /** ms since the epoch (the scheduler's clock). */
  now(): number;
}

/** Services with the optional report feature. */
export interface WithReports {
  reports?: ReportServices;
}

/**
 * What a channel is to the bot, as Slack says (`conversations.info`:
 * https://docs.slack.dev/reference/methods/conversations.info): `member` (`is_member`),
 * `not_member`, `not_visible` (a private channel the bot is not in: `channel_not_found`),
 * `shared` (Slack Connect: `is_ext_shared`), `archived`, or `unknown` (Slack did not answer).
 */
export type ChannelAccess = 'member' | 'not_member' | 'not_visible' | 'shared' | 'archived' | 'unknown';

/** Asks Slack about a channel with the request's client. */
export type ChannelCheck = (channelId: string) => Promise<ChannelAccess>;

/** The schedule fields as submitted: off, or the raw values. */
export type ScheduleInput = { kind: 'off' } | { kind: 'on'; channelId?: string; cadence?: Cadence; time?: string; timeZone: string; namePeople: boolean };

/** A field of the schedule form and what is wrong with it. */
export type ScheduleProblem =
  | { field: 'channel'; problem: 'missing' | ChannelAccess }
  | { field: 'time'; problem: 'missing' }
  | { field: 'cadence'; problem: 'missing' }
  | { field: 'timeZone'; problem: 'unknown' };

/** A checked schedule, ready to save (or `off`). */
export type CheckedSchedule = { kind: 'off' } | { kind: 'on'; channelId: string; cadence: Cadence; time: string; timeZone: string; namePeople: boolean };

/**
 * Checks submitted schedule fields, inside Slack's 3-second acknowledgement (one `conversations.info`
 * call at most): the time zone must be an IANA name, the channel one the bot is a member of and
 * not shared with another organization (a channel post is public to everyone in it).
 * @returns the schedule, or the problems (one per field).
 */
export async function checkSchedule(input: ScheduleInput, channelCheck: ChannelCheck): Promise<{ ok: true; schedule: CheckedSchedule } | { ok: false; problems: ScheduleProblem[] }> {
  if (input.kind === 'off') return { ok: true, schedule: input };
  const problems: ScheduleProblem[] = [];
  const timeZone = canonicalTimeZone(input.timeZone);
  if (!timeZone) problems.push({ field: 'timeZone', problem: 'unknown' });
  if (!input.cadence) problems.push({ field: 'cadence', problem: 'missing' });
  if (!input.time || !parseTimeOfDay(input.time)) problems.push({ field: 'time', problem: 'missing' });
  if (!input.channelId) problems.push({ field: 'channel', problem: 'missing' });
  else {
    const access = await channelCheck(input.channelId);
    if (access !== 'member') problems.push({ field: 'channel', problem: access });
  }
  if (problems.length > 0 || !timeZone || !input.cadence || !input.time || !input.channelId) return { ok: false, problems };
  return { ok: true, schedule: { kind: 'on', channelId: input.channelId, cadence: input.cadence, time: input.time, timeZone, namePeople: input.namePeople } };
}

/** The schedule part of the Configure form. */
export interface ScheduleForm {
  schedule?: ReportSchedule;
  /** How the last slot ended. */
  last?: ScheduleOutcome;
  /** The next slot, ms since the epoch. */
  next?: number;
}

/**
 * The saved schedule, its last outcome and next slot, for the Configure form; undefined when
 * scheduled reports are off, or when the schedule cannot be read (then the form leaves the
 * schedule out, so saving it cannot turn off a schedule it did not show). Never throws.
 */
export async function scheduleForm(deps: WithReports, ctx: AskContext): Promise<ScheduleForm | undefined> {
  const reports = deps.reports;
  if (!reports) return undefined;
  try {
    const [schedule, state] = await Promise.all([reports.schedules.get(ctx.workspace.key), reports.schedules.state(ctx.workspace.key)]);
    return {
      ...(schedule ? { schedule, next: nextSlotAfter(schedule, reports.now()) } : {}),
      ...(schedule && state.last ? { last: state.last } : {}),
    };
  } catch (err) {
    ctx.log.warn({ err }, 'could not read the report schedule for the configuration form');
    return undefined;
  }
}

/**
 * The Connect Astro form ({@link configForm}) with its schedule part, when the form is shown and
 * scheduled reports are on. Never throws.
 */
export async function configureForm(deps: WorkspaceDeps & WithReports, ctx: AskContext): Promise<{ form: ConfigForm; schedule?: ScheduleForm }> {
  const form = await configForm(deps, ctx);
  if (form.kind !== 'form') return { form };
  const schedule = await scheduleForm(deps, ctx);
  return schedule ? { form, schedule } : { form };
}

/** What saving the form did: the connection's result, and the schedule's. */
export type ConfigureResult = ConnectResult & { schedule?: 'saved' | 'removed' | 'unchanged' | 'failed' };

/**
 * Saves the Connect Astro form with its schedule: the connection first ({@link connectWorkspace}:
 * admin check, token test, save), then, only when that succeeded, the schedule (saved and indexed,
 * or removed when turned off). Never throws.
 */
export async function configureWorkspace(deps: WorkspaceDeps & WithReports, ctx: AskContext, request: ConnectRequest, schedule?: CheckedSchedule): Promise<ConfigureResult> {
  const result = await connectWorkspace(deps, ctx, request);
  const reports = deps.reports;
  if (result.kind !== 'connected' || !reports || !schedule) return result;
  const key = ctx.workspace.key;
  try {
    if (schedule.kind === 'off') {
      const had = await reports.schedules.get(key);
      if (!had) return { ...result, schedule: 'unchanged' };
      await reports.schedules.remove(key);
      ctx.log.info({ audit: true, action: 'report_schedule_removed' }, 'report schedule removed');
      return { ...result, schedule: 'removed' };
    }
    const saved: ReportSchedule = {
      channelId: schedule.channelId,
      cadence: schedule.cadence,
      time: schedule.time,
      timeZone: schedule.timeZone,
      namePeople: schedule.namePeople,
      installation: { ...ctx.workspace.ref },
      savedBy: ctx.asker.slackUserId ?? '',
      savedAt: reports.now(),
    };
    await reports.schedules.save(key, saved);
    ctx.log.info({ audit: true, action: 'report_schedule_saved', channel: schedule.channelId, cadence: schedule.cadence.kind, time: schedule.time, timeZone: schedule.timeZone, namePeople: schedule.namePeople }, 'report schedule saved');
    return { ...result, schedule: 'saved' };
  } catch (err) {
    ctx.log.error({ err }, 'could not save the report schedule');
    return { ...result, schedule: 'failed' };
  }
}

/** What "Show details privately" answers. */
export type ReportDetails = { kind: 'report'; rendered: RenderedReport } | { kind: 'not_admin' } | { kind: 'failed'; failure: Failure };

/**
 * "Show details privately" on a channel post: the on-demand report, drawn for one person, for an
 * admin (workspace admins and owners, `ADMIN_USER_IDS`); anyone else is refused; one abuse-limit
 * point per click. The answer is always private (the listener replies ephemerally). Never throws.
 */
export async function reportDetails(deps: WithReports & Pick<Services, 'throttle'>, ctx: AskContext): Promise<ReportDetails> {
  const admin = ctx.asker.slackUserId ? await ctx.directory.isAdmin(ctx.asker.slackUserId) : false;
  if (!admin) {
    ctx.log.info({ audit: true, action: 'report_details', outcome: 'refused', slackUser: ctx.asker.slackUserId }, 'report details refused (not an admin)');
    return { kind: 'not_admin' };
  }
  const reports = deps.reports;
  if (!reports) return { kind: 'failed', failure: { code: 'not_configured' } };
  try {
    // One abuse-limit point, as the report asked for with the command takes.
    const throttled = await deps.throttle.take(ctx.workspace.key, askerBucket(ctx.asker));
    if (throttled) throw new ThrottledError(throttled);
    const target = await reports.resolveTarget(ctx.workspace.ref);
    if (!target) return { kind: 'failed', failure: { code: 'not_configured' } };
    const report = await reports.source(ctx.workspace.ref, target);
    ctx.log.info({ audit: true, action: 'report_details', outcome: 'shown', slackUser: ctx.asker.slackUserId, visibility: 'private' }, 'report details shown');
    return { kind: 'report', rendered: report.render('private') };
  } catch (err) {
    const failure = toFailure(err);
    ctx.log.warn({ code: failure.code, ...(failure.code === 'unexpected' ? { err } : {}) }, 'could not make the report for its details');
    return { kind: 'failed', failure };
  }
}
