import { DiagLogLevel, diag } from "@opentelemetry/api";
import type { TracingConfig } from "../config/tracing-config.js";
import type { DomainEventListener } from "../core/model/domain-events.js";
import type { Executor } from "../core/ports/executor.js";
import type { Logger } from "../core/ports/logger.js";
import { PlannedIds, RunSpans } from "./run-spans.js";
import { TracedExecutor } from "./traced-executor.js";
import { newTracerProvider } from "./tracer-provider.js";

/** Tracing in a scheduling process (docs/tracing.md): the spans of runs, task instances and attempts. */
export interface SchedulerTracing {
  /** The domain-event subscriber (`scheduler.onDomainEvent`). */
  listener: DomainEventListener;
  /** Wraps the executor so every attempt carries its span's `traceparent` to the worker. */
  traced(executor: Executor): Executor;
  /** Records the events still queued and exports every ended span, for up to 5 s (a collector that is down must not hold the stop); call after the scheduler stopped. */
  shutdown(): Promise<void>;
}

const SHUTDOWN_CAP_MS = 5_000;

export function startSchedulerTracing(config: TracingConfig, logger: Logger): SchedulerTracing {
  reportSdkProblems(logger);
  const ids = new PlannedIds();
  const provider = newTracerProvider(config, ids);
  const spans = new RunSpans(provider.getTracer("baton"), ids, config.serviceName);
  return {
    listener: spans.listener,
    traced: (executor) => new TracedExecutor(executor, config.serviceName),
    shutdown: async () => {
      spans.drain();
      let timer: NodeJS.Timeout | undefined;
      const capped = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_CAP_MS).unref()));
      await Promise.race([provider.shutdown().catch((err: unknown) => logger.warn({ err }, "OpenTelemetry: spans not exported at shutdown")), capped]);
      clearTimeout(timer);
    },
  };
}

/** Export failures (collector down, 4xx) reach Baton's log as warnings instead of vanishing. */
export function reportSdkProblems(logger: Logger): void {
  const log = (...args: unknown[]) => logger.warn({ otel: args.map((a) => (a instanceof Error ? a.message : String(a))).join(" ") }, "OpenTelemetry problem");
  diag.setLogger({ error: log, warn: log, info: () => {}, debug: () => {}, verbose: () => {} }, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
}
