import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { baton, batonJson, poll, startBaton, stopProcess } from "./baton-cli.js";

// Issue 13 ("Start fast"): the API listened only once the whole DAG folder was parsed (15.5 s with 1,000 files).

/** A DAG file whose import waits until `release` exists: as slow to load as the test wants. */
const slowDag = (release: string) =>
  `import { existsSync } from "node:fs";\nimport { dag } from "baton";\n` +
  `while (!existsSync(${JSON.stringify(release)})) await new Promise((r) => setTimeout(r, 50));\n` +
  `export default dag({ id: "slow", schedule: null }, (d) => { d.task("t", () => 1); });\n`;
const quickDag = `import { dag } from "baton";\nexport default dag({ id: "quick", schedule: null }, (d) => { d.task("t", () => 1); });\n`;

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

function setup() {
  const root = mkdtempSync(join(tmpdir(), "baton-start-fast-"));
  const dags = join(root, "dags");
  mkdirSync(dags);
  const release = join(root, "release");
  writeFileSync(join(dags, "slow.ts"), slowDag(release));
  writeFileSync(join(dags, "quick.ts"), quickDag);
  const env = { BATON_HOME: join(root, "home"), BATON_DAGS: dags, BATON_API_PORT: "0", BATON_WORKERS: "1", BATON_DAG_FILE_TIMEOUT_MS: "120000" };
  return { env, release };
}

describe("baton standalone answers before its DAG folder is loaded", () => {
  it("answers /health and lists the loaded DAGs while a slow DAG file is still loading; the banner follows once it is loaded", async () => {
    const { env, release } = setup();
    const s = await startBaton(["standalone"], env, /UI and API at (\S+);/);
    stop = () => stopProcess(s.proc);
    const url = /UI and API at (http:\/\/\S+?)[,;]/.exec(s.output())![1]!;

    const health = await fetch(`${url}/api/v1/health`);
    expect(health.status).toBe(200);
    // An event stream opened now, before the scheduler is built (its modules load after the API
    // answers), still hears the runs it schedules later.
    const stream = await fetch(`${url}/api/v1/events`);
    const reader = stream.body!.getReader();
    let heard = "";
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        heard += new TextDecoder().decode(value);
      }
    })().catch(() => {});
    // The quick file's DAG appears while the slow one is still being imported.
    const listed = await poll(async () => {
      const body = (await (await fetch(`${url}/api/v1/dags`)).json()) as { dags: { dagId: string }[] };
      const ids = body.dags.map((d) => d.dagId);
      return ids.includes("quick") ? ids : undefined;
    }, 60_000);
    expect(listed).not.toContain("slow");
    expect(s.output()).not.toContain("Baton standalone is running");

    writeFileSync(release, "");
    await poll(async () => (s.output().includes("Baton standalone is running") ? true : undefined), 60_000);
    expect(s.output()).toContain("(2 DAG(s) loaded, 0 file error(s))");
    const after = (await (await fetch(`${url}/api/v1/dags`)).json()) as { dags: { dagId: string }[] };
    expect(after.dags.map((d) => d.dagId).sort()).toEqual(["quick", "slow"]);

    const trig = await fetch(`${url}/api/v1/dags/quick/runs`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(trig.status, await trig.clone().text()).toBeLessThan(300);
    await poll(async () => (/"kind":"run","dagId":"quick"/.test(heard) ? true : undefined), 60_000);
    await reader.cancel();
    await reading;
  }, 180_000);

  it("a second `dags list` does not load the unchanged DAG files again", async () => {
    const { env, release } = setup();
    writeFileSync(release, "");
    const first = await baton(["dags", "list", "--json"], env);
    expect(first.code).toBe(0);
    expect(
      batonJson<{ dagId: string }[]>(first)
        .map((d) => d.dagId)
        .sort(),
    ).toEqual(["quick", "slow"]);
    // With the release file gone, loading slow.ts again would wait until the 2 s limit and fail it.
    rmSync(release);
    const fast = { ...env, BATON_DAG_FILE_TIMEOUT_MS: "2000" };
    const second = await baton(["dags", "list", "--json"], fast);
    expect(second.code).toBe(0);
    expect(
      batonJson<{ dagId: string; importError: unknown }[]>(second)
        .map((d) => [d.dagId, d.importError])
        .sort(),
    ).toEqual([
      ["quick", null],
      ["slow", null],
    ]);
    const errors = await baton(["dags", "errors", "--json"], fast);
    expect([errors.code, batonJson<unknown[]>(errors)]).toEqual([0, []]);
  }, 180_000);
});
