/**
 * Prometheus metrics with prom-client, in a registry of the app's own (so that two apps in one
 * process, as in tests, do not share counters). Labels never carry a team, user or Astro ID:
 * only surfaces, outcomes, kinds and HTTP statuses, which are few.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BreakerStateName } from './astro/policy.js';

/** The app's metrics. */
export interface Metrics {
  registry: Registry;
  /** Lookups by surface (`command`, `home`, `mention`, `shortcut`, `refresh`, `share`) and outcome (`found` or an error kind). */
  lookups: Counter<'surface' | 'outcome'>;
  /** Cache reads by result (`hit`, `miss`). */
  cache: Counter<'result'>;
  /** Astro API request durations in seconds, by HTTP status (`0` when there was no answer). */
  upstreamSeconds: Histogram<'status'>;
  /** Retries of Astro API requests, by error kind. */
  retries: Counter<'kind'>;
  /** Lookups refused by the abuse limits, by scope (`user`, `workspace`). */
  throttled: Counter<'scope'>;
  /** Stored secrets that would not decrypt, by kind (`installation`, `astro_token`). */
  unreadableSecrets: Counter<'kind'>;
}

const BREAKER_VALUE: Record<BreakerStateName, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * Creates the metrics, with Node's default process metrics.
 * @param breakerState reads the worst circuit breaker state at scrape time (0 closed, 1 half-open, 2 open).
 */
export function createMetrics(breakerState: () => BreakerStateName): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'astro_user_' });
  const lookups = new Counter({ name: 'astro_user_lookups_total', help: 'Lookups by Slack surface and outcome', labelNames: ['surface', 'outcome'] as const, registers: [registry] });
  const cache = new Counter({ name: 'astro_user_cache_reads_total', help: 'User cache reads by result', labelNames: ['result'] as const, registers: [registry] });
  const upstreamSeconds = new Histogram({
    name: 'astro_user_astro_request_duration_seconds',
    help: 'Astro API request durations by HTTP status (0: no answer)',
    labelNames: ['status'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8],
    registers: [registry],
  });
  const retries = new Counter({ name: 'astro_user_astro_retries_total', help: 'Astro API retries by error kind', labelNames: ['kind'] as const, registers: [registry] });
  const throttled = new Counter({ name: 'astro_user_throttled_total', help: 'Lookups refused by the abuse limits, by scope', labelNames: ['scope'] as const, registers: [registry] });
  new Gauge({
    name: 'astro_user_astro_circuit_state',
    help: 'Worst Astro API circuit breaker state: 0 closed, 1 half-open, 2 open',
    registers: [registry],
    collect() {
      this.set(BREAKER_VALUE[breakerState()]);
    },
  });
  const unreadableSecrets = new Counter({
    name: 'astro_user_unreadable_secrets_total',
    help: 'Stored secrets (installations, Astro tokens) that would not decrypt with the configured keys, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  return { registry, lookups, cache, upstreamSeconds, retries, throttled, unreadableSecrets };
}

/** True when the request's `Authorization: Bearer …` equals `token`, in constant time. */
function bearerMatches(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/**
 * `GET /metrics` in Prometheus text format, behind `Authorization: Bearer <METRICS_TOKEN>`.
 * Without a configured token the route answers 404, so metrics are never public by accident.
 */
export function metricsHandler(metrics: Metrics, token: string | undefined) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (!token) {
      res.writeHead(404).end();
      return;
    }
    if (!bearerMatches(req, token)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
      return;
    }
    metrics.registry
      .metrics()
      .then((text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
        res.end(text);
      })
      .catch(() => res.writeHead(500).end());
  };
}
