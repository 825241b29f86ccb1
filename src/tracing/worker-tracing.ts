import { context, propagation, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { loadTracingConfig } from "../config/tracing-config.js";
import type { Logger } from "../core/ports/logger.js";
import { AsyncLocalContextManager } from "./async-local-context-manager.js";
import { reportSdkProblems } from "./scheduler-tracing.js";
import { newTracerProvider } from "./tracer-provider.js";

/** Tracing in a task-runner process: what the task's own code traces, under its attempt's span. */
export interface WorkerTracing {
  /** Sends the spans ended so far; called after each attempt, off its path. */
  flush(): Promise<void>;
}

/**
 * Sets up the standard OpenTelemetry API in this process (docs/tracing.md): a context manager on
 * AsyncLocalStorage (the attempt's span is the active one while the task runs), the W3C Trace
 * Context propagator, and, when the `OTEL_*` variables turn tracing on, a tracer provider
 * exporting like the scheduler does. Called once, before the first attempt that carries a
 * `traceparent`; user code then uses `trace.getTracer(…)` or `ctx.trace`.
 */
export function startWorkerTracing(env: NodeJS.ProcessEnv, logger: Logger): WorkerTracing {
  context.setGlobalContextManager(new AsyncLocalContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const config = loadTracingConfig(env);
  if (config === null) return { flush: async () => {} };
  reportSdkProblems(logger);
  const provider = newTracerProvider(config);
  trace.setGlobalTracerProvider(provider);
  return { flush: () => provider.forceFlush() };
}
