import { existsSync, readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EnvThenStoreSecretsResolver } from "../../secrets/secrets-resolver.js";
import { eventually, HubHarness, T0 } from "./testing/hub-harness.js";

const VARIABLE = "hunter2-variable-value";
const PASSWORD = "pa55word-of-the-warehouse";

let h: HubHarness;
beforeEach(async () => {
  h = await HubHarness.start({
    secrets: new EnvThenStoreSecretsResolver({ BATON_VAR_API_TOKEN: VARIABLE, BATON_CONN_WAREHOUSE: `postgres://etl:${PASSWORD}@db.internal:5432/dw` }, null),
  });
});
afterEach(async () => {
  await h.close();
});

const remote = (id: string) => h.store.workers.getRemoteAttempt(id);

describe("WorkerHub: secrets and logs of remote attempts", () => {
  it("answers a started attempt's secrets, and masks them in the log bytes it appends and in the outcome's error", async () => {
    const { token } = await h.workerToken(null);
    const w = await h.connect(token, { workerId: "w1" });
    await h.enqueue(["a1"]);
    await w.next("run");
    // The task asks at once: the request arrives in the same turn as its `started`.
    w.send({ t: "started", id: "a1", at: T0 + 1, pid: 7 });
    w.send({ t: "secret", req: 1, id: "a1", kind: "variable", name: "api_token" });
    w.send({ t: "secret", req: 2, id: "a1", kind: "connection", name: "warehouse" });
    w.send({ t: "secret", req: 3, id: "a1", kind: "variable", name: "nope" });
    expect(await w.next("secret", (m) => m.req === 1)).toEqual({ t: "secret", req: 1, variable: VARIABLE });
    expect(await w.next("secret", (m) => m.req === 2)).toMatchObject({ connection: { id: "warehouse", password: PASSWORD, host: "db.internal" } });
    expect(await w.next("secret", (m) => m.req === 3)).toMatchObject({ code: "not_found", error: expect.stringContaining('variable "nope" not found') });

    const logPath = h.request("a1").logPath;
    w.send({ t: "log", id: "a1", data: `2026-01-01T00:00:00.001Z INFO token=${VARIABLE}\n` });
    w.send({ t: "log", id: "a1", data: `2026-01-01T00:00:00.002Z INFO dsn=postgres://etl:${encodeURIComponent(PASSWORD)}@db\n` });
    w.send({ t: "log", id: "not-mine", data: "ignored\n" });
    await eventually(() => existsSync(logPath) && readFileSync(logPath, "utf8").split("\n").length === 3, "two log lines");
    expect(readFileSync(logPath, "utf8")).toBe("2026-01-01T00:00:00.001Z INFO token=***\n2026-01-01T00:00:00.002Z INFO dsn=postgres://etl:***@db\n");

    w.send({
      t: "finished",
      id: "a1",
      outcome: { kind: "failed", error: `could not log in with ${PASSWORD}`, retryable: true },
      startedAt: T0 + 1,
      endedAt: T0 + 2,
      pid: 7,
    });
    await w.next("ack");
    expect((await remote("a1"))?.outcome).toEqual({ kind: "failed", error: "could not log in with ***", retryable: true });
  });

  it("refuses secret and cross-DAG requests for an attempt not assigned to the asking worker, or not started", async () => {
    const { token } = await h.workerToken(null);
    const w1 = await h.connect(token, { workerId: "w1", concurrency: 1, queues: ["default"] });
    const w2 = await h.connect(token, { workerId: "w2", concurrency: 1, queues: ["other"] });
    await h.enqueue(["a1", "a2"]);
    await eventually(() => w1.runIds().length === 2, "w1 to get a1 and a2");
    w1.send({ t: "started", id: "a1", at: T0 + 1, pid: 7 });
    await eventually(async () => (await remote("a1"))?.state === "running", "a1 running");

    w2.send({ t: "secret", req: 1, id: "a1", kind: "variable", name: "api_token" });
    const stolen = await w2.next("secret");
    expect(stolen).toMatchObject({ req: 1, code: "failed", error: expect.stringContaining("attempt a1 is not running on this worker") });
    expect(JSON.stringify(stolen)).not.toContain(VARIABLE);

    w1.send({ t: "secret", req: 2, id: "a2", kind: "variable", name: "api_token" });
    expect(await w1.next("secret", (m) => m.req === 2)).toMatchObject({ code: "failed", error: expect.stringContaining("not running") });

    w2.send({ t: "dagRuns", req: 3, id: "a1", op: "getRun", args: ["etl", "r1"] });
    expect(await w2.next("dagRuns")).toMatchObject({ req: 3, code: "failed", error: expect.stringContaining("getRun() was refused") });
    // The owner, running it, is answered (here: no gateway configured).
    w1.send({ t: "dagRuns", req: 4, id: "a1", op: "getRun", args: ["etl", "r1"] });
    expect(await w1.next("dagRuns", (m) => m.req === 4)).toMatchObject({ code: "unavailable" });
  });
});
