import { describe, expect, it } from "vitest";
import type { AlertContext, AlertEvent, NotifierDeclaration } from "../../core/model/alerts.js";
import type { StoreUnderTest } from "./store-under-test.js";

const slack: NotifierDeclaration = { notifier: "slack", connection: "alerts" };

function alert(dedupKey = "baton/etl/load", event: AlertEvent = "failure", extra: Partial<AlertContext> = {}): AlertContext {
  return {
    event,
    severity: "error",
    dagId: "etl",
    runId: "r1",
    taskId: "load",
    mapIndex: -1,
    tryNumber: 1,
    state: "failed",
    error: { message: "boom", stack: null },
    owner: null,
    tags: [],
    runUrl: "/dags/etl/runs/r1",
    logUrl: null,
    at: 1_000,
    dedupKey,
    ...extra,
  };
}

export function describeNotificationsContract(sut: StoreUnderTest): void {
  describe("notification outbox", () => {
    const add = (a: AlertContext, at: number, decl = slack, repeatSince = at) =>
      sut.store.notifications.addDelivery({ declaration: decl, alert: a, summary: "s", createdAt: at }, repeatSince);

    it("adds a pending delivery due at once and reads it back whole", async () => {
      const d = await add(alert(), 1_000);
      expect(d).toMatchObject({
        notifier: "slack",
        connection: "alerts",
        target: "alerts",
        dagId: "etl",
        runId: "r1",
        taskId: "load",
        event: "failure",
        severity: "error",
        state: "pending",
        attempts: 0,
        lastError: null,
        nextAttemptAt: 1_000,
        createdAt: 1_000,
        deliveredAt: null,
      });
      expect(d!.alert).toEqual(alert());
      expect(d!.declaration).toEqual(slack);
      expect(await sut.store.notifications.nextDeliveryDue()).toBe(1_000);
    });

    it("a repeat of the incident's latest delivery (same notifier, connection, dedup key, event) within the window is not recorded", async () => {
      expect(await add(alert(), 1_000, slack, 0)).not.toBeNull();
      expect(await add(alert(), 2_000, slack, 1_000)).toBeNull();
      expect(await add(alert(), 2_000, slack, 1_001)).not.toBeNull(); // the window passed
      expect(await add(alert(), 2_000, { notifier: "slack", connection: "other" }, 0)).not.toBeNull();
      expect(await add(alert("baton/etl/other"), 2_000, slack, 0)).not.toBeNull();
      // Flapping: failure, recovery, failure are three deliveries, even inside the window.
      expect(await add(alert("baton/etl/load", "recovered"), 3_000, slack, 0)).not.toBeNull();
      expect(await add(alert(), 3_000, slack, 0)).not.toBeNull();
      expect(await add(alert(), 3_000, slack, 0)).toBeNull();
      expect(await sut.store.notifications.listDeliveries({ limit: 10 })).toHaveLength(6);
    });

    it("claims due deliveries oldest first, holds them for the lease, and records outcomes only for the holder", async () => {
      const a = (await add(alert("k/a"), 1_000))!;
      const b = (await add(alert("k/b"), 2_000))!;
      await add(alert("k/c"), 9_000);
      const claimed = await sut.store.notifications.claimDeliveries("s1", 5_000, 60_000, 10);
      expect(claimed.map((d) => d.id)).toEqual([a.id, b.id]);
      expect(await sut.store.notifications.claimDeliveries("s2", 6_000, 60_000, 10)).toEqual([]);
      expect(
        await sut.store.notifications.finishDelivery(a.id, "s2", {
          state: "delivered",
          attempts: 1,
          lastError: null,
          nextAttemptAt: null,
          target: "x",
          externalRef: null,
          at: 6_000,
        }),
      ).toBe(false);
      expect(
        await sut.store.notifications.finishDelivery(a.id, "s1", {
          state: "delivered",
          attempts: 1,
          lastError: null,
          nextAttemptAt: null,
          target: "hooks.slack.com",
          externalRef: "ref",
          at: 6_000,
        }),
      ).toBe(true);
      expect(
        await sut.store.notifications.finishDelivery(b.id, "s1", {
          state: "pending",
          attempts: 1,
          lastError: "HTTP 500",
          nextAttemptAt: 20_000,
          target: "hooks.slack.com",
          externalRef: null,
          at: 6_000,
        }),
      ).toBe(true);
      const [c2, b2, a2] = await sut.store.notifications.listDeliveries({ limit: 10 });
      expect(a2).toMatchObject({ state: "delivered", attempts: 1, deliveredAt: 6_000, nextAttemptAt: null, target: "hooks.slack.com", externalRef: "ref" });
      expect(b2).toMatchObject({ state: "pending", attempts: 1, lastError: "HTTP 500", nextAttemptAt: 20_000 });
      expect(c2!.state).toBe("pending");
      expect(await sut.store.notifications.nextDeliveryDue()).toBe(9_000);
      // b is not due before 20 s; c is.
      expect((await sut.store.notifications.claimDeliveries("s2", 10_000, 60_000, 10)).map((d) => d.dedupKey)).toEqual(["k/c"]);
      expect((await sut.store.notifications.claimDeliveries("s2", 20_000, 60_000, 10)).map((d) => d.dedupKey)).toEqual(["k/b"]);
    });

    it("a claim whose lease ran out is taken over; released claims are due again at once", async () => {
      const a = (await add(alert("k/a"), 1_000))!;
      expect(await sut.store.notifications.claimDeliveries("dead", 1_000, 5_000, 10)).toHaveLength(1);
      expect(await sut.store.notifications.nextDeliveryDue()).toBe(6_000); // held until its claim ends
      expect(await sut.store.notifications.claimDeliveries("s2", 5_999, 5_000, 10)).toHaveLength(0);
      expect((await sut.store.notifications.claimDeliveries("s2", 6_001, 5_000, 10)).map((d) => d.id)).toEqual([a.id]);
      expect(
        await sut.store.notifications.finishDelivery(a.id, "dead", {
          state: "failed",
          attempts: 1,
          lastError: "x",
          nextAttemptAt: null,
          target: "t",
          externalRef: null,
          at: 7_000,
        }),
      ).toBe(false);
      await sut.store.notifications.releaseDeliveries("s2");
      expect(await sut.store.notifications.claimDeliveries("s3", 7_000, 5_000, 10)).toHaveLength(1);
    });

    it("a delivery waits while an earlier one of its incident is pending (a resolve never overtakes its trigger)", async () => {
      const trigger = (await add(alert("k/x", "failure"), 1_000))!;
      const resolve = (await add(alert("k/x", "recovered"), 2_000))!;
      const other = (await add(alert("k/x", "failure"), 2_000, { notifier: "pagerduty", connection: "pd" }))!;
      expect((await sut.store.notifications.claimDeliveries("s1", 3_000, 60_000, 10)).map((d) => d.id)).toEqual([trigger.id, other.id]);
      await sut.store.notifications.finishDelivery(trigger.id, "s1", {
        state: "pending",
        attempts: 1,
        lastError: "HTTP 503",
        nextAttemptAt: 10_000,
        target: "t",
        externalRef: null,
        at: 3_000,
      });
      expect(await sut.store.notifications.claimDeliveries("s1", 4_000, 60_000, 10)).toEqual([]);
      await sut.store.notifications.finishDelivery(other.id, "s1", {
        state: "delivered",
        attempts: 1,
        lastError: null,
        nextAttemptAt: null,
        target: "t",
        externalRef: null,
        at: 3_000,
      });
      expect(await sut.store.notifications.nextDeliveryDue()).toBe(10_000); // the waiting resolve (due at 2 s) does not count
      expect((await sut.store.notifications.claimDeliveries("s1", 10_000, 60_000, 10)).map((d) => d.id)).toEqual([trigger.id]);
      await sut.store.notifications.finishDelivery(trigger.id, "s1", {
        state: "failed",
        attempts: 2,
        lastError: "HTTP 400",
        nextAttemptAt: null,
        target: "t",
        externalRef: null,
        at: 10_000,
      });
      expect((await sut.store.notifications.claimDeliveries("s1", 10_000, 60_000, 10)).map((d) => d.id)).toEqual([resolve.id]);
    });

    it("two claimers at once never get the same delivery", async () => {
      for (let i = 0; i < 30; i++) await add(alert(`k/${i}`), 1_000 + i);
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => sut.store.notifications.claimDeliveries(`s${i}`, 5_000, 60_000, 8)));
      const ids = results.flat().map((d) => d.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(30);
    });

    it("lists newest first with dag, state and before-id filters; prunes ended deliveries by age", async () => {
      const a = (await add(alert("k/a"), 1_000))!;
      const b = (await add(alert("k/b", "failure", { dagId: "other" }), 2_000))!;
      const c = (await add(alert("k/c"), 3_000))!;
      await sut.store.notifications.claimDeliveries("s1", 5_000, 60_000, 1);
      await sut.store.notifications.finishDelivery(a.id, "s1", {
        state: "failed",
        attempts: 1,
        lastError: "HTTP 404",
        nextAttemptAt: null,
        target: "t",
        externalRef: null,
        at: 5_000,
      });
      const ids = async (f: Parameters<typeof sut.store.notifications.listDeliveries>[0]) => (await sut.store.notifications.listDeliveries(f)).map((d) => d.id);
      expect(await ids({ limit: 10 })).toEqual([c.id, b.id, a.id]);
      expect(await ids({ limit: 10, dagId: "etl" })).toEqual([c.id, a.id]);
      expect(await ids({ limit: 10, states: ["failed"] })).toEqual([a.id]);
      expect(await ids({ limit: 10, states: ["pending", "delivered"] })).toEqual([c.id, b.id]);
      expect(await ids({ limit: 1, beforeId: c.id })).toEqual([b.id]);
      expect(await ids({ limit: 10, states: [] })).toEqual([]);
      expect(await sut.store.notifications.pruneDeliveries(5_000)).toBe(0);
      expect(await sut.store.notifications.pruneDeliveries(5_001)).toBe(1);
      expect(await ids({ limit: 10 })).toEqual([c.id, b.id]);
    });

    it("remembers one ticket per connection and incident, replaced on save", async () => {
      expect(await sut.store.notifications.getTicket("jira", "k/a")).toBeUndefined();
      await sut.store.notifications.saveTicket({ connection: "jira", dedupKey: "k/a", ticketKey: "OPS-1", openedAt: 1, closedAt: null });
      await sut.store.notifications.saveTicket({ connection: "jira2", dedupKey: "k/a", ticketKey: "OPS-9", openedAt: 1, closedAt: null });
      await sut.store.notifications.saveTicket({ connection: "jira", dedupKey: "k/a", ticketKey: "OPS-1", openedAt: 1, closedAt: 5 });
      expect(await sut.store.notifications.getTicket("jira", "k/a")).toEqual({
        connection: "jira",
        dedupKey: "k/a",
        ticketKey: "OPS-1",
        openedAt: 1,
        closedAt: 5,
      });
      await sut.store.notifications.saveTicket({ connection: "jira", dedupKey: "k/a", ticketKey: "OPS-2", openedAt: 9, closedAt: null });
      expect((await sut.store.notifications.getTicket("jira", "k/a"))?.ticketKey).toBe("OPS-2");
      expect((await sut.store.notifications.getTicket("jira2", "k/a"))?.ticketKey).toBe("OPS-9");
    });
  });
}
