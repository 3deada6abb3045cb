/**
 * Progress for slow answers: when an answer is not ready after a moment, a short "Looking up…"
 * note is shown at once, and the answer then replaces that note (the same message, not a second
 * one). Fast answers show no note.
 */

/** How long an answer may take before the note is shown, in ms. */
export const PROGRESS_AFTER_MS = 1000;

/**
 * Waits for `work`; if it is not done after `afterMs` (ms), calls `show()` once (its failure is
 * ignored) and waits for it to finish too, so that the answer can replace the note.
 * @returns the work's value, and what `show()` returned when it was called (undefined otherwise).
 * @throws whatever `work` throws.
 */
export async function withProgress<T, S>(work: Promise<T>, afterMs: number, show: () => Promise<S>): Promise<{ value: T; shown: S | undefined }> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<'slow'>((resolve) => {
    timer = setTimeout(() => resolve('slow'), afterMs);
  });
  const first = await Promise.race([work.then(() => 'done' as const, () => 'done' as const), slow]);
  clearTimeout(timer);
  const shown = first === 'slow' ? await show().catch(() => undefined) : undefined;
  return { value: await work, shown };
}
