/**
 * createUserIndex against a real loopback HTTP server standing in for ListUsers, with a real
 * BestEffortCache over the memory store: how an organization is paged (limit 1000, sorts=id:asc,
 * later pages in parallel), single-flight builds, bounded refreshes on a miss, email and name
 * matching, and the index shared through the cache.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAstroClient, type AstroTarget } from '../../src/astro/client.js';
import { AstroApiError } from '../../src/astro/errors.js';
import { createLogger } from '../../src/logger.js';
import { createUserIndex, MAX_FULL_NAME_CHARS, MAX_USERNAME_CHARS, normalizeForLookup, userIndexCacheKey, type UserIndexBuildInfo, type UserIndexOptions } from '../../src/lookup/user-index.js';
import { BestEffortCache } from '../../src/store/best-effort-cache.js';
import { openStores, type Stores } from '../../src/store/index.js';
import { ADA } from '../support/fixtures.js';
import { json, startHttpStub, type HttpStub, type RecordedRequest } from '../support/http-stub.js';

const silent = createLogger({ level: 'silent' });
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJpbmRleC10ZXN0In0.indexTestSignature';
const ORG = 'clorg000000000000000000001';
const INSTALL = 'T.T0001';

/** A generated user: IDs sort in `i` order, like Astro's `sorts=id:asc`. */
function user(i: number, fields: Partial<typeof ADA> = {}) {
  return { ...ADA, id: `cu${String(i).padStart(23, '0')}`, username: `user${i}@example.com`, fullName: `User Number${i}`, ...fields };
}

/** The organization the stand-in Astro serves, sorted by ID. */
let people: ReturnType<typeof user>[];
/** Delay before each answer, in ms (to make concurrent callers overlap a build). */
let delayMs: number;
/** Status to answer instead of a page. */
let failWith: number | undefined;
/** Largest page the stand-in serves, whatever limit was asked. */
let serverCap: number;

let stub: HttpStub;
let stores: Stores;
let cache: BestEffortCache;
let target: AstroTarget;
let clock: number;
let builds: UserIndexBuildInfo[];

async function answer(req: RecordedRequest, res: Parameters<Parameters<typeof startHttpStub>[0]>[1]): Promise<void> {
  if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
  if (failWith) return json(res, failWith, { message: 'nope', requestId: `req-${failWith}`, statusCode: failWith });
  const q = new URL(req.url, 'http://stub').searchParams;
  const offset = Number(q.get('offset') ?? 0);
  const limit = Math.min(Number(q.get('limit') ?? 20), serverCap);
  json(res, 200, { users: people.slice(offset, offset + limit), offset, limit, totalCount: people.length });
}

beforeAll(async () => {
  stub = await startHttpStub(answer);
  target = { apiUrl: stub.url, apiToken: TOKEN, organizationId: ORG };
});
afterAll(async () => {
  await stub?.close();
  await stores?.close();
});
beforeEach(async () => {
  stub.requests.length = 0;
  await stores?.close();
  stores = await openStores({ kind: 'memory' }, { log: silent });
  cache = new BestEffortCache(stores.cache, { log: silent });
  clock = Date.parse('2026-06-01T12:00:00Z');
  people = Array.from({ length: 50 }, (_, i) => user(i));
  delayMs = 0;
  failWith = undefined;
  serverCap = 1000;
  builds = [];
});

function index(overrides: Partial<UserIndexOptions> = {}) {
  return createUserIndex({ astro: createAstroClient(), cache, now: () => clock, onBuild: (b) => builds.push(b), ...overrides });
}

const query = (r: RecordedRequest) => new URL(r.url, 'http://stub').searchParams;

