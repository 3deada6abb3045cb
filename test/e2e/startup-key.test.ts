/**
 * The real process with an ENCRYPTION_KEY that does not open what is stored (a data file sealed
 * under another key): start-up stops with one line naming ENCRYPTION_KEY / ENCRYPTION_KEY_PREVIOUS.
 * With the right key as ENCRYPTION_KEY_PREVIOUS (a rotation begun) it starts.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOT_TOKEN, SIGNING_SECRET, slackHandler } from '../support/app.js';
import { startHttpStub, type HttpStub } from '../support/http-stub.js';
import { startAppProcess, type AppProcess } from '../support/process.js';
import { FIXTURE } from '../fixtures/store-v0.1/expected.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/store-v0.1/', import.meta.url));
const OTHER_KEY = Buffer.alloc(32, 0x5a).toString('base64');

let slack: HttpStub;
const apps: AppProcess[] = [];
beforeAll(async () => {
  slack = await startHttpStub(slackHandler());
});
afterAll(async () => {
  for (const a of apps) a.kill('SIGKILL');
  await slack.close();
});

/** A copy of the 0.1 data file (an installation and an Astro token sealed under FIXTURE.key). */
function dataFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'au-key-')), 'store.sqlite');
  for (const suffix of ['', '-wal']) copyFileSync(join(FIXTURES, `astro-user-v0.1.sqlite${suffix}`), `${file}${suffix}`);
  return file;
}

const env = (file: string, keys: Record<string, string>) => ({
  STORE_URL: `sqlite://${file}`,
  SLACK_BOT_TOKEN: BOT_TOKEN,
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_API_URL: `${slack.url}/api/`,
  ASTRO_API_URL: 'http://127.0.0.1:9',
  LOG_LEVEL: 'warn',
  ...keys,
});

describe('ENCRYPTION_KEY at start-up', () => {
  it('refuses to start with a key that opens nothing stored, in one line naming the variables', async () => {
    const err = await startAppProcess(env(dataFile(), { ENCRYPTION_KEY: OTHER_KEY })).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    const lines = (err as Error).message.split('\n').filter((l) => l.startsWith('astro-user:'));
    expect(lines).toEqual([expect.stringMatching(/^astro-user: ENCRYPTION_KEY does not open the stored secrets .*ENCRYPTION_KEY_PREVIOUS/)]);
    expect((err as Error).message).not.toContain(OTHER_KEY);
  });

  it('starts during a rotation, with the old key as ENCRYPTION_KEY_PREVIOUS, and says to finish it', async () => {
    const app = await startAppProcess(env(dataFile(), { ENCRYPTION_KEY: OTHER_KEY, ENCRYPTION_KEY_PREVIOUS: FIXTURE.key.toString('base64'), LOG_LEVEL: 'warn' }));
    apps.push(app);
    await expect.poll(() => app.output()).toContain('finish the rotation with npm run reseal');
  });
});
