/**
 * Access changes read from Astro's organization audit log (`GetOrganizationAuditLogs`): role
 * changes, Team membership, and API tokens created, rotated or deleted.
 *
 * The log is gzip-compressed NDJSON, one event per line (https://www.astronomer.io/docs/astro/audit-logs):
 * common fields `subjectId` (who: a user ID or an API key), `subjectType` (`USER` or
 * `SERVICEKEY`), `timestamp`, `sourceIp`; API events add the request (`method`, `path`,
 * `requestBody`, `requestId`) and the response status. Which paths are changes comes from the
 * v1 API's operations (https://api.astronomer.io/spec/v1): `UpdateUserRoles`
 * (`POST …/users/{id}/roles`), `UpdateTeamRoles`, `UpdateApiTokenRoles`, `AddTeamMembers`
 * (`POST …/teams/{id}/members`), `RemoveTeamMember` (`DELETE …/teams/{id}/members/{id}`),
 * `CreateApiToken` (`POST …/tokens`), `RotateApiToken` (`POST …/tokens/{id}/rotate`),
 * `DeleteApiToken` (`DELETE …/tokens/{id}`); paths under `/v1/`, `/v1beta1/` and `/v1alpha1/`
 * (with or without a service prefix such as `/iam` or `/platform`) are read alike.
 *
 * Read defensively: the bytes are gunzipped only when they start with the gzip magic `1f 8b`,
 * with a cap on the output (a small body may inflate to gigabytes); each line is parsed on its
 * own with zod; a malformed line, an event of another shape and an over-long line are counted,
 * never fatal. A request body is read only for the few fields shown (a role name, a count of
 * members) and is never copied into the result: bodies may hold secrets.
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { z } from 'zod';
import type { AstroClient, AstroTarget } from './client.js';
import { AstroApiError } from './errors.js';

const gunzipAsync = promisify(gunzip);

/** What kind of access change an event is. */
export type AccessChangeKind = 'user_roles' | 'team_roles' | 'token_roles' | 'team_members_added' | 'team_member_removed' | 'token_created' | 'token_rotated' | 'token_deleted';

/** Every {@link AccessChangeKind}, in the order reports show them. */
export const ACCESS_CHANGE_KINDS: readonly AccessChangeKind[] = ['user_roles', 'team_roles', 'token_roles', 'team_members_added', 'team_member_removed', 'token_created', 'token_rotated', 'token_deleted'];

/** One access change. IDs are Astro's (validated `[A-Za-z0-9_-]`); no request body content except a validated role name. */
export interface AccessChange {
  kind: AccessChangeKind;
  /** When it happened, ms since the epoch (undefined when the event's timestamp is unreadable). */
  at?: number;
  /** Who did it: a user ID or API key ID, and its type (`USER`, `SERVICEKEY`). */
  actor?: { id: string; type?: string };
  /** The user, Team or token changed (from the path). */
  targetId?: string;
  /** For `team_member_removed`: the member removed. */
  memberId?: string;
  /** For `user_roles`: the new Organization role, when the request named one (e.g. `ORGANIZATION_OWNER`). */
  organizationRole?: string;
  /** For `team_members_added`: how many members were added (1 when the body did not say). */
  count?: number;
}

/** What one audit-log read found. */
export interface AuditLogReading {
  /** Changes, oldest first as Astro listed them, at most `maxChanges` kept. */
  changes: AccessChange[];
  /** Changes by kind, all of them (also those beyond `maxChanges`). */
  counts: Record<AccessChangeKind, number>;
  /** API events that change nothing of the above (reads, other writes). */
  unrelated: number;
  /** Change requests Astro refused (status 4xx/5xx): not changes. */
  refused: number;
  /** Valid JSON lines of another shape (Airflow UI access, registry access, unknown events). */
  otherEvents: number;
  /** Lines that are not a JSON object. */
  malformed: number;
  /** Lines longer than `maxLineBytes`, skipped unread. */
  skipped: number;
}

