import type { Request, RequestHandler } from 'express';
import client from 'prom-client';

export type MetricsRegistry = client.Registry;

/** A registry per app, so several apps in one process (tests) never clash. */
export function createMetricsRegistry(service: string, opts: { defaultMetrics?: boolean } = {}): client.Registry {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  if (opts.defaultMetrics) client.collectDefaultMetrics({ register: registry });
  return registry;
}

function routeLabel(req: Request): string {
  const template = (req.route as { path?: unknown } | undefined)?.path;
  // unmatched paths share one label so random URLs cannot blow up the series count
  return typeof template === 'string' ? `${req.baseUrl}${template}` : 'unmatched';
}

/** Counts requests and times them by method, route template and status. */
export function httpMetrics(registry: client.Registry): RequestHandler {
  const requests = new client.Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return (req, res, next) => {
    const end = duration.startTimer();
    res.on('finish', () => {
      const labels = { method: req.method, route: routeLabel(req), status: String(res.statusCode) };
      requests.inc(labels);
      end(labels);
    });
    next();
  };
}

export function metricsEndpoint(registry: client.Registry): RequestHandler {
  return (_req, res, next) => {
    registry
      .metrics()
      .then((text) => res.type(registry.contentType).send(text))
      .catch(next);
  };
}
