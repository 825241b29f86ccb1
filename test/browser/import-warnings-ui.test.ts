import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { poll } from "../e2e/baton-cli.js";
import { hasChromium, CHROMIUM, startUiSession, uiContext, type UiSession } from "./browser-support.js";

// Issue 13: a type error found by the background type check is an import WARNING: the Import
// errors page shows it with a yellow "Type warning TS2322" badge, apart from load errors, and the
// DAG list's red banner (load errors only) does not count it.

if (!hasChromium) console.warn(`[test/browser] skipped: Chromium not installed at ${CHROMIUM}; .ci/run installs it`);

describe.skipIf(!hasChromium)("type-check warnings in the UI", () => {
  let root: string;
  let session: UiSession | undefined;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "baton-import-warnings-ui-"));
    mkdirSync(join(root, "dags"));
    writeFileSync(
      join(root, "dags", "typed.ts"),
      `import { dag } from "baton";\nexport default dag({ id: "typed" }, (d) => {\n  d.task("add", () => {\n    const total: number = "x";\n    return total;\n  });\n});\n`,
    );
    const env = {
      BATON_HOME: join(root, "home"),
      BATON_DAGS: join(root, "dags"),
      BATON_API_PORT: "0",
      BATON_WORKERS: "1",
      BATON_POLL_MS: "100",
      BATON_SHUTDOWN_GRACE_MS: "1000",
      BATON_DAG_TYPECHECK: "on",
    };
    session = await startUiSession(env);
    await poll(async () => {
      const body = (await (await fetch(`${session!.url}/api/v1/import-errors`)).json()) as { errors: { severity: string }[] };
      return body.errors.some((e) => e.severity === "warning") ? true : undefined;
    }, 90_000);
  }, 120_000);

  afterAll(async () => {
    await session?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("marks the warning on the Import errors page; the DAG list shows no load-error banner", async () => {
    const context = await uiContext(session!);
    try {
      const page = await context.newPage();
      await page.goto("/dags");
      await page.getByTestId("dag-row-typed").waitFor();
      expect(await page.getByTestId("import-errors-banner").count()).toBe(0);

      await page.goto("/import-errors");
      const item = page.getByTestId("import-errors-list").locator('li[data-severity="warning"]');
      await item.waitFor();
      expect(await item.textContent()).toContain("typed.ts:4:11");
      expect(await item.locator(".badge-warn").textContent()).toBe("Type warning TS2322");
      expect(await page.getByTestId("import-errors-list").locator('li[data-severity="error"]').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
