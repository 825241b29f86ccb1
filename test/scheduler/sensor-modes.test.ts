import { afterEach, describe, expect, it } from "vitest";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LocalProcessExecutor } from "../../src/executor/local-process-executor.js";
import { openSqliteStore } from "../../src/store/sqlite/open-sqlite-store.js";
import { LocalTriggerer } from "../../src/triggerer/local-triggerer.js";
import type { TaskInstanceRecord } from "../../src/core/model/records.js";
import { Harness } from "../support/harness.js";

// Sensors in reschedule and deferred mode through the real scheduler, local process pool and
// SQLite store: the slot is free between pokes, the try does not grow, the timeout spans
// reschedules, deferred sensors wait in the triggerer (hundreds at once) and survive a restart.

let h: Harness | undefined;
let triggerer: LocalTriggerer | undefined;
afterEach(async () => {
  await h?.dispose();
  await triggerer?.close();
  h = undefined;
  triggerer = undefined;
});

const HEADER = `import { dag } from "baton";\nimport { declareSensor, fileSensor } from "baton/operators";\nimport { appendFileSync, existsSync, writeFileSync } from "node:fs";\n`;
const dagFile = (body: string) => `${HEADER}export default dag({ id: "d" }, (d) => {\n${body}\n});\n`;
const t = JSON.stringify;

/** One worker process taking one attempt at a time: a sensor holding it would starve everything else. */
const oneSlot = () => new LocalProcessExecutor({ processes: 1, prefetch: 1, killGraceMs: 200 });

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const byId = (tis: TaskInstanceRecord[], id: string) => tis.find((x) => x.taskId === id)!;

describe("sensor mode reschedule", () => {
  it("frees the only worker slot between pokes (another task runs meanwhile) and keeps the try number", async () => {
    const root = `${process.env.TMPDIR ?? "/tmp"}/baton-resched-${process.pid}-${Date.now()}`;
    mkdirSync(root, { recursive: true });
    const marker = join(root, "made");
    const pokes = join(root, "pokes.log");
    h = new Harness({
      "d.ts": dagFile(`
        declareSensor(d, "wait", {
          mode: "reschedule", pokeInterval: "200ms", timeout: "30s", priorityWeight: 10,
          poke: async (ctx) => { appendFileSync(${t(pokes)}, ctx.tryNumber + "\\n"); return existsSync(${t(marker)}) ? { done: true, value: "seen" } : false; },
        });
        d.task("make", async () => { writeFileSync(${t(marker)}, "x"); return 1; });`),
    });
    await h.load();
    await h.start({ executor: oneSlot() });
    const { run, states, tis } = await h.runToEnd("d");
    expect(states).toEqual({ wait: "success", make: "success" });
    expect(run.state).toBe("success");
    const wait = byId(tis, "wait");
    expect(wait).toMatchObject({ tryNumber: 1, output: '"seen"' });
    expect(wait.sensorWait).toBeUndefined();
    const tries = readFileSync(pokes, "utf8").trim().split("\n");
    expect(tries.length).toBeGreaterThanOrEqual(2); // poked before "make" ran, and after
    expect(new Set(tries)).toEqual(new Set(["1"])); // every poke is try 1
    expect((await h.store.listAttempts(run.id, "wait")).map((a) => [a.tryNumber, a.state])).toEqual([[1, "success"]]);
    const log = readFileSync((await h.store.listAttempts(run.id, "wait"))[0]!.logPath!, "utf8");
    expect(log).toMatch(/poke 1: not yet; rescheduled: next poke in \d+ms, the worker slot is free meanwhile/);
    expect(log).toMatch(/poke \d+: done after/);
  });

  it("times out counting from the first poke across reschedules: failed, or skipped with softFail", async () => {
    h = new Harness({
      "d.ts": dagFile(`
        declareSensor(d, "hard", { mode: "reschedule", pokeInterval: "150ms", timeout: "1s", retries: 3, poke: async () => false });
        declareSensor(d, "soft", { mode: "reschedule", pokeInterval: "150ms", timeout: "1s", softFail: true, poke: async () => ({ done: false, reason: "not there" }) });`),
    });
    await h.load();
    await h.start({ executor: oneSlot() });
    const started = Date.now();
    const { states, tis, run } = await h.runToEnd("d");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(states).toEqual({ hard: "failed", soft: "skipped" });
    const hard = byId(tis, "hard");
    // A sensor timeout does not use retries; every poke was try 1.
    expect(hard.tryNumber).toBe(1);
    const pokes = Number(/timeout 1s, (\d+) pokes\)/.exec(hard.error ?? "")?.[1]);
    expect(pokes).toBeGreaterThanOrEqual(3);
    expect(byId(tis, "soft").error).toMatch(/^sensor "soft" timed out after .*timeout 1s, \d+ pokes; last: not there\)$/);
    expect((await h.store.listAttempts(run.id, "hard")).map((a) => a.tryNumber)).toEqual([1]);
  });
});

