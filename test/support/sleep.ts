/**
 * The one sleep of the test suite. Tests await events (a request arriving, a log line, a process
 * exiting) wherever there is one; a sleep is left only to let something that must NOT happen have
 * its chance (a second post, a retry), and says so where it is used.
 */

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