describe('building the index', () => {
  it('indexes an organization of 3,500 users with exactly 4 ListUsers requests (limit 1000, sorts=id:asc)', async () => {
    people = Array.from({ length: 3500 }, (_, i) => user(i));
    const found = await index().findByEmail(INSTALL, target, 'user3499@example.com');
    expect(found).toEqual({ id: people[3499]!.id, username: 'user3499@example.com', fullName: 'User Number3499', status: 'ACTIVE' });
    expect(stub.requests).toHaveLength(4);
    for (const r of stub.requests) {
      expect(new URL(r.url, 'http://stub').pathname).toBe(`/organizations/${ORG}/users`);
      expect(query(r).get('limit')).toBe('1000');
      expect(query(r).getAll('sorts')).toEqual(['id:asc']);
    }
    expect(stub.requests.map((r) => Number(query(r).get('offset'))).sort((a, b) => a - b)).toEqual([0, 1000, 2000, 3000]);
    expect(builds).toEqual([expect.objectContaining({ organizationId: ORG, users: 3500, totalCount: 3500, pages: 4, truncated: false, unreadable: 0 })]);
  });

  it('holds only id, username, fullName and status (no roles)', async () => {
    const u = await index().findByEmail(INSTALL, target, ADA.username.replace('ada.lovelace', 'user1'));
    expect(Object.keys(u!).sort()).toEqual(['fullName', 'id', 'status', 'username']);
  });

  it('shares one build among 50 concurrent findByEmail calls', async () => {
    people = Array.from({ length: 3500 }, (_, i) => user(i));
    delayMs = 50;
    const ix = index();
    const emails = Array.from({ length: 50 }, (_, i) => `user${i * 70}@example.com`);
    const found = await Promise.all(emails.map((e) => ix.findByEmail(INSTALL, target, e)));
    expect(found.map((u) => u?.username)).toEqual(emails);
    expect(stub.requests).toHaveLength(4);
    expect(builds).toHaveLength(1);
  });

  it('does not rebuild for an unknown email within minRefreshIntervalMs, and rebuilds once after it', async () => {
    const ix = index({ minRefreshIntervalMs: 60_000 });
    expect(await ix.findByEmail(INSTALL, target, 'user1@example.com')).toBeDefined();
    expect(stub.requests).toHaveLength(1);
    for (let i = 0; i < 20; i++) expect(await ix.findByEmail(INSTALL, target, `random${i}@example.com`)).toBeUndefined();
    expect(await ix.search(INSTALL, target, 'zzz-nobody')).toEqual([]);
    expect(stub.requests).toHaveLength(1);

    clock += 60_000;
    people.push(user(50, { username: 'newcomer@example.com', fullName: 'New Comer' }));
    const newcomer = await ix.findByEmail(INSTALL, target, 'newcomer@example.com');
    expect(newcomer?.fullName).toBe('New Comer');
    expect(stub.requests).toHaveLength(2);
    expect(await ix.findByEmail(INSTALL, target, 'random-again@example.com')).toBeUndefined();
    expect(stub.requests).toHaveLength(2);
  });

  it('steps by the page size Astro used when it serves fewer than asked', async () => {
    people = Array.from({ length: 1000 }, (_, i) => user(i));
    serverCap = 400;
    expect(await index().findByEmail(INSTALL, target, 'user999@example.com')).toBeDefined();
    expect(stub.requests.map((r) => [query(r).get('offset'), query(r).get('limit')])).toEqual([
      ['0', '1000'],
      ['400', '400'],
      ['800', '400'],
    ]);
  });

  it('lets concurrent misses after the interval share one rebuild', async () => {
    const ix = index({ minRefreshIntervalMs: 60_000 });
    await ix.findByEmail(INSTALL, target, 'user1@example.com');
    clock += 60_000;
    people.push(user(50, { username: 'newcomer@example.com' }));
    delayMs = 50;
    const found = await Promise.all(Array.from({ length: 10 }, () => ix.findByEmail(INSTALL, target, 'newcomer@example.com')));
    expect(found.every((u) => u?.username === 'newcomer@example.com')).toBe(true);
    expect(stub.requests).toHaveLength(2);
  });

  it('rebuilds a stale index (older than ttlMs) before answering', async () => {
    const ix = index({ ttlMs: 300_000 });
    await ix.findByEmail(INSTALL, target, 'user1@example.com');
    clock += 300_000;
    people[1] = user(1, { fullName: 'Renamed One' });
    expect((await ix.findByEmail(INSTALL, target, 'user1@example.com'))?.fullName).toBe('Renamed One');
    expect(stub.requests).toHaveLength(2);
  });

  it('is shared through the cache: another process reads it without any request (chunked when large)', async () => {
    people = Array.from({ length: 6000 }, (_, i) => user(i));
    await index().findByEmail(INSTALL, target, 'user1@example.com');
    expect(stub.requests).toHaveLength(6);
    // The build stores the index best effort, without making its callers wait: wait for the manifest.
    const key = userIndexCacheKey(INSTALL, target);
    await vi.waitFor(async () => expect(await cache.get(key)).toMatchObject({ users: 6000, chunks: 2 }));
    stub.requests.length = 0;
    const other = index();
    expect((await other.findByEmail(INSTALL, target, 'USER5999@example.com'))?.id).toBe(people[5999]!.id);
    expect(stub.requests).toHaveLength(0);
    expect(builds).toHaveLength(1);
  });

  it('stores an index of long names in chunks of about 1 MB of text, which another process reads back', async () => {
    // 3,000 users whose kept username and full name are at their maximum lengths: about 1.8 million characters.
    people = Array.from({ length: 3000 }, (_, i) => user(i, { username: `${'u'.repeat(400)}${i}@example.com`, fullName: `Person${i} ${'n'.repeat(400)}` }));
    await index().findByEmail(INSTALL, target, 'user1@example.com');
    const key = userIndexCacheKey(INSTALL, target);
    await vi.waitFor(async () => expect(await cache.get(key)).toMatchObject({ users: 3000, chunks: 2 }));
    stub.requests.length = 0;
    let turns = 0;
    let reading = true;
    const spin = () => {
      if (!reading) return;
      turns += 1;
      setImmediate(spin);
    };
    setImmediate(spin);
    const found = await index().search(INSTALL, target, 'person2999');
    reading = false;
    expect(found.map((u) => u.id)).toEqual([people[2999]!.id]);
    expect(stub.requests).toHaveLength(0);
    // Its 1.7 million characters of names are prepared for matching 100,000 at a time, between turns.
    expect(turns).toBeGreaterThanOrEqual(17);
  });

  it('keeps each installation apart', async () => {
    const ix = index();
    await ix.findByEmail(INSTALL, target, 'user1@example.com');
    await ix.findByEmail('T.OTHER', target, 'user1@example.com');
    expect(stub.requests).toHaveLength(2);
  });

  it('caps the index at maxUsers (the first users by ID) and says so', async () => {
    people = Array.from({ length: 3500 }, (_, i) => user(i));
    const ix = index({ maxUsers: 1500 });
    expect(await ix.findByEmail(INSTALL, target, 'user1499@example.com')).toBeDefined();
    expect(stub.requests).toHaveLength(2);
    expect(builds[0]).toMatchObject({ users: 1500, totalCount: 3500, truncated: true });
  });

  it('throws the AstroApiError when there is no index and it cannot be built, without retrying at once', async () => {
    failWith = 403;
    const ix = index({ failedBuildRetryMs: 5000 });
    const err = await ix.findByEmail(INSTALL, target, 'user1@example.com').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AstroApiError);
    expect((err as AstroApiError).kind).toBe('forbidden');
    await expect(ix.search(INSTALL, target, 'user')).rejects.toMatchObject({ kind: 'forbidden' });
    expect(stub.requests).toHaveLength(1);
    clock += 5000;
    failWith = undefined;
    expect(await ix.findByEmail(INSTALL, target, 'user1@example.com')).toBeDefined();
  });

  it('keeps answering from the existing index when a rebuild fails', async () => {
    const ix = index({ ttlMs: 300_000 });
    await ix.findByEmail(INSTALL, target, 'user1@example.com');
    failWith = 503;
    clock += 60_000;
    expect(await ix.findByEmail(INSTALL, target, 'nobody@example.com')).toBeUndefined(); // refresh on miss fails quietly
    clock += 300_000;
    expect((await ix.findByEmail(INSTALL, target, 'user2@example.com'))?.id).toBe(people[2]!.id); // stale, rebuild failed
  });

  it("gives the caller a timeout when its signal aborts, while the build goes on for others", async () => {
    delayMs = 300;
    const ix = index();
    const waiting = ix.findByEmail(INSTALL, target, 'user3@example.com');
    const err = await ix.findByEmail(INSTALL, target, 'user1@example.com', AbortSignal.timeout(50)).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'timeout' });
    expect((await waiting)?.id).toBe(people[3]!.id);
    expect(stub.requests).toHaveLength(1);
  });
});

