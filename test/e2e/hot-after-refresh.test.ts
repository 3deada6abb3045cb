/**
 * The in-process hot results (CACHE_HOT_SECONDS, default 15 s) after a Refresh whose fresh answer
 * is not kept hot (a 404, a failed Teams call, a failed name lookup): the next plain lookup shows
 * what Refresh showed, never the older hot card. Each case runs with the default (hot on) and
 * with CACHE_HOT_SECONDS=0, which must behave alike.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { allText } from '../support/block-kit.js';
import { startHarness, type TestHarness } from '../support/app.js';
import { json, type RecordedRequest } from '../support/http-stub.js';
import { ADA } from '../support/fixtures.js';
import type { ServerResponse } from 'node:http';
import { sleep } from '../support/sleep.js';


interface AstroState {
  fullName: string;
  gone: boolean;
  teamsStatus: number;
  namesStatus: number;
  /** An extra workspace role (a workspace whose name is not cached yet). */
  extraWs?: string;
}

function astroHandler(s: AstroState) {
  return (req: RecordedRequest, res: ServerResponse) => {
    const p = req.url.split('?')[0]!;
    if (/\/users\/[^/]+\/teams$/.test(p)) {
      if (s.teamsStatus !== 200) return json(res, s.teamsStatus, { message: 'no', requestId: 'rt', statusCode: s.teamsStatus });
      return json(res, 200, { teams: [], totalCount: 0, offset: 0, limit: 100 });
    }
    if (/\/workspaces$/.test(p)) {
      if (s.namesStatus !== 200) return json(res, s.namesStatus, { message: 'no', requestId: 'rn', statusCode: s.namesStatus });
      return json(res, 200, { workspaces: ADA.workspaceRoles.map((r) => ({ id: r.workspaceId, name: `WS ${r.workspaceId.slice(-4)}` })), totalCount: 2, offset: 0, limit: 100 });
    }
    if (/\/deployments$/.test(p)) {
      if (s.namesStatus !== 200) return json(res, s.namesStatus, { message: 'no', requestId: 'rn', statusCode: s.namesStatus });
      return json(res, 200, { deployments: [], totalCount: 0, offset: 0, limit: 100 });
    }
    if (p.endsWith(`/users/${ADA.id}`)) {
      if (s.gone) return json(res, 404, { message: 'not found', requestId: 'req-gone', statusCode: 404 });
      return json(res, 200, { ...ADA, fullName: s.fullName, workspaceRoles: [...ADA.workspaceRoles, ...(s.extraWs ? [{ workspaceId: s.extraWs, role: 'WORKSPACE_MEMBER' }] : [])] });
    }
    return json(res, 404, { message: 'not found', requestId: 'r', statusCode: 404 });
  };
}

async function clickRefresh(h: TestHarness, reply: Record<string, unknown>): Promise<Record<string, unknown>> {
  const refresh = (reply.blocks as { type: string; elements?: Record<string, unknown>[] }[]).find((b) => b.type === 'actions')!.elements![0]!;
  const responseUrl = h.newResponseUrl();
  await h.clickInMessage(refresh, { responseUrl });
  return (await h.replies(responseUrl))[0]!;
}

async function command(h: TestHarness): Promise<Record<string, unknown>> {
  const r = await h.command(ADA.id);
  return (await h.replies(r.responseUrl))[0]!;
}

let h: TestHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

for (const hotSeconds of ['15', '0']) {
  describe(`CACHE_HOT_SECONDS=${hotSeconds}`, () => {
    it('after a Refresh finds the user gone (404), the next /astro-user says not found, not the old card', async () => {
      const s: AstroState = { fullName: 'Ada Before', gone: false, teamsStatus: 200, namesStatus: 200 };
      h = await startHarness({ astroHandler: astroHandler(s), env: { CACHE_HOT_SECONDS: hotSeconds } });
      const first = await command(h);
      expect(allText(first.blocks)).toContain('Ada Before');
      s.gone = true;
      const refreshed = await clickRefresh(h, first);
      expect(allText(refreshed)).not.toContain('Ada Before');
      await sleep(50);
      const again = await command(h);
      // What the user saw on Refresh a moment ago ("no such user") must not be contradicted.
      expect(allText(again)).not.toContain('Ada Before');
    });

    it('after a Refresh finds the user gone (404), App Home does not show the old card', async () => {
      const s: AstroState = { fullName: 'Ada Before', gone: false, teamsStatus: 200, namesStatus: 200 };
      h = await startHarness({ astroHandler: astroHandler(s), env: { CACHE_HOT_SECONDS: hotSeconds } });
      const first = await command(h);
      s.gone = true;
      await clickRefresh(h, first);
      await sleep(50);
      const before = h.apiCalls('views.publish').length;
      await h.event({ type: 'app_home_opened', user: 'U0001', channel: 'D1', tab: 'home', event_ts: '1.2' });
      await h.slack.waitFor(before + 1, (r) => r.url === '/api/views.publish');
      const view = h.apiCalls('views.publish').at(-1)!.view as { blocks: { type: string; text?: { text?: string } }[] };
      // The recent-lookups list may still name her; the card (its header) must not be shown.
      const headers = view.blocks.filter((b) => b.type === 'header').map((b) => b.text?.text);
      expect(headers).not.toContain('Ada Before');
    });

    it('after a Refresh whose Teams call failed, the next /astro-user does not go back to the pre-Refresh data', async () => {
      const s: AstroState = { fullName: 'Ada Before', gone: false, teamsStatus: 200, namesStatus: 200 };
      h = await startHarness({ astroHandler: astroHandler(s), env: { CACHE_HOT_SECONDS: hotSeconds }, deps: { features: { names: false, teams: true } } });
      const first = await command(h);
      expect(allText(first.blocks)).toContain('Ada Before');
      s.fullName = 'Ada After';
      s.teamsStatus = 500;
      const refreshed = await clickRefresh(h, first);
      expect(allText(refreshed)).toContain('Ada After');
      await sleep(50);
      const again = await command(h);
      expect(allText(again)).toContain('Ada After');
    });

    it('after a Refresh whose name lookup failed, the next /astro-user does not go back to the pre-Refresh data', async () => {
      const s: AstroState = { fullName: 'Ada Before', gone: false, teamsStatus: 200, namesStatus: 200 };
      h = await startHarness({ astroHandler: astroHandler(s), env: { CACHE_HOT_SECONDS: hotSeconds }, deps: { features: { names: true, teams: false } } });
      const first = await command(h);
      expect(allText(first.blocks)).toContain('Ada Before');
      s.fullName = 'Ada After';
      s.namesStatus = 403;
      s.extraWs = 'clx1ws00000099abcdefghijk';
      const refreshed = await clickRefresh(h, first);
      expect(allText(refreshed)).toContain('Ada After');
      await sleep(50);
      const again = await command(h);
      expect(allText(again)).toContain('Ada After');
    });
  });
}
