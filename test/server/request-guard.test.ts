/**
 * The request guard on a real Bolt 5 app (HTTPReceiver on loopback port 0, a signing secret, a
 * slash command that acks, a custom route): signed traffic passes, hostile traffic is refused from
 * its headers or cut off, all through real sockets.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { App, LogLevel } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { guardServer, startMajorGc, type RefusalReason, type RequestGuard, type RequestGuardOptions } from '../../src/server/request-guard.js';
import { postSignedForm, slackSignatureHeaders } from '../support/signing.js';

const SECRET = 'guardsigningsecret0123456789abcd';

interface Running {
  url: string;
  port: number;
  refused: RefusalReason[];
  acked: number;
  server: Server;
  guard: RequestGuard;
  stop: () => Promise<void>;
}

const running: Running[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});

/** A real Bolt app with the guard installed on the server `app.start(0)` returns. */
async function startGuarded(options: RequestGuardOptions = {}): Promise<Running> {
  const silent = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };
  const app = new App({
    // No Slack Web API here: authorize answers without calling auth.test.
    authorize: async () => ({ botToken: 'xoxb-guard-test', botId: 'B1', botUserId: 'UBOT' }),
    signingSecret: SECRET,
    logger: silent,
    customRoutes: [{ path: '/healthz', method: ['GET'], handler: (_req, res) => res.end('ok') }],
  });
  const state = { acked: 0 };
  app.command('/astro-user', async ({ ack }) => {
    state.acked += 1;
    await ack();
  });
  const server = (await app.start(0)) as Server;
  const refused: RefusalReason[] = [];
  const guard = guardServer(server, { ...options, onRefused: (r) => refused.push(r) });
  const port = (server.address() as { port: number }).port;
  const r: Running = {
    url: `http://127.0.0.1:${port}`,
    port,
    refused,
    server,
    guard,
    get acked() {
      return state.acked;
    },
    stop: async () => {
      server.closeAllConnections();
      await app.stop();
    },
  };
  running.push(r);
  return r;
}

const command = (r: Running) =>
  postSignedForm(`${r.url}/slack/events`, { command: '/astro-user', text: 'hi', team_id: 'T1', user_id: 'U1', channel_id: 'C1', response_url: 'http://127.0.0.1:9/r', trigger_id: '1.2.3' }, SECRET);

/** Opens a raw connection and writes `head` (request line and headers). */
async function rawSocket(port: number, head: string): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(head);
  return socket;
}

/** Everything the server writes until it closes the connection. */
async function untilClosed(socket: Socket): Promise<string> {
  let text = '';
  socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
  socket.on('error', () => undefined);
  if (!socket.destroyed) await once(socket, 'close');
  return text;
}

const postHead = (headers: Record<string, string | number>) =>
  `POST /slack/events HTTP/1.1\r\nHost: x\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
const nowSec = () => Math.floor(Date.now() / 1000);

describe('signed traffic and other routes', () => {
  it('acks a signed slash command and still serves custom routes', async () => {
    const r = await startGuarded();
    const res = await command(r);
    expect(res.status).toBe(200);
    expect(r.acked).toBe(1);
    const health = await fetch(`${r.url}/healthz`);
    expect(await health.text()).toBe('ok');
    expect(r.refused).toEqual([]);
  });

  it('stacks no second guard when installed twice on the same server', async () => {
    const r = await startGuarded();
    // A second guard with a 1-byte cap would refuse every command if it were installed.
    expect(guardServer(r.server, { maxBodyBytes: 1 })).toBe(r.guard);
    expect((await command(r)).status).toBe(200);
  });

  it("lets Slack's unsigned ssl_check through to Bolt, which answers it", async () => {
    const r = await startGuarded();
    const res = await fetch(`${r.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'ssl_check=1&token=x' });
    expect(res.status).toBe(200);
    expect(r.refused).toEqual([]);
  });

  it('leaves a wrong signature with a fresh timestamp to Bolt, which refuses it', async () => {
    const r = await startGuarded();
    const res = await postSignedForm(`${r.url}/slack/events`, { command: '/astro-user', text: 'x' }, 'not-the-secret');
    expect(res.status).toBe(401);
    expect(r.acked).toBe(0);
  });
});

