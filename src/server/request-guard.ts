/**
 * Hardening of the node `http.Server` that Bolt's HTTPReceiver creates: requests to Slack's
 * endpoints are refused from their headers alone, before a byte of their body is read, and slow or
 * oversized traffic is cut off within seconds.
 *
 * Why: Bolt's HTTPReceiver buffers a request's whole body (up to 4 MiB) before it checks the
 * signature, so anyone can make the process hold megabytes per connection for as long as the
 * server's timeouts allow (Node's default `requestTimeout` is 300 s:
 * https://nodejs.org/api/http.html#serverrequesttimeout).
 *
 * What {@link guardServer} does, in order, to a POST to one of Slack's endpoints:
 * 1. refuses (401) a request without `x-slack-signature` or `x-slack-request-timestamp`, or whose
 *    timestamp is more than 5 minutes from the local clock in either direction (Slack's rule:
 *    https://docs.slack.dev/authentication/verifying-requests-from-slack); the one exception is
 *    Slack's unsigned `ssl_check` probe, a tiny form body, which Bolt answers itself
 *    (https://docs.slack.dev/interactivity/implementing-slash-commands);
 * 2. refuses (413) a declared `Content-Length` above `maxBodyBytes`, and destroys the socket of a
 *    chunked body once more than `maxBodyBytes` have arrived;
 * 3. refuses (503, `Retry-After: 1`) a body larger than `smallBodyBytes` while large bodies already
 *    being read hold `largeBodyBudgetBytes` (Slack's own payloads are nearly all small, so they
 *    still pass while someone floods with forged headers).
 * A refused request is answered at once with `Connection: close`; Node ends and destroys its
 * socket once the answer is written (`resOnFinish` → `socket.destroySoon()`:
 * https://github.com/nodejs/node/blob/v20.x/lib/_http_server.js), so its body is never read.
 *
 * Memory under a flood of refused connections: each one leaves Node's socket objects behind (about
 * 2 KB of them reach V8's old generation in this app, measured with part 7 of `npm run bench`),
 * and V8 collects its old generation only once it has grown to a multiple of what is live. So
 * after every `reclaimAfterRefusals` refusals (at most once per `reclaimIntervalMs`), the guard
 * asks V8 to start a major garbage collection, and a flood no longer swells the process by tens
 * of MiB before V8 gets to it. Ordinary traffic is never refused, so it never triggers one.
 *
 * On every connection: headers must arrive within `headersTimeoutMs` of the connection opening
 * (or of the previous answer on a kept-alive connection) and a whole request within
 * `bodyTimeoutMs` of its headers; otherwise the socket is destroyed. Node's own
 * `headersTimeout`/`requestTimeout` are set too, but Node checks them only every
 * `connectionsCheckingInterval` (30 s, fixed when the server is created:
 * https://nodejs.org/api/http.html#httpcreateserveroptions-requestlistener), hence the guard's own
 * timers. `server.maxConnections` caps open connections (Node closes the ones beyond it:
 * https://nodejs.org/api/net.html#servermaxconnections).
 *
 * Other paths (`/healthz`, `/metrics`, the OAuth install pages) go to Bolt's listener untouched,
 * under the same timeouts.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { measureMemory } from 'node:vm';

/** Why a request was refused (for logs and metrics; never contains request data). */
export type RefusalReason = 'unsigned' | 'stale_timestamp' | 'too_large' | 'busy' | 'headers_timeout' | 'body_timeout';

/** Options of {@link guardServer}. Every duration is in ms, every size in bytes. */
export interface RequestGuardOptions {
  /** Paths Bolt's receiver takes events on (its `endpoints` option). Default `['/slack/events']`. */
  endpoints?: readonly string[];
  /**
   * Largest body accepted on Slack's endpoints, in bytes. Default {@link DEFAULT_MAX_BODY_BYTES}
   * (1 MiB). Must be ≥ 1.
   */
  maxBodyBytes?: number;
  /** Largest distance between `x-slack-request-timestamp` and the local clock, in seconds. Default 300. */
  toleranceSeconds?: number;
  /** Bodies up to this size are always admitted (Slack's usual payloads). Default 65 536. */
  smallBodyBytes?: number;
  /**
   * Bytes that bodies larger than `smallBodyBytes` may reserve at once (the declared length, or
   * `maxBodyBytes` for a chunked body), across the server. Default 8 MiB.
   */
  largeBodyBudgetBytes?: number;
  /** Time for a request's headers to arrive, in ms. Default 5000. */
  headersTimeoutMs?: number;
  /** Time for a whole request (headers to last body byte) after its headers, in ms. Default 5000. */
  bodyTimeoutMs?: number;
  /** Idle time of a kept-alive connection before it is closed, in ms. Default 5000 (Node's). */
  keepAliveTimeoutMs?: number;
  /** Most open connections; Node closes the ones beyond. Default 512. */
  maxConnections?: number;
  /** Unsigned `application/x-www-form-urlencoded` bodies up to this size pass (Slack's `ssl_check`). Default 256; 0 refuses them. */
  sslCheckMaxBytes?: number;
  /**
   * Refusals and cut-off connections after which a major garbage collection is started (see the
   * module's comment). Default 4000; 0 turns it off.
   */
  reclaimAfterRefusals?: number;
  /** Least time between two collections started by the guard, in ms. Default 1000. */
  reclaimIntervalMs?: number;
  /**
   * Starts a major garbage collection without waiting for it. Default: {@link startMajorGc}. Must
   * not throw; exceptions are ignored.
   */
  reclaim?: () => void;
  /** Clock, in ms since the epoch (tests). Default `Date.now`. */
  now?: () => number;
  /** Told of each refusal or cut-off connection. Must not throw; exceptions are ignored. */
  onRefused?: (reason: RefusalReason) => void;
}

