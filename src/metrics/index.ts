export {
  PrometheusMetrics,
  type BatonProcess,
  type SchedulerGaugeSource,
  type WorkerGaugeSource,
  type ImportErrorSource,
  type TriggererSource,
} from "./prometheus-metrics.js";
export { startMetricsServer, type MetricsServer } from "./metrics-server.js";
