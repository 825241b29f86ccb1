import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FencedError } from "../core/errors.js";
import type { FullStore } from "../store/full-store.js";
import { openSqliteStore } from "../store/sqlite/open-sqlite-store.js";
import { ManualClock } from "../core/testing/manual-clock.js";
import { UnitOfWork } from "./unit-of-work.js";

const silent = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return silent;
  },
} as never;
let store: FullStore | undefined;
let dir = "";
afterEach(async () => {
  await store?.close();
  store = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function open(): Promise<FullStore> {
  dir = mkdtempSync(join(tmpdir(), "baton-uow-"));
  store = await openSqliteStore(join(dir, "baton.db"));
  return store;
}

/** Issue 9: an attempt is handed to a worker only once its `queued` state is durable. */
describe("UnitOfWork.whenDurable", () => {
  it("calls back after the commit holding the changes recorded before it, on the next turn, not after the window", async () => {
    const s = await open();
    const commits: number[] = [];
    let committing = 0;
    const real = s.commit.bind(s);
    s.commit = async (changes, fence) => {
      committing++;
      await real(changes, fence);
      commits.push(committing);
    };
    // A long window that the test never advances: only an urgent commit can land.
    const uow = new UnitOfWork(s, silent, new ManualClock(0), 60_000);
    const told: string[] = [];
    uow.dagSchedule("d", 1);
    uow.whenDurable(() => told.push(`first after ${commits.length} commit(s)`));
    expect(told).toEqual([]);
    await new Promise((r) => setImmediate(r));
    await uow.flush();
    expect(told).toEqual(["first after 1 commit(s)"]);
    // Recorded while a commit is under way: told only after the next one.
    uow.dagSchedule("d", 2);
    const first = uow.flush();
    uow.dagSchedule("d", 3);
    uow.whenDurable(() => told.push(`second after ${commits.length} commit(s)`));
    await first;
    expect(told).toHaveLength(1);
    await uow.drain();
    expect(told).toEqual(["first after 1 commit(s)", "second after 3 commit(s)"]);
  });

  it("never calls back when the commit is fenced: a fenced scheduler hands nothing to its workers", async () => {
    const s = await open();
    const uow = new UnitOfWork(s, silent, new ManualClock(0), 5);
    const fenced: FencedError[] = [];
    uow.fenceWith({ schedulerId: "no-such-lease" }, (e) => fenced.push(e));
    let told = false;
    uow.dagSchedule("d", 1);
    uow.whenDurable(() => (told = true));
    await new Promise((r) => setImmediate(r));
    await uow.flush();
    expect(fenced).toHaveLength(1);
    expect(told).toBe(false);
  });

  it("writes a remote attempt's mailbox row in the commit it was recorded for; a failed commit keeps it for the retry, and tells its waiter once", async () => {
    const s = await open();
    const clock = new ManualClock(0);
    const real = s.commit.bind(s);
    const sets: string[][] = [];
    let failures = 1;
    s.commit = async (changes, fence) => {
      sets.push((changes.remoteAttempts ?? []).map((r) => r.attemptId));
      if (failures-- > 0) throw new Error("connection lost");
      await real(changes, fence);
    };
    const uow = new UnitOfWork(s, silent, clock, 5);
    const request = { attemptId: "1/t/-1/1", runPk: 1 } as never;
    uow.remoteAttempt({ attemptId: "1/t/-1/1", runPk: 1, schedulerId: "s1", queue: "default", request, requestJson: "{}", createdAt: 0 });
    let told = 0;
    uow.whenDurable(() => told++);
    while (sets.length === 0) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(told).toBe(0);
    clock.advance(200); // the retry after the failed commit
    await uow.drain();
    expect(sets).toEqual([["1/t/-1/1"], ["1/t/-1/1"]]);
    expect(told).toBe(1);
    expect(await s.workers.getRemoteAttempt("1/t/-1/1")).toMatchObject({ state: "queued", schedulerId: "s1", queue: "default" });
  });
});
