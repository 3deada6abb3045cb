/**
 * The real process with an expired ASTRO_API_TOKEN: start-up stops with one line naming the
 * variable and the date, exit code 1, and the token is not printed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BOT_TOKEN, ORG_ID, SIGNING_SECRET, slackHandler } from '../support/app.js';
import { startHttpStub, type HttpStub } from '../support/http-stub.js';

const expired = ['eyJhbGciOiJIUzI1NiJ9', Buffer.from(JSON.stringify({ permissions: [`organizationId:${ORG_ID}`], exp: Date.UTC(2026, 0, 2, 3, 4) / 1000 })).toString('base64url'), 'c2ln'].join('.');

let slack: HttpStub;
beforeAll(async () => {
  slack = await startHttpStub(slackHandler());
});
afterAll(() => slack.close());

describe('start-up with an expired ASTRO_API_TOKEN', () => {
  it('stops with one line saying it expired and when', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'astro-user-expired-'));
    const child = spawn(process.execPath, [inject('appEntry')], {
      cwd,
      env: { PATH: process.env.PATH ?? '', PORT: '0', STORE_URL: 'memory:', SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: `${slack.url}/api/`, ASTRO_API_URL: 'http://127.0.0.1:9', ASTRO_API_TOKEN: expired, ASTRO_ORGANIZATION_ID: ORG_ID, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(/^astro-user: ASTRO_API_TOKEN expired on 2026-01-02 03:04 UTC: create a new Organization API token/)]);
    expect(stderr).not.toContain(expired.split('.')[1]!);
  });
});
