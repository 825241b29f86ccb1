import type * as OtelApi from "@opentelemetry/api";
import type { TaskSpan, TaskTrace } from "../../sdk/context.js";

/**
 * The OpenTelemetry API when the project has it (an optional peer dependency, installed with the
 * OpenTelemetry SDK that tracing needs), else null: without it `ctx.trace` still works, its spans
 * are no-ops and `traceparent` is the attempt's own.
 */
const api: typeof OtelApi | null = await import("@opentelemetry/api").then(
  (m) => m,
  () => null,
);

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The attempt's trace context: the API's Context when the API is there, else the parsed `traceparent`. */
export type AttemptContext = OtelApi.Context | { readonly traceparent: string };

/** The attempt span's context from its W3C `traceparent`, or null when absent or malformed. */
export function attemptContext(traceparent: string | undefined): AttemptContext | null {
  const m = traceparent === undefined ? null : TRACEPARENT.exec(traceparent);
  if (m === null) return null;
  const flags = parseInt(m[3]!, 16) & 1;
  if (api === null) return { traceparent: `00-${m[1]!}-${m[2]!}-0${flags}` };
  const parent: OtelApi.SpanContext = { traceId: m[1]!, spanId: m[2]!, traceFlags: flags, isRemote: true };
  return api.trace.setSpanContext(api.ROOT_CONTEXT, parent);
}

/** Runs the task's code with the attempt's span active (a no-op without a context manager, a traceparent or the API). */
export function inAttemptContext<T>(attempt: AttemptContext | null, fn: () => T): T {
  return attempt === null || api === null ? fn() : api.context.with(attempt as OtelApi.Context, fn);
}

/**
 * `ctx.trace`, on the OpenTelemetry API only: with no tracer provider registered (tracing off,
 * `baton dags test`) its spans are the API's non-recording ones; without the API, no-op spans.
 */
export function taskTrace(attempt: AttemptContext | null): TaskTrace {
  if (api === null) return noOpTrace(attempt === null ? null : (attempt as { traceparent: string }).traceparent);
  const { context, trace, SpanStatusCode, TraceFlags } = api;
  const own = attempt as OtelApi.Context | null;
  /** The active context when a context manager carries one, else the attempt's. */
  const current = (): OtelApi.Context => {
    const active = context.active();
    return trace.getSpan(active) !== undefined || own === null ? active : own;
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

const INVALID_SPAN_CONTEXT = { traceId: "0".repeat(32), spanId: "0".repeat(16), traceFlags: 0 };

/** A span that records nothing (what the OpenTelemetry API gives when tracing is off). */
const NO_OP_SPAN: TaskSpan = {
  setAttribute: () => NO_OP_SPAN,
  setAttributes: () => NO_OP_SPAN,
  addEvent: () => NO_OP_SPAN,
  setStatus: () => NO_OP_SPAN,
  updateName: () => NO_OP_SPAN,
  recordException: () => undefined,
  isRecording: () => false,
  spanContext: () => INVALID_SPAN_CONTEXT,
  end: () => undefined,
};

/** `ctx.trace` without the OpenTelemetry API: the attempt's traceparent, spans that record nothing. */
function noOpTrace(traceparent: string | null): TaskTrace {
  return {
    traceparent,
    span: async (_name, fn) => fn(NO_OP_SPAN),
  };
}
