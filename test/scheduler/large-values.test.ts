import { existsSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { NotFoundError } from "../../src/core/errors.js";
import { systemClock } from "../../src/core/ports/clock.js";
import { silentLogger } from "../../src/core/ports/logger.js";
import type { CommandInbox } from "../../src/core/ports/command-inbox.js";
import { isOffloadedOutput, parseValueRef, valueKey, type ValueStore } from "../../src/core/ports/value-store.js";
import { LocalProcessExecutor } from "../../src/executor/local-process-executor.js";
import { openValueStore } from "../../src/operators/storage/object-value-store.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import { purgeRuns } from "../../src/cli/run-purge.js";
import type { FullStore } from "../../src/store/full-store.js";
import { HEADER, Harness } from "../support/harness.js";
import { randomBytes } from "node:crypto";
import { isSealedOutput, type OutputSealer } from "../../src/core/ports/output-sealer.js";
import { CipherOutputSealer } from "../../src/secrets/output-sealer.js";
import { SecretCipher } from "../../src/secrets/secret-cipher.js";

// Issue 13, "Large return values": values over BATON_VALUE_STORE_THRESHOLD go to the value store
// (here the real local folder store), only a reference to the database; downstream tasks, a
// restarted scheduler and retention follow the reference.

/** The harness with the scheduler given a value store (as cli/scheduler-parts.ts does) and variables. */
class ValuesHarness extends Harness {
  readonly valuesDir = join(this.root, "values");
  values!: ValueStore;

  async startWithValues(thresholdBytes: number, variables: Record<string, string> = {}, sealer?: OutputSealer): Promise<Scheduler> {
    this.values ??= await openValueStore(`file://${this.valuesDir}`, null);
    this.executor = new LocalProcessExecutor({
      processes: 2,
      prefetch: 2,
      killGraceMs: 200,
      secrets: {
        connection: (id) => Promise.reject(new NotFoundError(`no connection "${id}"`)),
        variable: (key) => (key in variables ? Promise.resolve(variables[key]!) : Promise.reject(new NotFoundError(`no variable "${key}"`))),
      },
    });
    this.scheduler = new Scheduler({
      store: this.store,
      inbox: this.store as unknown as CommandInbox,
      executor: this.executor,
      values: { store: this.values, thresholdBytes },
      ...(sealer ? { sealer } : {}),
      clock: systemClock,
      logger: silentLogger,
      options: { logsDir: this.logsDir, maxOutputBytes: 1024 * 1024, pollMs: 50, createScheduledRuns: false },
    });
    await this.scheduler.start();
    return this.scheduler;
  }

  async restart(thresholdBytes: number): Promise<void> {
    await this.scheduler.stop(1_000);
    await this.startWithValues(thresholdBytes);
  }

  objectPath(dagId: string, runId: string, taskId: string, mapIndex = -1): string {
    return join(this.valuesDir, valueKey(dagId, runId, taskId, mapIndex));
  }
}

let h: ValuesHarness | undefined;
let server: Server | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

const DAG = `${HEADER}export default dag({ id: "big" }, (d) => {
  const extract = d.task("extract", () => ({ rows: Array.from({ length: 2000 }, (_, i) => ({ id: i, name: "row-" + i })) }));
  const parts = d.task("parts", () => ["a", "b", "c"].map((p) => p.repeat(3000)));
  const each = d.task("each", { map: { p: parts } }, (ctx, { p }) => p.toUpperCase());
  d.task("count", { inputs: { e: extract, all: each } }, (ctx, { e, all }) => ({ rows: e.rows.length, last: e.rows[1999].name, parts: all.map((s) => s.length) }));
  d.task("small", () => 42);
});
`;

async function tisOf(h: ValuesHarness, runPk: number) {
  return Object.fromEntries((await h.store.listTaskInstances(runPk)).map((t) => [t.mapIndex < 0 ? t.taskId : `${t.taskId}[${t.mapIndex}]`, t]));
}

describe("large return values in the value store", () => {
  it("offloads values over the threshold (copies and the mapped list too), keeps small ones inline, and hands downstream tasks the real values", async () => {
    h = new ValuesHarness({ "big.ts": DAG });
    expect((await h.load()).errors).toEqual([]);
    await h.startWithValues(1024);
    const { run } = await h.runToEnd("big");
    expect(run.state).toBe("success");
    const tis = await tisOf(h, run.id);
    for (const key of ["extract", "parts", "each", "each[0]", "each[1]", "each[2]"]) expect(isOffloadedOutput(tis[key]!.output), key).toBe(true);
    expect(tis.small!.output).toBe("42");
    expect(JSON.parse(tis.count!.output!)).toEqual({ rows: 2000, last: "row-1999", parts: [3000, 3000, 3000] });
    // The object holds the JSON text; the row only its key, size and SHA-256.
    const ref = parseValueRef(tis.extract!.output!);
    expect(ref.key).toBe(valueKey("big", run.runId, "extract", -1));
    const text = readFileSync(h.objectPath("big", run.runId, "extract"), "utf8");
    expect(ref.bytes).toBe(Buffer.byteLength(text));
    expect((JSON.parse(text) as { rows: unknown[] }).rows).toHaveLength(2000);
    expect(existsSync(h.objectPath("big", run.runId, "each", 1))).toBe(true);
    expect(await h.values.read(ref)).toBe(text);
  });

  it("a restarted scheduler reads offloaded values back for a cleared task; a missing object fails the task naming it", async () => {
    h = new ValuesHarness({ "big.ts": DAG });
    expect((await h.load()).errors).toEqual([]);
    await h.startWithValues(1024);
    const { run } = await h.runToEnd("big");
    expect(run.state).toBe("success");

    // A new scheduler (nothing in memory): the cleared task gets its inputs from the value store.
    await h.restart(1024);
    expect(await h.command("clear_tasks", { dagId: "big", runId: run.runId, taskIds: ["count"], downstream: false })).toMatch(/^ok/);
    const again = await h.scheduler.waitForRun(run.id);
    expect(again.state).toBe("success");
    expect(JSON.parse((await tisOf(h, run.id)).count!.output!)).toMatchObject({ rows: 2000 });

    // The object is gone: the task that needs it fails, naming where the value was.
    rmSync(h.objectPath("big", run.runId, "extract"));
    await h.restart(1024);
    expect(await h.command("clear_tasks", { dagId: "big", runId: run.runId, taskIds: ["count"], downstream: false })).toMatch(/^ok/);
    const failed = await h.scheduler.waitForRun(run.id);
    expect(failed.state).toBe("failed");
    const count = (await tisOf(h, run.id)).count!;
    expect(count.state).toBe("failed");
    expect(count.error).toContain(
      `cannot read the return value of task "extract": it is offloaded to file://${h.valuesDir}/${valueKey("big", run.runId, "extract", -1)}`,
    );
  });

  it("a sensitive value is sealed before it is offloaded: the object holds ciphertext, downstream gets the real value", async () => {
    h = new ValuesHarness({
      "s.ts": `${HEADER}export default dag({ id: "s" }, (d) => {
  const secret = d.task("secret", { sensitive: true }, () => ({ token: ["tok", "VALUE", "42x"].join("-"), pad: "x".repeat(5000) }));
  d.task("use", { inputs: { s: secret } }, (ctx, { s }) => s.token.length);
});
`,
    });
    expect((await h.load()).errors).toEqual([]);
    await h.startWithValues(0, {}, new CipherOutputSealer(() => new SecretCipher(randomBytes(32))));
    const { run } = await h.runToEnd("s");
    expect(run.state).toBe("success");
    const tis = await tisOf(h, run.id);
    expect(isOffloadedOutput(tis.secret!.output)).toBe(true);
    const object = readFileSync(h.objectPath("s", run.runId, "secret"), "utf8");
    expect(isSealedOutput(object)).toBe(true);
    expect(object).not.toContain("tok-VALUE-42x");
    // Threshold 0: every value is offloaded, the downstream one too.
    expect(readFileSync(h.objectPath("s", run.runId, "use"), "utf8")).toBe("13");
  });

  it("retention deletes a purged run's objects with its rows", async () => {
    h = new ValuesHarness({ "big.ts": DAG });
    expect((await h.load()).errors).toEqual([]);
    await h.startWithValues(1024);
    const { run } = await h.runToEnd("big");
    const kept = await h.runToEnd("big");
    expect(existsSync(h.objectPath("big", run.runId, "extract"))).toBe(true);
    await h.scheduler.stop(1_000);
    const retention = (h.store as FullStore).retention;
    const totals = await purgeRuns(retention, h.logsDir, { endedBefore: (run.endedAt ?? 0) + 1 }, { pause: async () => {}, values: h.values });
    expect(totals.runs).toBe(1);
    expect(totals.valueObjects).toBe(6); // extract, parts, each and its 3 copies
    expect(existsSync(join(h.valuesDir, "dag_id=big", `run_id=${encodeURIComponent(run.runId)}`))).toBe(false);
    expect(existsSync(h.objectPath("big", kept.run.runId, "extract"))).toBe(true);
  });

  it('templates read upstream values and variables: {{ ti.value("t") }}, a path into it, {{ var.name }} and {{ var.json.name.path }}', async () => {
    const seen: string[] = [];
    server = createServer((req, res) => {
      seen.push(req.url ?? "");
      res.end("ok");
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as AddressInfo).port;
    const dag = `import { dag } from "baton";
import { httpRequest } from "baton/operators";
export default dag({ id: "tpl" }, (d) => {
  d.task("extract", () => ({ rows: [{ id: 7 }], n: 3 }));
  d.task("name", () => "alpha");
  httpRequest(d, "notify", { url: 'http://127.0.0.1:${port}/hook?n={{ ti.value("extract").n }}&first={{ ti.value("extract").rows.0.id }}&name={{ ti.value("name") }}&env={{ var.env_name }}&region={{ var.json.cfg.region }}&all={{ ti.value("extract") }}' });
  httpRequest(d, "bad_var", { url: "http://127.0.0.1:${port}/bad?v={{ var.missing_one }}" });
});
`;
    h = new ValuesHarness({ "tpl.ts": dag });
    expect((await h.load()).errors).toEqual([]);
    await h.startWithValues(1024 * 1024, { env_name: "prod", cfg: JSON.stringify({ region: "eu" }) });
    const { tis } = await h.runToEnd("tpl");
    const byId = Object.fromEntries(tis.map((t) => [t.taskId, t]));
    expect(byId.notify!.state, byId.notify!.error ?? "").toBe("success");
    const hook = seen.find((u) => u.startsWith("/hook"))!;
    const q = new URL(hook, "http://x").searchParams;
    expect(Object.fromEntries(q)).toEqual({ n: "3", first: "7", name: "alpha", env: "prod", region: "eu", all: JSON.stringify({ rows: [{ id: 7 }], n: 3 }) });
    expect(byId.bad_var!.state).toBe("failed");
    expect(byId.bad_var!.error).toMatch(/template variable var\.missing_one: no variable "missing_one"/);
    expect(seen.some((u) => u.startsWith("/bad"))).toBe(false);
  });

  it("a template naming a task that is not in the DAG is an error when the DAG loads", async () => {
    h = new ValuesHarness({
      "ghost.ts": `import { dag } from "baton";
import { httpRequest } from "baton/operators";
export default dag({ id: "ghost" }, (d) => { httpRequest(d, "call", { url: 'http://127.0.0.1:1/?x={{ ti.value("nope") }}' }); });
`,
    });
    const { errors } = await h.load();
    expect(JSON.stringify(errors)).toContain('refers to \\"nope\\", which is not a task of this DAG');
  });
});
