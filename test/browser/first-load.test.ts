import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { poll, startStandalone, stopProcess } from "../e2e/baton-cli.js";
import { hasChromium, CHROMIUM, launchChromium, parseStandalone, VIEWPORT } from "./browser-support.js";

// Issue 12 (first load < 300 ms): the server writes the page's first API answers into its
// index.html (src/api/first-data.ts) and the UI draws from them without asking again
// (ui/src/boot/first-data.ts, api/seed-first-data.ts). Through the real `baton standalone` in
// real Chromium: in local mode the home page and a DAG's grid show their content without a
// request for what was inlined; with sign-in required an anonymous page carries nothing, and a
// signed-in reload draws from the inlined answers and can still send a command (CSRF).

if (!hasChromium) console.warn(`[test/browser] skipped: Chromium not installed at ${CHROMIUM}; .ci/run installs it`);

const HELLO = `import { dag } from "baton";\nexport default dag({ id: "hello" }, (d) => {\n  d.task("a", async () => 1).then(d.task("b", async () => 2));\n});\n`;
const HOME_READY = `[data-testid^="component-scheduler-"]`;
const DATA_BLOCK = '<script type="application/json" id="baton-first-data">';

interface Opened {
  page: Page;
  html: string;
  /**
   * The /api/v1 GETs the page sent before it opened its live-update stream (after its first render;
   * once open, the stream reads the inlined answers again: api/use-live-events.ts).
   */
  calls: string[];
}

/** Opens `path` in a fresh context (a cold load) and waits for `ready`; `cookie` signs it in. */
async function open(browser: Browser, url: string, path: string, ready: string, cookie?: string): Promise<Opened> {
  const context = await browser.newContext({ baseURL: url, viewport: VIEWPORT });
  context.setDefaultTimeout(20_000);
  if (cookie) await context.addCookies([{ name: "baton_session", value: cookie, url }]);
  const page = await context.newPage();
  const calls: string[] = [];
  let live = false;
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.pathname === "/api/v1/events") live = true;
    if (!live && r.method() === "GET" && u.pathname.startsWith("/api/v1/")) calls.push(u.pathname.slice("/api/v1".length) + u.search);
  });
  const response = await page.goto(path);
  // The UI's own render (the server's first view of the page, if any, drawn the same before it: first-view.test.ts).
  await page.locator("#first-view").waitFor({ state: "detached" });
  await page.locator(ready).first().waitFor();
  return { page, html: (await response?.text()) ?? "", calls };
}

describe.skipIf(!hasChromium)("first load: the page's data comes with its index.html", () => {
  let root: string;
  let local: { proc: ChildProcess; url: string } | undefined;
  let required: { proc: ChildProcess; url: string; password: string } | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "baton-first-load-"));
    mkdirSync(join(root, "dags"));
    writeFileSync(join(root, "dags", "hello.ts"), HELLO);
    const env = (name: string) => ({
      BATON_HOME: join(root, name),
      BATON_DAGS: join(root, "dags"),
      BATON_API_PORT: "0",
      BATON_WORKERS: "1",
      BATON_POLL_MS: "100",
      BATON_SHUTDOWN_GRACE_MS: "1000",
    });
    const [a, b, launched] = await Promise.all([startStandalone(env("local")), startStandalone(env("required"), ["--auth", "required"]), launchChromium()]);
    browser = launched;
    local = { proc: a.proc, url: /UI and API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(a.output())![1]! };
    required = { proc: b.proc, ...parseStandalone(b.output()) };
    const base = local.url;
    await poll(async () => ((await fetch(`${base}/api/v1/dags/hello`)).ok ? true : undefined), 20_000);
    const res = await fetch(`${base}/api/v1/dags/hello/runs`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(201);
    const { runId } = (await res.json()) as { runId: string };
    await poll(async () => {
      const run = (await (await fetch(`${base}/api/v1/dags/hello/runs/${encodeURIComponent(runId)}`)).json()) as { state: string };
      return run.state === "success" ? true : undefined;
    }, 30_000);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([stopProcess(local?.proc), stopProcess(required?.proc)]);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("local mode: the home page and a DAG's grid draw from the inlined answers, without requesting them", async () => {
    const home = await open(browser!, local!.url, "/", HOME_READY);
    expect(home.html).toContain(DATA_BLOCK);
    await home.page.getByTestId("home-runs").waitFor();
    expect(home.calls.filter((c) => ["/auth/me", "/overview", "/anomalies/counts"].includes(c))).toEqual([]);
    await home.page.context().close();

    const grid = await open(browser!, local!.url, "/dags/hello/grid", '[data-testid^="grid-cell-"]');
    expect(grid.html).toContain(DATA_BLOCK);
    expect(grid.html).toMatch(/<link rel="modulepreload" crossorigin href="\/assets\/dag-page-[^"]+\.js">/);
    expect(grid.calls.filter((c) => ["/auth/me", "/anomalies/counts", "/dags/hello", "/dags/hello/grid?limit=25"].includes(c))).toEqual([]);
    expect(await grid.page.locator('[data-testid^="grid-cell-"][data-state="success"]').count()).toBe(2);
    // The block is read once and removed: later reads go to the API as before.
    expect(await grid.page.locator("#baton-first-data").count()).toBe(0);
    await grid.page.context().close();
  });

  it("sign-in required: nothing inlined without a session; a signed-in reload draws from it and still sends commands", async () => {
    const { url, password } = required!;
    const anonymous = await open(browser!, url, "/dags/hello/grid", '[data-testid="login-username"]');
    expect(anonymous.html).not.toContain(DATA_BLOCK);
    expect(anonymous.calls).toContain("/auth/me");
    await anonymous.page.context().close();

    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password }),
    });
    expect(login.status).toBe(200);
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const cookie = /baton_session=([^;]+)/.exec(login.headers.get("set-cookie") ?? "")?.[1];
    expect(cookie).toBeTruthy();

    const signedIn = await open(browser!, url, "/dags/hello/grid", '[data-testid="dag-pause-toggle"]:not([disabled])', cookie);
    expect(signedIn.html).toContain(DATA_BLOCK);
    expect(signedIn.html).not.toContain(csrfToken);
    expect(signedIn.calls.filter((c) => c === "/dags/hello" || c.startsWith("/dags/hello/grid"))).toEqual([]);
    // The CSRF token is not in the page: /auth/me is read again after the first render, and a command works.
    const before = (await (await fetch(`${url}/api/v1/dags/hello`, { headers: { cookie: `baton_session=${cookie}` } })).json()) as { paused: boolean };
    const patched = signedIn.page.waitForResponse((r) => r.url().endsWith("/api/v1/dags/hello") && r.request().method() === "PATCH");
    await signedIn.page.getByTestId("dag-pause-toggle").click();
    expect((await patched).status()).toBe(200);
    const after = (await (await fetch(`${url}/api/v1/dags/hello`, { headers: { cookie: `baton_session=${cookie}` } })).json()) as { paused: boolean };
    expect(after.paused).toBe(!before.paused);
    await signedIn.page.context().close();
  });
});
