/**
 * The HTTP routes beside Slack's: `GET /healthz` and `GET /metrics`. No secrets, no IDs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { metricsHandler, type Metrics } from '../metrics.js';
import type { Stores } from '../store/index.js';

/** `GET /healthz` (and HEAD): 200 with the store's reachability. */
export function healthRoute(stores: Stores): CustomRoute {
  return {
    path: '/healthz',
    method: ['GET', 'HEAD'],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      void stores.ping().then((reachable) => {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ ok: true, status: reachable ? 'ok' : 'degraded', store: { kind: stores.kind, reachable } }));
      });
    },
  };
}

/** The routes: `/healthz`, and `/metrics` behind `METRICS_TOKEN` (404 without one). */
export function customRoutes(stores: Stores, metrics: Metrics, metricsToken: string | undefined): CustomRoute[] {
  return [healthRoute(stores), { path: '/metrics', method: ['GET'], handler: metricsHandler(metrics, metricsToken) }];
}
