import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AlertContext, NotifierDeclaration } from "../../core/model/alerts.js";
import { parseConnectionUri } from "../../core/secrets/connection-uri.js";
import { ManualClock } from "../../core/testing/manual-clock.js";
import type { FullStore } from "../../store/full-store.js";
import { openSqliteStore } from "../../store/sqlite/open-sqlite-store.js";
import { sampleAlert, StandInServer } from "../testing/stand-in-server.js";
import { BUILT_IN_NOTIFIERS } from "./built-in-notifiers.js";
import { HttpClient } from "./http-client.js";
import type { SendRequest } from "./notifier.js";

// `anomaly` alerts (docs/alerts.md#anomaly-alerts) through the real notifiers against stand-ins on
// 127.0.0.1: incident services trigger with the anomaly's own dedup key, so the task's failure
// incident is neither reused nor resolved; every message carries the evidence.

let server: StandInServer;
let store: FullStore;
let dir: string;
const clock = new ManualClock(Date.UTC(2026, 0, 5, 2));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "baton-anomaly-notifiers-"));
  store = await openSqliteStore(join(dir, "baton.db"));
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  server = await StandInServer.start();
});
afterEach(async () => {
  await server.close();
});

const EVIDENCE = { id: 9, metric: "rows", value: 500, median: 1006, mad: 6, score: -56.2, points: 30, season: "none" };
const anomalyAlert = (extra: Partial<AlertContext> = {}) =>
  sampleAlert({
    event: "anomaly",
    severity: "warning",
    state: "anomaly",
    error: null,
    tryNumber: 1,
    dedupKey: "baton/etl/load/anomaly/rows",
    anomaly: EVIDENCE,
    ...extra,
  });

function send(declaration: NotifierDeclaration, uri: string, alert: AlertContext) {
  const request: SendRequest = {
    deliveryId: 7,
    declaration,
    alert,
    connection: parseConnectionUri(declaration.connection, uri),
    http: new HttpClient(clock),
    tickets: store.notifications,
    now: () => clock.now(),
  };
  return BUILT_IN_NOTIFIERS[declaration.notifier].send(request);
}

describe("anomaly alerts", () => {
  it("PagerDuty: a trigger with the anomaly's dedup key, the evidence in the summary and custom details", async () => {
    await send({ notifier: "pagerduty", connection: "pd" }, `http://:R0UTINGKEY@127.0.0.1:${server.port}`, anomalyAlert());
    const body = server.received[0]!.body as {
      event_action: string;
      dedup_key: string;
      payload: { summary: string; severity: string; custom_details: Record<string, unknown> };
    };
    expect(body.event_action).toBe("trigger");
    expect(body.dedup_key).toBe("baton/etl/load/anomaly/rows");
    expect(body.payload.severity).toBe("warning");
    expect(body.payload.summary).toBe("Task etl.load had an anomaly: rows (rows = 500, baseline median 1006 (MAD 6) over 30 points, season none, score -56.2)");
    expect(body.payload.custom_details).toMatchObject({ event: "anomaly", anomaly: EVIDENCE });
  });

  it("Opsgenie: creates an alert aliased by the anomaly's dedup key, evidence in the details and description", async () => {
    await send({ notifier: "opsgenie", connection: "og" }, `http://:GENIEKEY@127.0.0.1:${server.port}`, anomalyAlert());
    const [r] = server.received;
    expect(r!.url).toBe("/v2/alerts");
    const body = r!.body as { message: string; alias: string; description: string; details: Record<string, string> };
    expect(body.alias).toBe("baton/etl/load/anomaly/rows");
    expect(body.message).toBe("Task etl.load had an anomaly: rows");
    expect(body.details).toMatchObject({ event: "anomaly", metric: "rows", value: "500", median: "1006", mad: "6", score: "-56.2", season: "none" });
    expect(body.description).toContain("Evidence: rows = 500, baseline median 1006 (MAD 6) over 30 points, season none, score -56.2");
  });

  it("Jira: opens its own issue (not the task's open failure issue), with the evidence as facts", async () => {
    const uri = `http://ops%40example.com:J1RATOKEN@127.0.0.1:${server.port}`;
    const decl: NotifierDeclaration = { notifier: "jira", connection: "jira-anomaly", options: { project: "OPS" } };
    await store.notifications.saveTicket({ connection: "jira-anomaly", dedupKey: "baton/etl/load", ticketKey: "OPS-5", openedAt: 1, closedAt: null });
    server.reply("POST", "/rest/api/3/issue", { status: 201, body: { id: "10002", key: "OPS-18" } });
    expect(await send(decl, uri, anomalyAlert())).toMatchObject({ externalRef: "OPS-18" });
    expect(server.received.map((r) => `${r.method} ${r.url}`)).toEqual(["POST /rest/api/3/issue"]);
    const text = JSON.stringify(server.received[0]!.body);
    expect(text).toContain("Task etl.load had an anomaly: rows");
    for (const fact of ["Metric: rows", "Value: 500", "Baseline: median 1006, MAD 6 (30 points, season none)", "Score: -56.20"]) expect(text).toContain(fact);
    expect(await store.notifications.getTicket("jira-anomaly", "baton/etl/load")).toMatchObject({ ticketKey: "OPS-5", closedAt: null });
    expect(await store.notifications.getTicket("jira-anomaly", "baton/etl/load/anomaly/rows")).toMatchObject({ ticketKey: "OPS-18" });
  });

  it("Slack: the headline, the evidence line, and the evidence as facts; a text template may use {{ anomaly }}", async () => {
    const url = `${server.origin}/services/T/B/X`;
    await send({ notifier: "slack", connection: "s" }, `slackwebhook://:${encodeURIComponent(url)}@`, anomalyAlert());
    const raw = server.received[0]!.raw;
    expect(raw).toContain("Task etl.load had an anomaly: rows");
    expect(raw).toContain("Evidence: rows = 500");
    expect(raw).toContain("*Score:* -56.20");
    await send({ notifier: "slack", connection: "s", text: "{{ dagId }}: {{ anomaly }}" }, `slackwebhook://:${encodeURIComponent(url)}@`, anomalyAlert());
    expect((server.received[1]!.body as { text: string }).text).toContain(
      "etl: rows = 500, baseline median 1006 (MAD 6) over 30 points, season none, score -56.2",
    );
  });
});
