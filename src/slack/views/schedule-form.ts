/**
 * The "Scheduled report" part of the Connect Astro modal: channel, cadence (off, daily, or weekly
 * on a weekday), time, IANA time zone, and whether channel posts may name people; reading those
 * fields back from a submission; and the words for what is wrong with them. Pure.
 * Sources: https://docs.slack.dev/reference/block-kit/block-elements/multi-select-menu-element
 * (`conversations_select`, `filter`, `default_to_current_conversation`),
 * https://docs.slack.dev/reference/block-kit/block-elements/time-picker-element (`HH:mm`),
 * https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload (`response_action: errors`).
 */
import type { KnownBlock, PlainTextOption } from '@slack/types';
import type { ChannelAccess, ScheduleForm, ScheduleInput, ScheduleProblem } from '../../app/report-schedule-config.js';
import { FEATURE_NEEDS } from '../../core/capabilities.js';
import { describeRule, WEEKDAY_NAMES, type Cadence, type Weekday } from '../../core/schedule.js';
import { slackDate } from './format.js';

/** Block and action IDs of the schedule fields. */
export const SCHEDULE = {
  channelBlock: 'report_channel',
  channelAction: 'channel',
  cadenceBlock: 'report_cadence',
  cadenceAction: 'cadence',
  timeBlock: 'report_time',
  timeAction: 'time',
  zoneBlock: 'report_zone',
  zoneAction: 'zone',
  namesBlock: 'report_names',
  namesAction: 'names',
} as const;

const option = (text: string, value: string): PlainTextOption => ({ text: { type: 'plain_text', text }, value });
const CADENCE_OPTIONS: PlainTextOption[] = [
  option('Off', 'off'),
  option('Every day', 'daily'),
  ...([1, 2, 3, 4, 5, 6, 7] as const).map((d) => option(`Every ${WEEKDAY_NAMES[d]}`, `weekly:${d}`)),
];

const cadenceValue = (c: Cadence) => (c.kind === 'daily' ? 'daily' : `weekly:${c.weekday}`);

/** The option value of a cadence select → a cadence (`off` and unknown values: undefined). */
function cadenceOf(value: string | undefined): Cadence | undefined {
  if (value === 'daily') return { kind: 'daily' };
  const m = /^weekly:([1-7])$/.exec(value ?? '');
  return m ? { kind: 'weekly', weekday: Number(m[1]) as Weekday } : undefined;
}

/** What the last slot did, in words. */
function lastLine(form: ScheduleForm): string | undefined {
  const last = form.last;
  if (!last) return undefined;
  const when = slackDate(last.slot, '{date_short} at {time}');
  if (last.kind === 'posted') return `Last report: posted ${when}.`;
  const why = last.reason === 'not_in_channel' ? 'astro-user is not a member of the channel' : last.reason === 'not_connected' ? 'Astro is not connected' : last.reason === 'channel_shared' ? 'the channel is now shared with another organization; choose another' : (last.reason ?? 'unknown');
  return last.kind === 'retrying' ? `Last report (${when}): not posted yet, trying again (${why}).` : `Last report (${when}): not posted (${why}).`;
}

/**
 * The schedule section of the modal (a divider, an explanation, five optional inputs).
 * @param form the saved schedule (undefined fields: nothing saved yet).
 */
