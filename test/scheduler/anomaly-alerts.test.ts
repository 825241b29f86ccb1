import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { CallbackFirer } from "../../src/alerts/callbacks/callback-firer.js";
import { NotificationOutbox } from "../../src/alerts/outbox/notification-outbox.js";
import { StandInServer } from "../../src/alerts/testing/stand-in-server.js";
import { systemClock } from "../../src/core/ports/clock.js";
import { silentLogger } from "../../src/core/ports/logger.js";
import { LocalProcessExecutor } from "../../src/executor/local-process-executor.js";
import { AnomalyDetector } from "../../src/scheduler/anomalies/anomaly-detector.js";
import { EnvThenStoreSecretsResolver } from "../../src/secrets/secrets-resolver.js";
import type { FullStore } from "../../src/store/full-store.js";
import { HEADER, Harness } from "../support/harness.js";

/**
 * `onAnomaly` end to end (run `npx tsc -p tsconfig.build.json` first): a real scheduler with the
 * local process pool, the anomaly detector, the callback firer and the notification outbox; the
 * DAG's webhook notifier points at a stand-in HTTP server on 127.0.0.1. A 50% row drop reported
 * with ctx.metric reaches the webhook once, with its evidence and its own dedup key.
 */
let h: Harness | undefined;
let server: StandInServer | undefined;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await h?.dispose();
  await server?.close();
  h = server = undefined;
});

const HOUR = 3_600_000;

it("a DAG's onAnomaly webhook receives exactly one alert for an anomaly, with the evidence; usual values send nothing", async () => {
  server = await StandInServer.start();
  h = new Harness({
    "sales.ts": `${HEADER}import { webhook } from "baton";
    export default dag({ id: "sales", onAnomaly: [webhook({ connection: "hook" })], onFailure: webhook({ connection: "hook" }) }, (d) => {
      d.task("load", async (ctx) => { ctx.metric("rows", Number(ctx.conf.rows)); return null; });
    });`,
  });
  await h.load();
  const store = h.store as FullStore;
  const now = Date.now();
  for (let i = 1; i <= 30; i++) {
    await store.anomalies.recordAttemptMetrics({
      dagId: "sales",
      runId: `past_${i}`,
      runPk: 1_000_000 + i,
      taskId: "load",
      mapIndex: -1,
      tryNumber: 1,
      at: now - i * HOUR,
      values: { rows: 1000 + (i % 7) * 3, duration: 0.2 },
    });
  }
  const outbox = new NotificationOutbox({
    store: store.notifications,
    secrets: new EnvThenStoreSecretsResolver({ BATON_CONN_HOOK: `${server.origin}/hooks/anomalies` }, null),
    clock: systemClock,
    logger: silentLogger,
  });
  outbox.start();
  stops.push(() => outbox.stop(1_000));
  const executor = new LocalProcessExecutor({ processes: 1, prefetch: 1, killGraceMs: 200 });
  // The firer is built after the detector, as in src/cli/scheduler-parts.ts.
  let firer: CallbackFirer | undefined;
  const recorded: number[] = [];
  const detector = new AnomalyDetector({
    anomalies: store.anomalies,
    clock: systemClock,
    logger: silentLogger,
    onAnomaly: (a) => {
      recorded.push(a.id);
      firer!.fireAnomaly(a);
    },
  });
  const harness = h;
  firer = new CallbackFirer({
    store,
    callbacks: store.callbacks,
    executor,
    outbox,
    routing: { policy: {}, routes: [] },
    links: { baseUrl: "https://baton.example.com/" },
    logPaths: {
      attempt: (run, taskId, tryNumber, mapIndex) => join(harness.logsDir, run.dagId, run.runId, `${taskId}.${mapIndex}.${tryNumber}.log`),
      run: (run) => join(harness.logsDir, run.dagId, run.runId, "callbacks.log"),
    },
    claimer: "scheduler-1",
    clock: systemClock,
    logger: silentLogger,
  });
  stops.push(() => firer!.stop(1_000));
  await h.start({ executor: detector.observe(executor) });
  h.scheduler.onDomainEvent(firer.listener);
  h.scheduler.onDomainEvent(detector.listener);
  stops.push(() => detector.stop(1_000));

  const usual = await h.runToEnd("sales", { rows: 1004 });
  expect(usual.states).toEqual({ load: "success" });
  const drop = await h.runToEnd("sales", { rows: 500 });
  expect(drop.states).toEqual({ load: "success" });
  for (let i = 0; i < 250 && server.received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  await detector.idle();
  await firer.idle();
  await outbox.idle();

  expect(recorded).toHaveLength(1);
  expect(server.received).toHaveLength(1);
  const [req] = server.received;
  expect(req!.url).toBe("/hooks/anomalies");
  expect(req!.headers["x-baton-event"]).toBe("anomaly");
  const body = req!.body as { title: string; text: string; alert: Record<string, unknown> & { anomaly: Record<string, unknown> } };
  expect(body.alert).toMatchObject({
    event: "anomaly",
    severity: "warning",
    dagId: "sales",
    runId: drop.run.runId,
    taskId: "load",
    mapIndex: -1,
    tryNumber: 1,
    state: "anomaly",
    error: null,
    dedupKey: "baton/sales/load/anomaly/rows",
    anomaly: { id: recorded[0], metric: "rows", value: 500, points: 30, season: "none" },
  });
  const [stored] = await store.anomalies.listAnomalies({ dagId: "sales" });
  expect(body.alert.anomaly).toEqual({
    id: stored!.id,
    metric: "rows",
    value: 500,
    median: stored!.median,
    mad: stored!.mad,
    score: stored!.score,
    points: 30,
    season: "none",
  });
  expect(stored!.median).toBeGreaterThan(1000);
  expect(stored!.score).toBeLessThan(-3.5);
  expect(body.title).toBe("Task sales.load had an anomaly: rows");
  expect(body.text).toContain(`Evidence: rows = 500, baseline median ${stored!.median} (MAD ${stored!.mad}) over 30 points, season none, score`);
  // The firing was claimed: told again (a second scheduler, a replay), nothing more is sent.
  expect(
    (await store.callbacks.listCallbacks({ runId: drop.run.runId, limit: 10 }))
      .filter((c) => c.event.startsWith("anomaly"))
      .map((c) => `${c.taskId}:${c.event}:${c.status}`),
  ).toEqual(["load:anomaly:rows:ok"]);
  firer.fireAnomaly(stored!);
  await firer.idle();
  await outbox.idle();
  expect(server.received).toHaveLength(1);

  // A late run (run-level, task id '', metric landing) is its own incident, apart from the run's failures.
  firer.fireAnomaly({
    ...stored!,
    id: stored!.id + 1000,
    taskId: "",
    mapIndex: -1,
    tryNumber: 0,
    metric: "landing",
    value: 7200,
    median: 600,
    mad: 60,
    score: 56.2,
  });
  await firer.idle();
  await outbox.idle();
  expect(server.received).toHaveLength(2);
  const late = (server.received[1]!.body as { title: string; alert: Record<string, unknown> }).alert;
  expect(late).toMatchObject({
    event: "anomaly",
    taskId: null,
    tryNumber: 0,
    dedupKey: "baton/sales/run/anomaly/landing",
    anomaly: { metric: "landing", value: 7200, median: 600, mad: 60, score: 56.2 },
  });
  expect((server.received[1]!.body as { title: string }).title).toBe("DAG run sales had an anomaly: landing");
});
