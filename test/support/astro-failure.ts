/** The AstroApiError a call fails with: one helper for the Astro client's tests. */
import { expect } from 'vitest';
import { AstroApiError } from '../../src/astro/errors.js';

/**
 * Awaits `promise` and returns the {@link AstroApiError} it rejects with.
 * @throws when it resolves, or rejects with anything else (the test fails).
 */
export async function astroFailure(promise: Promise<unknown>): Promise<AstroApiError> {
  const err = await promise.then(
    (v) => {
      throw new Error(`expected an AstroApiError, got ${JSON.stringify(v)}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AstroApiError);
  return err as AstroApiError;
}
