/**
 * Prism (`@stoplight/prism-cli`) serving Astro's official v1 OpenAPI spec on loopback: a stand-in
 * Astro API that validates our requests against the spec and answers with its examples (static)
 * or random spec-valid data (dynamic).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ASTRO_SPEC_PATH } from './fixtures.js';

const PRISM_BIN = fileURLToPath(new URL('../../node_modules/.bin/prism', import.meta.url));

/** A free loopback TCP port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A running Prism mock. */
export interface PrismMock {
  url: string;
  /** Everything Prism printed (its validator reports `Violation` lines for bad requests). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts Prism on a free port and waits until it answers (≤ 60 s). */
export async function startPrism(options: { dynamic?: boolean } = {}): Promise<PrismMock> {
  const port = await freePort();
  const args = ['mock', '-h', '127.0.0.1', '-p', String(port), ...(options.dynamic ? ['-d'] : []), ASTRO_SPEC_PATH];
  const child: ChildProcess = spawn(PRISM_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prism exited early:\n${out}`);
    try {
      await fetch(`${url}/organizations`, { headers: { authorization: 'Bearer probe' }, signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`prism did not start:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    url,
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