describe('refused before the body is read', () => {
  it('answers 401 to an unsigned POST declaring 4 MB, without waiting for any of it, and closes', async () => {
    const r = await startGuarded();
    const socket = await rawSocket(r.port, postHead({ 'content-type': 'application/json', 'content-length': 4_000_000 }));
    const answer = await untilClosed(socket);
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(r.refused).toEqual(['unsigned']);
  });

  it.each([
    ['ten minutes old', -600],
    ['ten minutes in the future', 600],
  ])('answers 401 to a timestamp %s, signature correct or not', async (_label, offset) => {
    const r = await startGuarded();
    const res = await postSignedForm(`${r.url}/slack/events`, { command: '/astro-user', text: 'x' }, SECRET, nowSec() + offset);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('timestamp');
    expect(r.acked).toBe(0);
    expect(r.refused).toEqual(['stale_timestamp']);
  });

  it('accepts a timestamp four minutes in the future (within the window)', async () => {
    const r = await startGuarded();
    const res = await postSignedForm(`${r.url}/slack/events`, { command: '/astro-user', text: 'hi', response_url: 'http://127.0.0.1:9/r' }, SECRET, nowSec() + 240);
    expect(res.status).toBe(200);
  });

  it('answers 413 to a signed-looking POST declaring more than maxBodyBytes', async () => {
    const r = await startGuarded();
    const socket = await rawSocket(r.port, postHead({ ...slackSignatureHeaders('', SECRET), 'content-length': 4_000_000 }));
    expect(await untilClosed(socket)).toMatch(/^HTTP\/1\.1 413 /);
    expect(r.refused).toEqual(['too_large']);
  });

  it('answers an unsigned Expect: 100-continue with 401 and never invites the body', async () => {
    const r = await startGuarded();
    const socket = await rawSocket(r.port, postHead({ 'content-length': 4_000_000, expect: '100-continue' }));
    const answer = await untilClosed(socket);
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer).not.toContain('100 Continue');
  });
});

