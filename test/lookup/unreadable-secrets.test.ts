/**
 * A saved Astro token or installation that no configured key opens is reported with its cause
 * (logged, counted and shown by the app), and the person is told the settings can't be read,
 * never that the workspace is not connected or not installed.
 */
import type { Installation } from '@slack/oauth';
import { describe, expect, it } from 'vitest';
import { toFailure } from '../../src/core/outcomes.js';
import { createLogger } from '../../src/logger.js';
import { createWorkspaceSettings } from '../../src/lookup/workspace-settings.js';
import { createInstallationStore } from '../../src/slack/installation-store.js';
import { BestEffortCache } from '../../src/store/best-effort-cache.js';
import { openStores } from '../../src/store/index.js';
import { SecretBox } from '../../src/store/secret-box.js';

const A = new SecretBox(Buffer.alloc(32, 1));
const B = new SecretBox(Buffer.alloc(32, 2));
const log = createLogger({ level: 'silent' });

describe('secrets sealed under another key', () => {
  it('an Astro token: reported with its cause, and read as "settings unreadable"', async () => {
    const stores = await openStores({ kind: 'memory' }, { log });
    const health = new BestEffortCache(stores.cache, { log });
    await createWorkspaceSettings({ store: stores.settings, healthStore: health, box: A }).saveConnection('T.T1', {
      organizationId: 'clorg',
      apiToken: 'token-sealed-under-A',
      tokenHint: '…er-A',
      scope: 'ORGANIZATION',
      savedBy: 'U1',
      savedAt: 1,
    });
    const causes: unknown[] = [];
    const other = createWorkspaceSettings({ store: stores.settings, healthStore: health, box: B, onUnreadable: (c) => causes.push(c) });
    const err = await other.getConnection('T.T1').catch((e: unknown) => e);
    expect(toFailure(err)).toEqual({ code: 'settings_unreadable' });
    expect(causes).toHaveLength(1);
    expect(causes[0]).toBeInstanceOf(Error);
  });

  it('an installation: reported with its cause, and refused as unreadable (not "not installed")', async () => {
    const stores = await openStores({ kind: 'memory' }, { log });
    await createInstallationStore({ store: stores.installs, box: A }).storeInstallation({ team: { id: 'T1' }, enterprise: undefined, isEnterpriseInstall: false, bot: { token: 'xoxb-sealed-A', scopes: [], userId: 'UB', id: 'B1' } } as unknown as Installation);
    const causes: unknown[] = [];
    const other = createInstallationStore({ store: stores.installs, box: B, onUnreadable: (c) => causes.push(c) });
    const err = await other.fetchInstallation({ teamId: 'T1', enterpriseId: undefined, isEnterpriseInstall: false }).catch((e: unknown) => e);
    expect(toFailure(err)).toEqual({ code: 'settings_unreadable' });
    expect(causes).toHaveLength(1);
  });
});
