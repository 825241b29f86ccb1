import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { hasChromium, CHROMIUM, screenshotDir, startUiSession, uiContext, waitForState, type UiSession } from "./browser-support.js";

// The Backfills and Pools pages (docs/ui.md#backfills, #pools) through the real `baton standalone`
// (local mode: the admin) in real Chromium: a backfill created from the DAG page's dialog, after
// its dry run, watched on the Backfills page until it is done; a pool held by a running task,
// its holder listed, its slots and description edited; a backfill paused and resumed from the page.

if (!hasChromium) console.warn(`[test/browser] skipped: Chromium not installed at ${CHROMIUM}; .ci/run installs it`);

const TINY = `import { dag } from "baton";
export default dag({ id: "tiny", schedule: "0 * * * *", startDate: "2025-01-01", catchup: false }, (d) => {
  const a = d.task("extract", async () => 1);
  d.task("load", { after: [a] }, async () => 2);
});
`;
/** Each run lasts about a second and a half: a backfill of eight, one at a time, cannot end before it is paused. */
const SLOW = `import { dag } from "baton";
export default dag({ id: "slow", schedule: "0 * * * *", startDate: "2025-01-01", catchup: false }, (d) => {
  d.task("work", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    return 1;
  });
});
`;
const HOLDER = `import { dag } from "baton";
export default dag({ id: "holder" }, (d) => {
  d.task("hold", { pool: "warehouse" }, async () => {
    await new Promise((resolve) => setTimeout(resolve, 30_000));
    return 1;
  });
});
`;

