/**
 * Scheduled reports through the real app on one real redis-server: two instances, each with its
 * own ticker (every 20 ms here, against a clock the test sets), post a due slot exactly once
 * (counted as chat.postMessage calls on the stand-in Slack of each); a slot missed while nothing
 * ran is posted once after a restart, and not again after another restart. The report is a
 * stand-in (the on-demand report's builder plugs in the same way); access changes are refused by
 * the stand-in Astro (403).
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createReportSchedules, type ReportSchedule } from '../../src/lookup/report-schedule.js';
import { openStores } from '../../src/store/index.js';
import { json } from '../support/http-stub.js';
import { parseWebApiBody, startHarness, type TestHarness } from '../support/app.js';
import { allText } from '../support/block-kit.js';
import { reportState, standInReportSource } from '../support/reports.js';

const redisUrl = inject('redisUrl');
const SLOT = Date.parse('2025-06-10T09:00:00Z');

/** Counts ticks of one instance; `after(n)` resolves once `n` more have run. */
function tickCounter() {
  let count = 0;
  const waiters = new Set<() => void>();
  return {
    onTick() {
      count += 1;
      for (const w of waiters) w();
    },
    after(n: number): Promise<void> {
      const until = count + n;
      return new Promise((resolve) => {
        const check = () => {
          if (count < until) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
  };
}

describe.skipIf(!redisUrl)('scheduled reports on one Redis', () => {
  const running: TestHarness[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((h) => h.close()));
  });

  const clock = { now: SLOT };
  const report = reportState();

  async function instance() {
    const ticks = tickCounter();
    const h = await startHarness({
      astroHandler: (_req, res) => json(res, 403, { message: 'forbidden', requestId: 'req-403' }),
      env: { STORE_URL: redisUrl },
      deps: { reports: { source: standInReportSource(report), tickMs: 20, now: () => clock.now, onTick: ticks.onTick } },
    });
    running.push(h);
    return { h, ticks };
  }

  async function saveSchedule(teamId: string, state?: { handledSlot: number }) {
    const stores = await openStores({ kind: 'redis', url: redisUrl }, { log: createLogger({ level: 'silent' }) });
    const schedules = createReportSchedules({ store: stores.settings, sets: stores.sets });
    const schedule: ReportSchedule = {
      channelId: `C${teamId}`,
      cadence: { kind: 'daily' },
      time: '09:00',
      timeZone: 'UTC',
      namePeople: false,
      installation: { teamId },
      savedBy: 'UADMIN1',
      savedAt: SLOT - 7 * 86_400_000,
    };
    await schedules.save(`T.${teamId}`, schedule);
    if (state) await schedules.saveState(`T.${teamId}`, state);
    await stores.close();
  }

  const postsTo = (hs: TestHarness[], channel: string) => hs.flatMap((h) => h.apiCalls('chat.postMessage')).filter((p) => p.channel === channel);

  it('two instances post a due slot exactly once', async () => {
    await saveSchedule('TSCHEDA');
    clock.now = SLOT + 30_000;
    const [a, b] = await Promise.all([instance(), instance()]);
    // The first post of either instance (the other instance's wait never settles; the test's own
    // timeout bounds a post that never comes).
    const never = new Promise<never>(() => undefined);
    await Promise.race([a, b].map((x) => x.h.slack.waitFor(1, (r) => r.url === '/api/chat.postMessage', 30_000).catch(() => never)));
    // Both keep checking: a dozen more checks each, a minute later on the test's clock.
    clock.now = SLOT + 90_000;
    await Promise.all([a.ticks.after(12), b.ticks.after(12)]);
    const posts = postsTo([a.h, b.h], 'CTSCHEDA');
    expect(posts).toHaveLength(1);
    expect(allText(posts[0])).toMatch(/Astro report/);
    expect(allText(posts[0])).toMatch(/Organization Owner/);
    expect(JSON.stringify(posts[0]!.blocks)).toContain('report_details');
  }, 60_000);

  it('after a restart, a slot missed while nothing ran is posted once; another restart posts nothing', async () => {
    await saveSchedule('TSCHEDB', { handledSlot: SLOT - 2 * 86_400_000 });
    clock.now = SLOT + 3 * 3600_000;
    const first = await instance();
    // 30 s: only a bound for a post that never comes (a cold first run on a busy machine is slow).
    // 30 s bounds only a post that never comes (a cold first run on a busy machine is slow).
    await first.h.slack.waitFor(1, (r) => r.url === '/api/chat.postMessage' && parseWebApiBody(r).channel === 'CTSCHEDB', 30_000);
    await first.ticks.after(5);
    await first.h.close();
    running.splice(running.indexOf(first.h), 1);

    clock.now += 60_000;
    const second = await instance();
    await second.ticks.after(8);
    expect(postsTo([first.h, second.h], 'CTSCHEDB')).toHaveLength(1);
  }, 60_000);
});
