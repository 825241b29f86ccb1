import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { baton, batonJson, poll, ROOT, startBaton, stopProcess } from "../e2e/baton-cli.js";
import { OtlpReceiver, type ReceivedSpan } from "./otlp-receiver.js";

// OpenTelemetry traces end to end (docs/tracing.md): the real `baton scheduler` and its worker
// processes export OTLP/HTTP JSON to a receiver on 127.0.0.1. Needs dist/ (npx tsc -p tsconfig.build.json).

/** The task's code traces with ctx.trace and with the standard OTel API (resolved from the DAG folder's node_modules). */
const TRACED = `import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { trace } from "@opentelemetry/api";
import { dag } from "baton";
export default dag({ id: "traced" }, (d) => {
  const extract = d.task("extract", async (ctx) => {
    const attemptTraceparent = ctx.trace.traceparent;
    writeFileSync(join(process.env.BATON_HOME, "traceparent.txt"), String(attemptTraceparent));
    return ctx.trace.span("load rows", async (span) => {
      span.setAttribute("rows", 3);
      span.setAttribute("attempt.traceparent", String(attemptTraceparent));
      span.setAttribute("inner.traceparent", String(ctx.trace.traceparent));
      await new Promise((r) => setTimeout(r, 5));
      await trace.getTracer("user-code").startActiveSpan("parse", async (s) => {
        await new Promise((r) => setTimeout(r, 5));
        s.end();
      });
      return 3;
    });
  });
  const load = d.task("load", async () => {
    const span = trace.getTracer("user-code").startSpan("plain api span");
    span.end();
    return "ok";
  });
  extract.then(load);
});
`;

const FAILING = `import { dag } from "baton";
export default dag({ id: "failing" }, (d) => {
  d.task("boom", { retries: 1, retryDelay: 0 }, async () => {
    throw new Error("kaboom in the warehouse");
  });
});
`;

/** Every OTEL_ variable this test could inherit, emptied (empty means unset). */
const NO_OTEL = Object.fromEntries(
  Object.keys(process.env)
    .filter((k) => k.startsWith("OTEL_"))
    .map((k) => [k, ""]),
);

let root: string;
let receiver: OtlpReceiver;
const procs: ChildProcess[] = [];

function setUp(): Record<string, string> & { BATON_HOME: string } {
  root = mkdtempSync(join(tmpdir(), "baton-tracing-"));
  mkdirSync(join(root, "dags"));
  writeFileSync(join(root, "dags", "traced.ts"), TRACED);
  writeFileSync(join(root, "dags", "failing.ts"), FAILING);
  // The DAG files import @opentelemetry/api as a user's project would: from node_modules above them.
  symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"), "dir");
  return { ...NO_OTEL, BATON_HOME: join(root, "home"), BATON_DAGS: join(root, "dags"), BATON_POLL_MS: "100", BATON_DATABASE_URL: join(root, "baton.db") };
}

async function startScheduler(env: Record<string, string>): Promise<void> {
  const migrate = await baton(["db", "migrate"], env);
  expect(migrate.code, migrate.stderr).toBe(0);
  const s = await startBaton(["scheduler", "--workers", "1"], env, "Baton scheduler is running");
  procs.push(s.proc);
}

async function trigger(dagId: string, env: Record<string, string>): Promise<string> {
  const r = await baton(["dags", "trigger", dagId, "--json"], env);
  expect(r.code, r.stderr).toBe(0);
  return batonJson<{ runId: string }>(r).runId;
}

async function runFinished(dagId: string, runId: string, env: Record<string, string>): Promise<string> {
  return poll(async () => {
    const runs = batonJson<{ runId: string; state: string }[]>(await baton(["runs", "list", "--dag", dagId, "--json"], env));
    const state = runs.find((r) => r.runId === runId)?.state;
    return state === "success" || state === "failed" ? state : undefined;
  }, 60_000);
}

const named = (spans: ReceivedSpan[], name: string) => spans.filter((s) => s.name === name);
function one(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = named(spans, name);
  expect(
    found.map((s) => s.name),
    `spans named "${name}" among ${spans.map((s) => s.name).join(", ")}`,
  ).toEqual([name]);
  return found[0]!;
}

