/**
 * The scheduled-report use case in process: memory stores, a stand-in report and a poster that
 * records what would be posted (drawn with the real renderer). Each slot is posted once; a slot
 * missed while nothing ran is posted once on the next check; failures where nothing reached the
 * channel are retried as a new claim, a post whose fate is unknown is never retried; access
 * changes continue where the last report stopped; channel posts count people unless the
 * workspace chose names.
 */
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuditLogReader } from '../../src/astro/audit-log.js';
import { AstroApiError } from '../../src/astro/errors.js';
import { PostFailedError, runDueReports, RETRY_EVERY_MS, type ReportPoster, type ScheduledPost, type ScheduledReportDeps } from '../../src/app/scheduled-report.js';
import { checkSchedule, reportDetails, scheduleForm } from '../../src/app/report-schedule-config.js';
import { StoreUnavailableError } from '../../src/store/once.js';
import { createLogger } from '../../src/logger.js';
import { createReportSchedules, type ReportSchedule, type ReportSchedules } from '../../src/lookup/report-schedule.js';
import { openStores, type Stores } from '../../src/store/index.js';
import { scheduledReportMessage } from '../../src/slack/views/scheduled-report.js';
import { allText, expectValidBlockKit } from '../support/block-kit.js';
import { reportState, standInReportSource, type StandInReportState } from '../support/reports.js';
import { useCaseWorld, type UseCaseWorld } from '../support/use-cases.js';

const log = createLogger({ level: 'silent' });
const KEY = 'T.T0001';
const at = (iso: string) => Date.parse(iso);
const SLOT = at('2025-06-10T09:00:00Z');
const TARGET = { apiUrl: 'https://api.example.com/v1', apiToken: 'tok', organizationId: 'clorg1' };

const schedule = (over: Partial<ReportSchedule> = {}): ReportSchedule => ({
  channelId: 'C0REPORTS',
  cadence: { kind: 'daily' },
  time: '09:00',
  timeZone: 'UTC',
  namePeople: false,
  installation: { teamId: 'T0001' },
  savedBy: 'UADMIN1',
  savedAt: at('2025-06-01T00:00:00Z'),
  ...over,
});

/** A poster that records each post (drawn with the real renderer), and fails while `failWith` is set. */
function recordingPoster() {
  const posts: { channel: string; post: ScheduledPost; message: ReturnType<typeof scheduledReportMessage> }[] = [];
  const state: { failWith?: PostFailedError; attempts: number } = { attempts: 0 };
  const poster: ReportPoster = {
    async post(_ref, channel, post) {
      state.attempts += 1;
      if (state.failWith) throw state.failWith;
      const message = scheduledReportMessage(post);
      expectValidBlockKit(message);
      posts.push({ channel, post, message });
    },
  };
  return { poster, posts, state };
}

