/**
 * The built app as real processes: two instances sharing a real Redis (a shared cache hit, and a
 * re-delivered event answered once across instances), and a graceful stop on SIGTERM that
 * finishes the request in flight.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ASTRO_TOKEN, BOT_TOKEN, ORG_ID, SIGNING_SECRET, slackHandler } from '../support/app.js';
import { ADA } from '../support/fixtures.js';
import { json, startHttpStub, type HttpStub } from '../support/http-stub.js';
import { killAppProcesses, spawnAppProcess, startAppProcess, type AppProcess } from '../support/process.js';
import { postSignedForm, postSignedJson } from '../support/signing.js';
import { sleep } from '../support/sleep.js';

const redisUrl = inject('redisUrl');

function baseEnv(slack: HttpStub, astro: HttpStub): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: `${slack.url}/api/`,
    ASTRO_API_URL: astro.url,
    ASTRO_API_TOKEN: ASTRO_TOKEN,
    ASTRO_ORGANIZATION_ID: ORG_ID,
    LOG_LEVEL: 'info',
  };
}

const command = (app: AppProcess, slack: HttpStub, n: string, text: string) =>
  postSignedForm(
    `${app.url}/slack/events`,
    { command: '/astro-user', text, team_id: 'T0001', user_id: 'U0001', channel_id: 'C0001', channel_name: 'ops', response_url: `${slack.url}/respond/${n}`, trigger_id: '1.2.3' },
    SIGNING_SECRET,
  );

// Real processes start in seconds on a busy machine: generous bounds (start-up time is the bench's).
describe('processes', { timeout: 60_000 }, () => {
  let slack: HttpStub;
  let astro: HttpStub;
  /** While set, Astro holds its answers until the test calls it. */
  let held: Promise<void> | undefined;

  beforeAll(async () => {
    slack = await startHttpStub(slackHandler());
    astro = await startHttpStub(async (_req, res) => {
      await held;
      json(res, 200, ADA);
    });
  });
  afterAll(async () => {
    await killAppProcesses();
    await Promise.all([slack?.close(), astro?.close()]);
  });

  describe.skipIf(!redisUrl)('two instances on one Redis', () => {
    let a: AppProcess;
    let b: AppProcess;
    beforeAll(async () => {
      const env = { ...baseEnv(slack, astro), STORE_URL: redisUrl };
      [a, b] = await Promise.all([startAppProcess(env), startAppProcess(env)]);
    }, 120_000);

    it('share the cache: a user looked up on one is a cache hit on the other', async () => {
      const before = astro.requests.length; // all requests so far
      expect((await command(a, slack, 'pa', ADA.id)).status).toBe(200);
      await slack.waitFor(1, (r) => r.url === '/respond/pa');
      await sleep(100);
      expect((await command(b, slack, 'pb', ADA.id)).status).toBe(200);
      const [reply] = await slack.waitFor(1, (r) => r.url === '/respond/pb');
      expect(reply!.body).toContain('Ada Lovelace');
      // One GetUser (names and Teams calls aside): the second instance answered from the shared cache.
      expect(astro.requests.slice(before).filter((r) => /\/users\/c[0-9a-z]{24}$/.test(r.url))).toHaveLength(1);
    });

    it('answer a re-delivered event once across instances', async () => {
      const envelope = {
        token: 't',
        team_id: 'T0001',
        api_app_id: 'A0001',
        type: 'event_callback',
        event_id: `EvTwo${Date.now()}`,
        event_time: 1,
        authorizations: [{ team_id: 'T0001', user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
        event: { type: 'app_mention', user: 'U0002', channel: 'COPS', text: `<@UBOT> ${ADA.id}`, ts: '1700000009.000100', event_ts: '1700000009.000100' },
      };
      const posts = () => slack.requests.filter((r) => r.url === '/api/chat.postMessage' && r.body.includes('1700000009.000100')).length;
      await Promise.all([
        postSignedJson(`${a.url}/slack/events`, envelope, SIGNING_SECRET),
        postSignedJson(`${b.url}/slack/events`, envelope, SIGNING_SECRET, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }),
      ]);
      // One instance answers; the other says it ignores the re-delivery (it can post nothing after that).
      await slack.waitFor(1, (r) => r.url === '/api/chat.postMessage' && r.body.includes('1700000009.000100'));
      const ignored = 'event already answered; ignoring the re-delivery';
      await Promise.any([a.waitForOutput(ignored), b.waitForOutput(ignored)]);
      expect(posts()).toBe(1);
    });
  });

  it('stops gracefully on SIGTERM: the request in flight is answered, then the process exits 0', async () => {
    const app = await startAppProcess(baseEnv(slack, astro));
    let release = () => undefined as void;
    held = new Promise((r) => (release = r));
    try {
      // GetUser, not the background probe of what the token can reach (started with the process).
      const isGetUser = (r: { url: string }) => /\/users\/c[0-9a-z]{24}$/.test(r.url);
      const before = astro.requests.filter(isGetUser).length;
      expect((await command(app, slack, 'term', ADA.id)).status).toBe(200);
      await astro.waitFor(before + 1, isGetUser); // the lookup is in flight, its answer held
      app.kill('SIGTERM');
      await app.waitForOutput('shutting down');
      release();
      // The card (after a "Looking that up…" note when the held lookup took over a second).
      const [reply] = await slack.waitFor(1, (r) => r.url === '/respond/term' && r.body.includes('Ada Lovelace'), 8000);
      expect(reply!.body).toContain('Ada Lovelace');
      expect(await app.exited).toBe(0);
    } finally {
      release();
      held = undefined;
    }
  });

  it('writes the audit line of a lookup to stdout within about a second, though lines are written in batches', async () => {
    const app = await startAppProcess(baseEnv(slack, astro));
    expect((await command(app, slack, 'audit', ADA.id)).status).toBe(200);
    await slack.waitFor(1, (r) => r.url === '/respond/audit', 5000);
    await app.waitForOutput('"msg":"lookup"', 3000);
    expect(app.child.exitCode).toBeNull(); // still running: the timer flushed it, not the exit
    app.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  });

  it('stops with one line, not a stack trace, when the SQLite file cannot be opened', async () => {
    const urls = ['sqlite:///dev/null/astro-user.sqlite', 'sqlite:///proc/astro-user.sqlite'];
    const apps = await Promise.all(urls.map((STORE_URL) => spawnAppProcess({ ...baseEnv(slack, astro), STORE_URL })));
    for (const [i, app] of apps.entries()) {
      expect(await app.exited).toBe(1);
      const output = app.output();
      expect(output).toContain(`astro-user: could not open the SQLite file ${urls[i]!.slice('sqlite://'.length)} (`);
      expect(output).toMatch(/astro-user: could not open the SQLite file \/(dev\/null|proc)\/astro-user\.sqlite \(.+\)\. Check STORE_URL/);
      expect(output).not.toMatch(/\n\s+at /); // no stack frames
    }
  });

  it('names SLACK_APP_TOKEN, not a bare API error, when Slack refuses the Socket Mode token', async () => {
    const refusing = await startHttpStub(slackHandler({ '/api/apps.connections.open': (_req, res) => json(res, 200, { ok: false, error: 'invalid_auth' }) }));
    const APP_TOKEN = 'xapp-1-A0001-1234-refusedAppLevelTokenValue0123456789';
    let app: AppProcess | undefined;
    try {
      // Socket Mode serves /healthz before Slack has answered apps.connections.open: wait for the
      // process to stop, not for it to answer.
      app = await spawnAppProcess({ ...baseEnv(refusing, astro), SLACK_API_URL: `${refusing.url}/api/`, SLACK_APP_TOKEN: APP_TOKEN });
      expect(await app.exited).toBe(1);
      expect(refusing.requests.filter((r) => r.url === '/api/apps.connections.open').length).toBeGreaterThan(0);
      expect(app.output()).toContain('astro-user: Slack refused SLACK_APP_TOKEN (invalid_auth): copy the App-Level Token');
      expect(app.output()).not.toContain('refusedAppLevelTokenValue');
    } finally {
      if (app?.child.exitCode === null) app.kill('SIGKILL');
      await refusing.close();
    }
  });

  it('refuses to start with a bad configuration, naming the variable and hiding its value', async () => {
    const app = await spawnAppProcess({ ...baseEnv(slack, astro), SLACK_BOT_TOKEN: 'xoxp-user-token-not-a-bot-1234567890' });
    expect(await app.exited).toBe(1);
    expect(app.output()).toMatch(/SLACK_BOT_TOKEN must be a Bot User OAuth Token/);
    expect(app.output()).not.toMatch(/xoxp-user-token/);
  });
});