describe('matching', () => {
  beforeEach(() => {
    people = [
      user(1, { username: 'Ada.Lovelace@Example.com', fullName: 'Ada Lovelace' }),
      user(2, { username: 'adam.smith@example.com', fullName: 'Adam Smith' }),
      user(3, { username: 'ada@example.com', fullName: 'Ada' }),
      user(4, { username: 'grace@example.com', fullName: 'Grace Ada Hopper', status: 'PENDING' }),
      user(5, { username: 'bob@example.com', fullName: 'Bob Adams' }),
      user(6, { username: 'zoe@example.com', fullName: 'Zoë Ｚhang' }),
      user(7, { username: 'adele@example.com', fullName: 'Adèle Marie' }),
    ];
  });

  it('finds an email case-insensitively, trimmed and NFKC-normalised', async () => {
    const ix = index();
    const id = people[0]!.id;
    expect((await ix.findByEmail(INSTALL, target, 'ada.lovelace@example.com'))?.id).toBe(id);
    expect((await ix.findByEmail(INSTALL, target, '  ADA.LOVELACE@EXAMPLE.COM '))?.id).toBe(id);
    expect((await ix.findByEmail(INSTALL, target, 'ＡＤＡ.lovelace@example.com'))?.id).toBe(id); // fullwidth letters
    expect(await ix.findByEmail(INSTALL, target, 'ada.lovelace@example')).toBeUndefined(); // no partial match
    expect(stub.requests).toHaveLength(1);
  });

  it('finds nothing for a blank or oversized email, without loading the index', async () => {
    const ix = index();
    expect(await ix.findByEmail(INSTALL, target, '   ')).toBeUndefined();
    expect(await ix.findByEmail(INSTALL, target, `${'a'.repeat(400)}@example.com`)).toBeUndefined();
    expect(await ix.search(INSTALL, target, '')).toEqual([]);
    expect(stub.requests).toHaveLength(0);
  });

  it('ranks exact matches before a whole-word match before prefixes', async () => {
    const found = await index().search(INSTALL, target, 'ADA');
    expect(found.map((u) => u.fullName)).toEqual([
      'Ada', // exact full name
      'Ada Lovelace', // exact first word … ties by full name
      'Grace Ada Hopper', // … exact later word
      'Adam Smith', // prefix of the full name / username
      'Bob Adams', // prefix of a later word
    ]);
    expect(found.find((u) => u.fullName === 'Grace Ada Hopper')?.status).toBe('PENDING');
  });

  it('caps the results at limit (1–100)', async () => {
    for (let i = 0; i < 150; i++) people.push(user(100 + i, { username: `ann${i}@example.com`, fullName: `Ann ${i}` }));
    const ix = index();
    expect(await ix.search(INSTALL, target, 'ada', 2)).toHaveLength(2);
    expect((await ix.search(INSTALL, target, 'ada', 2)).map((u) => u.fullName)).toEqual(['Ada', 'Ada Lovelace']);
    expect(await ix.search(INSTALL, target, 'a', 0)).toHaveLength(1); // at least one
    expect(await ix.search(INSTALL, target, 'ann', 1000)).toHaveLength(100); // at most 100
    expect(await ix.search(INSTALL, target, 'ann')).toHaveLength(10); // 10 by default
  });

  it('matches a username prefix, several words, and NFKC forms', async () => {
    const ix = index();
    expect((await ix.search(INSTALL, target, 'bob@')).map((u) => u.fullName)).toEqual(['Bob Adams']);
    expect((await ix.search(INSTALL, target, 'lov ada')).map((u) => u.fullName)).toEqual(['Ada Lovelace']);
    expect((await ix.search(INSTALL, target, 'zhang')).map((u) => u.fullName)).toEqual(['Zoë Ｚhang']);
    expect((await ix.search(INSTALL, target, 'adè')).map((u) => u.fullName)).toEqual(['Adèle Marie']);
    expect(await ix.search(INSTALL, target, 'lovelace smith')).toEqual([]);
  });

  it('normalizeForLookup folds width and case and collapses spaces', () => {
    expect(normalizeForLookup('  ＡＤＡ   Lovelace ')).toBe('ada lovelace');
  });
});

