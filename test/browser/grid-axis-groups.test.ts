import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { poll } from "../e2e/baton-cli.js";
import { hasChromium, CHROMIUM, screenshotDir, startBackfilledSession, VIEWPORT, type GridRun } from "./browser-support.js";

// Issue 12, "The grid has no time", in real Chromium against the real `baton standalone` (local
// mode): run dates on the grid's axis (the day only where it changes), a retry marker on a task
// that failed once then succeeded, and a 32-task DAG whose id-prefix groups start collapsed and
// expand (by click and by keyboard) without breaking the arrow-key navigation.

if (!hasChromium) console.warn(`[test/browser] skipped: Chromium not installed at ${CHROMIUM}; .ci/run installs it`);

const range = (n: number) => Array.from({ length: n }, (_, i) => String(i).padStart(2, "0"));
const WIDE = `import { dag } from "baton";
export default dag({ id: "wide", schedule: "0 */12 * * *", startDate: "2026-01-01", catchup: false }, (d) => {
${range(15)
  .map((i) => `  d.task("extract.t${i}", () => ${Number(i)});`)
  .join("\n")}
${range(15)
  .map((i) => `  d.task("load_t${i}", () => ${Number(i)});`)
  .join("\n")}
  d.task("flaky", { retries: 1, retryDelay: "1s" }, (ctx) => {
    if (ctx.tryNumber === 1) throw new Error("first try fails");
    return ctx.tryNumber;
  });
  d.task("report", () => "ok");
});
`;

