/**
 * Child processes under test: spawn with an environment, wait for /healthz, read RSS and CPU
 * time from /proc, stop with SIGTERM (SIGKILL after a bound).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** A free TCP port on loopback. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** GET url → status (0 on error), bounded by timeoutMs. */
export function httpStatus(url, timeoutMs = 500) {
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** GET url → body text ('' on error). */
export function httpText(url, headers = {}, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: timeoutMs, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(''));
  });
}

const children = new Set();

/** Total busy jiffies of the machine (all CPUs) from /proc/stat. */
function machineBusyTicks() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return f[0] + f[1] + f[2] + f[5] + f[6] + f[7];
}

function ticksOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/**
 * Samples, once a second, how much of the machine's CPU went to processes other than the bench's
 * own (driver + children): other engineers' test runs, for example. `stop()` returns the average
 * and the peak, in CPUs (2.0 = both cores).
 */
export function startBackgroundSampler() {
  /** CPU ticks of the bench: the driver, reaped children (cutime/cstime) and live children. */
  const ours = () => {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    let t = f[11] + f[12] + f[13] + f[14];
    for (const c of children) t += ticksOf(c.pid) ?? 0;
    return t;
  };
  let prevTotal = machineBusyTicks();
  let prevOurs = ours();
  const samples = [];
  const timer = setInterval(() => {
    const total = machineBusyTicks();
    const o = ours();
    samples.push(Math.max(0, (total - prevTotal - (o - prevOurs)) / 100));
    prevTotal = total;
    prevOurs = o;
  }, 1000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      const avg = samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length);
      const sorted = [...samples].sort((a, b) => a - b);
      return { avg, p90: sorted[Math.floor(sorted.length * 0.9)] ?? 0, max: sorted[sorted.length - 1] ?? 0, n: samples.length };
    },
  };
}

/** Counts `child` (e.g. redis-server) as the bench's own in the background sampler. */
export function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Kills every child still running (on a crash of the driver). */
export function killAll() {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/**
 * Spawns `node [...nodeArgs] script` with `env` (plus PATH) in a fresh temporary folder, and waits
 * until GET /healthz answers 200 (≤ 20 s). Returns the process with its URL and the start-up time
 * (spawn → first 200), polled every `pollMs`.
 */
export async function startProc({ name, script, env, nodeArgs = [], pollMs = 5 }) {
  const port = await freePort();
  const cwd = mkdtempSync(join(tmpdir(), 'astro-user-bench-'));
  const t0 = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  const keep = (d) => {
    out += d.toString();
    if (out.length > 20_000) out = out.slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve(code ?? signal);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = t0 + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited early (${child.exitCode}):\n${out}`);
    if ((await httpStatus(`${url}/healthz`, 500)) === 200) break;
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not answer /healthz within 20 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  const startupMs = performance.now() - t0;
  return {
    name,
    url,
    pid: child.pid,
    cwd,
    startupMs,
    output: () => out,
    /** VmRSS in MiB. */
    rssMiB() {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : NaN;
    },
    /** utime + stime in clock ticks (USER_HZ, 100/s on Linux). */
    cpuTicks() {
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(fields[11]) + Number(fields[12]);
    },
    /** Sends `signal` to the process. */
    signal(signal) {
      child.kill(signal);
    },
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** CPU ticks per second of /proc/<pid>/stat (USER_HZ). */
export const TICKS_PER_SECOND = 100;
