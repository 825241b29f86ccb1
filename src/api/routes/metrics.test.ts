import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { MetricsExposition } from "../../core/ports/metrics.js";
import { apiHarness, type ApiHarness } from "../testing/api-harness.js";

/** A process's metrics as the composition root hands them to the API: two fixed series. */
const metrics: MetricsExposition = {
  contentType: "text/plain; version=0.0.4; charset=utf-8",
  render: async () => "# HELP baton_up test\n# TYPE baton_up gauge\nbaton_up 1\n",
};

let h: ApiHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const fromLoopback = { remoteAddress: "127.0.0.1", headers: { host: "127.0.0.1:8080" } };

describe("GET /metrics", () => {
  it("local mode: open from this machine, in the Prometheus text format (not the UI's page)", async () => {
    h = await apiHarness({ mode: "local", metrics });
    const res = await h.app.inject({ url: "/metrics", ...fromLoopback });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(res.body).toContain("baton_up 1\n");
  });

  it("local mode: a peer on another machine needs credentials", async () => {
    h = await apiHarness({ mode: "local", metrics });
    const res = await h.app.inject({ url: "/metrics", remoteAddress: "192.0.2.7", headers: { host: "127.0.0.1:8080" } });
    expect(res.statusCode).toBe(401);
  });

  it("outside local mode: 401 without a bearer token, 401 with a wrong one, 200 with a viewer's token", async () => {
    h = await apiHarness({ mode: "required", metrics });
    const anonymous = await h.app.inject({ url: "/metrics", ...fromLoopback });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ error: { code: "unauthorized" } });
    expect(anonymous.body).not.toContain("baton_up");
    const wrong = await h.app.inject({
      url: "/metrics",
      headers: { ...fromLoopback.headers, authorization: "Bearer baton_nope_nope" },
      remoteAddress: "127.0.0.1",
    });
    expect(wrong.statusCode).toBe(401);
    const ok = await h.app.inject({ url: "/metrics", headers: { ...fromLoopback.headers, ...(await h.bearer("viewer")) }, remoteAddress: "127.0.0.1" });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain("baton_up 1\n");
  });

  it("regression (issue 10): served before the UI's SPA fallback, which answered /metrics with index.html", async () => {
    const uiDir = mkdtempSync(join(tmpdir(), "baton-ui-"));
    try {
      mkdirSync(join(uiDir, "assets"));
      writeFileSync(join(uiDir, "index.html"), "<!doctype html><title>Baton</title>");
      h = await apiHarness({ mode: "local", metrics, uiDir });
      expect((await h.app.inject({ url: "/some/page", ...fromLoopback })).body).toContain("<title>Baton</title>");
      const res = await h.app.inject({ url: "/metrics", ...fromLoopback });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain("baton_up 1\n");
    } finally {
      rmSync(uiDir, { recursive: true, force: true });
    }
  });

  it("a process without metrics answers 404 in JSON", async () => {
    h = await apiHarness({ mode: "local" });
    const res = await h.app.inject({ url: "/metrics", ...fromLoopback });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: "not_found", message: "this process serves no metrics" } });
  });
});
