import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ChangeSet } from "../core/ports/store.js";
import { silentLogger } from "../core/ports/logger.js";
import { ManualClock } from "../core/testing/manual-clock.js";
import { newRun, taskInstance } from "../store/contract/fixtures.js";
import type { FullStore } from "../store/full-store.js";
import { openSqliteStore } from "../store/sqlite/open-sqlite-store.js";
import { UnitOfWork } from "./unit-of-work.js";

let store: FullStore | undefined;
let dir = "";
afterEach(async () => {
  await store?.close();
  store = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A real SQLite store whose commits are counted (what each one held), and a run of `n` tasks. */
async function setUp(n: number) {
  dir = mkdtempSync(join(tmpdir(), "baton-group-commit-"));
  const s = (store = await openSqliteStore(join(dir, "baton.db")));
  const tis = Array.from({ length: n }, (_, i) => taskInstance(`t${i}`));
  const run = (await s.createRun(newRun("fan", "r1"), tis))!;
  const commits: { tis: number; ok: boolean }[] = [];
  const real = s.commit.bind(s);
  s.commit = async (changes: ChangeSet, fence) => {
    const entry = { tis: changes.taskInstances?.length ?? 0, ok: false };
    commits.push(entry);
    await real(changes, fence);
    entry.ok = true;
  };
  const stored = async (pk: number) => (await s.listTaskInstances(pk)).map((t) => t.state);
  return { s, run, commits, stored, tis };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** Issue 9: the fan-out's finishes and dispatches share commits; nothing is told before it is durable. */
describe("group commit under many changes", () => {
  it("200 changes and waiters recorded in one turn go in one commit, and every waiter is told once, after it", async () => {
    const { s, run, commits, stored, tis } = await setUp(200);
    // A long window the test never reaches: only the urgent (next-turn) commit can land.
    const uow = new UnitOfWork(s, silentLogger, new ManualClock(Date.now()), 60_000);
    const told: number[] = [];
    for (let i = 0; i < tis.length; i++) {
      uow.taskInstance({ ...tis[i]!, runPk: run.id, state: "queued", tryNumber: 1, queuedAt: 1 });
      uow.whenDurable(() => told.push(i));
    }
    expect(told).toEqual([]);
    await turn();
    await uow.flush();
    expect(commits).toEqual([{ tis: 200, ok: true }]);
    expect(told).toEqual(tis.map((_, i) => i));
    expect(new Set(await stored(run.id))).toEqual(new Set(["queued"]));
  });

  it("changes recorded while a commit is under way wait for it and ride together in the next one", async () => {
    const { s, run, commits, tis } = await setUp(101);
    const uow = new UnitOfWork(s, silentLogger, new ManualClock(Date.now()), 60_000);
    const told: number[] = [];
    uow.taskInstance({ ...tis[0]!, runPk: run.id, state: "queued", tryNumber: 1 });
    uow.whenDurable(() => told.push(0));
    await turn(); // the first commit is written; its WAL sync is under way (off the event loop)
    expect(commits).toEqual([{ tis: 1, ok: false }]);
    for (let i = 1; i < 101; i++) {
      uow.taskInstance({ ...tis[i]!, runPk: run.id, state: "queued", tryNumber: 1 });
      uow.whenDurable(() => told.push(i));
    }
    await uow.drain();
    expect(commits.map((c) => c.tis)).toEqual([1, 100]);
    expect(told).toHaveLength(101);
    expect(new Set(told).size).toBe(101);
  });

  it("a failed commit of 100 changes tells none of its waiters; its retry lands them all and tells each once", async () => {
    const { s, run, commits, stored, tis } = await setUp(100);
    const clock = new ManualClock(Date.now());
    const uow = new UnitOfWork(s, silentLogger, clock, 5);
    const told: number[] = [];
    for (let i = 0; i < tis.length; i++) {
      uow.taskInstance({ ...tis[i]!, runPk: run.id, state: "queued", tryNumber: 1 });
      uow.whenDurable(() => told.push(i));
    }
    // One row of a run that does not exist yet: the whole commit fails on its foreign key.
    uow.taskInstance({ ...tis[0]!, runPk: run.id + 1, state: "queued", tryNumber: 1 });
    await turn();
    await turn();
    expect(commits).toEqual([{ tis: 101, ok: false }]);
    expect(uow.pending).toBe(true);
    expect(told).toEqual([]);
    expect(new Set(await stored(run.id))).toEqual(new Set(["none"]));
    // The run appears; the retry (200 ms of clock time, then its window) writes everything.
    const second = (await s.createRun(newRun("fan", "r2"), [taskInstance("t0")]))!;
    expect(second.id).toBe(run.id + 1);
    clock.advance(200);
    await turn();
    clock.advance(5);
    await uow.drain();
    expect(commits.map((c) => c.ok)).toEqual([false, true]);
    expect(commits[1]!.tis).toBe(101);
    expect([...told].sort((a, b) => a - b)).toEqual(tis.map((_, i) => i));
    expect(new Set(await stored(run.id))).toEqual(new Set(["queued"]));
    expect(await stored(second.id)).toEqual(["queued"]);
  });
});
