import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { keepBrotliOnly, precompressDir } from "../../ui/precompress.js";
import { apiHarness, type ApiHarness } from "./testing/api-harness.js";

// Issue 12: the UI's assets were sent uncompressed with max-age=0.
describe("UI assets: precompressed and cached by hash", () => {
  let h: ApiHarness | undefined;
  let ui: string | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
    if (ui) rmSync(ui, { recursive: true, force: true });
    ui = undefined;
  });

  /** A built UI, compressed by the UI build's own step (ui/precompress.ts). */
  function builtUi(): { index: string; js: string } {
    ui = mkdtempSync(join(tmpdir(), "baton-ui-"));
    mkdirSync(join(ui, "assets"));
    const index = `<!doctype html><title>Baton</title><script type="module" src="/assets/index-abc123.js"></script>${"<!-- padding -->".repeat(40)}`;
    const js = `console.log(${JSON.stringify("x".repeat(2000))});`.repeat(20);
    writeFileSync(join(ui, "index.html"), index);
    writeFileSync(join(ui, "assets", "index-abc123.js"), js);
    writeFileSync(join(ui, "assets", "index-abc123.js.map"), "{}".padEnd(1000));
    writeFileSync(join(ui, "theme-init.js"), "document.documentElement.dataset.theme='dark'");
    // Maps and files too small to gain are left uncompressed.
    expect(
      precompressDir(ui)
        .map((f) => f.slice(ui!.length + 1))
        .sort(),
    ).toEqual([join("assets", "index-abc123.js"), "index.html"]);
    return { index, js };
  }

  it("sends br (then gzip) to clients that accept it, with hashed assets immutable and index.html revalidated", async () => {
    const { index, js } = builtUi();
    h = await apiHarness({ uiDir: ui });
    // From a remote peer in local mode: no first data (src/api/first-data.test.ts), so every page is the file itself.
    for (const url of ["/", "/index.html", "/dags/etl/grid"]) {
      const res = await h.app.inject({ url, headers: { "accept-encoding": "br, gzip" }, remoteAddress: "10.0.0.9" });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers["content-encoding"], url).toBe("br");
      expect(res.headers["content-type"], url).toMatch(/^text\/html/);
      expect(res.headers["cache-control"], url).toBe("no-cache");
      expect(res.headers.vary, url).toMatch(/accept-encoding/i);
      expect(brotliDecompressSync(res.rawPayload).toString(), url).toBe(index);
    }
    const asset = await h.app.inject({ url: "/assets/index-abc123.js", headers: { "accept-encoding": "br, gzip" } });
    expect(asset.headers["content-encoding"]).toBe("br");
    expect(asset.headers["content-type"]).toMatch(/javascript/);
    expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(asset.rawPayload.length).toBeLessThan(js.length / 10);
    expect(brotliDecompressSync(asset.rawPayload).toString()).toBe(js);

    const gz = await h.app.inject({ url: "/assets/index-abc123.js", headers: { "accept-encoding": "gzip" } });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gz.rawPayload).toString()).toBe(js);

    const plain = await h.app.inject({ url: "/assets/index-abc123.js" });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body).toBe(js);
    expect(plain.headers["cache-control"]).toBe("public, max-age=31536000, immutable");

    // A file without compressed copies is sent as is; not hashed, so revalidated.
    const theme = await h.app.inject({ url: "/theme-init.js", headers: { "accept-encoding": "br, gzip" } });
    expect(theme.statusCode).toBe(200);
    expect(theme.headers["content-encoding"]).toBeUndefined();
    expect(theme.headers["cache-control"]).toBe("no-cache");
  });

  // Issue 13 (install size): the package ships hashed assets only as .br.
  it("serves a hashed asset shipped as .br only: br, gzipped again, or decompressed for a client that takes neither", async () => {
    const { js } = builtUi();
    expect(keepBrotliOnly(ui!).map((f) => f.slice(ui!.length + 1))).toEqual([join("assets", "index-abc123.js")]);
    expect(existsSync(join(ui!, "assets", "index-abc123.js"))).toBe(false);
    expect(existsSync(join(ui!, "assets", "index-abc123.js.gz"))).toBe(false);
    expect(existsSync(join(ui!, "assets", "index-abc123.js.br"))).toBe(true);
    expect(existsSync(join(ui!, "index.html"))).toBe(true);
    expect(existsSync(join(ui!, "index.html.gz"))).toBe(true);
    h = await apiHarness({ uiDir: ui });
    const br = await h.app.inject({ url: "/assets/index-abc123.js", headers: { "accept-encoding": "br, gzip" } });
    expect(br.headers["content-encoding"]).toBe("br");
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(js);
    for (const encoding of ["gzip", "gzip, deflate", "deflate, *"]) {
      const gz = await h.app.inject({ url: "/assets/index-abc123.js", headers: { "accept-encoding": encoding } });
      expect(gz.statusCode, encoding).toBe(200);
      expect(gz.headers["content-encoding"], encoding).toBe("gzip");
      expect(gz.headers["content-type"], encoding).toMatch(/^text\/javascript/);
      expect(gz.headers["cache-control"], encoding).toBe("public, max-age=31536000, immutable");
      expect(gz.headers.vary, encoding).toMatch(/accept-encoding/i);
      expect(gz.rawPayload.length, encoding).toBeLessThan(js.length / 10);
      expect(gunzipSync(gz.rawPayload).toString(), encoding).toBe(js);
    }
    for (const headers of [{}, { "accept-encoding": "identity" }, { "accept-encoding": "gzip;q=0, deflate" }]) {
      const plain = await h.app.inject({ url: "/assets/index-abc123.js", headers });
      expect(plain.statusCode).toBe(200);
      expect(plain.headers["content-encoding"]).toBeUndefined();
      expect(plain.headers["content-type"]).toMatch(/^text\/javascript/);
      expect(plain.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(plain.body).toBe(js);
    }
    // Only a compressed copy inside the UI's folder is read.
    for (const url of ["/assets/..%2F..%2F..%2F..%2Fetc%2Fpasswd", "/assets/%2E%2E/%2E%2E/etc/passwd"]) {
      const res = await h.app.inject({ url });
      expect(res.body, url).not.toMatch(/root:/);
    }
  });
});
