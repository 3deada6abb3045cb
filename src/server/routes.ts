/**
 * The HTTP routes beside Slack's: `GET /healthz` and `GET /metrics`. No secrets, no IDs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { metricsHandler, type Metrics } from '../metrics.js';
import type { Stores } from '../store/index.js';
import type { Health } from './health.js';

/** `GET /healthz` (and HEAD): 200 with the {@link HealthReport} (status `ok` or `degraded`). */
export function healthRoute(stores: Stores, health: Health): CustomRoute {
  return {
    path: '/healthz',
    method: ['GET', 'HEAD'],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      void health.report(stores).then((report) => {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(report));
      });
    },
  };
}

/** The routes: `/healthz`, and `/metrics` behind `METRICS_TOKEN` (404 without one). */
export function customRoutes(stores: Stores, health: Health, metrics: Metrics, metricsToken: string | undefined): CustomRoute[] {
  return [healthRoute(stores, health), { path: '/metrics', method: ['GET'], handler: metricsHandler(metrics, metricsToken) }];
}
