/**
 * When scheduled reports are due: a daily or weekly wall-clock time in an IANA time zone, turned
 * into instants with the platform's own time-zone data (`Intl.DateTimeFormat` with `timeZone`,
 * https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Intl/DateTimeFormat),
 * so daylight-saving changes are honoured. Pure (no I/O, no clock: `now` is passed in).
 *
 * Rules (the same as Temporal's `disambiguation: 'compatible'`,
 * https://tc39.es/proposal-temporal/docs/ambiguity.html):
 * - a time that does not exist on a spring-forward day (02:30 when clocks jump from 02:00 to
 *   03:00) is moved forward by the gap (03:30);
 * - a time that occurs twice on a fall-back day (01:30 when clocks go back from 02:00 to 01:00) is
 *   the earlier of the two.
 * So there is exactly one slot per day (daily) or per week (weekly).
 */

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** Weekday names, by ISO number (index 0 unused). */
export const WEEKDAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/** How often a report is posted. */
export type Cadence = { kind: 'daily' } | { kind: 'weekly'; weekday: Weekday };

/** When a report is due: a cadence, a wall-clock time `HH:MM` (24 h) and an IANA time zone. */
export interface SlotRule {
  cadence: Cadence;
  /** `HH:MM`, 00:00–23:59. */
  time: string;
  /** IANA time zone name, e.g. `Europe/Berlin` (see {@link canonicalTimeZone}). */
  timeZone: string;
}

/**
 * A late slot (missed while no instance ran, e.g. during a restart or an outage) is still posted
 * when it is at most this old, in ms: 12 hours. Only the latest slot is ever posted late, and only
 * once; half a day keeps a late daily report from landing just before the next one.
 */
export const MISSED_SLOT_GRACE_MS = 12 * 60 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

/** `HH:MM` (24-hour clock) → hour and minute, or undefined when not a time of day. */
export function parseTimeOfDay(time: string): { hour: number; minute: number } | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : undefined;
}

/** Formatters by time zone (building one costs far more than using it). */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    if (formatters.size > 500) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * The IANA name of a time zone as the platform spells it (`europe/berlin` → `Europe/Berlin`), or
 * undefined when it is not one: unknown names, and UTC offsets such as `+01:00` (which
 * `Intl.DateTimeFormat` accepts but which are not IANA zones) are refused. `UTC` is accepted.
 * Source of the list: `Intl.supportedValuesOf('timeZone')`.
 */
export function canonicalTimeZone(name: string): string | undefined {
  const trimmed = name.trim();
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(trimmed) || trimmed.length > 64) return undefined;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  const supported = supportedZones();
  if (supported.has(trimmed)) return trimmed;
  const lower = trimmed.toLowerCase();
  for (const zone of supported) if (zone.toLowerCase() === lower) return zone;
  if (resolved === 'UTC' || resolved === 'Etc/UTC') return 'UTC';
  // An alias the platform knows but does not list (e.g. `US/Eastern`): kept as the platform spells it.
  return resolved.includes('/') ? resolved : undefined;
}

let zones: Set<string> | undefined;
function supportedZones(): Set<string> {
  zones ??= new Set(Intl.supportedValuesOf('timeZone'));
  return zones;
}

/** Wall-clock parts of an instant in `timeZone`. */
interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: Weekday;
}

const WEEKDAYS: Record<string, Weekday> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

function localParts(ms: number, timeZone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatterOf(timeZone).formatToParts(ms)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 1,
  };
}