describe("sensor mode reschedule across a restart and a clear", () => {
  it("a rescheduled sensor resumes its try after a scheduler restart, its first poke kept", async () => {
    const root = `${process.env.TMPDIR ?? "/tmp"}/baton-resched-restart-${process.pid}-${Date.now()}`;
    mkdirSync(root, { recursive: true });
    const marker = join(root, "ready");
    h = new Harness({
      "d.ts": dagFile(`declareSensor(d, "wait", { mode: "reschedule", pokeInterval: "300ms", timeout: "1m", poke: async () => existsSync(${t(marker)}) });`),
    });
    await h.load();
    await h.start();
    const created = await h.trigger("d");
    const first = await until("the sensor to be rescheduled", async () => {
      const ti = (await h!.store.listTaskInstances(created.id))[0];
      return ti?.state === "up_for_reschedule" ? ti : undefined;
    });
    expect(first).toMatchObject({ tryNumber: 0, sensorWait: { pokes: 1, trigger: null } });
    await h.stop();
    writeFileSync(marker, "x");
    h.store = await openSqliteStore(h.dbPath);
    await h.start();
    const run = await h.scheduler.waitForRun(created.id);
    const [ti] = await h.store.listTaskInstances(created.id);
    expect(run.state).toBe("success");
    expect(ti).toMatchObject({ state: "success", tryNumber: 1 });
    const log = readFileSync((await h.store.listAttempts(created.id, "wait"))[0]!.logPath!, "utf8");
    expect(log).toMatch(/poke 1: not yet; rescheduled/);
    expect(log).toMatch(/poke [2-9]\d*: done after/); // counted on from the stored poke count, timed from the stored first poke
  });

  it("clearing a rescheduled sensor forgets its progress: the timeout starts again", async () => {
    h = new Harness({ "d.ts": dagFile(`declareSensor(d, "wait", { mode: "reschedule", pokeInterval: "5s", timeout: "1h", poke: async () => false });`) });
    await h.load();
    await h.start();
    const created = await h.trigger("d");
    const first = await until("the sensor to be rescheduled", async () => {
      const ti = (await h!.store.listTaskInstances(created.id))[0];
      return ti?.state === "up_for_reschedule" ? ti : undefined;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(await h.command("clear_tasks", { dagId: "d", runId: created.runId, taskIds: ["wait"], downstream: false })).toMatch(/^ok: cleared 1/);
    const again = await until("the cleared sensor to be rescheduled anew", async () => {
      const ti = (await h!.store.listTaskInstances(created.id))[0];
      return ti?.state === "up_for_reschedule" && ti.sensorWait && ti.sensorWait.firstPokeAt > first.sensorWait!.firstPokeAt ? ti : undefined;
    });
    expect(again.sensorWait?.pokes).toBe(1);
    expect(await h.command("mark_run", { dagId: "d", runId: created.runId, state: "failed" })).toBe("ok");
  });
});

describe("sensor mode deferred", () => {
  it("200 deferred sensors wait in the triggerer with 2 worker slots, and all succeed", async () => {
    const landing = join(`${process.env.TMPDIR ?? "/tmp"}`, `baton-defer-${process.pid}-${Date.now()}`);
    mkdirSync(landing, { recursive: true });
    const sensors = Array.from(
      { length: 200 },
      (_, i) =>
        `fileSensor(d, "s${i}", { mode: "deferred", pattern: ${t(`${landing}/part-${i % 10}-*.csv`)}, pokeInterval: "200ms", timeout: "2m", priorityWeight: 10 });`,
    );
    h = new Harness({
      "d.ts": dagFile(`
        ${sensors.join("\n        ")}
        d.task("release", async () => { await new Promise((r) => setTimeout(r, 300)); for (let i = 0; i < 10; i++) writeFileSync(${t(landing)} + "/part-" + i + "-a.csv", "x"); });`),
    });
    await h.load();
    triggerer = new LocalTriggerer();
    await h.start({ executor: new LocalProcessExecutor({ processes: 2, prefetch: 1, killGraceMs: 200 }), triggerer });
    const created = await h.trigger("d");
    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, triggerer?.size ?? 0)), 10);
    const started = Date.now();
    const run = await h.scheduler.waitForRun(created.id);
    clearInterval(watch);
    const tis = await h.store.listTaskInstances(created.id);
    expect(run.state).toBe("success");
    expect(tis.filter((x) => x.state === "success")).toHaveLength(201);
    expect(peak).toBeGreaterThanOrEqual(100); // far more waiting at once than the 2 slots (and the DAG's 16 active tasks)
    expect(byId(tis, "s7")).toMatchObject({ tryNumber: 1, output: JSON.stringify([`${landing}/part-7-a.csv`]) });
    expect(triggerer.size).toBe(0);
    const attempts = await h.store.listAttempts(created.id, "s7");
    expect(attempts.map((a) => [a.tryNumber, a.state])).toEqual([[1, "success"]]);
    expect(readFileSync(attempts[0]!.logPath!, "utf8")).toMatch(
      /poke 1: not yet .*deferred: the triggerer checks from now on \(file\)[\s\S]*triggerer: the check passed/,
    );
    console.log(`200 deferred file sensors + 1 task, 2 worker slots: ${Date.now() - started} ms, up to ${peak} waiting in the triggerer at once`);
  });

  it("survives a scheduler restart: the wait is re-armed from the store and the sensor succeeds", async () => {
    const landing = join(`${process.env.TMPDIR ?? "/tmp"}`, `baton-restart-${process.pid}-${Date.now()}`);
    mkdirSync(landing, { recursive: true });
    h = new Harness({
      "d.ts": dagFile(`fileSensor(d, "landed", { mode: "deferred", pattern: ${t(`${landing}/*.csv`)}, pokeInterval: "100ms", timeout: "2m" });`),
    });
    await h.load();
    triggerer = new LocalTriggerer();
    await h.start({ triggerer });
    const created = await h.trigger("d");
    const deferred = await until("the sensor to be deferred", async () => {
      const ti = (await h!.store.listTaskInstances(created.id))[0];
      return ti?.state === "deferred" ? ti : undefined;
    });
    expect(deferred.sensorWait?.trigger).toMatchObject({ kind: "file", args: { pattern: `${landing}/*.csv`, minCount: 1 }, softFail: false });
    await h.stop();
    await triggerer.close();
    expect(triggerer.size).toBe(0);

    writeFileSync(join(landing, "late.csv"), "x"); // the event happens while nothing runs
    h.store = await openSqliteStore(h.dbPath);
    triggerer = new LocalTriggerer();
    await h.start({ triggerer });
    const run = await h.scheduler.waitForRun(created.id);
    const [ti] = await h.store.listTaskInstances(created.id);
    expect(run.state).toBe("success");
    expect(ti).toMatchObject({ state: "success", tryNumber: 1, output: JSON.stringify([join(landing, "late.csv")]) });
    expect(ti!.sensorWait).toBeUndefined();
  });

  it("times out in the triggerer: failed without retries, or skipped with softFail; downstream follows its rule", async () => {
    const nowhere = join(`${process.env.TMPDIR ?? "/tmp"}`, `baton-never-${process.pid}-${Date.now()}`, "*.csv");
    h = new Harness({
      "d.ts": dagFile(`
        const hard = fileSensor(d, "hard", { mode: "deferred", pattern: ${t(nowhere)}, pokeInterval: "100ms", timeout: "800ms", retries: 2 });
        const soft = fileSensor(d, "soft", { mode: "deferred", pattern: ${t(nowhere)}, pokeInterval: "100ms", timeout: "800ms", softFail: true });
        d.task("after_soft", { after: [soft] }, async () => 1);
        d.task("after_hard", { after: [hard] }, async () => 1);`),
    });
    await h.load();
    triggerer = new LocalTriggerer();
    await h.start({ triggerer });
    const { states, tis } = await h.runToEnd("d");
    expect(states).toEqual({ hard: "failed", soft: "skipped", after_soft: "skipped", after_hard: "upstream_failed" });
    expect(byId(tis, "hard").tryNumber).toBe(1);
    expect(byId(tis, "hard").error).toMatch(/^sensor "hard" timed out after .*\(timeout 800ms, \d+ pokes, deferred; last: 0 of 1 file\(s\) match /);
    expect(byId(tis, "soft").error).toMatch(/timed out/);
  });

  it("without a triggerer, a deferred sensor fails saying so", async () => {
    const nowhere = join(`${process.env.TMPDIR ?? "/tmp"}`, `baton-none-${process.pid}`, "*.csv");
    h = new Harness({ "d.ts": dagFile(`fileSensor(d, "landed", { mode: "deferred", pattern: ${t(nowhere)}, pokeInterval: "1s", timeout: "1m" });`) });
    await h.load();
    await h.start();
    const { states, tis } = await h.runToEnd("d");
    expect(states).toEqual({ landed: "failed" });
    expect(tis[0]!.error).toMatch(/mode "deferred", but the scheduler runs without a triggerer/);
  });

  it("marking the run ends a deferred sensor's wait in the triggerer", async () => {
    const nowhere = join(`${process.env.TMPDIR ?? "/tmp"}`, `baton-clear-${process.pid}`, "*.csv");
    h = new Harness({ "d.ts": dagFile(`fileSensor(d, "landed", { mode: "deferred", pattern: ${t(nowhere)}, pokeInterval: "100ms", timeout: "1m" });`) });
    await h.load();
    triggerer = new LocalTriggerer();
    await h.start({ triggerer });
    const created = await h.trigger("d");
    await until("the sensor to be deferred", async () => ((await h!.store.listTaskInstances(created.id))[0]?.state === "deferred" ? true : undefined));
    expect(triggerer.size).toBe(1);
    expect(await h.command("mark_run", { dagId: "d", runId: created.runId, state: "success" })).toBe("ok");
    expect(triggerer.size).toBe(0);
    const [ti] = await h.store.listTaskInstances(created.id);
    expect(ti!.state).toBe("success");
    // The sensor's attempt, which went on in the triggerer, ends too (it stayed "deferred" before).
    const attempts = await h.store.listAttempts(created.id, "landed");
    expect(attempts.map((a) => [a.state, a.error])).toEqual([["failed", "stopped: marked success by tester"]]);
  });
});
