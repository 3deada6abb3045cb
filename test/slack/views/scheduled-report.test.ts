/**
 * The scheduled report's renderers: within Block Kit limits however long the report, the one-line
 * "all clear", the failure notice, and the Configure modal with its schedule section (read back
 * from a submission as the admin filled it).
 */
import { describe, expect, it } from 'vitest';
import type { ScheduledPost } from '../../../src/app/scheduled-report.js';
import type { ReportSchedule } from '../../../src/lookup/report-schedule.js';
import { DEFAULT_POLICY } from '../../../src/lookup/workspace-settings.js';
import { configFormModal } from '../../../src/slack/views/config-modal.js';
import { readScheduleInput, scheduleBlocks, scheduleErrors } from '../../../src/slack/views/schedule-form.js';
import { scheduledReportMessage } from '../../../src/slack/views/scheduled-report.js';
import { allText, expectValidBlockKit } from '../../support/block-kit.js';

const SCHEDULE: ReportSchedule = { channelId: 'C0REPORTS', cadence: { kind: 'weekly', weekday: 5 }, time: '16:45', timeZone: 'Europe/Berlin', namePeople: true, installation: { teamId: 'T1' }, savedBy: 'U1', savedAt: 0 };
const reportOf = (attention: number, blocks: number) => ({
  attentionCount: attention,
  render: () => ({ text: 'report', blocks: Array.from({ length: blocks }, (_, i) => ({ type: 'section', text: { type: 'mrkdwn', text: `line ${i}` } })) }),
});
const post = (over: Partial<Extract<ScheduledPost, { kind: 'report' }>> = {}): ScheduledPost => ({
  kind: 'report',
  report: reportOf(3, 5),
  surface: 'public_counts',
  slot: Date.parse('2025-06-13T14:45:00Z'),
  schedule: SCHEDULE,
  access: { kind: 'denied' },
  detailsButton: true,
  ...over,
});

describe('scheduled report message', () => {
  it('stays within 50 blocks, keeping the access note and the details button, however long the report', () => {
    const message = scheduledReportMessage(post({ report: reportOf(9, 80) }));
    expectValidBlockKit(message);
    expect(message.blocks).toHaveLength(50);
    expect(JSON.stringify(message.blocks.at(-1))).toContain('report_details');
    expect(allText(message)).toMatch(/Organization Owner/);
  });

  it('is one line when all is clear, and one line when the report could not be made', () => {
    const clear = scheduledReportMessage(post({ report: reportOf(0, 5), access: { kind: 'read', since: 0, until: 1, reading: { changes: [], counts: { user_roles: 0, team_roles: 0, token_roles: 0, team_members_added: 0, team_member_removed: 0, token_created: 0, token_rotated: 0, token_deleted: 0 }, unrelated: 4, refused: 0, otherEvents: 2, malformed: 0, skipped: 0 } } }));
    expect(clear.blocks).toHaveLength(1);
    expect(allText(clear)).toMatch(/All clear/);
    const failed = scheduledReportMessage({ kind: 'failed', failure: { code: 'astro', kind: 'unavailable', requestId: 'req-1' }, slot: 0, schedule: SCHEDULE });
    expectValidBlockKit(failed);
    expect(failed.blocks).toHaveLength(1);
  });
});

describe('the schedule part of Configure', () => {
  it('fits the modal with the saved schedule pre-filled', () => {
    const modal = configFormModal({ apiHost: 'api.astronomer.io', policy: DEFAULT_POLICY, privateMetadata: '{}' });
    modal.blocks = [...modal.blocks, ...scheduleBlocks({ schedule: SCHEDULE, next: Date.parse('2025-06-20T14:45:00Z'), last: { slot: 0, kind: 'missed', reason: 'not_in_channel', at: 0 } })];
    expectValidBlockKit(modal as never, 'view');
    const text = allText(modal);
    expect(text).toMatch(/every Friday at 16:45 \(Europe\/Berlin\)/);
    expect(text).toMatch(/not a member of the channel/);
    expect(text).toMatch(/\/invite @astro-user/);
  });

  it('reads the fields back as submitted, and says what is wrong with each', () => {
    const values = {
      report_cadence: { cadence: { selected_option: { value: 'weekly:5' } } },
      report_channel: { channel: { selected_conversation: 'C0REPORTS' } },
      report_time: { time: { selected_time: '16:45' } },
      report_zone: { zone: { value: ' Europe/Berlin ' } },
      report_names: { names: { selected_options: [{ value: 'names' }] } },
    };
    expect(readScheduleInput(values)).toEqual({ kind: 'on', channelId: 'C0REPORTS', cadence: { kind: 'weekly', weekday: 5 }, time: '16:45', timeZone: ' Europe/Berlin ', namePeople: true });
    expect(readScheduleInput({ ...values, report_cadence: { cadence: { selected_option: { value: 'off' } } } })).toEqual({ kind: 'off' });
    expect(readScheduleInput({})).toBeUndefined();
    expect(Object.keys(scheduleErrors([{ field: 'channel', problem: 'shared' }, { field: 'time', problem: 'missing' }]))).toEqual(['report_channel', 'report_time']);
  });
});
