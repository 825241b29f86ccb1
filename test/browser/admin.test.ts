import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { baton, batonJson, ROOT, startStandalone, stopProcess } from "../e2e/baton-cli.js";
import { hasChromium, CHROMIUM, launchChromium, parseStandalone, screenshotDir, VIEWPORT, waitForState } from "./browser-support.js";

// The Admin area in real Chromium against `baton standalone --auth required`: create a connection
// with a password, see it listed without the password, test, edit (the password is kept), delete;
// set a plain and a sensitive variable. No response the browser receives holds a secret.

if (!hasChromium) console.warn(`[test/browser] skipped: Chromium not installed at ${CHROMIUM}; .ci/run installs it`);

const PASSWORD = "Ui-pl41n-S3cret";
const TOKEN = "ui-t0ken-S3cret";
const VAR_SECRET = "ui-v4r-S3cret";
const SECRETS = [PASSWORD, TOKEN, VAR_SECRET];

describe.skipIf(!hasChromium)("Admin: connections and variables in Chromium", () => {
  let root: string;
  let env: Record<string, string>;
  let proc: ChildProcess | undefined;
  let output: () => string = () => "";
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let url: string;
  let password: string;
  let shots: string;
  const bodies: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(ROOT, "dist", "ui", "index.html"))) throw new Error("dist/ui/index.html is missing: run `npm run build` first");
    root = mkdtempSync(join(tmpdir(), "baton-admin-ui-"));
    const dags = join(root, "dags");
    mkdirSync(dags);
    env = { BATON_HOME: join(root, "home"), BATON_DAGS: dags, BATON_POLL_MS: "200", BATON_WORKERS: "1", BATON_API_PORT: "0", BATON_SHUTDOWN_GRACE_MS: "2000" };
    shots = screenshotDir(root);
    const [started, launched] = await Promise.all([startStandalone(env, ["--auth", "required"]), launchChromium()]);
    proc = started.proc;
    output = started.output;
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

  /** A signed-in page whose every API response body is recorded. */
  async function signedIn(colorScheme: "light" | "dark" = "light"): Promise<Page> {
    context = await browser!.newContext({ baseURL: url, viewport: VIEWPORT, colorScheme });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    page.on("response", (res) => {
      if (res.url().includes("/api/"))
        void res.text().then(
          (t) => bodies.push(t),
          () => {},
        );
    });
    await page.goto("/");
    await page.getByTestId("login-username").fill("admin");
    await page.getByTestId("login-password").fill(password);
    await page.getByTestId("login-submit").click();
    await page.getByTestId("nav-admin").waitFor();
    return page;
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, name), animations: "disabled" });
  const cli = async <T>(args: string[]) => batonJson<T>(await baton([...args, "--json"], env));

  it("creates a connection with a password, lists it without the password, tests, edits and deletes it", async () => {
    const page = await signedIn();
    await page.getByTestId("nav-admin").click();
    await page.waitForURL(/\/admin\/connections$/);
    await page.getByText("No connections yet").waitFor();

    await page.getByTestId("new-connection").first().click();
    await page.getByTestId("connection-dialog").waitFor();
    await page.getByTestId("conn-id").fill("warehouse");
    await page.getByTestId("conn-type").fill("postgres");
    await page.getByTestId("conn-host").fill("127.0.0.1");
    await page.getByTestId("conn-port").fill("5432");
    await page.getByTestId("conn-login").fill("postgres");
    await page.getByTestId("conn-password").fill(PASSWORD);
    await page.getByTestId("conn-schema").fill("test");
    await page.getByTestId("conn-extra").fill(JSON.stringify({ sslmode: "disable", api_token: TOKEN }));
    await page.getByTestId("conn-description").fill("the warehouse");
    await page.getByTestId("connection-submit").click();

    const row = page.getByTestId("connection-row-warehouse");
    await row.waitFor();
    await page.getByTestId("connection-dialog").waitFor({ state: "detached" });
    expect(await page.getByTestId("connection-password-warehouse").textContent()).toBe("•••");
    const rowText = (await row.textContent()) ?? "";
    expect(rowText).toContain("127.0.0.1:5432");
    expect(rowText).toContain("api_token=•••");
    expect(rowText).toContain("sslmode=disable");
    await shot(page, "admin-connections.png");
    // Stored encrypted and whole: what tasks get still has the password and the token.
    expect(await cli<{ password: string; extra: Record<string, string> }>(["connections", "get", "warehouse", "--reveal"])).toMatchObject({
      password: PASSWORD,
      extra: { api_token: TOKEN },
    });

    // Test: ok when PostgreSQL answers on 127.0.0.1:5432, failed otherwise; either way no secret.
    await page.getByTestId("connection-test-warehouse").click();
    await waitForState(page, "connection-check-warehouse", ["ok", "failed"], 20_000);

    // Edit: the password field is empty (write-only); leaving it so keeps the password.
    await page.getByTestId("connection-edit-warehouse").click();
    await page.getByTestId("connection-dialog").waitFor();
    expect(await page.getByTestId("conn-password").inputValue()).toBe("");
    expect(await page.getByTestId("conn-extra").inputValue()).not.toContain(TOKEN);
    await shot(page, "admin-connection-edit.png");
    await page.getByTestId("conn-host").fill("localhost");
    await page.getByTestId("conn-description").fill("moved");
    await page.getByTestId("connection-submit").click();
    await page.getByTestId("connection-dialog").waitFor({ state: "detached" });
    await page.getByText("localhost:5432").waitFor();
    expect(
      await cli<{ host: string; password: string; extra: Record<string, string>; description: string }>(["connections", "get", "warehouse", "--reveal"]),
    ).toMatchObject({
      host: "localhost",
      password: PASSWORD,
      extra: { api_token: TOKEN },
      description: "moved",
    });

    // Delete, after confirming.
    await page.getByTestId("connection-delete-warehouse").click();
    await page.getByTestId("confirm-dialog").waitFor();
    await page.getByTestId("confirm-cancel").click();
    await row.waitFor();
    await page.getByTestId("connection-delete-warehouse").click();
    await page.getByTestId("confirm-ok").click();
    await row.waitFor({ state: "detached" });
    await page.getByText("No connections yet").waitFor();
    expect((await baton(["connections", "get", "warehouse"], env)).code).not.toBe(0);

    expect(await page.content()).not.toContain(PASSWORD);
  });

  it("sets a plain and a sensitive variable; the sensitive one shows only as •••", async () => {
    const page = await signedIn("dark");
    await page.goto("/admin/variables");
    await page.getByText("No variables yet").waitFor();
    for (const [key, value] of [
      ["region", "eu-west-1"],
      ["slack_api_token", VAR_SECRET],
    ] as const) {
      await page.getByTestId("new-variable").first().click();
      await page.getByTestId("variable-dialog").waitFor();
      await page.getByTestId("var-key").fill(key);
      await page.getByTestId("var-value").fill(value);
      await page.getByTestId("variable-submit").click();
      await page.getByTestId(`variable-row-${key}`).waitFor();
      await page.getByTestId("variable-dialog").waitFor({ state: "detached" });
    }
    expect(await page.getByTestId("variable-value-region").textContent()).toBe("eu-west-1");
    expect(await page.getByTestId("variable-value-slack_api_token").textContent()).toBe("•••");
    await shot(page, "admin-variables-dark.png");

    // Editing the sensitive one: the value field starts empty; a new description keeps the value.
    await page.getByTestId("variable-edit-slack_api_token").click();
    expect(await page.getByTestId("var-value").inputValue()).toBe("");
    await page.getByTestId("var-description").fill("alerts");
    await page.getByTestId("variable-submit").click();
    await page.getByTestId("variable-dialog").waitFor({ state: "detached" });
    await page.getByText("alerts").waitFor();
    expect(await cli<{ value: string; description: string }>(["variables", "get", "slack_api_token", "--reveal"])).toMatchObject({
      value: VAR_SECRET,
      description: "alerts",
    });
    expect(await cli<{ value: string }>(["variables", "get", "region"])).toMatchObject({ value: "eu-west-1" });
    expect(await page.content()).not.toContain(VAR_SECRET);
  });

  it("no API response and no server output held a secret", () => {
    expect(bodies.length).toBeGreaterThan(5);
    for (const secret of SECRETS) {
      for (const body of bodies) expect(body, `an API response holds ${secret}`).not.toContain(secret);
      expect(output(), `the server output holds ${secret}`).not.toContain(secret);
    }
  });
});
