/**
 * Fault suite: the Astro API misbehaving in every ordinary way, seen through the whole app
 * (signed slash command in, `response_url` reply out). For each fault: the right number of
 * upstream attempts, a friendly reply within the deadline, and no secret in any log line.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createAstroClient } from '../../src/astro/client.js';
import { allText, expectValidBlockKit } from '../support/block-kit.js';
import { ASTRO_TOKEN, BOT_TOKEN, SIGNING_SECRET, startHarness, type TestHarness } from '../support/app.js';
import { ADA } from '../support/fixtures.js';
import { json, type RecordedRequest } from '../support/http-stub.js';

/** A fault: what the stand-in Astro API does with the n-th request (1-based). */
type Fault = (n: number, req: RecordedRequest, res: ServerResponse) => void;

const harnesses: TestHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

/**
 * A fresh app per fault (so circuit breakers do not carry over), with short per-request timeouts
 * and backoffs so that the suite stays fast; one test below uses the production timings.
 */
async function appWith(fault: Fault, fast = true): Promise<TestHarness> {
  let n = 0;
  const h = await startHarness({
    astroHandler: (req, res) => fault(++n, req, res),
    deps: fast
      ? {
          astro: createAstroClient({ requestTimeoutMs: 400 }),
          lookupDeadlineMs: 2000,
          policy: { backoffBaseMs: 20, backoffCapMs: 100, halfOpenAfterMs: 60_000 },
        }
      : {},
  });
  harnesses.push(h);
  return h;
}

/** Runs one lookup; returns the reply text, upstream request count and time to the reply. */
async function lookUpOnce(h: TestHarness): Promise<{ text: string; requests: number; ms: number }> {
  const started = Date.now();
  const r = await h.command(ADA.id);
  expect(r.status).toBe(200);
  const [reply] = await h.replies(r.responseUrl);
  const ms = Date.now() - started;
  expectValidBlockKit(reply as { blocks: unknown[]; text: string });
  return { text: allText(reply!.blocks), requests: h.astro.requests.length, ms };
}

function expectNoSecrets(h: TestHarness): void {
  const raw = h.rawLogs();
  for (const secret of [BOT_TOKEN, SIGNING_SECRET, ASTRO_TOKEN]) expect(raw).not.toContain(secret);
}

const ok = (res: ServerResponse) => json(res, 200, ADA);

describe('Astro API faults, through the whole app', () => {
  it('429 without Retry-After: retried with backoff, then "busy, try again" with the requestId', async () => {
    const h = await appWith((_n, _r, res) => json(res, 429, { message: 'slow down', requestId: 'req-429', statusCode: 429 }));
    const r = await lookUpOnce(h);
    expect(r.requests).toBe(3);
    expect(r.text).toMatch(/too many requests/);
    expect(r.text).toContain('req-429');
    expectNoSecrets(h);
  });

  it('429 with Retry-After: 1 is waited out, then the card arrives', async () => {
    const h = await appWith((n, _r, res) => (n === 1 ? json(res, 429, { message: 'slow down', requestId: 'r', statusCode: 429 }, { 'retry-after': '1' }) : ok(res)));
    const r = await lookUpOnce(h);
    expect(r.requests).toBe(2);
    expect(r.text).toContain('Ada Lovelace');
    expect(r.ms).toBeGreaterThanOrEqual(900);
    expectNoSecrets(h);
  });

  it('500 is retried once, then "unavailable"', async () => {
    const h = await appWith((_n, _r, res) => json(res, 500, { message: 'boom', requestId: 'req-500', statusCode: 500 }));
    const r = await lookUpOnce(h);
    expect(r.requests).toBe(2);
    expect(r.text).toMatch(/unavailable/);
    expect(r.text).toContain('req-500');
  });

  it('503 then success: the card arrives after one retry', async () => {
    const h = await appWith((n, _r, res) => (n === 1 ? json(res, 503, { message: 'x', requestId: 'r', statusCode: 503 }) : ok(res)));
    const r = await lookUpOnce(h);
    expect(r.requests).toBe(2);
    expect(r.text).toContain('Ada Lovelace');
  });

  it('a gateway answering HTML 502 is retried and explained without a requestId', async () => {
    const h = await appWith((_n, _r, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>Bad Gateway</body></html>');
    });
    const r = await lookUpOnce(h);
    expect(r.requests).toBe(3);
    expect(r.text).toMatch(/unavailable/);
    expect(r.text).not.toMatch(/request ID/);
  });

  it('malformed JSON is not retried and is explained', async () => {
    const h = await appWith((_n, _r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id": "clx1user0000001abcdefghij", "fullName": ');
    });
    const r = await lookUpOnce(h);
    expect(r.requests).toBe(1);
    expect(r.text).toMatch(/couldn't read/);
  });

  it('a body that never ends times out, is retried, and the user hears back within the deadline', async () => {
    const h = await appWith((_n, _r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id": "clx1user0000001abcdefghij", ');
    });
    const r = await lookUpOnce(h);
    expect(r.requests).toBeGreaterThanOrEqual(2);
    expect(r.text).toMatch(/didn't answer in time/);
    expect(r.ms).toBeLessThan(3000);
  });

  it('a connection reset is retried, then the card arrives', async () => {
    const h = await appWith((n, req, res) => {
      if (n === 1) res.socket?.destroy();
      else ok(res);
      void req;
    });
    const r = await lookUpOnce(h);
    expect(r.requests).toBe(2);
    expect(r.text).toContain('Ada Lovelace');
  });

  it('a hang, with production timings: the user still hears back within 10 s', async () => {
    const h = await appWith(() => undefined, false);
    const r = await lookUpOnce(h);
    expect(r.text).toMatch(/didn't answer in time|unavailable/);
    expect(r.ms).toBeLessThan(10_000);
    expectNoSecrets(h);
  }, 15_000);

  it('opens the circuit after repeated failures: the next lookup is answered at once, with no upstream call', async () => {
    const h = await appWith((_n, _r, res) => json(res, 503, { message: 'down', requestId: 'r', statusCode: 503 }));
    await lookUpOnce(h); // 3 failures
    const second = await lookUpOnce(h); // 2 more: the breaker opens (5 consecutive)
    expect(second.text).toMatch(/unavailable/);
    const before = h.astro.requests.length;
    const third = await lookUpOnce(h);
    expect(third.text).toMatch(/unavailable/);
    expect(h.astro.requests.length).toBe(before);
    expect(third.ms).toBeLessThan(500);
  });
});
