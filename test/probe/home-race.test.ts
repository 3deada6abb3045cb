/**
 * Probe: App Home with a stand-in Slack that enforces `views.publish` hashes as Slack does (a
 * publish carrying a hash other than the current view's fails with hash_conflict). The Home tab
 * must end up showing what the person asked for last, whatever order the lookups finish in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type TestHarness } from '../support/app.js';
import { json } from '../support/http-stub.js';
import { ADA } from '../support/fixtures.js';
import { cid, expectNoSecretLeak, expectSlackPayloadsSafe, homeAction } from './probe-support.js';
import { slackHandler } from '../support/app.js';

const SLOW = cid('slowuser');
const FAST = cid('fastuser');

describe('App Home when lookups finish out of order', () => {
  let h: TestHarness;
  /** The current view hash per Slack user, as Slack keeps it. */
  const current = new Map<string, string>();
  /** The view Slack shows now, per Slack user. */
  const shown = new Map<string, string>();
  let n = 0;
  /** Lets the held answer for SLOW go. */
  let releaseSlow = () => undefined as void;
  const slowHeld = new Promise<void>((r) => (releaseSlow = r));

  beforeAll(async () => {
    h = await startHarness({
      astroHandler: (req, res) => {
        const id = /\/users\/([^/?]+)$/.exec(req.url)?.[1] ?? '';
        if (id === SLOW) {
          void slowHeld.then(() => json(res, 200, { ...ADA, id: SLOW, fullName: 'Slow Sam' }));
          return;
        }
        if (id === FAST) return json(res, 200, { ...ADA, id: FAST, fullName: 'Fast Fay' });
        return json(res, 404, { message: 'nf', statusCode: 404 });
      },
    });
    h.slack.setHandler(
      slackHandler({
        '/api/views.publish': (req, res) => {
          const form = new URLSearchParams(req.body);
          const user = form.get('user_id') ?? '';
          const hash = form.get('hash');
          if (hash && hash !== current.get(user)) return json(res, 200, { ok: false, error: 'hash_conflict' });
          const next = `h${++n}`;
          current.set(user, next);
          shown.set(user, form.get('view') ?? '');
          return json(res, 200, { ok: true, view: { id: 'V1', hash: next } });
        },
      }),
    );
  });
  afterAll(async () => {
    releaseSlow();
    await h?.close();
  });

  const typeAndEnter = (user: string, id: string) =>
    h.interact(homeAction(user, { type: 'plain_text_input', action_id: 'home_query_input', block_id: 'home_query', value: id }, { hash: current.get(user) ?? 'h0' }));

  // Regression: a slower lookup overwrites the card of a newer one. After a hash_conflict, publishHome
  // (src/slack/home.ts:40-50) re-renders with the same `state()` closure, which still carries the
  // slow request's own result (src/slack/listeners/actions/home.ts:33,45, showInHome passes
  // `{ result }` fixed), and publishes it without a hash: the person typed FAST last, saw Fast
  // Fay's card, and then it is replaced by Slow Sam's. The hash exists to prevent exactly this.
  // Fix: on hash_conflict from a result publish, drop it (or re-publish only if this request is
  // still the newest for that user, e.g. a per-user sequence number in the store/private_metadata).
  it('shows the card of the last ID typed, not of a slower earlier one', async () => {
    current.set('URACE', 'h0');
    await typeAndEnter('URACE', SLOW);
    await h.slack.waitFor(1, (r) => r.url === '/api/views.publish' && r.body.includes('Looking'));
    await h.astro.waitFor(1, (r) => r.url.endsWith(SLOW)); // the slow lookup is waiting for Astro
    await typeAndEnter('URACE', FAST);
    await h.slack.waitFor(1, (r) => r.url === '/api/views.publish' && r.body.includes('Fast%20Fay'));
    const cardOnShow = () => JSON.parse((JSON.parse(shown.get('URACE')!) as { private_metadata: string }).private_metadata) as { u?: string };
    expect(cardOnShow().u).toBe(FAST);
    releaseSlow(); // the slow lookup finishes now…
    await h.built.stop(); // …and stop() returns once the work of every request is done
    expect(h.astro.requests.filter((r) => r.url.endsWith(SLOW))).toHaveLength(1);
    expect(cardOnShow().u).toBe(FAST);
  });

  it('payloads stay valid and no secret leaks', () => {
    expectSlackPayloadsSafe(h, []);
    expectNoSecretLeak(h);
  });
});
