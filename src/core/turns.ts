/**
 * Cooperative slicing of long work: `await nextTurn()` between slices lets the timers and I/O
 * callbacks that came due run first, so one large input does not hold up other requests.
 */

/**
 * Resolves once the event loop has gone round: after the timers and I/O callbacks that were due.
 * An immediate queued from an I/O callback runs in the same round, before the timers
 * (https://nodejs.org/en/learn/asynchronous-work/event-loop-timers-and-nexttick), hence two.
 * Never rejects.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