describe.skipIf(!hasChromium)("the Backfills and Pools pages", () => {
  let root: string;
  let session: UiSession | undefined;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "baton-backfills-ui-"));
    mkdirSync(join(root, "dags"));
    writeFileSync(join(root, "dags", "tiny.ts"), TINY);
    writeFileSync(join(root, "dags", "holder.ts"), HOLDER);
    writeFileSync(join(root, "dags", "slow.ts"), SLOW);
    session = await startUiSession({
      BATON_HOME: join(root, "home"),
      BATON_DAGS: join(root, "dags"),
      BATON_API_PORT: "0",
      BATON_WORKERS: "2",
      BATON_SHUTDOWN_GRACE_MS: "1000",
    });
  });

  afterAll(async () => {
    await session?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshotDir(root), name), animations: "disabled" });
  /** Keeps toasts out of the screenshots. */
  const dismissToasts = async (page: Page) => {
    for (const button of await page.getByRole("button", { name: "Dismiss notification" }).all()) await button.click().catch(() => undefined);
  };
  /** Page errors and console errors, asserted empty at the end of each case. */
  const watchErrors = (page: Page) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
    return errors;
  };

  it("creates a backfill from the DAG page's dialog after its dry run and watches it finish on the Backfills page", async () => {
    const context = await uiContext(session!);
    try {
      const page = await context.newPage();
      const errors = watchErrors(page);
      await page.goto("/dags/tiny/grid");
      const open = page.getByTestId("backfill-button");
      await expect.poll(() => open.isEnabled(), { timeout: 30_000 }).toBe(true);
      await open.click();
      const dialog = page.getByTestId("backfill-dialog");
      await dialog.waitFor();
      await page.getByTestId("backfill-from").fill("2025-01-01T00:00");
      await page.getByTestId("backfill-to").fill("2025-01-01T03:00");
      await page.getByTestId("backfill-max-active").fill("2");

      // The dry run: four hourly intervals, all new runs; nothing created yet.
      const summary = page.getByTestId("backfill-preview-summary");
      await expect.poll(() => summary.textContent()).toMatch(/^4 intervals: 4 new runs, 0 re-run, 0 kept; up to 2 at once\.$/);
      const rows = page.getByTestId("backfill-preview-runs").locator("tbody tr");
      expect(await rows.count()).toBe(4);
      expect(await rows.first().textContent()).toContain("2025-01-01T00:00:00.000Z");
      expect(await rows.nth(3).getAttribute("data-action")).toBe("create");
      expect((await (await page.request.get("/api/v1/backfills")).json()).backfills).toEqual([]);
      // A reversed range is refused by the dry run, naming the field; creating is disabled.
      await page.getByTestId("backfill-to").fill("2024-12-31T00:00");
      await expect.poll(() => page.getByTestId("backfill-preview-error").textContent()).toMatch(/to: .* is before from/);
      expect(await page.getByTestId("backfill-submit").isDisabled()).toBe(true);
      await page.getByTestId("backfill-to").fill("2025-01-01T03:00");
      await expect.poll(() => summary.textContent()).toMatch(/^4 intervals/);
      await page.getByTestId("backfill-submit").click();

      // The Backfills page, filtered to the DAG, shows it and its progress until it is done.
      await page.waitForURL(/\/backfills\?dag=tiny$/);
      const row = page.locator('[data-testid^="backfill-row-"]').first();
      await row.waitFor();
      const id = (await row.getAttribute("data-testid"))!.replace("backfill-row-", "");
      expect(await row.textContent()).toMatch(/tiny#\d+.*2025.*→.*2025.*missing only2/);
      await waitForState(page, `backfill-row-${id}`, ["done"], 90_000);
      await expect.poll(() => row.getByTestId("backfill-done").textContent()).toBe("4/4");
      expect(await row.getByTestId("backfill-progress").textContent()).toContain("4 success");
      expect(await row.getByTestId("backfill-cancel").count()).toBe(0);
      const api = (await (await page.request.get(`/api/v1/backfills/${id}`)).json()) as { state: string; progress: Record<string, number> };
      expect(api).toMatchObject({ state: "done", progress: { total: 4, success: 4, failed: 0 } });
      const runs = (await (await page.request.get("/api/v1/dags/tiny/runs?limit=50")).json()) as { runs: { runType: string; state: string }[] };
      expect(runs.runs.filter((r) => r.runType === "backfill").map((r) => r.state)).toEqual(["success", "success", "success", "success"]);

      // A second, wider backfill (456 hourly runs, one at a time: it cannot finish before the click) is cancelled from the page (op and above may).
      const created = await page.request.post("/api/v1/backfills", { data: { dagId: "tiny", from: "2025-02-01", to: "2025-02-20", maxActiveRuns: 1 } });
      expect(created.status()).toBe(201);
      const second = (await created.json()) as { id: number };
      await page.goto("/backfills");
      const secondRow = page.getByTestId(`backfill-row-${second.id}`);
      await secondRow.getByTestId("backfill-cancel").click();
      await page.getByRole("alertdialog").getByRole("button", { name: "Cancel backfill" }).click();
      await waitForState(page, `backfill-row-${second.id}`, ["cancelled"], 30_000);
      await page.getByTestId(`backfill-row-${id}`).waitFor();
      await dismissToasts(page);
      await shot(page, "backfills.png");
      // The one expected error: Chromium logs the reversed range's dry run (400) as a failed resource.
      expect(errors.filter((e) => !/status of 400 \(Bad Request\)/.test(e))).toEqual([]);
      expect(errors.length).toBeLessThanOrEqual(1);
    } finally {
      await context.close();
    }
  }, 180_000);

  it("pauses a backfill from the page (no new run starts while paused, shown live), resumes it and watches it to the end", async () => {
    const context = await uiContext(session!);
    try {
      const page = await context.newPage();
      const errors = watchErrors(page);
      await page.goto("/");
      await expect.poll(async () => (await page.request.get("/api/v1/dags/slow")).status(), { timeout: 30_000 }).toBe(200);
      const created = await page.request.post("/api/v1/backfills", {
        data: { dagId: "slow", from: "2025-03-01T00:00Z", to: "2025-03-01T07:00Z", maxActiveRuns: 1 },
      });
      expect(created.status()).toBe(201);
      const { id } = (await created.json()) as { id: number };
      type Api = { state: string; paused: boolean; progress: { total: number; queued: number; running: number; success: number; failed: number } };
      const read = async () => (await (await page.request.get(`/api/v1/backfills/${id}`)).json()) as Api;

      await page.getByTestId("nav-backfills").click();
      await page.waitForURL(/\/backfills$/);
      const row = page.getByTestId(`backfill-row-${id}`);
      await row.getByTestId("backfill-pause").click();
      await row.getByTestId("backfill-paused").waitFor();
      expect(await row.getAttribute("data-paused")).toBe("true");
      expect((await row.getByTestId("backfill-paused").textContent())?.trim()).toBe("Paused");
      expect(await row.getByTestId("backfill-resume").textContent()).toContain("Resume");
      expect(await row.getByTestId("backfill-cancel").count()).toBe(1);
      expect((await read()).paused).toBe(true);

      // The run that was going finishes; after it none starts, scheduler tick after tick.
      const settled = await (async () => {
        for (const end = Date.now() + 30_000; Date.now() < end; await page.waitForTimeout(200)) {
          const b = await read();
          if (b.progress.total === 8 && b.progress.running === 0) return b;
        }
        throw new Error(`backfill ${id} still has a running run 30 s after its pause: ${JSON.stringify(await read())}`);
      })();
      expect(settled.progress.queued).toBeGreaterThan(0);
      await page.waitForTimeout(4_000);
      const later = await read();
      expect(later).toMatchObject({ state: "running", paused: true, progress: settled.progress });
      await expect.poll(() => row.getByTestId("backfill-done").textContent()).toBe(`${settled.progress.success}/8`);
      await waitForState(page, `backfill-row-${id}`, ["running"], 5_000);
      await dismissToasts(page);
      await page.mouse.move(700, 600); // no tooltip in the screenshot
      await shot(page, "backfills-paused.png");

      // Live: unpaused and paused again by another client (the API), the page follows without a reload.
      expect((await page.request.post(`/api/v1/backfills/${id}/unpause`)).status()).toBe(200);
      await expect.poll(() => row.getAttribute("data-paused"), { timeout: 10_000 }).toBe("false");
      await row.getByTestId("backfill-pause").waitFor();
      expect((await page.request.post(`/api/v1/backfills/${id}/pause`)).status()).toBe(200);
      await expect.poll(() => row.getAttribute("data-paused"), { timeout: 10_000 }).toBe("true");

      // Resumed: the badge goes, and the rest of the runs run one at a time to the end.
      await row.getByTestId("backfill-resume").click();
      await expect.poll(() => row.getAttribute("data-paused")).toBe("false");
      expect(await row.getByTestId("backfill-paused").count()).toBe(0);
      await waitForState(page, `backfill-row-${id}`, ["done"], 90_000);
      await expect.poll(() => row.getByTestId("backfill-done").textContent()).toBe("8/8");
      expect(await read()).toMatchObject({ state: "done", paused: false, progress: { total: 8, success: 8, failed: 0 } });
      expect(await row.getByTestId("backfill-resume").count()).toBe(0);
      expect(await row.getByTestId("backfill-pause").count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);

  it("lists pools with slots used, queued and open and who holds them, and edits a pool", async () => {
    const context = await uiContext(session!);
    try {
      const page = await context.newPage();
      const errors = watchErrors(page);
      await page.goto("/");
      expect((await page.request.post("/api/v1/pools", { data: { name: "warehouse", slots: 1, description: "" } })).status()).toBe(201);
      await expect.poll(async () => (await page.request.get("/api/v1/dags/holder")).status(), { timeout: 30_000 }).toBe(200);
      expect((await page.request.post("/api/v1/dags/holder/runs", { data: { conf: {}, runId: "hold1" } })).status()).toBe(201);

      await page.getByTestId("nav-pools").click();
      await page.waitForURL(/\/pools$/);
      const row = page.getByTestId("pool-row-warehouse");
      await expect.poll(() => row.getByTestId("pool-running").textContent(), { timeout: 30_000 }).toBe("1");
      expect(await row.getByTestId("pool-open").textContent()).toBe("0full");
      const holder = row.getByTestId("pool-holder");
      expect(await holder.textContent()).toContain("holder.hold");
      expect(await holder.getAttribute("href")).toBe("/dags/holder/grid?run=hold1&task=hold");
      await page.getByTestId("pool-row-default_pool").waitFor();

      await row.getByTestId("pool-edit").click();
      await page.getByTestId("pool-edit-slots").fill("4");
      await page.getByTestId("pool-edit-description").fill("Connections to the warehouse");
      await page.getByTestId("pool-save").click();
      await expect.poll(() => row.getByTestId("pool-slots").textContent()).toBe("4");
      expect(await row.getByTestId("pool-open").textContent()).toBe("3");
      expect(await row.getByTestId("pool-description").textContent()).toBe("Connections to the warehouse");
      expect((await (await page.request.get("/api/v1/pools/warehouse")).json()) as object).toMatchObject({
        slots: 4,
        description: "Connections to the warehouse",
        runningSlots: 1,
        openSlots: 3,
      });
      await dismissToasts(page);
      await shot(page, "pools.png");
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
