import { afterEach, describe, expect, it } from "vitest";
import { startMetricsServer, type MetricsServer } from "./metrics-server.js";

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const exposition = { contentType: "text/plain; version=0.0.4; charset=utf-8", render: async () => "baton_up 1\n" };

describe("the separate metrics port", () => {
  it("serves GET and HEAD /metrics without credentials, and nothing else", async () => {
    server = await startMetricsServer(exposition, "127.0.0.1", 0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(exposition.contentType);
    expect(await res.text()).toBe("baton_up 1\n");
    expect(await (await fetch(`${server.url}?x=1`)).text()).toBe("baton_up 1\n");
    const head = await fetch(server.url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect((await fetch(server.url.replace("/metrics", "/api/v1/dags"))).status).toBe(404);
    expect((await fetch(server.url.replace("/metrics", "/"))).status).toBe(404);
    const post = await fetch(server.url, { method: "POST", body: "x" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  it("answers 500 with the reason when collecting fails", async () => {
    server = await startMetricsServer({ contentType: "text/plain", render: () => Promise.reject(new Error("collector broke")) }, "127.0.0.1", 0);
    const res = await fetch(server.url);
    expect(res.status).toBe(500);
    expect(await res.text()).toContain("collector broke");
  });

  it("rejects when the port is taken", async () => {
    server = await startMetricsServer(exposition, "127.0.0.1", 0);
    await expect(startMetricsServer(exposition, "127.0.0.1", server.port)).rejects.toThrow(/EADDRINUSE/);
  });
});
