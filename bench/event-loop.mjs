/**
 * Event-loop delay of the worst inputs we can build (part 8): each input runs in this process
 * against the BUILT modules (dist/), while perf_hooks' monitorEventLoopDelay (1 ms resolution)
 * records how late the event loop got; a 1 ms interval timer beside it stands for "other
 * requests". The target is that no single input holds the loop for more than 50 ms.
 *
 * Inputs:
 * - the message shortcut's text scan (src/core/find-queries.ts) on 100,000 characters of
 *   `<mailto:abc|` openings, `<@U12|` openings and other runs (each first call, so before the JIT
 *   has optimised it), beside the regex it replaces on the `<mailto:abc|` runs;
 * - parseQuery on 100,000-character hostile strings;
 * - a ListUsers answer of 50,000 users whose names fill each 1,000-user page up to the client's
 *   4 MiB list body cap, through the user index (build, then a search matching every user);
 *   the stand-in Astro runs in a child process (this same file with `--astro-standin`), so its
 *   own JSON encoding does not count here;
 * - renderCardList of 5 users with 20,000 deployment roles each and 2,000-character names.
 *
 * Run: `node bench/event-loop.mjs` (after `npm run build`), or as part 8 of `npm run bench`.
 * Prints one JSON line per input: { input, maxDelayMs, p99DelayMs, wallMs, cpuMs, note }. On a
 * shared machine the delays include time the process waited for a CPU: compare with cpuMs.
 * Env: BENCH_DIST (the build to measure, default ../dist).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ORG = 'clorg000000000000000000001';
const USERS = 50_000;
const PAGE = 1000;
/** Full name and username lengths that bring one 1,000-user page just under the 4 MiB list body cap (src/astro/client.ts); larger pages are refused. */
const NAME_CHARS = 3_500;
const USERNAME_CHARS = 500;

if (process.argv[2] === '--astro-standin') {
  // The stand-in ListUsers: page `offset` of USERS users with huge names, IDs in `id:asc` order.
  const server = createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const offset = Number(q.get('offset') ?? 0);
    const limit = Math.min(Number(q.get('limit') ?? 20), PAGE);
    const name = 'n'.repeat(NAME_CHARS);
    const mail = 'm'.repeat(USERNAME_CHARS);
    const users = [];
    for (let i = offset; i < Math.min(offset + limit, USERS); i++) {
      users.push({ id: `cu${String(i).padStart(23, '0')}`, username: `${mail}${i}@example.com`, fullName: `Person${i} ${name}`, status: 'ACTIVE' });
    }
    const body = JSON.stringify({ users, offset, limit, totalCount: USERS });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
  process.on('SIGTERM', () => process.exit(0));
} else {
  await main();
}

