/**
 * Reading Astro's audit log: gzip-compressed NDJSON (and plain NDJSON when fetch already undid
 * the gzip), access changes by the v1 API's paths under every version prefix, refused requests,
 * malformed lines, events of other shapes, over-long lines, a gzip bomb stopped by the output
 * cap, request bodies never copied, and Astro's two reads a minute.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AuditLogTooLargeError, createAuditLogReader, readAuditLog } from '../../src/astro/audit-log.js';
import { AstroApiError } from '../../src/astro/errors.js';

const ORG = 'clorg000000000000000000001';
const BOMB = gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 1 });
const event = (method: string, path: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ subjectId: 'cluser00000000000000000001', subjectType: 'USER', organizationId: ORG, timestamp: '2025-06-10T08:00:00Z', sourceIp: '10.0.0.1', method, path, requestId: 'r1', responseStatus: 200, ...extra });

const LOG = [
  event('POST', `/v1/organizations/${ORG}/users/clu2/roles`, { requestBody: JSON.stringify({ organizationRole: 'ORGANIZATION_OWNER', password: 'hunter2' }) }),
  event('POST', `/platform/v1beta1/organizations/${ORG}/teams/clteam1/members`, { requestBody: { memberIds: ['a', 'b', 'c'] } }),
  event('DELETE', `/v1alpha1/organizations/${ORG}/teams/clteam1/members/clu3`),
  event('POST', `/iam/v1beta1/organizations/${ORG}/tokens`, { requestBody: { name: 'ci', description: 'secret-ish words' } }),
  event('POST', `/v1/organizations/${ORG}/tokens/cltok1/rotate`),
  event('DELETE', `/v1/organizations/${ORG}/tokens/cltok2?force=true`),
  event('POST', `/v1/organizations/${ORG}/teams/clteam1/roles`),
  // Refused by Astro: not a change.
  event('POST', `/v1/organizations/${ORG}/users/clu4/roles`, { responseStatus: 403 }),
  // A read, and another write: not access changes.
  event('GET', `/v1/organizations/${ORG}/users/clu2`),
  event('POST', `/v1/organizations/${ORG}/deployments`),
  // Another kind of event (Airflow UI access): counted, not an API event.
  JSON.stringify({ subjectId: 'x', subjectType: 'USER', timestamp: '2025-06-10T08:00:00Z', deploymentId: 'd1', action: 'airflow-ui-access' }),
  '{not json',
  '"a string"',
  '',
].join('\n');

describe('readAuditLog', () => {
  it('finds role changes, Team membership and token create/rotate/delete under every version prefix, from gzip', async () => {
    const r = await readAuditLog(gzipSync(LOG));
    expect(r.counts).toEqual({ user_roles: 1, team_roles: 1, token_roles: 0, team_members_added: 3, team_member_removed: 1, token_created: 1, token_rotated: 1, token_deleted: 1 });
    expect(r.changes[0]).toMatchObject({ kind: 'user_roles', targetId: 'clu2', organizationRole: 'ORGANIZATION_OWNER', actor: { id: 'cluser00000000000000000001', type: 'USER' }, at: Date.parse('2025-06-10T08:00:00Z') });
    expect(r.changes.find((c) => c.kind === 'team_member_removed')).toMatchObject({ targetId: 'clteam1', memberId: 'clu3' });
    expect(r.changes.find((c) => c.kind === 'token_deleted')).toMatchObject({ targetId: 'cltok2' });
    expect({ refused: r.refused, unrelated: r.unrelated, otherEvents: r.otherEvents, malformed: r.malformed }).toEqual({ refused: 1, unrelated: 2, otherEvents: 1, malformed: 2 });
  });

  it('never copies request bodies into what it found (they may hold secrets)', async () => {
    const text = JSON.stringify(await readAuditLog(gzipSync(LOG)));
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('secret-ish');
    expect(text).not.toContain('10.0.0.1');
  });

  it('reads plain NDJSON the same (fetch may already have undone a Content-Encoding: gzip)', async () => {
    const plain = await readAuditLog(Buffer.from(LOG));
    const gz = await readAuditLog(gzipSync(LOG));
    expect(plain).toEqual(gz);
  });

  it('skips an over-long line unread and goes on', async () => {
    const huge = JSON.stringify({ method: 'POST', path: `/v1/organizations/${ORG}/tokens`, pad: 'x'.repeat(100_000) });
    const r = await readAuditLog(gzipSync([huge, event('POST', `/v1/organizations/${ORG}/tokens`)].join('\n')), { maxLineBytes: 64 * 1024 });
    expect(r.skipped).toBe(1);
    expect(r.counts.token_created).toBe(1);
  });

  it('stops a gzip bomb at the output cap instead of inflating it', async () => {
    // 16 MiB of zeros compress to about 16 KiB: a thousand times more comes out than went in.
    expect(BOMB.length).toBeLessThan(100_000);
    await expect(readAuditLog(BOMB, { maxOutputBytes: 1024 * 1024 })).rejects.toBeInstanceOf(AuditLogTooLargeError);
  });

  it('lets other work run while it reads a log of a few hundred long lines', async () => {
    const body = JSON.stringify({ organizationRole: 'ORGANIZATION_OWNER', note: 'x'.repeat(60_000) });
    const line = JSON.stringify({ subjectId: 'cuser1', method: 'POST', path: '/v1/organizations/corg/users/cuser1/roles', requestBody: body, status: 200 });
    const bytes = Buffer.from(Array.from({ length: 200 }, () => line).join('\n'));
    let turns = 0;
    let reading = true;
    const spin = () => {
      if (!reading) return;
      turns += 1;
      setImmediate(spin);
    };
    setImmediate(spin);
    const r = await readAuditLog(bytes);
    reading = false;
    expect(r.counts.user_roles).toBe(200);
    expect(turns).toBeGreaterThanOrEqual(5);
  });

  it('counts events of unknown shapes and wrong types instead of failing', async () => {
    const odd = [JSON.stringify({ method: 42, path: '/v1/organizations/o/tokens' }), JSON.stringify([1, 2]), 'null', JSON.stringify({ method: 'POST', path: 'x'.repeat(5000) })].join('\n');
    const r = await readAuditLog(gzipSync(odd));
    expect(r).toMatchObject({ otherEvents: 2, malformed: 2, changes: [] });
  });
});

describe('createAuditLogReader', () => {
  const target = { apiUrl: 'https://api.example.com/v1', apiToken: 't', organizationId: ORG };

  it('says "denied" on 403 (the token is not an Organization Owner)', async () => {
    const reader = createAuditLogReader({ getOrganizationAuditLogs: async () => Promise.reject(new AstroApiError('forbidden', 'no', { status: 403 })) });
    expect(await reader.read(target, 0, Date.now())).toEqual({ kind: 'denied' });
  });

  it('reads at most twice a minute per organization, and asks for at most the last 90 days', async () => {
    let clock = Date.parse('2025-06-10T09:00:00Z');
    const asked: { startDate: string; endDate: string }[] = [];
    const reader = createAuditLogReader(
      {
        getOrganizationAuditLogs: async (_t, q) => {
          asked.push(q);
          return gzipSync('');
        },
      },
      { now: () => clock },
    );
    expect((await reader.read(target, 0, clock)).kind).toBe('read');
    expect((await reader.read(target, 0, clock)).kind).toBe('read');
    expect(await reader.read(target, 0, clock)).toEqual({ kind: 'unavailable', reason: 'rate_limited' });
    clock += 60_000;
    expect((await reader.read(target, 0, clock)).kind).toBe('read');
    expect(asked).toHaveLength(3);
    expect(asked[0]).toEqual({ startDate: '2025-03-12T09:00:00.000Z', endDate: '2025-06-10T09:00:00.000Z' });
  });

  it('says "too large" for a bomb and "unavailable" when Astro fails, never throwing', async () => {
    const big = createAuditLogReader({ getOrganizationAuditLogs: async () => BOMB }, { maxOutputBytes: 1024 * 1024 });
    expect(await big.read(target, 0, Date.now())).toEqual({ kind: 'unavailable', reason: 'too_large' });
    const down = createAuditLogReader({ getOrganizationAuditLogs: async () => Promise.reject(new AstroApiError('unavailable', 'down', { status: 503, requestId: 'req-9' })) });
    expect(await down.read(target, 0, Date.now())).toEqual({ kind: 'unavailable', reason: 'astro_error', requestId: 'req-9' });
  });
});