describe('cut off', () => {
  it('destroys the socket of a chunked body once it passes maxBodyBytes', async () => {
    const r = await startGuarded({ maxBodyBytes: 4096 });
    const socket = await rawSocket(r.port, postHead({ ...slackSignatureHeaders('', SECRET), 'content-type': 'application/json', 'transfer-encoding': 'chunked' }));
    const closed = untilClosed(socket);
    const chunk = 'a'.repeat(1024);
    for (let i = 0; i < 8 && !socket.destroyed; i += 1) socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    expect(await closed).toBe(''); // no answer: the connection is simply gone
    expect(r.refused).toEqual(['too_large']);
  });

  it('closes a connection whose headers do not complete within headersTimeoutMs', async () => {
    const r = await startGuarded({ headersTimeoutMs: 100 });
    const socket = await rawSocket(r.port, 'POST /slack/events HTTP/1.1\r\nHost: x\r\n');
    expect(await untilClosed(socket)).toBe('');
    expect(r.refused).toEqual(['headers_timeout']);
  });

  it('closes a signed request whose body does not complete within bodyTimeoutMs', async () => {
    const r = await startGuarded({ bodyTimeoutMs: 100 });
    const socket = await rawSocket(r.port, postHead({ ...slackSignatureHeaders('', SECRET), 'content-type': 'application/json', 'content-length': 1000 }));
    socket.write('{"a":');
    expect(await untilClosed(socket)).toBe('');
    expect(r.refused).toEqual(['body_timeout']);
  });

  it('closes an idle kept-alive connection after its answer', async () => {
    const r = await startGuarded({ headersTimeoutMs: 100, keepAliveTimeoutMs: 5000 });
    const socket = await rawSocket(r.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const answer = await untilClosed(socket);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    // Closed by the guard's header timer (100 ms), not by Node's keep-alive timeout (5 s).
    expect(r.refused).toEqual(['headers_timeout']);
  });

  it('answers 503 to a large body while others hold the budget, and still acks small signed commands', async () => {
    const r = await startGuarded({ smallBodyBytes: 1024, largeBodyBudgetBytes: 100_000, bodyTimeoutMs: 60_000 });
    const forged = () => postHead({ ...slackSignatureHeaders('', SECRET), 'content-type': 'application/json', 'content-length': 60_000 });
    const holder = await rawSocket(r.port, forged());
    holder.write('{');
    // The second large body does not fit in the budget the first one holds.
    const second = await rawSocket(r.port, forged());
    expect(await untilClosed(second)).toMatch(/^HTTP\/1\.1 503 /);
    expect((await command(r)).status).toBe(200);
    expect(r.acked).toBe(1);
    holder.destroy();
  });
});

describe('under a flood of hostile connections', () => {
  it('keeps acking signed commands while 50 forged requests trickle large bodies, refusing those past the budget', async () => {
    const r = await startGuarded({ bodyTimeoutMs: 60_000 });
    // 50 × 400 kB declared: more than the 8 MiB that large bodies may hold at once.
    const sockets = await Promise.all(
      Array.from({ length: 50 }, () => rawSocket(r.port, postHead({ ...slackSignatureHeaders('', SECRET), 'content-type': 'application/json', 'content-length': 400_000 }))),
    );
    for (const s of sockets) s.on('error', () => undefined).write('{"x":"');
    const results = await Promise.all(Array.from({ length: 5 }, () => command(r)));
    expect(results.map((x) => x.status)).toEqual([200, 200, 200, 200, 200]);
    expect(r.refused.filter((x) => x === 'busy').length).toBeGreaterThan(0);
    for (const s of sockets) s.destroy();
  });
});

describe('collecting the garbage of refused connections', () => {
  const unsigned = async (r: Running) => untilClosed(await rawSocket(r.port, postHead({ 'content-type': 'application/json', 'content-length': 4_000_000 })));

  it('starts a collection after every reclaimAfterRefusals refusals, at most once per reclaimIntervalMs', async () => {
    let clock = Date.now();
    let collections = 0;
    const r = await startGuarded({ reclaimAfterRefusals: 3, reclaimIntervalMs: 1000, now: () => clock, reclaim: () => (collections += 1) });
    for (let i = 0; i < 2; i++) await unsigned(r);
    expect(collections).toBe(0);
    await unsigned(r);
    expect(collections).toBe(1);
    // Three more within the interval: none; the next refusal once it has passed starts one.
    for (let i = 0; i < 3; i++) await unsigned(r);
    expect(collections).toBe(1);
    clock += 1000;
    await unsigned(r);
    expect(collections).toBe(2);
    expect(r.refused).toHaveLength(7);
  });

  it('never starts one for signed traffic, nor with reclaimAfterRefusals 0', async () => {
    let collections = 0;
    const r = await startGuarded({ reclaimAfterRefusals: 1, reclaim: () => (collections += 1) });
    for (let i = 0; i < 3; i++) expect((await command(r)).status).toBe(200);
    expect(collections).toBe(0);
    const off = await startGuarded({ reclaimAfterRefusals: 0, reclaim: () => (collections += 1) });
    for (let i = 0; i < 3; i++) await unsigned(off);
    expect(collections).toBe(0);
  });

  it('keeps answering when the collection throws', async () => {
    const r = await startGuarded({
      reclaimAfterRefusals: 1,
      reclaim: () => {
        throw new Error('no');
      },
    });
    expect(await unsigned(r)).toMatch(/^HTTP\/1\.1 401 /);
    expect((await command(r)).status).toBe(200);
  });

  it('refuses a negative reclaimAfterRefusals or reclaimIntervalMs', async () => {
    const r = await startGuarded();
    const { createServer } = await import('node:http');
    expect(() => guardServer(createServer(), { reclaimAfterRefusals: -1 })).toThrow(RangeError);
    expect(() => guardServer(createServer(), { reclaimIntervalMs: Number.NaN })).toThrow(RangeError);
    expect(r.refused).toEqual([]);
  });

  it('startMajorGc starts a major collection of the V8 heap', async () => {
    const majors: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
        if (kind === constants.NODE_PERFORMANCE_GC_MAJOR || kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) majors.push(kind);
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    try {
      startMajorGc();
      for (let i = 0; i < 100 && majors.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(majors.length).toBeGreaterThan(0);
    } finally {
      observer.disconnect();
    }
  });
});
