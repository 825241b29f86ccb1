import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { dag, FailTask } from "../../src/sdk/index.js";
import { declareSensor, httpSensor } from "../../src/operators/index.js";
import { testDag } from "../../src/testing/index.js";

// Airflow's sensor semantics (docs/sensors.md) through the real scheduler on testDag's virtual
// clock: in reschedule mode retries do not reset the sensor's timeout, and softFail skips a
// sensor whose poke fails for good (FailTask), on a worker and in the triggerer.

const MINUTE = 60_000;
const T0 = Date.parse("2026-03-01T08:00:00Z");

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe("sensor timeout across retries (reschedule mode)", () => {
  it("counts from the first poke of the first try: a retry does not give the sensor a new timeout", async () => {
    const pokes: number[] = [];
    const pipeline = dag({ id: "resched_retry" }, (d) => {
      declareSensor(d, "wait", {
        mode: "reschedule",
        pokeInterval: "1m",
        timeout: "10m",
        retries: 2,
        retryDelay: "1m",
        poke: async () => {
          pokes.push(Date.now());
          if (pokes.length === 3) throw new Error("network blip");
          return { done: false, reason: "not there" };
        },
      });
    });
    const run = await testDag(pipeline, { now: T0 });
    const wait = run.task("wait");
    expect(wait.state).toBe("failed");
    // Try 1 pokes at 0, 1 and 2 min (the third throws); try 2 starts at 3 min and times out at
    // 10 min, ten minutes after the first poke of try 1 (not of try 2: that would be 13 min).
    expect(wait.attempts.map((a) => [a.tryNumber, a.state, (a.endedAt! - T0) / MINUTE])).toEqual([
      [1, "failed", 2],
      [2, "failed", 10],
    ]);
    expect(wait.error).toMatch(/^sensor "wait" timed out after 10m 0s \(timeout 10m 0s, /);
    expect(pokes.map((p) => (p - T0) / MINUTE)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // The timeout fails without retries: one retry is left unused.
    expect(wait.tries).toBe(2);
  });
});

describe("softFail on a poke that fails for good", () => {
  it("a FailTask thrown by a poke skips the sensor with softFail, and fails it without retries otherwise", async () => {
    const pipeline = dag({ id: "soft" }, (d) => {
      const soft = declareSensor(d, "soft", { mode: "reschedule", softFail: true, retries: 2, poke: async () => Promise.reject(new FailTask("bad target")) });
      const hard = declareSensor(d, "hard", { mode: "reschedule", retries: 2, poke: async () => Promise.reject(new FailTask("bad target")) });
      const flaky = declareSensor(d, "flaky", { softFail: true, retries: 1, retryDelay: "1m", poke: async () => Promise.reject(new Error("transient")) });
      d.task("after_soft", { after: soft }, async () => "ran");
      d.task("after_all", { after: [soft, hard, flaky], triggerRule: "all_done" }, async () => "ran");
    });
    const run = await testDag(pipeline, { now: T0 });
    expect(run.states()).toEqual({ soft: "skipped", hard: "failed", flaky: "failed", after_soft: "skipped", after_all: "success" });
    expect(run.task("soft").error).toBe("bad target (softFail: skipped instead of failed)");
    expect(run.task("soft").tries).toBe(1);
    expect(run.task("hard").tries).toBe(1);
    // Any other error still fails the attempt, and retries apply.
    expect(run.task("flaky").tries).toBe(2);
    expect(run.task("flaky").error).toContain("transient");
  });

  it("an HTTP 401 seen by the triggerer skips a deferred httpSensor with softFail", async () => {
    let calls = 0;
    server = createServer((_req, res) => {
      calls++;
      res.writeHead(calls === 1 ? 503 : 401).end();
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ready`;
    const pipeline = dag({ id: "soft_deferred" }, (d) => {
      httpSensor(d, "api", { url, mode: "deferred", pokeInterval: "1m", timeout: "1h", softFail: true });
    });
    const run = await testDag(pipeline, { now: T0 });
    // Poke 1 (on the worker) saw 503, "not yet"; the triggerer's check a minute later saw 401.
    expect(calls).toBe(2);
    expect(run.task("api").state).toBe("skipped");
    expect(run.task("api").error).toMatch(/returned 401.*\(softFail: skipped instead of failed\)$/);
    expect(run.task("api").endedAt).toBe(T0 + MINUTE);
  });
});