/** What {@link guardServer} returns. */
export interface RequestGuard {
  /** Bytes currently reserved by large bodies being read (see `largeBodyBudgetBytes`). */
  reservedBytes(): number;
}

/**
 * Default body bound: 1 MiB. Slack documents no request size limit, so it is derived from the
 * documented limits of the largest payload this app receives, a message shortcut carrying the
 * whole message: text up to 40,000 characters
 * (https://docs.slack.dev/reference/methods/chat.postMessage#truncating-content) and up to 50
 * blocks (https://docs.slack.dev/reference/block-kit/blocks), whose section text holds up to 3,000
 * characters (https://docs.slack.dev/reference/block-kit/blocks/section-block): about 200 kB of
 * JSON, form-encoded (×3 at worst for `%XX` escapes) under 1 MiB. A message using every field at
 * its maximum could go beyond; Slack then shows the user an error and nothing else happens.
 */
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** Marks a guarded server with its guard, so that a second call does not stack another one. */
const GUARD = Symbol('astro-user.requestGuard');

/**
 * Answers `res` with a short plain-text error and `Connection: close`: Node then ends and destroys
 * the socket once the answer is written (see the module's comment). Destroying it here as well
 * only made Node create an `ERR_STREAM_DESTROYED` error, with its stack trace, for what was still
 * pending on the socket, once per refusal (seen in heap profiles of part 7 of `npm run bench`).
 */