async function main() {
  const dist = process.env.BENCH_DIST ?? fileURLToPath(new URL('../dist', import.meta.url));
  const load = (p) => import(pathToFileURL(join(dist, p)).href);
  const { findUserQueries } = await load('core/find-queries.js');
  const { parseQuery } = await load('core/query.js');
  /** The regular expression the linear scanner replaced (astro-user 0.1), for comparison. */
  const findWithRegex = (text) => [
    ...text.slice(0, 100_000).matchAll(/(?<![0-9a-zA-Z])(c[0-9a-z]{24})(?![0-9a-zA-Z])|<mailto:([^|>\s]{3,254})(?:\|[^>]*)?>|(?<![^\s<(,;:'"])([^@\s<>|(),;:'"]{1,64}@[^@\s<>|(),;:'"]+\.[A-Za-z]{2,})|<@([UW][A-Z0-9]{2,30})(?:\|[^>]*)?>/g),
  ];
  const { createUserIndex } = await load('lookup/user-index.js');
  const { createAstroClient } = await load('astro/client.js');
  const { BestEffortCache } = await load('store/best-effort-cache.js');
  const { openStores } = await load('store/index.js');
  const { createLogger } = await load('logger.js');
  const { renderCardList } = await load('slack/views/card-list.js');

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  /**
   * Runs `work` (sync or async) under the delay monitor; returns max/p99 delay, wall time and the
   * process's CPU time (all threads, GC and compilation included) in ms.
   */
  async function measure(input, work, note = '') {
    const h = monitorEventLoopDelay({ resolution: 1 });
    const tick = setInterval(() => undefined, 1);
    h.enable();
    await sleep(20);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const extra = await new Promise((resolve, reject) => setImmediate(() => Promise.resolve().then(work).then(resolve, reject)));
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    await sleep(20);
    h.disable();
    clearInterval(tick);
    const line = { input, maxDelayMs: h.max / 1e6, p99DelayMs: h.percentile(99) / 1e6, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, note: [note, extra].filter(Boolean).join('; ') };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    return line;
  }

  const N = 100_000;
  const fill = (unit) => unit.repeat(Math.ceil(N / unit.length)).slice(0, N);
  const texts = {
    '<mailto:abc|': fill('<mailto:abc|'),
    '<@U12|': fill('<@U12|'),
    'a@b.c': fill('a@b.c'),
    'mixed': fill('<mailto:a@b.co|<@U12|a@b.c c0000000000000000000000000 '),
  };
  for (const [unit, text] of Object.entries(texts)) {
    await measure(`message scan (new), 100k chars of ${unit}`, () => `${findUserQueries(text, { mentions: false }).length} found`);
  }
  for (const unit of ['<mailto:abc|']) {
    await measure(`message scan (old regex, for comparison), 100k chars of ${unit}`, () => `${findWithRegex(texts[unit]).length} matches`);
  }
  for (const [label, text] of [
    ['100k spaces and zero-width spaces', fill(' \u200b')],
    ['100k chars of <mailto:abc|', texts['<mailto:abc|']],
    ['100k chars of one word', 'a'.repeat(N)],
  ]) {
    await measure(`parseQuery, ${label}`, () => parseQuery(text).kind);
  }

  // The user index over a stand-in ListUsers in a child process.
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--astro-standin'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
  const stores = await openStores({ kind: 'memory' }, { log: createLogger({ level: 'silent' }) });
  try {
    const cache = new BestEffortCache(stores.cache, { log: createLogger({ level: 'silent' }) });
    const astro = createAstroClient({ listRequestTimeoutMs: 60_000 });
    const target = { apiUrl: `http://127.0.0.1:${port}`, apiToken: 'bench-token', organizationId: ORG };
    let info;
    const ix = createUserIndex({ astro, cache, onBuild: (b) => (info = b), buildTimeoutMs: 600_000 });
    const rss0 = process.memoryUsage().rss;
    await measure(`user index: ListUsers of ${USERS.toLocaleString('en-US')} users, ${NAME_CHARS.toLocaleString('en-US')}-char names (pages just under the 4 MiB cap)`, async () => {
      const found = await ix.findByEmail('T.BENCH', target, 'nobody@example.com');
      return `built: ${info?.users} users, ${info?.shortened} shortened, truncated ${info?.truncated}, ${info?.pages} pages; RSS +${((process.memoryUsage().rss - rss0) / 2 ** 20).toFixed(0)} MiB; found ${found ? 'someone' : 'nobody'}`;
    });
    await measure('user index: a search matching every indexed user', async () => `${(await ix.search('T.BENCH', target, 'person')).length} returned`);
  } finally {
    child.kill('SIGTERM');
    await stores.close();
  }

  // A big card render: 5 users at the GetUser body cap's worth of roles, with long names.
  const big = (k) => ({
    id: `cu${String(k).padStart(23, '0')}`,
    username: `${'u'.repeat(2000)}@example.com`,
    fullName: 'F'.repeat(2000),
    status: 'ACTIVE',
    organizationRole: 'ORGANIZATION_OWNER',
    workspaceRoles: Array.from({ length: 2000 }, (_, i) => ({ workspaceId: `cw${String(i).padStart(23, '0')}`, role: 'WORKSPACE_OWNER' })),
    deploymentRoles: Array.from({ length: 20_000 }, (_, i) => ({ deploymentId: `cd${String(i).padStart(23, '0')}`, role: `CUSTOM_ROLE_${'r'.repeat(50)}` })),
    dagRoles: [],
    unreadableRoles: 0,
  });
  const items = Array.from({ length: 5 }, (_, k) => ({ userId: big(k).id, user: big(k), fetchedAt: Date.now() }));
  await measure('renderCardList: 5 users × 20,000 deployment and 2,000 workspace roles, 2,000-char names', () => `${renderCardList(items, { surface: 'message' }).blocks.length} blocks`);
}
