/**
 * vitest global setup: a private `redis-server` on a free loopback port (no persistence) for the
 * Redis tests, when `redis-server` is installed (CI installs it; elsewhere those tests are skipped
 * and say so), and a fresh build in dist/ for the tests that run the app as real processes.
 * Everything it runs with Node runs on the Node that runs the tests (`process.execPath`), so that
 * `.ci/run`'s second run really tests the app on that Node.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `redis://127.0.0.1:<port>` of the private server, or '' when redis-server is missing. */
    redisUrl: string;
    /** Port of the private redis-server (0 when missing), to pause or stop it in tests. */
    redisPort: number;
  }
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** TypeScript's command-line compiler (the script `npx tsc` runs). */
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Starts redis-server on `port`; resolves once it answers PING. */
export async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
    if (r.stdout?.trim() === 'PONG') return child;
    if (Date.now() > deadline) throw new Error('redis-server did not start');
    await new Promise((res) => setTimeout(res, 50));
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  // TypeScript's compiler on the Node that runs the tests (not whichever `node` is first on PATH).
  execFileSync(process.execPath, [TSC, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
  if (!hasRedis) {
    process.stderr.write('redis-server is not installed: the Redis tests are skipped (CI installs it).\n');
    project.provide('redisUrl', '');
    project.provide('redisPort', 0);
    return () => undefined;
  }
  const port = await freePort();
  const child = await startRedis(port);
  project.provide('redisUrl', `redis://127.0.0.1:${port}`);
  project.provide('redisPort', port);
  return () => {
    child.kill('SIGTERM');
  };
}
