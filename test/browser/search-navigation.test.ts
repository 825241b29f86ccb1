import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { poll } from "../e2e/baton-cli.js";
import { hasChromium, CHROMIUM, screenshotDir, startUiSession, uiContext, VIEWPORT, type UiSession } from "./browser-support.js";

// Search and navigation (issue 12; docs/ui.md#search) in real Chromium against `baton standalone`:
// the ⌘K palette reaches a task with the keyboard alone; the DAG list sorts and keeps only failing
// DAGs, both kept in the URL across a reload; unknown addresses, DAGs and runs get a useful 404.

if (!hasChromium) console.warn(`[test/browser] skipped: Chromium not installed at ${CHROMIUM}; .ci/run installs it`);

const SALES = `import { dag } from "baton";
export default dag({ id: "sales_daily", schedule: "0 6 * * *", startDate: "2030-01-01", description: "Daily sales", owner: "ada", tags: ["finance"] }, (d) => {
  d.task("extract_orders", async () => 1).then(d.task("load_orders", async () => 2));
});
`;

const HR = `import { dag } from "baton";
export default dag({ id: "hr_sync", schedule: "@daily", startDate: "2030-01-01", owner: "grace" }, (d) => {
  d.task("pull_people", async () => { throw new Error("upstream API is down"); });
});
`;

const IDLE = `import { dag } from "baton";
export default dag({ id: "archive", owner: "bob" }, (d) => {
  d.task("compress", async () => 0);
});
`;

const RUN_TIMEOUT = 45_000;

