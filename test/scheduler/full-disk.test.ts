import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LocalProcessExecutor } from "../../src/executor/local-process-executor.js";
import { LastInfraError } from "../../src/core/ports/infra-errors.js";
import { Harness } from "../support/harness.js";
import { fill, mountSmallFileSystem, type SmallFileSystem } from "../support/small-file-system.js";

// Regression (issue 8, item 7): with the attempt logs on a full file system, ctx.log and console
// threw ENOSPC inside tasks, and every try was used up in seconds. Real tmpfs, real pool, real
// SQLite (the store stays on the ordinary disk: only the logs are on the full one).

let fs: SmallFileSystem | undefined;
let cannot: string | null = null;
beforeAll(() => {
  const mounted = mountSmallFileSystem(512);
  if ("cannot" in mounted) cannot = mounted.cannot;
  else fs = mounted;
});
afterAll(() => fs?.unmount());

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
  if (fs) rmSync(join(fs.dir, "filler"), { force: true });
});

const t = JSON.stringify;
const dagFile = (body: string) =>
  `import { dag } from "baton";\nimport { writeFileSync } from "node:fs";\nexport default dag({ id: "d" }, (d) => {\n${body}\n});\n`;

function skipWithoutMount(ctx: { skip(): void }): boolean {
  if (cannot === null) return false;
  console.warn(`skipping: ${cannot}`);
  ctx.skip();
  return true;
}

describe("attempt logs on a full file system", () => {
  it("a task whose log writes fail still succeeds, on its first try", async (ctx) => {
    if (skipWithoutMount(ctx)) return;
    const logsDir = join(fs!.dir, "logs");
    h = new Harness({
      "d.ts": dagFile(`
        d.task("chatty", { retries: 5, retryDelay: "10ms" }, async (ctx) => {
          for (let i = 0; i < 50; i++) ctx.log.info("line " + i + " " + "x".repeat(200));
          console.log("and the console");
          process.stdout.write("and stdout\\n");
          return "done";
        });`),
    });
    await h.load();
    fill(fs!.dir);
    const infra = new LastInfraError();
    await h.start({ executor: new LocalProcessExecutor({ processes: 2, prefetch: 2, killGraceMs: 200, infraErrors: infra }), scheduler: { logsDir } });
    for (let i = 0; i < 4; i++) {
      const { states, tis } = await h.runToEnd("d");
      expect(states).toEqual({ chatty: "success" });
      expect(tis[0]).toMatchObject({ tryNumber: 1, output: '"done"' });
    }
    expect(infra.last()?.message).toMatch(/write\(s\) to the attempt log were lost: ENOSPC/);
  }, 60_000);

  it("an attempt failing while the disk is full uses no try; the run finishes once space is freed", async (ctx) => {
    if (skipWithoutMount(ctx)) return;
    const logsDir = join(fs!.dir, "logs");
    const output = join(fs!.dir, "output.txt");
    h = new Harness({
      "d.ts": dagFile(`
        d.task("writer", { retries: 1, retryDelay: "10ms" }, async (ctx) => {
          ctx.log.info("writing the output");
          writeFileSync(${t(output)}, "y".repeat(64 * 1024));
          return "written";
        });`),
    });
    await h.load();
    const filler = fill(fs!.dir);
    await h.start({ executor: new LocalProcessExecutor({ processes: 1, prefetch: 1, killGraceMs: 200 }), scheduler: { logsDir } });
    const run = await h.trigger("d");
    // While the disk is full the attempt fails on ENOSPC; it must come back as not counted.
    let seen: { tryNumber: number; state: string; error: string | null } | undefined;
    for (let i = 0; i < 400 && seen === undefined; i++) {
      const ti = (await h.store.listTaskInstances(run.id))[0]!;
      if (ti.error?.includes("infrastructure failure") || ti.state === "failed") seen = ti;
      else await new Promise((r) => setTimeout(r, 25));
    }
    // Try numbers only increase: try 1 ended as an infrastructure try (infraTries), not counted
    // against the retries (before issue 9 the try was given back and try 1 ran again).
    expect(seen).toMatchObject({ state: "up_for_retry", tryNumber: 1, infraTries: 1 });
    expect(seen!.error).toMatch(/infrastructure failure, the try is not counted: .*ENOSPC.*the attempt ended failed: .*ENOSPC/s);
    rmSync(filler);
    const ended = await h.scheduler.waitForRun(run.id);
    expect(ended.state).toBe("success");
    const tis = await h.store.listTaskInstances(run.id);
    expect(tis[0]).toMatchObject({ state: "success", output: '"written"' });
    // One try counted (the success); every earlier one was the full disk's.
    expect(tis[0]!.infraTries).toBeGreaterThanOrEqual(1);
    expect(tis[0]!.tryNumber - tis[0]!.infraTries!).toBe(1);
    const tries = (await h.store.listAttempts(run.id, "writer")).map((a) => a.tryNumber);
    expect(tries).toEqual([...new Set(tries)]);
  }, 60_000);
});
