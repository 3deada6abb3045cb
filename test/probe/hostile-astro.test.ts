/**
 * Probe: a hostile or failing Astro API, end to end over signed HTTP. Whatever Astro answers (or
 * does not), every surface must answer, by the lookup deadline, with valid Block Kit, never ping a channel or a
 * user from Astro data, never follow a redirect with the token, and never log a secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import { createAstroClient } from '../../src/astro/client.js';
import { ORG_ID, startHarness, type TestHarness } from '../support/app.js';
import { json, startHttpStub, type HttpStub, type RecordedRequest } from '../support/http-stub.js';
import { ADA } from '../support/fixtures.js';
import { cid, expectNoSecretLeak, expectSlackPayloadsSafe, homeAction, lastHomeView, sleep, slackPayloads, slackWith } from './probe-support.js';

const METRICS = 'probe-metrics-token-0123456789';

type Behaviour = (req: RecordedRequest, res: ServerResponse) => void;

const PINGS = '<!channel> <!here> <!everyone> <@U0BOSS> <!subteam^S1|@admins> <#C0GEN|general>';
const MRKDWN = '*bold* _it_ ~strike~ `code` ```block``` > quote';
const LINK = '<https://evil.example/phish|click here> <mailto:x@evil.example|mail>';
const HOSTILE_TEXT = `${PINGS} ${MRKDWN} ${LINK} &lt;!channel&gt; &amp; \n second line \u0000 \u202E rtl`;
const role = (i: number) => `${PINGS} role ${i}`;

const ids = {
  hostile: cid('hostile'),
  empty: cid('empty'),
  hugeName: cid('hugename'),
  manyRoles: cid('manyroles'),
  wrongTypes: cid('wrongtypes'),
  otherId: cid('otherid'),
  requiredWrong: cid('reqwrong'),
  nullName: cid('nullname'),
  arrayBody: cid('arraybody'),
  html: cid('html'),
  htmlJson: cid('htmljson'),
  avatarJs: cid('avatarjs'),
  avatarHttp: cid('avatarhttp'),
  avatarLong: cid('avatarlong'),
  avatarCreds: cid('avatarcreds'),
  avatarAngle: cid('avatarangle'),
  redirect: cid('redirect'),
  gzip: cid('gzip'),
  tooBigDeclared: cid('bigdeclared'),
  tooBigChunked: cid('bigchunked'),
  r429: cid('ratelimit'),
  r429ra1: cid('ratelimitra1'),
  r429ra: cid('ratelimitra'),
  r500: cid('status500'),
  r503: cid('status503'),
  r401: cid('status401'),
  r403: cid('status403'),
  r400: cid('status400'),
  neverEnds: cid('neverends'),
  drip: cid('drip'),
  hang: cid('hang'),
  reset: cid('reset'),
};

const hostileUser = {
  id: ids.hostile,
  username: `${PINGS}@example.com`,
  fullName: HOSTILE_TEXT,
  status: '<!channel> NEW_STATUS',
  avatarUrl: 'https://avatars.example.com/a.png',
  createdAt: `garbage ${PINGS}`,
  updatedAt: '+099999-01-01T00:00:00Z',
  organizationRole: `<@U0BOSS|boss> ${MRKDWN}`,
  workspaceRoles: Array.from({ length: 40 }, (_, i) => ({ workspaceId: `${PINGS}\`${i}`, role: role(i) })),
  deploymentRoles: Array.from({ length: 40 }, (_, i) => ({ deploymentId: `<!here>${i}`, role: `${LINK} ${i}` })),
  dagRoles: [
    { deploymentId: '<!channel>', role: 'DAG_VIEWER', dagId: '`<!here>`', dagTag: '<@U0BOSS>' },
    { deploymentId: 'd', role: '<!everyone>' },
    { deploymentId: 'd', role: 'x', dagId: '', dagTag: '' },
  ],
};

const avatarUser = (id: string, avatarUrl: string) => ({ ...ADA, id, avatarUrl });
const BAD_AVATARS = ['javascript:alert(1)', 'http://avatars.example.com/a.png', `https://avatars.example.com/${'a'.repeat(5000)}.png`, 'https://user:pass@avatars.example.com/a.png', 'https://avatars.example.com/<!channel>|x.png'];

describe('hostile and failing Astro answers, end to end', () => {
  let h: TestHarness;
  let evil: HttpStub;
  const behaviours: Record<string, Behaviour> = {};

  beforeAll(async () => {
    evil = await startHttpStub((_req, res) => json(res, 200, ADA));
    Object.assign(behaviours, {
      [ids.hostile]: (_q, res) => json(res, 200, hostileUser),
      [ids.empty]: (_q, res) => json(res, 200, { ...ADA, id: ids.empty, fullName: '', username: '', status: '', organizationRole: '', workspaceRoles: [], deploymentRoles: null, dagRoles: undefined }),
      [ids.hugeName]: (_q, res) => json(res, 200, { ...ADA, id: ids.hugeName, fullName: '<!channel>'.repeat(100_000), username: 'x'.repeat(100_000) }),
      [ids.manyRoles]: (_q, res) =>
        json(res, 200, {
          ...ADA,
          id: ids.manyRoles,
          workspaceRoles: Array.from({ length: 5000 }, (_, i) => ({ workspaceId: `w${i}`, role: i % 2 ? 'WORKSPACE_OPERATOR' : '<!here>' })),
          deploymentRoles: Array.from({ length: 5000 }, (_, i) => ({ deploymentId: `d${i}`, role: 'DEPLOYMENT_ADMIN' })),
          dagRoles: Array.from({ length: 5000 }, (_, i) => ({ deploymentId: `d${i}`, role: 'DAG_VIEWER', ...(i % 3 ? { dagId: `g${i}` } : {}) })),
        }),
      [ids.wrongTypes]: (_q, res) =>
        json(res, 200, {
          ...ADA,
          id: ids.wrongTypes,
          avatarUrl: 5,
          createdAt: [],
          updatedAt: { at: 1 },
          organizationRole: null,
          status: 'SUSPENDED_BY_ROBOTS',
          workspaceRoles: 'not an array',
          deploymentRoles: { a: 1 },
          dagRoles: [null, 1, 'x', {}, { deploymentId: 'd', role: 'r' }, { deploymentId: 7, role: [] }],
        }),
      [ids.otherId]: (_q, res) => json(res, 200, { ...ADA, id: '<!channel> not the asked ID', fullName: '' , username: '' }),
      [ids.requiredWrong]: (_q, res) => json(res, 200, { ...ADA, id: ids.requiredWrong, fullName: 42, username: ['a'] }),
      [ids.nullName]: (_q, res) => json(res, 200, { ...ADA, id: ids.nullName, fullName: null }),
      [ids.arrayBody]: (_q, res) => json(res, 200, [ADA]),
      [ids.html]: (_q, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body><!channel> maintenance</body></html>');
      },
      [ids.htmlJson]: (_q, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(JSON.stringify({ ...ADA, id: ids.htmlJson }));
      },
      [ids.avatarJs]: (_q, res) => json(res, 200, avatarUser(ids.avatarJs, BAD_AVATARS[0]!)),
      [ids.avatarHttp]: (_q, res) => json(res, 200, avatarUser(ids.avatarHttp, BAD_AVATARS[1]!)),
      [ids.avatarLong]: (_q, res) => json(res, 200, avatarUser(ids.avatarLong, BAD_AVATARS[2]!)),
      [ids.avatarCreds]: (_q, res) => json(res, 200, avatarUser(ids.avatarCreds, BAD_AVATARS[3]!)),
      [ids.avatarAngle]: (_q, res) => json(res, 200, avatarUser(ids.avatarAngle, BAD_AVATARS[4]!)),
      [ids.redirect]: (_q, res) => {
        res.writeHead(302, { location: `${evil.url}/steal/organizations/${ORG_ID}/users/${ids.redirect}` });
        res.end();
      },
      [ids.gzip]: (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(Buffer.from('\x1f\x8b\x08\x00 this is not gzip at all'));
      },
      [ids.tooBigDeclared]: (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) });
        res.write('{"id":"');
        setTimeout(() => res.destroy(), 6000).unref();
      },
      [ids.tooBigChunked]: (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ...ADA, id: ids.tooBigChunked, fullName: 'x'.repeat(3 * 1024 * 1024) }));
      },
      [ids.r429]: (_q, res) => json(res, 429, { message: 'slow down', requestId: 'req-429', statusCode: 429 }),
      [ids.r429ra1]: (_q, res) => json(res, 429, { message: 'slow down', statusCode: 429 }, { 'retry-after': '1' }),
      [ids.r429ra]: (_q, res) => json(res, 429, { message: 'slow down', statusCode: 429 }, { 'retry-after': '99999' }),
      [ids.r500]: (_q, res) => json(res, 500, { message: 'boom', requestId: '<!channel>', statusCode: 500 }),
      [ids.r503]: (_q, res) => {
        res.writeHead(503, { 'content-type': 'text/html', 'retry-after': 'Wed, 21 Oct 2099 07:28:00 GMT' });
        res.end('<html>down</html>');
      },
      [ids.r401]: (_q, res) => json(res, 401, { message: 'bad token', requestId: 'req-401', statusCode: 401 }),
      [ids.r403]: (_q, res) => json(res, 403, { message: 'forbidden', requestId: 'req-403', statusCode: 403 }),
      [ids.r400]: (_q, res) => json(res, 400, { message: `${PINGS}`.repeat(500), requestId: 'x'.repeat(129), statusCode: 400 }),
      [ids.neverEnds]: (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"id":"');
      },
      [ids.drip]: (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(' ')), 200);
        t.unref();
      },
      [ids.hang]: () => undefined,
      [ids.reset]: (_q, res) => res.socket?.destroy(),
    } satisfies Record<string, Behaviour>);
    h = await startHarness({
      // One breaker and one request budget per token: with the defaults, the faults below would
      // open the breaker (every later answer "unavailable") and queue behind each other's retries.
      // Both have their own tests (test/astro/policy.test.ts). Short timings (each attempt 1.5 s,
      // the lookup 8 s): the hanging answers end in "in time" within a few seconds, while reading
      // and drawing a 1 MB name stays far from the deadline on a busy machine (the production
      // timings have their own test in test/e2e/faults.test.ts).
      deps: { astro: createAstroClient({ requestTimeoutMs: 1500, listRequestTimeoutMs: 1500 }), policy: { breakerThreshold: 10_000, requestsPerSecond: 1000 }, lookupDeadlineMs: 8000 },
      env: { METRICS_TOKEN: METRICS },
      astroHandler: (req, res) => {
        const m = /^\/organizations\/([^/]+)\/users\/([^/?#]+)$/.exec(req.url);
        const b = m ? behaviours[m[2]!] : undefined;
        if (b) return b(req, res);
        return json(res, 404, { message: 'not found', requestId: 'req-nf', statusCode: 404 });
      },
    });
    h.slack.setHandler(slackWith());
  });
  afterAll(async () => {
    await h?.close();
    await evil?.close();
  });

  // How fast replies come is the benchmark's business (bench/); here: hanging answers are cut at
  // the lookup deadline ("in time" below), and every answer, however odd, ends in words.
  it('answers every Astro answer and fault through the response_url, in words', async () => {
    const results = await Promise.all(
      Object.entries(ids).map(async ([name, id]) => {
        const r = await h.command(id);
        expect(r.status).toBe(200);
        const [reply] = await h.replies(r.responseUrl, 1);
        return { name, reply: reply! };
      }),
    );
    for (const { name, reply } of results) {
      expect(reply.response_type, name).toBe('ephemeral');
      const text = String(reply.text);
      expect(text.length, name).toBeGreaterThan(0);
      // No internals: no stack, no status line, no "undefined", no raw error body.
      expect(text, name).not.toMatch(/undefined|Error:|at \w+ \(|slow down|boom|bad token/);
    }
    const byName = Object.fromEntries(results.map((r) => [r.name, String(r.reply.text)]));
    expect(byName.r429).toMatch(/busy/);
    expect(byName.r429ra).toMatch(/busy/);
    expect(byName.r500).toMatch(/unavailable/);
    expect(byName.r503).toMatch(/unavailable/);
    expect(byName.r401).toMatch(/refused/);
    expect(byName.r403).toMatch(/permission/);
    expect(byName.hang).toMatch(/in time/);
    expect(byName.neverEnds).toMatch(/in time/);
    expect(byName.drip).toMatch(/in time/);
    expect(byName.redirect).toMatch(/unavailable|could not read|refused/);
    expect(byName.arrayBody).toMatch(/could not read/);
    expect(byName.html).toMatch(/could not read/);
    expect(byName.tooBigChunked).toMatch(/could not read/);
    expect(byName.tooBigDeclared).toMatch(/could not read/);
    // Cards that should render despite odd data.
    for (const n of ['hostile', 'empty', 'hugeName', 'manyRoles', 'wrongTypes', 'htmlJson', 'avatarJs', 'avatarHttp', 'avatarLong', 'avatarCreds', 'avatarAngle']) {
      expect(byName[n], n).toMatch(/^Astro user /);
    }
  }, 60_000);

  it('never follows a redirect: the token reaches no other host', () => {
    expect(evil.requests).toHaveLength(0);
  });

  it('sends Slack no avatar URL that is not a plain public https URL', () => {
    const urls: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (typeof o.image_url === 'string') urls.push(o.image_url);
        Object.values(o).forEach(walk);
      }
    };
    for (const p of slackPayloads(h)) walk(p.payload);
    expect(urls.length).toBeGreaterThan(0); // the well-formed avatars are shown: the loop below checks something
    for (const u of urls) {
      expect(u).toMatch(/^https:\/\/[^/@\s<>|]+\//);
      expect(u.length).toBeLessThanOrEqual(3000);
    }
    for (const bad of BAD_AVATARS) expect(urls).not.toContain(bad);
  });

  it('shows the hostile user as text: a thread answer with five hostile users stays valid and ping-free', async () => {
    const before = h.apiCalls('chat.postMessage').length;
    const text = `<@UBOT> ${[ids.hostile, ids.hugeName, ids.manyRoles, ids.wrongTypes, ids.otherId, ids.empty, ids.r500].join(' ')} <!channel>`;
    await h.event({ type: 'app_mention', user: 'UASK1', channel: 'COPS', text, ts: '1700000000.000100', event_ts: '1700000000.000100' });
    await h.slack.waitFor(before + 1, (r) => r.url === '/api/chat.postMessage');
    const call = h.apiCalls('chat.postMessage').at(-1)!;
    expect(call.blocks).toBeDefined();
    expect(JSON.stringify(call.blocks)).toContain('asked by <@UASK1>');
    expect(JSON.stringify(call.blocks)).toContain('…and 2 more Astro user IDs');
  });

  it('the message shortcut on a hostile message answers privately, valid and ping-free', async () => {
    const reply = await h.shortcut(
      { type: 'message', ts: '1.1', text: `${PINGS} ${ids.hostile} ${ids.hugeName}`, attachments: [{ text: ids.manyRoles }], blocks: [{ type: 'section', text: { type: 'mrkdwn', text: ids.wrongTypes } }] },
      { channel: { id: 'C0001', name: '<!channel>' } },
    );
    expect(reply!.blocks).toBeDefined();
    // The confirm dialog names a safe audience, not the forged channel name.
    expect(JSON.stringify(reply!.blocks)).toContain('Everyone in this conversation will see');
  });

  it('App Home shows hostile and huge users as valid views', async () => {
    for (const [user, id] of [['UH1', ids.hostile], ['UH2', ids.hugeName], ['UH3', ids.manyRoles], ['UH4', ids.wrongTypes]] as const) {
      const before = h.apiCalls('views.publish').length;
      await h.interact(homeAction(user, { type: 'plain_text_input', action_id: 'home_query_input', block_id: 'home_query', value: id }));
      await h.slack.waitFor(before + 2, (r) => r.url === '/api/views.publish');
      const view = lastHomeView(h, user)!;
      expect(JSON.stringify(view)).toContain('home:card:head');
    }
  });

  it('Share posts a hostile card to the channel without pinging anyone but naming the sharer', async () => {
    const responseUrl = h.newResponseUrl();
    await h.interact({
      type: 'block_actions',
      user: { id: 'USHARE', team_id: 'T0001' },
      team: { id: 'T0001' },
      channel: { id: 'C0001', name: 'ops' },
      container: { type: 'message', is_ephemeral: true },
      response_url: responseUrl,
      actions: [{ type: 'button', action_id: 'card_share', block_id: 'card:actions', value: `v1|${ids.hostile}|private||${ids.hostile}`, action_ts: '1' }],
    });
    const [shared] = await h.replies(responseUrl);
    expect(shared!.response_type).toBe('in_channel');
    expect(JSON.stringify(shared!.blocks)).toContain('shared by <@USHARE>');
  });

  it('every payload Slack received is valid Block Kit with no ping or link from Astro data', async () => {
    await sleep(200);
    expectSlackPayloadsSafe(h, ['UASK1', 'USHARE']);
  });

  it('/metrics and /healthz carry no ID, no Astro data and no secret after all that traffic', async () => {
    expect((await fetch(`${h.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${METRICS}x` } })).status).toBe(401);
    const res = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${METRICS}` } });
    expect(res.status).toBe(200);
    const text = await res.text() + (await (await fetch(`${h.url}/healthz`)).text());
    for (const id of Object.values(ids)) expect(text).not.toContain(id);
    for (const s of ['<!channel>', 'UASK1', 'USHARE', 'T0001', ORG_ID, METRICS]) expect(text).not.toContain(s);
    // Label values stay few: no free text from Astro or Slack.
    const labels = new Set([...text.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]));
    expect(labels.size).toBeLessThan(200);
  });

  it('called Astro only at the user path, and leaked no secret', () => {
    for (const r of h.astro.requests) {
      expect(r.method).toBe('GET');
      expect(r.url).toMatch(new RegExp(`^/organizations/${ORG_ID}/users/c[0-9a-z]{24}$`));
    }
    expectNoSecretLeak(h);
  });
});
