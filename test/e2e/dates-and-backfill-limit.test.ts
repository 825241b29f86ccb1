import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baton, batonJson } from "./baton-cli.js";

// Regression tests for issue 8, item 5: the CLI and the SDK read dates with the one strict parser,
// and a backfill of more than 1000 runs needs --force.
const HEADER = `import { dag } from "baton";\n`;
const HOURLY = `${HEADER}export default dag({ id: "hourly", schedule: "0 * * * *", startDate: "2025-01-01" }, (d) => {\n  d.task("a", async () => 1);\n});\n`;
const BAD_START = `${HEADER}\nexport default dag({\n  id: "bad_start",\n  startDate: "2026-02-30",\n}, (d) => {\n  d.task("a", async () => 1);\n});\n`;

let root: string;
let env: Record<string, string>;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "baton-e2e-dates-"));
  const dags = join(root, "dags");
  mkdirSync(dags);
  writeFileSync(join(dags, "hourly.ts"), HOURLY);
  writeFileSync(join(dags, "bad-start.ts"), BAD_START);
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: dags };
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("dates on the command line (the real binary)", () => {
  it("refuses dates that are not ISO 8601 or do not exist: exit 2 naming the flag", async () => {
    for (const [flag, args] of [
      ["--date", ["dags", "trigger", "hourly", "--date", "March 7"]],
      ["--date", ["dags", "trigger", "hourly", "--date", "2026-02-30"]],
      ["--from", ["dags", "backfill", "hourly", "--from", "123", "--to", "2025-01-02"]],
      ["--to", ["dags", "backfill", "hourly", "--from", "2025-01-01", "--to", "0.5"]],
      ["--to", ["dags", "backfill", "hourly", "--from", "2025-01-01", "--to", "2025-01-01T25:00Z", "--dry-run"]],
      ["--date", ["dags", "test", "hourly", "--date", "2025-13-01"]],
      ["--date", ["tasks", "test", "hourly", "a", "--date", "1"]],
    ] as const) {
      const r = await baton([...args], env);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(new RegExp(`error: ${flag}: .*YYYY-MM-DD`));
    }
  }, 120_000);

  it("a DAG whose startDate does not exist is a load error with file:line", async () => {
    const errors = batonJson<{ file: string; line: number; message: string }[]>(await baton(["dags", "errors", "--json"], env));
    const bad = errors.find((e) => e.file.endsWith("bad-start.ts"));
    expect(bad, JSON.stringify(errors)).toBeDefined();
    expect(bad!.line).toBeGreaterThanOrEqual(2);
    expect(bad!.message).toMatch(/startDate: "2026-02-30" is not a real date: 2026-02 has 28 days/);
  });

  it("a backfill of more than 1000 runs needs --force; the dry run shows the count", async () => {
    const range = ["--from", "2025-01-01", "--to", "2025-03-01"];
    const refused = await baton(["dags", "backfill", "hourly", ...range], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/covers 1417 scheduled intervals of hourly, one run each: more than the limit of 1000 runs per backfill.*--force/);
    const dry = batonJson<{ count: number; needsForce: boolean }>(await baton(["dags", "backfill", "hourly", ...range, "--dry-run", "--json"], env));
    expect(dry).toMatchObject({ count: 1417, needsForce: true });
    const dryText = await baton(["dags", "backfill", "hourly", ...range, "--dry-run"], env);
    expect(dryText.stdout).toMatch(/^Would backfill 1417 interval\(s\) of hourly \(more than the limit of 1000 runs per backfill: creating it needs --force\)/);
    const forced = await baton(["dags", "backfill", "hourly", ...range, "--force", "--json"], env);
    expect(forced.code, forced.stderr).toBe(0);
    expect(batonJson<{ logicalDates: string[] }>(forced).logicalDates).toHaveLength(1417);
  }, 120_000);
});
