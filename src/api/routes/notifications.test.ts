import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NotifierDeclaration } from "../../core/model/alerts.js";
import { sampleAlert } from "../../alerts/testing/stand-in-server.js";
import { apiHarness, type ApiHarness } from "../testing/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness({ mode: "required" });
});
afterEach(async () => {
  await h.close();
});

const slack: NotifierDeclaration = { notifier: "slack", connection: "slack_alerts", text: "{{ dagId }} failed" };

async function seed(): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < 5; i++) {
    const d = await h.store.notifications.addDelivery(
      { declaration: slack, alert: sampleAlert({ dagId: i % 2 ? "other" : "etl", dedupKey: `baton/x/t${i}` }), summary: `alert ${i}`, createdAt: 1_000 + i },
      0,
    );
    ids.push(d!.id);
  }
  await h.store.notifications.claimDeliveries("s", 2_000, 60_000, 1);
  await h.store.notifications.finishDelivery(ids[0]!, "s", {
    state: "failed",
    attempts: 8,
    lastError: "Slack webhook at hooks.slack.com: HTTP 404: no_service",
    nextAttemptAt: null,
    target: "hooks.slack.com",
    externalRef: null,
    at: 3_000,
  });
  return ids;
}

describe("GET /api/v1/notifications", () => {
  it("lists deliveries newest first for a viewer, with state, attempts and last error, and nothing of the message's body", async () => {
    const ids = await seed();
    const res = await h.app.inject({ url: "/api/v1/notifications", headers: await h.bearer("viewer") });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { deliveries: Record<string, unknown>[]; nextCursor: string | null };
    expect(body.deliveries.map((d) => d.id)).toEqual([...ids].reverse());
    expect(body.nextCursor).toBeNull();
    expect(body.deliveries.at(-1)).toEqual({
      id: ids[0],
      notifier: "slack",
      connection: "slack_alerts",
      target: "hooks.slack.com",
      dagId: "etl",
      runId: sampleAlert().runId,
      taskId: "load",
      event: "failure",
      severity: "error",
      dedupKey: "baton/x/t0",
      summary: "alert 0",
      state: "failed",
      attempts: 8,
      lastError: "Slack webhook at hooks.slack.com: HTTP 404: no_service",
      nextAttemptAt: null,
      externalRef: null,
      createdAt: new Date(1_000).toISOString(),
      updatedAt: new Date(3_000).toISOString(),
      deliveredAt: null,
    });
    expect(body.deliveries[0]).toMatchObject({ state: "pending", attempts: 0, nextAttemptAt: new Date(1_004).toISOString() });
  });

  it("filters by DAG and state (repeatable) and pages with nextCursor", async () => {
    const ids = await seed();
    const get = async (q: string) =>
      (await h.app.inject({ url: `/api/v1/notifications${q}`, headers: await h.bearer("viewer") })).json() as {
        deliveries: { id: number }[];
        nextCursor: string | null;
      };
    expect((await get("?state=failed")).deliveries.map((d) => d.id)).toEqual([ids[0]]);
    expect((await get("?state=failed&state=pending&dagId=other")).deliveries.map((d) => d.id)).toEqual([ids[3], ids[1]]);
    const first = await get("?limit=2");
    expect(first.deliveries.map((d) => d.id)).toEqual([ids[4], ids[3]]);
    const second = await get(`?limit=2&cursor=${first.nextCursor}`);
    expect(second.deliveries.map((d) => d.id)).toEqual([ids[2], ids[1]]);
    const third = await get(`?limit=2&cursor=${second.nextCursor}`);
    expect(third).toEqual({ deliveries: [{ ...third.deliveries[0], id: ids[0] }], nextCursor: null });
  });

  it("refuses a bad state, limit or cursor with 400, and anonymous requests with 401", async () => {
    const viewer = await h.bearer("viewer");
    for (const q of ["?state=lost", "?limit=0", "?limit=501", "?cursor=%%%"]) {
      const res = await h.app.inject({ url: `/api/v1/notifications${q}`, headers: viewer });
      expect(res.statusCode, q).toBe(400);
    }
    expect((await h.app.inject({ url: "/api/v1/notifications" })).statusCode).toBe(401);
  });
});
