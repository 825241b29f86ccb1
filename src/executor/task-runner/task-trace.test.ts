import { context, trace } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, describe, expect, it } from "vitest";
import { AsyncLocalContextManager } from "../../tracing/async-local-context-manager.js";
import { attemptContext, inAttemptContext, taskTrace } from "./task-trace.js";

const ATTEMPT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

describe("ctx.trace without tracing (no traceparent, nothing registered)", () => {
  it("has no traceparent; span runs the function, returns its value and rethrows its error", async () => {
    const t = taskTrace(attemptContext(undefined));
    expect(t.traceparent).toBeNull();
    expect(await t.span("x", () => 42)).toBe(42);
    await expect(t.span("y", async () => Promise.reject(new Error("nope")))).rejects.toThrow("nope");
  });

  it("ignores a malformed traceparent", () => {
    expect(attemptContext("00-xyz")).toBeNull();
    expect(taskTrace(attemptContext("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")).traceparent).toBeNull();
  });
});

describe("ctx.trace with the worker's set-up (AsyncLocalStorage context manager, a tracer provider)", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  context.setGlobalContextManager(new AsyncLocalContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  afterAll(() => {
    trace.disable();
    context.disable();
  });

  it("spans made with ctx.trace and the standard API, across awaits, are children of the attempt span", async () => {
    exporter.reset();
    const attempt = attemptContext(ATTEMPT);
    const t = taskTrace(attempt);
    const seen: (string | null)[] = [];
    await inAttemptContext(attempt, async () => {
      seen.push(t.traceparent);
      await t.span("outer", async (span) => {
        span.setAttribute("k", "v");
        await new Promise((r) => setTimeout(r, 1));
        seen.push(t.traceparent);
        await trace.getTracer("user").startActiveSpan("inner", async (s) => {
          await new Promise((r) => setImmediate(r));
          s.end();
        });
      });
    });
    const spans = exporter.getFinishedSpans();
    const outer = spans.find((s) => s.name === "outer")!;
    const inner = spans.find((s) => s.name === "inner")!;
    expect(outer.spanContext().traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(outer.parentSpanId).toBe("b7ad6b7169203331");
    expect(inner.parentSpanId).toBe(outer.spanContext().spanId);
    expect(outer.attributes.k).toBe("v");
    expect(outer.instrumentationLibrary.name).toBe("baton.task");
    expect(seen).toEqual([ATTEMPT, `00-0af7651916cd43dd8448eb211c80319c-${outer.spanContext().spanId}-01`]);
  });

  it("a function that throws leaves an ERROR span with the exception recorded, and the error goes on", async () => {
    exporter.reset();
    const attempt = attemptContext(ATTEMPT);
    await expect(inAttemptContext(attempt, () => taskTrace(attempt).span("boom", () => Promise.reject(new TypeError("bad row 7"))))).rejects.toThrow(
      "bad row 7",
    );
    const [span] = exporter.getFinishedSpans();
    expect(span!.status).toEqual({ code: 2, message: "bad row 7" });
    expect(span!.events.find((e) => e.name === "exception")?.attributes).toMatchObject({ "exception.type": "TypeError", "exception.message": "bad row 7" });
    expect(span!.parentSpanId).toBe("b7ad6b7169203331");
  });
});
