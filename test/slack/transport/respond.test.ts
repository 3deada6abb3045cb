/**
 * Posting to a `response_url` with undici (src/slack/respond.ts), against a real HTTP server on
 * loopback standing in for Slack's hooks.slack.com.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createResponder, RespondError, type Responder } from '../../../src/slack/transport/respond.js';
import { startHttpStub, type HttpStub } from '../../support/http-stub.js';

let slack: HttpStub;
let responder: Responder;

beforeAll(async () => {
  slack = await startHttpStub((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  responder = createResponder({ timeoutMs: 500 });
});
afterAll(async () => {
  await responder.close();
  await slack.close();
});
afterEach(() => {
  slack.requests.length = 0;
  slack.setHandler((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
});

describe('createResponder', () => {
  it('posts the message as JSON, and a string as { text }', async () => {
    await responder.to(`${slack.url}/commands/1`)({ response_type: 'ephemeral', text: 'hi', blocks: [] });
    await responder.to(`${slack.url}/commands/2`)('plain words');
    expect(slack.requests.map((r) => [r.method, r.url, r.headers['content-type'], JSON.parse(r.body)])).toEqual([
      ['POST', '/commands/1', 'application/json; charset=utf-8', { response_type: 'ephemeral', text: 'hi', blocks: [] }],
      ['POST', '/commands/2', 'application/json; charset=utf-8', { text: 'plain words' }],
    ]);
  });

  it("rejects with Slack's status when the response_url is expired or used up", async () => {
    slack.setHandler((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('expired_url');
    });
    const err = await responder.to(`${slack.url}/commands/3`)({ text: 'late' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RespondError);
    expect((err as RespondError).statusCode).toBe(404);
  });

  it('does not follow a redirect', async () => {
    slack.setHandler((req, res) => {
      if (req.url === '/elsewhere') {
        res.writeHead(200);
        res.end('ok');
        return;
      }
      res.writeHead(302, { location: `${slack.url}/elsewhere` });
      res.end();
    });
    const err = await responder.to(`${slack.url}/commands/4`)({ text: 'x' }).catch((e: unknown) => e);
    expect((err as RespondError).statusCode).toBe(302);
    expect(slack.requests.map((r) => r.url)).toEqual(['/commands/4']);
  });

  it('gives up on a response_url that never answers, within its timeout, without a status', async () => {
    slack.setHandler(() => undefined); // never answers
    const started = Date.now();
    const err = await responder.to(`${slack.url}/commands/5`)({ text: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { statusCode?: number }).statusCode).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('stops reading an endless answer and still reports the post as accepted', async () => {
    slack.setHandler((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = 'x'.repeat(16 * 1024);
      const timer = setInterval(() => res.write(chunk), 1);
      res.on('close', () => clearInterval(timer));
    });
    await expect(responder.to(`${slack.url}/commands/6`)({ text: 'x' })).resolves.toBeUndefined();
  });

  it('refuses a response_url that is not http(s), without a request', async () => {
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', '//hooks.slack.com/x', '']) {
      await expect(responder.to(url)({ text: 'x' })).rejects.toThrow(/response_url/);
    }
    expect(slack.requests).toHaveLength(0);
  });

  it('reuses kept-alive connections for posts one after another', async () => {
    let connections = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const own = createResponder({ timeoutMs: 1000 });
    for (let i = 0; i < 10; i++) await own.to(`${url}/commands/k${i}`)({ text: String(i) });
    await own.close();
    server.close();
    expect(connections).toBeLessThanOrEqual(2); // 10 posts; undici may open a second socket while the first is being released
  });
});
