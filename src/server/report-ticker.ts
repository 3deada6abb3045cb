/**
 * The clock of scheduled reports: checks due slots once on start and then every `intervalMs`
 * (default one minute), one check at a time in this process (a tick that comes while the last
 * is still running is skipped). Its timers are unref'd (they never keep the process alive), and
 * {@link ReportTicker.stop} waits for a check in progress, so the stores are not closed under it.
 */
import type { Logger } from '../logger.js';

/** Options of {@link createReportTicker}. */
export interface ReportTickerOptions {
  /** One check at `now` (ms since the epoch). Errors are logged. */
  run(now: number): Promise<unknown>;
  /** Time between checks, in ms. Default 60 000. */
  intervalMs?: number;
  /** The clock, ms since the epoch (tests set it). */
  now?: () => number;
  log: Logger;
  /** Told after each check (tests count them). */
  onTick?: () => void;
}

/** A started-or-stopped ticker. */
export interface ReportTicker {
  /** Starts checking (a first check at once). Idempotent. */
  start(): void;
  /** Stops checking and waits for a check in progress. Idempotent. */
  stop(): Promise<void>;
}

/** Creates a ticker (not started). */
export function createReportTicker(options: ReportTickerOptions): ReportTicker {
  const intervalMs = options.intervalMs ?? 60_000;
  const now = options.now ?? Date.now;
  let interval: NodeJS.Timeout | undefined;
  let first: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = options
      .run(now())
      .catch((err: unknown) => options.log.error({ err }, 'scheduled reports: a check failed'))
      .then(() => options.onTick?.())
      .finally(() => {
        running = undefined;
      });
  };
  return {
    start() {
      if (interval || stopped) return;
      first = setTimeout(tick, 0);
      first.unref();
      interval = setInterval(tick, intervalMs);
      interval.unref();
    },
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(interval);
      await running;
    },
  };
}
