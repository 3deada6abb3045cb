/**
 * Runs the built app (test/setup/global.ts builds src/ for the run) as a real process, as
 * `npm start` would after building, with its own environment and no .env (it runs in a temporary
 * folder). A test file that starts processes calls `afterAll(killAppProcesses)`, so that none
 * outlives it whatever its tests did.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { freePort } from './net.js';

/** A running app process. */
export interface AppProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr. */
  output(): string;
  /** Resolves with the exit code once the process has exited (and its output is read). */
  exited: Promise<number | null>;
  /** Resolves once the output contains `text`; rejects after `timeoutMs` or when the process exits without it. */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
}

const running = new Set<ChildProcess>();

/** SIGKILLs every app process started here that is still running, and waits until they are gone. */
export async function killAppProcesses(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          running.delete(child);
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/**
 * Spawns the app with `env` on a free port without waiting for anything: for a process expected
 * to stop by itself (a refused token or a bad configuration); await `exited`.
 */
export async function spawnAppProcess(env: Record<string, string>): Promise<AppProcess> {
  const port = await freePort();
  const cwd = mkdtempSync(join(tmpdir(), 'astro-user-proc-'));
  const child = spawn(process.execPath, [inject('appEntry')], {
    cwd,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), STORE_URL: `sqlite://${join(cwd, 'store.sqlite')}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let out = '';
  const readers = new Set<() => void>();
  const read = (d: Buffer) => {
    out += d.toString();
    for (const r of readers) r();
  };
  child.stdout?.on('data', read);
  child.stderr?.on('data', read);
  // 'close' (not 'exit'): stdout and stderr are read to the end by then.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const waitForOutput = (text: string, timeoutMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        readers.delete(check);
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const check = () => out.includes(text) && done();
      const timer = setTimeout(() => done(new Error(`no ${JSON.stringify(text)} in the output within ${timeoutMs} ms:\n${out}`)), timeoutMs);
      void exited.then(() => done(out.includes(text) ? undefined : new Error(`exited without ${JSON.stringify(text)}:\n${out}`)));
      readers.add(check);
      check();
    });
  return { url: `http://127.0.0.1:${port}`, child, output: () => out, exited, waitForOutput, kill: (signal = 'SIGTERM') => child.kill(signal) };
}

/**
 * Starts the app with `env` on a free port and waits until `/healthz` answers (≤ 60 s: a bound
 * for a process that never comes up, generous for a busy machine; start-up time is the bench's).
 */
export async function startAppProcess(env: Record<string, string>): Promise<AppProcess> {
  const app = await spawnAppProcess(env);
  const deadline = Date.now() + 60_000;
  let exitedEarly = false;
  void app.exited.then(() => (exitedEarly = true));
  for (;;) {
    if (exitedEarly) throw new Error(`app exited early (${app.child.exitCode}):\n${app.output()}`);
    try {
      const res = await fetch(`${app.url}/healthz`, { signal: AbortSignal.timeout(500) });
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      app.kill('SIGKILL');
      throw new Error(`app did not start:\n${app.output()}`);
    }
    await Promise.race([app.exited, new Promise((r) => setTimeout(r, 50))]);
  }
  return app;
}
