/**
 * AstroUserSchema and CachedUserSchema: tolerant where the Astro API evolves (unknown enum values,
 * absent or null role arrays, odd role entries), strict where it matters (an id is required).
 */
import { describe, expect, it } from 'vitest';
import { AstroUserSchema, CachedUserSchema, ErrorBodySchema, type AstroUser } from '../../src/astro/schemas.js';
import { ADA, specExample } from '../support/fixtures.js';

const DEP = 'clx1dep0000001abcdefghijk';

/** ADA with some fields replaced. */
const ada = (overrides: Record<string, unknown>) => ({ ...ADA, ...overrides });

describe('AstroUserSchema', () => {
  it('parses the documented example with every role', () => {
    const example = specExample('User');
    const user = AstroUserSchema.parse(example);
    expect(user.id).toBe(example.id);
    expect(user.fullName).toBe(example.fullName);
    expect(user.workspaceRoles).toEqual(example.workspaceRoles);
    expect(user.deploymentRoles).toEqual(example.deploymentRoles);
    expect(user.unreadableRoles).toBe(0);
  });

  it('keeps an unknown status and organization role as the strings Astro sent', () => {
    const user = AstroUserSchema.parse(ada({ status: 'SUSPENDED', organizationRole: 'ORGANIZATION_AUDITOR' }));
    expect(user.status).toBe('SUSPENDED');
    expect(user.organizationRole).toBe('ORGANIZATION_AUDITOR');
  });

  it('refuses a body without an id (nothing to show)', () => {
    const { id: _id, ...withoutId } = ADA;
    expect(AstroUserSchema.safeParse(withoutId).success).toBe(false);
    expect(AstroUserSchema.safeParse(ada({ id: '' })).success).toBe(false);
    expect(AstroUserSchema.safeParse(ada({ id: 42 })).success).toBe(false);
  });

  it('reads null role arrays as no roles', () => {
    const user = AstroUserSchema.parse(ada({ workspaceRoles: null, deploymentRoles: null, dagRoles: null }));
    expect(user.workspaceRoles).toEqual([]);
    expect(user.deploymentRoles).toEqual([]);
    expect(user.dagRoles).toEqual([]);
    expect(user.unreadableRoles).toBe(0);
  });

  // Regression: in zod 4 a `z.unknown().transform(...)` object key is not optional, so an absent key fails
  // with "expected nonoptional". Every field built with roleArray() or optionalText in
  // src/astro/schemas.ts (workspaceRoles, deploymentRoles, dagRoles, avatarUrl, createdAt,
  // updatedAt, organizationRole) is therefore effectively required, although the spec makes the
  // role arrays and organizationRole optional. Astro omitting them (e.g. a user with no
  // organization role, or empty arrays left out) makes getUser fail with bad_response ("Astro sent
  // an answer we couldn't read"). Fix: `z.unknown().optional().transform(...)` in roleArray() and
  // optionalText.
  it('reads absent role arrays as no roles', () => {
    const { workspaceRoles: _w, deploymentRoles: _d, dagRoles: _g, ...noRoles } = ADA;
    const user = AstroUserSchema.parse(noRoles);
    expect(user.workspaceRoles).toEqual([]);
    expect(user.deploymentRoles).toEqual([]);
    expect(user.dagRoles).toEqual([]);
    expect(user.unreadableRoles).toBe(0);
  });

  // Regression: same root cause as above: a user with only the spec-required fields (no organizationRole,
  // no role arrays) and, tolerated by the schema's own doc, no avatar or dates, is unreadable.
  it('parses a user that omits every optional field', () => {
    const user = AstroUserSchema.parse({ id: 'clx1user0000002abcdefghij', username: 'new@example.com', fullName: 'New Person', status: 'PENDING' });
    expect(user).toEqual({
      id: 'clx1user0000002abcdefghij',
      username: 'new@example.com',
      fullName: 'New Person',
      status: 'PENDING',
      workspaceRoles: [],
      deploymentRoles: [],
      dagRoles: [],
      unreadableRoles: 0,
    });
  });

  it('drops a role entry of the wrong shape and counts it in unreadableRoles', () => {
    const user = AstroUserSchema.parse(
      ada({
        workspaceRoles: [{ workspaceId: 'clws1', role: 'WORKSPACE_MEMBER' }, { workspaceId: 'clws2' }, 'WORKSPACE_OWNER', null],
        deploymentRoles: [{ deploymentId: DEP, role: 42 }, { deploymentId: DEP, role: 'DEPLOYMENT_ADMIN' }],
        dagRoles: [{ role: 'DAG_VIEWER', dagId: 'x' }],
      }),
    );
    expect(user.workspaceRoles).toEqual([{ workspaceId: 'clws1', role: 'WORKSPACE_MEMBER' }]);
    expect(user.deploymentRoles).toEqual([{ deploymentId: DEP, role: 'DEPLOYMENT_ADMIN' }]);
    expect(user.dagRoles).toEqual([]);
    expect(user.unreadableRoles).toBe(3 + 1 + 1);
  });

  it('counts a role list that is not an array as one unreadable entry', () => {
    const user = AstroUserSchema.parse(ada({ workspaceRoles: { workspaceId: 'clws1', role: 'WORKSPACE_MEMBER' } }));
    expect(user.workspaceRoles).toEqual([]);
    expect(user.unreadableRoles).toBe(1);
  });

  it('keeps a DAG role bound by dagId, by dagTag, by both, or by neither', () => {
    const user = AstroUserSchema.parse(
      ada({
        dagRoles: [
          { deploymentId: DEP, role: 'DAG_VIEWER', dagId: 'daily_revenue' },
          { deploymentId: DEP, role: 'DAG_AUTHOR', dagTag: 'team:analytics' },
          { deploymentId: DEP, role: 'DAG_VIEWER', dagId: 'etl', dagTag: 'nightly' },
          { deploymentId: DEP, role: 'custom dag role' },
        ],
      }),
    );
    expect(user.dagRoles).toEqual([
      { deploymentId: DEP, role: 'DAG_VIEWER', dagId: 'daily_revenue' },
      { deploymentId: DEP, role: 'DAG_AUTHOR', dagTag: 'team:analytics' },
      { deploymentId: DEP, role: 'DAG_VIEWER', dagId: 'etl', dagTag: 'nightly' },
      { deploymentId: DEP, role: 'custom dag role' },
    ]);
    expect(user.unreadableRoles).toBe(0);
  });

  it('keeps a DAG role whose dagId or dagTag is of the wrong type, without that binding', () => {
    const user = AstroUserSchema.parse(ada({ dagRoles: [{ deploymentId: DEP, role: 'DAG_VIEWER', dagId: 7, dagTag: '' }] }));
    expect(user.dagRoles).toEqual([{ deploymentId: DEP, role: 'DAG_VIEWER' }]);
    expect(user.unreadableRoles).toBe(0);
  });

  it('ignores a non-string or empty avatarUrl, date or organization role', () => {
    const user = AstroUserSchema.parse(ada({ avatarUrl: { href: 'https://x.example.com/a.png' }, createdAt: 1709374500, updatedAt: '', organizationRole: null }));
    expect(user.avatarUrl).toBeUndefined();
    expect(user.createdAt).toBeUndefined();
    expect(user.updatedAt).toBeUndefined();
    expect(user.organizationRole).toBeUndefined();
    expect(user.fullName).toBe(ADA.fullName);
  });

  it('refuses a non-string name or status instead of showing something odd', () => {
    expect(AstroUserSchema.safeParse(ada({ fullName: { first: 'Ada' } })).success).toBe(false);
    expect(AstroUserSchema.safeParse(ada({ status: 1 })).success).toBe(false);
  });
});