describe.skipIf(!hasChromium)("the grid's time axis, retry markers and task groups", () => {
  let started: Awaited<ReturnType<typeof startBackfilledSession>> | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let runs: GridRun[];

  beforeAll(async () => {
    // Every run finished, the backfill's three among them (the schedule may add one of its own).
    started = await startBackfilledSession({ dagId: "wide", source: WIDE, from: "2026-01-01T00:00Z", to: "2026-01-02T00:00Z", backfillRuns: 3 });
    ({ runs } = started);
    const url = started.session.url;
    // Dates are checked in UTC and US English whatever the machine's settings.
    context = await started.session.browser.newContext({ baseURL: url, viewport: VIEWPORT, timezoneId: "UTC", locale: "en-US" });
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
    await page.goto("/dags/wide/grid");
    await page.getByTestId(`grid-run-${runs[0]!.runId}`).waitFor();
  }, 150_000);

  afterAll(async () => {
    await context?.close();
    await started?.cleanup();
  });

  it("writes each run's date under its duration bar, the day only where it changes, the full timestamp in the title", async () => {
    const backfill = runs.filter((r) => r.runType === "backfill");
    expect(backfill.map((r) => r.logicalDate).sort()).toEqual(["2026-01-01T00:00:00.000Z", "2026-01-01T12:00:00.000Z", "2026-01-02T00:00:00.000Z"]);
    const texts: string[] = [];
    for (const r of runs) {
      const date = page.getByTestId(`grid-date-${r.runId}`);
      const at = r.runType === "manual" && r.startedAt ? r.startedAt : r.logicalDate;
      expect(await date.getAttribute("data-at")).toBe(at);
      texts.push((await date.locator("> *").allTextContents()).join(" "));
      const title = (await page.getByTestId(`grid-run-${r.runId}`).getAttribute("title")) ?? "";
      expect(title).toMatch(/duration \d/);
      if (r.runType === "backfill") expect(title).toContain(`logical date ${r.logicalDate!.startsWith("2026-01-01") ? "Jan 01" : "Jan 02"}, 2026`);
    }
    // Newest first: Jan 2 00:00 (its day, midnight implied), Jan 1 12:00 (a new day), then 00:00 of the same day.
    const byDate = new Map(runs.map((r, i) => [r.logicalDate, texts[i]]));
    expect(byDate.get("2026-01-02T00:00:00.000Z")).toBe("Jan 2");
    expect(byDate.get("2026-01-01T12:00:00.000Z")).toBe("Jan 1 12:00");
    expect(byDate.get("2026-01-01T00:00:00.000Z")).toBe("00:00");
    // The duration bars: one per column, height in proportion, at least 3 px.
    const heights = await page.locator(".run-bar").evaluateAll((els) => els.map((e) => (e as unknown as { offsetHeight: number }).offsetHeight));
    expect(heights).toHaveLength(runs.length);
    for (const h of heights) expect(h).toBeGreaterThanOrEqual(3);
    expect(Math.max(...heights)).toBe(44);
  });

  it("marks the task that failed once and then succeeded, with its try count in the label", async () => {
    for (const r of runs) {
      const cell = page.getByTestId(`grid-cell-${r.runId}-flaky`);
      expect(await cell.getAttribute("data-state")).toBe("success");
      expect(await cell.getAttribute("aria-label")).toContain("try 2");
      expect(await page.getByTestId(`grid-retry-${r.runId}-flaky`).isVisible()).toBe(true);
      expect(await page.getByTestId(`grid-retry-${r.runId}-report`).count()).toBe(0);
      expect(await page.getByTestId(`grid-cell-${r.runId}-report`).getAttribute("aria-label")).not.toContain("try");
    }
  });

  it("starts the 32-task DAG's groups collapsed, with an aggregate cell; a click and Enter expand and collapse; arrows still move", async () => {
    const run = runs[0]!.runId;
    const group = page.getByTestId("grid-group-extract");
    expect(await group.getAttribute("data-expanded")).toBe("false");
    expect(await page.getByTestId("grid-group-load").getAttribute("data-expanded")).toBe("false");
    expect(await page.getByTestId(`grid-cell-${run}-extract.t00`).count()).toBe(0);
    const agg = page.getByTestId(`grid-group-cell-${run}-extract`);
    expect(await agg.getAttribute("data-state")).toBe("success");
    expect(await agg.getAttribute("aria-expanded")).toBe("false");
    expect(await agg.getAttribute("aria-label")).toContain("group extract (15 tasks)");
    expect(await page.getByRole("grid").getAttribute("aria-rowcount")).toBe(String(1 + 4)); // header, 2 groups, flaky, report

    await group.click();
    await page.getByTestId(`grid-cell-${run}-extract.t00`).waitFor();
    expect(await group.getAttribute("data-expanded")).toBe("true");
    expect(await page.getByTestId(`grid-cell-${run}-extract.t00`).getAttribute("data-state")).toBe("success");
    expect(await page.getByRole("grid").getAttribute("aria-rowcount")).toBe(String(1 + 4 + 15));

    // Keyboard: ↓ from the group's cell reaches its first task, ↑ comes back, Enter collapses.
    await agg.focus();
    const focused = () =>
      page.evaluate(() =>
        (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }).document.activeElement?.getAttribute(
          "data-testid",
        ),
      );
    await page.keyboard.press("ArrowDown");
    await poll(async () => ((await focused()) === `grid-cell-${run}-extract.t00` ? true : undefined), 5_000);
    await page.keyboard.press("ArrowUp");
    await poll(async () => ((await focused()) === `grid-group-cell-${run}-extract` ? true : undefined), 5_000);
    await page.keyboard.press("Enter");
    await poll(async () => ((await agg.getAttribute("aria-expanded")) === "false" ? true : undefined), 5_000);
    expect(await page.getByTestId(`grid-cell-${run}-extract.t00`).count()).toBe(0);
    expect(await focused()).toBe(`grid-group-cell-${run}-extract`);
    await page.keyboard.press("Enter");
    await page.getByTestId(`grid-cell-${run}-extract.t00`).waitFor();

    // "Collapse groups" folds everything again.
    await page.getByTestId("grid-collapse-all").click();
    expect(await page.getByTestId(`grid-cell-${run}-extract.t00`).count()).toBe(0);
    await page.getByTestId("grid-layout").screenshot({ path: join(screenshotDir(started!.root), "grid-axis.png"), animations: "disabled" });
  });

  it("renders in the dark theme (docs/screenshots/grid-axis-dark.png)", async () => {
    const dark = await started!.session.browser.newContext({
      baseURL: started!.session.url,
      viewport: VIEWPORT,
      timezoneId: "UTC",
      locale: "en-US",
      colorScheme: "dark",
    });
    try {
      const darkPage = await dark.newPage();
      await darkPage.goto("/dags/wide/grid");
      await darkPage.getByTestId(`grid-run-${runs[0]!.runId}`).waitFor();
      expect(await darkPage.getByTestId("theme-toggle").getAttribute("data-theme-current")).toBe("dark");
      await darkPage.getByTestId("grid-layout").screenshot({ path: join(screenshotDir(started!.root), "grid-axis-dark.png"), animations: "disabled" });
    } finally {
      await dark.close();
    }
  });
});
