/**
 * Starts the real astro-user app on loopback port 0 against stand-in servers: a stand-in Astro
 * API and a stand-in Slack (Web API via SLACK_API_URL, and the `response_url`s).
 */
import { Writable } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { createApp, type AppDeps, type AstroUserApp } from '../../src/compose.js';
import { loadConfig, secretsOf } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { json, startHttpStub, type HttpStub, type RecordedRequest, type StubHandler } from './http-stub.js';
import { ORG_ID } from './org-fixture.mjs';
import { postSignedForm, postSignedJson } from './signing.js';

export const SIGNING_SECRET = 'e2esigningsecret0123456789abcdef';
export const BOT_TOKEN = 'xoxb-1111-2222-e2eBotTokenValue';
export const ASTRO_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJwZXJtaXNzaW9ucyI6WyJvcmdhbml6YXRpb25JZDpjbG9yZyJdfQ.e2eAstroTokenSignature';
/** The organization of every fixture (one home: org-fixture.mjs, which the benchmark shares). */
export { ORG_ID };

let posted = 0;

/** A fake Slack: answers Web API methods with `{ok:true}` and records `response_url` posts under /respond/. */
export function slackHandler(overrides: Record<string, (req: RecordedRequest, res: ServerResponse) => void> = {}): StubHandler {
  return (req, res) => {
    const path = req.url.split('?')[0] ?? '';
    const custom = overrides[path];
    if (custom) return custom(req, res);
    if (path === '/api/auth.test') return json(res, 200, { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T0001', user: 'astro-user' });
    if (path === '/api/users.info') {
      const user = new URLSearchParams(req.body).get('user') ?? '';
      // Users named UADMIN… are workspace admins, UGUEST… are guests; the rest are members.
      return json(res, 200, { ok: true, user: { id: user, is_admin: user.startsWith('UADMIN'), is_owner: false, is_restricted: user.startsWith('UGUEST'), is_ultra_restricted: false } });
    }
    if (path === '/api/conversations.info') {
      const channel = new URLSearchParams(req.body).get('channel') ?? '';
      // Channels named CEXT… are shared with another organization (Slack Connect).
      return json(res, 200, { ok: true, channel: { id: channel, is_ext_shared: channel.startsWith('CEXT') } });
    }
    if (path === '/api/oauth.v2.access') {
      // The install flow: the authorization code `code-<team ID>` installs the bot in that team.
      const team = (new URLSearchParams(req.body).get('code') ?? '').split('-')[1] ?? 'TNONE';
      return json(res, 200, {
        ok: true,
        access_token: `xoxb-${team}-bot-token-secret`,
        token_type: 'bot',
        scope: 'commands,chat:write',
        bot_user_id: 'UBOT',
        app_id: 'A0001',
        team: { id: team, name: team },
        enterprise: null,
        is_enterprise_install: false,
        authed_user: { id: 'UADMIN1' },
      });
    }
    if (path === '/api/chat.postMessage') {
      // Slack answers with the new message's ts (and its channel).
      const sent = new URLSearchParams(req.body);
      return json(res, 200, { ok: true, channel: sent.get('channel'), ts: `${Math.floor(Date.now() / 1000)}.${String(++posted).padStart(6, '0')}` });
    }
    if (path.startsWith('/respond/')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    return json(res, 200, { ok: true });
  };
}

/**
 * The arguments of a Web API call the app made, parsed: a JSON body as is; a form body (the Web
 * API client form-encodes arguments, JSON-encoding objects and arrays) with those values decoded.
 */
export function parseWebApiBody(r: RecordedRequest): Record<string, unknown> {
  const ct = String(r.headers['content-type'] ?? '');
  if (ct.includes('application/json')) return JSON.parse(r.body) as Record<string, unknown>;
  const form = Object.fromEntries(new URLSearchParams(r.body));
  return Object.fromEntries(
    Object.entries(form).map(([k, v]) => {
      try {
        return [k, /^[[{]/.test(v) ? JSON.parse(v) : v];
      } catch {
        return [k, v];
      }
    }),
  );
}

/** Everything a test needs to drive the app. */
export interface TestHarness {
  built: AstroUserApp;
  /** `http://127.0.0.1:<port>` of the app. */
  url: string;
  astro: HttpStub;
  slack: HttpStub;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  /** Raw log text, to search for secrets. */
  rawLogs: () => string;
  /**
   * Resolves with the first log line (already written or still to come) for which `match` holds;
   * rejects after `timeoutMs` (default 10 s).
   */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Posts a signed slash command; the reply goes to `${slack.url}/respond/<n>`. */
  command(text: string, extra?: Record<string, string>): Promise<{ status: number; body: string; responseUrl: string }>;
  /** Posts a signed Events API envelope around `event`; returns the HTTP status. */
  event(event: Record<string, unknown>, options?: { eventId?: string; headers?: Record<string, string>; teamId?: string; envelope?: Record<string, unknown> }): Promise<number>;
  /** Posts a signed interactivity payload (`payload=<json>`); returns the HTTP status. */
  interact(payload: Record<string, unknown>): Promise<number>;
  /** Like {@link interact}, with the response body (e.g. a view_submission's `response_action`). */
  interactBody(payload: Record<string, unknown>): Promise<{ status: number; body: string }>;
  /**
   * Uses the message shortcut "Look up Astro users" on `message` as Slack user USC in #alerts
   * (or `options.channel`), and resolves with the private reply posted to the shortcut's
   * `response_url`.
   */
  shortcut(message: Record<string, unknown>, options?: { channel?: { id: string; name: string } }): Promise<Record<string, unknown>>;
  /**
   * Clicks `button` (an element of a card's actions block) on an ephemeral message in #ops, as
   * U0001 unless `options` say otherwise (`ephemeral: false`: a message everyone sees, which Slack
   * sends back as `message`); returns the HTTP status. The click's `response_url` is
   * `options.responseUrl` (default: a fresh one).
   */
  clickInMessage(button: Record<string, unknown>, options?: { userId?: string; channel?: { id: string; name: string }; responseUrl?: string; ephemeral?: boolean }): Promise<number>;
  /**
   * Runs Slack's install flow for `team` (multi-workspace mode), as a browser would:
   * `/slack/install`, then the redirect back with the code the stand-in `oauth.v2.access` takes.
   */
  install(team: string): Promise<Response>;
  /** Web API calls the app made to `method` (e.g. `views.publish`), parsed. */
  apiCalls(method: string): Record<string, unknown>[];
  /** A fresh `response_url` on the stand-in Slack. */
  newResponseUrl(): string;
  /** The JSON bodies posted to `responseUrl`, waiting for at least `n`. */
  replies(responseUrl: string, n?: number): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

let counter = 0;

/** Starts stand-ins and the app. `env` overrides the test environment. */
export async function startHarness(options: { astroHandler: StubHandler; env?: Record<string, string>; deps?: AppDeps }): Promise<TestHarness> {
  const astro = await startHttpStub(options.astroHandler);
  const slack = await startHttpStub(slackHandler());
  const env = {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: `${slack.url}/api/`,
    ASTRO_API_URL: astro.url,
    ASTRO_API_TOKEN: ASTRO_TOKEN,
    ASTRO_ORGANIZATION_ID: ORG_ID,
    STORE_URL: 'memory:',
    PORT: '0',
    LOG_LEVEL: 'debug',
    // Generous abuse limits: tests of the limits set their own.
    LOOKUPS_PER_USER_PER_MINUTE: '10000',
    LOOKUPS_PER_WORKSPACE_PER_MINUTE: '100000',
    ...options.env,
  };
  const config = loadConfig(env);
  let raw = '';
  const logs: Record<string, unknown>[] = [];
  const logWaiters = new Set<() => void>();
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const text = chunk.toString('utf8');
      raw += text;
      for (const line of text.split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      for (const w of logWaiters) w();
      cb();
    },
  });
  const log = createLogger({ level: config.logLevel, secrets: secretsOf(config), destination });
  // Names and Teams roles make extra Astro calls; tests that count GetUser calls leave them off.
  // No "Looking up…" notes unless a test asks for them (test/e2e/slow-astro.test.ts).
  const built = await createApp(config, { log, features: { names: false, teams: false }, progressAfterMs: 60_000, checkAstroTokenAtStart: false, ...options.deps });
  const { port } = await built.start();
  const url = `http://127.0.0.1:${port}`;
  const harness: TestHarness = {
    built,
    url,
    astro,
    slack,
    logs,
    rawLogs: () => raw,
    waitForLog(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = logs.find(match);
          if (!found) return;
          logWaiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          logWaiters.delete(check);
          reject(new Error(`no matching log line within ${timeoutMs} ms`));
        }, timeoutMs);
        logWaiters.add(check);
        check();
      });
    },
    async command(text, extra = {}) {
      counter += 1;
      const responseUrl = `${slack.url}/respond/${counter}`;
      const res = await postSignedForm(
        `${url}/slack/events`,
        {
          token: 'legacy-verification-token',
          team_id: 'T0001',
          team_domain: 'example',
          channel_id: 'C0001',
          channel_name: 'ops',
          user_id: 'U0001',
          user_name: 'grace',
          command: '/astro-user',
          text,
          api_app_id: 'A0001',
          response_url: responseUrl,
          trigger_id: `1.2.${counter}`,
          ...extra,
        },
        SIGNING_SECRET,
      );
      return { status: res.status, body: await res.text(), responseUrl };
    },
    async event(event, opts = {}) {
      counter += 1;
      const res = await postSignedJson(
        `${url}/slack/events`,
        {
          token: 'legacy-verification-token',
          team_id: opts.teamId ?? 'T0001',
          api_app_id: 'A0001',
          type: 'event_callback',
          event_id: opts.eventId ?? `Ev${counter}`,
          event_time: Math.floor(Date.now() / 1000),
          authorizations: [{ team_id: opts.teamId ?? 'T0001', user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
          event,
          ...opts.envelope,
        },
        SIGNING_SECRET,
        opts.headers,
      );
      await res.text();
      return res.status;
    },
    async interact(payload) {
      const res = await postSignedForm(`${url}/slack/events`, { payload: JSON.stringify(payload) }, SIGNING_SECRET);
      await res.text();
      return res.status;
    },
    async interactBody(payload) {
      const res = await postSignedForm(`${url}/slack/events`, { payload: JSON.stringify(payload) }, SIGNING_SECRET);
      return { status: res.status, body: await res.text() };
    },
    async shortcut(message, options = {}) {
      const responseUrl = harness.newResponseUrl();
      await harness.interact({
        type: 'message_action',
        callback_id: 'lookup_astro_users',
        trigger_id: '1',
        response_url: responseUrl,
        team: { id: 'T0001' },
        user: { id: 'USC' },
        channel: options.channel ?? { id: 'C0001', name: 'alerts' },
        message,
      });
      const [reply] = await harness.replies(responseUrl);
      return reply!;
    },
    clickInMessage(button, options = {}) {
      const channel = options.channel ?? { id: 'C0001', name: 'ops' };
      return harness.interact({
        type: 'block_actions',
        user: { id: options.userId ?? 'U0001', team_id: 'T0001' },
        team: { id: 'T0001' },
        channel,
        container: { type: 'message', is_ephemeral: options.ephemeral ?? true, channel_id: channel.id, message_ts: '1.1' },
        ...(options.ephemeral === false ? { message: { type: 'message', ts: '1.1', text: 'a card' } } : {}),
        response_url: options.responseUrl ?? harness.newResponseUrl(),
        actions: [{ type: 'button', action_id: button.action_id, block_id: 'card:actions', value: button.value, action_ts: '1' }],
      });
    },
    async install(team) {
      const start = await fetch(`${url}/slack/install`, { redirect: 'manual' });
      const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0]!;
      const location = start.headers.get('location') ?? (await start.text()).match(/href="([^"]+)"/)?.[1] ?? '';
      const state = new URL(location.replace(/&amp;/g, '&')).searchParams.get('state')!;
      return fetch(`${url}/slack/oauth_redirect?code=code-${team}&state=${encodeURIComponent(state)}`, { headers: { cookie } });
    },
    apiCalls(method) {
      return slack.requests.filter((r) => r.url.split('?')[0] === `/api/${method}`).map(parseWebApiBody);
    },
    newResponseUrl() {
      counter += 1;
      return `${slack.url}/respond/${counter}`;
    },
    async replies(responseUrl, n = 1) {
      const path = new URL(responseUrl).pathname;
      // 30 s: only a bound for a reply that never comes; how fast replies come is the bench's business.
      const got = await slack.waitFor(n, (r) => r.url === path, 30_000);
      return got.map((r) => JSON.parse(r.body) as Record<string, unknown>);
    },
    async close() {
      await built.stop();
      await Promise.all([astro.close(), slack.close()]);
    },
  };
  return harness;
}
