import type { BatonConfig } from "../../config/config.js";
import type { MetricsExposition } from "../../core/ports/metrics.js";
import { startMetricsServer, type MetricsServer } from "../../metrics/index.js";

/**
 * Starts the separate metrics listener when BATON_METRICS_PORT / `--metrics-port` is set
 * (docs/metrics.md); null otherwise. It serves `GET /metrics` only, without authentication.
 */
export async function serveMetricsPort(config: BatonConfig, metrics: MetricsExposition): Promise<MetricsServer | null> {
  if (config.metricsPort === null) return null;
  return startMetricsServer(metrics, config.metricsHost, config.metricsPort);
}

/** The banner line naming the metrics endpoints. */
export function metricsBanner(server: MetricsServer | null, apiUrl: string | null): string {
  const where = [apiUrl ? `${apiUrl}/metrics` : null, server ? `${server.url} (no auth)` : null].filter((x) => x !== null);
  return where.length > 0 ? `  Metrics:     ${where.join(", ")}\n` : "";
}
