import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AlertContext, NotifierDeclaration } from "../../core/model/alerts.js";
import { parseConnectionUri } from "../../core/secrets/connection-uri.js";
import { ManualClock } from "../../core/testing/manual-clock.js";
import type { FullStore } from "../../store/full-store.js";
import { openSqliteStore } from "../../store/sqlite/open-sqlite-store.js";
import { sampleAlert, StandInServer } from "../testing/stand-in-server.js";
import { BUILT_IN_NOTIFIERS } from "./built-in-notifiers.js";
import { HttpClient } from "./http-client.js";
import { DeliveryError, type SendRequest } from "./notifier.js";

let server: StandInServer;
let store: FullStore;
let dir: string;
const clock = new ManualClock(Date.UTC(2026, 0, 5, 2));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "baton-notifiers-"));
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

function send(declaration: NotifierDeclaration, uri: string, alert: AlertContext = sampleAlert(), deliveryId = 7) {
  const request: SendRequest = {
    deliveryId,
    declaration,
    alert,
    connection: parseConnectionUri(declaration.connection, uri),
    http: new HttpClient(clock),
    tickets: store.notifications,
    now: () => clock.now(),
  };
  return BUILT_IN_NOTIFIERS[declaration.notifier].send(request);
}

describe("Slack (incoming webhook, Block Kit)", () => {
  it("posts blocks with a header, the text, facts, the stack and link buttons to the webhook URL in the password", async () => {
    const url = `${server.origin}/services/T000/B000/XXXXSECRET`;
    const result = await send({ notifier: "slack", connection: "slack_alerts" }, `slackwebhook://:${encodeURIComponent(url)}@`);
    expect(result).toEqual({ target: `127.0.0.1:${server.port}`, externalRef: null });
    const [r] = server.received;
    expect(r!.method).toBe("POST");
    expect(r!.url).toBe("/services/T000/B000/XXXXSECRET");
    expect(r!.headers["content-type"]).toBe("application/json");
    const body = r!.body as { text: string; blocks: { type: string; [k: string]: unknown }[] };
    expect(body.text).toContain("Task etl.load failed");
    expect(body.blocks.map((b) => b.type)).toEqual(["header", "section", "context", "section", "actions"]);
    expect(body.blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "Task etl.load failed", emoji: true } });
    expect(body.blocks[1]).toEqual({ type: "section", text: { type: "mrkdwn", text: expect.stringContaining('Error: relation "sales" does not exist') } });
    expect(body.blocks[2]!.elements).toContainEqual({ type: "mrkdwn", text: "*Try:* 3" });
    expect(body.blocks[4]!.elements).toEqual([
      { type: "button", text: { type: "plain_text", text: "View run" }, url: sampleAlert().runUrl, action_id: "baton_link_0" },
      { type: "button", text: { type: "plain_text", text: "View log" }, url: sampleAlert().logUrl, action_id: "baton_link_1" },
    ]);
  });

  it("renders the text template with the alert's fields; the connection may be the webhook URL itself; relative links make no buttons", async () => {
    await send(
      { notifier: "slack", connection: "s", text: "{{ dagId }}.{{ taskId }} <failed>: {{ error }}", options: { channel: "#data", username: "baton" } },
      `${server.origin}/services/T1/B1/Z`,
      sampleAlert({ runUrl: "/dags/etl/runs/r", logUrl: null, error: { message: "boom", stack: null } }),
    );
    const body = server.received[0]!.body as { blocks: { type: string; text?: { text: string } }[]; channel: string; username: string };
    expect(server.received[0]!.url).toBe("/services/T1/B1/Z");
    expect(body.blocks[1]!.text!.text).toBe("etl.load &lt;failed&gt;: boom");
    expect(body.blocks.map((b) => b.type)).toEqual(["header", "section", "context"]);
    expect(body).toMatchObject({ channel: "#data", username: "baton" });
  });

  it("a refused payload is not retried, a 500 is; neither error shows the webhook's secret path", async () => {
    const url = `${server.origin}/services/T/B/TOPSECRET`;
    server
      .reply("POST", "/services/T/B/TOPSECRET", { status: 400, body: "invalid_blocks" })
      .reply("POST", "/services/T/B/TOPSECRET", { status: 500, body: "oops" });
    const first = await send({ notifier: "slack", connection: "s" }, `slackwebhook://:${encodeURIComponent(url)}@`).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(DeliveryError);
    expect(first).toMatchObject({ retryable: false, message: `Slack webhook at 127.0.0.1:${server.port}: HTTP 400: invalid_blocks` });
    const second = (await send({ notifier: "slack", connection: "s" }, `slackwebhook://:${encodeURIComponent(url)}@`).catch(
      (e: unknown) => e,
    )) as DeliveryError;
    expect(second.retryable).toBe(true);
    expect(second.message).not.toContain("TOPSECRET");
  });

  it("a connection without a webhook URL is refused without a try", async () => {
    await expect(send({ notifier: "slack", connection: "s" }, "slackwebhook://nobody@")).rejects.toMatchObject({
      retryable: false,
      message: expect.stringMatching(/connection "s" cannot serve the slack notifier/),
    });
    expect(server.received).toHaveLength(0);
  });
});