function refuse(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.shouldKeepAlive = false;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/**
 * Starts a major garbage collection of V8's heap without blocking: `vm.measureMemory` with
 * `execution: 'eager'` starts one right away (https://nodejs.org/api/vm.html#vmmeasurememoryoptions).
 * The API is marked experimental: Node prints one ExperimentalWarning the first time it is used,
 * and this does nothing where it is missing. Never throws.
 */
export function startMajorGc(): void {
  if (typeof measureMemory !== 'function') return;
  measureMemory({ mode: 'summary', execution: 'eager' }).catch(() => undefined);
}

/**
 * Installs the guard on `server` (an `http.Server` whose `'request'` listeners are already
 * attached, e.g. the one Bolt 5's `app.start()` returns): the current `'request'` listeners are
 * moved behind the guard, and the server's timeouts and connection cap are set. Call it once per
 * server, after the app started and before traffic matters; a second call on the same server
 * changes nothing and returns the first guard.
 *
 * @throws {RangeError} when a size or duration is not a positive finite number, or
 *   `reclaimAfterRefusals` or `reclaimIntervalMs` is negative or not finite.
 */
export function guardServer(server: Server, options: RequestGuardOptions = {}): RequestGuard {
  const existing = (server as Server & { [GUARD]?: RequestGuard })[GUARD];
  if (existing) return existing;
  const endpoints = new Set(options.endpoints ?? ['/slack/events']);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const toleranceSeconds = options.toleranceSeconds ?? 300;
  const smallBodyBytes = options.smallBodyBytes ?? 64 * 1024;
  const largeBodyBudgetBytes = options.largeBodyBudgetBytes ?? 8 * 1024 * 1024;
  const headersTimeoutMs = options.headersTimeoutMs ?? 5000;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? 5000;
  const keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? 5000;
  const maxConnections = options.maxConnections ?? 512;
  const sslCheckMaxBytes = options.sslCheckMaxBytes ?? 256;
  const now = options.now ?? Date.now;
  const reclaimAfterRefusals = options.reclaimAfterRefusals ?? 4000;
  const reclaimIntervalMs = options.reclaimIntervalMs ?? 1000;
  const reclaim = options.reclaim ?? startMajorGc;
  for (const [name, v] of Object.entries({ maxBodyBytes, toleranceSeconds, smallBodyBytes, largeBodyBudgetBytes, headersTimeoutMs, bodyTimeoutMs, keepAliveTimeoutMs, maxConnections })) {
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be a positive number, got ${v}`);
  }
  for (const [name, v] of Object.entries({ reclaimAfterRefusals, reclaimIntervalMs })) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`${name} must be a number ≥ 0, got ${v}`);
  }
  let refusalsSinceReclaim = 0;
  let lastReclaimAt = -Infinity;
  const told = (reason: RefusalReason) => {
    refusalsSinceReclaim += 1;
    if (reclaimAfterRefusals > 0 && refusalsSinceReclaim >= reclaimAfterRefusals && now() - lastReclaimAt >= reclaimIntervalMs) {
      refusalsSinceReclaim = 0;
      lastReclaimAt = now();
      try {
        reclaim();
      } catch {
        // a failed collection changes nothing for the requests
      }
    }
    try {
      options.onRefused?.(reason);
    } catch {
      // a failing hook must not break the server
    }
  };

  // Node's own bounds, as a backstop (checked only every connectionsCheckingInterval).
  server.headersTimeout = headersTimeoutMs;
  server.requestTimeout = headersTimeoutMs + bodyTimeoutMs;
  server.keepAliveTimeout = keepAliveTimeoutMs;
  server.maxConnections = maxConnections;

  // Slow headers: from the connection opening, and again after each answer on a kept-alive one.
  const headerTimers = new WeakMap<Socket, NodeJS.Timeout>();
  const armHeaders = (socket: Socket) => {
    clearTimeout(headerTimers.get(socket));
    const timer = setTimeout(() => {
      told('headers_timeout');
      socket.destroy();
    }, headersTimeoutMs);
    timer.unref();
    headerTimers.set(socket, timer);
  };
  server.on('connection', (socket: Socket) => {
    armHeaders(socket);
    socket.once('close', () => clearTimeout(headerTimers.get(socket)));
  });

  let reserved = 0;

  /** Checks a request's headers; answers and returns false when it is refused. */
  function admit(req: IncomingMessage, res: ServerResponse): boolean {
    const socket = req.socket;
    clearTimeout(headerTimers.get(socket));
    // Slow bodies: the whole request must be in within bodyTimeoutMs of its headers.
    const bodyTimer = setTimeout(() => {
      if (req.complete) return;
      told('body_timeout');
      socket.destroy();
    }, bodyTimeoutMs);
    bodyTimer.unref();
    res.once('close', () => clearTimeout(bodyTimer));
    // Only a connection kept open after its answer waits for the headers of another request.
    res.once('finish', () => {
      if (!socket.destroyed && res.shouldKeepAlive) armHeaders(socket);
    });

    if (req.method !== 'POST') return true;
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      return true; // Bolt answers a request it cannot route
    }
    if (!endpoints.has(path)) return true;

    const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    const signature = req.headers['x-slack-signature'];
    const timestamp = req.headers['x-slack-request-timestamp'];
    if (typeof signature !== 'string' || signature.length === 0 || typeof timestamp !== 'string' || timestamp.length === 0) {
      const sslCheck = declared !== undefined && declared <= sslCheckMaxBytes && req.headers['content-type'] === 'application/x-www-form-urlencoded';
      if (!sslCheck) {
        told('unsigned');
        refuse(res, 401, 'Missing Slack signature');
        return false;
      }
    } else {
      const ts = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
      if (!(Math.abs(now() / 1000 - ts) <= toleranceSeconds)) {
        told('stale_timestamp');
        refuse(res, 401, 'Slack request timestamp outside the allowed window');
        return false;
      }
    }

    if (declared !== undefined && declared > maxBodyBytes) {
      told('too_large');
      refuse(res, 413, 'Request body too large');
      return false;
    }
    // Large bodies share a budget; small ones always pass.
    const reserve = declared === undefined ? maxBodyBytes : declared;
    if (reserve > smallBodyBytes) {
      if (reserved + reserve > largeBodyBudgetBytes) {
        told('busy');
        refuse(res, 503, 'Busy, retry', { 'retry-after': '1' });
        return false;
      }
      reserved += reserve;
      res.once('close', () => {
        reserved -= reserve;
      });
    }

    // A chunked body is counted as it arrives (the listener is attached in the same tick as
    // Bolt's reader, so both see every chunk).
    if (declared === undefined) {
      let received = 0;
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBodyBytes && !socket.destroyed) {
          told('too_large');
          socket.destroy();
        }
      });
    }
    return true;
  }

  const guarded = server.listeners('request') as Listener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!admit(req, res)) return;
    for (const listener of guarded) listener.call(server, req, res);
  });
  // `Expect: 100-continue`: decide before telling the client to send its body
  // (https://nodejs.org/api/http.html#event-checkcontinue).
  if (server.listenerCount('checkContinue') === 0) {
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      if (!admit(req, res)) return;
      res.writeContinue();
      for (const listener of guarded) listener.call(server, req, res);
    });
  }

  const guard: RequestGuard = { reservedBytes: () => reserved };
  (server as Server & { [GUARD]?: RequestGuard })[GUARD] = guard;
  return guard;
}
