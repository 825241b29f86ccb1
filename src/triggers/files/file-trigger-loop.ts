import type { Connection } from "../../core/model/connection.js";
import type { FileTriggerSpec } from "../../core/model/event-trigger-spec.js";
import type { Logger } from "../../core/ports/logger.js";
import { eventRunId, sha256 } from "../event-run-ids.js";
import type { EventRunWriter } from "../event-run-writer.js";
import { Pause, type TriggerLoop } from "../trigger-loop.js";
import type { FileLister, ListedFile } from "./file-lister.js";
import { globIsRecursive, globMatcher } from "./glob.js";

/** The run id of one version of a file: its path, size and mtime hashed. */
export function fileRunId(triggerId: string, file: ListedFile): string {
  return eventRunId(triggerId, `f${sha256(`${file.path}\0${file.size}\0${file.mtime}`).slice(0, 24)}`);
}

/** What a file-triggered run's conf says. */
export function fileConf(file: ListedFile): Record<string, unknown> {
  return { file: { path: file.path, name: file.name, size: file.size, mtime: file.mtime } };
}

/**
 * Scans a location every `pollMs`. A file whose size and mtime are the same in two scans in a row
 * is complete: it gets a run (unless a run of that version exists, e.g. from before a restart).
 */
export class FileTriggerLoop implements TriggerLoop {
  readonly #seen = new Map<string, string>();
  readonly #done = new Map<string, string>();
  readonly #pause = new Pause();
  readonly #match: (name: string) => boolean;
  #stopping = false;
  #running: Promise<void> | null = null;
  #lastError = "";

  constructor(
    private readonly deps: {
      dagId: string;
      spec: FileTriggerSpec;
      lister: FileLister;
      connection: () => Promise<Connection | null>;
      writer: EventRunWriter;
      logger: Logger;
    },
  ) {
    this.#match = globMatcher(deps.spec.pattern);
  }

  start(): void {
    this.#running ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#pause.wake();
    await this.#running;
  }

  /** One scan; returns the ids of the runs it created. */
  async scan(): Promise<string[]> {
    const { spec, dagId, writer } = this.deps;
    const files = await this.deps.lister.list(spec.location, this.#match, globIsRecursive(spec.pattern), await this.deps.connection());
    files.sort((a, b) => a.mtime - b.mtime || a.name.localeCompare(b.name));
    const created: string[] = [];
    const present = new Set<string>();
    for (const file of files) {
      if (this.#stopping) break;
      present.add(file.path);
      const version = `${file.size}:${file.mtime}`;
      if (this.#done.get(file.path) === version) continue;
      const before = this.#seen.get(file.path);
      this.#seen.set(file.path, version);
      if (before !== version) continue; // new or still changing: wait for the next scan
      const runId = fileRunId(spec.id, file);
      if ((await writer.find(dagId, runId)) === undefined && (await writer.create(dagId, runId, fileConf(file))).created) {
        created.push(runId);
        this.deps.logger.info({ dagId, trigger: spec.id, runId, path: file.path }, "file-triggered run created");
      }
      this.#done.set(file.path, version);
    }
    for (const path of [...this.#seen.keys()]) if (!present.has(path)) this.#seen.delete(path);
    for (const path of [...this.#done.keys()]) if (!present.has(path)) this.#done.delete(path);
    return created;
  }

  async #run(): Promise<void> {
    const { spec, dagId, logger } = this.deps;
    while (!this.#stopping) {
      try {
        const runs = await this.scan();
        if (runs.length > 0) logger.debug({ dagId, trigger: spec.id, runs: runs.length }, "file trigger scanned");
        this.#lastError = "";
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        // Logged once per distinct problem, not on every scan.
        if (message !== this.#lastError) logger.warn({ dagId, trigger: spec.id, location: spec.location, err: message }, "file trigger cannot scan");
        this.#lastError = message;
      }
      if (!this.#stopping) await this.#pause.sleep(spec.pollMs);
    }
  }
}
