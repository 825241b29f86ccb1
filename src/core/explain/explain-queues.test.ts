import { describe, expect, it } from "vitest";
import { makeDag, makeTask } from "../testing/spec-builders.js";
import { T0, runFacts, ti } from "../testing/explain-facts.js";
import { explainTask } from "./explain-task.js";
import type { RunFacts, WorkerFacts } from "./explain-types.js";

// A task on a remote queue (docs/workers.md): the explanation names its queue and whether any
// active worker listens on it.

const spec = makeDag([makeTask("train", { queue: "gpu" }), makeTask("local")]);
const noWorkers: WorkerFacts = { active: { default: 2 }, depths: [], attempts: {} };
const facts = (workers: WorkerFacts | undefined, states: Record<string, Partial<ReturnType<typeof ti>>> = {}): RunFacts => {
  const f = runFacts(spec, workers ? { workers } : {});
  return { ...f, taskInstances: f.taskInstances.map((t) => ({ ...t, ...(states[t.taskId] ?? {}) })) };
};
const only = (f: RunFacts, task: string) => {
  const reasons = explainTask(f, task)!.reasons;
  expect(reasons).toHaveLength(1);
  return reasons[0]!;
};
const QUEUED = { state: "queued" as const, tryNumber: 1, queuedAt: T0 - 60_000 };

describe("explainTask on queues", () => {
  it("a queued attempt in the mailbox of a queue no active worker listens on says so", () => {
    const f = facts(
      { ...noWorkers, depths: [{ queue: "gpu", queued: 3, running: 0 }], attempts: { "1/train/-1/1": { queue: "gpu", state: "queued", workerId: null } } },
      { train: QUEUED },
    );
    const r = only(f, "train");
    expect(r.code).toBe("queued_for_worker");
    expect(r.message).toBe(
      'Task "train" was handed to the remote workers of queue "gpu" at 2026-03-01T11:59:00.000Z (1 min ago) (try 1) and waits for one to take it: no worker is listening on queue "gpu": it waits until one connects (`baton worker --queues gpu`).',
    );
    expect(r.facts).toMatchObject({ queue: "gpu", remoteState: "queued", workerId: null, workers: 0, queuedOnQueue: 3, tryNumber: 1 });
  });

  it("with workers on the queue it counts them; assigned to one, it names the worker", () => {
    const base = { active: { gpu: 2 }, depths: [{ queue: "gpu", queued: 1, running: 2 }] };
    const waiting = facts({ ...base, attempts: { "1/train/-1/1": { queue: "gpu", state: "queued", workerId: null } } }, { train: QUEUED });
    expect(only(waiting, "train").message).toMatch(/waits for one to take it: 2 workers listen on it, 1 attempt waiting there\.$/);
    const assigned = facts({ ...base, attempts: { "1/train/-1/1": { queue: "gpu", state: "assigned", workerId: "gpu-box:42:ab" } } }, { train: QUEUED });
    expect(only(assigned, "train").message).toBe(
      'Task "train" was handed to remote worker "gpu-box:42:ab" (queue "gpu") and starts as soon as that worker picks it up (try 1).',
    );
  });

  it("a ready task on a queue without workers names the queue", () => {
    const r = only(facts(noWorkers), "train");
    expect(r.code).toBe("waiting_for_worker");
    expect(r.message).toBe(
      'Task "train" is ready and its pool "default_pool" has a free slot: it runs on queue "gpu", and no worker is listening on queue "gpu": it waits until one connects (`baton worker --queues gpu`).',
    );
    expect(r.facts).toMatchObject({ queue: "gpu", workers: 0, queuedOnQueue: 0 });
  });

  it("tasks of the default queue, and explanations without worker facts, read as before", () => {
    expect(only(facts(noWorkers, { local: QUEUED }), "local").message).toBe(
      'Task "local" was handed to a worker at 2026-03-01T11:59:00.000Z (1 min ago) and starts as soon as that worker picks it up (try 1).',
    );
    expect(only(facts(undefined, { train: QUEUED }), "train").facts).toEqual({ queuedAt: "2026-03-01T11:59:00.000Z", tryNumber: 1, maxTries: 1, queue: "gpu" });
    expect(only(facts(undefined), "train").message).toMatch(/it runs on queue "gpu", served by the remote workers that listen on it\.$/);
  });
});
