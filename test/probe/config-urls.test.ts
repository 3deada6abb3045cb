/**
 * Probe: where the Astro token is sent is decided by ASTRO_API_URL plus the user path. A base URL
 * that config accepts must keep every request on `<base>/organizations/<org>/users/<id>`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAstroClient } from '../../src/astro/client.js';
import { loadConfig } from '../../src/config.js';
import { ASTRO_TOKEN, BOT_TOKEN, ORG_ID, SIGNING_SECRET } from '../support/app.js';
import { json, startHttpStub, type HttpStub } from '../support/http-stub.js';
import { ADA } from '../support/fixtures.js';

const baseEnv = {
  SLACK_BOT_TOKEN: BOT_TOKEN,
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  ASTRO_API_TOKEN: ASTRO_TOKEN,
  ASTRO_ORGANIZATION_ID: ORG_ID,
  STORE_URL: 'memory:',
};

describe('ASTRO_API_URL', () => {
  let stub: HttpStub;
  beforeAll(async () => {
    stub = await startHttpStub((_req, res) => json(res, 200, ADA));
  });
  afterAll(async () => stub?.close());

  it.each(['http://evil.example/v1', 'https://user:pw@api.astronomer.io/v1', 'ftp://api.astronomer.io', 'javascript:alert(1)', 'not a url'])('refuses %s', (url) => {
    expect(() => loadConfig({ ...baseEnv, ASTRO_API_URL: url })).toThrow(/ASTRO_API_URL/);
  });

  // Regression: a base URL with a query or a fragment passes validation (src/config.ts:106, isSafeHttpUrl
  // checks only scheme and credentials), and the client appends the path after it
  // (src/astro/client.ts:303, `${target.apiUrl}${path}`): with `…/v1#x` every lookup, token included,
  // goes to `/v1` itself; with `…/v1?x=` the user path ends up in the query string. A pasted URL
  // with `?utm_…` or `#…` silently breaks every lookup. Fix: refuse (or strip) search and hash
  // in config, and build request URLs with `new URL(path, base)` semantics.
  it.each(['#frag', '?x='])('keeps requests on the user path with a base ending in %s, or refuses it', async (suffix) => {
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig({ ...baseEnv, ASTRO_API_URL: `${stub.url}/v1${suffix}` });
    } catch {
      return; // refusing it is fine
    }
    const before = stub.requests.length;
    await createAstroClient().getUser({ apiUrl: config.astro.apiUrl, apiToken: ASTRO_TOKEN, organizationId: ORG_ID }, ADA.id).catch(() => undefined);
    const sent = stub.requests.slice(before);
    expect(sent.map((r) => r.url)).toEqual([`/v1/organizations/${ORG_ID}/users/${ADA.id}`]);
  });
});
