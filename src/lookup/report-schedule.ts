/**
 * Scheduled-report settings per installation, in the strict `settings` namespace beside the
 * Astro connection and policy: the schedule an admin saved (`schedule:<key>`, zod-validated), the
 * scheduler's state (`schedule-state:<key>`: the last slot posted or given up on, the retry
 * count of the current slot, how far access changes were read), and an index of the
 * installations that have a schedule (a strict key set), so a scheduler can enumerate them.
 *
 * Reads are not cached in process: the scheduler reads each once a minute, and another instance's
 * write must be seen at once (exactly-once posting relies on the claims, but a stale state would
 * cost a retry).
 */
import type Keyv from 'keyv';
import { z } from 'zod';
import type { InstallationRef } from '../core/installation.js';
import { canonicalTimeZone, parseTimeOfDay, type SlotRule } from '../core/schedule.js';
import type { KeySets } from '../store/key-set.js';
import { strictCall } from '../store/once.js';

/** A report schedule: where, when, and whether channel posts may name people. */
export interface ReportSchedule extends SlotRule {
  /** Slack channel ID (`C…` or `G…`) the report is posted in; the bot is a member. */
  channelId: string;
  /** Channel posts name people (default false: counts only, details privately to admins on a click). */
  namePeople: boolean;
  /** The installation, to resolve its Astro connection and bot token when the scheduler runs. */
  installation: InstallationRef;
  /** Slack user ID of the admin who saved it, and when (ms since the epoch): slots before are never due. */
  savedBy: string;
  savedAt: number;
}

/** How the last slot handled ended, for admins (Configure). Times in ms since the epoch. */
export interface ScheduleOutcome {
  slot: number;
  kind: 'posted' | 'retrying' | 'missed';
  /** Why it was missed or is retried: a Slack error code (`not_in_channel`), `astro`, `not_connected`, `unknown_delivery`… */
  reason?: string;
  at: number;
}

/** The scheduler's state of one installation. */
export interface ScheduleState {
  /** The last slot posted (ms since the epoch). */
  lastPostedSlot?: number;
  /** The last slot handled: posted, or given up on (never tried again). */
  handledSlot?: number;
  /** The slot being retried, the attempts made on it, and when the next may start. */
  retry?: { slot: number; attempts: number; notBefore: number };
  /** Access changes were read up to here (ms since the epoch); the next report starts there. */
  auditCoveredUntil?: number;
  /** The last outcome, for admins. */
  last?: ScheduleOutcome;
}

const SLACK_ID = /^[A-Z0-9]{1,32}$/;
const RefRecord = z.object({
  teamId: z.string().regex(SLACK_ID).optional(),
  enterpriseId: z.string().regex(SLACK_ID).optional(),
  isEnterpriseInstall: z.boolean().optional(),
});
const ScheduleRecord = z.object({
  v: z.literal(1),
  channelId: z.string().regex(/^[CG][A-Z0-9]{2,30}$/),
  cadence: z.discriminatedUnion('kind', [z.object({ kind: z.literal('daily') }), z.object({ kind: z.literal('weekly'), weekday: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5), z.literal(6), z.literal(7)]) })]),
  time: z.string().refine((t) => parseTimeOfDay(t) !== undefined, 'not HH:MM'),
  timeZone: z.string().refine((tz) => canonicalTimeZone(tz) !== undefined, 'not an IANA time zone'),
  namePeople: z.boolean().default(false),
  installation: RefRecord,
  savedBy: z.string().max(64),
  savedAt: z.number(),
});
const OutcomeRecord = z.object({ slot: z.number(), kind: z.enum(['posted', 'retrying', 'missed']), reason: z.string().max(100).optional(), at: z.number() });
const StateRecord = z.object({
  lastPostedSlot: z.number().optional(),
  handledSlot: z.number().optional(),
  retry: z.object({ slot: z.number(), attempts: z.number().int().min(0).max(1000), notBefore: z.number() }).optional(),
  auditCoveredUntil: z.number().optional(),
  last: OutcomeRecord.optional(),
});

/** The key set listing installations with a schedule. */
const INDEX = 'report-schedules';

/** Report schedules and the scheduler's state. Every method throws {@link StoreUnavailableError} when the store fails. */
export interface ReportSchedules {
  /** The schedule of `key`, or undefined when none (or unreadable: treated as none). */
  get(key: string): Promise<ReportSchedule | undefined>;
  /** Saves a schedule (validated) and indexes it; the state is kept. @throws {z.ZodError} for an invalid schedule. */
  save(key: string, schedule: ReportSchedule): Promise<void>;
  /** Removes the schedule, its state and its index entry. */
  remove(key: string): Promise<void>;
  /** Installation keys with a schedule (the index). */
  scheduled(): Promise<string[]>;
  /** Drops `key` from the index (its schedule is gone). */
  unindex(key: string): Promise<void>;
  /** The scheduler's state of `key` (empty when none). */
  state(key: string): Promise<ScheduleState>;
  saveState(key: string, state: ScheduleState): Promise<void>;
}

/** Creates the schedule store over the strict `settings` namespace and the strict key sets. */
export function createReportSchedules(options: { store: Keyv; sets: KeySets }): ReportSchedules {
  const { store, sets } = options;
  const strict = <T>(call: Promise<T>) => strictCall(call, 'the settings store');
  const scheduleKey = (key: string) => `schedule:${key}`;
  const stateKey = (key: string) => `schedule-state:${key}`;
  return {
    async get(key) {
      const parsed = ScheduleRecord.safeParse(await strict(store.get(scheduleKey(key))));
      if (!parsed.success) return undefined;
      const { v: _v, installation, ...rest } = parsed.data;
      return { ...rest, installation: { ...installation } };
    },
    async save(key, schedule) {
      const record = ScheduleRecord.parse({ v: 1, ...schedule });
      await strict(store.set(scheduleKey(key), record));
      await strict(sets.add(INDEX, key));
    },
    async remove(key) {
      await strict(store.delete([scheduleKey(key), stateKey(key)]));
      await strict(sets.remove(INDEX, key));
    },
    scheduled: () => strict(sets.members(INDEX)),
    unindex: (key) => strict(sets.remove(INDEX, key)),
    async state(key) {
      const parsed = StateRecord.safeParse(await strict(store.get(stateKey(key))));
      return parsed.success ? parsed.data : {};
    },
    async saveState(key, state) {
      await strict(store.set(stateKey(key), StateRecord.parse(state)));
    },
  };
}

/** Settings keys of an installation's schedule (deleted with the rest of its settings on uninstall). */
export function scheduleKeysOf(key: string): string[] {
  return [`schedule:${key}`, `schedule-state:${key}`];
}