/** The zone's offset from UTC at instant `ms`, in ms (positive east of Greenwich). */
function offsetAt(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant (ms since the epoch) of a wall-clock date and time in `timeZone`, with the
 * daylight-saving rules of this module's summary: a skipped time moves forward by the gap, a
 * repeated time is the earlier instant.
 * @param date calendar date in the zone (`month` 1–12).
 */
export function zonedTimeToUtc(date: { year: number; month: number; day: number; hour: number; minute: number }, timeZone: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day, date.hour, date.minute);
  // The offsets in force a day before and a day after: any transition near `wall` lies between.
  const before = offsetAt(wall - DAY_MS, timeZone);
  const after = offsetAt(wall + DAY_MS, timeZone);
  const matches = (offset: number) => {
    const t = wall - offset;
    return offsetAt(t, timeZone) === offset ? t : undefined;
  };
  const candidates = [matches(before), matches(after)].filter((t): t is number => t !== undefined);
  if (candidates.length > 0) return Math.min(...candidates);
  // In the gap of a spring-forward change: read the wall time with the offset before the change.
  return wall - before;
}

/** The calendar date `days` after `date` (negative: before). */
function addDays(date: { year: number; month: number; day: number }, days: number): { year: number; month: number; day: number } {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The slot of `rule` on a calendar date of its zone. */
function slotOn(rule: SlotRule, date: { year: number; month: number; day: number }): number {
  const time = parseTimeOfDay(rule.time);
  if (!time) throw new RangeError(`not a time of day: ${rule.time}`);
  return zonedTimeToUtc({ ...date, ...time }, rule.timeZone);
}

/**
 * The latest slot of `rule` at or before `now` (ms since the epoch).
 * @throws {RangeError} when the rule's time or time zone is invalid.
 */
export function latestSlotAtOrBefore(rule: SlotRule, now: number): number {
  const today = localParts(now, rule.timeZone);
  const back = rule.cadence.kind === 'daily' ? 0 : (today.weekday - rule.cadence.weekday + 7) % 7;
  const step = rule.cadence.kind === 'daily' ? 1 : 7;
  for (let days = back; days <= back + 2 * step; days += step) {
    const slot = slotOn(rule, addDays(today, -days));
    if (slot <= now) return slot;
  }
  throw new RangeError('no slot found');
}

/**
 * The first slot of `rule` strictly after `now`.
 * @throws {RangeError} when the rule's time or time zone is invalid.
 */
export function nextSlotAfter(rule: SlotRule, now: number): number {
  const today = localParts(now, rule.timeZone);
  const ahead = rule.cadence.kind === 'daily' ? 0 : (rule.cadence.weekday - today.weekday + 7) % 7;
  const step = rule.cadence.kind === 'daily' ? 1 : 7;
  for (let days = ahead; days <= ahead + 2 * step; days += step) {
    const slot = slotOn(rule, addDays(today, days));
    if (slot > now) return slot;
  }
  throw new RangeError('no slot found');
}

/** The length of a cadence's period, in ms (a DST day is an hour off; callers use it as a default window). */
export function periodOf(cadence: Cadence): number {
  return cadence.kind === 'daily' ? DAY_MS : 7 * DAY_MS;
}

/**
 * The slot to post now, if any: the latest slot at or before `now`, when it came after the rule
 * was saved (`since`, ms) and after the last slot already handled (`handled`: posted, or given up
 * on), and is at most {@link MISSED_SLOT_GRACE_MS} old. Older missed slots are never posted, so a
 * restart after a long outage posts at most one report, once.
 * @throws {RangeError} when the rule's time or time zone is invalid.
 */
export function dueSlot(rule: SlotRule, now: number, since: number, handled?: number): number | undefined {
  const slot = latestSlotAtOrBefore(rule, now);
  if (slot <= since) return undefined;
  if (handled !== undefined && slot <= handled) return undefined;
  if (now - slot > MISSED_SLOT_GRACE_MS) return undefined;
  return slot;
}

/** `Monday at 09:00` / `every day at 09:00`, with the zone, for people. */
export function describeRule(rule: SlotRule): string {
  const when = rule.cadence.kind === 'daily' ? 'every day' : `every ${WEEKDAY_NAMES[rule.cadence.weekday]}`;
  return `${when} at ${rule.time} (${rule.timeZone})`;
}
