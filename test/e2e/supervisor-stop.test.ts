/**
 * What a process supervisor sees: it starts one process (the Procfile's `web` command, or the
 * README's `npm start`), later sends SIGTERM to that process only (as `docker stop` or systemd
 * with `KillMode=mixed` do), and expects the bot to stop gracefully with nothing left running:
 * no orphaned `node` still holding the port.
 *
 * npm runs a script through `sh -c`; dash (Debian's and Ubuntu's `/bin/sh`) forks the command
 * instead of replacing itself with it, and npm forwards SIGTERM to that shell only
 * (https://github.com/npm/run-script/blob/main/lib/signal-manager.js), so `node` used to be left
 * running. Linux only: descendants are found through /proc.
 */
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASTRO_TOKEN, BOT_TOKEN, ORG_ID, SIGNING_SECRET, slackHandler } from '../support/app.js';
import { ADA } from '../support/fixtures.js';
import { json, startHttpStub, type HttpStub } from '../support/http-stub.js';
import { freePort } from '../support/net.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A deployed copy of the project, as a platform runs it: package.json and the Procfile, with
 * `dist/` (the test run's build of src/) and node_modules linked in.
 */
function deployedProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'astro-user-deployed-'));
  for (const f of ['package.json', 'Procfile']) copyFileSync(join(ROOT, f), join(dir, f));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  symlinkSync(dirname(inject('appEntry')), join(dir, 'dist'));
  return dir;
}

/** Parent pid of every process now running, from /proc/<pid>/stat (field 4, after the name in parentheses). */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      map.set(Number(entry), ppid);
    } catch {
      /* exited meanwhile */
    }
  }
  return map;
}

/** Every descendant of `pid` now running (children, grandchildren, …). */
function descendantsOf(pid: number): number[] {
  const map = parents();
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    for (const [child, parent] of map) if (parent === p) (found.push(child), queue.push(child));
  }
  return found;
}

/** True while `pid` exists and is not a zombie. */
function running(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Resolves when a TCP connection to the loopback `port` is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

/**
 * The environment a supervisor gives the bot: every variable of .env.example set (blank ones
 * blank, so that a developer's own .env, which dotenv never lets override, changes nothing), a
 * stand-in Slack and Astro on loopback, no network.
 */
function supervisorEnv(port: number, slack: HttpStub, astro: HttpStub): Record<string, string> {
  const blank = Object.fromEntries(
    [...readFileSync(join(ROOT, '.env.example'), 'utf8').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => [m[1]!, '']),
  );
  return {
    ...blank,
    // npm and the `node` of its script: the Node that runs these tests comes first.
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    HOME: process.env.HOME ?? ROOT,
    npm_config_update_notifier: 'false',
    PORT: String(port),
    STORE_URL: 'memory:',
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: `${slack.url}/api/`,
    ASTRO_API_URL: astro.url,
    ASTRO_API_TOKEN: ASTRO_TOKEN,
    ASTRO_ORGANIZATION_ID: ORG_ID,
    LOG_LEVEL: 'info',
  };
}

/** The Procfile's `web` command, split into words (it has no quoting). */
function procfileWeb(): string[] {
  const line = readFileSync(join(ROOT, 'Procfile'), 'utf8').split('\n').find((l) => l.startsWith('web:'));
  if (!line) throw new Error('Procfile has no web process');
  return line.slice('web:'.length).trim().split(/\s+/);
}

describe.skipIf(process.platform !== 'linux')('SIGTERM from a supervisor to the process it started', () => {
  let slack: HttpStub | undefined;
  let astro: HttpStub | undefined;
  const leftovers: number[] = [];
  let project = ROOT;
  beforeAll(() => {
    project = deployedProject();
  });
  afterEach(async () => {
    for (const pid of leftovers.splice(0)) if (running(pid)) process.kill(pid, 'SIGKILL');
    await Promise.all([slack?.close(), astro?.close()]);
  });

  /**
   * Starts `command` in the project folder as a supervisor would (no shell of its own), waits
   * for the bot's "listening" line, sends SIGTERM to that one process, and returns what is left.
   */
  async function startAndTerminate(command: string, args: string[]) {
    slack = await startHttpStub(slackHandler());
    astro = await startHttpStub((_req, res) => json(res, 200, ADA));
    const port = await freePort();
    const child: ChildProcess = spawn(command, args, { cwd: project, env: supervisorEnv(port, slack, astro), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const listening = new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        out += d.toString();
        if (out.includes(`"msg":"astro-user listening on port ${port}"`)) resolve();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`exited (${code}) before listening:\n${out}`)));
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    await listening;
    const tree = descendantsOf(child.pid!);
    leftovers.push(...tree);
    child.kill('SIGTERM');
    const { code, signal } = await exited;
    return { tree, code, signal, port, output: () => out, stillRunning: tree.filter(running) };
  }

  it("npm start (the README's command): the bot shuts down, npm exits 0, no node is left and the port is closed", async () => {
    // --ignore-scripts skips only prestart (the build; the test run built src/ already), not start itself:
    // https://docs.npmjs.com/cli/v11/using-npm/config#ignore-scripts
    const r = await startAndTerminate('npm', ['start', '--ignore-scripts']);
    expect(r.tree.length, 'npm started the bot').toBeGreaterThan(0);
    expect(r.stillRunning, `still running after npm exited: ${r.stillRunning.join(', ')}`).toEqual([]);
    expect(await refused(r.port)).toBe(true);
    expect(r.output()).toContain('"signal":"SIGTERM","msg":"shutting down"');
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 0, signal: null });
  }, 60_000);

  it("the Procfile's web command: the bot shuts down, exits 0 and the port is closed", async () => {
    const [program, ...args] = procfileWeb();
    expect(program).toBe('node');
    const r = await startAndTerminate(process.execPath, args);
    expect(r.stillRunning).toEqual([]);
    expect(await refused(r.port)).toBe(true);
    expect(r.output()).toContain('"signal":"SIGTERM","msg":"shutting down"');
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 0, signal: null });
  }, 60_000);
});
