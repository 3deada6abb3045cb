/**
 * When scheduled reports are due: daily and weekly slots in a time zone, daylight-saving days in
 * America/New_York and Europe/Berlin (skipped and repeated wall-clock times), time-zone names, and
 * the missed-slot rule (only the latest slot, once, and only when at most 12 hours old).
 */
import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, dueSlot, latestSlotAtOrBefore, MISSED_SLOT_GRACE_MS, nextSlotAfter, zonedTimeToUtc, type SlotRule } from '../../src/core/schedule.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const HOUR = 3600_000;

describe('wall-clock time in a zone → instant', () => {
  it('uses the offset in force that day (New York: EST in winter, EDT in summer)', () => {
    expect(iso(zonedTimeToUtc({ year: 2025, month: 1, day: 15, hour: 9, minute: 0 }, 'America/New_York'))).toBe('2025-01-15T14:00:00.000Z');
    expect(iso(zonedTimeToUtc({ year: 2025, month: 7, day: 15, hour: 9, minute: 0 }, 'America/New_York'))).toBe('2025-07-15T13:00:00.000Z');
  });

  it('moves a time skipped by spring-forward ahead by the gap (02:30 → 03:30 EDT on 9 March 2025)', () => {
    expect(iso(zonedTimeToUtc({ year: 2025, month: 3, day: 9, hour: 2, minute: 30 }, 'America/New_York'))).toBe('2025-03-09T07:30:00.000Z');
    expect(iso(zonedTimeToUtc({ year: 2025, month: 3, day: 30, hour: 2, minute: 30 }, 'Europe/Berlin'))).toBe('2025-03-30T01:30:00.000Z');
  });

  it('takes the earlier of a time repeated by fall-back (01:30 EDT, not EST, on 2 November 2025)', () => {
    expect(iso(zonedTimeToUtc({ year: 2025, month: 11, day: 2, hour: 1, minute: 30 }, 'America/New_York'))).toBe('2025-11-02T05:30:00.000Z');
    expect(iso(zonedTimeToUtc({ year: 2025, month: 10, day: 26, hour: 2, minute: 30 }, 'Europe/Berlin'))).toBe('2025-10-26T00:30:00.000Z');
  });
});

describe('daily slots', () => {
  const berlin: SlotRule = { cadence: { kind: 'daily' }, time: '09:00', timeZone: 'Europe/Berlin' };

  it('is today at the time once it has passed, else yesterday', () => {
    expect(iso(latestSlotAtOrBefore(berlin, at('2025-06-10T07:00:00Z')))).toBe('2025-06-10T07:00:00.000Z');
    expect(iso(latestSlotAtOrBefore(berlin, at('2025-06-10T06:59:59Z')))).toBe('2025-06-09T07:00:00.000Z');
    expect(iso(nextSlotAfter(berlin, at('2025-06-10T07:00:00Z')))).toBe('2025-06-11T07:00:00.000Z');
  });

  it('keeps 09:00 local across the spring-forward and fall-back nights (the UTC hour moves, the day has one slot)', () => {
    expect(iso(nextSlotAfter(berlin, at('2025-03-29T08:00:00Z')))).toBe('2025-03-30T07:00:00.000Z');
    expect(iso(latestSlotAtOrBefore(berlin, at('2025-03-29T23:00:00Z')))).toBe('2025-03-29T08:00:00.000Z');
    expect(iso(nextSlotAfter(berlin, at('2025-10-25T08:00:00Z')))).toBe('2025-10-26T08:00:00.000Z');
  });

  it('posts a skipped 02:30 New York slot at 03:30 on the spring-forward day, and 01:30 once on the fall-back day', () => {
    const ny = (time: string): SlotRule => ({ cadence: { kind: 'daily' }, time, timeZone: 'America/New_York' });
    expect(iso(nextSlotAfter(ny('02:30'), at('2025-03-08T12:00:00Z')))).toBe('2025-03-09T07:30:00.000Z');
    expect(iso(nextSlotAfter(ny('02:30'), at('2025-03-09T07:30:00Z')))).toBe('2025-03-10T06:30:00.000Z');
    const first = nextSlotAfter(ny('01:30'), at('2025-11-01T12:00:00Z'));
    expect(iso(first)).toBe('2025-11-02T05:30:00.000Z');
    // The second 01:30 (EST) is not another slot: the next is the day after.
    expect(iso(nextSlotAfter(ny('01:30'), first))).toBe('2025-11-03T06:30:00.000Z');
  });
});

