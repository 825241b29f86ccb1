import { context, ROOT_CONTEXT, SpanStatusCode, TraceFlags, trace, type Context, type SpanContext } from "@opentelemetry/api";
import type { TaskTrace } from "../../sdk/context.js";

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The attempt span's context from its W3C `traceparent`, or null when absent or malformed. */
export function attemptContext(traceparent: string | undefined): Context | null {
  const m = traceparent === undefined ? null : TRACEPARENT.exec(traceparent);
  if (m === null) return null;
  const parent: SpanContext = { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16) & TraceFlags.SAMPLED, isRemote: true };
  return trace.setSpanContext(ROOT_CONTEXT, parent);
}

/** Runs the task's code with the attempt's span active (a no-op without a context manager or a traceparent). */
export function inAttemptContext<T>(attempt: Context | null, fn: () => T): T {
  return attempt === null ? fn() : context.with(attempt, fn);
}

/**
 * `ctx.trace`, on the OpenTelemetry API only: with no tracer provider registered (tracing off,
 * `baton dags test`) its spans are the API's non-recording ones.
 */
export function taskTrace(attempt: Context | null): TaskTrace {
  /** The active context when a context manager carries one, else the attempt's. */
  const current = (): Context => {
    const active = context.active();
    return trace.getSpan(active) !== undefined || attempt === null ? active : attempt;
  };
  return {
    get traceparent() {
      const sc = trace.getSpanContext(current());
      if (sc === undefined || !trace.isSpanContextValid(sc)) return null;
      return `00-${sc.traceId}-${sc.spanId}-0${sc.traceFlags & TraceFlags.SAMPLED}`;
    },
    span(name, fn, attributes) {
      return trace.getTracer("baton.task").startActiveSpan(name, attributes === undefined ? {} : { attributes }, current(), async (span) => {
        try {
          return await fn(span);
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          span.recordException(e instanceof Error ? e : message);
          span.setStatus({ code: SpanStatusCode.ERROR, message });
          throw e;
        } finally {
          span.end();
        }
      });
    },
  };
}
