import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { BIN, poll, ROOT } from "../e2e/baton-cli.js";
import { hasChromium, CHROMIUM, screenshotDir, startUiSession, uiContext, waitForState, type UiSession } from "./browser-support.js";

// The home page (docs/ui.md#home) through the real `baton standalone` in real Chromium: a real
// `baton worker` connects and shows healthy; killed with SIGKILL, the page marks it lost without
// a reload (BATON_WORKER_LOST_MS is 2 s here). A run that failed is listed, linking to its grid.
// The DAG list moved to /dags: old `/?…` links land there.

if (!hasChromium) console.warn(`[test/browser] skipped: Chromium not installed at ${CHROMIUM}; .ci/run installs it`);

const BOOM = `import { dag } from "baton";\nexport default dag({ id: "boom" }, (d) => {\n  d.task("explode", () => { throw new Error("boom"); });\n});\n`;

describe.skipIf(!hasChromium)("the home page", () => {
  let root: string;
  let session: UiSession | undefined;
  let worker: ChildProcess | undefined;
  let runId: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "baton-home-ui-"));
    mkdirSync(join(root, "dags"));
    writeFileSync(join(root, "dags", "boom.ts"), BOOM);
    session = await startUiSession({
      BATON_HOME: join(root, "home"),
      BATON_DAGS: join(root, "dags"),
      BATON_API_PORT: "0",
      BATON_WORKERS: "1",
      BATON_POLL_MS: "100",
      BATON_SHUTDOWN_GRACE_MS: "1000",
      BATON_WORKER_HEARTBEAT_MS: "500",
      BATON_WORKER_LOST_MS: "2000",
    });
    const url = session.url;
    await poll(async () => ((await fetch(`${url}/api/v1/dags/boom`)).ok ? true : undefined), 20_000);
    const res = await fetch(`${url}/api/v1/dags/boom/runs`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(201);
    runId = ((await res.json()) as { runId: string }).runId;
    await poll(async () => {
      const run = (await (await fetch(`${url}/api/v1/dags/boom/runs/${encodeURIComponent(runId)}`)).json()) as { state: string };
      return run.state === "failed" ? true : undefined;
    }, 30_000);
  });

  afterAll(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill("SIGKILL");
    await session?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** A real `baton worker` on queue `gpu`, connected with a new worker token. */
  async function startWorker(): Promise<ChildProcess> {
    const res = await fetch(`${session!.url}/api/v1/worker-tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "home-test", queues: ["gpu"] }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { token } = (await res.json()) as { token: string };
    const proc = spawn(
      process.execPath,
      [BIN, "worker", "--server", session!.url, "--queues", "gpu", "--concurrency", "1", "--name", "home-box", "--cache-dir", join(root, "worker-cache")],
      {
        cwd: ROOT,
        env: { ...process.env, BATON_WORKER_TOKEN: token },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    await poll(async () => (out.includes("Press Ctrl+C to stop.") ? true : undefined), 20_000).catch((e: unknown) => {
      throw new Error(`the worker did not start:\n${out}`, { cause: e });
    });
    return proc;
  }

  it("shows the components, a real worker healthy then lost after kill -9 (live), and the failed run with its link", { timeout: 120_000 }, async () => {
    const context = await uiContext(session!);
    try {
      const page = await context.newPage();
      const t0 = Date.now();
      await page.goto("/");
      await page.getByTestId("home-status").waitFor();
      const firstContentMs = Date.now() - t0;
      const paint = await page.evaluate<number>("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1");
      const api = await page.evaluate<number[]>(
        "(() => { const e = performance.getEntriesByType('resource').find((r) => r.name.endsWith('/api/v1/overview')); return e ? [e.startTime, e.responseEnd - e.startTime] : [-1, -1]; })()",
      );
      console.log(
        `[home] time to first content: ${firstContentMs} ms from goto (first contentful paint ${Math.round(paint)} ms; GET /api/v1/overview sent at ${Math.round(api[0]!)} ms, took ${Math.round(api[1]!)} ms)`,
      );

      // The standalone's own parts.
      expect(await page.locator('[data-testid^="component-scheduler-"]').getAttribute("data-state")).toBe("healthy");
      expect(await page.locator('[data-testid^="component-api-"]').getAttribute("data-state")).toBe("healthy");
      expect(await page.getByTestId("component-triggerer-Triggerer").getAttribute("data-state")).toBe("healthy");
      expect(await page.getByTestId("component-dag-processor-DAG processor").getAttribute("data-state")).toBe("healthy");
      expect(await page.getByTestId("component-store-Store").getAttribute("data-state")).toBe("ok");
      expect(await page.locator('[data-testid^="component-scheduler-"]').getByTestId("component-load").textContent()).toMatch(
        /^1 DAG\(s\) · 0 running · 0 queued$/,
      );

      // The failed run, counted and linked to its grid.
      expect(await page.getByTestId("home-failed-count").textContent()).toBe("1failed (24 h)");
      const failed = page.getByTestId(`home-run-boom-${runId}`);
      expect(await failed.getAttribute("href")).toBe(`/dags/boom/grid?run=${encodeURIComponent(runId)}`);

      // A real worker connects: it appears without a reload.
      worker = await startWorker();
      expect(await waitForState(page, "component-worker-home-box", ["healthy"], 15_000)).toBe("healthy");
      expect(await page.getByTestId("home-queue-gpu").textContent()).toBe("gpu001");
      await shot(page, "home.png");
      const dark = await context.browser()!.newContext({ baseURL: session!.url, viewport: page.viewportSize()!, colorScheme: "dark" });
      try {
        const darkPage = await dark.newPage();
        await darkPage.goto("/");
        await darkPage.getByTestId("component-worker-home-box").waitFor();
        await shot(darkPage, "home-dark.png");
      } finally {
        await dark.close();
      }

      // kill -9: no goodbye. Late first (missed heartbeats), then declared lost by the hub — live.
      const killedAt = Date.now();
      worker.kill("SIGKILL");
      expect(await waitForState(page, "component-worker-home-box", ["lost"], 15_000)).toBe("lost");
      console.log(`[home] the killed worker shown lost after ${Date.now() - killedAt} ms (BATON_WORKER_LOST_MS 2000, poll 3000)`);
      expect(await page.getByTestId("home-status").getAttribute("data-level")).toBe("critical");
      expect(await page.getByTestId("component-worker-home-box").getAttribute("href")).toBe("/workers");

      // The failed run's link opens its grid.
      await failed.click();
      await page.waitForURL((u) => u.pathname === "/dags/boom/grid" && u.searchParams.get("run") === runId);

      // The DAG list lives at /dags; an old DAG-list link (`/?tag=…`) is sent on there.
      await page.goto("/?tag=nightly");
      await page.waitForURL((u) => u.pathname === "/dags" && u.searchParams.get("tag") === "nightly");
      await page.getByTestId("nav-home").click();
      await page.getByTestId("home-status").waitFor();
    } finally {
      await context.close();
    }
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshotDir(root), name), animations: "disabled", fullPage: true });
});