describe("Microsoft Teams (workflow webhook, Adaptive Card)", () => {
  it("posts a message with one Adaptive Card attachment", async () => {
    server.reply("POST", "/workflows/abc/triggers/manual/paths/invoke", { status: 202, body: "" });
    const url = `${server.origin}/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=SIGSECRET`;
    await send({ notifier: "teams", connection: "teams", options: { title: "{{ dagId }} is down" } }, `teams://:${encodeURIComponent(url)}@`);
    const r = server.received[0]!;
    expect(r.url).toBe("/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=SIGSECRET");
    const body = r.body as { type: string; attachments: { contentType: string; contentUrl: null; content: Record<string, unknown> }[] };
    expect(body.type).toBe("message");
    expect(body.attachments).toHaveLength(1);
    const card = body.attachments[0]!;
    expect(card.contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(card.contentUrl).toBeNull();
    expect(card.content).toMatchObject({ $schema: "http://adaptivecards.io/schemas/adaptive-card.json", type: "AdaptiveCard", version: "1.4" });
    const blocks = card.content.body as { type: string; text?: string; facts?: unknown[] }[];
    expect(blocks[0]).toMatchObject({ type: "TextBlock", text: "etl is down", weight: "Bolder", wrap: true });
    expect(blocks[1]!.text).toContain("Task etl.load failed.");
    expect(blocks[2]).toMatchObject({
      type: "FactSet",
      facts: expect.arrayContaining([
        { title: "DAG", value: "etl" },
        { title: "Task", value: "load" },
      ]),
    });
    expect(card.content.actions).toEqual([
      { type: "Action.OpenUrl", title: "View run", url: sampleAlert().runUrl },
      { type: "Action.OpenUrl", title: "View log", url: sampleAlert().logUrl },
    ]);
  });
});

describe("PagerDuty (Events API v2)", () => {
  it("triggers with the alert's dedup key, then resolves the same incident on recovery", async () => {
    server.reply("POST", "/v2/enqueue", { status: 202, body: { status: "success", message: "Event processed", dedup_key: "baton/etl/load" } });
    server.reply("POST", "/v2/enqueue", { status: 202, body: { status: "success", message: "Event processed", dedup_key: "baton/etl/load" } });
    const uri = `http://:R0UTINGKEY@127.0.0.1:${server.port}`;
    const trigger = await send({ notifier: "pagerduty", connection: "pd", options: { severity: "critical" } }, uri);
    await send({ notifier: "pagerduty", connection: "pd" }, uri, sampleAlert({ event: "recovered", state: "success", error: null }));
    expect(trigger).toEqual({ target: `127.0.0.1:${server.port}`, externalRef: "baton/etl/load" });
    const [t, r] = server.received.map((x) => x.body as Record<string, unknown>);
    expect(server.received.map((x) => `${x.method} ${x.url}`)).toEqual(["POST /v2/enqueue", "POST /v2/enqueue"]);
    expect(t).toMatchObject({
      routing_key: "R0UTINGKEY",
      event_action: "trigger",
      dedup_key: "baton/etl/load",
      client: "Baton",
      client_url: sampleAlert().runUrl,
      links: [
        { href: sampleAlert().runUrl, text: "View run" },
        { href: sampleAlert().logUrl, text: "View log" },
      ],
      payload: {
        summary: 'Task etl.load failed: relation "sales" does not exist',
        source: "baton",
        severity: "critical",
        timestamp: "2026-01-05T01:02:03.000Z",
        component: "load",
        group: "etl",
        custom_details: expect.objectContaining({ dag_id: "etl", task_id: "load", try_number: 3, error: 'relation "sales" does not exist' }),
      },
    });
    expect(r).toEqual({ routing_key: "R0UTINGKEY", event_action: "resolve", dedup_key: "baton/etl/load" });
  });

  it("a 429 is retried after Retry-After; a 400 (bad routing key) is not; the key never shows", async () => {
    server.reply("POST", "/v2/enqueue", { status: 429, body: { status: "throttle" }, headers: { "retry-after": "90" } });
    server.reply("POST", "/v2/enqueue", { status: 400, body: { status: "invalid event", errors: ["routing_key R0UTINGKEY is invalid"] } });
    const uri = `http://:R0UTINGKEY@127.0.0.1:${server.port}`;
    await expect(send({ notifier: "pagerduty", connection: "pd" }, uri)).rejects.toMatchObject({ retryable: true, retryAfterMs: 90_000 });
    const bad = (await send({ notifier: "pagerduty", connection: "pd" }, uri).catch((e: unknown) => e)) as DeliveryError;
    expect(bad.retryable).toBe(false);
    expect(bad.message).toContain("HTTP 400");
    expect(bad.message).not.toContain("R0UTINGKEY");
  });
});

describe("Opsgenie (Alert API)", () => {
  it("creates with alias = dedup key and GenieKey auth, closes by alias on recovery", async () => {
    server.reply("POST", "/v2/alerts", { status: 202, body: { result: "Request will be processed", took: 0.1, requestId: "req-1" } });
    server.reply("POST", "/v2/alerts/baton%2Fetl%2Fload/close", { status: 202, body: { result: "Request will be processed", took: 0.1, requestId: "req-2" } });
    const uri = `http://:G3NIEKEY@127.0.0.1:${server.port}`;
    const created = await send({ notifier: "opsgenie", connection: "og", options: { responders: [{ type: "team", name: "data" }], tags: ["etl"] } }, uri);
    const closed = await send({ notifier: "opsgenie", connection: "og" }, uri, sampleAlert({ event: "recovered", error: null, state: "success" }));
    expect(created.externalRef).toBe("req-1");
    expect(closed.externalRef).toBe("req-2");
    const [c, x] = server.received;
    expect(c!.headers.authorization).toBe("GenieKey G3NIEKEY");
    expect(c!.url).toBe("/v2/alerts");
    expect(c!.body).toMatchObject({
      message: "Task etl.load failed",
      alias: "baton/etl/load",
      description: expect.stringContaining('Error: relation "sales" does not exist'),
      responders: [{ type: "team", name: "data" }],
      tags: ["sales", "etl"],
      details: { dagId: "etl", taskId: "load", tryNumber: "3", runUrl: sampleAlert().runUrl },
      entity: "etl.load",
      source: "Baton",
      priority: "P2",
    });
    expect(x!.url).toBe("/v2/alerts/baton%2Fetl%2Fload/close?identifierType=alias");
    expect(x!.headers.authorization).toBe("GenieKey G3NIEKEY");
    expect(x!.body).toEqual({ source: "Baton", note: expect.stringContaining("Task etl.load recovered") });
  });
});

describe("generic webhook (JSON, HMAC-SHA256)", () => {
  it("posts the alert as JSON signed like the inbound webhook, with a delivery id stable across retries", async () => {
    await send({ notifier: "webhook", connection: "hook" }, `http://127.0.0.1:${server.port}/hooks/baton?secret=s3cr3t-hmac`, sampleAlert(), 42);
    const r = server.received[0]!;
    expect(r.url).toBe("/hooks/baton");
    expect(r.headers["x-baton-signature"]).toBe(`sha256=${createHmac("sha256", "s3cr3t-hmac").update(r.raw).digest("hex")}`);
    expect(r.headers["x-baton-delivery"]).toBe("notification-42");
    expect(r.headers["x-baton-event"]).toBe("failure");
    expect(r.body).toEqual({
      version: 1,
      deliveryId: "notification-42",
      title: "Task etl.load failed",
      text: expect.stringContaining("Task etl.load failed."),
      alert: sampleAlert(),
    });
  });

  it("sends no signature when the connection has no secret", async () => {
    await send({ notifier: "webhook", connection: "hook" }, `http://127.0.0.1:${server.port}/in`);
    expect(server.received[0]!.headers["x-baton-signature"]).toBeUndefined();
  });
});

describe("Jira Cloud (REST v3)", () => {
  it("creates an issue on failure, comments on a retry's success, comments and closes on recovery", async () => {
    const uri = `http://ops%40example.com:J1RATOKEN@127.0.0.1:${server.port}`;
    const decl: NotifierDeclaration = { notifier: "jira", connection: "jira", options: { project: "OPS", labels: ["baton"], priority: "High" } };
    const key = { dedupKey: "baton/etl/jira-flow" };
    server.reply("POST", "/rest/api/3/issue", { status: 201, body: { id: "10001", key: "OPS-17", self: `${server.origin}/rest/api/3/issue/10001` } });
    server.reply("POST", "/rest/api/3/issue/OPS-17/comment", { status: 201, body: { id: "1" } });
    server.reply("POST", "/rest/api/3/issue/OPS-17/comment", { status: 201, body: { id: "2" } });
    server.reply("GET", "/rest/api/3/issue/OPS-17/transitions", {
      status: 200,
      body: {
        transitions: [
          { id: "11", name: "In Progress", to: { statusCategory: { key: "indeterminate" } } },
          { id: "31", name: "Done", to: { statusCategory: { key: "done" } } },
        ],
      },
    });
    server.reply("POST", "/rest/api/3/issue/OPS-17/transitions", { status: 204 });

    expect(await send(decl, uri, sampleAlert(key))).toEqual({ target: `127.0.0.1:${server.port} OPS`, externalRef: "OPS-17" });
    expect(await send(decl, uri, sampleAlert({ ...key, event: "retry_succeeded", state: "success", error: null }))).toMatchObject({ externalRef: "OPS-17" });
    expect(await send(decl, uri, sampleAlert({ ...key, event: "recovered", state: "success", error: null }))).toMatchObject({ externalRef: "OPS-17" });

    expect(server.received.map((r) => `${r.method} ${r.url}`)).toEqual([
      "POST /rest/api/3/issue",
      "POST /rest/api/3/issue/OPS-17/comment",
      "POST /rest/api/3/issue/OPS-17/comment",
      "GET /rest/api/3/issue/OPS-17/transitions",
      "POST /rest/api/3/issue/OPS-17/transitions",
    ]);
    for (const r of server.received) expect(r.headers.authorization).toBe(`Basic ${Buffer.from("ops@example.com:J1RATOKEN").toString("base64")}`);
    const create = server.received[0]!.body as { fields: Record<string, unknown> };
    expect(create.fields).toMatchObject({
      project: { key: "OPS" },
      issuetype: { name: "Bug" },
      summary: "Task etl.load failed",
      labels: ["baton"],
      priority: { name: "High" },
    });
    expect(create.fields.description).toMatchObject({
      type: "doc",
      version: 1,
      content: expect.arrayContaining([
        { type: "paragraph", content: expect.arrayContaining([{ type: "text", text: 'Error: relation "sales" does not exist' }]) },
      ]),
    });
    expect(server.received[1]!.body).toMatchObject({ body: { type: "doc", version: 1 } });
    expect(JSON.stringify(server.received[1]!.body)).toContain("succeeded after a retry");
    expect(server.received[4]!.body).toEqual({ transition: { id: "31" } });
    expect(await store.notifications.getTicket("jira", "baton/etl/jira-flow")).toMatchObject({ ticketKey: "OPS-17", closedAt: clock.now() });
  });

  it("a failure while the incident's issue is open comments on it instead of opening another; nothing open: a recovery sends nothing", async () => {
    const uri = `http://ops%40example.com:J1RATOKEN@127.0.0.1:${server.port}`;
    const decl: NotifierDeclaration = { notifier: "jira", connection: "jira", options: { project: "OPS" } };
    await store.notifications.saveTicket({ connection: "jira", dedupKey: "baton/etl/open", ticketKey: "OPS-5", openedAt: 1, closedAt: null });
    server.reply("POST", "/rest/api/3/issue/OPS-5/comment", { status: 201, body: { id: "9" } });
    await send(decl, uri, sampleAlert({ dedupKey: "baton/etl/open" }));
    expect(await send(decl, uri, sampleAlert({ dedupKey: "baton/etl/none", event: "recovered", error: null }))).toEqual({
      target: `127.0.0.1:${server.port} OPS`,
      externalRef: null,
    });
    expect(server.received.map((r) => `${r.method} ${r.url}`)).toEqual(["POST /rest/api/3/issue/OPS-5/comment"]);
  });
});

describe("e-mail (SMTP, HTML and text)", () => {
  it("sends a multipart e-mail with the subject, text and HTML (escaped) to the recipients", async () => {
    const received: { from: string; to: string[]; user: string | undefined; raw: string }[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onAuth(auth, _s, cb) {
        if (auth.username === "baton" && auth.password === "m4ilpass") cb(null, { user: auth.username });
        else cb(new Error("bad credentials"));
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          received.push({
            from: session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
            user: session.user as string | undefined,
            raw: Buffer.concat(chunks).toString("utf8"),
          });
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    try {
      const port = (smtp.server.address() as AddressInfo).port;
      const result = await send(
        {
          notifier: "email",
          connection: "mail",
          options: { to: ["oncall@example.com", "lead@example.com"], subject: "[{{ severity }}] {{ dagId }}.{{ taskId }}" },
        },
        `smtp://baton:m4ilpass@127.0.0.1:${port}?from=baton%40example.com`,
        sampleAlert({ error: { message: "x < y & z", stack: null } }),
      );
      expect(result.target).toBe("127.0.0.1 → oncall@example.com, lead@example.com");
      expect(received).toHaveLength(1);
      const m = received[0]!;
      expect(m).toMatchObject({ from: "baton@example.com", to: ["oncall@example.com", "lead@example.com"], user: "baton" });
      expect(m.raw).toMatch(/^Subject: \[error\] etl\.load$/m);
      expect(m.raw).toMatch(/Content-Type: multipart\/alternative/);
      expect(m.raw).toMatch(/Content-Type: text\/plain/);
      expect(m.raw).toMatch(/Content-Type: text\/html/);
      const unfolded = m.raw.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
      expect(unfolded).toContain("Error: x < y & z");
      expect(unfolded).toContain("Error: x &lt; y &amp; z");
      expect(unfolded).toContain(`<a href="${sampleAlert().runUrl}">View run</a>`);
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });

  it("a refused login is not retried; its error shows no password", async () => {
    const smtp = new SMTPServer({ allowInsecureAuth: true, disabledCommands: ["STARTTLS"], logger: false, onAuth: (_a, _s, cb) => cb(new Error("no")) });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    try {
      const port = (smtp.server.address() as AddressInfo).port;
      const e = (await send({ notifier: "email", connection: "mail", options: { to: "a@example.com" } }, `smtp://baton:m4ilpass@127.0.0.1:${port}`).catch(
        (x: unknown) => x,
      )) as DeliveryError;
      expect(e).toBeInstanceOf(DeliveryError);
      expect(e.retryable).toBe(false);
      expect(e.message).not.toContain("m4ilpass");
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });
});
