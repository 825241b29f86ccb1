import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { baton, batonJson } from "./baton-cli.js";

let root: string;
let env: Record<string, string>;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-audit-cli-"));
  const dags = join(root, "dags");
  mkdirSync(dags);
  writeFileSync(
    join(dags, "hello.ts"),
    `import { dag } from "baton";\nexport default dag({ id: "hello", schedule: null, startDate: "2026-01-01" }, (d) => { d.task("t", async () => 1); });\n`,
  );
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: dags };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

type Entry = {
  actor: string;
  via: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  dagId: string | null;
  before: unknown;
  after: unknown;
};

describe("baton audit list", () => {
  it("lists what CLI commands changed, as cli:<os user>, without secrets; runs record who triggered them", async () => {
    const ok = async (args: string[]) => {
      const r = await baton(args, env);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return r;
    };
    await ok(["users", "create", "ada", "--password", "ada-password-secret-1", "--role", "op"]);
    const token = (await ok(["tokens", "create", "--user", "ada", "--name", "ci"])).stdout.trim();
    await ok(["variables", "set", "api_token", "variable-secret-2"]);
    await ok(["connections", "add", "wh", "--uri", "postgres://u:conn-secret-3@db:5432/x"]);
    await ok(["dags", "pause", "hello"]);
    const run = batonJson<{ runId: string }>(await ok(["dags", "trigger", "hello", "--json"]));

    const r = await ok(["audit", "list", "--json"]);
    const entries = batonJson<Entry[]>(r);
    const actor = `cli:${userInfo().username}`;
    expect(entries.map((e) => e.action)).toEqual(["run.trigger", "dag.pause", "connection.create", "variable.create", "token.create", "user.create"]);
    for (const e of entries) expect(e).toMatchObject({ actor, via: "cli" });
    expect(entries[0]).toMatchObject({ targetType: "run", targetId: run.runId, dagId: "hello" });
    expect(entries[1]).toMatchObject({ before: { paused: false }, after: { paused: true } });
    expect(entries[3]).toMatchObject({ after: { value: "***", sensitive: true } });
    for (const secret of ["ada-password-secret-1", token, "variable-secret-2", "conn-secret-3"]) expect(r.stdout).not.toContain(secret);

    const runs = batonJson<{ runId: string; triggeredBy: string | null }[]>(await ok(["runs", "list", "--json"]));
    expect(runs.map((x) => [x.runId, x.triggeredBy])).toEqual([[run.runId, actor]]);

    expect(batonJson<Entry[]>(await ok(["audit", "list", "--action", "dag.*", "--json"])).map((e) => e.action)).toEqual(["dag.pause"]);
    expect(batonJson<Entry[]>(await ok(["audit", "list", "--dag", "hello", "--limit", "1", "--json"])).map((e) => e.action)).toEqual(["run.trigger"]);
    expect(batonJson<Entry[]>(await ok(["audit", "list", "--actor", "nobody", "--json"]))).toEqual([]);
    expect(batonJson<Entry[]>(await ok(["audit", "list", "--since", "2999-01-01", "--json"]))).toEqual([]);
    const table = (await ok(["audit", "list", "--action", "dag.pause"])).stdout;
    expect(table).toMatch(/dag\.pause\s+dag hello\s+hello\s+paused: false → true/);

    const bad = await baton(["audit", "list", "--since", "yesterday"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--since");
  });
});
