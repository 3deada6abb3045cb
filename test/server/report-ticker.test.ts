/**
 * The scheduled-report clock, with fake timers: a first check at start, then one per interval;
 * never two checks at once in a process; stop() waits for the check in progress and no check
 * starts after it; its timers never keep the process alive.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createReportTicker } from '../../src/server/report-ticker.js';

const log = createLogger({ level: 'silent' });

describe('report ticker', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('checks at start and then every interval, skipping a tick while a check still runs', async () => {
    const started: number[] = [];
    let finish: (() => void) | undefined;
    const ticker = createReportTicker({
      log,
      intervalMs: 60_000,
      now: () => 1000 + started.length,
      run: (now) => {
        started.push(now);
        return new Promise<void>((resolve) => {
          finish = resolve;
        });
      },
    });
    ticker.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toHaveLength(1);
    // Still running at the next two ticks: nothing new starts.
    await vi.advanceTimersByTimeAsync(120_000);
    expect(started).toHaveLength(1);
    finish!();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(started).toHaveLength(2);
    finish!();
    await ticker.stop();
  });

  it('stop() waits for the check in progress, and nothing runs after it; its timers are unref\'d', async () => {
    let finish: (() => void) | undefined;
    let runs = 0;
    const intervals = vi.spyOn(globalThis, 'setInterval');
    const ticker = createReportTicker({
      log,
      intervalMs: 1000,
      run: () => {
        runs += 1;
        return new Promise<void>((resolve) => {
          finish = resolve;
        });
      },
    });
    ticker.start();
    const timer = intervals.mock.results[0]!.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    await vi.advanceTimersByTimeAsync(0);
    let stopped = false;
    const stopping = ticker.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish!();
    await stopping;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toBe(1);
    intervals.mockRestore();
  });
});
