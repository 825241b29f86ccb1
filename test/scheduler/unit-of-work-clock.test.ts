import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/ports/logger.js";
import { ManualClock } from "../../src/core/testing/manual-clock.js";
import { UnitOfWork } from "../../src/scheduler/unit-of-work.js";
import { HEADER, type Harness } from "../support/harness.js";
import { LoadedDags } from "../support/manual-scheduler.js";
import { runFor, settle } from "../support/manual-time.js";

// The group commit's window and its retry after a failed commit are timers of the injected clock.

let dags: LoadedDags;
let h: Harness;
beforeAll(async () => {
  dags = await LoadedDags.load({ "u.ts": `${HEADER}export default dag({ id: "u" }, (d) => { d.task("a", async () => 1); });\n` });
  h = await dags.fork();
});
afterAll(async () => {
  await h?.dispose();
  await dags?.dispose();
});

const stateOf = async (runPk: number) => (await h.store.listTaskInstances(runPk))[0]?.state;

describe("UnitOfWork on a manual clock", () => {
  it("writes a change once the clock has passed the commit window, not before", async () => {
    const clock = new ManualClock(Date.now());
    const uow = new UnitOfWork(h.store, silentLogger, clock, 5);
    const run = await h.trigger("u");
    const ti = (await h.store.listTaskInstances(run.id))[0]!;
    uow.taskInstance({ ...ti, state: "running", tryNumber: 1 });
    await settle();
    await runFor(clock, 4);
    expect(await stateOf(run.id)).toBe("none");
    expect(uow.pending).toBe(true);
    await runFor(clock, 1);
    expect(await stateOf(run.id)).toBe("running");
    expect(uow.pending).toBe(false);
  });

  it("restarts the window after a commit that took every change: a change recorded after it waits its own window", async () => {
    // A chain hop: the commit asked for by a dispatch (whenDurable) carries everything; the next
    // task's `started` report comes just after it. The window opened before that commit must not
    // close on the report alone: its commit would delay the finish's commit behind its disk flush.
    const clock = new ManualClock(Date.now());
    const uow = new UnitOfWork(h.store, silentLogger, clock, 5);
    const run = await h.trigger("u");
    const ti = (await h.store.listTaskInstances(run.id))[0]!;
    uow.taskInstance({ ...ti, state: "queued", tryNumber: 1 }); // opens the window: due at 5
    await runFor(clock, 3);
    let durable = false;
    uow.whenDurable(() => (durable = true));
    await settle();
    expect(durable).toBe(true);
    expect(await stateOf(run.id)).toBe("queued");
    await runFor(clock, 1);
    uow.taskInstance({ ...ti, state: "running", tryNumber: 1 }); // at 4: a window of its own, due at 9
    await runFor(clock, 1);
    expect(await stateOf(run.id)).toBe("queued");
    expect(uow.pending).toBe(true);
    await runFor(clock, 3);
    expect(await stateOf(run.id)).toBe("queued");
    await runFor(clock, 1);
    expect(await stateOf(run.id)).toBe("running");
    expect(uow.pending).toBe(false);
  });

  it("keeps the changes of a failed commit and tries again 200 ms of clock time later", async () => {
    const clock = new ManualClock(Date.now());
    const uow = new UnitOfWork(h.store, silentLogger, clock, 5);
    const first = await h.trigger("u");
    const template = (await h.store.listTaskInstances(first.id))[0]!;
    // A task instance of a run that does not exist yet: the commit fails (foreign key).
    const pk = first.id + 1;
    uow.taskInstance({ ...template, runPk: pk, state: "running", tryNumber: 1 });
    await runFor(clock, 5);
    expect(uow.pending).toBe(true);
    const second = await h.trigger("u");
    expect(second.id).toBe(pk);
    await runFor(clock, 199);
    expect(await stateOf(pk)).toBe("none");
    await runFor(clock, 1 + 5); // the retry, then its commit window
    expect(await stateOf(pk)).toBe("running");
    expect(uow.pending).toBe(false);
  });
});
