/**
 * The cache profile: every call bounded by a short timeout, and any error or timeout means
 * "uncached", never a failed lookup. A Redis that hangs (e.g. `CLIENT PAUSE`) would otherwise
 * block keyv calls for as long as it hangs (https://github.com/jaredwray/keyv/issues).
 */
import type Keyv from 'keyv';
import type { Logger } from '../logger.js';

/** Options of {@link BestEffortCache}. */
export interface BestEffortCacheOptions {
  log: Logger;
  /** Longest wait for a read, in ms; then the read counts as a miss. Default 250. */
  readTimeoutMs?: number;
  /** Longest wait for a write or delete, in ms. Default 1000. */
  writeTimeoutMs?: number;
}

const TIMED_OUT = Symbol('timed out');

/** Resolves to `promise`'s value, or to {@link TIMED_OUT} after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((res) => {
    timer = setTimeout(() => res(TIMED_OUT), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A keyv namespace used as a cache that never fails its caller. */
export class BestEffortCache {
  private readonly readTimeoutMs: number;
  private readonly writeTimeoutMs: number;
  private readonly log: Logger;
  private failing = false;

  constructor(
    private readonly kv: Keyv,
    options: BestEffortCacheOptions,
  ) {
    this.log = options.log;
    this.readTimeoutMs = options.readTimeoutMs ?? 250;
    this.writeTimeoutMs = options.writeTimeoutMs ?? 1000;
  }

  /** Logs the first failure of a run of failures, and the recovery; not every failed call. */
  private note(ok: boolean, op: string, err?: unknown): void {
    if (!ok && !this.failing) {
      this.failing = true;
      this.log.warn({ op, err }, 'cache unavailable; answering uncached until it recovers');
    } else if (ok && this.failing) {
      this.failing = false;
      this.log.info({ op }, 'cache available again');
    }
  }

  /** The value at `key`, or undefined on a miss, an error or after the read timeout. */
  async get(key: string): Promise<unknown> {
    try {
      const value = await within(this.kv.get(key), this.readTimeoutMs);
      if (value === TIMED_OUT) {
        this.note(false, 'get', new Error(`read timed out after ${this.readTimeoutMs} ms`));
        return undefined;
      }
      this.note(true, 'get');
      return value;
    } catch (err) {
      this.note(false, 'get', err);
      return undefined;
    }
  }

  /**
   * Stores `value` (plain JSON) for `ttlMs` milliseconds. Resolves true when the store said it
   * wrote; false on error or timeout. Never rejects.
   */
  async set(key: string, value: unknown, ttlMs: number): Promise<boolean> {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`cache TTL must be a positive number of ms, got ${ttlMs}`);
    try {
      const ok = await within(this.kv.set(key, value, Math.round(ttlMs)), this.writeTimeoutMs);
      this.note(ok === true, 'set', ok === TIMED_OUT ? new Error('write timed out') : undefined);
      return ok === true;
    } catch (err) {
      this.note(false, 'set', err);
      return false;
    }
  }

  /** Deletes `key`; resolves false on error or timeout. Never rejects. */
  async delete(key: string): Promise<boolean> {
    try {
      const ok = await within(this.kv.delete(key), this.writeTimeoutMs);
      return ok === true;
    } catch (err) {
      this.note(false, 'delete', err);
      return false;
    }
  }
}
