import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { baton, batonJson, ROOT, startStandalone, stopProcess } from "../e2e/baton-cli.js";
import { hasChromium, CHROMIUM, launchChromium, parseStandalone, screenshotDir, VIEWPORT, waitForState } from "./browser-support.js";

// The acceptance flow of the web UI, in real Chromium against the real `baton standalone`
// binary with sign-in required: sign in, trigger with params, watch the grid turn green over
// live updates, read the logs, clear a failed task and watch it re-run.

if (!hasChromium) console.warn(`[test/browser] skipped: Chromium not installed at ${CHROMIUM}; .ci/run installs it`);

const GREET = `import { dag, z } from "baton";
export default dag(
  {
    id: "greet",
    description: "Says hello to someone",
    owner: "qa",
    tags: ["demo"],
    params: z.object({ name: z.string().default("world"), times: z.number().int().min(1).max(5).default(1) }),
  },
  (d) => {
    const hello = d.task("hello", async (ctx) => {
      ctx.log.info(\`hello \${ctx.params.name}\`);
      return { greeting: \`hello \${ctx.params.name}\`, times: ctx.params.times };
    });
    hello.then(d.shell("echo_name", { command: "echo {{ params.name }}" })).then(d.task("done", async () => "done"));
  },
);
`;

/** Fails while the flag file is missing, so a test can fix the cause and clear the task. */
const flakySource = (flag: string) => `import { existsSync } from "node:fs";
import { dag } from "baton";
export default dag({ id: "flaky", description: "Fails until a flag file exists" }, (d) => {
  d.task("check_flag", async (ctx) => {
    if (!existsSync(${JSON.stringify(flag)})) throw new Error("flag file is missing");
    ctx.log.info("flag found");
    return "ok";
  });
});
`;

/** A mapped task: one copy per region, each logging which copy it is. */
const FANOUT = `import { dag } from "baton";
export default dag({ id: "fanout", description: "Maps over regions" }, (d) => {
  const regions = d.task("regions", () => ["eu", "us", "apac"]);
  d.task("count", { map: { region: regions } }, (ctx, { region }) => {
    ctx.log.info("copy " + ctx.mapIndex + " counted " + region);
    return region.length;
  });
});
`;

const RUN_TIMEOUT = 45_000; // a run on a busy 2-core machine: scheduler poll + warm workers
const NAME = "Ada Lovelace";

