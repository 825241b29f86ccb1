import { createServer, type Server } from "node:net";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { baton, batonJson, ROOT } from "./baton-cli.js";

// Due every minute since 2026-01-01: a scheduler that started would create a run at once.
const DUE = `import { dag } from "baton";\nexport default dag({ id: "due", schedule: "* * * * *", startDate: "2026-01-01", catchup: false }, (d) => { d.task("a", async () => 1); });\n`;

let root: string;
let env: Record<string, string>;
let holder: Server | undefined;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-port-"));
  mkdirSync(join(root, "dags"));
  writeFileSync(join(root, "dags", "due.ts"), DUE);
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: join(root, "dags"), BATON_WORKERS: "1" };
});
afterEach(async () => {
  await new Promise<void>((resolve) => (holder ? holder.close(() => resolve()) : resolve()));
  holder = undefined;
  rmSync(root, { recursive: true, force: true });
});

/** A port on 127.0.0.1 held by another program (a plain TCP server). */
async function takenPort(): Promise<number> {
  holder = createServer();
  await new Promise<void>((resolve) => holder!.listen(0, "127.0.0.1", () => resolve()));
  return (holder.address() as { port: number }).port;
}

describe("a taken port stops `baton standalone` and `baton api` at once (exit 2), nothing started", () => {
  for (const command of ["standalone", "api"]) {
    it(`baton ${command}`, async () => {
      const port = await takenPort();
      const started = Date.now();
      const r = await baton([command, "--host", "127.0.0.1", "--port", String(port)], env, 20_000);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(2);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(r.stderr).toContain("--port");
      expect(r.stderr).toContain("BATON_API_PORT");
      expect(r.stdout).not.toContain("is running");
      // The scheduler never ran: the due DAG has no run.
      expect(batonJson<unknown[]>(await baton(["runs", "list", "--json"], env))).toEqual([]);
    });
  }

  it("BATON_API_PORT names the port as well as --port", async () => {
    const port = await takenPort();
    const r = await baton(["standalone"], { ...env, BATON_API_HOST: "127.0.0.1", BATON_API_PORT: String(port) }, 20_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
  });
});

describe("a taken --metrics-port stops the start the same way", () => {
  it("names --metrics-port and BATON_METRICS_PORT", async () => {
    const port = await takenPort();
    const r = await baton(["standalone", "--port", "0", "--metrics-port", String(port)], { ...env, BATON_METRICS_HOST: "127.0.0.1" }, 20_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(r.stderr).toContain("--metrics-port <port> or BATON_METRICS_PORT");
    expect(r.stdout).not.toContain("is running");
  });
});

describe("baton --version", () => {
  const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
  for (const flag of ["--version", "-V"]) {
    it(`${flag} prints the package's version and exits 0`, async () => {
      const r = await baton([flag]);
      expect(r.stdout).toBe(`${version}\n`);
      expect(r.code).toBe(0);
    });
  }
});
