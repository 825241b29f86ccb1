import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dagSpec, taskSpec } from "../../store/contract/fixtures.js";
import { apiHarness, NOW, type ApiHarness } from "../testing/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
  await h.store.saveDagVersion({
    versionHash: "producer-v1",
    dagId: "producer",
    spec: { ...dagSpec("producer"), tasks: [{ ...taskSpec("load"), inlets: ["s3://raw/events"], outlets: ["warehouse://sales"] }] },
    source: "",
    bundlePath: "/b/p.mjs",
    createdAt: NOW,
  });
  await h.store.saveDagVersion({
    versionHash: "consumer-v1",
    dagId: "consumer",
    spec: { ...dagSpec("consumer"), schedule: { kind: "datasets", uris: ["warehouse://sales", "s3://raw/events"] } },
    source: "",
    bundlePath: "/b/c.mjs",
    createdAt: NOW,
  });
});
afterEach(async () => {
  await h.close();
});

describe("datasets", () => {
  it("lists the datasets the DAGs name, with producers, readers, consumers and the latest event", async () => {
    await h.store.recordDatasetEvents([
      { uri: "warehouse://sales", source: { dagId: "producer", runId: "r1", taskId: "load", tryNumber: 1 }, extra: {}, createdAt: NOW },
    ]);
    const res = await h.app.inject("/api/v1/datasets");
    expect(res.statusCode).toBe(200);
    expect(res.json().datasets).toEqual([
      {
        uri: "s3://raw/events",
        producers: [],
        readers: [{ dagId: "producer", taskId: "load" }],
        consumers: [{ dagId: "consumer" }],
        eventCount: 0,
        lastEvent: null,
      },
      {
        uri: "warehouse://sales",
        producers: [{ dagId: "producer", taskId: "load" }],
        readers: [],
        consumers: [{ dagId: "consumer" }],
        eventCount: 1,
        lastEvent: {
          id: expect.any(Number),
          uri: "warehouse://sales",
          source: { dagId: "producer", runId: "r1", taskId: "load", tryNumber: 1 },
          extra: {},
          createdAt: new Date(NOW).toISOString(),
        },
      },
    ]);
  });

  it("records an external event (role user), wakes the scheduler, and lists events newest first by URI", async () => {
    const posted = await h.app.inject({ method: "POST", url: "/api/v1/datasets/events", payload: { uri: "s3://raw/events", extra: { rows: 12, "«": "»" } } });
    expect(posted.statusCode).toBe(201);
    expect(posted.json()).toEqual({
      id: expect.any(Number),
      uri: "s3://raw/events",
      source: null,
      extra: { rows: 12, "«": "»" },
      createdAt: new Date(NOW).toISOString(),
    });
    expect(h.wakes).toBe(1);
    await h.app.inject({ method: "POST", url: "/api/v1/datasets/events", payload: { uri: "s3://raw/events" } });
    await h.app.inject({ method: "POST", url: "/api/v1/datasets/events", payload: { uri: "warehouse://sales" } });

    const events = (await h.app.inject("/api/v1/datasets/events?uri=s3://raw/events")).json().events as { id: number; extra: object }[];
    expect(events).toHaveLength(2);
    expect(events[0]!.id).toBeGreaterThan(events[1]!.id);
    expect(events[0]!.extra).toEqual({});
    const page = (await h.app.inject(`/api/v1/datasets/events?limit=1&beforeId=${events[0]!.id}`)).json().events;
    expect(page).toEqual([expect.objectContaining({ id: events[1]!.id })]);
    expect((await h.app.inject("/api/v1/datasets/events")).json().events).toHaveLength(3);
  });

  it("answers 400 naming the field for a malformed URI or body", async () => {
    for (const [payload, field] of [
      [{ uri: "sales" }, "uri"],
      [{ uri: "Warehouse://x" }, "uri"],
      [{}, "uri"],
      [{ uri: "a://b", extra: [] }, "extra"],
      [{ uri: "a://b", other: 1 }, "other"],
    ] as const) {
      const res = await h.app.inject({ method: "POST", url: "/api/v1/datasets/events", payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.field).toBe(field);
    }
    expect((await h.app.inject("/api/v1/datasets/events?uri=nope")).statusCode).toBe(400);
  });

  it("recording needs role user; reading needs viewer", async () => {
    const required = await apiHarness({ mode: "required" });
    try {
      expect((await required.app.inject({ url: "/api/v1/datasets" })).statusCode).toBe(401);
      expect((await required.app.inject({ url: "/api/v1/datasets", headers: await required.bearer("viewer") })).statusCode).toBe(200);
      const asViewer = await required.app.inject({
        method: "POST",
        url: "/api/v1/datasets/events",
        headers: await required.bearer("viewer"),
        payload: { uri: "a://b" },
      });
      expect(asViewer.statusCode).toBe(403);
      const asUser = await required.app.inject({
        method: "POST",
        url: "/api/v1/datasets/events",
        headers: await required.bearer("user"),
        payload: { uri: "a://b" },
      });
      expect(asUser.statusCode).toBe(201);
    } finally {
      await required.close();
    }
  });
});