describe('weekly slots', () => {
  const mondays: SlotRule = { cadence: { kind: 'weekly', weekday: 1 }, time: '08:30', timeZone: 'America/New_York' };

  it('falls on the chosen weekday in the zone, not in UTC', () => {
    // Monday 9 June 2025, 08:30 EDT.
    expect(iso(latestSlotAtOrBefore(mondays, at('2025-06-12T12:00:00Z')))).toBe('2025-06-09T12:30:00.000Z');
    expect(iso(nextSlotAfter(mondays, at('2025-06-09T12:30:00Z')))).toBe('2025-06-16T12:30:00.000Z');
    // Sunday 23:30 in Auckland is still Sunday there although it is Sunday morning in UTC.
    const aucklandSunday: SlotRule = { cadence: { kind: 'weekly', weekday: 7 }, time: '23:30', timeZone: 'Pacific/Auckland' };
    expect(iso(nextSlotAfter(aucklandSunday, at('2025-06-14T00:00:00Z')))).toBe('2025-06-15T11:30:00.000Z');
  });

  it('keeps the local time over a DST change between two slots', () => {
    // Monday 3 March (EST) and Monday 10 March (EDT) 2025.
    expect(iso(nextSlotAfter(mondays, at('2025-03-01T00:00:00Z')))).toBe('2025-03-03T13:30:00.000Z');
    expect(iso(nextSlotAfter(mondays, at('2025-03-03T13:30:00Z')))).toBe('2025-03-10T12:30:00.000Z');
  });
});

describe('the slot due now', () => {
  const daily: SlotRule = { cadence: { kind: 'daily' }, time: '09:00', timeZone: 'UTC' };
  const saved = at('2025-06-01T00:00:00Z');

  it('is the latest slot, once: not again after it was handled', () => {
    const now = at('2025-06-10T09:00:30Z');
    const slot = dueSlot(daily, now, saved);
    expect(iso(slot!)).toBe('2025-06-10T09:00:00.000Z');
    expect(dueSlot(daily, now + 20 * 60_000, saved, slot)).toBeUndefined();
  });

  it('posts a slot missed during an outage once, late, when it is at most 12 hours old; never the older ones', () => {
    // Down from 8 June to 10 June 15:00: only the 10 June 09:00 slot is posted.
    const back = at('2025-06-10T15:00:00Z');
    expect(iso(dueSlot(daily, back, saved, at('2025-06-08T09:00:00Z'))!)).toBe('2025-06-10T09:00:00.000Z');
    // Back at 08:59 the next day: yesterday's slot is nearly 24 hours old and is not posted.
    expect(dueSlot(daily, at('2025-06-11T08:59:00Z'), saved, at('2025-06-08T09:00:00Z'))).toBeUndefined();
    expect(dueSlot(daily, at('2025-06-10T09:00:00Z') + MISSED_SLOT_GRACE_MS + 1, saved)).toBeUndefined();
  });

  it('is never a slot from before the schedule was saved', () => {
    expect(dueSlot(daily, at('2025-06-10T10:00:00Z'), at('2025-06-10T09:30:00Z'))).toBeUndefined();
    expect(dueSlot(daily, at('2025-06-11T09:00:00Z'), at('2025-06-10T09:30:00Z'))).toBe(at('2025-06-11T09:00:00Z'));
  });

  it('for a weekly schedule, a slot 2 days late is not posted (the next week is)', () => {
    const weekly: SlotRule = { cadence: { kind: 'weekly', weekday: 1 }, time: '09:00', timeZone: 'UTC' };
    expect(dueSlot(weekly, at('2025-06-11T09:00:00Z'), saved)).toBeUndefined();
    expect(dueSlot(weekly, at('2025-06-09T09:00:00Z') + 2 * HOUR, saved)).toBe(at('2025-06-09T09:00:00Z'));
  });
});

describe('time zone names', () => {
  it('accepts IANA names (any case, spelled back as the platform does) and UTC', () => {
    expect(canonicalTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    // Three-part names are IANA names too (the platform may list them under their older alias).
    expect(['America/Argentina/Buenos_Aires', 'America/Buenos_Aires']).toContain(canonicalTimeZone('America/Argentina/Buenos_Aires'));
  });

  it('refuses unknown names, offsets and junk', () => {
    for (const bad of ['Mars/Olympus_Mons', '+01:00', 'GMT+1', '', 'Europe/Berlin; DROP', 'Europe/../etc']) expect(canonicalTimeZone(bad), bad).toBeUndefined();
  });
});
