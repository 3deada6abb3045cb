/**
 * ASTRO_API_TOKEN at start-up: expired stops start-up with its date, refused is logged plainly,
 * unreachable does not stop anything. A real Astro client against a stand-in Astro on loopback.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createAstroClient } from '../../src/astro/client.js';
import { checkEnvToken, EnvTokenExpiredError } from '../../src/app/env-token.js';
import { createLogger } from '../../src/logger.js';
import { ASTRO_TOKEN, ORG_ID } from '../support/app.js';
import { json, startHttpStub, type HttpStub } from '../support/http-stub.js';

/** A JWT naming ORG_ID, expiring at `exp` (seconds since the epoch). */
const tokenExpiringAt = (exp: number) =>
  ['eyJhbGciOiJIUzI1NiJ9', Buffer.from(JSON.stringify({ permissions: [`organizationId:${ORG_ID}`], exp })).toString('base64url'), 'c2lnbmF0dXJl'].join('.');

let stub: HttpStub | undefined;
afterEach(() => stub?.close());

function capture() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _e, cb) {
        for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    }),
  });
  return { log, lines };
}

describe('checkEnvToken', () => {
  it('stops start-up when the token has expired, saying when and never showing it', async () => {
    const token = tokenExpiringAt(Date.UTC(2026, 10, 30, 9, 15) / 1000);
    const { log } = capture();
    const err = await checkEnvToken(createAstroClient(), { apiUrl: 'http://127.0.0.1:9', apiToken: token, organizationId: ORG_ID }, log).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvTokenExpiredError);
    expect((err as Error).message).toMatch(/^ASTRO_API_TOKEN expired on 2026-11-30 09:15 UTC/);
    expect((err as Error).message).not.toContain(token.split('.')[1]!);
  });

  it.each([
    [401, /Astro refused ASTRO_API_TOKEN \(401\)/],
    [403, /Astro refused ASTRO_API_TOKEN \(403\)/],
  ])('logs plainly when Astro answers %i to the test call, and goes on', async (status, line) => {
    stub = await startHttpStub((_req, res) => json(res, status, { message: 'no', requestId: 'req-1' }));
    const { log, lines } = capture();
    expect(await checkEnvToken(createAstroClient(), { apiUrl: stub.url, apiToken: ASTRO_TOKEN, organizationId: ORG_ID }, log)).toBe('refused');
    expect(lines.find((l) => l.check === 'astro_token')).toMatchObject({ level: 'error', msg: expect.stringMatching(line) });
    expect(stub.requests[0]?.url).toBe(`/organizations/${ORG_ID}/users?offset=0&limit=1`);
  });

  it('does not stop start-up when Astro cannot be reached', async () => {
    stub = await startHttpStub((_req, res) => {
      res.destroy();
    });
    const { log, lines } = capture();
    expect(await checkEnvToken(createAstroClient(), { apiUrl: stub.url, apiToken: ASTRO_TOKEN, organizationId: ORG_ID }, log)).toBe('unreachable');
    expect(lines.find((l) => l.check === 'astro_token')).toMatchObject({ level: 'warn', msg: 'could not reach Astro to check ASTRO_API_TOKEN; starting anyway' });
  });

  it('says the token works when Astro answers', async () => {
    stub = await startHttpStub((_req, res) => json(res, 200, { users: [], offset: 0, limit: 1, totalCount: 0 }));
    const { log } = capture();
    expect(await checkEnvToken(createAstroClient(), { apiUrl: stub.url, apiToken: ASTRO_TOKEN, organizationId: ORG_ID }, log)).toBe('ok');
  });
});