describe.skipIf(!hasChromium)("search and navigation", () => {
  let root: string;
  let session: UiSession | undefined;
  let url: string;
  let salesRun: string;

  async function trigger(dagId: string, runId: string): Promise<void> {
    const res = await fetch(`${url}/api/v1/dags/${dagId}/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ runId }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
  }

  async function waitRun(dagId: string, runId: string, state: string): Promise<void> {
    await poll(async () => {
      const run = (await (await fetch(`${url}/api/v1/dags/${dagId}/runs/${runId}`)).json()) as { state: string };
      return run.state === state ? true : undefined;
    }, RUN_TIMEOUT);
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "baton-search-ui-"));
    mkdirSync(join(root, "dags"));
    writeFileSync(join(root, "dags", "sales.ts"), SALES);
    writeFileSync(join(root, "dags", "hr.ts"), HR);
    writeFileSync(join(root, "dags", "archive.ts"), IDLE);
    const env = {
      BATON_HOME: join(root, "home"),
      BATON_DAGS: join(root, "dags"),
      BATON_API_PORT: "0",
      BATON_WORKERS: "2",
      BATON_POLL_MS: "100",
      BATON_SHUTDOWN_GRACE_MS: "1000",
    };
    session = await startUiSession(env);
    url = session.url;
    await poll(async () => {
      const body = (await (await fetch(`${url}/api/v1/dags`)).json()) as { total: number };
      return body.total === 3 ? true : undefined;
    }, 30_000);
    salesRun = "nightly_load_1";
    await trigger("sales_daily", salesRun);
    await trigger("hr_sync", "hr_manual_1");
    await Promise.all([waitRun("sales_daily", salesRun, "success"), waitRun("hr_sync", "hr_manual_1", "failed")]);
  });

  afterAll(async () => {
    await session?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** The id of the palette's active option, checked against aria-activedescendant. */
  async function activeOption(page: Page): Promise<{ kind: string | null; href: string | null; text: string }> {
    const input = page.getByRole("combobox", { name: "Search DAGs, runs, tasks and datasets" });
    const id = await input.getAttribute("aria-activedescendant");
    expect(id).toBeTruthy();
    const option = page.locator(`[id="${id}"]`);
    expect(await option.getAttribute("role")).toBe("option");
    expect(await option.getAttribute("aria-selected")).toBe("true");
    return { kind: await option.getAttribute("data-testid"), href: await option.getAttribute("data-href"), text: (await option.textContent()) ?? "" };
  }

  it("Ctrl+K opens the palette; the keyboard alone reaches a task and opens it in its DAG's newest run", async () => {
    const context = await uiContext(session!);
    try {
      const page = await context.newPage();
      await page.goto("/dags");
      await page.getByTestId("dag-row-sales_daily").waitFor();
      await page.keyboard.press("Control+k");
      const dialog = page.getByRole("dialog", { name: "Search" });
      await dialog.waitFor();
      const input = page.getByRole("combobox", { name: "Search DAGs, runs, tasks and datasets" });
      expect(await page.evaluate<string | null>("document.activeElement?.getAttribute('data-testid') ?? null")).toBe("search-input");
      expect(await input.getAttribute("aria-controls")).toBe(await page.getByTestId("search-results").getAttribute("id"));
      expect(await page.getByTestId("search-results").getAttribute("role")).toBe("listbox");

      // Esc closes; focus goes back where it was (the button, when it opened the palette).
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
      await page.getByTestId("search-button").focus();
      await page.keyboard.press("Enter");
      await dialog.waitFor();
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
      expect(await page.evaluate<string | null>("document.activeElement?.getAttribute('data-testid') ?? null")).toBe("search-button");

      await page.keyboard.press("Control+k");
      await page.keyboard.type("orders");
      await page.getByTestId("search-group-task").waitFor();
      expect(await page.getByTestId("search-status").textContent()).toMatch(/^\d+ results?\.$/);
      // Grouped by kind: the tasks extract_orders and load_orders, in the Tasks group.
      const tasks = page.getByTestId("search-group-task").getByRole("option");
      expect(await tasks.allTextContents()).toEqual([expect.stringContaining("extract_orders"), expect.stringContaining("load_orders")]);
      expect(await page.getByTestId("search-group-task").getAttribute("aria-labelledby")).toBeTruthy();

      // The first option is active; ↓ moves to load_orders, ↑ back, ↓ again.
      expect((await activeOption(page)).text).toContain("extract_orders");
      await page.keyboard.press("ArrowDown");
      expect((await activeOption(page)).text).toContain("load_orders");
      await page.keyboard.press("ArrowUp");
      expect((await activeOption(page)).text).toContain("extract_orders");
      await page.keyboard.press("ArrowDown");
      const chosen = await activeOption(page);
      expect(chosen.kind).toBe("search-option-task");
      await page.keyboard.press("Enter");

      await dialog.waitFor({ state: "detached" });
      await page.waitForURL(
        (u) => u.pathname === "/dags/sales_daily/grid" && u.searchParams.get("task") === "load_orders" && u.searchParams.get("run") === salesRun,
      );
      const panel = page.getByTestId("task-panel");
      await panel.waitFor();
      expect(await panel.getAttribute("aria-label")).toBe(`Task load_orders in run ${salesRun}`);

      // A run by (part of) its id, from the top bar's button this time.
      await page.getByTestId("search-button").click();
      await page.keyboard.type("hr_manual");
      await page.getByTestId("search-group-run").waitFor();
      const firstRun = page.getByTestId("search-group-run").getByRole("option").first();
      await firstRun.click();
      await page.waitForURL((u) => u.pathname === "/dags/hr_sync/grid" && u.searchParams.get("run") === "hr_manual_1");
      await page.getByTestId("run-panel").waitFor();
    } finally {
      await context.close();
    }
  });

  it("sorts the DAG list by a column and keeps only failing DAGs, both kept in the URL over a reload", async () => {
    const context = await uiContext(session!);
    try {
      const page = await context.newPage();
      await page.goto("/dags");
      const ids = async () =>
        await page.locator('[data-testid^="dag-row-"]').evaluateAll((rows) => rows.map((r) => r.getAttribute("data-testid")!.slice("dag-row-".length)));
      await page.getByTestId("dag-row-archive").waitFor();
      expect(await ids()).toEqual(["archive", "hr_sync", "sales_daily"]);

      // Human schedule text beside the cron; a preset as its cron.
      expect(await page.getByTestId("schedule-text-sales_daily").textContent()).toBe("At 06:00, every day");
      expect(await page.getByTestId("schedule-text-hr_sync").textContent()).toBe("At 00:00, every day");
      expect(await page.getByTestId("last-state-hr_sync").getAttribute("data-state")).toBe("failed");
      expect(await page.getByTestId("last-state-archive").getAttribute("data-state")).toBe("none");

      // Last state: failed first, DAGs without runs last; again: the other way round, still last.
      await page.getByTestId("sort-lastState").click();
      await page.waitForURL((u) => u.searchParams.get("sort") === "lastState");
      expect(await ids()).toEqual(["hr_sync", "sales_daily", "archive"]);
      expect(await page.locator("th", { has: page.getByTestId("sort-lastState") }).getAttribute("aria-sort")).toBe("ascending");
      await page.getByTestId("sort-lastState").click();
      await page.waitForURL((u) => u.searchParams.get("order") === "desc");
      expect(await ids()).toEqual(["sales_daily", "hr_sync", "archive"]);

      // Owner, descending survives a reload.
      await page.getByTestId("sort-owner").click();
      await page.getByTestId("sort-owner").click();
      await page.waitForURL((u) => u.searchParams.get("sort") === "owner" && u.searchParams.get("order") === "desc");
      expect(await ids()).toEqual(["hr_sync", "archive", "sales_daily"]);
      await page.reload();
      await page.getByTestId("dag-row-archive").waitFor();
      expect(await ids()).toEqual(["hr_sync", "archive", "sales_daily"]);
      expect(await page.locator("th", { has: page.getByTestId("sort-owner") }).getAttribute("aria-sort")).toBe("descending");

      // Failing: only the DAG whose last run failed; the filter survives a reload too.
      await page.getByTestId("filter-failing").click();
      await page.waitForURL((u) => u.searchParams.get("failing") === "1");
      await page.getByTestId("dag-row-sales_daily").waitFor({ state: "detached" });
      expect(await ids()).toEqual(["hr_sync"]);
      expect(await page.getByTestId("filter-failing").getAttribute("aria-pressed")).toBe("true");
      await page.reload();
      await page.getByTestId("dag-row-hr_sync").waitFor();
      expect(await ids()).toEqual(["hr_sync"]);
      await page.getByTestId("filter-failing").click();
      await page.getByTestId("dag-row-sales_daily").waitFor();
      expect(await ids()).toEqual(["hr_sync", "archive", "sales_daily"]);
    } finally {
      await context.close();
    }
  });

  it("answers unknown addresses, DAGs and runs with what was not found and where to go", async () => {
    const context = await uiContext(session!);
    try {
      const page = await context.newPage();
      await page.goto("/no/such/page");
      const nf = page.getByTestId("not-found");
      await nf.waitFor();
      expect(await nf.getByRole("heading").textContent()).toBe("Page not found");
      expect(await nf.textContent()).toContain("/no/such/page");
      expect(await page.getByTestId("not-found-home").getAttribute("href")).toBe("/");
      expect(await page.getByTestId("not-found-dags").getAttribute("href")).toBe("/dags");

      await page.goto("/dags/sales_dayly");
      await nf.waitFor();
      expect(await nf.getByRole("heading").textContent()).toBe("DAG “sales_dayly” not found");
      // The search starts from the id that was not found.
      await page.getByTestId("not-found-search").click();
      const input = page.getByTestId("search-input");
      await input.waitFor();
      expect(await input.inputValue()).toBe("sales_dayly");
      await input.fill("sales_da");
      await page.getByTestId("search-group-dag").waitFor();
      await page.keyboard.press("Enter");
      await page.waitForURL((u) => u.pathname === "/dags/sales_daily");
      await page.getByTestId("dag-title").waitFor();

      await page.goto("/dags/sales_daily/grid?run=no_such_run");
      await nf.waitFor();
      expect(await nf.getByRole("heading").textContent()).toBe("Run “no_such_run” not found");
      expect(await nf.getByRole("link", { name: "Runs of sales_daily" }).getAttribute("href")).toBe("/dags/sales_daily/runs");

      await page.goto(`/dags/sales_daily/grid?run=${salesRun}&task=no_such_task`);
      await nf.waitFor();
      expect(await nf.getByRole("heading").textContent()).toBe("Task “no_such_task” not found in this run");
    } finally {
      await context.close();
    }
  });

  it("screenshots of the palette, light and dark", async () => {
    const shots = screenshotDir(root);
    for (const colorScheme of ["light", "dark"] as const) {
      const context = await session!.browser.newContext({ baseURL: url, viewport: VIEWPORT, colorScheme });
      context.setDefaultTimeout(20_000);
      try {
        const page = await context.newPage();
        await page.goto("/dags");
        await page.getByTestId("dag-row-sales_daily").waitFor();
        await page.keyboard.press("Control+k");
        await page.keyboard.type("a");
        for (const kind of ["dag", "run", "task"]) await page.getByTestId(`search-group-${kind}`).waitFor();
        await page.keyboard.press("ArrowDown");
        await page.screenshot({ path: join(shots, colorScheme === "light" ? "search.png" : "search-dark.png") });
      } finally {
        await context.close();
      }
    }
  });
});
