/**
 * Store errors are logged once per kind and then summarised, never one line (with a stack) per
 * failed call: first with a clock the test moves, then with a real Redis that is not there.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, type Logger } from '../../src/logger.js';
import { createStoreErrorLog } from '../../src/store/error-log.js';
import { openStores, type Stores } from '../../src/store/index.js';
import { freePort } from '../support/net.js';

type Line = { level: string; msg: string; more?: number; error?: { message: string; code?: string }; namespace?: string };

/** A logger whose JSON lines the test reads back, with a hook on each line. */
function recordingLogger(onLine: (l: Line) => void = () => undefined): { log: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString('utf8').split('\n')) {
        if (!text.trim()) continue;
        const line = JSON.parse(text) as Line;
        lines.push(line);
        onLine(line);
      }
      done();
    },
  });
  return { log: createLogger({ level: 'debug', destination }), lines };
}

/** Waits until pino's stream has delivered what was written so far. */
const drained = () => new Promise((r) => setImmediate(r));

afterEach(() => {
  vi.useRealTimers();
});

describe('store error log', () => {
  it('logs the first error of a kind, counts the rest, and says how many at the end of the window', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { log, lines } = recordingLogger();
    const errors = createStoreErrorLog({ log, windowMs: 60_000 });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
    for (let i = 0; i < 180; i++) errors.report({ store: 'redis', namespace: 'connection' }, refused);
    errors.report({ store: 'redis', namespace: 'settings' }, new Error('The client is closed'));
    await drained();
    expect(lines.map((l) => l.msg)).toEqual(['store error', 'store error']);
    expect(lines[0]!.error).toEqual({ message: 'connect ECONNREFUSED 127.0.0.1:6379', code: 'ECONNREFUSED' });
    expect(JSON.stringify(lines)).not.toContain('"stack"');

    vi.advanceTimersByTime(60_000);
    await drained();
    expect(lines.slice(2).map((l) => l.msg)).toEqual(['179 more store errors of this kind in the last 60 s']);
    expect(lines[2]!.namespace).toBe('connection');

    // A quiet window writes nothing; the next error of the kind is logged in full again.
    vi.advanceTimersByTime(120_000);
    errors.report({ store: 'redis', namespace: 'connection' }, refused);
    await drained();
    expect(lines.slice(3).map((l) => l.msg)).toEqual(['store error']);
    errors.flush();
  });

  it('a dead Redis writes one line per kind, then a summary, not a line per attempt', async () => {
    let summarised!: () => void;
    const summary = new Promise<void>((r) => (summarised = r));
    const { log, lines } = recordingLogger((l) => {
      if (/more store errors? of this kind/.test(l.msg)) summarised();
    });
    const port = await freePort();
    const stores: Stores = await openStores({ kind: 'redis', url: `redis://127.0.0.1:${port}` }, { log, redisConnectTimeoutMs: 200, errorWindowMs: 1500 });
    try {
      // Calls fail while the client keeps reconnecting (every 100 ms, then up to 2 s).
      for (let i = 0; i < 20; i++) await stores.settings.get(`policy:T${i}`).catch(() => undefined);
      await summary;
      // Within one window (up to its summary): on a slow machine the 20 calls may outlast the
      // window, and the next window rightly starts with its own first lines.
      const warn = lines.filter((l) => l.level === 'warn');
      const end = warn.findIndex((l) => /more store errors? of this kind/.test(l.msg));
      const errorLines = warn;
      const firsts = warn.slice(0, end).filter((l) => l.msg === 'store error');
      // One first line per kind (refused connections, calls made while offline), however many attempts and namespaces.
      expect(firsts.length).toBeLessThanOrEqual(2);
      expect(new Set(firsts.map((l) => l.error?.code ?? l.error?.message)).size).toBe(firsts.length);
      expect(firsts.some((l) => l.error?.code === 'ECONNREFUSED')).toBe(true);
      const more = errorLines.filter((l) => l.msg !== 'store error').reduce((n, l) => n + (l.more ?? 0), 0);
      expect(more).toBeGreaterThan(0);
      expect(JSON.stringify(lines)).not.toContain('"stack"');
    } finally {
      await stores.close();
    }
  });
});