/** The gunzipped log would be larger than allowed (a gzip bomb, or simply too much). */
export class AuditLogTooLargeError extends Error {
  constructor(limit: number) {
    super(`the audit log is larger than ${limit} bytes once decompressed`);
    this.name = 'AuditLogTooLargeError';
  }
}

/** Options of {@link readAuditLog}. */
export interface ReadAuditLogOptions {
  /** Largest decompressed log, in bytes. Default 64 MiB. */
  maxOutputBytes?: number;
  /** Longest line read, in bytes; longer lines are skipped. Default 64 KiB. */
  maxLineBytes?: number;
  /** Changes kept in the result (all are counted). Default 200. */
  maxChanges?: number;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Bytes of log lines read between two yields to the event loop (1 MiB). */
const YIELD_EVERY_BYTES = 1024 * 1024;
const STATUS_FIELDS = ['responseStatus', 'responseStatusCode', 'statusCode', 'status'] as const;

/** An API event, as far as it is used. Other fields are ignored; absent ones are fine. */
const ApiEvent = z.object({
  subjectId: z.string().max(200).optional(),
  subjectType: z.string().max(40).optional(),
  timestamp: z.union([z.string().max(64), z.number()]).optional(),
  method: z.string().min(1).max(10),
  path: z.string().min(1).max(4000),
  requestBody: z.unknown().optional(),
  responseStatus: z.unknown().optional(),
  responseStatusCode: z.unknown().optional(),
  statusCode: z.unknown().optional(),
  status: z.unknown().optional(),
});
type ApiEvent = z.infer<typeof ApiEvent>;

/** Version prefix of an Astro API path: `/v1`, `/v1beta1`, `/v1alpha1`, optionally after one service segment (`/iam`, `/platform`). */
const PREFIX = '^(?:/[a-z][a-z0-9-]{0,30})?/v1(?:alpha1|beta1)?/organizations/[A-Za-z0-9_-]{1,64}/';
const SEG = '([A-Za-z0-9_-]{1,64})';
const TOKENS = '(?:tokens|api-tokens)';
/** Method and path pattern of each change, after {@link PREFIX}. */
const ROUTES: { method: string; re: RegExp; kind: AccessChangeKind }[] = [
  { method: 'POST', re: new RegExp(`${PREFIX}users/${SEG}/roles/?$`), kind: 'user_roles' },
  { method: 'POST', re: new RegExp(`${PREFIX}teams/${SEG}/roles/?$`), kind: 'team_roles' },
  { method: 'POST', re: new RegExp(`${PREFIX}${TOKENS}/${SEG}/roles/?$`), kind: 'token_roles' },
  { method: 'POST', re: new RegExp(`${PREFIX}teams/${SEG}/members/?$`), kind: 'team_members_added' },
  { method: 'DELETE', re: new RegExp(`${PREFIX}teams/${SEG}/members/${SEG}/?$`), kind: 'team_member_removed' },
  { method: 'POST', re: new RegExp(`${PREFIX}${TOKENS}/?$`), kind: 'token_created' },
  { method: 'POST', re: new RegExp(`${PREFIX}${TOKENS}/${SEG}/rotate/?$`), kind: 'token_rotated' },
  { method: 'DELETE', re: new RegExp(`${PREFIX}${TOKENS}/${SEG}/?$`), kind: 'token_deleted' },
];

/** The HTTP status of an event's response, when it carries one. */
function statusOf(event: ApiEvent): number | undefined {
  for (const field of STATUS_FIELDS) {
    const v = event[field];
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{3}$/.test(v) ? Number(v) : undefined;
    if (n !== undefined && n >= 100 && n <= 599) return n;
  }
  return undefined;
}

/** The request body as an object, when it is one (or a JSON string of one, at most 64 KiB). */
function bodyOf(event: ApiEvent): Record<string, unknown> | undefined {
  let body = event.requestBody;
  if (typeof body === 'string') {
    if (body.length > 65_536) return undefined;
    try {
      body = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

/** The access change an API event is, or undefined (not a change, or refused by Astro: `refused`). */
function changeOf(event: ApiEvent): AccessChange | 'refused' | undefined {
  const method = event.method.toUpperCase();
  const path = event.path.split('?')[0] ?? '';
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const m = route.re.exec(path);
    if (!m) continue;
    const status = statusOf(event);
    if (status !== undefined && (status < 200 || status >= 300)) return 'refused';
    const change: AccessChange = { kind: route.kind };
    const at = typeof event.timestamp === 'number' ? (event.timestamp < 1e12 ? event.timestamp * 1000 : event.timestamp) : event.timestamp ? Date.parse(event.timestamp) : Number.NaN;
    if (Number.isFinite(at)) change.at = at;
    if (event.subjectId && ID.test(event.subjectId)) change.actor = { id: event.subjectId, ...(event.subjectType && /^[A-Z_]{1,40}$/.test(event.subjectType) ? { type: event.subjectType } : {}) };
    if (m[1]) change.targetId = m[1];
    if (m[2]) change.memberId = m[2];
    if (route.kind === 'user_roles') {
      const role = bodyOf(event)?.organizationRole;
      if (typeof role === 'string' && /^ORGANIZATION_[A-Z_]{1,50}$/.test(role)) change.organizationRole = role;
    }
    if (route.kind === 'team_members_added') {
      const ids = bodyOf(event)?.memberIds;
      change.count = Array.isArray(ids) && ids.length > 0 ? Math.min(ids.length, 10_000) : 1;
    }
    return change;
  }
  return undefined;
}

/** An empty count per kind. */
function zeroCounts(): Record<AccessChangeKind, number> {
  return Object.fromEntries(ACCESS_CHANGE_KINDS.map((k) => [k, 0])) as Record<AccessChangeKind, number>;
}

/** True when `bytes` start with the gzip magic number `1f 8b` (RFC 1952). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads an audit log body: gunzips it when it is gzip (off the main thread, output capped), then
 * parses each line. Yields to the event loop every 2,000 lines and every MiB so a long log
 * (or one of long lines) does not hold up requests.
 * @throws {AuditLogTooLargeError} when the decompressed log exceeds `maxOutputBytes`;
 *   an Error when the gzip data is corrupt.
 */
export async function readAuditLog(bytes: Uint8Array, options: ReadAuditLogOptions = {}): Promise<AuditLogReading> {
  const maxOutput = options.maxOutputBytes ?? 64 * 1024 * 1024;
  const maxLine = options.maxLineBytes ?? 64 * 1024;
  const maxChanges = options.maxChanges ?? 200;
  let text: Buffer;
  if (isGzip(bytes)) {
    try {
      text = await gunzipAsync(bytes, { maxOutputLength: maxOutput });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw new AuditLogTooLargeError(maxOutput);
      throw new Error('the audit log is not valid gzip data', { cause: err });
    }
  } else {
    if (bytes.byteLength > maxOutput) throw new AuditLogTooLargeError(maxOutput);
    text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  const reading: AuditLogReading = { changes: [], counts: zeroCounts(), unrelated: 0, refused: 0, otherEvents: 0, malformed: 0, skipped: 0 };
  let start = 0;
  let lines = 0;
  let sinceYield = 0;
  while (start < text.length) {
    let end = text.indexOf(0x0a, start);
    if (end < 0) end = text.length;
    const length = end - start;
    if (length > maxLine) reading.skipped += 1;
    else if (length > 0) readLine(text.toString('utf8', start, end), reading, maxChanges);
    start = end + 1;
    lines += 1;
    sinceYield += length;
    // Every 2,000 lines, or every MiB read: a log of long lines holds as long as one of many short ones.
    if (lines % 2000 === 0 || sinceYield >= YIELD_EVERY_BYTES) {
      sinceYield = 0;
      await new Promise<void>((res) => setImmediate(res));
    }
  }
  return reading;
}

/** Parses one line into `reading`. */
function readLine(line: string, reading: AuditLogReading, maxChanges: number): void {
  const trimmed = line.trim();
  if (!trimmed) return;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    reading.malformed += 1;
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    reading.malformed += 1;
    return;
  }
  const event = ApiEvent.safeParse(value);
  if (!event.success) {
    reading.otherEvents += 1;
    return;
  }
  const change = changeOf(event.data);
  if (change === 'refused') reading.refused += 1;
  else if (!change) reading.unrelated += 1;
  else {
    reading.counts[change.kind] += change.count ?? 1;
    if (reading.changes.length < maxChanges) reading.changes.push(change);
  }
}

/** Access changes of a window, or why they are not known. */
export type AccessChangesOutcome =
  | { kind: 'read'; reading: AuditLogReading; since: number; until: number }
  /** The token may not read audit logs (403): Organization Owner is needed. */
  | { kind: 'denied' }
  /** Not read this time (Astro's two reads a minute used up, Astro down, a log too large or unreadable); the next report covers the window. */
  | { kind: 'unavailable'; reason: 'rate_limited' | 'too_large' | 'unreadable' | 'astro_error'; requestId?: string };

/** Options of {@link createAuditLogReader}. */
export interface AuditLogReaderOptions extends ReadAuditLogOptions {
  /** Reads per organization per minute, in this process. Default 2 (Astro's limit). */
  perMinute?: number;
  now?: () => number;
}

/** Reads the access changes of an organization for a window. */
export interface AuditLogReader {
  /**
   * Access changes between `since` and `until` (ms since the epoch; `since` is moved up to at
   * most 90 days ago, Astro's retention). Never throws.
   */
  read(target: AstroTarget, since: number, until: number): Promise<AccessChangesOutcome>;
}

/** Astro keeps audit logs for 90 days (https://www.astronomer.io/docs/astro/audit-logs). */
export const AUDIT_LOG_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;

/**
 * An {@link AuditLogReader} over `astro`, keeping to Astro's two audit-log requests a minute per
 * organization (in this process; with several instances, each scheduled report is made by one
 * of them).
 */
export function createAuditLogReader(astro: Pick<AstroClient, 'getOrganizationAuditLogs'>, options: AuditLogReaderOptions = {}): AuditLogReader {
  const perMinute = options.perMinute ?? 2;
  const now = options.now ?? Date.now;
  const recent = new Map<string, number[]>();
  const take = (org: string): boolean => {
    const t = now();
    const times = (recent.get(org) ?? []).filter((x) => t - x < 60_000);
    if (times.length >= perMinute) {
      recent.set(org, times);
      return false;
    }
    times.push(t);
    recent.set(org, times);
    if (recent.size > 10_000) recent.delete(recent.keys().next().value as string);
    return true;
  };
  return {
    async read(target, since, until) {
      const from = Math.max(since, until - AUDIT_LOG_RETENTION_MS);
      if (!take(target.organizationId)) return { kind: 'unavailable', reason: 'rate_limited' };
      let bytes: Uint8Array;
      try {
        bytes = await astro.getOrganizationAuditLogs(target, { startDate: new Date(from).toISOString(), endDate: new Date(until).toISOString() });
      } catch (err) {
        if (err instanceof AstroApiError && err.kind === 'forbidden') return { kind: 'denied' };
        const requestId = err instanceof AstroApiError ? err.requestId : undefined;
        const reason = err instanceof AstroApiError && err.kind === 'rate_limited' ? 'rate_limited' : err instanceof AstroApiError && err.kind === 'bad_response' ? 'too_large' : 'astro_error';
        return { kind: 'unavailable', reason, ...(requestId ? { requestId } : {}) };
      }
      try {
        return { kind: 'read', reading: await readAuditLog(bytes, options), since: from, until };
      } catch (err) {
        return { kind: 'unavailable', reason: err instanceof AuditLogTooLargeError ? 'too_large' : 'unreadable' };
      }
    },
  };
}
