/**
 * The Astro API client: typed requests, zod-parsed responses and typed errors. Knows nothing of
 * Slack. Paths are those of Astro API v1 (and identical under `iam/v1beta1` for users), e.g.
 * `GET {base}/organizations/{organizationId}/users/{userId}` (operation `GetUser`).
 */
import { AstroApiError, kindForStatus } from './errors.js';
import { AstroUserSchema, ErrorBodySchema, type AstroUser } from './schemas.js';

/** Which Astro organization to ask, with which token. The token is a secret. */
export interface AstroTarget {
  /** API base without a trailing slash, e.g. `https://api.astronomer.io/v1`. */
  apiUrl: string;
  /** Bearer token (an Astro API token, a JWT). */
  apiToken: string;
  organizationId: string;
}

/** Options of {@link createAstroClient}. */
export interface AstroClientOptions {
  /** Time allowed for one HTTP request, headers and body, in ms. Default 4000. */
  requestTimeoutMs?: number;
  /** Largest response body read, in bytes; a larger body is a `bad_response`. Default 2 MiB. */
  maxBodyBytes?: number;
  /** `User-Agent` and `x-astro-client-identifier` value. */
  userAgent?: string;
  /** fetch implementation; the global one by default. */
  fetch?: typeof fetch;
  /**
   * Told after every request, for metrics: the HTTP status (undefined when there was no answer)
   * and the duration in ms. Must not throw.
   */
  onResponse?: (info: { status: number | undefined; durationMs: number }) => void;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the call (e.g. the lookup's overall deadline); surfaces as a `timeout` error. */
  signal?: AbortSignal;
}

/** The Astro API operations astro-user uses. */
export interface AstroClient {
  /**
   * `GetUser`: one user with status and roles.
   * @throws {AstroApiError} for every non-2xx answer, timeout, network failure or unreadable body.
   */
  getUser(target: AstroTarget, userId: string, options?: CallOptions): Promise<AstroUser>;
}

/** Parses `Retry-After` (seconds or an HTTP date) into ms, or undefined. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Reads at most `maxBytes` of a body as UTF-8; throws `bad_response` beyond that. */
async function readBody(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new AstroApiError('bad_response', `Astro answered with a body larger than ${maxBytes} bytes`, { status: res.status });
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new AstroApiError('bad_response', `Astro answered with a body larger than ${maxBytes} bytes`, { status: res.status });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/**
 * One URL path segment. Astro IDs are letters, digits, `_` and `-`; anything else (including `.`
 * and `..`, which URL parsing would resolve to another endpoint even when percent-encoded) is
 * refused before a request is sent.
 * @throws {AstroApiError} kind `bad_request`.
 */
function segment(id: string): string {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw new AstroApiError('bad_request', 'refused an ID that is not a plain path segment');
  return id;
}

/** True for the errors fetch raises when a signal aborts (ours or a timeout). */
function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
}

/**
 * Creates an {@link AstroClient} over native fetch, with a per-request timeout.
 * Retries, rate limiting and the circuit breaker wrap this client (see `src/lookup/`).
 */
export function createAstroClient(options: AstroClientOptions = {}): AstroClient {
  const requestTimeoutMs = options.requestTimeoutMs ?? 4000;
  const maxBodyBytes = options.maxBodyBytes ?? 2 * 1024 * 1024;
  const userAgent = options.userAgent ?? 'astro-user';
  const doFetch = options.fetch ?? fetch;

  async function getJson(target: AstroTarget, path: string, call: CallOptions = {}): Promise<unknown> {
    const url = `${target.apiUrl}${path}`;
    const signal = call.signal
      ? AbortSignal.any([call.signal, AbortSignal.timeout(requestTimeoutMs)])
      : AbortSignal.timeout(requestTimeoutMs);
    let res: Response | undefined;
    let body: string;
    const started = performance.now();
    const report = () => options.onResponse?.({ status: res?.status, durationMs: performance.now() - started });
    try {
      res = await doFetch(url, {
        method: 'GET',
        redirect: 'error',
        signal,
        headers: {
          authorization: `Bearer ${target.apiToken}`,
          accept: 'application/json',
          'user-agent': userAgent,
          'x-astro-client-identifier': 'astro-user',
        },
      });
      body = await readBody(res, maxBodyBytes);
      report();
    } catch (err) {
      report();
      if (err instanceof AstroApiError) throw err;
      if (signal.aborted || isAbort(err)) throw new AstroApiError('timeout', `Astro did not answer within ${requestTimeoutMs} ms`, { cause: err });
      throw new AstroApiError('unavailable', 'Could not reach the Astro API', { cause: err });
    }
    if (!res.ok) {
      const parsed = ErrorBodySchema.safeParse(parseJson(body));
      const info = parsed.success ? parsed.data : {};
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      throw new AstroApiError(kindForStatus(res.status), info.message ?? `Astro answered with status ${res.status}`, {
        status: res.status,
        ...(info.requestId ? { requestId: info.requestId } : {}),
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      });
    }
    const json = parseJson(body);
    if (json === undefined) {
      throw new AstroApiError('bad_response', 'Astro answered with a body that is not JSON', { status: res.status });
    }
    return json;
  }

  return {
    async getUser(target, userId, call) {
      const path = `/organizations/${segment(target.organizationId)}/users/${segment(userId)}`;
      const json = await getJson(target, path, call);
      const parsed = AstroUserSchema.safeParse(json);
      if (!parsed.success) {
        throw new AstroApiError('bad_response', 'Astro answered with a user we could not read', { status: 200 });
      }
      return parsed.data;
    },
  };
}
