import { describe, expect, it } from "vitest";
import { NotFoundError } from "../../core/errors.js";
import type { CommandKind, CommandPayloads } from "../../core/model/records.js";
import type { StoreUnderTest } from "./store-under-test.js";

const T0 = 1_700_000_000_000;

/** One payload of every kind, with text a JSON column must give back unchanged. */
const PAYLOADS: { [K in CommandKind]: CommandPayloads[K] } = {
  clear_run: { dagId: "etl", runId: "manual__2024-01-01T00:00:00+00:00", onlyFailed: true },
  clear_tasks: { dagId: "ünï", runId: "r «1»", taskIds: ["extract", "load 🎉", 'say "hi"\n'], downstream: false },
  mark_run: { dagId: "etl", runId: "r1", state: "failed" },
  mark_tasks: { dagId: "etl", runId: "r1", taskIds: [], state: "success" },
  cancel_run: { dagId: "etl", runId: "r1" },
  cancel_backfill: { backfillId: Number.MAX_SAFE_INTEGER },
};

export function describeCommandsContract(sut: StoreUnderTest): void {
  describe("command inbox", () => {
    it("enqueueCommand returns the pending record, and getCommand reads it back", async () => {
      const cmd = await sut.store.enqueueCommand("clear_tasks", PAYLOADS.clear_tasks, "alice", T0);
      expect(cmd).toEqual({
        id: expect.any(Number),
        kind: "clear_tasks",
        payload: PAYLOADS.clear_tasks,
        requestedBy: "alice",
        createdAt: T0,
        appliedAt: null,
        result: null,
      });
      expect(await sut.store.getCommand(cmd.id)).toEqual(cmd);
    });

    it("every kind's payload round-trips exactly; requestedBy may be null", async () => {
      for (const kind of Object.keys(PAYLOADS) as CommandKind[]) {
        const cmd = await sut.store.enqueueCommand(kind, PAYLOADS[kind], null, 0);
        expect(cmd).toMatchObject({ kind, payload: PAYLOADS[kind], requestedBy: null, createdAt: 0 });
        expect(await sut.store.getCommand(cmd.id)).toEqual(cmd);
      }
    });

    it("getCommand of an unknown id is undefined", async () => {
      expect(await sut.store.getCommand(987_654)).toBeUndefined();
    });

    it("listPendingCommands is oldest first by id, whatever createdAt says, and honours the limit", async () => {
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) {
        // createdAt decreasing: order is the queue's (id), not the requester's clock.
        ids.push((await sut.store.enqueueCommand("cancel_run", { dagId: "etl", runId: `r${i}` }, "cli", T0 - i)).id);
      }
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      expect((await sut.store.listPendingCommands(100)).map((c) => c.id)).toEqual(ids);
      expect((await sut.store.listPendingCommands(2)).map((c) => c.payload)).toEqual([
        { dagId: "etl", runId: "r0" },
        { dagId: "etl", runId: "r1" },
      ]);
      expect(await sut.store.listPendingCommands(0)).toEqual([]);
    });

    it("an empty inbox has nothing pending; a negative or fractional limit is refused", async () => {
      expect(await sut.store.listPendingCommands(10)).toEqual([]);
      await expect(sut.store.listPendingCommands(-1)).rejects.toThrow(/limit/);
      await expect(sut.store.listPendingCommands(1.5)).rejects.toThrow(/limit/);
    });

    it("completeCommand records when and what, and takes the command out of the pending list", async () => {
      const a = await sut.store.enqueueCommand("mark_run", PAYLOADS.mark_run, "alice", T0);
      const b = await sut.store.enqueueCommand("clear_run", PAYLOADS.clear_run, "bob", T0 + 1);
      const c = await sut.store.enqueueCommand("cancel_backfill", PAYLOADS.cancel_backfill, null, T0 + 2);

      await sut.store.completeCommand(b.id, "run etl/r9 not found — ignored «ü»", T0 + 10);

      expect(await sut.store.getCommand(b.id)).toEqual({ ...b, appliedAt: T0 + 10, result: "run etl/r9 not found — ignored «ü»" });
      expect((await sut.store.listPendingCommands(10)).map((x) => x.id)).toEqual([a.id, c.id]);

      await sut.store.completeCommand(a.id, "ok", T0 + 11);
      await sut.store.completeCommand(c.id, "ok", T0 + 12);
      expect(await sut.store.listPendingCommands(10)).toEqual([]);
      expect(await sut.store.getCommand(c.id)).toEqual({ ...c, appliedAt: T0 + 12, result: "ok" });
    });

    it("completing a command twice keeps the first result; an unknown id is NotFoundError", async () => {
      const cmd = await sut.store.enqueueCommand("cancel_run", PAYLOADS.cancel_run, "alice", T0);
      await sut.store.completeCommand(cmd.id, "ok", T0 + 1);
      await sut.store.completeCommand(cmd.id, "again", T0 + 2);
      expect(await sut.store.getCommand(cmd.id)).toMatchObject({ appliedAt: T0 + 1, result: "ok" });

      const missing = sut.store.completeCommand(cmd.id + 1000, "ok", T0);
      await expect(missing).rejects.toBeInstanceOf(NotFoundError);
      await expect(sut.store.completeCommand(cmd.id + 1000, "ok", T0)).rejects.toThrow(String(cmd.id + 1000));
    });

    it("commands enqueued after a completion queue behind the older pending ones", async () => {
      const first = await sut.store.enqueueCommand("cancel_run", { dagId: "a", runId: "1" }, null, T0);
      const second = await sut.store.enqueueCommand("cancel_run", { dagId: "a", runId: "2" }, null, T0);
      await sut.store.completeCommand(first.id, "ok", T0 + 1);
      const third = await sut.store.enqueueCommand("cancel_run", { dagId: "a", runId: "3" }, null, T0 + 2);
      expect(third.id).toBeGreaterThan(second.id);
      expect((await sut.store.listPendingCommands(10)).map((c) => c.id)).toEqual([second.id, third.id]);
    });
  });
}
