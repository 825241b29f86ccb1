import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { apiHarness, type ApiHarness } from "./testing/api-harness.js";

// Regression (issue 8, item 4): no response carried any security header.
describe("security headers", () => {
  let h: ApiHarness | undefined;
  let ui: string | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
    if (ui) rmSync(ui, { recursive: true, force: true });
  });

  function expectHardened(headers: Record<string, unknown>, what: string) {
    const csp = String(headers["content-security-policy"]);
    expect(csp, what).toContain("default-src 'self'");
    expect(csp, what).toContain("script-src 'self'");
    expect(csp, what).toContain("frame-ancestors 'none'");
    expect(csp, what).toContain("object-src 'none'");
    expect(csp, what).not.toContain("upgrade-insecure-requests");
    expect(headers["x-content-type-options"], what).toBe("nosniff");
    expect(headers["x-frame-options"], what).toBe("DENY");
    expect(headers["referrer-policy"], what).toBe("no-referrer");
    // HSTS belongs to whoever terminates TLS; over plain HTTP on 127.0.0.1 it would be wrong.
    expect(headers["strict-transport-security"], what).toBeUndefined();
  }

  it("are on every response: API answers, errors, the UI, its assets and the SPA fallback", async () => {
    ui = mkdtempSync(join(tmpdir(), "baton-ui-"));
    mkdirSync(join(ui, "assets"));
    writeFileSync(join(ui, "index.html"), "<!doctype html><title>Baton</title>");
    writeFileSync(join(ui, "assets", "app.js"), "console.log(1)");
    h = await apiHarness({ mode: "required", uiDir: ui });
    const viewer = await h.bearer("viewer");
    const cases: [string, { url: string; method?: "GET" | "POST"; headers?: Record<string, string> }, number][] = [
      ["health", { url: "/api/v1/health" }, 200],
      ["an authenticated API answer", { url: "/api/v1/dags", headers: viewer }, 200],
      ["401", { url: "/api/v1/dags" }, 401],
      ["403", { url: "/api/v1/pools", method: "POST", headers: viewer }, 403],
      ["404 under /api", { url: "/api/v1/nope", headers: viewer }, 404],
      ["a failed login", { url: "/api/v1/auth/login", method: "POST" }, 400],
      ["the UI", { url: "/" }, 200],
      ["a UI asset", { url: "/assets/app.js" }, 200],
      ["the SPA fallback", { url: "/dags/etl/runs" }, 200],
    ];
    for (const [what, req, status] of cases) {
      const res = await h.app.inject(req);
      expect(res.statusCode, what).toBe(status);
      expectHardened(res.headers, what);
    }
  });
});