export function scheduleBlocks(form: ScheduleForm): KnownBlock[] {
  const s = form.schedule;
  const status = s ? `*Now:* ${describeRule(s)} in <#${s.channelId}>${form.next ? ` · next ${slackDate(form.next, '{date_short_pretty} at {time}')}` : ''}` : '*Now:* off';
  const last = lastLine(form);
  const blocks: KnownBlock[] = [
    { type: 'divider' },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Scheduled report* in a channel. astro-user must be a member of it: type \`/invite @astro-user\` in the channel first. The post is public to the channel: it names deployments and tokens and counts people; an admin can see the details privately.\n${status}`,
      },
    },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `Access changes since the last report need an Astro token with the *${FEATURE_NEEDS.audit_logs.role}* role.${last ? ` ${last}` : ''}` }],
    },
    {
      type: 'input',
      block_id: SCHEDULE.cadenceBlock,
      optional: true,
      label: { type: 'plain_text', text: 'How often' },
      element: { type: 'static_select', action_id: SCHEDULE.cadenceAction, options: CADENCE_OPTIONS, initial_option: CADENCE_OPTIONS.find((o) => o.value === (s ? cadenceValue(s.cadence) : 'off'))! },
    },
    {
      type: 'input',
      block_id: SCHEDULE.channelBlock,
      optional: true,
      label: { type: 'plain_text', text: 'Channel' },
      element: {
        type: 'conversations_select',
        action_id: SCHEDULE.channelAction,
        filter: { include: ['public', 'private'], exclude_external_shared_channels: true, exclude_bot_users: true },
        ...(s ? { initial_conversation: s.channelId } : { default_to_current_conversation: true }),
      },
    },
    {
      type: 'input',
      block_id: SCHEDULE.timeBlock,
      optional: true,
      label: { type: 'plain_text', text: 'Time' },
      element: { type: 'timepicker', action_id: SCHEDULE.timeAction, initial_time: s?.time ?? '09:00' },
    },
    {
      type: 'input',
      block_id: SCHEDULE.zoneBlock,
      optional: true,
      label: { type: 'plain_text', text: 'Time zone' },
      hint: { type: 'plain_text', text: 'An IANA time zone name, e.g. Europe/Berlin, America/New_York or UTC.' },
      element: { type: 'plain_text_input', action_id: SCHEDULE.zoneAction, max_length: 64, initial_value: s?.timeZone ?? 'UTC' },
    },
    {
      type: 'input',
      block_id: SCHEDULE.namesBlock,
      optional: true,
      label: { type: 'plain_text', text: 'People in channel posts' },
      element: {
        type: 'checkboxes',
        action_id: SCHEDULE.namesAction,
        options: [{ text: { type: 'plain_text', text: 'Name people in the channel post' }, description: { type: 'plain_text', text: 'Off: the post counts people; admins see names privately.' }, value: 'names' }],
        ...(s?.namePeople ? { initial_options: [{ text: { type: 'plain_text', text: 'Name people in the channel post' }, description: { type: 'plain_text', text: 'Off: the post counts people; admins see names privately.' }, value: 'names' }] } : {}),
      },
    },
  ];
  return blocks;
}

/** The submitted schedule fields (as Slack sends `view.state.values`). */
export function readScheduleInput(values: Record<string, Record<string, { selected_option?: { value?: string } | null; selected_conversation?: string | null; selected_time?: string | null; value?: string | null; selected_options?: { value?: string }[] }>>): ScheduleInput | undefined {
  const cadenceBlock = values[SCHEDULE.cadenceBlock]?.[SCHEDULE.cadenceAction];
  if (!cadenceBlock) return undefined;
  const value = cadenceBlock.selected_option?.value ?? 'off';
  if (value === 'off') return { kind: 'off' };
  const cadence = cadenceOf(value);
  const channelId = values[SCHEDULE.channelBlock]?.[SCHEDULE.channelAction]?.selected_conversation ?? undefined;
  const time = values[SCHEDULE.timeBlock]?.[SCHEDULE.timeAction]?.selected_time ?? undefined;
  const timeZone = values[SCHEDULE.zoneBlock]?.[SCHEDULE.zoneAction]?.value ?? '';
  const namePeople = (values[SCHEDULE.namesBlock]?.[SCHEDULE.namesAction]?.selected_options ?? []).some((o) => o.value === 'names');
  return { kind: 'on', ...(channelId ? { channelId } : {}), ...(cadence ? { cadence } : {}), ...(time ? { time } : {}), timeZone, namePeople };
}

const CHANNEL_WORDS: Record<'missing' | Exclude<ChannelAccess, 'member'>, string> = {
  missing: 'Pick the channel to post the report in.',
  not_member: 'astro-user is not a member of this channel. Type `/invite @astro-user` in it, then save again.',
  not_visible: "astro-user can't see this channel: it is private and astro-user is not in it. Type `/invite @astro-user` in the channel, then save again.",
  shared: 'This channel is shared with another organization. Pick a channel of your own workspace: the report is public to everyone in it.',
  archived: 'This channel is archived. Pick another one.',
  unknown: "Slack didn't say whether astro-user is in this channel. Try again in a moment.",
};

/** The modal's `response_action: 'errors'` map for schedule problems (one message per block). */
export function scheduleErrors(problems: readonly ScheduleProblem[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const p of problems) {
    if (p.field === 'channel') errors[SCHEDULE.channelBlock] = CHANNEL_WORDS[p.problem === 'member' ? 'unknown' : p.problem];
    else if (p.field === 'timeZone') errors[SCHEDULE.zoneBlock] = 'Not a time zone name. Use an IANA name such as Europe/Berlin, America/New_York or UTC.';
    else if (p.field === 'time') errors[SCHEDULE.timeBlock] = 'Pick the time to post the report.';
    else errors[SCHEDULE.cadenceBlock] = 'Pick how often to post the report.';
  }
  return errors;
}

/** A line for the result modal about the schedule, or undefined when nothing changed. */
export function scheduleResultLine(outcome: 'saved' | 'removed' | 'unchanged' | 'failed' | undefined): string | undefined {
  switch (outcome) {
    case 'saved':
      return ':calendar: Report schedule saved.';
    case 'removed':
      return ':calendar: Scheduled report turned off.';
    case 'failed':
      return ':warning: The report schedule could not be saved (storage did not answer). Try again.';
    default:
      return undefined;
  }
}
