/**
 * Unfurls as a use case, against hostile posts: a message with 100 links, a guest posting an Astro
 * link, a conversation Slack will not describe. An unfurl is public: it carries counts, never people.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_UNFURLS_PER_MESSAGE, unfurlLinks } from '../../src/app/unfurl.js';
import { accessOrg, DATA, ETL_DEV, ETL_PROD, WEB, WEB_ETL_PROD } from '../support/access-org.js';
import { useCaseWorld, type UseCaseWorld } from '../support/use-cases.js';

const UI = 'https://cloud.astronomer.io';
const poster = { kind: 'person', slackUserId: 'U0POSTER' } as const;
let w: UseCaseWorld;

beforeEach(async () => {
  w = await useCaseWorld({}, { org: accessOrg() });
  w.slack.channels = { C0OPS: false, C0CONNECT: true };
});
afterEach(() => w.close());

const unfurl = (urls: string[], channel = 'C0OPS', inSharedChannel = false) => unfurlLinks(w.services, { ...w.ctx(poster, 'unfurl'), visibility: 'channel' }, { urls, channel, inSharedChannel });

describe('unfurling Astro links', () => {
  it('unfurls at most three links of a message of 100, with one abuse-limit point each, and names no one', async () => {
    const astro = [`${UI}/${DATA}/deployments/${ETL_PROD}`, `${UI}/${DATA}/deployments/${ETL_DEV}`, `${UI}/${WEB}/deployments/${WEB_ETL_PROD}`, `${UI}/${DATA}`];
    const urls = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? astro[i % astro.length]! : i % 3 === 1 ? `https://evil.example/${DATA}/deployments/${ETL_PROD}?${i}` : `${UI}/settings/${i}`));
    const out = await unfurl(urls);
    expect(out.size).toBe(MAX_UNFURLS_PER_MESSAGE);
    expect(w.takes).toHaveLength(MAX_UNFURLS_PER_MESSAGE);
    const text = JSON.stringify([...out.values()]);
    expect(text).not.toMatch(/@example\.com|Olga|Oscar|Ada Admin/);
    expect(out.get(astro[0]!)?.counts).toEqual({ people: 7, teams: 1, tokens: 2 });
  });

  it('unfurls nothing, and asks Astro nothing, for a guest, in a Slack Connect channel, or where Slack will not say', async () => {
    const link = `${UI}/${DATA}/deployments/${ETL_PROD}`;
    expect((await unfurl([link], 'C0CONNECT')).size).toBe(0);
    expect((await unfurl([link], 'C0OPS', true)).size).toBe(0);
    expect((await unfurl([link], 'D0UNKNOWN')).size).toBe(0);
    w.slack.people.U0POSTER = { isGuest: true };
    expect((await unfurl([link])).size).toBe(0);
    expect(w.astro.requests).toHaveLength(0);
  });
});
