import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { Readable } from "node:stream";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baton, batonJson } from "../../../test/e2e/baton-cli.js";
import { startTestStores, type TestStores } from "../../../test/support/object-stores.js";

// DAG files importing "baton/operators", run by the real binary (needs `npm run build`), against
// s3rver, Azurite, the GCS test emulator and the local file system; connections come from
// BATON_CONN_* variables.
interface RunJson {
  state: string;
  tasks: { taskId: string; state: string; attempts: number; error?: string }[];
}

let stores: TestStores;
let root: string;
let env: Record<string, string>;
beforeAll(async () => {
  stores = await startTestStores();
  root = mkdtempSync(join(tmpdir(), "baton-storage-ops-"));
  env = { BATON_CONN_S3_STORE: stores.s3.uri!, BATON_CONN_AZ_STORE: stores.az.uri!, BATON_CONN_GS_STORE: stores.gs.uri! };
}, 60_000);
afterAll(async () => {
  await stores?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

const t = JSON.stringify;
type Scheme = "s3" | "az" | "gs" | "file";
const CONN: Record<Scheme, string | undefined> = { s3: "s3_store", az: "az_store", gs: "gs_store", file: undefined };

/** The base URL of a store's test area, ending with "/". */
function base(scheme: Scheme, area: string): string {
  return stores[scheme].url(`${area}/`);
}

async function runDag(name: string, source: string) {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.ts`), source);
  const r = await baton(["dags", "test", name, "--dags", dir, "--home", join(dir, "home"), "--json", "--date", "2026-01-02"], env, 120_000);
  const out = batonJson<RunJson>(r);
  const recordFile = join(dir, "recorded.json");
  return {
    out,
    states: Object.fromEntries(out.tasks.map((x) => [x.taskId, x.state])),
    recorded: existsSync(recordFile) ? (JSON.parse(readFileSync(recordFile, "utf8")) as Record<string, any>) : null,
  };
}

/** Every operator on one store, and a checksum-verified copy to the next store. */
function operatorsDag(name: string, scheme: Scheme, other: Scheme, dir: string): string {
  const here = base(scheme, name);
  const there = base(other, `${name}-copy`);
  const loc = (url: string, s: Scheme) => (CONN[s] ? `{ url: ${t(url)}, conn: ${t(CONN[s])} }` : t(url));
  const conn = CONN[scheme] ? `conn: ${t(CONN[scheme])}, ` : "";
  return `import { dag } from "baton";
import { copyObjects, deleteObjects, listObjects, moveObjects, objectSensor, writeObject } from "baton/operators";
import { writeFileSync } from "node:fs";
export default dag({ id: ${t(name)} }, (d) => {
  const seed = d.task("seed", async (ctx) => {
    await writeObject(ctx, ${loc(`${here}in/a.csv`, scheme)}, "id,amount\\n1,10\\n");
    await writeObject(ctx, ${loc(`${here}in/b.csv`, scheme)}, "id,amount\\n2,20\\n3,30\\n");
    await writeObject(ctx, ${loc(`${here}in/sub/c.json`, scheme)}, '{"c":true}');
  });
  const landed = objectSensor(d, "landed", { url: ${t(`${here}in/`)}, ${conn}glob: "*.csv", minCount: 2, pokeInterval: "1s", timeout: "30s" });
  const listed = listObjects(d, "list", { url: ${t(`${here}in/`)}, ${conn}glob: "**" });
  const copied = copyObjects(d, "copy_out", { source: ${loc(`${here}in/`, scheme)}, dest: ${loc(`${there}{{ ds }}/`, other)}, glob: "*.csv" });
  const single = copyObjects(d, "copy_single", { source: ${loc(`${here}in/sub/c.json`, scheme)}, dest: ${loc(`${here}backup/c-{{ ds_nodash }}.json`, scheme)}, verify: "read-back" });
  const moved = moveObjects(d, "move", { source: ${loc(`${here}in/`, scheme)}, dest: ${loc(`${here}moved/`, scheme)}, keys: ["a.csv"] });
  const deleted = deleteObjects(d, "delete", { url: ${t(`${here}in/`)}, ${conn}glob: "*.csv" });
  const remaining = listObjects(d, "remaining", { url: ${t(here)}, ${conn} });
  const copiedThere = listObjects(d, "copied_there", { url: ${t(`${there}2026-01-02/`)}, ${CONN[other] ? `conn: ${t(CONN[other])}` : ""} });
  const late = objectSensor(d, "never", { url: ${t(`${here}never/x.csv`)}, ${conn}pokeInterval: "1s", timeout: "2s", softFail: true });
  seed.then(landed).then(listed).then(copied).then(single).then(moved).then(deleted).then(remaining).then(copiedThere);
  seed.then(late);
  d.task("record", { inputs: { landed, listed, copied, single, moved, deleted, remaining, copiedThere } }, (ctx, v) => {
    writeFileSync(${t(join(dir, "recorded.json"))}, JSON.stringify(v));
  });
});
`;
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

describe.each([
  ["s3", "az"],
  ["az", "gs"],
  ["gs", "file"],
  ["file", "s3"],
] as const)("the storage operators on %s (copying to %s)", (scheme, other) => {
  it("sensor, list, copy across stores, server-side copy, move, delete; values are typed manifests", async () => {
    const name = `ops_${scheme}`;
    const dir = join(root, name);
    const { out, states, recorded } = await runDag(name, operatorsDag(name, scheme, other, dir));
    expect(out.state, JSON.stringify(out.tasks, null, 2)).toBe("success");
    expect(states).toMatchObject({
      seed: "success",
      landed: "success",
      list: "success",
      copy_out: "success",
      move: "success",
      delete: "success",
      never: "skipped",
    });
    const here = base(scheme, name);
    const there = base(other, `${name}-copy`);
    const v = recorded!;

    expect(v["landed"].map((e: { url: string }) => e.url)).toEqual([`${here}in/a.csv`, `${here}in/b.csv`]);
    expect(v["listed"].map((e: { url: string; size: number }) => [e.url, e.size])).toEqual([
      [`${here}in/a.csv`, 15],
      [`${here}in/b.csv`, 20],
      [`${here}in/sub/c.json`, 10],
    ]);
    expect(typeof v["listed"][0].lastModified).toBe("string");

    const a = "id,amount\n1,10\n";
    const b = "id,amount\n2,20\n3,30\n";
    expect(v["copied"]).toEqual({
      count: 2,
      bytes: a.length + b.length,
      missing: [],
      objects: [
        {
          key: "a.csv",
          source: `${here}in/a.csv`,
          dest: `${there}2026-01-02/a.csv`,
          size: a.length,
          sha256: sha(a),
          md5: expect.any(String),
          verifiedBy: expect.any(String),
        },
        {
          key: "b.csv",
          source: `${here}in/b.csv`,
          dest: `${there}2026-01-02/b.csv`,
          size: b.length,
          sha256: sha(b),
          md5: expect.any(String),
          verifiedBy: expect.any(String),
        },
      ],
    });
    expect(v["copiedThere"].map((e: { url: string }) => e.url)).toEqual([`${there}2026-01-02/a.csv`, `${there}2026-01-02/b.csv`]);
    expect(v["single"].objects).toEqual([
      expect.objectContaining({ key: "c.json", dest: `${here}backup/c-20260102.json`, sha256: sha('{"c":true}'), verifiedBy: "read-back" }),
    ]);
    expect(v["moved"].objects.map((e: { source: string; dest: string }) => [e.source, e.dest])).toEqual([[`${here}in/a.csv`, `${here}moved/a.csv`]]);
    expect(v["deleted"]).toEqual({ deleted: [expect.objectContaining({ url: `${here}in/b.csv` })], missing: [] });
    expect(v["remaining"].map((e: { url: string }) => e.url)).toEqual([`${here}backup/c-20260102.json`, `${here}in/sub/c.json`, `${here}moved/a.csv`]);
  });
});

describe("objectSensor", () => {
  it("waits (mode reschedule) for an object written later on Azurite, then hands it downstream", async () => {
    const here = base("az", "sensor_wait");
    const name = "sensor_wait";
    const run = runDag(
      name,
      `import { dag } from "baton";
import { objectSensor } from "baton/operators";
import { writeFileSync } from "node:fs";
export default dag({ id: ${t(name)} }, (d) => {
  const ready = objectSensor(d, "ready", { url: ${t(`${here}{{ ds }}/_SUCCESS`)}, conn: "az_store", mode: "reschedule", pokeInterval: "1s", timeout: "60s" });
  d.task("record", { inputs: { ready } }, (ctx, v) => { writeFileSync(${t(join(root, name, "recorded.json"))}, JSON.stringify(v)); });
});
`,
    );
    await new Promise((r) => setTimeout(r, 4000));
    expect(existsSync(join(root, name, "recorded.json"))).toBe(false);
    await stores.az.store.write(stores.az.container, "sensor_wait/2026-01-02/_SUCCESS", Readable.from([Buffer.alloc(0)]), { size: 0 });
    const { out, recorded } = await run;
    expect(out.state, JSON.stringify(out.tasks)).toBe("success");
    expect(out.tasks.find((x) => x.taskId === "ready")).toMatchObject({ state: "success", attempts: 1 });
    expect(recorded!["ready"]).toEqual([expect.objectContaining({ url: `${here}2026-01-02/_SUCCESS`, size: 0 })]);
  });
});

describe("objectSensor, deferred", () => {
  it("waits in the triggerer (no worker slot) for an S3 object written later; the connection is resolved there", async () => {
    const here = base("s3", "sensor_deferred");
    const name = "sensor_deferred";
    const run = runDag(
      name,
      `import { dag } from "baton";
import { objectSensor } from "baton/operators";
import { writeFileSync } from "node:fs";
export default dag({ id: ${t(name)} }, (d) => {
  const ready = objectSensor(d, "ready", { url: ${t(`${here}{{ ds }}/`)}, conn: "s3_store", glob: "*.csv", minCount: 2, mode: "deferred", pokeInterval: "1s", timeout: "60s" });
  d.task("record", { inputs: { ready } }, (ctx, v) => { writeFileSync(${t(join(root, name, "recorded.json"))}, JSON.stringify(v)); });
});
`,
    );
    await new Promise((r) => setTimeout(r, 3000));
    expect(existsSync(join(root, name, "recorded.json"))).toBe(false);
    for (const f of ["a.csv", "b.csv", "skip.txt"]) {
      await stores.s3.store.write(stores.s3.container, `sensor_deferred/2026-01-02/${f}`, Readable.from([Buffer.from(f)]), { size: f.length });
    }
    const { out, recorded } = await run;
    expect(out.state, JSON.stringify(out.tasks)).toBe("success");
    expect(out.tasks.find((x) => x.taskId === "ready")).toMatchObject({ state: "success", attempts: 1 });
    expect(recorded!["ready"].map((e: { url: string }) => e.url)).toEqual([`${here}2026-01-02/a.csv`, `${here}2026-01-02/b.csv`]);
  });
});

describe("storage operator errors", () => {
  it("an unknown option is reported when the DAG file loads, naming the valid ones", async () => {
    const { out } = await runDag(
      "ops_bad",
      `import { dag } from "baton";
import { copyObjects } from "baton/operators";
export default dag({ id: "ops_bad" }, (d) => {
  copyObjects(d, "c", { source: "s3://a/in/", dest: "az://b/out/", checksum: "sha1" } as never);
});
`,
    ).catch((e: Error) => ({ out: { state: e.message, tasks: [] } }));
    expect(out.state).toMatch(
      /copyObjects\("c"\): unknown option "checksum"; valid options: source, dest, glob, keys, ignoreMissing, verify, concurrency, failIfEmpty/,
    );
  });

  it("a prefix copied onto a single-object destination, and a missing key, fail without retries", async () => {
    const here = base("file", "errs");
    const { out } = await runDag(
      "ops_errs",
      `import { dag } from "baton";
import { copyObjects, deleteObjects } from "baton/operators";
export default dag({ id: "ops_errs", defaults: { retries: 3, retryDelay: "10s" } }, (d) => {
  copyObjects(d, "to_single", { source: ${t(here)}, dest: ${t(`${here}x.csv`)} });
  copyObjects(d, "missing_key", { source: ${t(here)}, dest: ${t(`${here}out/`)}, keys: ["nope.csv"] });
  deleteObjects(d, "whole_prefix", { url: ${t(here)} });
});
`,
    );
    const task = (id: string) => out.tasks.find((x) => x.taskId === id)!;
    expect(task("to_single")).toMatchObject({ state: "failed", attempts: 1 });
    expect(task("to_single").error).toContain(`dest ${here}x.csv must end with "/" when the source is a prefix or glob`);
    expect(task("missing_key")).toMatchObject({ state: "failed", attempts: 1 });
    expect(task("missing_key").error).toContain(`not found: ${here}nope.csv (set ignoreMissing: true to skip)`);
    expect(task("whole_prefix")).toMatchObject({ state: "failed", attempts: 1 });
    expect(task("whole_prefix").error).toContain("is a whole prefix; give glob or keys, or set allowWholePrefix: true");
  });
});
