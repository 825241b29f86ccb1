import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { InvalidInputError } from "../../core/errors.js";
import type { DagSpec } from "../../core/model/dag-spec.js";
import type { Role } from "../../core/model/records.js";
import type { ChangeEvent, ChangeFeed } from "../../core/ports/change-feed.js";
import { createBackfill, planBackfill } from "../../scheduler/requests/create-backfill.js";
import { buildManualRun } from "../../scheduler/run-factory.js";
import { dagSpec, taskSpec } from "../../store/contract/fixtures.js";
import { openSqliteStore } from "../../store/sqlite/open-sqlite-store.js";
import { createApiToken } from "../auth/index.js";
import { requireDag } from "../lookups.js";
import { buildApiServer, type ApiDeps } from "../server.js";

export type TestStore = Awaited<ReturnType<typeof openSqliteStore>>;

/** A ChangeFeed the test pushes events into. */
export class MemoryChangeFeed implements ChangeFeed {
  readonly listeners = new Set<(event: ChangeEvent) => void>();
  subscribe(listener: (event: ChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(event: ChangeEvent): void {
    for (const l of this.listeners) l(event);
  }
}

export interface ApiHarness {
  app: FastifyInstance;
  store: TestStore;
  changes: MemoryChangeFeed;
  dir: string;
  logsDir: string;
  clock: { now: number };
  wakes: number;
  /** `Authorization` headers of API tokens per role. */
  bearer(role: Role): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export const NOW = Date.UTC(2025, 5, 1, 12);

/**
 * The API over a fresh SQLite store with DAG `etl` (tasks extract → load, an integer param `n`,
 * a shell task `report`) and DAG `other`; collaborators composed as the CLI does.
 */
export async function apiHarness(
  options: Partial<
    Pick<
      ApiDeps,
      | "mode"
      | "uiDir"
      | "commandWaitMs"
      | "secrets"
      | "secretsAdmin"
      | "logger"
      | "homeDir"
      | "infraErrors"
      | "auditRetention"
      | "metrics"
      | "leases"
      | "overview"
      | "liveness"
      | "version"
    >
  > = {},
): Promise<ApiHarness> {
  const dir = mkdtempSync(join(tmpdir(), "baton-api-"));
  const logsDir = join(dir, "logs");
  mkdirSync(logsDir);
  const store = await openSqliteStore(join(dir, "baton.db"));
  const clock = { now: NOW };
  await store.saveDagVersion({
    versionHash: "etl-v1",
    dagId: "etl",
    spec: etlSpec(),
    source: "export default dag('etl')\n",
    bundlePath: "/b/etl.mjs",
    createdAt: NOW,
  });
  await store.saveDagVersion({
    versionHash: "other-v1",
    dagId: "other",
    spec: { ...dagSpec("other"), tags: ["misc"], paramsDefaults: {} },
    source: "// other\n",
    bundlePath: "/b/o.mjs",
    createdAt: NOW,
  });
  const changes = new MemoryChangeFeed();
  const h: ApiHarness = {
    app: undefined as unknown as FastifyInstance,
    store,
    changes,
    dir,
    logsDir,
    clock,
    wakes: 0,
    async bearer(role) {
      const username = `${role}-user`;
      if (!(await store.getUser(username))) await store.createUser({ username, role, passwordHash: "x", disabled: false, createdAt: NOW });
      const { token } = await createApiToken(store, username, "test", role, null, clock.now);
      return { authorization: `Bearer ${token}` };
    },
    async close() {
      await h.app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  h.app = await buildApiServer({
    store,
    inbox: store,
    auth: store,
    audit: store,
    datasets: store,
    deadlines: store.deadlines,
    anomalies: store.anomalies,
    search: store.catalog,
    notifications: store.notifications,
    callbacks: store.callbacks,
    workers: store.workers,
    retention: store.retention,
    trends: store.trends,
    ...(options.secrets === undefined ? {} : { secrets: options.secrets }),
    ...(options.secretsAdmin === undefined ? {} : { secretsAdmin: options.secretsAdmin }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.homeDir === undefined ? {} : { homeDir: options.homeDir }),
    ...(options.infraErrors === undefined ? {} : { infraErrors: options.infraErrors }),
    ...(options.auditRetention === undefined ? {} : { auditRetention: options.auditRetention }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    ...(options.leases === undefined ? {} : { leases: options.leases }),
    ...(options.overview === undefined ? {} : { overview: options.overview }),
    ...(options.liveness === undefined ? {} : { liveness: options.liveness }),
    ...(options.version === undefined ? {} : { version: options.version }),
    changes,
    storeAvailability: store.availability,
    mode: options.mode ?? "local",
    logsDir,
    commandWaitMs: options.commandWaitMs ?? 300,
    ...(options.uiDir === undefined ? {} : { uiDir: options.uiDir }),
    now: () => clock.now,
    wake: () => void h.wakes++,
    async triggerRun(dagId, req, now) {
      const { version } = await requireDag(store, dagId);
      const { run, tis } = buildManualRun({ version, now, at: req.logicalDate ?? now, conf: req.conf, ...(req.runId ? { runId: req.runId } : {}) });
      const created = await store.createRun({ ...run, triggeredBy: req.triggeredBy ?? null }, tis);
      if (!created) throw new InvalidInputError(`runId: DAG ${dagId} already has run ${run.runId}`);
      return created;
    },
    createBackfill: (req) => createBackfill(store, req),
    planBackfill: (req) => planBackfill(store, req),
  });
  return h;
}

export function etlSpec(): DagSpec {
  return {
    ...dagSpec("etl"),
    timezone: "UTC",
    paramsSchema: { type: "object", properties: { n: { type: "integer", default: 1 }, region: { enum: ["eu", "us"] } } },
    paramsDefaults: { n: 1 },
    tasks: [
      taskSpec("extract"),
      taskSpec("load", ["extract"]),
      { ...taskSpec("report", ["load"]), kind: "shell", command: "echo {{ params.n }} {{ run_id }}" },
    ],
  };
}

/** Stands in for the scheduler: applies the next pending command (result "ok") as soon as it appears. */
export async function applyNextCommand(store: TestStore, result = "ok"): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const [pending] = await store.listPendingCommands(1);
    if (pending) {
      await store.completeCommand(pending.id, result, NOW);
      return pending.id;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("no command was enqueued");
}