describe('scheduled reports', () => {
  let stores: Stores;
  let schedules: ReportSchedules;
  let report: StandInReportState;
  let rec: ReturnType<typeof recordingPoster>;
  let auditBodies: Uint8Array[];
  let auditAsked: { startDate: string; endDate: string }[];
  let deps: ScheduledReportDeps;

  beforeEach(async () => {
    stores = await openStores({ kind: 'memory' }, { log });
    schedules = createReportSchedules({ store: stores.settings, sets: stores.sets });
    report = reportState();
    rec = recordingPoster();
    auditBodies = [];
    auditAsked = [];
    deps = {
      schedules,
      claimOnce: (key, ttl) => stores.once.claim(key, ttl),
      resolveTarget: async () => TARGET,
      source: standInReportSource(report),
      poster: rec.poster,
      auditLogs: createAuditLogReader(
        {
          getOrganizationAuditLogs: async (_t, q) => {
            auditAsked.push(q);
            return auditBodies.shift() ?? gzipSync('');
          },
        },
        { perMinute: 1000 },
      ),
      log,
    };
    await schedules.save(KEY, schedule());
  });
  afterEach(() => stores.close());

  it('posts the due slot once: later checks of the same slot post nothing', async () => {
    expect((await runDueReports(deps, SLOT + 20_000)).get(KEY)).toBe('posted');
    expect((await runDueReports(deps, SLOT + 80_000)).get(KEY)).toBe('idle');
    expect((await runDueReports(deps, SLOT + 3600_000)).get(KEY)).toBe('idle');
    expect(rec.posts).toHaveLength(1);
    expect(rec.posts[0]!.channel).toBe('C0REPORTS');
    expect((await schedules.state(KEY)).lastPostedSlot).toBe(SLOT);
    // The next day's slot is posted in its turn.
    expect((await runDueReports(deps, SLOT + 86_400_000 + 5_000)).get(KEY)).toBe('posted');
    expect(rec.posts).toHaveLength(2);
  });

  it('two schedulers checking the same slot at once post it once (the claim decides)', async () => {
    const results = await Promise.all([runDueReports(deps, SLOT + 1000), runDueReports(deps, SLOT + 1000), runDueReports(deps, SLOT + 2000)]);
    expect(results.map((r) => r.get(KEY)).sort()).toEqual(['claimed_elsewhere', 'claimed_elsewhere', 'posted']);
    expect(rec.posts).toHaveLength(1);
  });

  it('after a restart, a slot missed while nothing ran is posted once, late; the older missed slots never', async () => {
    // Last posted on 7 June; nothing ran until 10 June 14:00.
    await schedules.saveState(KEY, { lastPostedSlot: at('2025-06-07T09:00:00Z'), handledSlot: at('2025-06-07T09:00:00Z') });
    const back = at('2025-06-10T14:00:00Z');
    expect((await runDueReports(deps, back)).get(KEY)).toBe('posted');
    expect(rec.posts.map((p) => p.post.slot)).toEqual([SLOT]);
    // A second restart a minute later finds it handled.
    expect((await runDueReports(deps, back + 60_000)).get(KEY)).toBe('idle');
    expect(rec.posts).toHaveLength(1);
  });

  it('retries a post Slack surely refused (rate limit) as a new claim 5 minutes later, and posts once', async () => {
    rec.state.failWith = new PostFailedError({ delivered: 'no', reason: 'ratelimited', transient: true });
    expect((await runDueReports(deps, SLOT + 1000)).get(KEY)).toBe('retrying');
    expect((await runDueReports(deps, SLOT + 60_000)).get(KEY)).toBe('waiting');
    rec.state.failWith = undefined;
    const [a, b] = await Promise.all([runDueReports(deps, SLOT + 1000 + RETRY_EVERY_MS), runDueReports(deps, SLOT + 1000 + RETRY_EVERY_MS)]);
    expect([a.get(KEY), b.get(KEY)].sort()).toEqual(['claimed_elsewhere', 'posted']);
    expect(rec.posts).toHaveLength(1);
    expect((await schedules.state(KEY)).last).toMatchObject({ kind: 'posted', slot: SLOT });
  });

  it('never retries a post that may have gone through (a timeout): the slot counts as missed', async () => {
    rec.state.failWith = new PostFailedError({ delivered: 'unknown', reason: 'timeout', transient: false });
    expect((await runDueReports(deps, SLOT + 1000)).get(KEY)).toBe('missed');
    rec.state.failWith = undefined;
    expect((await runDueReports(deps, SLOT + 1000 + RETRY_EVERY_MS)).get(KEY)).toBe('idle');
    expect(rec.state.attempts).toBe(1);
    expect((await schedules.state(KEY)).last).toMatchObject({ kind: 'missed', reason: 'unknown_delivery_timeout' });
  });

  it('gives up at once when the bot is not in the channel, and says why in the state Configure shows', async () => {
    rec.state.failWith = new PostFailedError({ delivered: 'no', reason: 'not_in_channel', transient: false });
    expect((await runDueReports(deps, SLOT + 1000)).get(KEY)).toBe('missed');
    expect((await schedules.state(KEY)).last).toMatchObject({ kind: 'missed', reason: 'not_in_channel' });
    expect((await runDueReports(deps, SLOT + 1000 + RETRY_EVERY_MS)).get(KEY)).toBe('idle');
  });

  it('when Astro fails for the whole retry hour, posts a one-line notice instead of the report, once', async () => {
    report.fail = new AstroApiError('unavailable', 'down', { status: 503, requestId: 'req-down-1' });
    let now = SLOT + 1000;
    const results: string[] = [];
    while (now < SLOT + 2 * 3600_000) {
      results.push((await runDueReports(deps, now)).get(KEY)!);
      now += RETRY_EVERY_MS;
    }
    expect(results.filter((r) => r === 'retrying').length).toBeGreaterThanOrEqual(10);
    expect(results.filter((r) => r === 'missed')).toHaveLength(1);
    expect(rec.posts).toHaveLength(1);
    expect(rec.posts[0]!.post.kind).toBe('failed');
    expect(rec.posts[0]!.message.blocks).toHaveLength(1);
    expect(allText(rec.posts[0]!.message)).toMatch(/could not be made/);
  });

  it('a channel post counts people and offers "Show details privately"; names people only when the workspace chose so', async () => {
    await runDueReports(deps, SLOT + 1000);
    const counts = rec.posts[0]!;
    expect(report.drawn).toEqual(['public_counts']);
    expect(allText(counts.message)).toContain('2 people');
    expect(allText(counts.message)).not.toContain('Ada Lovelace');
    expect(JSON.stringify(counts.message.blocks)).toContain('"action_id":"report_details"');

    await schedules.save(KEY, schedule({ namePeople: true }));
    await runDueReports(deps, SLOT + 86_400_000 + 1000);
    const named = rec.posts[1]!;
    expect(report.drawn).toEqual(['public_counts', 'public_names']);
    expect(allText(named.message)).toContain('Ada Lovelace');
    expect(JSON.stringify(named.message.blocks)).not.toContain('report_details');
  });

  it('says "all clear" in one line when nothing needs attention and no access changed', async () => {
    report.attention = 0;
    await runDueReports(deps, SLOT + 1000);
    expect(rec.posts[0]!.message.blocks).toHaveLength(1);
    expect(allText(rec.posts[0]!.message)).toMatch(/All clear/);
  });

  it('reports access changes since the last report, and starts the next read where this one stopped', async () => {
    report.attention = 0;
    const line = (method: string, path: string, status = 200) => JSON.stringify({ subjectId: 'clu1', subjectType: 'USER', timestamp: '2025-06-10T08:00:00Z', method, path, responseStatus: status });
    auditBodies.push(gzipSync([line('POST', '/v1/organizations/clorg1/users/clu2/roles'), line('POST', '/v1/organizations/clorg1/tokens/cltok9/rotate'), 'garbage'].join('\n')));
    await runDueReports(deps, SLOT + 1000);
    const text = allText(rec.posts[0]!.message);
    expect(text).toMatch(/Access changes since/);
    expect(text).toMatch(/user role changes: \*1\*/);
    // Tokens are things: named. People are counted only (no user ID in a counts-only post).
    expect(text).toContain('cltok9');
    expect(text).not.toContain('clu2');
    expect(text).toMatch(/1 audit-log line could not be read/);
    await runDueReports(deps, SLOT + 86_400_000 + 1000);
    expect(auditAsked[1]!.startDate).toBe(new Date(SLOT + 1000).toISOString());
  });

  it('says which role would show access changes when the token may not read audit logs', async () => {
    deps.auditLogs = createAuditLogReader({ getOrganizationAuditLogs: async () => Promise.reject(new AstroApiError('forbidden', 'no', { status: 403 })) });
    await runDueReports(deps, SLOT + 1000);
    expect(allText(rec.posts[0]!.message)).toMatch(/Access changes need an Astro token with the \*Organization Owner\* role/);
  });

  it('skips a workspace that is no longer connected, and forgets an index entry without a schedule', async () => {
    deps.resolveTarget = async () => undefined;
    expect((await runDueReports(deps, SLOT + 1000)).get(KEY)).toBe('missed');
    expect((await schedules.state(KEY)).last).toMatchObject({ reason: 'not_connected' });
    await stores.settings.delete(`schedule:${KEY}`);
    expect((await runDueReports(deps, SLOT + 86_400_000)).get(KEY)).toBe('none');
    expect(await schedules.scheduled()).toEqual([]);
    expect(rec.posts).toHaveLength(0);
  });
});

