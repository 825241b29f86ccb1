import { InvalidInputError } from "../../core/errors.js";
import type { Connection } from "../../core/model/connection.js";
import type { MessageTriggerSpec } from "../../core/model/event-trigger-spec.js";
import type { Logger } from "../../core/ports/logger.js";
import { DagUnavailableError, type EventRunWriter } from "../event-run-writer.js";
import { Pause, type TriggerLoop } from "../trigger-loop.js";
import { createUnitRun } from "./message-runs.js";
import { PREFETCH, type Delivery, type MessageSource, type OpenMessageSource } from "./message-source.js";

/** Longest single wait on the broker, so that stop() is prompt. */
const RECEIVE_SLICE_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;

/**
 * A broker subscription: receives messages, creates a run per message (or per batch) and
 * acknowledges them only once the run is stored. On an error it closes the source (unacknowledged
 * messages are delivered again) and reconnects with backoff, 1s doubling to 30s.
 */
export class MessageTriggerLoop implements TriggerLoop {
  readonly #pause = new Pause();
  #stopping = false;
  #running: Promise<void> | null = null;

  constructor(
    private readonly deps: {
      dagId: string;
      spec: MessageTriggerSpec;
      connection: () => Promise<Connection>;
      open: OpenMessageSource;
      writer: EventRunWriter;
      logger: Logger;
    },
  ) {}

  start(): void {
    this.#running ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#pause.wake();
    await this.#running;
  }

  async #run(): Promise<void> {
    const { dagId, spec, logger } = this.deps;
    let backoff = 1_000;
    while (!this.#stopping) {
      let source: MessageSource | null = null;
      try {
        source = await this.deps.open(await this.deps.connection(), spec);
        logger.info({ dagId, trigger: spec.id, broker: spec.source.broker }, "message trigger subscribed");
        backoff = 1_000;
        await this.#consume(source);
      } catch (e) {
        if (!this.#stopping) {
          // Bad options or params, or a DAG that may not run: retrying soon would not help.
          if (e instanceof InvalidInputError || e instanceof DagUnavailableError) backoff = MAX_BACKOFF_MS;
          const err = e instanceof Error ? e.message : String(e);
          const level = e instanceof InvalidInputError ? "error" : "warn";
          logger[level](
            { dagId, trigger: spec.id, broker: spec.source.broker, err, retryInMs: backoff },
            "message trigger interrupted; unacknowledged messages will be delivered again",
          );
        }
      } finally {
        await source?.close().catch(() => {});
      }
      if (this.#stopping) break;
      await this.#pause.sleep(backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  async #consume(source: MessageSource): Promise<void> {
    const batch = this.deps.spec.batch;
    let carry: Delivery[] = [];
    while (!this.#stopping) {
      if (batch === null) {
        const got = carry.length > 0 ? carry : await source.receive(PREFETCH, RECEIVE_SLICE_MS);
        carry = [];
        for (let i = 0; i < got.length && !this.#stopping; i++) carry.push(...(await this.#commit(source, [got[i]!], false)));
      } else {
        const unit = await this.#gather(source, carry, batch.size, batch.withinMs);
        if (unit.length === 0 || this.#stopping) return;
        carry = await this.#commit(source, unit, true);
      }
    }
  }

  /** Up to `size` messages: the carried ones, then what arrives within `withinMs` of the first. */
  async #gather(source: MessageSource, carry: Delivery[], size: number, withinMs: number): Promise<Delivery[]> {
    const unit = carry.slice(0, size);
    while (unit.length === 0 && !this.#stopping) unit.push(...(await source.receive(size, RECEIVE_SLICE_MS)));
    const deadline = Date.now() + withinMs;
    while (unit.length < size && !this.#stopping) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      unit.push(...(await source.receive(size - unit.length, Math.min(left, RECEIVE_SLICE_MS))));
    }
    return unit;
  }

  /** Stores the unit's run, then acknowledges what it covers; returns what it does not. */
  async #commit(source: MessageSource, unit: Delivery[], batch: boolean): Promise<Delivery[]> {
    const { dagId, spec, writer, logger } = this.deps;
    const outcome = await createUnitRun(writer, dagId, spec.id, unit, batch);
    await source.ack(outcome.covered);
    const log = { dagId, trigger: spec.id, runId: outcome.run.runId, messages: outcome.covered.length };
    if (outcome.created) logger.info(log, "message-triggered run created");
    else logger.info(log, "messages delivered again: their run exists, acknowledged");
    return outcome.rest;
  }
}
