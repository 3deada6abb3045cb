/**
 * Hosted Redis speaks TLS (`rediss://`): the app connects with the CA file the operator gives
 * (REDIS_TLS_CA_FILE), or with Node's NODE_EXTRA_CA_CERTS alone, and, for providers whose
 * certificate is self-signed, only with the explicit REDIS_TLS_REJECT_UNAUTHORIZED=false. A server
 * whose certificate cannot be verified is refused. Uses a real TLS-only redis-server with a CA made
 * by openssl at test time; skipped, saying why, where that cannot run.
 */
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { loadConfig, type StoreLocation } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { openStores, type Stores } from '../../src/store/index.js';
import { startTlsRedis, type TlsRedis } from '../support/tls-redis.js';

const server: TlsRedis | Error = await startTlsRedis().catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
if (server instanceof Error) process.stderr.write(`TLS Redis tests skipped: ${server.message}\n`);
const tls = server instanceof Error ? undefined : server;

const BASE = { SLACK_BOT_TOKEN: 'xoxb-1111-2222-tlsTestBotToken', SLACK_SIGNING_SECRET: 'tlstestsigningsecret0123456789', ASTRO_API_TOKEN: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0bHMifQ.tlsTestSignature', ASTRO_ORGANIZATION_ID: 'clorg000000000000000000001' };

/** A logger whose JSON lines the test reads back. */
function recordingLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger({ level: 'debug', destination }), lines };
}

describe.skipIf(!tls)('Redis over TLS (rediss://)', () => {
  const opened: Stores[] = [];
  const open = async (location: StoreLocation, log = createLogger({ level: 'silent' })) => {
    const s = await openStores(location, { log, redisConnectTimeoutMs: 3000 });
    opened.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  afterAll(() => tls?.stop());

  it('connects with the CA file in REDIS_TLS_CA_FILE, and keeps settings there', async () => {
    const config = loadConfig({ ...BASE, STORE_URL: tls!.url, REDIS_TLS_CA_FILE: tls!.caFile });
    const s = await open(config.store);
    await s.settings.set('policy:T.TLS', { ok: true });
    expect(await s.settings.get('policy:T.TLS')).toEqual({ ok: true });
    expect(await s.ping()).toBe(true);
  });

  it('refuses a server whose certificate it cannot verify, and says why in the log', async () => {
    const { log, lines } = recordingLogger();
    const s = await openStores(loadConfig({ ...BASE, STORE_URL: tls!.url }).store, { log, redisConnectTimeoutMs: 500 });
    opened.push(s);
    await expect(s.settings.get('policy:T.TLS')).rejects.toThrow();
    expect(await s.ping()).toBe(false);
    const errors = lines.filter((l) => l.msg === 'store error');
    expect(JSON.stringify(errors)).toMatch(/certificate/i);
  });

  it('connects without verifying only with REDIS_TLS_REJECT_UNAUTHORIZED=false, and warns that it does', async () => {
    const { log, lines } = recordingLogger();
    const config = loadConfig({ ...BASE, STORE_URL: tls!.url, REDIS_TLS_REJECT_UNAUTHORIZED: 'false' });
    const s = await open(config.store, log);
    await s.settings.set('policy:T.TLS2', { ok: 2 });
    expect(await s.settings.get('policy:T.TLS2')).toEqual({ ok: 2 });
    expect(lines.some((l) => l.level === 'warn' && /REDIS_TLS_REJECT_UNAUTHORIZED=false/.test(String(l.msg)))).toBe(true);
  });

  it("connects with Node's NODE_EXTRA_CA_CERTS alone (a separate process, as Node reads it at start)", () => {
    // The test run's build of src/ (test/setup/global.ts), as dist/ would hold it.
    const build = dirname(inject('appEntry'));
    const script = `
      import { openStores } from ${JSON.stringify(pathToFileURL(join(build, 'store/index.js')).href)};
      import { createLogger } from ${JSON.stringify(pathToFileURL(join(build, 'logger.js')).href)};
      const s = await openStores({ kind: 'redis', url: process.argv[1] }, { log: createLogger({ level: 'silent' }), redisConnectTimeoutMs: 1000 });
      await s.settings.set('policy:T.EXTRA', 1);
      console.log(JSON.stringify(await s.settings.get('policy:T.EXTRA')));
      await s.close();`;
    const run = (extra: Record<string, string>) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', script, tls!.url], {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        env: { PATH: process.env.PATH ?? '', ...extra },
        encoding: 'utf8',
        timeout: 15_000,
      });
    const withCa = run({ NODE_EXTRA_CA_CERTS: tls!.caFile });
    expect(withCa.stdout.trim()).toBe('1');
    const without = run({});
    expect(without.status).not.toBe(0);
  });
});
