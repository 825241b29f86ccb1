import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { baton, batonJson, poll, startStandalone, waitExit } from "./baton-cli.js";
import { skipUnlessReachable } from "../support/reachable.js";

// Event triggers through the real `baton standalone` (needs `npx tsc -p tsconfig.build.json`).
let root: string;
let dags: string;
let inbox: string;
let out: string;
let env: Record<string, string>;
let proc: ChildProcess | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-e2e-events-"));
  dags = join(root, "dags");
  inbox = join(root, "inbox");
  out = join(root, "out");
  for (const d of [dags, inbox, out]) mkdirSync(d);
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: dags, BATON_POLL_MS: "100", BATON_WORKERS: "2", BATON_API_PORT: "0" };
});
afterEach(async () => {
  if (proc && proc.exitCode === null) {
    proc.kill("SIGKILL");
    await waitExit(proc).catch(() => {});
  }
  proc = undefined;
  rmSync(root, { recursive: true, force: true });
});

interface RunJson {
  runId: string;
  runType: string;
  state: string;
}
const runsOf = async (dagId: string) => batonJson<RunJson[]>(await baton(["runs", "list", "--dag", dagId, "--json"], env));
const finished = (dagId: string, n: number) =>
  poll(async () => {
    const runs = await runsOf(dagId);
    return runs.length >= n && runs.every((r) => r.state === "success" || r.state === "failed") ? runs : undefined;
  }, 60_000);

describe("event triggers in baton standalone", () => {
  it("a file dropped in the watched folder starts a run whose task sees it in ctx.conf; a restart does not run it again", async () => {
    writeFileSync(
      join(dags, "ingest.ts"),
      `import { dag, onFile } from "baton";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
export default dag({ id: "ingest", triggers: [onFile({ folder: ${JSON.stringify(inbox)}, pattern: "*.csv", every: "200ms" })] }, (d) => {
  d.task("load", (ctx) => {
    const file = ctx.conf.file as { path: string; name: string; size: number; mtime: number };
    writeFileSync(join(${JSON.stringify(out)}, basename(file.path) + ".json"), JSON.stringify({ runType: ctx.runType, file, text: readFileSync(file.path, "utf8") }));
  });
});
`,
    );
    const s = await startStandalone(env);
    proc = s.proc;
    writeFileSync(join(inbox, "a.csv"), "id,amount\n1,10\n");
    writeFileSync(join(inbox, "notes.txt"), "not a csv");
    const runs = await finished("ingest", 1);
    expect(runs.map((r) => [r.runType, r.state])).toEqual([["event", "success"]]);
    const seen = JSON.parse(readFileSync(join(out, "a.csv.json"), "utf8")) as {
      runType: string;
      file: { path: string; name: string; size: number };
      text: string;
    };
    expect(seen).toMatchObject({ runType: "event", file: { path: join(inbox, "a.csv"), name: "a.csv", size: 15 }, text: "id,amount\n1,10\n" });

    proc.kill("SIGTERM");
    expect(await waitExit(proc)).toBe(0);
    const again = await startStandalone(env);
    proc = again.proc;
    writeFileSync(join(inbox, "b.csv"), "id,amount\n2,20\n");
    const after = await finished("ingest", 2);
    await new Promise((r) => setTimeout(r, 1_000)); // several scans: a.csv is not triggered again
    expect((await runsOf("ingest")).length).toBe(2);
    expect(after.every((r) => r.state === "success")).toBe(true);
    expect(existsSync(join(out, "b.csv.json"))).toBe(true);
    expect(existsSync(join(out, "notes.txt.json"))).toBe(false);
  });

  it("a message published to a Redis stream starts a run whose task sees it; the connection comes from BATON_CONN_", async (t) => {
    if (await skipUnlessReachable(t, 6379, "Redis trigger e2e test")) return;
    const stream = `baton_e2e_${Date.now()}_${randomBytes(3).toString("hex")}`;
    writeFileSync(
      join(dags, "orders.ts"),
      `import { dag, onMessage } from "baton";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
export default dag({ id: "orders", triggers: [onMessage({ broker: "redis", conn: "events", stream: ${JSON.stringify(stream)} })] }, (d) => {
  d.task("handle", (ctx) => {
    const m = ctx.conf.message as { data: { order: number }; id: string };
    writeFileSync(join(${JSON.stringify(out)}, "order-" + m.data.order + ".json"), JSON.stringify({ runId: ctx.runId, runType: ctx.runType, message: m }));
  });
});
`,
    );
    const redis = new Redis({ host: "127.0.0.1", port: 6379 });
    try {
      env.BATON_CONN_EVENTS = "redis://127.0.0.1:6379";
      const s = await startStandalone(env);
      proc = s.proc;
      const id = await redis.xadd(stream, "*", "data", JSON.stringify({ order: 7 }));
      const runs = await finished("orders", 1);
      expect(runs.map((r) => [r.runId, r.runType, r.state])).toEqual([[`event__redis__${id}`, "event", "success"]]);
      const seen = JSON.parse(readFileSync(join(out, "order-7.json"), "utf8")) as {
        runId: string;
        runType: string;
        message: { data: unknown; id: string; subject: string };
      };
      expect(seen).toMatchObject({ runId: `event__redis__${id}`, runType: "event", message: { data: { order: 7 }, id, subject: stream } });
      const pending = (await redis.xpending(stream, "baton.orders.redis")) as [number, ...unknown[]];
      expect(pending[0]).toBe(0);
    } finally {
      await redis.del(stream);
      await redis.quit();
    }
  });
});
