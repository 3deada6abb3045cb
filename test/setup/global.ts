/**
 * vitest global setup, shared by every test file of one run:
 *
 * - a build of src/ for the tests that run the app as real processes: each file transpiled with
 *   vite's `transformWithOxc` (the compiler vitest already runs src/ through; the project compiles
 *   with `isolatedModules` and `verbatimModuleSyntax`, so file-by-file output is the same program),
 *   in a temporary folder, in well under a second instead of a full `tsc` build;
 * - `tsc -p tsconfig.build.json --noEmit` in the background while the tests run, so that
 *   `npm test` still fails when the production build would (the teardown awaits it); skipped
 *   when src/, the tsconfigs and package-lock.json are those of the last check that passed;
 * - a private `redis-server` on a free loopback port (no persistence) for the Redis tests, when
 *   `redis-server` is installed (CI installs it; elsewhere those tests are skipped and say so);
 * - one Prism mock of Astro's official v1 spec, started here without waiting, for the contract
 *   tests (test/support/prism.ts waits until it answers).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformWithOxc } from 'vite';
import type { TestProject } from 'vitest/node';
import { ASTRO_SPEC_PATH } from '../support/fixtures.js';
import { freePort } from '../support/net.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `redis://127.0.0.1:<port>` of the private server, or '' when redis-server is missing. */
    redisUrl: string;
    /** Port of the private redis-server (0 when missing), to pause or stop it in tests. */
    redisPort: number;
    /** Absolute path of the built entry point (the test build's index.js). */
    appEntry: string;
    /** `http://127.0.0.1:<port>` of the shared Prism mock (static mode; may still be starting). */
    prismUrl: string;
    /** File that receives everything the shared Prism prints (its validator's `Violation` lines). */
    prismLog: string;
  }
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every .ts file under `dir`, recursively. */
function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/**
 * Transpiles src/ into `out` (ES modules, as tsc would emit them), with a package.json that marks
 * them as ESM and a link to the project's node_modules so that packages resolve.
 * @throws {Error} when a file does not parse.
 */
async function buildForProcesses(out: string): Promise<void> {
  const src = join(ROOT, 'src');
  await Promise.all(
    tsFiles(src).map(async (file) => {
      const { code } = await transformWithOxc(readFileSync(file, 'utf8'), file, { lang: 'ts', target: 'es2022' });
      const target = join(out, relative(src, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, code);
    }),
  );
  writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'module' }));
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'), 'dir');
}

const CACHE = join(ROOT, 'node_modules', '.cache', 'astro-user-test');

/**
 * SHA-256 over what the production build's type check reads that can change: src/, the two
 * tsconfigs and package-lock.json (the installed packages' types).
 */
function buildInputsHash(): string {
  const hash = createHash('sha256');
  const files = [...tsFiles(join(ROOT, 'src')).sort(), ...['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((f) => join(ROOT, f))];
  for (const file of files) hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/**
 * Starts `tsc --noEmit` on the production build's config (about 7 s of CPU); resolves with its
 * exit code and output. Skipped (code 0) when the inputs are those of the last check that passed.
 */
function typecheckInBackground(): Promise<{ code: number | null; output: string }> {
  const passed = join(CACHE, 'build-typecheck.passed');
  const inputs = buildInputsHash();
  if (existsSync(passed) && readFileSync(passed, 'utf8') === inputs) return Promise.resolve({ code: 0, output: '' });
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const child = spawn(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--noEmit'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      if (code === 0) {
        mkdirSync(CACHE, { recursive: true });
        writeFileSync(passed, inputs);
      }
      resolve({ code, output });
    }),
  );
}

/**
 * Spawns Prism (static mode) on a free port without waiting for it, writing everything it prints
 * to `logFile`; `stop()` ends it. test/support/prism.ts waits until it answers.
 */
async function spawnPrism(logFile: string): Promise<{ url: string; logFile: string; stop(): Promise<void> }> {
  const port = await freePort();
  const fd = openSync(logFile, 'a');
  const bin = join(ROOT, 'node_modules', '.bin', 'prism');
  const child = spawn(bin, ['mock', '-h', '127.0.0.1', '-p', String(port), ASTRO_SPEC_PATH], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `http://127.0.0.1:${port}`,
    logFile,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const typecheck = typecheckInBackground();
  const work = mkdtempSync(join(tmpdir(), 'astro-user-test-'));
  const prism = await spawnPrism(join(work, 'prism.log'));
  project.provide('prismUrl', prism.url);
  project.provide('prismLog', prism.logFile);
  const build = join(work, 'build');
  await buildForProcesses(build);
  project.provide('appEntry', join(build, 'index.js'));

  let redis: ChildProcess | undefined;
  const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
  if (hasRedis) {
    const port = await freePort();
    redis = await startRedis(port);
    project.provide('redisUrl', `redis://127.0.0.1:${port}`);
    project.provide('redisPort', port);
  } else {
    process.stderr.write('redis-server is not installed: the Redis tests are skipped (CI installs it).\n');
    project.provide('redisUrl', '');
    project.provide('redisPort', 0);
  }
  return async () => {
    redis?.kill('SIGTERM');
    await prism.stop();
    rmSync(work, { recursive: true, force: true });
    const { code, output } = await typecheck;
    if (code !== 0) {
      // vitest reports an error thrown here but still exits 0: set the exit code ourselves.
      process.stderr.write(`\ntsc -p tsconfig.build.json found errors: the production build would fail.\n${output}\n`);
      process.exitCode = 1;
    }
  };
}
