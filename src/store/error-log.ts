/**
 * Store errors, logged once per kind and then summarised: a Redis that is down fails every call
 * and every reconnect attempt, and one log line (with a stack) for each would bury everything else.
 * The first error of a kind is logged at `warn` with its message and code (no stack); later ones of
 * that kind are only counted, and at the end of each window (60 s by default) one line says how
 * many more there were. A window with none writes nothing, and the next error of that kind is
 * logged in full again.
 */
import type { Logger } from '../logger.js';

/** Options of {@link createStoreErrorLog}. */
export interface StoreErrorLogOptions {
  log: Logger;
  /** Length of a summary window, in ms. Default 60 000. */
  windowMs?: number;
}

/** Where an error came from, e.g. `{ store: 'redis', namespace: 'cache' }`; logged with it. */
export type ErrorSource = { store: string } & Record<string, string>;

/** Reports store errors; see the module's description. */
export interface StoreErrorLog {
  /** Logs `err` if it is the first of its kind in the current window, else counts it. Never throws. */
  report(source: ErrorSource, err: unknown): void;
  /** Writes the pending summaries now and stops the timers (on close). */
  flush(): void;
}

/** The parts of an error worth logging: message and code, never a stack. */
function describe(err: unknown): { message: string; code?: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    // A Redis AggregateError (IPv4 and IPv6 both refused) has an empty message: use its first cause.
    const inner = err instanceof AggregateError && !err.message && err.errors[0] instanceof Error ? err.errors[0] : undefined;
    return { message: (err.message || inner?.message || err.name).slice(0, 300), ...(typeof code === 'string' ? { code } : {}) };
  }
  return { message: String(err).slice(0, 300) };
}

/**
 * Creates the error log. The kind of an error is its store (`source.store`) and its code (or,
 * without one, its message with digits masked, so that "retry 3" and "retry 4" are one kind): one
 * refused connection surfaces through every namespace at once, and is one kind. A line carries
 * the source of the first error of its kind; the error is logged as `error: {message, code}`.
 */
export function createStoreErrorLog(options: StoreErrorLogOptions): StoreErrorLog {
  const windowMs = options.windowMs ?? 60_000;
  const { log } = options;
  const kinds = new Map<string, { more: number; timer: NodeJS.Timeout; source: ErrorSource; error: { message: string; code?: string } }>();

  const close = (kind: string) => {
    const k = kinds.get(kind);
    if (!k) return;
    clearTimeout(k.timer);
    kinds.delete(kind);
    if (k.more > 0) {
      log.warn({ ...k.source, error: k.error, more: k.more, windowSeconds: windowMs / 1000 }, `${k.more} more store error${k.more === 1 ? '' : 's'} of this kind in the last ${windowMs / 1000} s`);
    }
  };

  return {
    report(source, err) {
      const error = describe(err);
      const kind = JSON.stringify([source.store, error.code ?? error.message.replace(/\d+/g, '#')]);
      const k = kinds.get(kind);
      if (k) {
        k.more += 1;
        return;
      }
      const timer = setTimeout(() => close(kind), windowMs);
      timer.unref();
      kinds.set(kind, { more: 0, timer, source, error });
      log.warn({ ...source, error }, 'store error');
    },
    flush() {
      for (const kind of [...kinds.keys()]) close(kind);
    },
  };
}
