/**
 * Contract test: the app against Prism serving Astro's official v1 spec. Prism checks that our
 * GetUser request matches the spec (path, Bearer auth); its static mode answers with the spec's
 * example, its dynamic mode with random spec-valid data, and every reply must still be a valid
 * Block Kit card, whatever nonsense the fields hold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAstroClient } from '../../src/astro/client.js';
import { allText, expectValidBlockKit } from '../support/block-kit.js';
import { startHarness, type TestHarness } from '../support/app.js';
import { sharedPrism, type PrismMock } from '../support/prism.js';

const cuid = (i: number) => `c${i.toString(36).padStart(24, '0')}`;

describe('against Prism serving the official Astro v1 spec', () => {
  let prism: PrismMock;
  let staticApp: TestHarness;
  let dynamicApp: TestHarness;

  beforeAll(async () => {
    prism = await sharedPrism();
    // The contract, not the timing: Prism makes up random users slowly on a busy machine, so the
    // lookups get a long deadline and per-request timeout instead of the production 8 s and 4 s.
    const deps = { astro: createAstroClient({ requestTimeoutMs: 30_000 }), lookupDeadlineMs: 40_000 };
    staticApp = await startHarness({ astroHandler: () => undefined, env: { ASTRO_API_URL: prism.url }, deps });
    dynamicApp = await startHarness({ astroHandler: () => undefined, env: { ASTRO_API_URL: prism.dynamicUrl }, deps });
  }, 90_000);

  afterAll(async () => {
    await Promise.all([staticApp?.close(), dynamicApp?.close()]);
    await prism?.close();
  });

  it('renders the spec example (static mode) and sends a request the spec accepts', async () => {
    const r = await staticApp.command('clm9sq6s0000008kz7uvl7yz7');
    const [reply] = await staticApp.replies(r.responseUrl);
    expectValidBlockKit(reply as { blocks: unknown[]; text: string });
    const shown = allText(reply!.blocks);
    expect(shown).toContain('Jane Doe');
    expect(shown).toContain('user1@company.com');
    expect(shown).toContain('Organization Owner');
    expect(shown).toContain('Workspace Owner');
    expect(shown).toContain('Deployment Admin');
    expect(shown).toContain('DAG Viewer');
    expect(shown).toContain('my_dag');
    expect(prism.output()).not.toMatch(/Violation/);
  });

  it('renders valid Block Kit for 40 random spec-valid users (dynamic mode)', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => cuid(1000 + i));
    const sent = await Promise.all(ids.map((id) => dynamicApp.command(id)));
    for (const s of sent) {
      const [reply] = await dynamicApp.replies(s.responseUrl);
      expect(reply!.response_type).toBe('ephemeral');
      expectValidBlockKit(reply as { blocks: unknown[]; text: string });
      // A card, not an error: the header block comes first.
      expect((reply!.blocks as { type: string }[])[0]!.type).toBe('header');
    }
    expect(prism.output()).not.toMatch(/Violation/);
  }, 60_000);
});
