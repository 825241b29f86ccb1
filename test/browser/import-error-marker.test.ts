import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { poll } from "../e2e/baton-cli.js";
import { hasChromium, CHROMIUM, startUiSession, uiContext, type UiSession } from "./browser-support.js";

// A DAG whose file stops loading, in real Chromium against `baton standalone`: the DAG stays in
// the list (the standalone's DAG sync keeps it as last loaded), marked "file does not load" on
// the list and on its page, the marker leading to the import errors.

if (!hasChromium) console.warn(`[test/browser] skipped: Chromium not installed at ${CHROMIUM}; .ci/run installs it`);

describe.skipIf(!hasChromium)("the 'file does not load' marker", () => {
  let root: string;
  let file: string;
  let session: UiSession | undefined;
  let url: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "baton-import-error-ui-"));
    mkdirSync(join(root, "dags"));
    file = join(root, "dags", "etl.ts");
    writeFileSync(file, `import { dag } from "baton";\nexport default dag({ id: "etl" }, (d) => {\n  d.task("extract", () => 1);\n});\n`);
    const env = {
      BATON_HOME: join(root, "home"),
      BATON_DAGS: join(root, "dags"),
      BATON_API_PORT: "0",
      BATON_WORKERS: "1",
      BATON_POLL_MS: "100",
      BATON_SHUTDOWN_GRACE_MS: "1000",
    };
    session = await startUiSession(env);
    url = session.url;
    writeFileSync(file, `import { dag } from "baton";\nexport default dag({ id: "etl" }, (d) => {\n  const x = ;\n});\n`);
    utimesSync(file, new Date(), new Date(Date.now() + 10_000));
    await poll(async () => {
      const body = (await (await fetch(`${url}/api/v1/dags`)).json()) as { dags: { dagId: string; importError: unknown }[] };
      return body.dags.some((d) => d.dagId === "etl" && d.importError !== null) ? true : undefined;
    }, 20_000);
  });

  afterAll(async () => {
    await session?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("shows the DAG on the list and its page with the marker, which links to the import errors", async () => {
    const context = await uiContext(session!);
    try {
      const page = await context.newPage();
      await page.goto("/dags");
      const marker = page.getByTestId("import-error-etl");
      await marker.waitFor();
      expect(await marker.textContent()).toMatch(/^file does not load: .+ \(etl\.ts:3\)$/);
      expect(await page.getByTestId("dag-row-etl").isVisible()).toBe(true);

      await page.getByTestId("dag-link-etl").click();
      await page.getByTestId("dag-title").waitFor();
      const onPage = page.getByTestId("import-error-etl");
      await onPage.waitFor();
      await onPage.click();
      await page.getByTestId("import-errors-list").waitFor();
      expect(await page.getByTestId("import-errors-list").textContent()).toContain(`${file}:3`);
    } finally {
      await context.close();
    }
  }, 60_000);
});
