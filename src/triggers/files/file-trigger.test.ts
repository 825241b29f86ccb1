import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendFileSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FileTriggerSpec } from "../../core/model/event-trigger-spec.js";
import { sleep, TriggerFixture } from "../testing/trigger-fixture.js";

let f: TriggerFixture;
let inbox: string;
beforeEach(async () => {
  f = await new TriggerFixture().open();
  inbox = join(f.root, "inbox");
  mkdirSync(inbox);
});
afterEach(() => f.dispose());

const spec = (over: Partial<FileTriggerSpec> = {}): FileTriggerSpec => ({
  kind: "files",
  id: "files",
  location: inbox,
  pattern: "*.csv",
  conn: null,
  pollMs: 100,
  ...over,
});
const fileRuns = async () => (await f.runs("ingest")).map((r) => (r.conf.file as { name: string }).name).sort();

describe("file triggers", () => {
  it("gives each file dropped in the folder one run of type event, with the file in its conf", async () => {
    await f.saveDag("ingest", [spec()]);
    await f.manager();
    writeFileSync(join(inbox, "a.csv"), "x,y\n1,2\n");
    writeFileSync(join(inbox, "b.csv"), "x,y\n");
    writeFileSync(join(inbox, "ignored.json"), "{}");
    await f.until(async () => (await f.runs("ingest")).length === 2, 10_000, "two runs");
    await sleep(500); // more scans add nothing
    const runs = await f.runs("ingest");
    expect(await fileRuns()).toEqual(["a.csv", "b.csv"]);
    const a = runs.find((r) => (r.conf.file as { name: string }).name === "a.csv")!;
    expect(a.runType).toBe("event");
    expect(a.state).toBe("queued");
    expect(a.runId).toMatch(/^event__files__f[0-9a-f]{24}$/);
    expect(a.conf.file).toMatchObject({ path: join(inbox, "a.csv"), name: "a.csv", size: 8 });
    expect(typeof (a.conf.file as { mtime: unknown }).mtime).toBe("number");
    expect(f.wakes).toBeGreaterThanOrEqual(2);
  });

  it("does not trigger a file while it is being written, only once its size and mtime are stable", async () => {
    await f.saveDag("ingest", [spec()]);
    await f.manager();
    const path = join(inbox, "big.csv");
    writeFileSync(path, "header\n");
    for (let i = 0; i < 12; i++) {
      await sleep(60); // faster than the 100 ms scans
      appendFileSync(path, `row ${i}\n`);
    }
    expect(await f.runs("ingest")).toEqual([]);
    await f.until(async () => (await f.runs("ingest")).length === 1, 10_000, "the run of the complete file");
    const [run] = await f.runs("ingest");
    expect((run!.conf.file as { size: number }).size).toBe(7 + 12 * 6 + 2 * 1);
  });

  it("does not trigger the same file again after a restart, but does a rewritten one", async () => {
    await f.saveDag("ingest", [spec()]);
    const first = await f.manager();
    writeFileSync(join(inbox, "a.csv"), "1\n");
    await f.until(async () => (await f.runs("ingest")).length === 1, 10_000, "first run");
    await first.stop();

    await f.manager();
    writeFileSync(join(inbox, "b.csv"), "2\n");
    await f.until(async () => (await f.runs("ingest")).length === 2, 10_000, "second file's run");
    await sleep(600);
    expect(await fileRuns()).toEqual(["a.csv", "b.csv"]);

    writeFileSync(join(inbox, "a.csv"), "1\n2\n");
    utimesSync(join(inbox, "a.csv"), new Date(), new Date(Date.now() + 5_000));
    await f.until(async () => (await f.runs("ingest")).length === 3, 10_000, "the rewritten file's run");
    expect(await fileRuns()).toEqual(["a.csv", "a.csv", "b.csv"]);
  });

  it("watches sub-folders with **, and stops when the DAG is paused", async () => {
    await f.saveDag("ingest", [spec({ pattern: "**/*.csv" })]);
    const m = await f.manager();
    mkdirSync(join(inbox, "2026", "01"), { recursive: true });
    writeFileSync(join(inbox, "2026", "01", "d.csv"), "1\n");
    await f.until(async () => (await f.runs("ingest")).length === 1, 10_000, "nested file's run");
    expect(await fileRuns()).toEqual(["2026/01/d.csv"]);

    await f.store.setDagPaused("ingest", true);
    await f.until(() => m.running.length === 0, 5_000, "the trigger to stop");
    writeFileSync(join(inbox, "e.csv"), "1\n");
    await sleep(500);
    expect(await f.runs("ingest")).toHaveLength(1);
    await f.store.setDagPaused("ingest", false);
    await f.until(async () => (await f.runs("ingest")).length === 2, 10_000, "the run after unpausing");
  });

  it("logs a missing folder once and picks it up when it appears; a location without a lister is reported", async () => {
    const later = join(f.root, "later");
    await f.saveDag("ingest", [spec({ location: later }), spec({ id: "ftp", location: "ftp://files.example.com/in/" })]);
    const m = await f.manager();
    await sleep(400);
    expect(m.running).toEqual(["ingest/files"]);
    expect(f.logs.filter((l) => l.level === "warn" && JSON.stringify(l.obj).includes("does not exist"))).toHaveLength(1);
    expect(f.logs.some((l) => l.level === "error" && l.msg?.includes('no file lister for "ftp://"'))).toBe(true);
    mkdirSync(later);
    writeFileSync(join(later, "x.csv"), "1\n");
    await f.until(async () => (await f.runs("ingest")).length === 1, 10_000, "the run once the folder exists");
  });
});
