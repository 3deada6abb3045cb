/**
 * Per-step CPU cost of one cached slash-command lookup in astro-user, measured in-process on the
 * BUILT modules (dist/). Each step runs in a bounded loop and reports µs per call; it explains the
 * gap the end-to-end bench measures against bare Bolt. Run: node bench/micro.mjs (after a build;
 * BENCH_DIST=<dir> measures another build). `npm run bench -- --profile` runs it too.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { adaLike } from './lib/standins.mjs';

/** The build to measure: BENCH_DIST, else ../dist. */
const DIST = process.env.BENCH_DIST ?? new URL('../dist', import.meta.url).pathname;
const load = (rel) => import(pathToFileURL(join(DIST, rel)).href);
const { createLookup } = await load('lookup/lookup.js');
const { createRecentLookups } = await load('lookup/recent.js');
const { createThrottle } = await load('lookup/throttle.js');
const { createLogger } = await load('logger.js');
const { createMetrics } = await load('metrics.js');
const { renderCards } = await load('slack/views/cards.js');
const { createCardRefs } = await load('app/cards.js');
/** Card references signed as the app signs them. */
const refs = createCardRefs('bench');
const { blockKitViolations } = await load('slack/views/limits.js');
const { BestEffortCache } = await load('store/best-effort-cache.js');
const storeModule = await load('store/index.js');
const { openStores } = storeModule;
/** The SQLite/Redis row codec (plain JSON rows). */
const { serializeRow, deserializeRow } = storeModule;
const { createWorkspaceSettings } = await load('lookup/workspace-settings.js');

const ITER = Number(process.env.MICRO_ITER ?? 20_000);
const MAX_MS = 3000; // every loop is bounded in time as well as count

async function time(label, fn, iter = ITER) {
  for (let i = 0; i < Math.min(2000, iter); i++) await fn(i); // warm-up
  const end = performance.now() + MAX_MS;
  const t0 = performance.now();
  let n = 0;
  for (; n < iter && performance.now() < end; n++) await fn(n);
  const us = ((performance.now() - t0) * 1000) / n;
  return { label, us };
}

/** 100 awaited promises; the per-promise cost, with and without AsyncLocalStorage's hooks. */
async function chain() {
  for (let i = 0; i < 100; i++) await Promise.resolve(i);
}

export async function micro() {
  // The steps first: once an AsyncLocalStorage has run, every later promise pays its hooks.
  const out = await steps();
  const before = await time('100 awaited promises, no AsyncLocalStorage yet', chain, 5000);
  // Why the app passes a per-request logger instead of AsyncLocalStorage: once any
  // AsyncLocalStorage.run() has happened, Node 20/22 run promise hooks for every promise.
  const als = new AsyncLocalStorage();
  const after = await als.run({ correlationId: randomUUID() }, () => time('100 awaited promises, inside AsyncLocalStorage.run', chain, 5000));
  return [...out, before, after];
}

/**
 * One reply posted to a response_url on loopback, as Bolt's respond() does it (fetch) and as the
 * app does it (undici's request, src/slack/respond.ts); CPU of this process (client and server) per post.
 */