describe('hostile ListUsers answers', () => {
  it('cuts 15 KB names and usernames, keeps others findable, and warns once with no names in the warning', async () => {
    const huge = 'x'.repeat(15_000);
    people = [
      user(1, { username: `${huge}@example.com`, fullName: `Mallory ${huge}` }),
      user(2, { username: 'ada@example.com', fullName: 'Ada Lovelace' }),
      user(3, { username: 'eve@example.com', fullName: `Eve ${'y'.repeat(MAX_FULL_NAME_CHARS)}` }),
      // Someone whose whole name is exactly what is kept of Mallory's.
      user(4, { username: 'twin@example.com', fullName: `Mallory ${huge}`.slice(0, MAX_FULL_NAME_CHARS) }),
    ];
    const warnings: { obj: object; msg: string }[] = [];
    const ix = index({ log: { warn: (obj, msg) => warnings.push({ obj, msg }) } });
    expect((await ix.findByEmail(INSTALL, target, 'ada@example.com'))?.fullName).toBe('Ada Lovelace');
    const mallory = (await ix.search(INSTALL, target, 'mallory')).find((u) => u.id === people[0]!.id)!;
    expect(mallory.fullName).toHaveLength(MAX_FULL_NAME_CHARS);
    expect(mallory.username).toHaveLength(MAX_USERNAME_CHARS);
    // A cut name is found by its kept words, never as an exact name or by a cut username.
    expect((await ix.search(INSTALL, target, 'eve')).map((u) => u.id)).toEqual([people[2]!.id]);
    // The exact name ranks first; Mallory's cut name matches only as a prefix (her ID sorts first).
    expect((await ix.search(INSTALL, target, mallory.fullName)).map((u) => u.id)).toEqual([people[3]!.id, people[0]!.id]);
    expect(await ix.findByEmail(INSTALL, target, mallory.username)).toBeUndefined();
    expect(builds[0]).toMatchObject({ users: 4, shortened: 2, truncated: false });
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0])).not.toContain('xxx');
  });

  it('stops indexing at maxIndexChars, says so, and still finds the users it kept', async () => {
    people = Array.from({ length: 100 }, (_, i) => user(i, { fullName: `Person${i} ${'n'.repeat(200)}` }));
    const warnings: object[] = [];
    const ix = index({ maxIndexChars: 50 * 300, log: { warn: (obj) => warnings.push(obj) } });
    expect((await ix.findByEmail(INSTALL, target, 'user0@example.com'))?.id).toBe(people[0]!.id);
    const info = builds[0]!;
    expect(info.truncated).toBe(true);
    expect(info.users).toBeGreaterThan(30);
    expect(info.users).toBeLessThan(100);
    expect(warnings).toEqual([expect.objectContaining({ users: info.users, received: 100 })]);
    expect((await ix.search(INSTALL, target, `person${info.users - 1}`)).map((u) => u.id)).toEqual([people[info.users - 1]!.id]);
  });

  it('asks for no further page once maxIndexChars is spent (their users could not be kept)', async () => {
    people = Array.from({ length: 5000 }, (_, i) => user(i));
    const perUser = (u: ReturnType<typeof user>) => u.id.length + u.username.length + u.fullName.length + u.status.length;
    // Room for the first 1,500 users: page 1 fits, page 2 spends the budget, pages 3-5 are not asked for.
    const budget = people.slice(0, 1500).reduce((n, u) => n + perUser(u), 0);
    const ix = index({ maxIndexChars: budget, concurrency: 1 });
    expect((await ix.findByEmail(INSTALL, target, 'user1499@example.com'))?.id).toBe(people[1499]!.id);
    expect(await ix.findByEmail(INSTALL, target, 'user1500@example.com')).toBeUndefined();
    expect(stub.requests.slice(0, 2).map((r) => query(r).get('offset'))).toEqual(['0', '1000']);
    expect(builds[0]).toMatchObject({ users: 1500, totalCount: 5000, pages: 2, truncated: true });
  });

  it('says truncated when it stopped asking, even though every user it received was kept', async () => {
    people = Array.from({ length: 3000 }, (_, i) => user(i));
    const budget = people.slice(0, 1000).reduce((n, u) => n + u.id.length + u.username.length + u.fullName.length + u.status.length, 0);
    await index({ maxIndexChars: budget, concurrency: 1 }).findByEmail(INSTALL, target, 'user1@example.com');
    expect(stub.requests).toHaveLength(1);
    expect(builds[0]).toMatchObject({ users: 1000, totalCount: 3000, pages: 1, truncated: true });
  });

  it("takes a page's users in slices, letting the event loop turn between them", async () => {
    const page = Array.from({ length: 1000 }, (_, i) => ({ ...user(i), workspaceRoles: [], deploymentRoles: [], dagRoles: [], unreadableRoles: 0 }));
    const astro = { listUsers: async () => ({ users: page, totalCount: 1000, offset: 0, limit: 1000, unreadable: 0 }) };
    let turns = 0;
    let building = true;
    const spin = () => {
      if (!building) return;
      turns += 1;
      setImmediate(spin);
    };
    setImmediate(spin);
    const found = await createUserIndex({ astro, cache, now: () => clock }).findByEmail(INSTALL, target, 'user999@example.com');
    building = false;
    expect(found?.id).toBe(page[999]!.id);
    // 1,000 users taken 250 at a time: at least 3 turns between slices (the matching form of
    // 1,000 users is built in one slice).
    expect(turns).toBeGreaterThanOrEqual(3);
  });

  it('cuts names again when reading an index another process cached without caps', async () => {
    const key = userIndexCacheKey(INSTALL, target);
    const long = 'z'.repeat(5000);
    await cache.set(key, { v: 1, builtAt: clock, totalCount: 1, truncated: false, users: 1, generation: 'a1', chunks: 1 }, 60_000);
    await cache.set(`${key}:a1:0`, { users: [['cu1', 'a@example.com', `Zed ${long}`, 'ACTIVE']] }, 60_000);
    const found = await index().search(INSTALL, target, 'zed');
    expect(found[0]?.fullName).toHaveLength(MAX_FULL_NAME_CHARS);
    expect(stub.requests).toHaveLength(0);
  });
});
