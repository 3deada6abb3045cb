/**
 * stop() and SIGTERM with response_url posts in flight: stop(graceMs) waits at most graceMs for
 * the work in flight, then aborts posts that still hang, so the process exits 0 before index.ts's
 * forced exit (code 1 after 10 s).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASTRO_TOKEN, BOT_TOKEN, ORG_ID, SIGNING_SECRET, slackHandler, startHarness } from '../support/app.js';
import { ADA } from '../support/fixtures.js';
import { json, startHttpStub } from '../support/http-stub.js';
import { freePort } from '../support/prism.js';
import { postSignedForm } from '../support/signing.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The built entry (npm test builds dist/ first). */
const ENTRY = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

describe('shutdown with response_url posts in flight', () => {
  const cleanup: (() => Promise<unknown> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it('stop(300) returns about 300 ms after a command whose response_url never answers', async () => {
    const h = await startHarness({ astroHandler: (_req, res) => json(res, 200, ADA) });
    h.slack.setHandler(slackHandler({}));
    h.slack.setHandler((req, res) => {
      if (req.url.startsWith('/respond/')) return; // never answers
      return slackHandler()(req, res);
    });
    const r = h.command(ADA.id);
    await h.slack.waitFor(1, (x) => x.url.startsWith('/respond/'));
    const started = Date.now();
    await h.built.stop(300);
    const took = Date.now() - started;
    await r;
    await Promise.all([h.astro.close(), h.slack.close()]);
    expect(took).toBeLessThan(1500);
  });

  it('SIGTERM while a slow lookup (7.5 s) is about to reply to a slow response_url: exits 0 within 10 s', async () => {
    const slack = await startHttpStub((req, res) => {
      if (req.url.startsWith('/respond/')) return; // Slack's hooks hang (an incident)
      return slackHandler()(req, res);
    });
    const astro = await startHttpStub(async (_req, res) => {
      await sleep(7500);
      json(res, 200, ADA);
    });
    cleanup.push(() => slack.close(), () => astro.close());
    const port = await freePort();
    const cwd = mkdtempSync(join(tmpdir(), 'au-brk-proc-'));
    const child = spawn(process.execPath, [ENTRY], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '', PORT: String(port), STORE_URL: `sqlite://${join(cwd, 'store.sqlite')}`,
        SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: `${slack.url}/api/`,
        ASTRO_API_URL: astro.url, ASTRO_API_TOKEN: ASTRO_TOKEN, ASTRO_ORGANIZATION_ID: ORG_ID, LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanup.push(() => void child.kill('SIGKILL'));
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 200; i++) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) break;
      } catch {
        /* not up */
      }
      await sleep(100);
    }
    const res = await postSignedForm(
      `${url}/slack/events`,
      { command: '/astro-user', text: ADA.id, team_id: 'T0001', user_id: 'U0001', channel_id: 'C0001', channel_name: 'ops', response_url: `${slack.url}/respond/1`, trigger_id: '1.2.3' },
      SIGNING_SECRET,
    );
    expect(res.status).toBe(200);
    await sleep(200);
    const started = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    const took = Date.now() - started;
    console.log(`exit code ${code} after ${took} ms; respond posts seen: ${slack.requests.filter((r) => r.url.startsWith('/respond/')).length}`);
    expect(code, out.split('\n').slice(-6).join('\n')).toBe(0);
    expect(took).toBeLessThan(10_000);
  }, 30_000);
});
