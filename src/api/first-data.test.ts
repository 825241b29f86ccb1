import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { addUser, login } from "./auth/testing/auth-test-app.js";
import { FIRST_DATA_ID, firstLoadHtml, scriptSafeJson } from "./first-data.js";
import { apiHarness, etlSpec, NOW, type ApiHarness } from "./testing/api-harness.js";
import type { ApiDeps } from "./server.js";

// Issue 12 (first load < 300 ms): the page's first API answers come inside its index.html, made
// with the page request's own credentials, so the UI draws without a second round trip.
describe("first load: the page's first data in index.html", () => {
  let h: ApiHarness | undefined;
  let ui: string | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
    if (ui) rmSync(ui, { recursive: true, force: true });
    ui = undefined;
  });

  const INDEX = `<!doctype html><html><head><title>Baton</title><script type="module" async crossorigin src="/assets/index-abc.js"></script></head><body><div id="root"></div></body></html>`;

  async function start(mode: ApiDeps["mode"]): Promise<ApiHarness> {
    ui = mkdtempSync(join(tmpdir(), "baton-ui-"));
    writeFileSync(join(ui, "index.html"), INDEX);
    writeFileSync(
      join(ui, "first-load.json"),
      JSON.stringify({ home: { js: ["assets/home-page-1.js"], css: ["assets/home-page-1.css"] }, dag: { js: ["assets/dag-page-2.js"], css: [] } }),
    );
    h = await apiHarness({ uiDir: ui, mode });
    return h;
  }

  /** The data block of a page, or null; the HTML otherwise. */
  function dataOf(html: string): Record<string, unknown> | null {
    const m = new RegExp(`<script type="application/json" id="${FIRST_DATA_ID}">([^<]*)</script>`).exec(html);
    return m?.[1] === undefined ? null : (JSON.parse(m[1]) as Record<string, unknown>);
  }

  it("answers a signed-in page with the API's own answers to its first calls, and links the page's chunk", async () => {
    const h = await start("local");
    const res = await h.app.inject({ url: "/dags/etl/grid" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.headers["cache-control"]).toBe("no-store");
    const data = dataOf(res.body);
    expect(Object.keys(data ?? {}).sort()).toEqual(["/anomalies/counts", "/auth/me", "/dags/etl", "/dags/etl/grid?limit=25"]);
    for (const path of ["/anomalies/counts", "/dags/etl", "/dags/etl/grid?limit=25"]) {
      const api = await h.app.inject({ url: `/api/v1${path}` });
      expect(data![path], path).toEqual(api.json());
    }
    expect(data!["/auth/me"]).toEqual({ username: "local-admin", role: "admin", authRequired: false, csrfToken: null });
    // Streamed: the head and the shell first, then the data, then the entry script, which reads it.
    expect(res.body.indexOf('<div id="root">')).toBeLessThan(res.body.indexOf(FIRST_DATA_ID));
    expect(res.body.indexOf(FIRST_DATA_ID)).toBeLessThan(res.body.indexOf('<script type="module"'));
    expect(res.body.endsWith("</body></html>")).toBe(true);
    expect(res.body).toContain('<link rel="modulepreload" crossorigin href="/assets/dag-page-2.js">');
    expect(res.body).not.toContain("home-page-1");

    const home = await h.app.inject({ url: "/", headers: { "accept-encoding": "br" } });
    expect(home.headers["content-encoding"]).toBe("br");
    const html = brotliDecompressSync(home.rawPayload).toString();
    expect(Object.keys(dataOf(html) ?? {}).sort()).toEqual(["/anomalies/counts", "/auth/me", "/overview"]);
    expect(html).toContain('<link rel="stylesheet" crossorigin href="/assets/home-page-1.css">');
    expect(html).toContain('<link rel="modulepreload" crossorigin href="/assets/home-page-1.js">');

    // A DAG that does not exist: only the answers that were 200; a page without first calls of its own.
    expect(Object.keys(dataOf((await h.app.inject({ url: "/dags/nope/grid" })).body) ?? {}).sort()).toEqual(["/anomalies/counts", "/auth/me"]);
    expect(Object.keys(dataOf((await h.app.inject({ url: "/pools" })).body) ?? {}).sort()).toEqual(["/anomalies/counts", "/auth/me"]);
    // The plain file stays plain.
    expect(dataOf((await h.app.inject({ url: "/index.html" })).body)).toBeNull();
  });

  it("inlines nothing for a request the API refuses: a remote peer or a proxied request in local mode", async () => {
    const h = await start("local");
    for (const req of [{ remoteAddress: "10.1.2.3" }, { headers: { "x-forwarded-for": "10.1.2.3" } }, { headers: { host: "evil.example:8080" } }]) {
      const res = await h.app.inject({ url: "/", ...req });
      expect(res.statusCode, JSON.stringify(req)).toBe(200);
      expect(dataOf(res.body), JSON.stringify(req)).toBeNull();
      expect(res.headers["cache-control"]).toBe("no-cache");
      // The page's code is still linked: it is public, the data is not.
      expect(res.body).toContain("/assets/home-page-1.js");
    }
  });

  it("with authentication required: nothing without a session, the user's own answers with one, and never the CSRF token", async () => {
    const h = await start("required");
    const anonymous = await h.app.inject({ url: "/dags/etl/grid" });
    expect(anonymous.statusCode).toBe(200);
    expect(dataOf(anonymous.body)).toBeNull();
    expect((await h.app.inject({ url: "/dags/etl/grid", cookies: { baton_session: "forged" } })).body).not.toContain(FIRST_DATA_ID);

    await addUser(h.store, "vera", "viewer");
    const { cookie, csrfToken } = await login(h.app, "vera");
    const res = await h.app.inject({ url: "/dags/etl/grid", cookies: { baton_session: cookie } });
    const data = dataOf(res.body);
    expect(data?.["/auth/me"]).toEqual({ username: "vera", role: "viewer", authRequired: true, csrfToken: null });
    expect(data?.["/dags/etl"]).toEqual((await h.app.inject({ url: "/api/v1/dags/etl", cookies: { baton_session: cookie } })).json());
    expect(res.body).not.toContain(csrfToken);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(String(res.headers.vary)).toMatch(/cookie/i);

    // An API token in the Authorization header acts as its user, as on the API.
    const bearer = await h.bearer("viewer");
    expect(dataOf((await h.app.inject({ url: "/", headers: bearer })).body)?.["/auth/me"]).toMatchObject({ username: "viewer-user" });
    expect(dataOf((await h.app.inject({ url: "/", headers: { authorization: "Bearer nope" } })).body)).toBeNull();
  });

  it("cannot end its <script> element: a DAG's text with </script> and <!-- is escaped", async () => {
    const h = await start("local");
    const description = "</script><script>alert(1)</script><!-- \u2028";
    await h.store.saveDagVersion({
      versionHash: "etl-v2",
      dagId: "etl",
      spec: { ...etlSpec(), description },
      source: "export default dag('etl')\n",
      bundlePath: "/b/etl.mjs",
      createdAt: NOW + 1,
    });
    const res = await h.app.inject({ url: "/dags/etl" });
    expect(res.body).not.toContain("alert(1)</script>");
    expect(res.body.match(/<\/script>/g)?.length).toBe(2); // the data block's and the entry's
    expect((dataOf(res.body)?.["/dags/etl"] as { description: string }).description).toBe(description);
    expect(scriptSafeJson({ a: "</script>&<!--" })).toBe('{"a":"\\u003c/script\\u003e\\u0026\\u003c!--"}');
  });

  it("leaves an index.html without a module script as it is", () => {
    const html = firstLoadHtml("<html></html>", {}, "home", true);
    expect(html.head + html.tail({ "/auth/me": {} })).toBe("<html></html>");
  });
});