async function posts(message) {
  const { createServer } = await import('node:http');
  const { createResponder } = await load('slack/transport/respond.js');
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/commands/1`;
  const payload = { response_type: 'ephemeral', replace_original: false, ...message };
  const responder = createResponder({ timeoutMs: 5000 });
  const viaUndici = responder.to(url);
  /** CPU µs per post (this process: client and server), over 2,000 posts one at a time after 300 warm-up posts. */
  const cpu = async (label, fn) => {
    for (let i = 0; i < 300; i++) await fn();
    const n = 2000;
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await fn();
    const c = process.cpuUsage(c0);
    return { label: `${label} (CPU, client and server)`, us: (c.user + c.system) / n };
  };
  const out = [
    await cpu('respond() via fetch, card body (Bolt: fetch + JSON.stringify)', async () => {
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
      await res.arrayBuffer();
    }),
    await cpu('respond() via undici request, card body (the app: src/slack/respond.ts)', () => viaUndici(payload)),
  ];
  await responder.close();
  server.close();
  return out;
}

async function steps() {
  const log = createLogger({ level: 'warn', secrets: [] });
  const stores = await openStores({ kind: 'memory' }, { log });
  const target = { apiUrl: 'http://127.0.0.1:1', apiToken: 'x'.repeat(40), organizationId: 'clorg000000000000000000001' };
  const user = adaLike('chit00000000000000000000');
  const astro = { getUser: async (_t, id) => ({ ...user, id, workspaceRoles: user.workspaceRoles, unreadableRoles: 0 }) };
  const cache = new BestEffortCache(stores.cache, { log });
  const installation = { teamId: 'T1' };
  const settingsOf = { resolve: async () => ({ ...target }) };
  const lookup = createLookup({ astro, settings: settingsOf, cache, cacheTtlMs: 3_600_000 });
  const hotLookup = createLookup({ astro, settings: settingsOf, cache, cacheTtlMs: 3_600_000, hot: { ttlMs: 15_000, max: 1000 } });
  await hotLookup.lookupUser({ installation, userId: user.id });
  const first = await lookup.lookupUser({ installation, userId: user.id });
  await new Promise((r) => setTimeout(r, 20));
  const hit = await lookup.lookupUser({ installation, userId: user.id });
  if (!hit.fromCache) throw new Error('expected a cache hit');
  const recent = createRecentLookups({ store: new BestEffortCache(stores.recent, { log }) });
  const throttle = createThrottle({ perUserPerMinute: 1e9, perWorkspacePerMinute: 1e9 });
  const metrics = createMetrics(() => 'closed');
  const item = { userId: user.id, user: first.user, fetchedAt: first.fetchedAt };
  const message = renderCards('private', [item], { audience: '#ops', astroUiUrl: 'https://cloud.astronomer.io', valueOf: (ref) => refs.encode(ref, 'T.T0001') });
  const envelope = { value: { user: first.user, unreadableRoles: 0, fetchedAt: first.fetchedAt }, expires: Date.now() + 1e6 };
  const rowText = serializeRow(envelope);
  const settings = createWorkspaceSettings({ store: stores.settings, healthStore: cache });
  const otherUser = adaLike('cother000000000000000000');

  const out = [
    await time('lookup.lookupUser (hot: kept in the process, CACHE_HOT_SECONDS)', () => hotLookup.lookupUser({ installation, userId: user.id })),
    await time('lookup.lookupUser (store hit, memory: store: keyv get + zod parse)', () => lookup.lookupUser({ installation, userId: user.id })),
    await time('  SQLite/Redis row read (deserializeRow: plain JSON.parse)', () => deserializeRow(rowText)),
    await time('recent.record, same user again (get + zod parse; write skipped while fresh)', (i) => recent.record('T.T1', `U${i % 64}`, { userId: user.id, label: 'Ada Lovelace' })),
    await time('recent.record, another user first each time (get + zod parse + set)', (i) =>
      recent.record('T.T1', `U${i % 64}`, i % 2 ? { userId: user.id, label: 'Ada Lovelace' } : { userId: otherUser.id, label: 'Other' }),
    ),
    await time('settings.getPolicy + getConnection (single workspace: nothing saved)', () => Promise.all([settings.getPolicy('T.T1'), settings.getConnection('T.T1')])),
    await time('throttle.take (2 rate-limiter-flexible consumes)', (i) => throttle.take('T.T1', `U${i % 64}`)),
    await time('renderCards, same user object again (the card drawn before)', () => renderCards('private', [item], { audience: '#ops', astroUiUrl: 'https://cloud.astronomer.io', valueOf: (ref) => refs.encode(ref, 'T.T0001') })),
    await time('renderCards, a new user object each time (drawn afresh)', () =>
      renderCards('private', [{ ...item, user: { ...item.user } }], { audience: '#ops', astroUiUrl: 'https://cloud.astronomer.io', valueOf: (ref) => refs.encode(ref, 'T.T0001') }),
    ),
    await time('blockKitViolations (replyVia pre-check)', () => blockKitViolations(message, 'message')),
    await time('JSON.stringify(card payload) (respond body)', () => JSON.stringify({ response_type: 'ephemeral', replace_original: false, ...message })),
    await time("log.child (the request's logger, with its correlation ID)", () => log.child({ correlationId: randomUUID() })),
    await time('metrics: 2 counter incs', () => {
      metrics.lookups.inc({ surface: 'command', outcome: 'found' });
      metrics.cache.inc({ result: 'hit' });
    }),
    await time('AbortSignal.timeout(5000) (bound of each response_url post)', () => AbortSignal.timeout(5000)),
    ...(await posts(message)),
  ];
  await stores.close();
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const steps = await micro();
  console.log(`Build: ${DIST}`);
  for (const s of steps) console.log(`${s.us.toFixed(1).padStart(8)} µs  ${s.label}`);
  process.exit(0);
}
