import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { poll, ROOT, startStandalone, stopProcess } from "../e2e/baton-cli.js";

export const CHROMIUM = "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);
export const VIEWPORT = { width: 1440, height: 900 };

/** Real headless Chromium (the Debian package, not a Playwright download). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** docs/screenshots when BATON_SCREENSHOTS=1 (regenerating the committed PNGs), else a temp folder. */
export function screenshotDir(tempRoot: string): string {
  const dir = process.env.BATON_SCREENSHOTS === "1" ? join(ROOT, "docs", "screenshots") : join(tempRoot, "screenshots");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The URL and the first admin's password from `baton standalone --auth required`'s output. */
export function parseStandalone(output: string): { url: string; password: string } {
  const url = /UI and API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
  const password = /Created user "admin" with password: (\S+)/.exec(output)?.[1];
  if (!url || !password) throw new Error(`could not find the URL and admin password in:\n${output}`);
  return { url, password };
}

/**
 * Waits until the element with this test id has one of the `wanted` data-state values (changed
 * by the UI's live updates, no reload) and returns it; on timeout the error says the last state.
 */
export async function waitForState(page: Page, testId: string, wanted: string[], timeoutMs: number): Promise<string> {
  const selector = `[data-testid="${testId}"]`;
  try {
    const handle = await page.waitForFunction(
      ({ selector, wanted }) => {
        // This runs in the page; the project's type-check has no DOM lib, so name the little it uses.
        const { document } = globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } };
        const state = document.querySelector(selector)?.getAttribute("data-state");
        return state && wanted.includes(state) ? state : null;
      },
      { selector, wanted },
      { timeout: timeoutMs, polling: 100 },
    );
    return (await handle.jsonValue()) as string;
  } catch (error) {
    const last = await page
      .locator(selector)
      .getAttribute("data-state", { timeout: 1_000 })
      .catch(() => "(element absent)");
    throw new Error(`${testId} did not reach data-state ${wanted.join(" | ")} within ${timeoutMs} ms; it is ${last}`, { cause: error });
  }
}

/** A `baton standalone` in local mode and Chromium, started side by side: what a page test needs. */
export interface UiSession {
  proc: ChildProcess;
  browser: Browser;
  /** The UI's and API's base URL (http://127.0.0.1:<port>). */
  url: string;
  output(): string;
  /** Closes the browser and stops the standalone gracefully. */
  stop(): Promise<void>;
}

/** Starts `baton standalone` with `env` (the built UI required) and Chromium at once. */
export async function startUiSession(env: Record<string, string>): Promise<UiSession> {
  if (!existsSync(join(ROOT, "dist", "ui", "index.html"))) throw new Error("dist/ui/index.html is missing: run `npm run build` first");
  const [started, browser] = await Promise.all([startStandalone(env), launchChromium()]);
  const stop = async () => {
    await browser.close();
    await stopProcess(started.proc);
  };
  const url = /UI and API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(started.output())?.[1];
  if (!url) {
    await stop();
    throw new Error(`no URL in:\n${started.output()}`);
  }
  return { proc: started.proc, browser, url, output: started.output, stop };
}

/** A browser context on the session's URL, at {@link VIEWPORT}, waiting up to 20 s by default. */
export async function uiContext(session: UiSession): Promise<BrowserContext> {
  const context = await session.browser.newContext({ baseURL: session.url, viewport: VIEWPORT });
  context.setDefaultTimeout(20_000);
  return context;
}

/** A run as the grid endpoint lists it. */
export interface GridRun {
  runId: string;
  runType: string;
  state: string;
  logicalDate: string | null;
  startedAt: string | null;
}

/**
 * A standalone (local mode) over a temporary folder holding one DAG file, a backfill of
 * `from`..`to` posted through the API, and every run finished once the backfill has made
 * `backfillRuns` of them (the schedule may add one of its own). `cleanup` stops and deletes.
 */
export async function startBackfilledSession(o: {
  dagId: string;
  source: string;
  from: string;
  to: string;
  backfillRuns: number;
}): Promise<{ root: string; session: UiSession; runs: GridRun[]; cleanup(): Promise<void> }> {
  const root = mkdtempSync(join(tmpdir(), `baton-${o.dagId}-`));
  mkdirSync(join(root, "dags"));
  writeFileSync(join(root, "dags", `${o.dagId}.ts`), o.source);
  const session = await startUiSession({
    BATON_HOME: join(root, "home"),
    BATON_DAGS: join(root, "dags"),
    BATON_API_PORT: "0",
    BATON_WORKERS: "4",
    BATON_POLL_MS: "100",
    BATON_SHUTDOWN_GRACE_MS: "1000",
  });
  const cleanup = async () => {
    await session.stop();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const url = session.url;
    await poll(async () => ((await fetch(`${url}/api/v1/dags/${o.dagId}`)).ok ? true : undefined), 30_000);
    const res = await fetch(`${url}/api/v1/backfills`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ dagId: o.dagId, from: o.from, to: o.to }),
    });
    if (res.status !== 201) throw new Error(`backfill refused (${res.status}): ${await res.text()}`);
    const runs = await poll(async () => {
      const grid = (await (await fetch(`${url}/api/v1/dags/${o.dagId}/grid`)).json()) as { runs: GridRun[] };
      const backfill = grid.runs.filter((r) => r.runType === "backfill");
      return backfill.length === o.backfillRuns && grid.runs.every((r) => r.state === "success" || r.state === "failed") ? grid.runs : undefined;
    }, 90_000);
    return { root, session, runs, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
