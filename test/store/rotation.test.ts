/**
 * Encryption keys against real SQLite files: finishing a rotation re-seals every stored secret
 * (Slack installations and Astro tokens, written by the app's own modules) under ENCRYPTION_KEY,
 * so the previous key can then be dropped; and the start-up check tells a changed key and an
 * unfinished rotation from a healthy store. Also `npm run reseal` itself, as a process, on the
 * data file written by astro-user 0.1.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Installation } from '@slack/oauth';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createWorkspaceSettings, type AstroConnection } from '../../src/lookup/workspace-settings.js';
import { createLogger } from '../../src/logger.js';
import { createInstallationStore } from '../../src/slack/installation-store.js';
import { BestEffortCache } from '../../src/store/best-effort-cache.js';
import { openStores, type Stores } from '../../src/store/index.js';
import { checkEncryptionKey, describeKeyProblem, resealAll } from '../../src/store/rotation.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { FIXTURE } from '../fixtures/store-v0.1/expected.js';

const silent = createLogger({ level: 'silent' });
const OLD = Buffer.alloc(32, 1);
const NEW = Buffer.alloc(32, 2);
const OTHER = Buffer.alloc(32, 3);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const opened: Stores[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});
const tempFile = () => join(mkdtempSync(join(tmpdir(), 'au-keys-')), 'store.sqlite');
async function open(file: string) {
  const s = await openStores({ kind: 'sqlite', path: file }, { log: silent });
  opened.push(s);
  return s;
}

/** The app's own stores over `stores`, sealing with `box`. */
function app(stores: Stores, box: SecretBox) {
  return {
    installs: createInstallationStore({ store: stores.installs, box, memoryTtlMs: 1 }),
    settings: createWorkspaceSettings({ store: stores.settings, healthStore: new BestEffortCache(stores.cache, { log: silent }), box, readCacheTtlMs: 0 }),
  };
}
const installation = (team: string) => ({ team: { id: team }, isEnterpriseInstall: false, bot: { token: `xoxb-${team}-token`, id: 'B1', userId: 'U1', scopes: ['commands'] } }) as unknown as Installation;
const connection = (team: string): AstroConnection => ({ organizationId: 'clorg000000000000000000001', apiToken: `astro-token-${team}`, tokenHint: 'ken1', scope: 'ORGANIZATION', savedBy: 'U1', savedAt: 1 });

/** A store with three workspaces' installations and Astro tokens, sealed under OLD. */
async function storeUnder(key: Buffer, file = tempFile()) {
  const stores = await open(file);
  const a = app(stores, new SecretBox(key));
  for (const team of ['T1', 'T2', 'T3']) {
    await a.installs.storeInstallation(installation(team));
    await a.settings.saveConnection(`T.${team}`, connection(team));
  }
  await a.settings.savePolicy('T.T1', { allowGuests: true, allowPublicInSharedChannels: false, privateMentionReplies: false, allowedUserGroups: [], allowBotMentions: false });
  return { stores, file };
}

describe('finishing a key rotation', () => {
  it('re-seals every installation and Astro token under ENCRYPTION_KEY; then the previous key can go', async () => {
    const { stores, file } = await storeUnder(OLD);
    const report = await resealAll(stores, new SecretBox(NEW, OLD));
    expect(report).toMatchObject({ resealed: 6, current: 0, remainingPrevious: 0, unreadable: 0 });
    expect(report.byKind.installation.resealed).toBe(3);
    expect(report.byKind['astro-token'].resealed).toBe(3);
    expect(await resealAll(stores, new SecretBox(NEW, OLD))).toMatchObject({ resealed: 0, current: 6, remainingPrevious: 0 });
    await stores.close();

    // Restarted with ENCRYPTION_KEY only: every workspace still works.
    const after = app(await open(file), new SecretBox(NEW));
    for (const team of ['T1', 'T2', 'T3']) {
      expect((await after.installs.fetchInstallation({ teamId: team, enterpriseId: undefined, isEnterpriseInstall: false })).bot?.token).toBe(`xoxb-${team}-token`);
      expect((await after.settings.getConnection(`T.${team}`))?.apiToken).toBe(`astro-token-${team}`);
    }
    expect((await after.settings.getPolicy('T.T1')).allowGuests).toBe(true);
  });

  it('leaves values under an unknown key alone, and counts them', async () => {
    const { stores } = await storeUnder(OTHER);
    expect(await resealAll(stores, new SecretBox(NEW, OLD))).toMatchObject({ resealed: 0, unreadable: 6, remainingPrevious: 0 });
    expect(await checkEncryptionKey(stores, new SecretBox(OTHER))).toEqual({ ok: true, sampled: 6, unreadable: 0 });
  });
});

