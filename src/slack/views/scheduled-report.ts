/**
 * The scheduled report as posted in a channel. Pure.
 *
 * A channel post is public to everyone in the channel: it names things (deployments, tokens) and
 * counts people; it names people only when the workspace chose so (the report's own renderer draws
 * each surface). With counts only, a "Show details privately" button gives an admin the full
 * report. When nothing needs attention and no access changed, the post is one line ("all clear").
 * Access changes (from Astro's audit log) say what changed since the last report, or which role
 * would let the token read them.
 */
import type { KnownBlock } from '@slack/types';
import type { AccessChangeKind, AccessChangesOutcome, AuditLogReading } from '../../astro/audit-log.js';
import { FEATURE_NEEDS } from '../../core/capabilities.js';
import type { ScheduledPost } from '../../app/scheduled-report.js';
import { slackDate } from './format.js';
import { inlineCode, LIMITS } from './limits.js';
import { failureMessage } from './messages.js';
import type { RenderedMessage } from './user-card.js';

/** `action_id` of "Show details privately". */
export const REPORT_DETAILS_ACTION = 'report_details';

const KIND_WORDS: Record<AccessChangeKind, string> = {
  user_roles: 'user role changes',
  team_roles: 'Team role changes',
  token_roles: 'API token role changes',
  team_members_added: 'Team members added',
  team_member_removed: 'Team members removed',
  token_created: 'API tokens created',
  token_rotated: 'API tokens rotated',
  token_deleted: 'API tokens deleted',
};

const ONE_CHANGE: Record<AccessChangeKind, string> = {
  user_roles: 'roles changed for user',
  team_roles: 'roles changed for Team',
  token_roles: 'roles changed for API token',
  team_members_added: 'members added to Team',
  team_member_removed: 'member removed from Team',
  token_created: 'API token created',
  token_rotated: 'API token rotated',
  token_deleted: 'API token deleted',
};

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });

/** How many access changes a reading found. */
export function accessChangeTotal(reading: AuditLogReading): number {
  return Object.values(reading.counts).reduce((a, b) => a + b, 0);
}

/** One line per change, naming people (user IDs) only for `names`; tokens are things and are always named. */
function changeLines(reading: AuditLogReading, names: boolean): string[] {
  const lines: string[] = [];
  for (const c of reading.changes) {
    const isToken = c.kind.startsWith('token_');
    if (!names && !isToken) continue;
    const what = ONE_CHANGE[c.kind];
    const target = c.targetId ? ` ${inlineCode(c.targetId, 64)}` : '';
    const role = c.organizationRole ? ` → ${inlineCode(c.organizationRole, 64)}` : '';
    const member = c.memberId && names ? ` (member ${inlineCode(c.memberId, 64)})` : '';
    const by = names && c.actor ? ` by ${inlineCode(c.actor.id, 64)}` : '';
    const when = c.at ? ` · ${slackDate(c.at, '{date_short} {time}')}` : '';
    lines.push(`• ${what}${target}${role}${member}${by}${when}`);
  }
  return lines;
}

/**
 * The access-changes part of a report: counts by kind (and the changes themselves: tokens always,
 * people only with `names`), or why they are not shown.
 */
export function accessChangeBlocks(access: AccessChangesOutcome, names: boolean): KnownBlock[] {
  switch (access.kind) {
    case 'denied':
      return [context(`:lock: Access changes need an Astro token with the *${FEATURE_NEEDS.audit_logs.role}* role (it reads the organization's audit log).`)];
    case 'unavailable': {
      const why =
        access.reason === 'rate_limited'
          ? 'Astro allows two audit-log reads a minute'
          : access.reason === 'too_large'
            ? 'the audit log was too large to read'
            : access.reason === 'unreadable'
              ? 'the audit log could not be read'
              : "Astro didn't answer";
      return [context(`:hourglass: Access changes could not be read this time (${why}); the next report covers them.`)];
    }
    case 'read': {
      const r = access.reading;
      const total = accessChangeTotal(r);
      const since = slackDate(access.since, '{date_short} {time}');
      const unread = r.malformed + r.skipped;
      const note = unread > 0 ? [context(`${unread} audit-log line${unread === 1 ? '' : 's'} could not be read and ${unread === 1 ? 'was' : 'were'} skipped.`)] : [];
      if (total === 0) return [context(`No access changes since ${since}.`), ...note];
      const counts = (Object.keys(r.counts) as AccessChangeKind[]).filter((k) => r.counts[k] > 0).map((k) => `${KIND_WORDS[k]}: *${r.counts[k]}*`);
      const lines = changeLines(r, names);
      const shown = lines.slice(0, 10);
      const more = lines.length - shown.length;
      const text = [`*Access changes since ${since}*`, counts.join(' · '), ...shown, ...(more > 0 ? [`…and ${more} more`] : [])].join('\n');
      return [section(text.slice(0, LIMITS.sectionText)), ...note];
    }
  }
}

/**
 * The channel message of a scheduled post: the report for its surface with the access changes
 * and, with counts only, "Show details privately"; one line when all is clear; or a one-line
 * notice that the report could not be made.
 */
export function scheduledReportMessage(post: ScheduledPost): RenderedMessage {
  const date = slackDate(post.slot, '{date_short_pretty} at {time}');
  if (post.kind === 'failed') {
    const why = failureMessage(post.failure, '').text;
    const line = `:warning: The scheduled Astro report for ${date} could not be made: ${why}`;
    return { text: `The scheduled Astro report could not be made: ${why}`, blocks: [section(line)] };
  }
  const names = post.surface === 'public_names';
  const changes = post.access.kind === 'read' ? accessChangeTotal(post.access.reading) : 0;
  if (post.report.attentionCount === 0 && changes === 0) {
    const text = `All clear: nothing in Astro needs attention (report for ${date}).`;
    return { text: `Astro report: all clear, nothing needs attention.`, blocks: [section(`:white_check_mark: ${text}`)] };
  }
  const rendered = post.report.render(post.surface);
  const access = accessChangeBlocks(post.access, names);
  const actions: KnownBlock[] = post.detailsButton
    ? [
        {
          type: 'actions',
          block_id: 'report:actions',
          elements: [{ type: 'button', action_id: REPORT_DETAILS_ACTION, text: { type: 'plain_text', text: 'Show details privately' }, value: 'v1' }],
        },
      ]
    : [];
  const head = section(`:bar_chart: *Astro report* for ${date}${post.report.attentionCount > 0 ? ` · *${post.report.attentionCount}* need${post.report.attentionCount === 1 ? 's' : ''} attention` : ''}`);
  const room = LIMITS.messageBlocks - 1 - access.length - actions.length;
  const body = (rendered.blocks as KnownBlock[]).slice(0, Math.max(0, room));
  return { text: rendered.text || `Astro report for ${new Date(post.slot).toISOString().slice(0, 10)}`, blocks: [head, ...body, ...access, ...actions] };
}

/** The private answer to "Show details privately" for someone who is not an admin. */
export function reportDetailsRefusal(): RenderedMessage {
  const text = ':lock: Only Slack workspace admins and owners (or the people the operator named in `ADMIN_USER_IDS`) can see the report details.';
  return { text: 'Only admins can see the report details.', blocks: [section(text)] };
}
