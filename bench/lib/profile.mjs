/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): top frames by self time and by
 * inclusive time, and self time grouped by where the code lives (a package, dist/, node:).
 */
import { readFileSync } from 'node:fs';

let buildDir = '';
/** Frames from this folder (the build under test) are labelled `dist/…`. */
export function setBuildDir(dir) {
  buildDir = dir.replace(/\/+$/, '');
}

function where(url) {
  if (!url) return '(native/V8)';
  const path = url.replace(/^file:\/\//, '');
  if (buildDir && path.startsWith(`${buildDir}/`)) return `dist/${path.slice(buildDir.length + 1)}`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  const dist = /\/dist\/(.+)$/.exec(url);
  if (dist) return `dist/${dist[1]}`;
  const bench = /\/bench\/(.+)$/.exec(url);
  if (bench) return `bench/${bench[1]}`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

function label(cf) {
  const fn = cf.functionName || '(anonymous)';
  return `${fn} ${where(cf.url)}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
}

/**
 * @returns {{ totalMs: number, self: [string, number][], inclusive: [string, number][], byPlace: [string, number][] }}
 *   times in ms, sorted descending.
 */
export function summarise(file, top = 15, window = {}) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const fromUs = window.fromUs ?? -Infinity;
  const toUs = window.toUs ?? Infinity;
  const byId = new Map();
  const parent = new Map();
  for (const n of prof.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const self = new Map();
  const inclusive = new Map();
  const byPlace = new Map();
  let total = 0;
  const add = (m, k, v) => m.set(k, (m.get(k) ?? 0) + v);
  // Each sample counts for the profiler's nominal interval (the median gap between samples),
  // not for its own gap: on a busy machine a preempted thread's next sample comes late, and
  // weighting by the gap would charge the wait to whatever frame happened to be running.
  const gaps = Float64Array.from(prof.timeDeltas).sort();
  const interval = (gaps[Math.floor(gaps.length / 2)] ?? 1000) / 1000;
  let at = prof.startTime;
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = interval;
    at += prof.timeDeltas[i] ?? 0;
    if (at < fromUs || at > toUs) continue;
    const node = byId.get(prof.samples[i]);
    if (!node) continue;
    total += dt;
    const name = node.callFrame.functionName;
    if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') {
      add(self, name, dt);
      add(byPlace, name, dt);
      continue;
    }
    add(self, label(node.callFrame), dt);
    add(byPlace, where(node.callFrame.url), dt);
    const seen = new Set();
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      const k = label(byId.get(id).callFrame);
      if (k.startsWith('(root)')) break;
      if (!seen.has(k)) {
        seen.add(k);
        add(inclusive, k, dt);
      }
    }
  }
  const sorted = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  const idle = self.get('(idle)') ?? 0;
  return {
    totalMs: total,
    busyMs: total - idle,
    self: sorted(self),
    inclusive: sorted(inclusive),
    byPlace: sorted(byPlace),
    all: { self, inclusive, byPlace },
  };
}

/**
 * Markdown comparing two profiles per unit of work (e.g. per command): where `a` spends more
 * CPU than `b`, by place and by frame (self), and `a`'s own code (dist/) by inclusive time.
 */
export function diffMarkdown(a, aCount, b, bCount, top = 15) {
  const per = (ms, n) => (1000 * ms) / n; // µs per unit
  const diff = (ma, mb) =>
    [...new Set([...ma.keys(), ...mb.keys()])]
      .filter((k) => k !== '(idle)')
      .map((k) => [k, per(ma.get(k) ?? 0, aCount), per(mb.get(k) ?? 0, bCount)])
      .sort((x, y) => y[1] - y[2] - (x[1] - x[2]))
      .slice(0, top);
  const table = (title, list) =>
    [`| ${title} | astro-user µs/cmd | bare Bolt µs/cmd | extra µs/cmd |`, '| --- | ---: | ---: | ---: |', ...list.map(([k, x, y]) => `| ${k.replace(/\|/g, '\\|')} | ${x.toFixed(1)} | ${y.toFixed(1)} | ${(x - y).toFixed(1)} |`)].join('\n');
  const own = [...a.all.inclusive.entries()]
    .filter(([k]) => / dist\//.test(k))
    .sort((x, y) => y[1] - x[1])
    .slice(0, top)
    .map(([k, v]) => `| ${k} | ${per(v, aCount).toFixed(1)} |`);
  return [
    `Busy CPU per command: astro-user ${per(a.busyMs, aCount).toFixed(0)} µs (${aCount} commands), bare Bolt ${per(b.busyMs, bCount).toFixed(0)} µs (${bCount} commands).`,
    '',
    table('Extra self time by place', diff(a.all.byPlace, b.all.byPlace)),
    '',
    table('Extra self time by frame', diff(a.all.self, b.all.self)),
    '',
    '| astro-user code (dist/), inclusive | µs/cmd |',
    '| --- | ---: |',
    ...own,
    '',
  ].join('\n');
}

/** Markdown for one summary; `busyMs` excludes idle. */
export function summaryMarkdown(title, s) {
  const busy = s.busyMs;
  const pctOf = (v) => `${((100 * v) / busy).toFixed(1)}%`;
  const rows = (list) => list.filter(([k]) => k !== '(idle)').map(([k, v]) => `| ${k.replace(/\|/g, '\\|')} | ${v.toFixed(0)} | ${pctOf(v)} |`).join('\n');
  return [
    `### ${title}`,
    '',
    `Sampled ${s.totalMs.toFixed(0)} ms of the measured window, busy (not idle) ${busy.toFixed(0)} ms; percentages are of busy time.`,
    '',
    '| Self time: frame | ms | % |',
    '| --- | ---: | ---: |',
    rows(s.self),
    '',
    '| Self time by place | ms | % |',
    '| --- | ---: | ---: |',
    rows(s.byPlace),
    '',
    '| Inclusive time: frame | ms | % |',
    '| --- | ---: | ---: |',
    rows(s.inclusive),
    '',
  ].join('\n');
}