describe('schedule checks and report details', () => {
  let world: UseCaseWorld;
  beforeEach(async () => {
    world = await useCaseWorld();
  });
  afterEach(() => world.close());

  it('refuses an unknown time zone and a channel the bot is not in, field by field', async () => {
    const input = { kind: 'on' as const, channelId: 'C0NOTIN', cadence: { kind: 'daily' as const }, time: '09:00', timeZone: 'Mars/Base', namePeople: false };
    const checked = await checkSchedule(input, async () => 'not_member');
    expect(checked).toEqual({ ok: false, problems: [{ field: 'timeZone', problem: 'unknown' }, { field: 'channel', problem: 'not_member' }] });
    const ok = await checkSchedule({ ...input, timeZone: 'europe/berlin' }, async () => 'member');
    expect(ok).toEqual({ ok: true, schedule: { ...input, timeZone: 'Europe/Berlin' } });
  });

  it('"Show details privately" draws the report privately for an admin and refuses anyone else', async () => {
    const state = reportState();
    const stores = await openStores({ kind: 'memory' }, { log });
    const services = { ...world.services, reports: { schedules: createReportSchedules({ store: stores.settings, sets: stores.sets }), source: standInReportSource(state), resolveTarget: async () => TARGET, now: Date.now } };
    world.slack.people.UADMIN1 = { isAdmin: true };
    const admin = await reportDetails(services, world.ctx({ kind: 'person', slackUserId: 'UADMIN1' }, 'report'));
    expect(admin.kind).toBe('report');
    expect(state.drawn).toEqual(['private']);
    expect(await reportDetails(services, world.ctx({ kind: 'person', slackUserId: 'U0001' }, 'report'))).toEqual({ kind: 'not_admin' });
    expect(state.made).toBe(1);
  });

  it('"Show details privately" takes an abuse-limit point per click', async () => {
    const limited = await useCaseWorld({ LOOKUPS_PER_USER_PER_MINUTE: '2' });
    try {
      const state = reportState();
      const stores = await openStores({ kind: 'memory' }, { log });
      const services = { ...limited.services, reports: { schedules: createReportSchedules({ store: stores.settings, sets: stores.sets }), source: standInReportSource(state), resolveTarget: async () => TARGET, now: Date.now } };
      limited.slack.people.UADMIN1 = { isAdmin: true };
      const clicks = [];
      for (let i = 0; i < 3; i++) clicks.push(await reportDetails(services, limited.ctx({ kind: 'person', slackUserId: 'UADMIN1' }, 'report')));
      expect(clicks.map((c) => (c.kind === 'failed' ? c.failure.code : c.kind))).toEqual(['report', 'report', 'throttled']);
      expect(state.made).toBe(2);
    } finally {
      await limited.close();
    }
  });

  it('leaves the schedule out of Configure when it cannot be read, so saving the form cannot turn it off', async () => {
    const stores = await openStores({ kind: 'memory' }, { log });
    const schedules = createReportSchedules({ store: stores.settings, sets: stores.sets });
    const reports = { schedules, source: standInReportSource(reportState()), resolveTarget: async () => TARGET, now: () => SLOT };
    const ctx = world.ctx({ kind: 'person', slackUserId: 'UADMIN1' });
    await schedules.save('T.T0001', schedule());
    expect(await scheduleForm({ reports }, ctx)).toEqual({ schedule: schedule(), next: SLOT + 86_400_000 });
    const down = { ...schedules, get: async () => Promise.reject(new StoreUnavailableError()) };
    expect(await scheduleForm({ reports: { ...reports, schedules: down } }, ctx)).toBeUndefined();
  });
});
