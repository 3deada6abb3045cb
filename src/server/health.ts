/**
 * What `/healthz` tells: whether the store answers and takes writes, whether the Socket Mode
 * connection is up, when the Astro API last answered and last failed, and whether stored secrets
 * failed to decrypt. No secret and no ID in it. Parts of the app report here as things happen.
 */
import type { Stores } from '../store/index.js';

/** How long a stored secret that would not decrypt keeps `/healthz` degraded, in ms. */
const SEAL_FAILURE_WINDOW_MS = 60 * 60_000;

/** The health reports of one process. Times in ms since the epoch. */
export interface Health {
  /** An Astro API answer: `status` undefined when none came (network, timeout). */
  astroAnswered(status: number | undefined, at?: number): void;
  /** The Socket Mode connection went up (true) or down (false). */
  socket(connected: boolean, at?: number): void;
  /** A stored secret (an installation or an Astro token) would not decrypt. */
  sealFailed(at?: number): void;
  /** The `/healthz` document. Never throws. */
  report(stores: Pick<Stores, 'kind' | 'ping' | 'writable'>, now?: number): Promise<HealthReport>;
}

/** The `/healthz` document. */
export interface HealthReport {
  ok: true;
  /** `degraded` when the store does not answer or take writes, Socket Mode is down, or a stored secret recently failed to decrypt. */
  status: 'ok' | 'degraded';
  store: { kind: string; reachable: boolean; writable: boolean };
  /** ISO 8601 times; a failure is an answer of 401, 403, 429 or 5xx, or none at all. */
  astro: { lastSuccessAt?: string; lastFailureAt?: string; lastFailure?: string };
  socketMode?: { connected: boolean; since: string };
  secrets: { unreadable: number; lastUnreadableAt?: string };
}

/** Astro statuses that say the API or the token is in trouble (a 404 is an ordinary answer). */
const failing = (status: number | undefined) => status === undefined || status === 401 || status === 403 || status === 429 || status >= 500;

/** Creates the health registry. `socketMode` adds the connection's state (down until it connects). */
export function createHealth(options: { socketMode: boolean }): Health {
  const astro: { success?: number; failure?: number; failureStatus?: number | undefined } = {};
  let socket = options.socketMode ? { connected: false, since: Date.now() } : undefined;
  const seals = { count: 0, last: undefined as number | undefined };
  const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
  return {
    astroAnswered(status, at = Date.now()) {
      if (status !== undefined && status >= 200 && status < 300) astro.success = at;
      else if (failing(status)) {
        astro.failure = at;
        astro.failureStatus = status;
      }
    },
    socket(connected, at = Date.now()) {
      if (socket && socket.connected !== connected) socket = { connected, since: at };
    },
    sealFailed(at = Date.now()) {
      seals.count += 1;
      seals.last = at;
    },
    async report(stores, now = Date.now()) {
      const [reachable, writable] = await Promise.all([stores.ping(), stores.writable()]);
      const recentSealFailure = seals.last !== undefined && now - seals.last < SEAL_FAILURE_WINDOW_MS;
      const degraded = !reachable || !writable || (socket !== undefined && !socket.connected) || recentSealFailure;
      const failureWord = astro.failure === undefined ? undefined : astro.failureStatus === undefined ? 'no answer' : `HTTP ${astro.failureStatus}`;
      return {
        ok: true,
        status: degraded ? 'degraded' : 'ok',
        store: { kind: stores.kind, reachable, writable },
        astro: {
          ...(astro.success !== undefined ? { lastSuccessAt: iso(astro.success) } : {}),
          ...(astro.failure !== undefined ? { lastFailureAt: iso(astro.failure), lastFailure: failureWord } : {}),
        },
        ...(socket ? { socketMode: { connected: socket.connected, since: iso(socket.since)! } } : {}),
        secrets: { unreadable: seals.count, ...(seals.last !== undefined ? { lastUnreadableAt: iso(seals.last) } : {}) },
      };
    },
  };
}