describe('checkEncryptionKey', () => {
  it('is ok on an empty store and with the key the values were sealed with', async () => {
    expect(await checkEncryptionKey(await open(tempFile()), new SecretBox(NEW))).toEqual({ ok: true, sampled: 0, unreadable: 0 });
    const { stores } = await storeUnder(NEW);
    expect(await checkEncryptionKey(stores, new SecretBox(NEW))).toEqual({ ok: true, sampled: 6, unreadable: 0 });
    expect(await checkEncryptionKey(stores, new SecretBox(NEW, OLD), { sample: 2 })).toEqual({ ok: true, sampled: 2, unreadable: 0 });
  });

  it('names a changed ENCRYPTION_KEY (the old one not kept as ENCRYPTION_KEY_PREVIOUS)', async () => {
    const { stores } = await storeUnder(OLD);
    const check = await checkEncryptionKey(stores, new SecretBox(NEW));
    expect(check).toEqual({ problem: 'wrong_key', count: 6, sampled: 6 });
    const line = describeKeyProblem(check as Exclude<typeof check, { ok: true }>);
    expect(line).toMatch(/ENCRYPTION_KEY does not open the stored secrets/);
    expect(line).toMatch(/ENCRYPTION_KEY_PREVIOUS/);
    expect(line).not.toContain(NEW.toString('base64'));
  });

  it('tells an unfinished rotation, and is ok once npm run reseal has run', async () => {
    const { stores } = await storeUnder(OLD);
    const box = new SecretBox(NEW, OLD);
    const check = await checkEncryptionKey(stores, box);
    expect(check).toEqual({ problem: 'previous_only', count: 6, sampled: 6 });
    expect(describeKeyProblem(check as Exclude<typeof check, { ok: true }>)).toMatch(/npm run reseal/);
    await resealAll(stores, box);
    expect(await checkEncryptionKey(stores, new SecretBox(NEW))).toEqual({ ok: true, sampled: 6, unreadable: 0 });
  });
});

describe('npm run reseal (dist/reseal.js)', () => {
  // The test run's build of src/ (test/setup/global.ts), as `npm run build` makes dist/.
  const entry = join(dirname(inject('appEntry')), 'reseal.js');
  const reseal = (env: Record<string, string>) =>
    spawnSync(process.execPath, [entry], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 20_000,
      env: { PATH: process.env.PATH ?? '', SLACK_BOT_TOKEN: 'xoxb-1-2-resealTest', SLACK_SIGNING_SECRET: 'resealtestsigningsecret0123456789', ...env },
    });

  it('re-seals the secrets of a 0.1 data file under the new key and says none remain under the previous one', async () => {
    const file = tempFile();
    for (const suffix of ['', '-wal']) copyFileSync(join(ROOT, `test/fixtures/store-v0.1/astro-user-v0.1.sqlite${suffix}`), `${file}${suffix}`);
    const env = { STORE_URL: `sqlite://${file}`, ENCRYPTION_KEY: NEW.toString('base64'), ENCRYPTION_KEY_PREVIOUS: FIXTURE.key.toString('hex') };
    const first = reseal(env);
    expect(first.stderr).not.toContain('astro-user reseal:');
    expect(first.stdout).toContain('re-sealed 2 under ENCRYPTION_KEY (1 Slack installations, 1 Astro tokens); 0 already were.');
    expect(first.stdout).toContain('0 remain under ENCRYPTION_KEY_PREVIOUS.');
    expect(first.status).toBe(0);
    expect(reseal(env).stdout).toContain('re-sealed 0 under ENCRYPTION_KEY (0 Slack installations, 0 Astro tokens); 2 already were.');

    const stores = await open(file);
    expect(await checkEncryptionKey(stores, new SecretBox(NEW))).toEqual({ ok: true, sampled: 2, unreadable: 0 });
    expect((await app(stores, new SecretBox(NEW)).settings.getConnection(FIXTURE.installationKey))?.apiToken).toBe(FIXTURE.connection.apiToken);
  });

  it('exits 1 and says so when secrets open with neither key, and 2 without ENCRYPTION_KEY', () => {
    const file = tempFile();
    for (const suffix of ['', '-wal']) copyFileSync(join(ROOT, `test/fixtures/store-v0.1/astro-user-v0.1.sqlite${suffix}`), `${file}${suffix}`);
    const wrong = reseal({ STORE_URL: `sqlite://${file}`, ENCRYPTION_KEY: NEW.toString('base64'), ASTRO_API_TOKEN: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.resealTestSignature', ASTRO_ORGANIZATION_ID: 'clorg1' });
    expect(wrong.stdout).toContain('2 open with neither ENCRYPTION_KEY nor ENCRYPTION_KEY_PREVIOUS');
    expect(wrong.status).toBe(1);
    const none = reseal({ STORE_URL: `sqlite://${file}`, ASTRO_API_TOKEN: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.resealTestSignature', ASTRO_ORGANIZATION_ID: 'clorg1' });
    expect(none.stderr).toContain('ENCRYPTION_KEY is not set');
    expect(none.status).toBe(2);
  });
});