describe('CachedUserSchema', () => {
  it('round-trips a cached user through JSON, keeping unreadableRoles and every role', () => {
    const user: AstroUser = AstroUserSchema.parse(
      ada({ workspaceRoles: [...ADA.workspaceRoles, { workspaceId: 'clws9' }], dagRoles: [...ADA.dagRoles, 'garbage'] }),
    );
    expect(user.unreadableRoles).toBe(2);
    // What src/lookup/lookup.ts writes to the cache, and what a store gives back.
    const stored = JSON.parse(JSON.stringify({ user, unreadableRoles: user.unreadableRoles, fetchedAt: 1_700_000_000_000 }));
    const read = CachedUserSchema.parse(stored);
    expect(read.fetchedAt).toBe(1_700_000_000_000);
    expect(read.user).toEqual(user);
    expect(read.user.unreadableRoles).toBe(2);
  });

  it('refuses an entry without a valid fetchedAt, so it counts as a miss', () => {
    const user = AstroUserSchema.parse(ADA);
    expect(CachedUserSchema.safeParse({ user, unreadableRoles: 0 }).success).toBe(false);
    expect(CachedUserSchema.safeParse({ user, unreadableRoles: 0, fetchedAt: -1 }).success).toBe(false);
    expect(CachedUserSchema.safeParse('not an entry').success).toBe(false);
  });
});

describe('ErrorBodySchema', () => {
  it('keeps a safe requestId and message', () => {
    expect(ErrorBodySchema.parse({ message: 'no such user', requestId: 'req_123:abc-DEF.9', statusCode: 404 })).toEqual({
      message: 'no such user',
      requestId: 'req_123:abc-DEF.9',
    });
  });

  it('drops a requestId that could carry markup, never failing the whole body', () => {
    expect(ErrorBodySchema.parse({ message: 'x', requestId: '<!channel>' })).toEqual({ message: 'x' });
    expect(ErrorBodySchema.parse({ requestId: 'r'.repeat(129) })).toEqual({});
  });
});
