/**
 * ml_train_deploy — train a model, and deploy it only if it beats the one in production.
 *
 *   extract_dataset → prepare_features (DuckDB) → check_features (quality gate) → train → evaluate ─┐
 *   read_registry ─────────────────────────────────────────────────────────────────────────────────┴→ decide
 *                                                          ┌─ deploy ───────┐
 *                                              decide ─────┤                ├─ report
 *                                                          └─ keep_current ─┘
 *
 * A churn model: logistic regression fitted by gradient descent in plain TypeScript (no ML
 * library), on features computed with SQL in an in-memory DuckDB, evaluated on a holdout (every
 * fifth customer). The registry is a JSON file, `<modelsDir>/registry.json`, naming the deployed
 * model and its holdout AUC. `decide` deploys when there is no model yet or when the candidate's
 * AUC beats the deployed one by `minImprovement`, and never below `minAuc`; `report` joins the two
 * paths with the trigger rule `none_failed_min_one_success`.
 *
 * Everything is deterministic — seeded sample data, zero-initialised weights, a fixed order — so
 * the same ds and params always give the same model: a second run of a day keeps the current one.
 * Runs with no external service; files go under `root`, by default `$BATON_HOME/examples/ml`.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { chain, dag, FailTask, z } from "baton";
import { sqlCheck, sqlQuery } from "baton/operators";
import { sampleCustomersCsv, writeText } from "./_ml/dataset.js";
import { evaluate, train, type Example, type LogisticModel } from "./_ml/logistic.js";
import { readRegistry, registryPath, writeJsonAtomically, type Deployment } from "./_ml/registry.js";

/** Paths reach SQL through templates, so they may not contain quotes. */
const path = z
  .string()
  .min(1)
  .regex(/^[^'"\\\n]+$/, "a path without quotes, backslashes or line breaks");

const params = z.object({
  /** Folder for data/, features/ and candidates/. */
  root: path.default(resolve(process.env["BATON_HOME"] ?? ".baton", "examples", "ml")),
  /** Where deployed models and registry.json live; default `<root>/models`. */
  modelsDir: path.optional(),
  /** Write a sample dataset when none has landed for the day. */
  sample: z.boolean().default(true),
  rows: z.number().int().min(50).max(200_000).default(2000),
  seed: z.number().int().default(42),
  epochs: z.number().int().min(1).max(10_000).default(400),
  learningRate: z.number().positive().max(10).default(0.5),
  l2: z.number().min(0).max(1).default(0.001),
  /** Deploy only when the candidate's holdout AUC is at least this… */
  minAuc: z.number().min(0).max(1).default(0.7),
  /** …and beats the deployed model's by at least this much. */
  minImprovement: z.number().min(0).max(1).default(0.005),
});

const FEATURES = ["log_tenure", "spend_hundreds", "tickets", "is_pro", "inactivity_months"];
const DATASET = "{{ params.root }}/data/customers_{{ ds }}.csv";
const FEATURE_FILE = "{{ params.root }}/features/features_{{ ds }}.jsonl";

// SQL is declared before dag(): the DAG's callback runs while the file loads.
const PREPARE_FEATURES = `
  WITH raw AS (
    SELECT * FROM read_csv('${DATASET}', header = true, columns = {
      'customer_id': 'INTEGER', 'tenure_months': 'DOUBLE', 'monthly_spend': 'DOUBLE', 'support_tickets': 'DOUBLE',
      'plan': 'VARCHAR', 'days_since_login': 'DOUBLE', 'churned': 'INTEGER'})
  )
  SELECT customer_id,
         customer_id % 5 = 0 AS holdout,
         ln(1 + tenure_months) AS log_tenure,
         monthly_spend / 100 AS spend_hundreds,
         support_tickets AS tickets,
         CASE WHEN plan = 'pro' THEN 1.0 ELSE 0.0 END AS is_pro,
         least(coalesce(days_since_login, (SELECT median(days_since_login) FROM raw)), 90) / 30 AS inactivity_months,
         churned AS label
  FROM raw
  WHERE customer_id IS NOT NULL AND churned IN (0, 1)
  ORDER BY customer_id`;

const FEATURES_JSON = `read_json('${FEATURE_FILE}')`;

export default dag(
  {
    id: "ml_train_deploy",
    description: "Train a churn model in TypeScript, evaluate it on a holdout, deploy it only if it beats the current one.",
    schedule: "@weekly",
    startDate: "2026-03-01",
    timezone: "UTC",
    catchup: false,
    tags: ["ml", "duckdb", "branching", "example"],
    owner: "ml-team",
    params,
    defaults: { retries: 1, retryDelay: "10s" },
    // One run at a time: runs read and write the same registry.
    maxActiveRuns: 1,
    runTimeout: "30m",
  },
  (d) => {
    const extract = d.task("extract_dataset", { retries: 0 }, async (ctx) => {
      const file = join(ctx.params.root, "data", `customers_${requireDs(ctx)}.csv`);
      if (existsSync(file)) return { file, source: "landed" as const };
      if (!ctx.params.sample) throw new FailTask(`no dataset at ${file} and params.sample is false`);
      await writeText(file, sampleCustomersCsv(ctx.params.rows, ctx.params.seed, requireDs(ctx)));
      ctx.log.info("wrote a sample dataset", { file, rows: ctx.params.rows });
      return { file, source: "sample" as const };
    });

    // Feature engineering in SQL; every row goes to a JSON-lines file, the task's value is its path.
    const features = sqlQuery(d, "prepare_features", {
      conn: "duckdb://:memory:",
      sql: PREPARE_FEATURES,
      output: { path: FEATURE_FILE, format: "jsonl" },
      after: [extract],
    });

    const checked = sqlCheck(d, "check_features", {
      conn: "duckdb://:memory:",
      after: [features],
      checks: [
        { name: "at least 200 customers", query: `SELECT count(*) >= 200 FROM ${FEATURES_JSON}` },
        {
          name: "no missing feature",
          query: `SELECT count(*) = 0 FROM ${FEATURES_JSON} WHERE ${[...FEATURES, "label"].map((f) => `${f} IS NULL`).join(" OR ")}`,
        },
        {
          name: "both classes in train and holdout",
          query: `SELECT count(*) = 2 AND bool_and(n = 2) FROM (SELECT holdout, count(DISTINCT label) AS n FROM ${FEATURES_JSON} GROUP BY holdout)`,
        },
        { name: "holdout is 10-30% of rows", query: `SELECT avg(holdout::INTEGER) BETWEEN 0.1 AND 0.3 FROM ${FEATURES_JSON}` },
      ],
    });

    const trained = d.task("train", { inputs: { features }, after: [checked] }, async (ctx, { features }) => {
      const { train: examples } = await loadExamples(features.path);
      const { epochs, learningRate, l2 } = ctx.params;
      const { model, loss } = train(FEATURES, examples, { epochs, learningRate, l2 });
      const candidate = join(ctx.params.root, "candidates", `model_${requireDs(ctx)}.json`);
      await writeJsonAtomically(candidate, model);
      ctx.log.info("trained a candidate", { rows: examples.length, epochs, trainLogLoss: loss });
      return { candidate, rows: examples.length, trainLogLoss: loss };
    });

    const evaluation = d.task("evaluate", { inputs: { features, trained } }, async (ctx, { features, trained }) => {
      const { holdout } = await loadExamples(features.path);
      const model = JSON.parse(await readFile(trained.candidate, "utf8")) as LogisticModel;
      const metrics = evaluate(model, holdout);
      ctx.log.info("holdout metrics", { ...metrics });
      return metrics;
    });

    const current = d.task("read_registry", { retries: 0 }, async (ctx) => {
      const { current } = await readRegistry(modelsDir(ctx.params));
      return { current };
    });

    const decide = d.branch("decide", { inputs: { evaluation, current } }, (ctx, { evaluation, current }) => {
      const { minAuc, minImprovement } = ctx.params;
      if (!(evaluation.auc >= minAuc)) {
        ctx.log.warn("candidate below the bar; keeping the current model", { auc: evaluation.auc, minAuc });
        return "keep_current";
      }
      if (current.current === null) return "deploy";
      const better = evaluation.auc >= current.current.auc + minImprovement;
      ctx.log.info(better ? "candidate beats the deployed model" : "candidate is not better", {
        candidateAuc: evaluation.auc,
        deployedAuc: current.current.auc,
        deployedVersion: current.current.version,
        minImprovement,
      });
      return better ? "deploy" : "keep_current";
    });

    const deploy = d.task("deploy", { inputs: { trained, evaluation } }, async (ctx, { trained, evaluation }) => {
      const dir = modelsDir(ctx.params);
      const registry = await readRegistry(dir);
      const version = (registry.history.at(-1)?.version ?? 0) + 1;
      const path = join(dir, `model_v${version}.json`);
      await writeJsonAtomically(path, JSON.parse(await readFile(trained.candidate, "utf8")) as LogisticModel);
      const deployment: Deployment = {
        version,
        path,
        auc: evaluation.auc,
        accuracy: evaluation.accuracy,
        logLoss: evaluation.logLoss,
        ds: requireDs(ctx),
        runId: ctx.runId,
        deployedAt: new Date().toISOString(),
      };
      // The registry is written last: until then, readers keep using the previous model.
      await writeJsonAtomically(registryPath(dir), { current: deployment, history: [...registry.history, deployment] });
      ctx.log.info("deployed", { version, auc: evaluation.auc });
      return { version, path };
    });

    const keep = d.task("keep_current", async (ctx) => {
      const { current } = await readRegistry(modelsDir(ctx.params));
      return { version: current?.version ?? null };
    });

    chain(decide, [deploy, keep]);

    d.task("report", { inputs: { evaluation }, after: [deploy, keep], triggerRule: "none_failed_min_one_success" }, async (ctx, { evaluation }) => {
      const { current } = await readRegistry(modelsDir(ctx.params));
      const report = {
        deployed: current?.runId === ctx.runId,
        version: current?.version ?? null,
        candidateAuc: evaluation.auc,
        deployedAuc: current?.auc ?? null,
      };
      ctx.log.info("model report", report);
      return report;
    });
  },
);

function modelsDir(p: { root: string; modelsDir?: string | undefined }): string {
  return p.modelsDir ?? join(p.root, "models");
}

function requireDs(ctx: { ds: string | null }): string {
  if (ctx.ds === null) throw new FailTask("ml_train_deploy needs a logical date (ds); trigger it with --date YYYY-MM-DD");
  return ctx.ds;
}

/** The feature file as training and holdout examples, features in the order of FEATURES. */
async function loadExamples(file: string): Promise<{ train: Example[]; holdout: Example[] }> {
  const out = { train: [] as Example[], holdout: [] as Example[] };
  for (const line of (await readFile(file, "utf8")).split("\n")) {
    if (line === "") continue;
    const row = JSON.parse(line) as Record<string, unknown>;
    const example: Example = { x: FEATURES.map((f) => Number(row[f])), y: Number(row["label"]) === 1 ? 1 : 0 };
    (row["holdout"] === true ? out.holdout : out.train).push(example);
  }
  return out;
}