describe.skipIf(!hasChromium)("web UI in Chromium against baton standalone --auth required", () => {
  let root: string;
  let flag: string;
  let env: Record<string, string>;
  let proc: ChildProcess | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let url: string;
  let password: string;
  let shots: string;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, "dist", "ui", "index.html"))) throw new Error("dist/ui/index.html is missing: run `npm run build` first");
    root = mkdtempSync(join(tmpdir(), "baton-ui-"));
    const dags = join(root, "dags");
    mkdirSync(dags);
    flag = join(root, "flag");
    writeFileSync(join(dags, "greet.ts"), GREET);
    writeFileSync(join(dags, "flaky.ts"), flakySource(flag));
    writeFileSync(join(dags, "fanout.ts"), FANOUT);
    env = { BATON_HOME: join(root, "home"), BATON_DAGS: dags, BATON_POLL_MS: "100", BATON_WORKERS: "2", BATON_API_PORT: "0", BATON_SHUTDOWN_GRACE_MS: "2000" };
    shots = screenshotDir(root);
    const [started, launched] = await Promise.all([startStandalone(env, ["--auth", "required"]), launchChromium()]);
    proc = started.proc;
    browser = launched;
    ({ url, password } = parseStandalone(started.output()));
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  afterAll(async () => {
    await browser?.close();
    await stopProcess(proc);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  async function newPage(): Promise<Page> {
    context = await browser!.newContext({ baseURL: url, viewport: VIEWPORT, colorScheme: "light" });
    context.setDefaultTimeout(20_000);
    return context.newPage();
  }

  async function signIn(page: Page): Promise<void> {
    await page.goto("/dags"); // the DAG list (the home page is at /)
    await page.getByTestId("login-username").fill("admin");
    await page.getByTestId("login-password").fill(password);
    await page.getByTestId("login-submit").click();
    await page.getByTestId("dag-row-greet").waitFor();
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, name), animations: "disabled" });

  /** Opens the trigger dialog, lets `fill` set the params, submits, and returns the new run's id. */
  async function trigger(page: Page, fill: () => Promise<void>, screenshot?: string): Promise<string> {
    await page.getByTestId("trigger-button").click();
    await page.getByTestId("trigger-dialog").waitFor();
    await fill();
    if (screenshot) await shot(page, screenshot);
    await page.getByTestId("trigger-submit").click();
    await page.waitForURL(/[?&]run=/);
    const runId = new URL(page.url()).searchParams.get("run");
    expect(runId).toBeTruthy();
    return runId!;
  }

  it("an unauthenticated visit shows the sign-in page, and a wrong password shows an error", async () => {
    const page = await newPage();
    await page.goto("/dags/greet/grid");
    await page.getByTestId("login-username").waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(new URL(page.url()).searchParams.get("next")).toBe("/dags/greet/grid");
    expect(await page.getByTestId("dag-row-greet").count()).toBe(0);
    await shot(page, "login.png");

    await page.getByTestId("login-username").fill("admin");
    await page.getByTestId("login-password").fill(`${password}-wrong`);
    await page.getByTestId("login-submit").click();
    const error = page.getByTestId("login-error");
    await error.waitFor();
    expect(await error.textContent()).toMatch(/invalid username or password/i);
    expect(new URL(page.url()).pathname).toBe("/login");

    // The right password then lands on the page asked for (?next=).
    await page.getByTestId("login-password").fill(password);
    await page.getByTestId("login-submit").click();
    await page.getByTestId("dag-title").waitFor();
    expect(new URL(page.url()).pathname).toBe("/dags/greet/grid");
  });

  it("signs in, triggers greet with params, watches the grid turn to success live, and shows the task's logs", { timeout: 120_000 }, async () => {
    const page = await newPage();
    await signIn(page);
    await page.getByTestId("dag-row-flaky").waitFor();
    expect(await page.getByTestId("dag-row-greet").textContent()).toContain("Says hello to someone");
    await shot(page, "dag-list.png");

    await page.getByTestId("dag-link-greet").click();
    await page.getByTestId("dag-title").waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/dags\/greet(\/grid)?$/);
    expect(await page.getByTestId("tab-grid").getAttribute("aria-selected")).toBe("true");
    // The grid below only changes through the SSE stream: make sure it is connected.
    await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();

    const runId = await trigger(
      page,
      async () => {
        expect(await page.getByTestId("param-name").inputValue()).toBe("world"); // defaults prefilled
        expect(await page.getByTestId("param-times").inputValue()).toBe("1");
        await page.getByTestId("param-name").fill(NAME);
        await page.getByTestId("param-times").fill("3");
      },
      "trigger-form.png",
    );
    const toast = page.getByTestId("toast-success");
    expect(await toast.textContent()).toContain(`Triggered ${runId}`);
    await toast.getByRole("button", { name: "Dismiss notification" }).click(); // keeps it out of the screenshots

    for (const task of ["hello", "echo_name", "done"]) {
      expect(await waitForState(page, `grid-cell-${runId}-${task}`, ["success", "failed", "upstream_failed"], RUN_TIMEOUT), task).toBe("success");
    }
    expect(await waitForState(page, `grid-run-${runId}`, ["success", "failed"], RUN_TIMEOUT)).toBe("success");
    await shot(page, "grid.png");

    // The form sent the params with their types (times is a number, not "3").
    const run = await page.request.get(`/api/v1/dags/greet/runs/${encodeURIComponent(runId)}`);
    expect(run.status()).toBe(200);
    expect((await run.json()).conf).toEqual({ name: NAME, times: 3 });

    await page.getByTestId(`grid-cell-${runId}-hello`).click();
    const panel = page.getByTestId("task-panel");
    await panel.waitFor();
    const logs = page.locator('[data-testid="task-logs"][data-status="done"]');
    await logs.waitFor();
    expect(await logs.textContent()).toContain(`hello ${NAME}`);
    expect(JSON.parse((await page.getByTestId("task-return-value").textContent())!)).toEqual({ greeting: `hello ${NAME}`, times: 3 });
    expect(new URL(page.url()).searchParams.get("task")).toBe("hello");
    await shot(page, "task-panel.png");

    await page.getByTestId(`grid-cell-${runId}-echo_name`).click();
    await page.getByTestId("task-command").waitFor();
    expect(await page.getByTestId("task-command").textContent()).toContain(NAME);
    await page.locator('[data-testid="task-logs"][data-status="done"]').waitFor();
    expect(await page.getByTestId("task-logs").textContent()).toContain(NAME);

    await page.getByTestId("tab-graph").click();
    await page.getByTestId("graph").waitFor();
    for (const task of ["hello", "echo_name", "done"]) expect(await waitForState(page, `graph-node-${task}`, ["success"], 15_000)).toBe("success");
    expect(new URL(page.url()).searchParams.get("run")).toBe(runId);
    await shot(page, "graph.png");

    await page.getByTestId("tab-gantt").click();
    await page.getByTestId("gantt").waitFor();
    for (const task of ["hello", "echo_name", "done"]) await page.getByTestId("gantt").getByText(task, { exact: true }).first().waitFor();
    await shot(page, "gantt.png");

    await page.getByTestId("tab-code").click();
    await page.getByTestId("dag-source").waitFor();
    const source = await page.getByTestId("dag-source").textContent();
    expect(source).toContain('id: "greet"');
    expect(source).toContain("{{ params.name }}");
    await shot(page, "code.png");
  });

  it("a failed task is cleared from its panel, re-runs after the cause is fixed, and records try 2", { timeout: 120_000 }, async () => {
    const page = await newPage();
    await signIn(page);
    await page.goto("/dags/flaky/grid");
    await page.getByTestId("dag-title").waitFor();
    await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();

    const runId = await trigger(page, async () => {});
    const cell = `grid-cell-${runId}-check_flag`;
    expect(await waitForState(page, cell, ["failed", "success"], RUN_TIMEOUT)).toBe("failed");
    expect(await waitForState(page, `grid-run-${runId}`, ["failed", "success"], RUN_TIMEOUT)).toBe("failed");

    writeFileSync(flag, "fixed");
    await page.getByTestId(cell).click();
    await page.getByTestId("task-panel").waitFor();
    await page.locator('[data-testid="task-logs"][data-status="done"]').waitFor();
    expect(await page.getByTestId("task-logs").textContent()).toContain("flag file is missing");
    await page.getByTestId("task-clear").click();
    await page.getByTestId("confirm-dialog").waitFor();
    await page.getByTestId("confirm-ok").click();

    expect(await waitForState(page, cell, ["success"], RUN_TIMEOUT)).toBe("success");
    // The run was failed before the clear: its header may still say so for a moment after the
    // task's cell turns green (the run's own change comes in a later event), so wait for success.
    expect(await waitForState(page, `grid-run-${runId}`, ["success"], RUN_TIMEOUT)).toBe("success");
    // The open panel follows: both tries are listed and the latest log is the successful one.
    await page.getByTestId("task-log-try").waitFor();
    expect(await page.getByTestId("task-log-try").inputValue()).toBe("2");
    await page.getByTestId("task-logs").filter({ hasText: "flag found" }).waitFor();

    // And through the API with a bearer token from the CLI.
    const created = await baton(["tokens", "create", "--user", "admin", "--json"], env);
    expect(created.code, created.stderr).toBe(0);
    const { token } = batonJson<{ token: string }>(created);
    const res = await fetch(`${url}/api/v1/dags/flaky/runs/${encodeURIComponent(runId)}/tasks/check_flag`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const ti = (await res.json()) as { state: string; tryNumber: number; attempts: { tryNumber: number; state: string }[] };
    expect(ti.state).toBe("success");
    expect(ti.tryNumber).toBe(2);
    expect(ti.attempts.map((a) => [a.tryNumber, a.state])).toEqual([
      [1, "failed"],
      [2, "success"],
    ]);
  });

  it("a mapped task's panel lists its copies; a copy shows its own log", { timeout: 120_000 }, async () => {
    const page = await newPage();
    await signIn(page);
    await page.goto("/dags/fanout/grid");
    await page.getByTestId("dag-title").waitFor();
    await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
    const runId = await trigger(page, async () => {});
    expect(await waitForState(page, `grid-run-${runId}`, ["success", "failed"], RUN_TIMEOUT)).toBe("success");
    await page.getByTestId(`grid-cell-${runId}-count`).click();
    const copies = page.getByTestId("task-copies");
    await copies.waitFor();
    expect(await copies.textContent()).toContain("Mapped copies (3)");
    expect(await page.getByTestId("task-return-value").textContent()).toMatch(/\[\s*2,\s*2,\s*4\s*\]/);
    await shot(page, "task-panel-mapped.png");

    await page.getByRole("button", { name: "Show copy 1" }).click();
    await page.getByTestId("task-map-index").waitFor();
    expect(new URL(page.url()).searchParams.get("map")).toBe("1");
    const logs = page.locator('[data-testid="task-logs"][data-status="done"]');
    await logs.waitFor();
    expect(await logs.textContent()).toContain("copy 1 counted us");
    expect(await logs.textContent()).not.toContain("counted eu");
    await page.getByTestId("task-all-copies").click();
    await copies.waitFor();
    expect(new URL(page.url()).searchParams.get("map")).toBeNull();

    // The graph shows the mapped task's own state (not its last copy's) and how many copies ran.
    await page.goto(`/dags/fanout/graph?run=${encodeURIComponent(runId)}`);
    const node = page.getByTestId("graph-node-count");
    await node.waitFor();
    await page.locator('[data-testid="graph-node-count"][data-state="success"]').waitFor();
    expect(await node.textContent()).toContain("mapped ×3");
  });

  it("the theme toggle switches to dark, and the choice survives a reload", async () => {
    const page = await newPage();
    await signIn(page);
    await page.goto("/dags/greet/grid");
    await page.getByTestId("dag-title").waitFor();
    const toggle = page.getByTestId("theme-toggle");
    expect(await toggle.getAttribute("data-theme-current")).toBe("light");
    expect(await page.locator("html").getAttribute("data-theme")).not.toBe("dark");
    // Evaluated as strings: the project's type-check has no DOM lib.
    const background = () => page.evaluate<string>("getComputedStyle(document.body).backgroundColor");
    const light = await background();

    await toggle.click();
    expect(await page.locator("html").getAttribute("data-theme")).toBe("dark");
    expect(await toggle.getAttribute("data-theme-current")).toBe("dark");
    expect(await page.evaluate<string | null>("localStorage.getItem('baton.theme')")).toBe("dark");
    expect(await background()).not.toBe(light);

    await page.reload();
    await page.getByTestId("dag-title").waitFor();
    expect(await page.locator("html").getAttribute("data-theme")).toBe("dark");
    expect(await page.getByTestId("theme-toggle").getAttribute("data-theme-current")).toBe("dark");
    await shot(page, "grid-dark.png");
  });
});
