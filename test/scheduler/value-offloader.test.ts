import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Logger } from "../../src/core/ports/logger.js";
import { isOffloadedOutput, parseValueRef, type ValueRef, type ValueStore } from "../../src/core/ports/value-store.js";
import { taskInstance } from "../../src/store/contract/fixtures.js";
import { openValueStore } from "../../src/operators/storage/object-value-store.js";
import { ValueOffloader } from "../../src/scheduler/value-offloader.js";

// The offloader over the real folder store, counting what reaches it.
let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

async function counted(): Promise<{ store: ValueStore; writes: string[]; deletes: string[]; failWrites: { on: boolean } }> {
  dir = mkdtempSync(join(tmpdir(), "baton-offloader-"));
  const real = await openValueStore(`file://${dir}`, null);
  const writes: string[] = [];
  const deletes: string[] = [];
  const failWrites = { on: false };
  const store: ValueStore = {
    url: real.url,
    write: (key, text) => (writes.push(key), failWrites.on ? Promise.reject(new Error("store down")) : real.write(key, text)),
    read: (ref: ValueRef) => real.read(ref),
    delete: (key) => (deletes.push(key), real.delete(key)),
    deletePrefix: (p) => real.deletePrefix(p),
    close: () => real.close(),
  };
  return { store, writes, deletes, failWrites };
}

function logs(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = (_o: object, msg?: string) => void lines.push(msg ?? "");
  return { logger: { debug: log, info: log, warn: log, error: log } as unknown as Logger, lines };
}

const big = JSON.stringify("x".repeat(200));

describe("ValueOffloader", () => {
  it("replaces outputs over the threshold by references once written, leaves small ones and untracked runs alone", async () => {
    const c = await counted();
    const o = new ValueOffloader({ store: c.store, thresholdBytes: 100 }, logs().logger);
    o.track(1, "etl", "r1");
    const tis = [taskInstance("a", { runPk: 1, output: big }), taskInstance("b", { runPk: 1, output: "42" }), taskInstance("c", { runPk: 2, output: big })];
    const out = (await o.prepare({ taskInstances: tis })).taskInstances!;
    expect(isOffloadedOutput(out[0]!.output)).toBe(true);
    expect(parseValueRef(out[0]!.output!)).toMatchObject({ key: "dag_id=etl/run_id=r1/task_id=a/value.json", bytes: big.length });
    expect(out[1]!.output).toBe("42");
    expect(out[2]!.output).toBe(big); // run 2 is not tracked
    expect(tis[0]!.output).toBe(big); // the records in memory keep their text
    // Written again with the same text: no second write; a cleared task's object is deleted.
    await o.prepare({ taskInstances: [tis[0]!] });
    expect(c.writes).toHaveLength(1);
    await o.prepare({ taskInstances: [{ ...tis[0]!, output: null }] });
    expect(c.deletes).toEqual(["dag_id=etl/run_id=r1/task_id=a/value.json"]);
  });

  it("keeps a value in the row when the store cannot be written, and logs it", async () => {
    const c = await counted();
    const l = logs();
    const o = new ValueOffloader({ store: c.store, thresholdBytes: 0 }, l.logger);
    o.track(1, "etl", "r1");
    c.failWrites.on = true;
    const out = (await o.prepare({ taskInstances: [taskInstance("a", { runPk: 1, output: "1" })] })).taskInstances!;
    expect(out[0]!.output).toBe("1");
    expect(l.lines).toContain("cannot write a large return value to the value store; it stays in the database");
  });

  it("reads references back for a loaded run; one it cannot read keeps its reference", async () => {
    const c = await counted();
    const l = logs();
    const o = new ValueOffloader({ store: c.store, thresholdBytes: 10 }, l.logger);
    o.track(1, "etl", "r1");
    const [a, b] = (await o.prepare({ taskInstances: [taskInstance("a", { runPk: 1, output: big }), taskInstance("b", { runPk: 1, output: big })] }))
      .taskInstances!;
    await c.store.delete(parseValueRef(b!.output!).key);
    const fresh = new ValueOffloader({ store: c.store, thresholdBytes: 10 }, l.logger);
    const loaded = await fresh.resolve(1, "etl", "r1", [a!, b!, taskInstance("c", { runPk: 1, output: "3" })]);
    expect(loaded.map((t) => t.output)).toEqual([big, b!.output, "3"]);
    expect(l.lines).toContain("cannot read an offloaded return value");
  });
});
