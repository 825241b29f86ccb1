import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baton, batonJson } from "../../../test/e2e/baton-cli.js";

// A real HTTP server on 127.0.0.1, called by DAG files run with the real binary (needs `npm run build`).
interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  contentType: string | undefined;
  body: string;
}

let root: string;
let server: Server | null = null;
let base = "";
let unavailable: string | null = null;
const seen: Seen[] = [];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => resolve(body));
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "baton-http-ops-"));
  // A handler that throws (bad JSON) drops the connection rather than leaving an unhandled rejection.
  const s = createServer((req, res) => {
    readBody(req)
      .then((body) => respond(req, res, body))
      .catch((e: unknown) => res.destroy(e as Error));
  });
  function respond(req: IncomingMessage, res: ServerResponse, body: string): void {
    seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, contentType: req.headers["content-type"], body });
    const path = new URL(req.url!, "http://x").pathname;
    if (path === "/v1/hooks") {
      res.writeHead(201, { "content-type": "application/json; charset=utf-8", "x-request": "1" });
      res.end(JSON.stringify({ received: JSON.parse(body || "null"), ok: true }));
    } else if (path === "/text") {
      res.writeHead(200, { "content-type": "text/plain" }).end("plain words");
    } else if (path === "/flaky") {
      res.writeHead(503).end("try later");
    } else {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"no such thing"}');
    }
  }
  await new Promise<void>((resolve) => {
    s.once("error", (e) => {
      unavailable = `cannot listen on 127.0.0.1: ${e.message}`;
      resolve();
    });
    s.listen(0, "127.0.0.1", () => resolve());
  });
  if (!unavailable) {
    server = s;
    base = `127.0.0.1:${(s.address() as AddressInfo).port}`;
    const probe = await fetch(`http://${base}/text`).then(
      (r) => r.status,
      (e: Error) => e.message,
    );
    if (probe !== 200) unavailable = `the test server on ${base} does not answer: ${probe}`;
    seen.length = 0;
  }
});
afterAll(async () => {
  await new Promise((r) => (server ? server.close(r) : r(null)));
  rmSync(root, { recursive: true, force: true });
});

async function runDag(name: string, source: string) {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.ts`), source);
  const r = await baton(["dags", "test", name, "--dags", dir, "--home", join(dir, "home"), "--json", "--date", "2026-01-02"]);
  const out = batonJson<{ state: string; tasks: { taskId: string; state: string; attempts: number; error?: string }[] }>(r);
  const recordFile = join(dir, "recorded.json");
  return {
    out,
    task: (id: string) => out.tasks.find((t) => t.taskId === id)!,
    recorded: existsSync(recordFile) ? JSON.parse(readFileSync(recordFile, "utf8")) : null,
  };
}

describe("httpRequest through the real binary", () => {
  it("calls a connection's base URL with auth, templated JSON and query, and hands the parsed response downstream", async (t) => {
    if (unavailable) {
      console.warn(`skipping httpRequest test: ${unavailable}`);
      return t.skip();
    }
    const record = JSON.stringify(join(root, "ok", "recorded.json"));
    const { out, recorded } = await runDag(
      "ok",
      `import { dag } from "baton";
import { httpRequest } from "baton/operators";
import { writeFileSync } from "node:fs";
export default dag({ id: "ok" }, (d) => {
  const call = httpRequest(d, "notify", { conn: "http://etl:s%40cret@${base}/v1", method: "POST", path: "/hooks", query: { day: "{{ ds }}" },
    json: { ds: "{{ ds }}", n: 1 }, headers: { "x-run": "{{ run_id }}" }, expectStatus: [200, 201],
    responseCheck: (res) => (res.body as { ok: boolean }).ok === true || "not ok" });
  const text = httpRequest(d, "text", { url: "http://${base}/text", retries: 0 });
  const bearer = httpRequest(d, "bearer", { conn: "http://${base}?token=t0k", path: "text" });
  d.task("record", { inputs: { call, text } }, (ctx, v) => { writeFileSync(${record}, JSON.stringify(v)); });
  call.then(bearer);
});
`,
    );
    expect(out.state).toBe("success");
    expect(recorded.call).toMatchObject({ status: 201, body: { received: { ds: "2026-01-02", n: 1 }, ok: true } });
    expect(recorded.call.headers["x-request"]).toBe("1");
    expect(recorded.text).toMatchObject({ status: 200, body: "plain words" });
    const hook = seen.find((s) => s.url.startsWith("/v1/hooks"))!;
    expect(hook).toMatchObject({
      method: "POST",
      url: "/v1/hooks?day=2026-01-02",
      auth: `Basic ${Buffer.from("etl:s@cret").toString("base64")}`,
      contentType: "application/json",
    });
    expect(seen.find((s) => s.url === "/text" && s.auth === "Bearer t0k")).toBeDefined();
  });

  it("fails at once on a 4xx or a failed responseCheck, and uses retries on a 5xx", async (t) => {
    if (unavailable) {
      console.warn(`skipping httpRequest test: ${unavailable}`);
      return t.skip();
    }
    const { out, task } = await runDag(
      "bad",
      `import { dag } from "baton";
import { httpRequest } from "baton/operators";
export default dag({ id: "bad", defaults: { retries: 1, retryDelay: 10 } }, (d) => {
  httpRequest(d, "missing", { url: "http://${base}/nope" });
  httpRequest(d, "flaky", { url: "http://${base}/flaky" });
  httpRequest(d, "judged", { url: "http://${base}/text", responseCheck: (res) => res.body === "other words" || \`unexpected body \${String(res.body)}\` });
  httpRequest(d, "accepted_404", { url: "http://${base}/nope", expectStatus: 404 });
});
`,
    );
    expect(out.state).toBe("failed");
    expect(task("missing")).toMatchObject({ state: "failed", attempts: 1 });
    expect(task("missing").error).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/nope returned 404, expected 2xx: \{"error":"no such thing"\}/);
    expect(task("flaky")).toMatchObject({ state: "failed", attempts: 2 });
    expect(task("flaky").error).toMatch(/returned 503/);
    expect(task("judged")).toMatchObject({ state: "failed", attempts: 1 });
    expect(task("judged").error).toMatch(/responseCheck failed: unexpected body plain words/);
    expect(task("accepted_404").state).toBe("success");
  });
});
