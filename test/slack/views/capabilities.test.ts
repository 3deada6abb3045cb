/**
 * App Home's lines about what the Astro token cannot reach: one per denied feature with the role
 * that would enable it, within Block Kit limits even when everything is denied; nothing before the
 * first probe.
 */
import { describe, expect, it } from 'vitest';
import { FEATURE_NEEDS, UNPROBED, type Capabilities } from '../../../src/core/capabilities.js';
import { capabilityLines } from '../../../src/slack/views/capabilities.js';
import { renderHome } from '../../../src/slack/views/home.js';
import { allText, expectValidBlockKit } from '../../support/block-kit.js';

const checkedAt = Date.UTC(2026, 4, 1, 9, 30);
const admin = (capabilities: Capabilities) => ({
  usingDefaults: false,
  health: { lastSuccessAt: checkedAt, lastError: { kind: 'forbidden', requestId: 'r'.repeat(128), at: checkedAt } },
  connection: { organizationId: 'o'.repeat(64), tokenHint: '…abcd', scope: 'ORGANIZATION', savedBy: 'U0ADMIN', savedAt: checkedAt, expiresAt: checkedAt + 86_400_000 },
  capabilities,
  now: checkedAt,
});

describe('capabilityLines', () => {
  it('names every denied feature with the role that enables it, and fits the Home view when all are denied', () => {
    const all: Capabilities = { users: 'denied', teams: 'denied', tokens: 'denied', roles: 'denied', catalog: 'denied', audit_logs: 'denied', checkedAt };
    const lines = capabilityLines(all);
    expect(lines).toHaveLength(7);
    for (const need of Object.values(FEATURE_NEEDS)) expect(lines.some((l) => l.includes(`needs ${need.role}`))).toBe(true);
    const view = renderHome({ admin: admin(all), recent: [], astroUiUrl: 'https://cloud.astronomer.io' });
    expectValidBlockKit(view, 'view');
    expect(allText(view)).toContain("Access changes in scheduled reports aren't shown: the token's role can't read the audit log (needs Organization Owner");
  });

  it('says nothing before the first probe, and only that nothing is hidden when none is denied', () => {
    expect(capabilityLines(UNPROBED)).toEqual([]);
    expect(capabilityLines({ ...UNPROBED, users: 'ok', tokens: 'unknown', checkedAt })).toEqual([expect.stringMatching(/^Nothing is hidden by the token's Astro role \(checked <!date\^/)]);
  });
});
