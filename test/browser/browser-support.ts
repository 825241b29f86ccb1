import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { ROOT } from "../e2e/baton-cli.js";

export const CHROMIUM = "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);
export const VIEWPORT = { width: 1440, height: 900 };

/** Real headless Chromium (the Debian package, not a Playwright download). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
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
    const last = await page.locator(selector).getAttribute("data-state", { timeout: 1_000 }).catch(() => "(element absent)");
    throw new Error(`${testId} did not reach data-state ${wanted.join(" | ")} within ${timeoutMs} ms; it is ${last}`, { cause: error });
  }
}
