// examples/dags/ml_train_deploy.ts run by the real `baton dags test` (no external service): the
// first run deploys, a second run of the same day keeps the deployed model, a better candidate
// replaces it, and bad features stop the run before training. Needs `npx tsc -p tsconfig.build.json`.
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { dagsTest, states, taskError, tempHome } from "./reference-support.js";

const DAG = "ml_train_deploy";
const DS = "2026-03-02";
const PIPELINE = {
  extract_dataset: "success",
  prepare_features: "success",
  check_features: "success",
  train: "success",
  evaluate: "success",
  read_registry: "success",
  decide: "success",
};

interface Registry {
  current: { version: number; path: string; auc: number; accuracy: number; runId: string; ds: string } | null;
  history: { version: number }[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp() {
  const home = await tempHome();
  cleanups.push(home.remove);
  const models = join(home.path, "examples", "ml", "models");
  const registryFile = join(models, "registry.json");
  return {
    models,
    registryFile,
    run: (conf: Record<string, unknown> = {}, expectExit: 0 | 1 = 0) => dagsTest(DAG, { home: home.path, date: DS, conf, expectExit }),
    registry: async () => JSON.parse(await readFile(registryFile, "utf8")) as Registry,
  };
}

describe(DAG, () => {
  it("deploys the first model, keeps it when a re-run is not better, and replaces it with a better one", async () => {
    const { run, registry, registryFile } = await setUp();

    const first = await run();
    expect(states(first)).toEqual({ ...PIPELINE, deploy: "success", keep_current: "skipped", report: "success" });
    const deployed = await registry();
    expect(deployed.current).toMatchObject({ version: 1, ds: DS, runId: first.runId });
    expect(deployed.current!.auc).toBeGreaterThan(0.75); // the sample follows a learnable rule
    expect(deployed.history.map((h) => h.version)).toEqual([1]);

    // The model learned the direction of the rule the sample was drawn from.
    const model = JSON.parse(await readFile(deployed.current!.path, "utf8")) as { features: string[]; weights: number[] };
    const weight = (f: string) => model.weights[model.features.indexOf(f)]!;
    expect(weight("tickets")).toBeGreaterThan(0);
    expect(weight("inactivity_months")).toBeGreaterThan(0);
    expect(weight("log_tenure")).toBeLessThan(0);
    expect(weight("is_pro")).toBeLessThan(0);

    // Same day, same seed: the same candidate, which does not beat the deployed model by minImprovement.
    const registryBytes = await readFile(registryFile, "utf8");
    const second = await run();
    expect(states(second)).toEqual({ ...PIPELINE, deploy: "skipped", keep_current: "success", report: "success" });
    expect(await readFile(registryFile, "utf8")).toBe(registryBytes);

    // Pretend production runs a weaker model: now the candidate is better and replaces it.
    await writeFile(registryFile, JSON.stringify({ ...deployed, current: { ...deployed.current, auc: 0.7 } }));
    const third = await run();
    expect(states(third)).toMatchObject({ deploy: "success", keep_current: "skipped", report: "success" });
    const replaced = await registry();
    expect(replaced.current).toMatchObject({ version: 2, runId: third.runId, auc: deployed.current!.auc });
    expect(replaced.history.map((h) => h.version)).toEqual([1, 2]);
    expect(existsSync(replaced.current!.path)).toBe(true);
  }, 300_000);

  it("keeps the current model (none) when the candidate is below minAuc", async () => {
    const { run, registryFile } = await setUp();
    const r = await run({ minAuc: 0.99 });
    expect(states(r)).toEqual({ ...PIPELINE, deploy: "skipped", keep_current: "success", report: "success" });
    expect(existsSync(registryFile)).toBe(false);
  }, 120_000);

  it("quality gate: too few customers fail check_features without retries; nothing is trained or deployed", async () => {
    const { run, registryFile } = await setUp();
    const r = await run({ rows: 100 }, 1);
    expect(r.state).toBe("failed");
    expect(states(r)).toMatchObject({
      prepare_features: "success",
      check_features: "failed",
      train: "upstream_failed",
      decide: "upstream_failed",
      report: "upstream_failed",
    });
    expect(r.tasks.find((t) => t.taskId === "check_features")?.attempts).toBe(1);
    expect(taskError(r, "check_features")).toMatch(/at least 200 customers/);
    expect(existsSync(registryFile)).toBe(false);
  }, 120_000);
});
