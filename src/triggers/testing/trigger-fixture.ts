import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EventTriggerSpec } from "../../core/model/event-trigger-spec.js";
import type { RunRecord } from "../../core/model/records.js";
import { systemClock } from "../../core/ports/clock.js";
import type { Logger } from "../../core/ports/logger.js";
import type { Store } from "../../core/ports/store.js";
import { makeDag, makeTask } from "../../core/testing/spec-builders.js";
import { openSqliteStore } from "../../store/sqlite/open-sqlite-store.js";
import { TriggerManager, type TriggerManagerDeps } from "../trigger-manager.js";

/** A fresh SQLite store in a temp folder, with DAGs declaring triggers, and managers on it. */
export class TriggerFixture {
  readonly root = mkdtempSync(join(tmpdir(), "baton-triggers-"));
  store!: Store;
  wakes = 0;
  readonly logs: { level: string; obj: object; msg?: string }[] = [];
  readonly #managers: TriggerManager[] = [];

  async open(): Promise<this> {
    this.store = await openSqliteStore(join(this.root, "baton.db"));
    return this;
  }

  /** Saves (a new version of) a DAG with one task and these triggers. */
  async saveDag(dagId: string, triggers: EventTriggerSpec[], version = "v1"): Promise<void> {
    const spec = makeDag([makeTask("handle")], { dagId, triggers });
    await this.store.saveDagVersion({ versionHash: `${dagId}-${version}`, dagId, spec, source: "", bundlePath: "/nowhere.mjs", createdAt: Date.now() });
  }

  readonly logger: Logger = {
    debug: (obj, msg) => this.logs.push({ level: "debug", obj, msg }),
    info: (obj, msg) => this.logs.push({ level: "info", obj, msg }),
    warn: (obj, msg) => this.logs.push({ level: "warn", obj, msg }),
    error: (obj, msg) => this.logs.push({ level: "error", obj, msg }),
  };

  /** A started manager re-reading DAGs every 100 ms. */
  async manager(deps: Partial<TriggerManagerDeps> = {}): Promise<TriggerManager> {
    const m = new TriggerManager({
      store: this.store,
      secrets: { connection: async (id) => Promise.reject(new Error(`no connection ${id} in tests`)), variable: async () => "" },
      clock: systemClock,
      logger: this.logger,
      wake: () => this.wakes++,
      pollMs: 100,
      ...deps,
    });
    this.#managers.push(m);
    await m.start();
    return m;
  }

  async runs(dagId: string): Promise<RunRecord[]> {
    return (await this.store.listRuns({ dagId, limit: 10_000 })).sort((a, b) => a.id - b.id);
  }

  /** Polls until `fn` returns true (or fails after `timeoutMs`). */
  async until(fn: () => Promise<boolean> | boolean, timeoutMs = 15_000, what = "condition"): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await fn())) {
      if (Date.now() > end)
        throw new Error(`timed out waiting for ${what}; logs:\n${this.logs.map((l) => `${l.level} ${l.msg ?? ""} ${JSON.stringify(l.obj)}`).join("\n")}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async dispose(): Promise<void> {
    for (const m of this.#managers) await m.stop().catch(() => {});
    await this.store?.close();
    rmSync(this.root, { recursive: true, force: true });
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
