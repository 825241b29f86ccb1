import type { RunRecord } from "../../core/model/records.js";
import { eventRunId } from "../event-run-ids.js";
import type { EventRunWriter } from "../event-run-writer.js";
import type { Delivery } from "./message-source.js";

/** Most runs sharing one content key (identical messages without an id) that are looked through. */
const MAX_ORDINAL = 10_000;

/** A message as a run's conf carries it. */
export function messageConf(d: Delivery): Record<string, unknown> {
  const { data, headers, id, subject } = d.message;
  return { data, headers, id, subject, key: d.key };
}

/** The conf of a run for `unit`: `{ message }` per message, `{ messages: [...] }` for a batch. */
export function unitConf(unit: readonly Delivery[], batch: boolean): Record<string, unknown> {
  return batch ? { messages: unit.map(messageConf) } : { message: messageConf(unit[0]!) };
}

export interface UnitOutcome {
  run: RunRecord;
  created: boolean;
  /** Deliveries the run covers: acknowledge them. */
  covered: Delivery[];
  /** Deliveries of the unit that an existing run does not cover: they go into the next unit. */
  rest: Delivery[];
}

/**
 * Creates the run of a message or batch, or finds the one created before a restart. The run id
 * derives from the first message's key, so a batch delivered again (maybe grown) finds its run;
 * the existing run's conf then says which messages it covered.
 *
 * Content keys (no broker id) may repeat for identical messages, so their runs take ordinals
 * (`…__c<hash>`, `…~2`, `…~3`): a first delivery takes the next free one; a redelivery takes the
 * newest existing one (it is most likely its own run, created before the acknowledgement was lost).
 */
export async function createUnitRun(writer: EventRunWriter, dagId: string, triggerId: string, unit: readonly Delivery[], batch: boolean): Promise<UnitOutcome> {
  const head = unit[0]!;
  const conf = unitConf(unit, batch);
  const base = eventRunId(triggerId, head.key);
  let result: { run: RunRecord; created: boolean } | undefined;
  if (head.stable) {
    result = await writer.create(dagId, base, conf);
  } else if (head.redelivered) {
    let newest: RunRecord | undefined;
    for (let n = 1; n <= MAX_ORDINAL; n++) {
      const run = await writer.find(dagId, ordinal(base, n));
      if (!run) break;
      newest = run;
    }
    result = newest ? { run: newest, created: false } : await writer.create(dagId, base, conf);
  } else {
    for (let n = 1; n <= MAX_ORDINAL && result?.created !== true; n++) result = await writer.create(dagId, ordinal(base, n), conf);
  }
  const { run, created } = result!;
  if (created) return { run, created, covered: [...unit], rest: [] };
  const keys = coveredKeys(run);
  const covered = unit.filter((d, i) => i === 0 || keys.has(d.key));
  return { run, created, covered, rest: unit.filter((d) => !covered.includes(d)) };
}

function ordinal(base: string, n: number): string {
  return n === 1 ? base : `${base}~${n}`;
}

function coveredKeys(run: RunRecord): Set<string> {
  const { message, messages } = run.conf as { message?: { key?: unknown }; messages?: { key?: unknown }[] };
  const list = Array.isArray(messages) ? messages : message ? [message] : [];
  return new Set(list.map((m) => m?.key).filter((k): k is string => typeof k === "string"));
}