beforeAll(() => {
  const dist = join(ROOT, "dist", "src", "tracing", "worker-tracing.js");
  try {
    readFileSync(dist);
  } catch {
    throw new Error(`${dist} is missing: build first (npx tsc -p tsconfig.build.json)`);
  }
});

afterEach(async () => {
  for (const p of procs.splice(0)) await stopProcess(p, 10_000);
  await receiver?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe("OpenTelemetry traces from a real scheduler and its workers", () => {
  it("run → task instance → attempt → the task's own spans, in one trace per run, exported over OTLP/HTTP JSON", async () => {
    receiver = new OtlpReceiver();
    await receiver.start();
    const env = {
      ...setUp(),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%20collector-key,x-tenant=data",
      OTEL_SERVICE_NAME: "baton-e2e",
      OTEL_BSP_SCHEDULE_DELAY: "100",
    };
    await startScheduler(env);
    const okRun = await trigger("traced", env);
    const failedRun = await trigger("failing", env);
    expect(await runFinished("traced", okRun, env)).toBe("success");
    expect(await runFinished("failing", failedRun, env)).toBe("failed");

    // Every span arrives: 3 + 2×(task, attempt) + 3 user spans for "traced", run + task + 2 attempts for "failing".
    const spans = await poll(async () => (receiver.spans.length >= 11 && named(receiver.spans, "run failing").length > 0 ? receiver.spans : undefined), 30_000);
    expect(receiver.requests.every((r) => r.path === "/v1/traces")).toBe(true);
    expect(receiver.requests.every((r) => r.headers.authorization === "Bearer collector-key" && r.headers["x-tenant"] === "data")).toBe(true);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(["baton-e2e"]));

    // The successful run: run → task → attempt → "load rows" → "parse", all in the run's trace.
    const ok = spans.filter((s) => s.attributes["baton.run_id"] === okRun || s.traceId === spans.find((x) => x.attributes["baton.run_id"] === okRun)?.traceId);
    const run = one(ok, "run traced");
    expect(run.parentSpanId).toBe("");
    expect(run.attributes).toMatchObject({ "baton.dag_id": "traced", "baton.run_id": okRun, "baton.state": "success" });
    expect(run.status.code ?? 0).not.toBe(2);
    expect(ok.every((s) => s.traceId === run.traceId)).toBe(true);

    const extract = one(ok, "task extract");
    expect(extract.parentSpanId).toBe(run.spanId);
    expect(extract.attributes).toMatchObject({
      "baton.dag_id": "traced",
      "baton.run_id": okRun,
      "baton.task_id": "extract",
      "baton.map_index": -1,
      "baton.try_number": 1,
      "baton.state": "success",
    });
    const extractAttempt = one(ok, "attempt extract");
    expect(extractAttempt.parentSpanId).toBe(extract.spanId);
    expect(extractAttempt.attributes).toMatchObject({ "baton.task_id": "extract", "baton.try_number": 1, "baton.state": "success" });

    const loadRows = one(ok, "load rows");
    expect(loadRows.parentSpanId).toBe(extractAttempt.spanId);
    expect(loadRows.attributes.rows).toBe(3);
    // ctx.trace.traceparent: the attempt's span outside ctx.trace.span, the active span inside it.
    expect(loadRows.attributes["attempt.traceparent"]).toBe(`00-${run.traceId}-${extractAttempt.spanId}-01`);
    expect(loadRows.attributes["inner.traceparent"]).toBe(`00-${run.traceId}-${loadRows.spanId}-01`);
    expect(readFileSync(join(env.BATON_HOME, "traceparent.txt"), "utf8")).toBe(`00-${run.traceId}-${extractAttempt.spanId}-01`);
    const parse = one(ok, "parse");
    expect(parse.parentSpanId).toBe(loadRows.spanId);

    const load = one(ok, "task load");
    expect(load.parentSpanId).toBe(run.spanId);
    const loadAttempt = one(ok, "attempt load");
    expect(loadAttempt.parentSpanId).toBe(load.spanId);
    expect(one(ok, "plain api span").parentSpanId).toBe(loadAttempt.spanId);

    // Times come from the events: children inside their parents, attempts after their task instance started.
    for (const [child, parent] of [
      [extract, run],
      [extractAttempt, extract],
      [loadRows, extractAttempt],
      [load, run],
    ] as const) {
      expect(child.startMs).toBeGreaterThanOrEqual(parent.startMs);
      expect(child.endMs).toBeLessThanOrEqual(parent.endMs + 1);
    }
    expect(load.startMs).toBeGreaterThanOrEqual(extract.endMs);

    // The failing run: its own trace; error status and exception events on the run, task and both attempts.
    const failedRunSpan = one(spans, "run failing");
    expect(failedRunSpan.traceId).not.toBe(run.traceId);
    expect(failedRunSpan.attributes).toMatchObject({ "baton.run_id": failedRun, "baton.state": "failed" });
    expect(failedRunSpan.status.code).toBe(2);
    const boom = one(spans, "task boom");
    expect(boom.parentSpanId).toBe(failedRunSpan.spanId);
    expect(boom.attributes).toMatchObject({ "baton.state": "failed", "baton.try_number": 2 });
    expect(boom.status).toMatchObject({ code: 2 });
    expect(boom.status.message).toContain("kaboom in the warehouse");
    expect(boom.events.find((e) => e.name === "exception")?.attributes["exception.message"]).toContain("kaboom in the warehouse");
    const attempts = named(spans, "attempt boom").sort((a, b) => Number(a.attributes["baton.try_number"]) - Number(b.attributes["baton.try_number"]));
    expect(attempts.map((a) => a.attributes["baton.try_number"])).toEqual([1, 2]);
    for (const a of attempts) {
      expect(a.traceId).toBe(failedRunSpan.traceId);
      expect(a.parentSpanId).toBe(boom.spanId);
      expect(a.status.code).toBe(2);
      expect(a.events.some((e) => e.name === "exception" && String(e.attributes["exception.stacktrace"]).includes("kaboom in the warehouse"))).toBe(true);
    }
    expect(attempts[0]!.attributes["baton.state"]).toMatch(/failed|up_for_retry/);
    // Span ids are unique within each trace.
    expect(new Set(spans.map((s) => `${s.traceId}/${s.spanId}`)).size).toBe(spans.length);
  }, 180_000);

  it("exports nothing and hands tasks no trace context when no OTEL_ variable turns tracing on", async () => {
    receiver = new OtlpReceiver();
    await receiver.start();
    // Unconfigured: nothing is sent anywhere and ctx.trace.traceparent is null.
    const env = setUp();
    await startScheduler(env);
    const runId = await trigger("traced", env);
    expect(await runFinished("traced", runId, env)).toBe("success");
    expect(readFileSync(join(env.BATON_HOME, "traceparent.txt"), "utf8")).toBe("null");
    for (const p of procs.splice(0)) await stopProcess(p, 30_000);

    // An endpoint set but OTEL_SDK_DISABLED=true, then OTEL_TRACES_EXPORTER=none: off as well.
    // Each on its own home and database (a scheduler killed after a slow stop keeps its SQLite file's lease a while).
    const offs: [string, Record<string, string>][] = [
      ["disabled", { OTEL_SDK_DISABLED: "true" }],
      ["none", { OTEL_TRACES_EXPORTER: "none" }],
    ];
    for (const [name, off] of offs) {
      const home = join(root, name);
      const offEnv: Record<string, string> = {
        ...env,
        BATON_HOME: home,
        BATON_DATABASE_URL: join(root, `${name}.db`),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_BSP_SCHEDULE_DELAY: "100",
        ...off,
      };
      await startScheduler(offEnv);
      const id = await trigger("traced", offEnv);
      expect(await runFinished("traced", id, offEnv)).toBe("success");
      expect(readFileSync(join(home, "traceparent.txt"), "utf8")).toBe("null");
      for (const p of procs.splice(0)) await stopProcess(p, 30_000); // a graceful stop would send anything pending
    }
    expect(receiver.requests).toEqual([]);
  }, 180_000);

  it("refuses an unknown OTEL_TRACES_EXPORTER with exit code 2, naming the valid values", async () => {
    const env = { ...setUp(), OTEL_TRACES_EXPORTER: "zipkin" };
    expect((await baton(["db", "migrate"], env)).code).toBe(0);
    const r = await baton(["scheduler", "--workers", "1"], env, 30_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('OTEL_TRACES_EXPORTER must be a comma-separated list of otlp, console, none; got "zipkin"');
  }, 60_000);
});
